"""A scripted year on the seed plan: May to December through reconcile, the ledger and summary.json.

Every unit's form is simulated as the office's forms are filled: last month's answers carried
over, this month's changes applied. Expectations are written by hand from the script below.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from reportgen.config import Config
from reportgen.ledger import PERIOD_TABLES, Ledger
from reportgen.model import (
    FigureReport,
    Metric,
    MilestoneReport,
    PeriodResult,
    Plan,
    Reported,
    Status,
    Submission,
    period_end,
)
from reportgen.reconcile import reconcile
from reportgen.summary import write_summary

SEED_TXT = Path(__file__).resolve().parent.parent / "input/plan/source/2024年重点项目推进任务分解.txt"
D = dt.date
YY = "现代医药产业招商服务中心"
CX = "创新发展部"
HRCT = "华睿产投公司"
ZB = "装备制造及大数据产业招商服务中心"
GH = "规划和自然资源分局"
JY = "经济运行与安全监管部"
CZ = "财政运营部"
JFT = "经发投"
XCL = "新材料新能源产业招商服务中心"
FW = "现代服务业招商服务中心"
JS = "建设管理部"
TH = "通航及纺织产业招商服务中心"
YD = "大同市御东污水处理有限责任公司"
HRJT = "华睿集团"
PERIODS = [f"2024-{m:02d}" for m in range(5, 13)]

# Who stays silent in which month (御东污水 and 华睿产投 never report).
SILENT = {"2024-06": {TH}, "2024-07": {YY}, "2024-08": {JS}}
NEVER = {YD, HRCT}

# Cumulative figures the owners type, by month: key -> {period: 亿元}.
FIGURES: dict[str, dict[str, float]] = {
    "P01/invest": dict(zip(PERIODS, [0.5, 0.8, 0.9, 1.3, 2.1, 2.4, 2.8, 3.2], strict=True)),
    "P14/invest": dict(zip(PERIODS, [1.0, 2.4, 2.8, 3.0, 3.3, 3.6, 4.0, 4.4], strict=True)),
    "P07/invest": dict(zip(PERIODS, [0, 0, 0, 0, 0.2, 1.0, 3.5, 6.2], strict=True)),
    "P09/invoice": dict(zip(PERIODS, [0, 0, 0, 0, 0, 0.8, 2.1, 2.9], strict=True)),
    "P12/invest": dict(zip(PERIODS, [0.3, 0.4, 0.6, 0.9, 1.1, 1.3, 1.6, 1.9], strict=True)),
}
OWNER = {"P01": YY, "P14": JS, "P07": ZB, "P09": XCL, "P12": TH}

# Status answers that change, by month: (unit, milestone) -> completed on (None = 推进中).
DONE: dict[str, dict[tuple[str, str], D | None]] = {
    "2024-05": {(TH, "P12-M01"): D(2024, 5, 28)},
    "2024-06": {
        (YY, "P02-M02"): D(2024, 6, 25), (YY, "P03-M01"): D(2024, 6, 25),
        (YY, "P05-M01"): D(2024, 6, 25), (YY, "T04-M01"): D(2024, 6, 20),
        (ZB, "T04-M01"): D(2024, 6, 28), (FW, "T04-M01"): D(2024, 6, 30),
        (GH, "P11-M04"): D(2024, 6, 25), (GH, "T01-M01"): D(2024, 6, 30),
        (JY, "P07-M05"): D(2024, 6, 28), (CZ, "P09-M01"): D(2024, 6, 30),
        (CZ, "P11-M02"): D(2024, 6, 12), (JS, "P11-M03"): D(2024, 6, 29),
        (HRJT, "T02-M01"): D(2024, 6, 15), (FW, "P10-M01"): D(2024, 6, 30),
    },
    "2024-07": {
        (GH, "P07-M02"): D(2024, 7, 15), (TH, "P12-M02"): D(2024, 7, 5),
        (TH, "T04-M01"): D(2024, 7, 3), (XCL, "T04-M01"): D(2024, 7, 10),
        (CX, "P06-M01"): D(2024, 7, 30), (FW, "T03-M01"): D(2024, 7, 20),
        (FW, "P10-M02"): D(2024, 7, 18),
    },
    "2024-08": {(GH, "P07-M03"): D(2024, 8, 20), (JY, "P07-M06"): D(2024, 8, 25)},
    "2024-09": {
        (GH, "P07-M04"): D(2024, 9, 12), (ZB, "P07-M06"): D(2024, 8, 25),
        (YY, "P06-M02"): D(2024, 9, 28),
    },
}
STATUS_UNITS = [YY, CX, HRCT, ZB, GH, JY, CZ, JFT, XCL, FW, JS, TH, YD, HRJT]


@pytest.fixture(scope="module")
def seed_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The seed plan the way the office gets it: imported, written to the master workbook, loaded."""
    from reportgen.plan.importer import import_document
    from reportgen.plan.master_writer import write_plan_workbook
    from reportgen.plan.workbook import load_plan

    config = Config()
    book = tmp_path_factory.mktemp("plan") / "任务分解.xlsx"
    write_plan_workbook(import_document(SEED_TXT, config).plan, book)
    return load_plan(book, config)


