"""The ledger: an SQLite history of every period, so next month knows what changed.

One file (`history/ledger.sqlite`), schema changes as named migrations recorded in the
database itself. Every period's rows are replaced together in one transaction when the
period is run again; no other period is touched. Received files are copied (never moved)
into an archive folder under their SHA-256, so the ledger can always point at the exact
bytes a figure came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from reportgen.errors import LedgerError
from reportgen.model import (
    History,
    MilestoneReport,
    PeriodResult,
    Plan,
    Prefill,
    Reported,
    Severity,
    Status,
    Submission,
)

# Named migrations, applied in order and recorded in the `migrations` table. Never edit one
# that has shipped: add the next.
MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", """
CREATE TABLE plans (
    version TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    items INTEGER NOT NULL,
    milestones INTEGER NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE periods (
    period TEXT PRIMARY KEY,
    plan_year INTEGER NOT NULL,
    plan_version TEXT NOT NULL REFERENCES plans(version),
    as_of TEXT NOT NULL,
    schedule_rate REAL NOT NULL,
    doc_number INTEGER
);
CREATE TABLE submissions (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    unit TEXT NOT NULL,
    used INTEGER NOT NULL,
    received TEXT,
    content_date TEXT,
    plan_version TEXT NOT NULL,
    identified_by TEXT NOT NULL,
    archived_path TEXT NOT NULL,
    PRIMARY KEY (period, file_name, sha256)
);
CREATE TABLE reported_figures (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    unit TEXT NOT NULL,
    item TEXT NOT NULL,
    metric TEXT NOT NULL,
    value_yi REAL,
    note TEXT NOT NULL,
    cell TEXT NOT NULL,
    PRIMARY KEY (period, unit, item, metric)
);
CREATE TABLE figures (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    item TEXT NOT NULL,
    metric TEXT NOT NULL,
    value_yi REAL NOT NULL,
    PRIMARY KEY (period, item, metric)
);
CREATE TABLE reports (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    unit TEXT NOT NULL,
    code TEXT NOT NULL,
    status TEXT,
    completed_on TEXT,
    progress TEXT NOT NULL,
    problems TEXT NOT NULL,
    next_steps TEXT NOT NULL,
    cell TEXT NOT NULL,
    PRIMARY KEY (period, unit, code)
);
CREATE TABLE milestone_statuses (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    code TEXT NOT NULL,
    item TEXT NOT NULL,
    due TEXT,
    lead TEXT NOT NULL,
    status TEXT NOT NULL,
    completed_on TEXT,
    days_overdue INTEGER NOT NULL,
    PRIMARY KEY (period, code)
);
CREATE TABLE milestone_units (
    period TEXT NOT NULL,
    code TEXT NOT NULL,
    unit TEXT NOT NULL,
    status TEXT NOT NULL,
    completed_on TEXT,
    PRIMARY KEY (period, code, unit),
    FOREIGN KEY (period, code) REFERENCES milestone_statuses(period, code) ON DELETE CASCADE
);
CREATE TABLE item_results (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    target_yi REAL,
    cumulative_yi REAL,
    previous_yi REAL,
    month_added_yi REAL,
    rate REAL,
    schedule_rate REAL NOT NULL,
    vs_schedule TEXT NOT NULL,
    phased_target_yi REAL,
    invoice_yi REAL,
    PRIMARY KEY (period, code)
);
CREATE TABLE unit_results (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    unit TEXT NOT NULL,
    submitted INTEGER NOT NULL,
    files TEXT NOT NULL,
    counts TEXT NOT NULL,
    due INTEGER NOT NULL,
    rate REAL,
    rank INTEGER,
    PRIMARY KEY (period, unit)
);
CREATE TABLE issues (
    period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    unit TEXT NOT NULL,
    file TEXT NOT NULL,
    sheet TEXT NOT NULL,
    cell TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (period, seq)
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    plan_version TEXT NOT NULL,
    submitted INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    counts TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL
);
CREATE TABLE doc_numbers (
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    period TEXT NOT NULL UNIQUE,
    PRIMARY KEY (year, number)
);
"""),
    # `reportgen serve`: each unit's private upload link per period, every uploaded version
    # (accepted or not) and the web page's own settings (office password hash, session key).
    ("0002_web_uploads", """
CREATE TABLE upload_links (
    period TEXT NOT NULL,
    unit TEXT NOT NULL,
    token TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (period, unit)
);
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    unit TEXT NOT NULL,
    version INTEGER NOT NULL,
    original_name TEXT NOT NULL,
    stored_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    placed_as TEXT NOT NULL,
    reason TEXT NOT NULL,
    issues TEXT NOT NULL,
    UNIQUE (period, unit, version)
);
CREATE TABLE web_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""),
]

