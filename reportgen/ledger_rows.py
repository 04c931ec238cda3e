"""What a run writes into the ledger, as rows by column name; received files archived by hash.

`insert_rows` is the one way rows go in (dicts → `INSERT INTO t (cols) VALUES (:cols)`, batched),
so a migration that adds a column with a default breaks no writer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import LedgerError
from reportgen.fsutil import atomic_path, printable_name
from reportgen.model import (
    ItemResult,
    PeriodResult,
    Plan,
    Severity,
    Status,
    Submission,
)


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_file(path: Path, archive_dir: Path, sha256: str | None = None) -> Path:
    """Copy `path` to `archive_dir/<sha[:2]>/<sha><suffix>` (once) and return the copy's path."""
    sha = sha256 or file_sha256(path)
    target = archive_dir / sha[:2] / f"{sha}{path.suffix.lower()}"
    if target.exists():
        return target
    with atomic_path(target) as tmp:
        shutil.copy2(path, tmp)
    return target


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- rows by column name

Row = dict[str, object]
# Tables whose rows may come twice in one period (the same file listed twice; two files of one
# unit): the last one wins, as it did when the period was read.
MAY_REPEAT = frozenset({"submissions", "reported_figures", "reports"})


def insert_rows(tx: sqlite3.Connection, table: str, rows: Sequence[Row], or_else: str = "") -> None:
    """Insert `rows` (column name -> value, the same columns in each) into `table` in one batch.

    `or_else` is SQLite's conflict clause ("IGNORE", "REPLACE") or "" to fail on a conflict.
    Writing by column name lets a later migration add a column with a default without
    touching this code.
    """
    if not rows:
        return
    columns = list(rows[0])
    if any(list(row) != columns for row in rows):
        raise ValueError(f"rows for {table} do not all have the columns {columns}")
    verb = f"INSERT OR {or_else}" if or_else else "INSERT"
    tx.executemany(
        f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
        rows,
    )


@dataclass(frozen=True)
class Received:
    """A file received for a period: where it is, its hash, its archived copy, what it held."""

    path: Path
    sha256: str
    archived_at: Path
    submission: Submission | None  # None when nothing of it was used
    archived: str = ""  # `archived_at` as recorded (relative to the ledger's folder when inside)


def receive_files(files: Sequence[str | Path], submissions: Sequence[Submission], archive: Path) -> list[Received]:
    """Archive every received file (and every file behind `submissions`); return them by name."""
    used = {str(Path(s.file)): s for s in submissions}
    received = []
    for name in sorted(dict.fromkeys([*(str(Path(f)) for f in files), *used])):
        path = Path(name)
        if not path.is_file():
            raise LedgerError(f"报送文件 {path} 已不存在，无法归档；请确认文件未被移走后重新运行")
        sha = file_sha256(path)
        received.append(Received(path, sha, archive_file(path, archive, sha), used.get(name)))
    return received


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def plan_row(plan: Plan) -> Row:
    """Return the `plans` row of `plan`."""
    return {"version": plan.version, "year": plan.year, "title": plan.title, "items": len(plan.items),
            "milestones": len(plan.milestones), "first_seen": _now()}


def period_rows(result: PeriodResult, received: Sequence[Received]) -> dict[str, list[Row]]:
    """Return table -> rows of one period, in an order that satisfies the foreign keys."""
    period = result.period
    return {
        "periods": [{"period": period, "plan_year": result.plan_year, "plan_version": result.plan_version,
                     "as_of": result.as_of.isoformat(), "schedule_rate": result.schedule_rate,
                     "doc_number": result.doc_number}],
        "submissions": [_submission_row(period, r) for r in received],
        "reported_figures": [
            {"period": period, "unit": sub.unit, "item": fig.item, "metric": fig.metric.value,
             "value_yi": fig.value_yi, "note": fig.note, "cell": fig.cell}
            for sub in result.submissions for fig in sub.figures.values()
        ],
        "reports": [
            {"period": period, "unit": sub.unit, "code": code,
             "status": rep.status.value if rep.status else None, "completed_on": _d(rep.completed_on),
             "progress": rep.progress, "problems": rep.problems, "next_steps": rep.next_steps, "cell": rep.cell}
            for sub in result.submissions for code, rep in sub.milestones.items()
        ],
        "figures": [
            {"period": period, "item": it.code, "metric": metric, "value_yi": value}
            for it in result.items
            for metric, value in (("invest", it.cumulative_yi), ("invoice", it.invoice_yi)) if value is not None
        ],
        "item_results": [_item_row(period, it) for it in result.items],
        "milestone_statuses": [
            {"period": period, "code": m.code, "item": m.item, "due": _d(m.due), "lead": m.lead,
             "status": m.status.value, "completed_on": _d(m.completed_on), "days_overdue": m.days_overdue}
            for m in result.milestones
        ],
        "milestone_units": [
            {"period": period, "code": m.code, "unit": unit, "status": status.value, "completed_on": _d(done)}
            for m in result.milestones for unit, (status, done) in m.by_unit.items()
        ],
        "unit_results": [
            {"period": period, "unit": u.name, "submitted": int(u.submitted),
             "files": json.dumps(u.files, ensure_ascii=False), "counts": json.dumps(u.counts, sort_keys=True),
             "due": u.due, "rate": u.rate, "rank": u.rank}
            for u in result.units
        ],
        "issues": [
            {"period": period, "seq": seq, "severity": i.severity.value, "code": i.code, "unit": i.unit,
             "file": i.file, "sheet": i.sheet, "cell": i.cell, "message": i.message}
            for seq, i in enumerate(result.issues)
        ],
    }


def _submission_row(period: str, r: Received) -> Row:
    sub = r.submission
    return {
        "period": period, "file_name": printable_name(r.path.name), "sha256": r.sha256, "size": r.path.stat().st_size,
        "unit": sub.unit if sub else "", "used": int(sub is not None),
        "received": sub.received.isoformat(timespec="seconds") if sub and sub.received else None,
        "content_date": _d(sub.content_date) if sub else None,
        "plan_version": sub.plan_version if sub else "", "identified_by": sub.identified_by if sub else "",
        "archived_path": r.archived,
    }


def _item_row(period: str, it: ItemResult) -> Row:
    return {
        "period": period, "code": it.code, "name": it.name, "target_yi": it.target_yi,
        "cumulative_yi": it.cumulative_yi, "previous_yi": it.previous_yi, "month_added_yi": it.month_added_yi,
        "rate": it.rate, "schedule_rate": it.schedule_rate, "vs_schedule": it.vs_schedule,
        "phased_target_yi": it.phased_target_yi, "invoice_yi": it.invoice_yi,
    }


def run_row(result: PeriodResult, started: dt.datetime) -> Row:
    """Return the `runs` row logging this run of `result.period`."""
    counts = {s.value: 0 for s in Status}
    for m in result.milestones:
        counts[m.status.value] += 1
    return {
        "period": result.period, "started_at": started.isoformat(timespec="seconds"), "finished_at": _now(),
        "as_of": result.as_of.isoformat(), "plan_version": result.plan_version,
        "submitted": sum(u.submitted for u in result.units), "missing": sum(not u.submitted for u in result.units),
        "counts": json.dumps(counts), "errors": sum(i.severity is Severity.ERROR for i in result.issues),
        "warnings": sum(i.severity is Severity.WARNING for i in result.issues),
    }
