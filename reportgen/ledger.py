"""The ledger: an SQLite history of every period, so next month knows what changed.

One file (`history/ledger.sqlite`), schema changes as named migrations recorded in the
database itself. Every period's rows are replaced together in one transaction when the
period is run again; no other period is touched. Received files are copied (never moved)
into an archive folder under their SHA-256, so the ledger can always point at the exact
bytes a figure came from.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from reportgen.errors import LedgerError
from reportgen.intake import Action, Arrival, Decision, Register
from reportgen.ledger_rows import (
    MAY_REPEAT,
    Row,
    insert_rows,
    period_rows,
    plan_row,
    receive_files,
    run_row,
)
from reportgen.model import (
    History,
    MilestoneReport,
    PeriodResult,
    Plan,
    Prefill,
    RecordedPlan,
    Reported,
    Status,
    figure_key,
    plan_from_text,
    plan_text,
)

# Named migrations, applied in list order and recorded by name in the `migrations` table. Never
# edit one that has shipped: append the next as ("<feature>_<what>", "<SQL statements; separated
# by semicolons>"), e.g. ("papers_doc_series", "CREATE TABLE …"). Rows are written by column
# name (`insert_rows`), so a new column needs only a DEFAULT (or NULL) for older writers.
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
    # The plan in force for each period: its whole content, so a rerun of an earlier period
    # after a revision judges that period by the plan it was first run with.
    ("0003_plan_in_force", """
ALTER TABLE plans ADD COLUMN content TEXT
"""),
    # 督办通知/提醒函/催报通知 发文字号: one series per prefix and year, a number never reused.
    ("0004_notice_numbers", """
CREATE TABLE notice_numbers (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    unit TEXT NOT NULL,
    PRIMARY KEY (prefix, year, number),
    UNIQUE (kind, period, unit)
);
"""),
    # Submissions under control (reportgen.intake): the order each file's content was first
    # seen, and the office's decisions. Not period results: a rerun of the period keeps them.
    ("0005_submissions_control", """
CREATE TABLE received_files (
    period TEXT NOT NULL, sha256 TEXT NOT NULL, seq INTEGER NOT NULL, unit TEXT NOT NULL,
    file_name TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (period, sha256)
);
CREATE TABLE submission_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, period TEXT NOT NULL, action TEXT NOT NULL,
    unit TEXT NOT NULL, sha256 TEXT NOT NULL, file_name TEXT NOT NULL, note TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
"""),
    # The 督办 ledger (reportgen.duban): the reply deadline printed on each 督办通知, and replies.
    ("0006_duban_replies", """
CREATE TABLE duban_deadlines (doc_no TEXT PRIMARY KEY, reply_by TEXT NOT NULL);
CREATE TABLE duban_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT, doc_no TEXT NOT NULL, replied_on TEXT NOT NULL,
    note TEXT NOT NULL, recorded_at TEXT NOT NULL
);
"""),
    # What each 督办通知 said when it was written: its 成文日期 and the nodes it pressed (in the
    # plan's words), so a repeat can cite it and the 督办台账 names the nodes as printed.
    ("0007_duban_issued", """
ALTER TABLE duban_deadlines ADD COLUMN issued_on TEXT;
CREATE TABLE duban_nodes (
    doc_no TEXT NOT NULL, code TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (doc_no, code)
);
"""),
    # A notice numbered by a run that a later run of its period no longer writes (the unit's
    # corrected form, a unit's new name): its number stays taken, but it is not on paper, so the
    # 督办台账 and the bulletin's counts leave it out, as the 发文登记 does.
    ("0008_notices_withdrawn", """