# Tables that hold one period's data: the rows `record` replaces (runs are a log and stay).
PERIOD_TABLES = (
    "periods", "submissions", "reported_figures", "figures", "reports",
    "milestone_statuses", "milestone_units", "item_results", "unit_results", "issues",
)


@dataclass
class RunRecord:
    """One recorded run of a period."""

    period: str
    started_at: dt.datetime
    finished_at: dt.datetime
    as_of: dt.date
    plan_version: str
    submitted: int
    missing: int
    counts: dict[str, int]
    errors: int
    warnings: int


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
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~tmp-", dir=target.parent)
    os.close(fd)
    try:
        shutil.copy2(path, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class Ledger:
    """The SQLite history of a workspace; open it with `Ledger(path)` (created when absent)."""

    def __init__(self, path: Path, timeout: float = 15.0) -> None:
        self.path = Path(path)
        self.opened_at = dt.datetime.now().replace(microsecond=0)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except BaseException as exc:
            self._conn.close()
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise

    # -- lifecycle

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _error(self, exc: sqlite3.Error) -> LedgerError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return LedgerError(f"历史台账 {self.path} 正被其他程序占用，请稍后再试（{text}）")
        if "not a database" in text or "malformed" in text:
            return LedgerError(
                f"历史台账 {self.path} 已损坏或不是 reportgen 台账文件。"
                "请从备份恢复，或移走该文件后重新运行各月（将重建台账）"
            )
        return LedgerError(f"历史台账 {self.path} 读写失败：{text}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Yield the connection inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on any error)."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            yield self._conn
        except BaseException as exc:
            self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise
        self._conn.execute("COMMIT")

    def _migrate(self) -> None:
        conn = self._conn
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        applied = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY name")]
        known = [name for name, _ in MIGRATIONS]
        unknown = [name for name in applied if name not in known]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if unknown or version > len(MIGRATIONS):
            raise LedgerError(
                f"历史台账 {self.path} 由更新版本的 reportgen 建立（含本程序不认识的结构变更："
                f"{'、'.join(unknown) or f'版本 {version}'}）。请升级 reportgen 后再运行，"
                "不要用旧版本改写它"
            )
        for n, (name, sql) in enumerate(MIGRATIONS, start=1):
            if name in applied:
                continue
            with self._transaction() as tx:
                for statement in sql.split(";"):
                    if statement.strip():
                        tx.execute(statement)
                tx.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    (name, dt.datetime.now().isoformat(timespec="seconds")),
                )
                tx.execute(f"PRAGMA user_version = {n}")

    def migrations(self) -> list[str]:
        """Return the names of the migrations applied to this database, in order."""
        return [r[0] for r in self._conn.execute("SELECT name FROM migrations ORDER BY name")]

    # -- writing

    def record(
        self,
        plan: Plan,
        result: PeriodResult,
        files: Sequence[str | Path] = (),
        archive_dir: Path | None = None,
        started: dt.datetime | None = None,
    ) -> None:
        """Archive the received files and replace `result.period`'s rows in one transaction.

        `files` are every file received for the period (those behind `result.submissions`
        are added when missing); `archive_dir` defaults to `archive/` beside the ledger.
        """
        archive = archive_dir if archive_dir is not None else self.path.parent / "archive"
        used = {str(Path(s.file)): s for s in result.submissions}
        paths = list(dict.fromkeys([*(str(Path(f)) for f in files), *used]))
        received: list[tuple[Path, str, Path, Submission | None]] = []
        for name in sorted(paths):
            path = Path(name)
            if not path.is_file():
                raise LedgerError(f"报送文件 {path} 已不存在，无法归档；请确认文件未被移走后重新运行")
            sha = file_sha256(path)
            received.append((path, sha, archive_file(path, archive, sha), used.get(name)))
        period = result.period
        with self._transaction() as tx:
            tx.execute(
                "INSERT OR IGNORE INTO plans VALUES (?, ?, ?, ?, ?, ?)",
                (plan.version, plan.year, plan.title, len(plan.items), len(plan.milestones),
                 dt.datetime.now().isoformat(timespec="seconds")),
            )
            tx.execute("DELETE FROM periods WHERE period = ?", (period,))  # cascades
            tx.execute(
                "INSERT INTO periods VALUES (?, ?, ?, ?, ?, ?)",
                (period, result.plan_year, result.plan_version, result.as_of.isoformat(),
                 result.schedule_rate, result.doc_number),
            )
            for path, sha, copy, sub in received:
                tx.execute(
                    "INSERT OR REPLACE INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (period, path.name, sha, path.stat().st_size, sub.unit if sub else "",
                     int(sub is not None),
                     sub.received.isoformat(timespec="seconds") if sub and sub.received else None,
                     _d(sub.content_date) if sub else None, sub.plan_version if sub else "",
                     sub.identified_by if sub else "", self._relative(copy)),
                )
            for sub in result.submissions:
                for fig in sub.figures.values():
                    tx.execute(
                        "INSERT OR REPLACE INTO reported_figures VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (period, sub.unit, fig.item, fig.metric.value, fig.value_yi, fig.note,
                         fig.cell),
                    )
                for code, rep in sub.milestones.items():
                    tx.execute(
                        "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (period, sub.unit, code, rep.status.value if rep.status else None,
                         _d(rep.completed_on), rep.progress, rep.problems, rep.next_steps,
                         rep.cell),
                    )
            for it in result.items:
                for metric, value in (("invest", it.cumulative_yi), ("invoice", it.invoice_yi)):
                    if value is not None:
                        tx.execute(
                            "INSERT INTO figures VALUES (?, ?, ?, ?)",
                            (period, it.code, metric, value),
                        )
                tx.execute(
                    "INSERT INTO item_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (period, it.code, it.name, it.target_yi, it.cumulative_yi, it.previous_yi,
                     it.month_added_yi, it.rate, it.schedule_rate, it.vs_schedule,
                     it.phased_target_yi, it.invoice_yi),
                )
            for m in result.milestones:
                tx.execute(
                    "INSERT INTO milestone_statuses VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (period, m.code, m.item, _d(m.due), m.lead, m.status.value,
                     _d(m.completed_on), m.days_overdue),
                )
                for unit, (status, completed_on) in m.by_unit.items():
                    tx.execute(
                        "INSERT INTO milestone_units VALUES (?, ?, ?, ?, ?)",
                        (period, m.code, unit, status.value, _d(completed_on)),
                    )
            for u in result.units:
                tx.execute(
                    "INSERT INTO unit_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (period, u.name, int(u.submitted), json.dumps(u.files, ensure_ascii=False),
                     json.dumps(u.counts, sort_keys=True), u.due, u.rate, u.rank),
                )
            for seq, i in enumerate(result.issues):
                tx.execute(
                    "INSERT INTO issues VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (period, seq, i.severity.value, i.code, i.unit, i.file, i.sheet, i.cell,
                     i.message),
                )
            counts = {s.value: 0 for s in Status}
            for m in result.milestones:
                counts[m.status.value] += 1
            tx.execute(
                "INSERT INTO runs (period, started_at, finished_at, as_of, plan_version,"
                " submitted, missing, counts, errors, warnings)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (period, (started or self.opened_at).isoformat(timespec="seconds"),
                 dt.datetime.now().isoformat(timespec="seconds"), result.as_of.isoformat(),
                 result.plan_version, sum(u.submitted for u in result.units),
                 sum(not u.submitted for u in result.units), json.dumps(counts),
                 sum(i.severity is Severity.ERROR for i in result.issues),
                 sum(i.severity is Severity.WARNING for i in result.issues)),
            )

    def _relative(self, path: Path) -> str:
        """Return `path` relative to the ledger's folder when inside it (a movable workspace)."""
        try:
            return path.resolve().relative_to(self.path.parent.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def doc_number(self, period: str, year: int, start: int) -> int:
        """Return the 发文字号 number of `period`: the one it already has, else the next free one
        of `year` (never below `start`), which is then kept for the period."""
        with self._transaction() as tx:
            row = tx.execute(
                "SELECT number FROM doc_numbers WHERE period = ?", (period,)
            ).fetchone()
            if row:
                return int(row[0])
            top = tx.execute(
                "SELECT MAX(number) FROM doc_numbers WHERE year = ?", (year,)
            ).fetchone()[0]
            number = max(start, (top or 0) + 1)
            tx.execute("INSERT INTO doc_numbers VALUES (?, ?, ?)", (year, number, period))
            return number

    # -- reading

    def periods(self) -> list[str]:
        """Return the recorded periods, oldest first."""
        return [r[0] for r in self._conn.execute("SELECT period FROM periods ORDER BY period")]

    def _earlier(self, period: str) -> list[str]:
        """Return recorded periods of the same year before `period`, oldest first."""
        return [
            r[0] for r in self._conn.execute(
                "SELECT period FROM periods WHERE period LIKE ? AND period < ? ORDER BY period",
                (f"{period[:4]}-%", period),
            )
        ]

    def history(self, before_period: str) -> History:
        """Return what the ledger knows of the periods of the same year before `before_period`."""
        history = History()
        for period in self._earlier(before_period):
            history.figures[period] = {
                f"{item}/{metric}": value for item, metric, value in self._conn.execute(
                    "SELECT item, metric, value_yi FROM figures WHERE period = ?", (period,)
                )
            }
            history.statuses[period] = {
                code: (Status(status), _date(done)) for code, status, done in self._conn.execute(
                    "SELECT code, status, completed_on FROM milestone_statuses WHERE period = ?",
                    (period,),
                )
            }
            by_unit: dict[str, dict[str, tuple[Status, dt.date | None]]] = {}
            for code, unit, status, done in self._conn.execute(
                "SELECT code, unit, status, completed_on FROM milestone_units WHERE period = ?",
                (period,),
            ):
                by_unit.setdefault(code, {})[unit] = (Status(status), _date(done))
            history.by_unit[period] = by_unit
        return history

    def prefill(self, period: str) -> Prefill | None:
        """Return the answers of the latest recorded period of the same year before `period`
        (figures and milestone reports), for pre-filling `period`'s forms; None when none."""
        earlier = self._earlier(period)
        if not earlier:
            return None
        last = earlier[-1]
        prefill = Prefill(period=last)
        prefill.figures = {
            f"{item}/{metric}": value for item, metric, value in self._conn.execute(
                "SELECT item, metric, value_yi FROM figures WHERE period = ? ORDER BY item, metric",
                (last,),
            )
        }
        leads = dict(self._conn.execute(
            "SELECT code, lead FROM milestone_statuses WHERE period = ?", (last,)
        ).fetchall())
        for unit, code, status, done, progress, problems, next_steps in self._conn.execute(
            "SELECT unit, code, status, completed_on, progress, problems, next_steps"
            " FROM reports WHERE period = ? ORDER BY unit, code", (last,),
        ):
            rep = MilestoneReport(
                code=code, status=Reported(status) if status else None,
                completed_on=_date(done), progress=progress, problems=problems,
                next_steps=next_steps,
            )
            prefill.unit_reports.setdefault(unit, {})[code] = rep
            if leads.get(code) == unit or code not in prefill.reports:
                prefill.reports[code] = rep
        return prefill

    def last_run(self, period: str) -> RunRecord | None:
        """Return the latest recorded run of `period`, or None."""
        row = self._conn.execute(
            "SELECT period, started_at, finished_at, as_of, plan_version, submitted, missing,"
            " counts, errors, warnings FROM runs WHERE period = ? ORDER BY id DESC LIMIT 1",
            (period,),
        ).fetchone()
        if row is None:
            return None
        return RunRecord(
            period=row[0], started_at=dt.datetime.fromisoformat(row[1]),
            finished_at=dt.datetime.fromisoformat(row[2]), as_of=dt.date.fromisoformat(row[3]),
            plan_version=row[4], submitted=row[5], missing=row[6], counts=json.loads(row[7]),
            errors=row[8], warnings=row[9],
        )
