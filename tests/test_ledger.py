"""The ledger: migrations, one-period replacement, history, prefill, 发文字号, archive."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from reportgen import ledger as ledger_module
from reportgen.config import Config
from reportgen.errors import LedgerError
from reportgen.ledger import MIGRATIONS, PERIOD_TABLES, Ledger
from reportgen.ledger_rows import archive_file, insert_rows
from reportgen.model import (
    FigureReport,
    History,
    Issue,
    Metric,
    MilestoneReport,
    Reported,
    Severity,
    Status,
    Submission,
    period_end,
)
from reportgen.reconcile import reconcile
from tests.test_reconcile import C1, C2, A, B, make_plan

D = dt.date


def _sub(tmp: Path, unit: str, period: str, invest: float | None = None,
         **reports: tuple[Reported, D | None]) -> Submission:
    path = tmp / "in" / period / f"{unit}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f"{unit}{period}{invest}".encode())
    s = Submission(unit, period, str(path), received=dt.datetime(2024, 7, 2, 9, 30))
    if invest is not None:
        s.figures["P01/invest"] = FigureReport("P01", Metric.INVEST, invest, "含设备", "F4")
    for code, (status, done) in reports.items():
        code = code.replace("_", "-")
        s.milestones[code] = MilestoneReport(code, status, done, progress=f"{unit}进展",
                                             cell="G5")
    return s


def _run(ledger: Ledger, tmp: Path, period: str, subs: list[Submission]):
    result = reconcile(make_plan(), subs, ledger.history(period), period_end(period), period,
                       Config())
    ledger.record(make_plan(), result, [s.file for s in subs])
    return result


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger(tmp_path / "history" / "ledger.sqlite") as led:
        yield led


def test_new_ledger_records_its_migrations(tmp_path: Path) -> None:
    path = tmp_path / "h" / "ledger.sqlite"
    with Ledger(path) as led:
        assert led.migrations() == [name for name, _ in MIGRATIONS]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(PERIOD_TABLES) | {"migrations", "plans", "runs", "doc_numbers"} <= tables
    with Ledger(path) as led:  # reopening applies nothing twice
        assert led.migrations() == [name for name, _ in MIGRATIONS]


def test_newer_schema_is_refused_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO migrations VALUES ('0099_future', '2030-01-01')")
    with pytest.raises(LedgerError, match=r"更新版本的 reportgen.*0099_future"):
        Ledger(path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM migrations WHERE name = '0099_future'")
        conn.execute("PRAGMA user_version = 42")
    with pytest.raises(LedgerError, match="版本 42"):
        Ledger(path)


def test_corrupt_file_is_a_ledger_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(LedgerError, match="已损坏或不是"):
        Ledger(path)


def test_busy_ledger_is_a_ledger_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Ledger(path, timeout=0.05) as led, pytest.raises(LedgerError, match="正被其他程序占用"):
            led.doc_number("2024-06", 2024, 1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Ledger(path) as led:
        assert led.doc_number("2024-06", 2024, 1) == 1


def test_record_and_history(ledger: Ledger, tmp_path: Path) -> None:
    _run(ledger, tmp_path, "2024-05", [_sub(tmp_path, A, "2024-05", 0.4,
                                            P01_M02=(Reported.DONE, D(2024, 5, 18)))])
    _run(ledger, tmp_path, "2024-06", [
        _sub(tmp_path, A, "2024-06", 1.2),
        _sub(tmp_path, C1, "2024-06", T01_M01=(Reported.DONE, D(2024, 6, 20))),
        _sub(tmp_path, C2, "2024-06", T01_M01=(Reported.ONGOING, None)),
    ])
    h = ledger.history("2024-07")
    assert sorted(h.figures) == ["2024-05", "2024-06"]
    assert h.figures["2024-06"]["P01/invest"] == 1.2
    assert h.statuses["2024-05"]["P01-M02"] == (Status.DONE, D(2024, 5, 18))
    assert h.statuses["2024-06"]["P01-M01"] == (Status.DONE, D(2024, 6, 30))
    assert h.by_unit["2024-06"]["T01-M01"] == {
        C1: (Status.DONE, D(2024, 6, 20)), C2: (Status.OVERDUE, None)}
    assert h.previous_period("2024-07") == "2024-06"
    assert sorted(ledger.history("2024-06").figures) == ["2024-05"]
    assert ledger.history("2025-01") == History()  # a new year starts afresh
    assert ledger.periods() == ["2024-05", "2024-06"]
    # the year as it ended (what January reads of a node carried into the new year)
    assert ledger.year_history(2024) == h and ledger.year_history(2025) == History()
    assert sorted(ledger.year_history(2024, since="2024-06").statuses) == ["2024-06"]
    assert ledger.last_period(2024) == "2024-06" and ledger.last_period(2023) is None


def test_record_keeps_submissions_and_archives_copies(ledger: Ledger, tmp_path: Path) -> None:
    sub = _sub(tmp_path, A, "2024-06", 0.5)
    extra = tmp_path / "in" / "2024-06" / "甲局（旧）.xlsx"
    extra.write_bytes(b"older file of the same unit")
    original = Path(sub.file).read_bytes()
    result = reconcile(make_plan(), [sub], History(), D(2024, 6, 30), "2024-06", Config())
    ledger.record(make_plan(), result, [extra])
    sha = hashlib.sha256(original).hexdigest()
    copy = tmp_path / "history" / "archive" / sha[:2] / f"{sha}.xlsx"
    assert copy.read_bytes() == original
    assert Path(sub.file).read_bytes() == original  # copied, never moved
    with sqlite3.connect(ledger.path) as conn:
        rows = conn.execute(
            "SELECT file_name, sha256, unit, used, received, archived_path FROM submissions"
            " ORDER BY used").fetchall()
        figures = conn.execute("SELECT unit, item, metric, value_yi, note, cell"
                               " FROM reported_figures").fetchall()
    assert rows[1] == (f"{A}.xlsx", sha, A, 1, "2024-07-02T09:30:00",
                       f"archive/{sha[:2]}/{sha}.xlsx")
    assert rows[0][0] == "甲局（旧）.xlsx" and rows[0][2:4] == ("", 0)
    assert figures == [(A, "P01", "invest", 0.5, "含设备", "F4")]
    assert archive_file(Path(sub.file), tmp_path / "history" / "archive") == copy  # once


def test_missing_file_stops_record_before_any_change(ledger: Ledger, tmp_path: Path) -> None:
    sub = _sub(tmp_path, A, "2024-06", 0.5)
    result = reconcile(make_plan(), [sub], History(), D(2024, 6, 30), "2024-06", Config())
    Path(sub.file).unlink()
    with pytest.raises(LedgerError, match="已不存在"):
        ledger.record(make_plan(), result, [])
    assert ledger.periods() == []


def test_failed_record_rolls_back_and_keeps_the_old_rows(ledger: Ledger, tmp_path: Path) -> None:
    first = _run(ledger, tmp_path, "2024-06", [_sub(tmp_path, A, "2024-06", 0.5)])
    broken = reconcile(make_plan(), [], History(), D(2024, 6, 30), "2024-06", Config())
    broken.milestones.append(broken.milestones[0])  # duplicate key: the insert fails
    with pytest.raises(LedgerError):
        ledger.record(make_plan(), broken, [])
    assert ledger.history("2024-07").figures["2024-06"] == {"P01/invest": 0.5}
    assert first.milestones[0].code in ledger.history("2024-07").statuses["2024-06"]
    assert ledger.last_run("2024-06") is not None
    with sqlite3.connect(ledger.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)


def test_issues_units_items_and_runs_are_recorded(ledger: Ledger, tmp_path: Path) -> None:
    sub = _sub(tmp_path, A, "2024-06", 0.5, P01_M02=(Reported.DONE, None))
    sub.issues.append(Issue(Severity.ERROR, "单元格为公式", "formula_no_cache", f"{A}.xlsx",
                            "投资完成情况", "F9", A))
    result = _run(ledger, tmp_path, "2024-06", [sub])
    with sqlite3.connect(ledger.path) as conn:
        issues = conn.execute("SELECT severity, code FROM issues ORDER BY seq").fetchall()
        units = dict(conn.execute("SELECT unit, submitted FROM unit_results"))
        item = conn.execute("SELECT cumulative_yi, rate FROM item_results WHERE code='P01'"
                            ).fetchone()
    assert issues[0] == ("error", "formula_no_cache") and ("error", "date_missing") in issues
    assert units == {A: 1, B: 0, C1: 0, C2: 0}
    assert item == (0.5, pytest.approx(0.5 / 3))
    run = ledger.last_run("2024-06")
    assert run is not None
    assert (run.submitted, run.missing, run.errors, run.as_of) == (1, 3, 2, D(2024, 6, 30))
    assert sum(run.counts.values()) == len(result.milestones)
    assert ledger.last_run("2024-05") is None


def test_prefill_rebuilds_last_months_answers(ledger: Ledger, tmp_path: Path) -> None:
    assert ledger.prefill("2024-06") is None
    _run(ledger, tmp_path, "2024-05", [
        _sub(tmp_path, A, "2024-05", 0.4, P02_M01=(Reported.DONE, D(2024, 5, 20))),
        _sub(tmp_path, B, "2024-05", P02_M01=(Reported.ONGOING, None)),
        _sub(tmp_path, C2, "2024-05", T01_M01=(Reported.BLOCKED, None)),
    ])
    pre = ledger.prefill("2024-06")
    assert pre is not None and pre.period == "2024-05"
    assert pre.figures == {"P01/invest": 0.4}
    lead = pre.reports["P02-M01"]  # the deciding (lead's) answer
    assert (lead.status, lead.completed_on, lead.progress) == (
        Reported.DONE, D(2024, 5, 20), f"{A}进展")
    assert pre.unit_reports[B]["P02-M01"].status is Reported.ONGOING
    assert pre.unit_reports[C2]["T01-M01"].status is Reported.BLOCKED
    assert ledger.prefill("2025-01") is None  # figures restart with the year
    assert ledger.year_end_answers(2024) == pre and ledger.year_end_answers(2023) is None


def test_doc_numbers_per_year(ledger: Ledger) -> None:
    assert ledger.doc_number("2024-05", 2024, 3) == 3
    assert ledger.doc_number("2024-06", 2024, 3) == 4
    assert ledger.doc_number("2024-05", 2024, 3) == 3  # a re-run keeps its number
    assert ledger.doc_number("2024-07", 2024, 10) == 10  # the office moved the start on
    assert ledger.doc_number("2024-08", 2024, 1) == 11
    assert ledger.doc_number("2025-01", 2025, 1) == 1


def test_rerun_of_a_period_replaces_only_its_rows(ledger: Ledger, tmp_path: Path) -> None:
    _run(ledger, tmp_path, "2024-05", [_sub(tmp_path, A, "2024-05", 0.4)])
    _run(ledger, tmp_path, "2024-06", [_sub(tmp_path, A, "2024-06", 0.9),
                                       _sub(tmp_path, B, "2024-06")])

    def rows(period: str) -> dict[str, list[tuple[object, ...]]]:
        with sqlite3.connect(ledger.path) as conn:
            return {t: sorted(conn.execute(f"SELECT * FROM {t} WHERE period=?", (period,)),
                              key=repr) for t in PERIOD_TABLES}

    may = rows("2024-05")
    _run(ledger, tmp_path, "2024-06", [_sub(tmp_path, A, "2024-06", 1.1)])
    assert rows("2024-05") == may
    june = rows("2024-06")
    assert [r[4] for r in june["submissions"] if r[5]] == [A]  # B's June file is gone
    assert ledger.history("2024-07").figures["2024-06"] == {"P01/invest": 1.1}


def test_a_migration_adding_a_column_does_not_break_recording(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    added = ("structure_item_note", "ALTER TABLE item_results ADD COLUMN note TEXT NOT NULL DEFAULT '无'")
    monkeypatch.setattr(ledger_module, "MIGRATIONS", [*MIGRATIONS, added])
    path = tmp_path / "history" / "ledger.sqlite"
    with Ledger(path) as led:
        assert led.migrations() == [*(name for name, _ in MIGRATIONS), "structure_item_note"]
        _run(led, tmp_path, "2024-06", [_sub(tmp_path, A, "2024-06", 0.5)])
    with Ledger(path) as led:  # reopening applies nothing twice
        assert led.migrations()[-1] == "structure_item_note"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT cumulative_yi, note FROM item_results WHERE code='P01'").fetchone() == (0.5, "无")
        assert conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS) + 1,)


def test_insert_rows_writes_by_column_name_and_refuses_ragged_rows(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "t.sqlite")
    conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c TEXT DEFAULT 'c')")
    insert_rows(conn, "t", [{"b": "x", "a": 1}, {"b": "y", "a": 2}])
    insert_rows(conn, "t", [{"a": 1, "b": "z"}], or_else="REPLACE")
    insert_rows(conn, "t", [{"a": 2, "b": "w"}], or_else="IGNORE")
    insert_rows(conn, "t", [])
    assert conn.execute("SELECT a, b, c FROM t ORDER BY a").fetchall() == [(1, "z", "c"), (2, "y", "c")]
    with pytest.raises(sqlite3.IntegrityError):
        insert_rows(conn, "t", [{"a": 1, "b": "again"}])
    with pytest.raises(ValueError, match="columns"):
        insert_rows(conn, "t", [{"a": 3, "b": "u"}, {"a": 4}])
    conn.close()