class Office:
    """Runs the months in order against one ledger, as `reportgen run` does."""

    def __init__(self, plan: Plan, root: Path) -> None:
        self.plan = plan
        self.root = root
        self.config = Config()
        self.ledger = Ledger(root / "history" / "ledger.sqlite")
        self.answers: dict[str, dict[str, MilestoneReport]] = {}  # unit -> code -> last answer
        self.inbox = root / "input"
        self.results: dict[str, PeriodResult] = {}

    def rows(self, unit: str) -> list[str]:
        """Return the status milestones on `unit`'s form."""
        return [m.code for m in self.plan.milestones if m.metric is None and unit in m.units]

    def submissions(self, period: str, figures: dict[str, dict[str, float]]) -> list[Submission]:
        out = []
        for unit in STATUS_UNITS:
            if unit in NEVER or unit in SILENT.get(period, set()):
                continue
            answers = self.answers.setdefault(unit, {})
            for code in self.rows(unit):
                answers.setdefault(code, MilestoneReport(code, Reported.ONGOING, cell="F4"))
            for (who, code), done in DONE.get(period, {}).items():
                if who == unit:
                    answers[code] = MilestoneReport(code, Reported.DONE, done, cell="F4")
            path = self.inbox / period / f"{unit}.xlsx"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"{unit} {period}".encode())
            sub = Submission(unit, period, str(path), received=dt.datetime(2024, 1, 1))
            sub.milestones = {c: MilestoneReport(**vars(r)) for c, r in answers.items()}
            for key, by_period in figures.items():
                if OWNER[key.split("/")[0]] == unit:
                    item, metric = key.split("/")
                    sub.figures[key] = FigureReport(item, Metric(metric), by_period[period],
                                                    cell="G5")
            out.append(sub)
        return out

    def run(self, period: str, figures: dict[str, dict[str, float]] = FIGURES) -> PeriodResult:
        subs = self.submissions(period, figures)
        result = reconcile(self.plan, subs, self.ledger.history(period), period_end(period),
                           period, self.config)
        result.doc_number = self.ledger.doc_number(period, 2024, 3)
        self.ledger.record(self.plan, result, [s.file for s in subs],
                           self.root / "history" / "archive")
        write_summary(result, self.root / "output" / period / "summary.json")
        self.results[period] = result
        return result


def ms(result: PeriodResult, code: str) -> tuple[Status, D | None]:
    m = next(m for m in result.milestones if m.code == code)
    return m.status, m.completed_on


def item(result: PeriodResult, code: str):
    return next(i for i in result.items if i.code == code)


def unit(result: PeriodResult, name: str):
    return next(u for u in result.units if u.name == name)


def counts(result: PeriodResult, name: str) -> dict[str, int]:
    return {k: v for k, v in unit(result, name).counts.items() if v}


def table_rows(db: Path, period: str) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t} WHERE period = ?", (period,)),
                          key=repr) for t in PERIOD_TABLES}


