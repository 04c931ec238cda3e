"""A unit that reported but whose answer on a node was not taken (已完成 without a date that cannot be
told on time, or with a date that cannot be read; a 完成状态 word that cannot be read) is chased for
it as a silent unit is: the node stands 未报送, so a 催报通知 names the node and why, and the bulletin's
未按时报送 says so — the unit is still counted as having reported. Forms are the real ones, filled and read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportgen.calendar import month_calendar
from reportgen.config import Config
from reportgen.ingest import read_submissions
from reportgen.model import History, Status
from reportgen.reconcile import reconcile
from reportgen.render.wording import missing_text, notice_contexts, units_text, unreported_words
from reportgen.summary import summary_dict
from tests.ingest_support import ECON, EQUIP, LAND, MED, make_form, make_plan

pytestmark = pytest.mark.slow  # writes forms (about half a second each)

PLAN = make_plan()
JULY = "2024-07"


def _month(tmp_path: Path, forms: dict[str, dict[str, dict[str, object]]], history: History | None = None):
    for unit, answers in forms.items():
        make_form(PLAN, unit, JULY, tmp_path / "in" / f"{unit}.xlsx", {"P07/invest": 0.3}, answers)
    read = read_submissions(tmp_path / "in", PLAN, Config(), JULY)
    result = reconcile(PLAN, read.submissions, history or History(), dt.date(2024, 7, 31), JULY, Config())
    result.issues = read.issues + result.issues
    return result


def test_a_unit_whose_only_answer_was_not_taken_is_chased_for_it(tmp_path: Path) -> None:
    # ECON's one node is due 6-30: 已完成 with no date cannot be told on time, and nothing earlier says
    result = _month(tmp_path, {ECON: {"P07-M04": {"status": "已完成", "progress": "已纳入"}},
                               LAND: {"P07-M01": {"status": "已完成", "completed_on": "6月底"},
                                      "P07-M02": {"status": "推进中"}, "P07-M03": {"status": "推进中"},
                                      "T01-M01": {"status": "已完成", "completed_on": dt.date(2024, 6, 28)}}})
    ms = {m.code: m for m in result.milestones}
    assert ms["P07-M04"].status is ms["P07-M01"].status is Status.NOT_REPORTED
    chased = {c["unit"]: c for c in notice_contexts(result, Config())["催报通知"]}
    assert chased.keys() == {ECON, LAND, MED, EQUIP}
    assert chased[ECON]["received"] == (
        f"经开区督查办收到你单位报送的材料，但《{ECON}.xlsx》中海博思创储能项目“2024年6月30日前纳入省能源局入库名录”节点"
        "报“已完成”但未填实际完成日期，未予采用，该节点视为未报送。")
    land = "海博思创储能项目“2024年6月20日前完成用地预审”节点报“已完成”但实际完成日期无法识别"
    assert land in chased[LAND]["received"]
    assert chased[MED]["received"] == "截至目前，经开区督查办尚未收到你单位报送的材料。"
    dates = month_calendar(JULY, dt.date(2024, 7, 31), Config())
    assert units_text(result, dates).startswith("应报送单位4个，已报送2个，未报送2个")
    said = missing_text(result, dates)
    assert said.startswith(f"{MED}、{EQUIP}未按时报送2024年7月份推进情况，已发催报通知") or said.startswith(
        f"{EQUIP}、{MED}未按时报送")
    assert f"另有{LAND}海博思创储能项目“2024年6月20日前完成用地预审”节点报“已完成”但实际完成日期无法识别" in said
    assert f"{ECON}海博思创储能项目“2024年6月30日前纳入省能源局入库名录”节点报“已完成”但未填实际完成日期" in said
    assert said.endswith("，未予采用，视为未报送，同样已发催报通知。")


def test_a_unit_whose_answers_were_all_taken_is_not_chased(tmp_path: Path) -> None:
    result = _month(tmp_path, {ECON: {"P07-M04": {"status": "已完成", "completed_on": dt.date(2024, 6, 28)}}})
    assert ECON not in {c["unit"] for c in notice_contexts(result, Config())["催报通知"]}
    assert f"另有{ECON}" not in missing_text(result, month_calendar(JULY, dt.date(2024, 7, 31), Config()))


def test_a_status_word_not_taken_leaves_the_node_unreported_and_chased(tmp_path: Path) -> None:
    # 基本完成 is not one of the dropdown's words: done or not cannot be told, on a node overdue since
    # June (督办 then) or not yet due — the node stands 未报送 for LAND, never 逾期未完成 (a second 督办)
    june = History(statuses={"2024-06": {"P07-M01": (Status.OVERDUE, None), "T01-M01": (Status.DONE, None)}})
    result = _month(tmp_path, {LAND: {"P07-M01": {"status": "基本完成"}, "P07-M02": {"status": "基本完成"},
                                      "P07-M03": {"status": "推进中"}, "T01-M01": {"status": "基本完成"}}}, june)
    nodes = {m["code"]: m["status"] for m in summary_dict(result)["milestones"]}
    assert (nodes["P07-M01"], nodes["P07-M02"]) == ("not_reported", "not_reported")
    assert (nodes["P07-M03"], nodes["T01-M01"]) == ("in_progress", "done")  # a word read; done in June, kept
    received = {c["unit"]: c["received"] for c in notice_contexts(result, Config())["催报通知"]}[LAND]
    assert received == (
        f"经开区督查办收到你单位报送的材料，但《{LAND}.xlsx》中海博思创储能项目“2024年6月20日前完成用地预审”节点"
        "完成状态填写“基本完成”，无法识别；海博思创储能项目“8月底完成土地报批”节点完成状态填写“基本完成”，无法识别，"
        "均未予采用，这些节点视为未报送。")
    said = missing_text(result, month_calendar(JULY, dt.date(2024, 7, 31), Config()))
    assert f"另有{LAND}2个节点完成状态无法识别，未予采用，视为未报送，同样已发催报通知。" in said
    assert unreported_words(result)["P07-M01", LAND] == "（完成状态填写“基本完成”，无法识别，未予采用）"


def test_a_status_word_not_taken_beside_an_undated_done_is_said_of_both(tmp_path: Path) -> None:
    result = _month(tmp_path, {LAND: {"P07-M01": {"status": "已完成"}, "P07-M02": {"status": "差不多"},
                                      "P07-M03": {"status": "推进中"}, "T01-M01": {"status": "推进中"}}})
    said = missing_text(result, month_calendar(JULY, dt.date(2024, 7, 31), Config()))
    assert f"另有{LAND}2个节点报“已完成”但未填实际完成日期，或完成状态无法识别，未予采用" in said
    overdue = {m.code: m.status for m in result.milestones}
    assert overdue["T01-M01"] is Status.OVERDUE  # 推进中 on a node due 6-30: read, judged as before