ALTER TABLE notice_numbers ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0
"""),
]

# Tables that hold one period's data: the rows `record` replaces (runs are a log and stay).
PERIOD_TABLES = (
    "periods", "submissions", "reported_figures", "figures", "reports",
    "milestone_statuses", "milestone_units", "item_results", "unit_results", "issues",
)


@dataclass(frozen=True)
class IssuedNotice:
    """One numbered notice: its 发文字号 (prefix〔year〕number号), kind, period and unit."""

    prefix: str
    year: int
    number: int
    kind: str
    period: str
    unit: str

    @property
    def doc_no(self) -> str:
        """The 发文字号 as printed (同经开督字〔2024〕3号)."""
        return f"{self.prefix}〔{self.year}〕{self.number}号"


@dataclass
class YearRecords:
    """What the runs of one year recorded, as rows (column name -> value) in period order: the
    periods, item_results, milestone_statuses and unit_results tables."""

    year: int
    periods: list[Row]
    items: list[Row]
    milestones: list[Row]
    units: list[Row]


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


def recorded_codes(path: Path) -> set[str]:
    """Return the item and node codes the ledger at `path` has a history of (none when there is no
    ledger): a revised plan's new rows do not take them (plan.files.import_into)."""
    if not path.exists():
        return set()
    with Ledger(path) as ledger:  # every item and node any period was judged with
        return {c for (c,) in ledger._conn.execute(
            "SELECT code FROM milestone_statuses UNION SELECT item FROM milestone_statuses")}


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
        if "full" in text:
            return LedgerError(f"磁盘空间不足，历史台账 {self.path} 未能写入，本次运行未能完成；请清理磁盘后重新运行")
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
            if self._conn.in_transaction:  # SQLite already rolled back after a full disk
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
        return [r[0] for r in self._conn.execute("SELECT name FROM migrations ORDER BY rowid")]

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
        received = [
            replace(r, archived=self._relative(r.archived_at))
            for r in receive_files(files, result.submissions, archive)
        ]
        with self._transaction() as tx:
            insert_rows(tx, "plans", [plan_row(plan)], or_else="IGNORE")
            # the plan's content once per version (a plan first recorded before the ledger kept
            # content gains it now); serialising a city's plan costs a fraction of a second
            if tx.execute("SELECT 1 FROM plans WHERE version = ? AND content IS NULL",
                          (plan.version,)).fetchone():
                tx.execute("UPDATE plans SET content = ? WHERE version = ?",
                           (plan_text(plan), plan.version))
            tx.execute("DELETE FROM periods WHERE period = ?", (result.period,))  # cascades
            for table, rows in period_rows(result, received).items():
                insert_rows(tx, table, rows, or_else="REPLACE" if table in MAY_REPEAT else "")
            insert_rows(tx, "runs", [run_row(result, started or self.opened_at)])

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
            insert_rows(tx, "doc_numbers", [{"year": year, "number": number, "period": period}])
            return number

    def notice_numbers(self, kind: str, prefix: str, year: int, period: str,
                       units: Sequence[str], floor: int = 1,
                       found: dict[str, int] | None = None) -> dict[str, int]:
        """Return the 发文字号 number of each unit's `kind` notice for `period`.

        A unit keeps the number it already has (reruns are stable); else it takes the number
        `found` in a published notice when that number is still free (the ledger was lost);
        else the next number of the prefix's series in `year`, never below `floor`. A number
        once given is never given again, even when a rerun no longer needs that notice.
        """
        out: dict[str, int] = {}
        with self._transaction() as tx:
            had = dict(tx.execute(
                "SELECT unit, number FROM notice_numbers WHERE kind = ? AND period = ?",
                (kind, period)))
            taken = {r[0] for r in tx.execute(
                "SELECT number FROM notice_numbers WHERE prefix = ? AND year = ?", (prefix, year))}
            top = max([floor - 1, *taken, *(found or {}).values()])
            for unit in units:
                number = had.get(unit)
                if number is None:
                    number = (found or {}).get(unit)
                    if number is None or number in taken:
                        top += 1
                        number = top
                    taken.add(number)
                    tx.execute("INSERT INTO notice_numbers (prefix, year, number, kind, period, unit)"
                               " VALUES (?, ?, ?, ?, ?, ?)", (prefix, year, number, kind, period, unit))
                out[unit] = number
        return out

    def keep_issued(self, period: str, issued: Mapping[str, Collection[str]]) -> None:
        """Mark `period`'s numbered notices as its latest run wrote them (kind -> units): the others
        are withdrawn (numbers kept, never given again); a notice written again is issued again."""
        with self._transaction() as tx:
            rows = tx.execute("SELECT kind, unit FROM notice_numbers WHERE period = ?", (period,)).fetchall()
            for kind, unit in rows:
                tx.execute("UPDATE notice_numbers SET withdrawn = ? WHERE kind = ? AND period = ? AND unit = ?",
                           (int(unit not in issued.get(kind, ())), kind, period, unit))

    def set_reply_deadlines(self, deadlines: dict[str, dt.date], issued_on: dt.date | None = None,
                            nodes: dict[str, dict[str, str]] | None = None) -> None:
        """Keep the reply deadline printed on each 督办通知 (文号 -> day), its 成文日期 and the
        nodes it pressed (文号 -> code -> words)."""
        with self._transaction() as tx:
            insert_rows(tx, "duban_deadlines", [
                {"doc_no": no, "reply_by": day.isoformat(),
                 "issued_on": issued_on.isoformat() if issued_on else None}
                for no, day in deadlines.items()], or_else="REPLACE")
            for no, printed in (nodes or {}).items():
                tx.execute("DELETE FROM duban_nodes WHERE doc_no = ?", (no,))
                insert_rows(tx, "duban_nodes", [{"doc_no": no, "code": code, "text": text}
                                                for code, text in printed.items()])

    def record_reply(self, doc_no: str, replied_on: dt.date, note: str = "", once: bool = False) -> bool:
        """Record a unit's reply to the 督办通知 `doc_no`; with `once`, not when a reply of that
        day is already recorded (a reply form read again). Return True when recorded."""
        with self._transaction() as tx:
            if once and tx.execute("SELECT 1 FROM duban_replies WHERE doc_no = ? AND replied_on = ?",
                                   (doc_no, replied_on.isoformat())).fetchone():
                return False
            insert_rows(tx, "duban_replies", [{
                "doc_no": doc_no, "replied_on": replied_on.isoformat(), "note": note,
                "recorded_at": dt.datetime.now().isoformat(timespec="seconds")}])
        return True

    def duban_records(self) -> tuple[dict[str, tuple[dt.date | None, dt.date, dict[str, str] | None]],
                                     dict[str, tuple[dt.date, str]]]:
        """Return what was kept of each 督办通知 (文号 -> (成文日期, reply deadline, nodes or None))
        and each first reply (文号 -> (day, note))."""
        nodes: dict[str, dict[str, str]] = {}
        for no, code, text in self._conn.execute("SELECT doc_no, code, text FROM duban_nodes"):
            nodes.setdefault(no, {})[code] = text
        kept = {no: (_date(issued), dt.date.fromisoformat(by), nodes.get(no))
                for no, by, issued in self._conn.execute(
                    "SELECT doc_no, reply_by, issued_on FROM duban_deadlines")}
        replies: dict[str, tuple[dt.date, str]] = {}
        for no, day, note in self._conn.execute(
                "SELECT doc_no, replied_on, note FROM duban_replies ORDER BY replied_on, id"):
            replies.setdefault(no, (dt.date.fromisoformat(day), note))
        return kept, replies

    def issued_notices(self, period: str | None = None) -> list[IssuedNotice]:
        """Return every notice the latest run of its period wrote (of `period`, or of all periods),
        by series and number."""
        sql = "SELECT prefix, year, number, kind, period, unit FROM notice_numbers WHERE withdrawn = 0"
        args: tuple[str, ...] = ()
        if period is not None:
            sql, args = sql + " AND period = ?", (period,)
        rows = self._conn.execute(sql + " ORDER BY prefix, year, number", args)
        return [IssuedNotice(*row) for row in rows]

    # -- submissions control (reportgen.intake)

    def submission_register(self, period: str, seen: Sequence[Arrival] = ()) -> Register:
        """Record the files of `period` not seen before (in the order given) and return what
        the ledger knows: arrival order of every file and the office's decisions."""
        with self._transaction() as tx:
            known = {sha for (sha,) in tx.execute(
                "SELECT sha256 FROM received_files WHERE period = ?", (period,))}
            top = tx.execute("SELECT MAX(seq) FROM received_files WHERE period = ?",
                             (period,)).fetchone()[0] or 0
            now = dt.datetime.now().isoformat(timespec="seconds")
            rows: list[Row] = []
            for a in seen:
                if a.sha256 in known:
                    continue
                known.add(a.sha256)
                top += 1
                rows.append({"period": period, "sha256": a.sha256, "seq": top, "unit": a.unit,
                             "file_name": a.file_name, "first_seen": now})
            insert_rows(tx, "received_files", rows)
        arrival = dict(self._conn.execute(
            "SELECT sha256, seq FROM received_files WHERE period = ?", (period,)).fetchall())
        return Register.build(arrival, self.decisions(period))

    def decide(self, decision: Decision) -> None:
        """Record one decision of the office about a file or a unit."""
        with self._transaction() as tx:
            insert_rows(tx, "submission_decisions", [{
                "period": decision.period, "action": decision.action.value, "unit": decision.unit,
                "sha256": decision.sha256, "file_name": decision.file_name, "note": decision.note,
                "decided_at": decision.decided_at.isoformat(timespec="seconds"),
            }])

    def decisions(self, period: str) -> list[Decision]:
        """Return the office's decisions for `period`, oldest first."""
        return [
            Decision(period=period, action=Action(action), unit=unit, sha256=sha, file_name=name,
                     note=note, decided_at=dt.datetime.fromisoformat(at))
            for action, unit, sha, name, note, at in self._conn.execute(
                "SELECT action, unit, sha256, file_name, note, decided_at FROM submission_decisions"
                " WHERE period = ? ORDER BY id", (period,))
        ]

    # -- reading

    def periods(self) -> list[str]:
        """Return the recorded periods, oldest first."""
        return [r[0] for r in self._conn.execute("SELECT period FROM periods ORDER BY period")]

    def year_records(self, year: int) -> YearRecords:
        """Return every recorded period of `year` with its items, milestones and units, as rows."""

        def rows(table: str) -> list[Row]:
            cursor = self._conn.execute(
                f"SELECT * FROM {table} WHERE period LIKE ? ORDER BY period, rowid", (f"{year:04d}-%",))
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

        return YearRecords(year, rows("periods"), rows("item_results"), rows("milestone_statuses"),
                           rows("unit_results"))

    def _periods(self, year: int, before: str = "", since: str = "") -> list[str]:
        """Return the recorded periods of `year` from `since` and before `before` (to the year's
        end when ""), oldest first."""
        return [
            r[0] for r in self._conn.execute(
                "SELECT period FROM periods WHERE period LIKE ? AND period >= ? AND (? = '' OR period < ?)"
                " ORDER BY period", (f"{year:04d}-%", since, before, before),
            )
        ]

    def _earlier(self, period: str, since: str = "") -> list[str]:
        """Return recorded periods of the same year before `period` (from `since`), oldest first."""
        return self._periods(int(period[:4]), period, since)

    def last_period(self, year: int) -> str | None:
        """Return the last period of `year` recorded, or None."""
        periods = self._periods(year)
        return periods[-1] if periods else None

    def units_before(self, period: str) -> tuple[str | None, dict[str, set[str]]]:
        """Return the last period recorded before `period` (of any year) and unit -> the codes of
        the nodes it was responsible for then (None, {} when there is none)."""
        row = self._conn.execute("SELECT MAX(period) FROM periods WHERE period < ?", (period,)).fetchone()
        if row[0] is None:
            return None, {}
        out: dict[str, set[str]] = {}
        for unit, code in self._conn.execute("SELECT unit, code FROM milestone_units WHERE period = ?", (row[0],)):
            out.setdefault(unit, set()).add(code)
        return row[0], out

    def history(self, before_period: str, since: str = "") -> History:
        """Return what the ledger knows of the periods of the same year before `before_period`
        (those from `since` on, when given)."""
        return self._history(self._earlier(before_period, since))

    def year_history(self, year: int, since: str = "") -> History:
        """Return what the ledger knows of every recorded period of `year` (from `since` on, when
        given): the year as it ended, or as it stands so far."""
        return self._history(self._periods(year, since=since))

    def _history(self, periods: list[str]) -> History:
        history = History()
        for period in periods:
            history.figures[period] = {
                figure_key(item, metric): value for item, metric, value in self._conn.execute(
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
            history.vs_schedule[period] = dict(self._conn.execute(
                "SELECT code, vs_schedule FROM item_results WHERE period = ?", (period,)).fetchall())
            history.missing[period] = {
                unit for (unit,) in self._conn.execute(
                    "SELECT unit FROM unit_results WHERE period = ? AND submitted = 0", (period,)
                )
            }
        return history

    def prefill(self, period: str) -> Prefill | None:
        """Return the answers of the latest recorded period of the same year before `period`
        (figures and milestone reports), for pre-filling `period`'s forms; None when none."""
        return self._answers(self._earlier(period))

    def year_end_answers(self, year: int) -> Prefill | None:
        """Return the answers of the last period recorded in `year` (the year as it ended), as
        `prefill` gives them; None when the year has none."""
        return self._answers(self._periods(year))

    def _answers(self, periods: list[str]) -> Prefill | None:
        if not periods:
            return None
        last = periods[-1]
        prefill = Prefill(period=last)
        prefill.figures = {
            figure_key(item, metric): value for item, metric, value in self._conn.execute(
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

    def plan_in_force(self, period: str, current: str = "") -> RecordedPlan | None:
        """Return the plan `period` was last run with, or None when it was never run. Its content
        is not read back when it is the version `current` (that plan is at hand already)."""
        row = self._conn.execute(
            "SELECT p.version, p.title, CASE WHEN p.version = ? THEN NULL ELSE p.content END"
            " FROM periods AS r JOIN plans AS p ON p.version = r.plan_version WHERE r.period = ?",
            (current, period),
        ).fetchone()
        if row is None:
            return None
        version, title, content = row
        try:
            plan = plan_from_text(content) if content else None  # a ledger's older form as well
        except (ValueError, KeyError, TypeError) as exc:
            raise LedgerError(f"历史台账 {self.path} 中任务分解版本 {version} 的内容已损坏（{exc}）") from exc
        if plan is not None:
            plan.version = version  # the version it was recorded under (the older form kept it inside)
        return RecordedPlan(version=version, title=title, plan=plan)

    def reading_state(self, period: str) -> list[object]:
        """Return what reading `period`'s files depends on here: the plan version the period was
        last run with ("" when never) and the latest run of each earlier period of the year
        (last month's figures, against which a cumulative is checked)."""
        row = self._conn.execute("SELECT plan_version FROM periods WHERE period = ?", (period,)).fetchone()
        earlier = self._conn.execute(
            "SELECT period, MAX(id) FROM runs WHERE period LIKE ? AND period < ? GROUP BY period ORDER BY period",
            (f"{period[:4]}-%", period),
        ).fetchall()
        return [row[0] if row else "", [list(r) for r in earlier]]

    def last_run(self, period: str) -> RunRecord | None:
        """Return the latest recorded run of `period`, or None."""
        cursor = self._conn.cursor()
        cursor.row_factory = sqlite3.Row
        row = cursor.execute(
            "SELECT * FROM runs WHERE period = ? ORDER BY id DESC LIMIT 1", (period,)
        ).fetchone()
        if row is None:
            return None
        return RunRecord(
            period=row["period"], started_at=dt.datetime.fromisoformat(row["started_at"]),
            finished_at=dt.datetime.fromisoformat(row["finished_at"]), as_of=dt.date.fromisoformat(row["as_of"]),
            plan_version=row["plan_version"], submitted=row["submitted"], missing=row["missing"],
            counts=json.loads(row["counts"]), errors=row["errors"], warnings=row["warnings"],
        )
