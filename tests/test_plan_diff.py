"""Plan diff: items matched by name (not position), codes kept on re-import."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from reportgen.config import load_config
from reportgen.model import Plan
from reportgen.plan.diff import diff_plans, keep_codes, wording
from reportgen.plan.importer import import_document, import_lines
from tests.ingest_support import ECON, LAND, make_plan

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "reportgen.toml")
SEED = ROOT / "input/plan/source/2024年重点项目推进任务分解.txt"


@pytest.fixture(scope="module")
def seed() -> Plan:
    return import_document(SEED, CONFIG).plan


def test_same_plan_has_no_changes(seed: Plan) -> None:
    diff = diff_plans(seed, copy.deepcopy(seed))
    assert diff.empty
    assert diff.lines() == ["两版任务分解的项目和节点没有变化"]


def test_reordered_renamed_and_changed_items_keep_their_codes(seed: Plan) -> None:
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    p01 = next(i for i, line in enumerate(lines) if line.startswith("（一）双雁"))
    p02 = p01 + 1
    # swap the first two projects, rename P07, raise P14's target and move one of its dates
    lines[p01], lines[p02] = lines[p02], lines[p01]
    revised = "\n".join(lines)
    revised = revised.replace("（七）海博思创储能项目", "（七）海博思创储能电站项目")
    revised = revised.replace("2024年工业投资任务4.5亿元以上", "2024年工业投资任务5亿元以上")
    revised = revised.replace("确保10月底前完成投资3.5亿元", "确保11月底前完成投资3.5亿元")
    new = keep_codes(seed, import_lines(revised.splitlines(), CONFIG, "r.txt").plan)
    assert [it.code for it in new.items[:2]] == ["P02", "P01"]
    assert new.items[0].name == "国药集团威奇达药业新建、续建技改项目"
    assert new.item("P07").name == "海博思创储能电站项目"
    assert [t.code for t in new.item("P07").tasks] == ["P07-0", "P07-1", "P07-2", "P07-3", "P07-4"]
    assert new.item("P14").milestones[0].due == dt.date(2024, 11, 30)

    diff = diff_plans(seed, new)
    assert not diff.items_added and not diff.items_removed
    changed = {c.code: c.details for c in diff.items_changed}
    assert changed == {
        "P07": ["名称：海博思创储能项目 → 海博思创储能电站项目"],
        "P14": ["年度投资任务（亿元）：4.5 → 5"],
    }
    [m] = diff.milestones_changed
    assert m.code == "P14-M01"
    assert "完成时限：2024-10-31 → 2024-11-30" in m.details


def test_new_milestone_gets_next_free_code_and_removed_codes_are_not_reused(seed: Plan) -> None:
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("上半年至少完成投资1亿元，", "")  # P01-M01 dropped
    text = text.replace("前三季度完成投资2亿元，", "前三季度完成投资2亿元，11月底完成设备安装，")
    new = keep_codes(seed, import_lines(text.splitlines(), CONFIG, "r.txt").plan)
    assert [m.code for m in new.item("P01").milestones] == ["P01-M02", "P01-M04", "P01-M03"]
    diff = diff_plans(seed, new)
    assert [c.code for c in diff.milestones_added] == ["P01-M04"]
    assert [c.code for c in diff.milestones_removed] == ["P01-M01"]
    assert any("新增节点（1）" in line for line in diff.lines())


DEADLINE_OLD = "8月底完成土地报批"
DEADLINE_NEW = "2024年9月15日前完成土地报批"
CLAUSE_OLD = "帮助企业于2024年6月30日前纳入省能源局入库名录"
CLAUSE_NEW = "协助企业于2024年7月15日前纳入省能源局储能项目入库名录"


def _revised(text: str) -> str:
    assert DEADLINE_OLD in text and CLAUSE_OLD in text
    return text.replace(DEADLINE_OLD, DEADLINE_NEW).replace(CLAUSE_OLD, CLAUSE_NEW)


@pytest.mark.parametrize(("text", "words"), [
    ("8月底完成土地报批", "完成土地报批"),
    ("2024年9月15日前完成土地报批", "完成土地报批"),
    ("最迟2024年10月上旬开工", "开工"),
    ("督促企业于2024年9月20日前完成设计", "督促企业完成设计"),
    ("全年完成投资6亿元以上", "完成投资6亿元以上"),
    ("6月1日至6月30日开展排查", "开展排查"),
    ("完成土地报批", "完成土地报批"),
])
def test_wording_is_the_clause_without_its_dates(text: str, words: str) -> None:
    assert wording(text, 2024) == words


def test_edited_deadline_and_reworded_clause_are_changes_that_keep_their_codes(seed: Plan) -> None:
    new = keep_codes(seed, import_lines(_revised(SEED.read_text("utf-8")).splitlines(), CONFIG,
                                        "r.txt").plan)
    p07 = {m.code: (m.due, m.text) for m in new.item("P07").milestones}
    assert p07 == {m.code: (m.due, m.text) for m in seed.item("P07").milestones} | {
        "P07-M03": (dt.date(2024, 9, 15), DEADLINE_NEW),
        "P07-M05": (dt.date(2024, 7, 15), CLAUSE_NEW),
    }
    diff = diff_plans(seed, new)
    assert not (diff.milestones_added or diff.milestones_removed or diff.items_changed)
    assert {c.code: c.details for c in diff.milestones_changed} == {
        "P07-M03": ["完成时限：2024-08-31 → 2024-09-15", f"内容：{DEADLINE_OLD} → {DEADLINE_NEW}"],
        "P07-M05": ["完成时限：2024-06-30 → 2024-07-15", f"内容：{CLAUSE_OLD} → {CLAUSE_NEW}"],
    }
    assert diff.lines() == [
        "修改节点（2）：",
        f"  P07-M03 {DEADLINE_NEW}",
        "      完成时限：2024-08-31 → 2024-09-15",
        f"      内容：{DEADLINE_OLD} → {DEADLINE_NEW}",
        f"  P07-M05 {CLAUSE_NEW}",
        "      完成时限：2024-06-30 → 2024-07-15",
        f"      内容：{CLAUSE_OLD} → {CLAUSE_NEW}",
    ]


def test_amount_milestones_differing_only_in_date_keep_their_own_codes(seed: Plan) -> None:
    # P09's three 开票 nodes share their wording but for the amount; one deadline moves
    text = SEED.read_text("utf-8").replace("11月底前累计开具设备发票2亿元", "11月20日前累计开具设备发票2亿元")
    new = keep_codes(seed, import_lines(text.splitlines(), CONFIG, "r.txt").plan)
    diff = diff_plans(seed, new)
    assert [(c.code, c.details[0]) for c in diff.milestones_changed] == [
        ("P09-M07", "完成时限：2024-11-30 → 2024-11-20")]
    assert not diff.milestones_added and not diff.milestones_removed


@pytest.mark.slow
def test_last_months_answer_prefills_the_edited_milestone(tmp_path: Path, workspace: Any) -> None:
    import openpyxl

    from reportgen import formspec as fs
    from reportgen.ledger import Ledger
    from reportgen.model import MilestoneReport, PeriodResult, Reported, Submission
    from reportgen.pipeline import make_forms
    from reportgen.plan.files import import_into

    first = import_into(SEED, workspace.plan_dir, CONFIG).plan
    sent = tmp_path / "规划分局6月.xlsx"
    sent.write_bytes(b"form")
    report = MilestoneReport("P07-M03", Reported.ONGOING, None, "组卷材料已报市局")
    sub = Submission("规划和自然资源分局", "2024-06", str(sent), milestones={"P07-M03": report})
    result = PeriodResult("2024-06", dt.date(2024, 6, 30), 2024, first.title, first.version, 0.5,
                          submissions=[sub])
    with Ledger(workspace.ledger_path) as ledger:
        ledger.record(first, result, [sent], tmp_path / "archive")
    revised = tmp_path / "调整.txt"
    revised.write_text(_revised(SEED.read_text("utf-8")), encoding="utf-8")
    import_into(revised, workspace.plan_dir, CONFIG)

    made = make_forms(workspace, "2024-07")
    assert made.prefilled_from == "2024-06"
    form = next(p for p in made.paths if p.stem == "规划和自然资源分局")
    sheet = openpyxl.load_workbook(form)[fs.SHEET_MILESTONES]
    header = [c.value for c in sheet[fs.HEADER_ROW]]
    rows = {r[header.index("编号")]: r for r in sheet.iter_rows(min_row=fs.FIRST_DATA_ROW, values_only=True)}
    row = rows["P07-M03"]
    assert row[header.index(fs.MILESTONE_HEADERS["text"])].replace("\n", "") == DEADLINE_NEW  # in printed lines
    assert row[header.index(fs.MILESTONE_HEADERS["status"])] == "推进中"
    assert row[header.index(fs.MILESTONE_HEADERS["progress"])] == "组卷材料已报市局"


def test_a_unit_renamed_everywhere_is_pointed_out_with_the_alias_to_write() -> None:
    old = make_plan()
    new = copy.deepcopy(old)
    for item in new.items:
        for task in item.tasks:
            task.units = ["规划和自然资源局" if u == LAND else u for u in task.units]
            task.lead_units = ["规划和自然资源局" if u == LAND else u for u in task.lead_units]
            for m in task.milestones:
                m.units = ["规划和自然资源局" if u == LAND else u for u in m.units]
    diff = diff_plans(old, new)
    assert diff.renamed == [(LAND, "规划和自然资源局")]
    hint = next(line for line in diff.lines() if line.startswith("单位“规划和自然资源局”是新出现的"))
    assert f'原来都由“{LAND}”负责' in hint and f'[units.aliases] 中写 "规划和自然资源局" = ["{LAND}"]' in hint
    # a unit handing over part of its work to one already in the plan is no rename
    moved = copy.deepcopy(old)
    moved.items[2].tasks[0].units = [ECON]
    moved.items[2].tasks[0].milestones[0].units = [ECON]
    assert diff_plans(old, moved).renamed == []


def test_a_new_unit_in_the_places_another_left_is_pointed_out_though_that_one_is_still_named() -> None:
    """The revision writes a new name on LAND's project task only (LAND stays named on T01, as a unit
    a group phrase of reportgen.toml still lists would): pointed out, not assumed."""
    old = make_plan()
    new = copy.deepcopy(old)
    task = next(t for item in new.items for t in item.tasks if LAND in t.units)
    task.units = ["规划和自然资源局" if u == LAND else u for u in task.units]
    task.lead_units = ["规划和自然资源局" if u == LAND else u for u in task.lead_units]
    for m in task.milestones:
        m.units = ["规划和自然资源局" if u == LAND else u for u in m.units]
    assert any(LAND in t.units for item in new.items for t in item.tasks)  # still named on T01
    assert diff_plans(old, new).renamed == [(LAND, "规划和自然资源局")]
    # a new unit joining LAND on its task (LAND stays) is no rename
    joined = copy.deepcopy(old)
    task = next(t for item in joined.items for t in item.tasks if LAND in t.units)
    task.units = [*task.units, "规划和自然资源局"]
    for m in task.milestones:
        m.units = [*m.units, "规划和自然资源局"]
    assert diff_plans(old, joined).renamed == []