@pytest.fixture(scope="module")
def year(seed_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Office:
    office = Office(seed_plan, tmp_path_factory.mktemp("ws"))
    for period in PERIODS:
        office.run(period)
    return office


def test_may(year: Office) -> None:
    r = year.results["2024-05"]
    assert r.schedule_rate == pytest.approx(5 / 12)
    assert ms(r, "P12-M01") == (Status.DONE, D(2024, 5, 28))
    assert ms(r, "P13-M01") == (Status.NOT_REPORTED, None)  # 御东污水 never reports
    assert ms(r, "P13-M02") == (Status.NOT_REPORTED, None)  # even before its due date
    assert ms(r, "P07-M02") == (Status.DUE_SOON, None)  # 6-20: 9 days after the 6-11 issue date
    p01 = item(r, "P01")
    assert (p01.cumulative_yi, p01.previous_yi, p01.month_added_yi) == (0.5, None, None)
    assert p01.rate == pytest.approx(0.5 / 3) and p01.vs_schedule == "behind"
    assert (unit(r, YD).due, unit(r, YD).rate, unit(r, YD).submitted) == (1, 0.0, False)
    assert r.doc_number == 3


def test_june(year: Office) -> None:
    r = year.results["2024-06"]
    assert r.schedule_rate == 0.5
    m = next(m for m in r.milestones if m.code == "P07-M02")
    assert (m.status, m.days_overdue) == (Status.OVERDUE, 10)
    assert ms(r, "P12-M01") == (Status.DONE, D(2024, 5, 28))  # 通航 silent, done before
    assert ms(r, "P12-M02") == (Status.NOT_REPORTED, None)
    assert ms(r, "P11-M02") == (Status.DONE_LATE, D(2024, 6, 12))
    assert ms(r, "P01-M01") == (Status.OVERDUE, None)  # 0.8 of 1亿 at the 6-30 cut-off
    t04 = next(m for m in r.milestones if m.code == "T04-M01")
    assert t04.status is Status.OVERDUE
    assert {u: s for u, (s, _) in t04.by_unit.items()} == {
        YY: Status.DONE, ZB: Status.DONE, XCL: Status.OVERDUE, FW: Status.DONE,
        TH: Status.NOT_REPORTED}
    p01, p14 = item(r, "P01"), item(r, "P14")
    assert p01.month_added_yi == pytest.approx(0.3)
    assert (p01.vs_schedule, p14.vs_schedule) == ("behind", "ahead")
    assert p14.rate == pytest.approx(2.4 / 4.5) and p14.month_added_yi == pytest.approx(1.4)
    assert p01.phased_target_yi == 1.0 and p14.phased_target_yi is None
    assert counts(r, YY) == {"done": 4, "overdue": 3, "in_progress": 8}
    assert counts(r, GH) == {"done": 2, "overdue": 1, "in_progress": 2}
    assert counts(r, FW) == {"done": 2, "overdue": 1, "due_soon": 1, "in_progress": 6}
    assert counts(r, TH) == {"done": 1, "not_reported": 3}
    due_rate = {u.name: (u.due, u.rate, u.rank) for u in r.units}
    assert due_rate[YY] == (7, pytest.approx(4 / 7), 7)
    assert due_rate[GH] == (3, pytest.approx(2 / 3), 5)
    assert due_rate[FW] == (3, pytest.approx(2 / 3), 5)
    assert due_rate[CZ] == (2, 0.5, 8)
    assert due_rate[TH] == (3, pytest.approx(1 / 3), 9)
    assert due_rate[XCL] == (1, 0.0, 10) and due_rate[YD] == (2, 0.0, 10)
    assert {n for n, (_, _, rank) in due_rate.items() if rank == 1} == {JY, JS, HRJT, ZB}
    assert {n for n, (_, _, rank) in due_rate.items() if rank is None} == {JFT, CX, HRCT}
    assert r.doc_number == 4


def test_july(year: Office) -> None:
    r = year.results["2024-07"]
    assert ms(r, "T04-M01") == (Status.DONE_LATE, D(2024, 7, 10))  # the last member's date
    t04 = next(m for m in r.milestones if m.code == "T04-M01")
    assert t04.by_unit[YY] == (Status.DONE, D(2024, 6, 20))  # 医药 silent, done in June
    assert ms(r, "P02-M02") == (Status.DONE, D(2024, 6, 25))
    assert ms(r, "P01-M01") == (Status.NOT_REPORTED, None)  # open and 医药 silent
    assert ms(r, "P07-M02") == (Status.DONE_LATE, D(2024, 7, 15))
    assert ms(r, "P12-M02") == (Status.DONE_LATE, D(2024, 7, 5))
    assert ms(r, "P06-M01") == (Status.DONE, D(2024, 7, 30))
    assert counts(r, HRCT) == {"done": 1}  # silent supporter carries the lead's status
    assert ms(r, "T03-M01") == (Status.DONE_LATE, D(2024, 7, 20))
    p01 = item(r, "P01")
    assert (p01.cumulative_yi, p01.month_added_yi) == (0.8, None)  # carried, not reported


def test_august(year: Office) -> None:
    r = year.results["2024-08"]
    assert ms(r, "P01-M01") == (Status.DONE_LATE, D(2024, 8, 31))
    assert item(r, "P01").month_added_yi == pytest.approx(0.5)  # 1.3 − carried 0.8
    p14 = item(r, "P14")
    assert (p14.cumulative_yi, p14.month_added_yi, p14.vs_schedule) == (2.8, None, "behind")
    assert ms(r, "P14-M01") == (Status.NOT_REPORTED, None)  # 建设管理部 silent
    assert ms(r, "P11-M03") == (Status.DONE, D(2024, 6, 29))
    assert ms(r, "P07-M06") == (Status.DONE, D(2024, 8, 25))  # the lead decides
    dis = [i for i in r.issues if i.code == "shared_disagree"]
    node = next(m for m in r.milestones if m.code == "P07-M06")
    assert [(i.unit, node.text[:30] in i.message) for i in dis] == [(ZB, True)]
    assert r.schedule_rate == pytest.approx(8 / 12)


def test_september_to_november(year: Office) -> None:
    sep, oct_, nov = (year.results[p] for p in ("2024-09", "2024-10", "2024-11"))
    for r in (sep, oct_, nov):
        assert ms(r, "P01-M01") == (Status.DONE_LATE, D(2024, 8, 31))
    assert ms(sep, "P01-M02") == (Status.DONE, D(2024, 9, 30))
    assert ms(sep, "P07-M04") == (Status.DONE_LATE, D(2024, 9, 12))
    assert not [i for i in sep.issues if i.code == "shared_disagree"]
    p09m02 = next(m for m in sep.milestones if m.code == "P09-M02")
    assert (p09m02.status, p09m02.days_overdue) == (Status.OVERDUE, 30)
    assert item(sep, "P14").month_added_yi == pytest.approx(0.5)  # 3.3 − 2.8 (carried)
    assert ms(oct_, "P14-M01") == (Status.DONE, D(2024, 10, 31))
    assert ms(oct_, "P09-M06") == (Status.OVERDUE, None)  # 0.8 of 1亿 at its due day
    assert item(oct_, "P09").invoice_yi == 0.8
    assert item(oct_, "P09").phased_target_yi == 1.0  # staged by 开票 amounts
    assert item(sep, "P09").phased_target_yi is None
    assert ms(nov, "P09-M06") == (Status.DONE_LATE, D(2024, 11, 30))
    assert ms(nov, "P09-M07") == (Status.DONE, D(2024, 11, 30))
    assert item(nov, "P07").month_added_yi == pytest.approx(2.5)


def test_december(year: Office) -> None:
    r = year.results["2024-12"]
    assert r.schedule_rate == 1.0
    assert ms(r, "P01-M03") == (Status.DONE, D(2024, 12, 31))
    assert ms(r, "P07-M10") == (Status.DONE, D(2024, 12, 31))
    p09m08 = next(m for m in r.milestones if m.code == "P09-M08")
    assert (p09m08.status, p09m08.days_overdue) == (Status.OVERDUE, 0)
    assert ms(r, "P14-M02") == (Status.OVERDUE, None)
    assert (item(r, "P01").vs_schedule, item(r, "P14").vs_schedule) == ("ahead", "behind")
    assert item(r, "P14").phased_target_yi == 4.5  # the 全年 amount is due today
    assert counts(r, GH) == {"done": 3, "done_late": 2}
    assert counts(r, XCL) == {"done": 1, "done_late": 2, "overdue": 4}
    assert counts(r, JS) == {"done": 2, "overdue": 1}
    assert (unit(r, GH).due, unit(r, GH).rate) == (5, 0.6)
    assert (unit(r, XCL).due, unit(r, XCL).rate) == (7, pytest.approx(1 / 7))
    ranks = {u.name: u.rank for u in r.units}
    assert ranks[HRJT] == 1 and ranks[GH] < ranks[XCL] < ranks[YD]
    assert ranks[YD] == max(rank for rank in ranks.values() if rank is not None)


def test_summary_json_of_a_month(year: Office) -> None:
    data = json.loads((year.root / "output" / "2024-08" / "summary.json").read_text("utf-8"))
    assert (data["period"], data["as_of"], data["plan_version"]) == (
        "2024-08", "2024-08-31", year.plan.version)
    p01 = next(i for i in data["items"] if i["code"] == "P01")
    assert (p01["target_yi"], p01["cumulative_yi"], p01["month_added_yi"], p01["rate"]) == (
        3.0, 1.3, 0.5, 0.4333)
    assert (p01["vs_schedule"], p01["schedule_rate"]) == ("behind", 0.6667)
    m = next(m for m in data["milestones"] if m["code"] == "P01-M01")
    assert (m["status"], m["completed_on"], m["due"]) == ("done_late", "2024-08-31", "2024-06-30")
    js = next(u for u in data["units"] if u["name"] == JS)
    assert (js["submitted"], js["files"], js["counts"]["not_reported"]) == (False, [], 2)
    zb = next(u for u in data["units"] if u["name"] == ZB)
    assert zb["files"] == [f"{ZB}.xlsx"]
    issue = next(i for i in data["issues"] if i["code"] == "shared_disagree")
    assert (issue["severity"], issue["unit"], issue["cell"]) == ("warning", ZB, "F4")
    assert [i["code"] for i in data["items"]] == [it.code for it in year.plan.items]


def test_rerun_gives_same_rows_and_summary(seed_plan: Plan, tmp_path: Path) -> None:
    office = Office(seed_plan, tmp_path)
    for period in PERIODS[:3]:
        office.run(period)
    db = tmp_path / "history" / "ledger.sqlite"
    summary = tmp_path / "output" / "2024-07" / "summary.json"
    rows, text = table_rows(db, "2024-07"), summary.read_bytes()
    office.run("2024-07")
    assert table_rows(db, "2024-07") == rows
    assert summary.read_bytes() == text
    assert rows["milestone_statuses"] and rows["submissions"] and rows["figures"]


def test_june_correction_after_july(seed_plan: Plan, tmp_path: Path) -> None:
    office = Office(seed_plan, tmp_path)
    for period in PERIODS[:3]:
        office.run(period)
    db = tmp_path / "history" / "ledger.sqlite"
    may, july = table_rows(db, "2024-05"), table_rows(db, "2024-07")
    assert item(office.results["2024-07"], "P14").month_added_yi == pytest.approx(0.4)
    corrected = {k: dict(v) for k, v in FIGURES.items()}
    corrected["P14/invest"]["2024-06"] = 2.5
    june = office.run("2024-06", corrected)
    assert item(june, "P14").cumulative_yi == 2.5
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT value_yi FROM figures WHERE period='2024-06' AND item='P14'").fetchone() == (2.5,)
    assert table_rows(db, "2024-05") == may and table_rows(db, "2024-07") == july
    assert june.doc_number == 4  # the June bulletin keeps its number
    july_again = office.run("2024-07", corrected)
    assert item(july_again, "P14").previous_yi == 2.5
    assert item(july_again, "P14").month_added_yi == pytest.approx(0.3)
    assert july_again.doc_number == 5
