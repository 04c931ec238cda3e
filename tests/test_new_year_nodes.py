"""A new year's plan that keeps a node with last year's deadline (继续推进的节点, README "督办的闭环"):
the unit's form may say it was done last year, and that date is the truth, not a typo."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from reportgen.config import Config
from reportgen.ingest import read_submissions
from reportgen.model import History, MilestoneReport, Plan, Reported, Status, Submission
from reportgen.reconcile import reconcile
from tests.ingest_support import LAND, make_form, make_plan

D = dt.date


def plan_2025() -> Plan:
    """The 2024 plan imported again as 2025's: 用地预审 and the 结论方案 keep their 2024 dates (their
    text names the year), 土地报批 (8月底) and the rest move to 2025."""
    plan = make_plan()
    for item in plan.items:
        for task in item.tasks:
            task.milestones = [
                m if m.code in ("P07-M01", "T01-M01") else dataclasses.replace(m, due=m.due.replace(year=2025))
                for m in task.milestones
            ]
    return dataclasses.replace(plan, year=2025, title="2025年重点项目推进任务分解")


@pytest.mark.slow  # writes a form (about 1 s)
def test_last_years_completion_of_a_node_due_last_year_is_taken(tmp_path: Path) -> None:
    plan = plan_2025()
    make_form(plan, LAND, "2025-01", tmp_path / "in" / "land.xlsx", milestones={
        "P07-M01": {"status": "已完成", "completed_on": D(2024, 7, 12)},  # due 2024-06-20: done late last year
        "P07-M02": {"status": "已完成", "completed_on": D(2024, 9, 15)},  # due 2025-08-31: a 2024 date is a slip
    })
    result = read_submissions(tmp_path / "in", plan, Config(), "2025-01")
    reports = result.submissions[0].milestones
    assert (reports["P07-M01"].status, reports["P07-M01"].completed_on) == (Reported.DONE, D(2024, 7, 12))
    assert reports["P07-M02"].completed_on is None
    assert [(i.code, i.cell) for i in result.issues if i.code == "date_out_of_year"] == [
        ("date_out_of_year", "G5")]
    assert "不在任务年度 2025 年内" in next(i.message for i in result.issues if i.code == "date_out_of_year")


def test_a_node_done_last_year_stays_done_when_januarys_row_is_left_blank() -> None:
    """January's form has nothing pre-filled: a unit leaving the row of a node it finished last
    year blank (or 已完成 without a date) is not chased for it; last year's date stands."""
    plan = plan_2025()
    history = History(statuses={"2024-12": {"P07-M01": (Status.DONE_LATE, D(2024, 7, 12)),
                                            "T01-M01": (Status.OVERDUE, None)}})
    history.by_unit = {"2024-12": {code: {LAND: standing} for code, standing in history.statuses["2024-12"].items()}}
    sub = Submission(LAND, "2025-01", "land.xlsx", milestones={
        "P07-M01": MilestoneReport("P07-M01", None, cell="F4"),
        "P07-M02": MilestoneReport("P07-M02", Reported.ONGOING, cell="F5"),
        "P07-M03": MilestoneReport("P07-M03", Reported.ONGOING, cell="F6"),
        "T01-M01": MilestoneReport("T01-M01", Reported.DONE, cell="F7"),  # finished, date left out
    })
    result = reconcile(plan, [sub], history, D(2025, 1, 31), "2025-01", Config())
    ms = {m.code: m for m in result.milestones}
    assert (ms["P07-M01"].status, ms["P07-M01"].completed_on) == (Status.DONE_LATE, D(2024, 7, 12))
    # overdue at December's cut-off: late for certain; its date is asked for, no day is made up
    assert (ms["T01-M01"].status, ms["T01-M01"].completed_on) == (Status.DONE_LATE, None)
    asked = next(i for i in result.issues if i.cell == "F7")
    assert asked.code == "date_missing" and "截至上月仍为“逾期未完成”" in asked.message
    assert [i.code for i in result.issues if i.cell == "F4"] == []
    # a node of this year's deadline does not inherit last year's standing of its code
    history.statuses["2024-12"]["P07-M02"] = (Status.DONE, D(2024, 8, 30))
    sub.milestones["P07-M02"] = MilestoneReport("P07-M02", None, cell="F5")
    again = {m.code: m for m in reconcile(plan, [sub], history, D(2025, 1, 31), "2025-01", Config()).milestones}
    assert again["P07-M02"].status is Status.IN_PROGRESS
