"""Reconcile rules, one at a time, on small plans built by code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.config import Config
from reportgen.ingest import read_submission
from reportgen.issue_order import merge_issues
from reportgen.model import (
    FigureReport,
    History,
    Issue,
    Item,
    Metric,
    Milestone,
    MilestoneKind,
    MilestoneReport,
    Plan,
    Reported,
    Section,
    Severity,
    Status,
    Submission,
    Task,
    Unit,
)
from reportgen.reconcile import answer_issues, reconcile, schedule_rate, vs_schedule
from tests.ingest_support import LAND, make_form
from tests.ingest_support import make_plan as forms_plan

D = dt.date
A, B, C1, C2 = "甲局", "乙部", "一中心", "二中心"


def _ms(code: str, due: D | None, units: list[str], amount: float | None = None,
        kind: MilestoneKind = MilestoneKind.STEP) -> Milestone:
    return Milestone(code=code, due=due, text=f"节点{code}", kind=kind, amount_yi=amount,
                     units=units, due_text="")


def make_plan() -> Plan:
    """P01: A alone with investment steps; P02: A leads, B supports; T01: group of C1, C2."""
    p01 = Item("P01", 1, Section.PROJECT, "甲项目", target_yi=3.0, tasks=[
        Task("P01-0", 0, "", units=[A], lead_units=[A], milestones=[
            _ms("P01-M01", D(2024, 6, 30), [A], 1.0, MilestoneKind.INVESTMENT),
            _ms("P01-M02", D(2024, 6, 20), [A]),
            _ms("P01-M03", D(2024, 12, 31), [A], 3.0, MilestoneKind.INVESTMENT),
            _ms("P01-M04", None, [A]),
        ]),
    ])
    p02 = Item("P02", 2, Section.PROJECT, "乙项目", target_yi=1.0, tasks=[
        Task("P02-1", 1, "", units=[A, B], lead_units=[A], milestones=[
            _ms("P02-M01", D(2024, 7, 10), [A, B]),
        ]),
    ])
    t01 = Item("T01", 1, Section.TASK, "摸底", tasks=[
        Task("T01-0", 0, "", units=[C1, C2], lead_units=[C1, C2], milestones=[
            _ms("T01-M01", D(2024, 6, 30), [C1, C2], kind=MilestoneKind.OTHER),
        ]),
    ])
    return Plan(2024, "2024年重点项目推进任务分解", "v1", [p01, p02, t01],
                [Unit(A), Unit(B), Unit(C1), Unit(C2)])


def sub(unit: str, period: str = "2024-06", figures: dict[str, float] | None = None,
        **reports: tuple[Reported | None, D | None]) -> Submission:
    s = Submission(unit=unit, period=period, file=f"/in/{unit}.xlsx")
    for key, value in (figures or {}).items():
        item, metric = key.split("/")
        s.figures[key] = FigureReport(item, Metric(metric), value, cell="F4")
    for code, (status, done) in reports.items():
        code = code.replace("_", "-")
        s.milestones[code] = MilestoneReport(code, status, done, cell="F5")
    return s


JUNE_END = D(2024, 6, 30)


def run(subs: list[Submission], history: History | None = None, as_of: D = JUNE_END,
        period: str = "2024-06", config: Config | None = None):
    return reconcile(make_plan(), subs, history or History(), as_of, period, config or Config())


def ms(result, code: str):
    return next(m for m in result.milestones if m.code == code)


def unit(result, name: str):
    return next(u for u in result.units if u.name == name)


def codes(result) -> list[str]:
    return [i.code for i in result.issues]


ONGOING = (Reported.ONGOING, None)


def test_open_statuses_follow_the_cut_off_and_the_issue_date() -> None:
    # June 2024: cut-off 6-25 (as-of), reports due 7-5 (Fri), issued 7-8 (Mon), 临期 until 7-23
    subs = [sub(A, P01_M02=ONGOING, P01_M04=ONGOING, P02_M01=ONGOING)]
    r = run(subs, as_of=D(2024, 6, 25))
    assert r.dates is not None and (r.dates.cut_off, r.dates.issue) == (D(2024, 6, 25), D(2024, 7, 8))
    m02 = ms(r, "P01-M02")
    assert (m02.status, m02.days_overdue, m02.days_left) == (Status.OVERDUE, 5, None)
    p02 = ms(r, "P02-M01")  # due 7-10: after the issue date, inside the window
    assert (p02.status, p02.days_left, p02.confirm) == (Status.DUE_SOON, 2, False)
    assert ms(r, "P01-M04").status is Status.IN_PROGRESS  # no due date: never overdue
    # a node due on the cut-off and not done is already late, never "due today"
    m02 = ms(run(subs, as_of=D(2024, 6, 20)), "P01-M02")
    assert (m02.status, m02.days_overdue) == (Status.OVERDUE, 0)
    # due after the cut-off but on or before the issue date: the unit is asked to confirm
    cfg = Config()
    cfg.schedule.issue_day = 12
    p02 = ms(run(subs, as_of=D(2024, 6, 30), config=cfg), "P02-M01")
    assert (p02.status, p02.confirm, p02.days_left) == (Status.IN_PROGRESS, True, -2)
    # the window counts from the issue date: 7-8 + 15 = 7-23 is the last 临期 day
    cfg = Config()
    cfg.schedule.due_soon_days = 1
    assert ms(run(subs, config=cfg), "P02-M01").status is Status.IN_PROGRESS
    cfg.schedule.due_soon_days = 2
    assert ms(run(subs, config=cfg), "P02-M01").status is Status.DUE_SOON
    r = run(subs, as_of=D(2025, 3, 31), period="2025-03")
    assert ms(r, "P01-M04").status is Status.IN_PROGRESS


def test_a_phased_amount_missed_at_the_cut_off_is_overdue_then_done_late() -> None:
    june = run([sub(A, figures={"P01/invest": 0.8})])
    m01 = ms(june, "P01-M01")  # 上半年完成投资1亿元, 0.8 reported at 6-30
    assert (m01.status, m01.days_overdue) == (Status.OVERDUE, 0)
    history = History(figures={"2024-06": {"P01/invest": 0.8}},
                      statuses={"2024-06": {"P01-M01": (Status.OVERDUE, None)}})
    july = run([sub(A, figures={"P01/invest": 1.1}, period="2024-07")], history=history,
               as_of=D(2024, 7, 31), period="2024-07")
    m01 = ms(july, "P01-M01")
    assert (m01.status, m01.completed_on) == (Status.DONE_LATE, D(2024, 7, 31))


def test_done_and_done_late_by_completion_date() -> None:
    r = run([sub(A, P01_M02=(Reported.DONE, D(2024, 6, 20)),
                 P02_M01=(Reported.DONE, D(2024, 6, 1)), P01_M04=(Reported.DONE, D(2024, 6, 3)))])
    assert (ms(r, "P01-M02").status, ms(r, "P01-M02").completed_on) == (Status.DONE, D(2024, 6, 20))
    assert ms(r, "P01-M04").status is Status.DONE
    assert ms(r, "P01-M02").days_left is None
    r = run([sub(A, P01_M02=(Reported.DONE, D(2024, 6, 21)))])
    assert (ms(r, "P01-M02").status, ms(r, "P01-M02").completed_on) == (
        Status.DONE_LATE, D(2024, 6, 21))


def test_done_without_date_is_never_dated_by_a_guess() -> None:
    # due 6-20, before the cut-off, nothing earlier: on time or late cannot be told -> not taken
    r = run([sub(A, P01_M02=(Reported.DONE, None))])
    m = ms(r, "P01-M02")
    assert (m.status, m.completed_on) == (Status.NOT_REPORTED, None)
    issue = next(i for i in r.issues if i.code == "date_missing")
    assert (issue.severity, issue.unit, issue.file) == (Severity.ERROR, A, f"{A}.xlsx")
    assert m.text[:30] in issue.message and "2024-06-20" in issue.message
    assert "视为未报送" in issue.message and "“实际完成日期”栏填写" in issue.message
    # the cut-off, named as such: not 截止日期, which the form and its feedback use for the day to report by
    assert "暂按" not in issue.message and "早于数据截止日 2024-06-30" in issue.message
    # a mid-month cut-off before the due date: done by then is on time, its date stays unknown
    r = run([sub(A, P01_M02=(Reported.DONE, None))], as_of=D(2024, 6, 15))
    assert (ms(r, "P01-M02").status, ms(r, "P01-M02").completed_on) == (Status.DONE, None)
    assert "未填" in next(i for i in r.issues if i.code == "date_missing").message
    assert "不早于数据截止日 2024-06-15" in next(i for i in r.issues if i.code == "date_missing").message
    # no due date: done is done, date unknown
    r = run([sub(A, P01_M04=(Reported.DONE, None))])
    assert (ms(r, "P01-M04").status, ms(r, "P01-M04").completed_on) == (Status.DONE, None)
    # a date already known from an earlier month is kept without a warning
    h = History(statuses={"2024-05": {"P01-M02": (Status.DONE, D(2024, 5, 20))}})
    r = run([sub(A, P01_M02=(Reported.DONE, None))], history=h)
    assert ms(r, "P01-M02").completed_on == D(2024, 5, 20)
    assert "date_missing" not in codes(r)


def test_done_without_date_after_an_overdue_month_is_done_late_undated() -> None:
    july = dict(as_of=D(2024, 7, 31), period="2024-07")
    h = History(statuses={"2024-06": {"P01-M02": (Status.OVERDUE, None)}})
    r = run([sub(A, "2024-07", P01_M02=(Reported.DONE, None))], history=h, **july)
    assert (ms(r, "P01-M02").status, ms(r, "P01-M02").completed_on) == (Status.DONE_LATE, None)
    issue = next(i for i in r.issues if i.code == "date_missing")
    assert issue.severity is Severity.WARNING and "截至上月仍为“逾期未完成”" in issue.message
    assert "按“逾期完成”计" in issue.message and "“实际完成日期”栏补填" in issue.message
    # open in June but due only in July (7-10): done in July, on time or not, cannot be told
    h = History(statuses={"2024-06": {"P02-M01": (Status.OVERDUE, None)}})
    r = run([sub(A, "2024-07", P02_M01=(Reported.DONE, None))], history=h, **july)
    assert (ms(r, "P02-M01").status, ms(r, "P02-M01").completed_on) == (Status.NOT_REPORTED, None)
    # done in an earlier month without a date: stays so, still undated, asked for
    h = History(statuses={"2024-06": {"P01-M02": (Status.DONE_LATE, None)}})
    r = run([sub(A, "2024-07", P01_M02=(Reported.DONE, None))], history=h, **july)
    assert (ms(r, "P01-M02").status, ms(r, "P01-M02").completed_on) == (Status.DONE_LATE, None)
    assert "截至上月已为“逾期完成”" in next(i for i in r.issues if i.code == "date_missing").message
    # a group node: one member's date unknown -> the node's date is unknown, not the other's
    r = run([sub(C1, T01_M01=(Reported.DONE, D(2024, 6, 5))), sub(C2, T01_M01=(Reported.DONE, None))],
            as_of=D(2024, 6, 15))
    assert (ms(r, "T01-M01").status, ms(r, "T01-M01").completed_on) == (Status.DONE, None)


def test_an_undated_done_names_the_empty_date_cell_of_the_form(tmp_path: Path) -> None:
    """The clerk is sent to the cell to fill: the 实际完成日期 left empty, not the 已完成 beside it."""
    plan = forms_plan()
    path = make_form(plan, LAND, "2024-06", tmp_path / "规划分局.xlsx",
                     milestones={"P07-M01": {"status": "已完成"}})  # due 6-20: on time or late cannot be told
    read = read_submission(path, plan, Config(), "2024-06", {})
    assert read.submission is not None
    issue = next(i for i in answer_issues(plan, [read.submission], History(), "2024-06", Config()))
    assert (issue.code, issue.severity, issue.sheet) == ("date_missing", Severity.ERROR, fs.SHEET_MILESTONES)
    sheet = load_workbook(path)[issue.sheet]
    column = sheet[issue.cell].column
    assert sheet.cell(fs.HEADER_ROW, column).value == "实际完成日期" and sheet[issue.cell].value is None
    assert sheet[issue.cell].row == next(c.row for c in sheet["A"] if c.value == "P07-M01")


def test_check_says_of_the_answers_what_run_does() -> None:
    """What reconciling says beyond each form's reading — 已完成 without a date, units that disagree
    on a figure or a shared node, a supporter answering for the lead, a node done before now open, a
    blank status — `check` says in the same words (answer_issues judges only the contested answers)."""
    july = dict(as_of=D(2024, 7, 31), period="2024-07")
    h = History(statuses={"2024-06": {"P01-M02": (Status.OVERDUE, None), "P01-M04": (Status.DONE, D(2024, 6, 3))}})
    cases = [
        [sub(A, "2024-07", P01_M02=(Reported.DONE, None), P02_M01=(Reported.DONE, None)),
         sub(B, "2024-07", P02_M01=(Reported.DONE, None))],  # B supports P02-M01: A's answer decides
        [sub(A, "2024-07", {"P02/invest": 0.4}, P02_M01=ONGOING, P01_M04=ONGOING),
         sub(B, "2024-07", {"P02/invest": 0.5}, P02_M01=(Reported.DONE, D(2024, 7, 9)))],
        [sub(B, "2024-07", P02_M01=(Reported.DONE, D(2024, 7, 9))), sub(C1, "2024-07", T01_M01=(None, None))],
        [sub(u, "2024-07", P02_M01=(Reported.DONE, D(2024, 7, 9))) for u in (A, B)],  # agreeing: nothing to say
    ]
    said_codes: set[str] = set()
    for subs in cases:
        said = merge_issues(answer_issues(make_plan(), subs, h, "2024-07", Config()))  # in report order
        assert said == run(subs, history=h, **july).issues
        said_codes |= {i.code for i in said}
    assert said_codes == {"date_missing", "figure_disagree", "shared_disagree", "lead_missing", "status_reverted",
                          "status_missing"}
    first = answer_issues(make_plan(), cases[0], h, "2024-07", Config())
    assert sorted((i.unit, i.severity.value) for i in first if i.code == "date_missing") == [
        (A, "error"), (A, "warning")]  # B's undated 已完成 on the node A decides is not judged as deciding
    assert answer_issues(make_plan(), cases[3], h, "2024-07", Config()) == []


def test_future_completion_date_and_reverted_status_are_flagged() -> None:
    # 已完成 on a day after the cut-off: by the unit's own date not done by then, and not taken
    r = run([sub(A, P01_M04=(Reported.DONE, D(2024, 7, 3)))])
    assert (ms(r, "P01-M04").status, ms(r, "P01-M04").completed_on) == (Status.NOT_REPORTED, None)
    late = next(i for i in r.issues if i.code == "date_after_period")
    assert late.severity is Severity.ERROR and "2024-07-03" in late.message and "本月未采用" in late.message
    h = History(statuses={"2024-05": {"P01-M02": (Status.DONE, D(2024, 5, 20))}})
    r = run([sub(A, P01_M02=ONGOING)], history=h)
    assert ms(r, "P01-M02").status is Status.OVERDUE  # the unit's newer word counts ...
    reverted = next(i for i in r.issues if i.code == "status_reverted")  # ... and the office is told
    assert "截至上月已为“已完成”，本月报为“推进中”" in reverted.message
    # June never run: July's answer is set against May's standing, and says so
    r = run([sub(A, "2024-07", P01_M02=ONGOING)], history=h, as_of=D(2024, 7, 31), period="2024-07")
    reverted = next(i for i in r.issues if i.code == "status_reverted")
    assert "截至5月已为“已完成”" in reverted.message and "上月" not in reverted.message


def test_blank_status_is_judged_by_date_and_a_missing_row_is_not_reported() -> None:
    blank = (None, None)
    r = run([sub(A, figures={"P01/invest": 0.5}, P01_M02=blank, P01_M04=blank)])
    assert ms(r, "P01-M02").status is Status.OVERDUE
    assert ms(r, "P01-M04").status is Status.IN_PROGRESS
    warned = [i for i in r.issues if i.code == "status_missing"]
    named = [c for i in warned for c in ("P01-M02", "P01-M04") if ms(r, c).text[:30] in i.message]
    assert sorted(named) == ["P01-M02", "P01-M04"]
    # P02-M01's row is missing from A's form (ingest reports row_missing): not reported
    assert ms(r, "P02-M01").status is Status.NOT_REPORTED
    # what ingest already reported at the same cell is not repeated
    s = sub(A, P01_M02=blank)
    s.issues.append(Issue(Severity.WARNING, "完成状态未填写", "status_missing", cell="F5"))
    assert codes(run([s])).count("status_missing") == 1


def test_a_status_word_the_reader_did_not_take_leaves_the_node_unreported() -> None:
    # 基本完成 on a node overdue (P01-M02) or done in May (P02-M01): done or not cannot be told —
    # 未报送 for the unit, not 逾期未完成; a standing done before is kept
    h = History(statuses={"2024-05": {"P02-M01": (Status.DONE, D(2024, 5, 20))}})
    s = sub(A, P01_M02=(None, None), P02_M01=(None, None))
    s.issues.append(Issue(Severity.ERROR, "填写的“基本完成”不是有效的完成状态", "bad_status", cell="F5"))
    r = run([s], history=h)
    assert (ms(r, "P01-M02").status, ms(r, "P02-M01").status) == (Status.NOT_REPORTED, Status.DONE)
    assert "status_missing" not in codes(r)


def test_amount_milestone_completed_when_figure_first_reached() -> None:
    # 1亿 due 6-30: 0.6 in June, 1.1 in August -> done late on 08-31, and so in every later month
    h = History(figures={"2024-06": {"P01/invest": 0.6}, "2024-07": {"P01/invest": 0.9}})
    r = run([sub(A, "2024-08", {"P01/invest": 1.1})], h, D(2024, 8, 31), "2024-08")
    m = ms(r, "P01-M01")
    assert (m.status, m.completed_on, m.report) == (Status.DONE_LATE, D(2024, 8, 31), None)
    h.figures["2024-08"] = {"P01/invest": 1.1}
    r = run([sub(A, "2024-09", {"P01/invest": 1.5})], h, D(2024, 9, 30), "2024-09")
    assert (ms(r, "P01-M01").status, ms(r, "P01-M01").completed_on) == (
        Status.DONE_LATE, D(2024, 8, 31))
    # unit silent in October: the figure stands and so does the completion
    h.figures["2024-09"] = {"P01/invest": 1.5}
    r = run([], h, D(2024, 10, 31), "2024-10")
    assert (ms(r, "P01-M01").status, ms(r, "P01-M01").completed_on) == (
        Status.DONE_LATE, D(2024, 8, 31))
    assert ms(r, "P01-M03").status is Status.NOT_REPORTED


def test_amount_milestone_open_and_on_time() -> None:
    r = run([sub(A, "2024-05", {"P01/invest": 0.4})], as_of=D(2024, 5, 31), period="2024-05")
    assert ms(r, "P01-M01").status is Status.IN_PROGRESS
    r = run([sub(A, figures={"P01/invest": 0.99})])
    assert ms(r, "P01-M01").status is Status.OVERDUE  # 1亿 due 6-30, 0.99 at the cut-off
    r = run([sub(A, figures={"P01/invest": 0.7 + 0.3})])  # float noise still reaches 1.0
    assert (ms(r, "P01-M01").status, ms(r, "P01-M01").completed_on) == (
        Status.DONE, D(2024, 6, 30))
    r = run([sub(A, "2024-07", {"P01/invest": 0.8})], History(figures={"2024-06": {}}),
            D(2024, 7, 31), "2024-07")
    assert (ms(r, "P01-M01").status, ms(r, "P01-M01").days_overdue) == (Status.OVERDUE, 31)


def test_amount_completion_restarts_after_a_correction_below_the_amount() -> None:
    h = History(figures={"2024-05": {"P01/invest": 1.2}, "2024-06": {"P01/invest": 0.9},
                         "2024-07": {"P01/invest": 1.0}})
    r = run([sub(A, "2024-08", {"P01/invest": 1.3})], h, D(2024, 8, 31), "2024-08")
    assert (ms(r, "P01-M01").status, ms(r, "P01-M01").completed_on) == (
        Status.DONE_LATE, D(2024, 7, 31))


def test_done_milestone_stays_done_when_unit_misses_a_month() -> None:
    h = History(statuses={"2024-05": {"P01-M02": (Status.DONE, D(2024, 5, 18))}})
    r = run([], h)
    assert (ms(r, "P01-M02").status, ms(r, "P01-M02").completed_on) == (
        Status.DONE, D(2024, 5, 18))
    # open milestones of a silent unit are not reported, even when far from due
    assert ms(r, "P01-M03").status is Status.NOT_REPORTED
    assert ms(r, "P01-M04").status is Status.NOT_REPORTED
    assert ms(r, "P01-M03").days_left == 176  # from the issue date, 2024-07-08
    a = unit(r, A)
    assert (a.submitted, a.files) == (False, [])
    assert a.counts[Status.DONE.value] == 1 and a.counts[Status.NOT_REPORTED.value] == 4


def test_shared_milestone_lead_decides_and_disagreement_is_warned() -> None:
    r = run([sub(A, P02_M01=(Reported.DONE, D(2024, 6, 5))), sub(B, P02_M01=ONGOING)])
    m = ms(r, "P02-M01")
    assert (m.status, m.lead, m.report and m.report.status) == (
        Status.DONE, A, Reported.DONE)
    assert m.by_unit == {A: (Status.DONE, D(2024, 6, 5)), B: (Status.DONE, D(2024, 6, 5))}
    warn = next(i for i in r.issues if i.code == "shared_disagree")
    assert (warn.unit, warn.severity) == (B, Severity.WARNING)
    assert "推进中" in warn.message and A in warn.message
    # agreement: no warning; a different date is a disagreement
    r = run([sub(A, P02_M01=(Reported.DONE, D(2024, 6, 5))),
             sub(B, P02_M01=(Reported.DONE, D(2024, 6, 5)))])
    assert "shared_disagree" not in codes(r)
    r = run([sub(A, P02_M01=(Reported.DONE, D(2024, 6, 5))),
             sub(B, P02_M01=(Reported.DONE, D(2024, 6, 9)))])
    assert "shared_disagree" in codes(r)


def test_shared_milestone_without_lead_report_uses_supporting_unit() -> None:
    r = run([sub(B, P02_M01=(Reported.DONE, D(2024, 6, 8)))])
    assert (ms(r, "P02-M01").status, ms(r, "P02-M01").completed_on) == (
        Status.DONE, D(2024, 6, 8))
    info = next(i for i in r.issues if i.code == "lead_missing")
    assert info.severity is Severity.INFO and info.unit == B
    # supporting unit sent a form but left the row blank: still not reported
    r = run([sub(B)])
    assert ms(r, "P02-M01").status is Status.NOT_REPORTED


def test_group_milestone_counts_per_member() -> None:
    r = run([sub(C1, T01_M01=(Reported.DONE, D(2024, 6, 20))), sub(C2, T01_M01=ONGOING)])
    m = ms(r, "T01-M01")
    assert m.by_unit[C1] == (Status.DONE, D(2024, 6, 20))
    assert m.by_unit[C2] == (Status.OVERDUE, None)  # due on the cut-off, not done
    assert m.status is Status.OVERDUE  # done only when every member is
    assert unit(r, C1).counts[Status.DONE.value] == 1
    assert unit(r, C2).counts[Status.OVERDUE.value] == 1
    assert (unit(r, C1).rate, unit(r, C2).rate) == (1.0, 0.0)
    assert "shared_disagree" not in codes(r)  # members answer for themselves
    # July: C2 done late, C1 silent but done before
    h = History(statuses={"2024-06": {"T01-M01": (Status.OVERDUE, None)}},
                by_unit={"2024-06": {"T01-M01": {C1: m.by_unit[C1], C2: m.by_unit[C2]}}})
    r = run([sub(C2, "2024-07", T01_M01=(Reported.DONE, D(2024, 7, 8)))], h,
            D(2024, 7, 31), "2024-07")
    m = ms(r, "T01-M01")
    assert m.by_unit[C1] == (Status.DONE, D(2024, 6, 20))
    assert (m.status, m.completed_on) == (Status.DONE_LATE, D(2024, 7, 8))
    # one member open and overdue: the milestone is overdue; both silent: not reported
    r = run([sub(C1, "2024-07", T01_M01=ONGOING)], as_of=D(2024, 7, 31), period="2024-07")
    assert ms(r, "T01-M01").status is Status.OVERDUE
    assert ms(r, "T01-M01").by_unit[C2] == (Status.NOT_REPORTED, None)
    assert ms(r, "T01-M01").status is not Status.NOT_REPORTED
    assert ms(run([]), "T01-M01").status is Status.NOT_REPORTED


def test_group_detected_from_configured_group_when_plan_names_one_lead() -> None:
    plan = make_plan()
    plan.items[2].tasks[0].lead_units = [C1]
    cfg = Config()
    cfg.units.groups = {"各中心": [C1, C2]}
    subs = [sub(C1, T01_M01=(Reported.DONE, D(2024, 6, 20))), sub(C2, T01_M01=ONGOING)]
    r = reconcile(plan, subs, History(), D(2024, 6, 30), "2024-06", cfg)
    assert ms(r, "T01-M01").by_unit[C2] == (Status.OVERDUE, None)
    cfg.units.groups = {}
    r = reconcile(plan, subs, History(), D(2024, 6, 30), "2024-06", cfg)
    assert ms(r, "T01-M01").by_unit[C2] == (Status.DONE, D(2024, 6, 20))  # shared: C1 decides


def test_item_figures_month_added_rate_and_schedule() -> None:
    h = History(figures={"2024-05": {"P01/invest": 1.0, "P02/invest": 0.2}})
    r = run([sub(A, figures={"P01/invest": 1.8, "P02/invest": 0.5})], h)
    p01 = next(i for i in r.items if i.code == "P01")
    assert p01.cumulative_yi == 1.8 and p01.previous_yi == 1.0 and p01.reported_by == A
    assert p01.month_added_yi == 0.8  # exactly what the paper prints, no float noise
    assert p01.rate == pytest.approx(0.6) and p01.schedule_rate == 0.5
    assert p01.vs_schedule == "ahead"
    assert p01.phased_target_yi == 1.0
    p02 = next(i for i in r.items if i.code == "P02")
    assert (p02.rate, p02.vs_schedule) == (0.5, "on")
    assert p02.phased_target_yi is None
    t01 = next(i for i in r.items if i.code == "T01")
    assert (t01.cumulative_yi, t01.rate, t01.vs_schedule) == (None, None, "")
    assert r.schedule_rate == 0.5


def test_derived_amounts_carry_no_float_noise() -> None:
    # 1.5 − 1.2 is 0.30000000000000004 in floats; the 汇总表 cell and summary.json must hold 0.3
    h = History(figures={"2024-05": {"P01/invest": 1.2, "P02/invest": 0.1}})
    r = run([sub(A, figures={"P01/invest": 1.5, "P02/invest": 0.3})], h)
    added = {i.code: i.month_added_yi for i in r.items if i.month_added_yi is not None}
    assert added == {"P01": 0.3, "P02": 0.2}
    assert r.totals.month_added_yi == 0.5


def test_silent_owner_carries_the_figure_without_month_added() -> None:
    h = History(figures={"2024-05": {"P01/invest": 1.0}})
    r = run([sub(B)], h)
    p01 = next(i for i in r.items if i.code == "P01")
    assert (p01.cumulative_yi, p01.previous_yi, p01.month_added_yi) == (1.0, 1.0, None)
    assert (p01.reported_by, p01.carried_from) == ("", "")  # last month's: 沿用上月数据
    # May never run: the figure carried into June is April's
    r = run([sub(B)], History(figures={"2024-04": {"P01/invest": 1.0}}))
    assert next(i for i in r.items if i.code == "P01").carried_from == "2024-04"
    assert r.since == "2024-04"  # 本月新增 against April's record holds May and June
    assert run([sub(B)], h).since == ""
    # the first month of the ledger has no 本月新增 (unknown), January starts from zero
    r = run([sub(A, figures={"P01/invest": 0.3})])
    assert next(i for i in r.items if i.code == "P01").month_added_yi is None
    r = run([sub(A, "2024-01", {"P01/invest": 0.3})], as_of=D(2024, 1, 31), period="2024-01")
    assert next(i for i in r.items if i.code == "P01").month_added_yi == 0.3


def test_other_years_and_later_periods_in_history_are_ignored() -> None:
    h = History(figures={"2023-12": {"P01/invest": 5.0}, "2024-07": {"P01/invest": 9.0}})
    r = run([sub(A, figures={"P01/invest": 0.3})], h)
    p01 = next(i for i in r.items if i.code == "P01")
    assert p01.previous_yi is None
    assert "cumulative_decreased" not in codes(r)


def test_cumulative_decreased_jump_and_disagreement_are_issues() -> None:
    h = History(figures={"2024-05": {"P01/invest": 1.0, "P02/invest": 0.1}})
    r = run([sub(A, figures={"P01/invest": 0.8, "P02/invest": 30.0}),
             sub(B, figures={"P02/invest": 0.3})], h)
    down = next(i for i in r.issues if i.code == "cumulative_decreased")
    assert (down.unit, down.cell, down.severity) == (A, "F4", Severity.WARNING)
    assert "0.8" in down.message and "低于上月累计 1" in down.message
    # May never run: the earlier figure is April's, and the 校验报告 names April
    h = History(figures={"2024-04": {"P01/invest": 1.0}})
    down = next(i for i in run([sub(A, figures={"P01/invest": 0.8})], h).issues
                if i.code == "cumulative_decreased")
    assert "低于4月累计 1" in down.message and "上月" not in down.message
    jump = next(i for i in r.issues if i.code == "implausible_jump")
    assert "万元" in jump.message and jump.unit == A and "本月新增 29.9 亿元" in jump.message
    # ... and a jump against April's figure holds May and June
    h = History(figures={"2024-04": {"P02/invest": 0.1}})
    jump = next(i for i in run([sub(A, figures={"P02/invest": 30.0})], h).issues if i.code == "implausible_jump")
    assert "5—6月新增 29.9 亿元" in jump.message and "本月新增" not in jump.message
    dis = next(i for i in r.issues if i.code == "figure_disagree")
    assert dis.unit == B and "30" in dis.message
    assert next(i for i in r.items if i.code == "P02").cumulative_yi == 30.0  # A's figure wins


def test_mid_month_schedule_rate_and_tolerance() -> None:
    assert schedule_rate(D(2024, 6, 30)) == 0.5
    assert schedule_rate(D(2024, 12, 31)) == 1.0
    assert schedule_rate(D(2024, 6, 15)) == pytest.approx(167 / 366)
    assert schedule_rate(D(2023, 2, 10)) == pytest.approx(41 / 365)
    assert vs_schedule(0.45, 0.5, 0.0) == "behind"
    assert vs_schedule(0.45, 0.5, 0.05) == "on"
    assert vs_schedule(0.56, 0.5, 0.05) == "ahead"
    assert vs_schedule(None, 0.5, 0.0) == ""
    cfg = Config()
    cfg.check.schedule_tolerance = 0.1
    r = run([sub(A, figures={"P01/invest": 1.3})], config=cfg, as_of=D(2024, 6, 15))
    p01 = next(i for i in r.items if i.code == "P01")
    assert p01.schedule_rate == pytest.approx(167 / 366)
    assert p01.vs_schedule == "on"  # 0.433 vs 0.456, within 0.1
    assert p01.phased_target_yi is None  # 1亿 is due 6-30, not yet


def test_unit_rate_rank_and_unranked() -> None:
    r = run([
        sub(A, P01_M02=(Reported.DONE, D(2024, 6, 1)), figures={"P01/invest": 1.0}),
        sub(C1, T01_M01=(Reported.DONE, D(2024, 6, 20))),
        sub(C2, T01_M01=(Reported.DONE, D(2024, 7, 2))),
    ], as_of=D(2024, 7, 5), period="2024-07")
    a, b, c1, c2 = (unit(r, n) for n in (A, B, C1, C2))
    # A: P01-M01 (1亿 by 6-30, reached in July -> late), P01-M02 done on time: 1 of 2
    assert (a.due, a.rate) == (2, 0.5)
    assert (c1.due, c1.rate, c1.rank) == (1, 1.0, 1)
    assert (c2.due, c2.rate, c2.counts["done_late"]) == (1, 0.0, 1)
    assert a.rank == 2 and c2.rank == 3
    assert (b.due, b.rate, b.rank, b.submitted) == (0, None, None, False)
    assert sum(a.counts.values()) == 5 and set(a.counts) == {s.value for s in Status}
    r = run([sub(C1, T01_M01=(Reported.DONE, D(2024, 6, 20))),
             sub(C2, T01_M01=(Reported.DONE, D(2024, 6, 21)))])
    assert (unit(r, C1).rank, unit(r, C2).rank) == (1, 1)  # ties share a rank
    assert unit(r, A).rank == 3


def test_issues_merged_and_sorted() -> None:
    s = sub(A, P01_M04=(Reported.DONE, None))  # a warning: no due date, done with its date unknown
    s.issues.append(Issue(Severity.ERROR, "公式无缓存值", "formula_no_cache", f"{A}.xlsx", "表", "B9",
                          A))
    r = run([s])
    assert [i.severity for i in r.issues] == sorted(
        (i.severity for i in r.issues), key=[Severity.ERROR, Severity.WARNING].index)
    assert r.issues[0].code == "formula_no_cache" and "date_missing" in codes(r)
    dup = Issue(Severity.ERROR, "公式无缓存值", "formula_no_cache", f"{A}.xlsx", "表", "B9", A)
    later = Issue(Severity.ERROR, "x", "x", f"{A}.xlsx", "表", "B10", A)
    merged = merge_issues([later, dup], r.issues)
    assert [i.cell for i in merged[:2]] == ["B9", "B10"]
    assert len(merged) == len(r.issues) + 1


def test_newer_of_two_submissions_from_one_unit_wins() -> None:
    old = sub(A, figures={"P01/invest": 0.2})
    old.received = dt.datetime(2024, 7, 1, 9)
    new = sub(A, figures={"P01/invest": 0.4})
    new.received = dt.datetime(2024, 7, 2, 9)
    r = run([new, old])
    assert next(i for i in r.items if i.code == "P01").cumulative_yi == 0.4
    assert r.submissions == [new]


def test_figure_owner_first_then_any_unit_of_the_item() -> None:
    r = run([sub(B, figures={"P02/invest": 0.4})])
    p02 = next(i for i in r.items if i.code == "P02")
    assert (p02.cumulative_yi, p02.reported_by) == (0.4, B)  # A silent: B's figure stands
    r = run([sub(A, figures={"P02/invest": 0.5}), sub(B, figures={"P02/invest": 0.4})])
    p02 = next(i for i in r.items if i.code == "P02")
    assert (p02.cumulative_yi, p02.reported_by) == (0.5, A)  # P02-1's lead owns it
