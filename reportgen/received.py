"""What has come in for a period (`status`): each file's reading kept until the file changes.

`status` is asked often while the files come in, so it does not read every form each time.
What reading a file as `check` does found -- whose it is, its content hash and 填报日期, whether
it can count, how many errors and warnings it has -- is kept in `history/received-<period>.json`
under the file's name, size and modification time, together with what the reading depended on:
the master workbook and reportgen.toml as they are, the plan the period was last run with and
the latest run of each earlier month (last month's figures). `check`, `run` and `submissions`
keep what they read; `status` reads (as `check` does) only the files not kept or changed since.

Which file counts for each unit is then decided exactly as check and run decide it: by
reportgen.intake, from the ledger's arrival order and the office's decisions (accept, withdraw,
exempt), so `status` names the same file as `reportgen submissions`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import intake
from reportgen.calendar import report_deadline
from reportgen.config import CONFIG_NAME
from reportgen.errors import PlanError
from reportgen.fsutil import Listing, list_files, write_text_atomic
from reportgen.ledger import Ledger
from reportgen.model import FileRead, History, Plan, Severity, Submission
from reportgen.plan.inforce import plan_in_force
from reportgen.rules import reporting_units
from reportgen.workspace import Workspace

if TYPE_CHECKING:
    from reportgen.ingest import IngestResult

VERSION = 1


@dataclass
class Seen:
    """What reading one file found, kept under its size and modification time."""

    size: int
    mtime_ns: int
    unit: str = ""  # "" when no unit could be told
    sha256: str = ""
    received: str = ""  # the file's modification time as read (ISO)
    content_date: str = ""  # 填报日期 (ISO), when the form gives it
    used: bool = False  # could count for its unit (before choosing among the unit's files)
    errors: int = 0
    warnings: int = 0

    @classmethod
    def of(cls, f: FileRead, size: int, mtime_ns: int) -> Seen:
        """Return what `f` (as the reader left it) says about the file."""
        sub = f.submission
        return cls(
            size, mtime_ns, sub.unit if sub else "", sub.sha256 if sub else "",
            sub.received.isoformat() if sub and sub.received else "",
            sub.content_date.isoformat() if sub and sub.content_date else "",
            sub is not None and not any(i.code in intake.REJECTING for i in f.issues),
            sum(i.severity is Severity.ERROR for i in f.issues),
            sum(i.severity is Severity.WARNING for i in f.issues),
        )

    def file_read(self, path: Path, name: str, period: str) -> FileRead:
        """Return the file as the chooser sees it (unit, hash, dates; no figures)."""
        if not self.unit:
            return FileRead(path, name)
        sub = Submission(
            unit=self.unit, period=period, file=str(path), sha256=self.sha256,
            received=dt.datetime.fromisoformat(self.received) if self.received else None,
            content_date=dt.date.fromisoformat(self.content_date) if self.content_date else None,
        )
        return FileRead(path, name, submission=sub, used=self.used)


@dataclass
class UnitStatus:
    """Whether one unit's form for the period has come in."""

    unit: str
    files: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    exempt: str | None = None  # the office's note when the unit is excused this month

    @property
    def received(self) -> bool:
        """Return True when a file that counts came in from the unit."""
        return bool(self.files)


@dataclass
class PeriodStatus:
    """Who has reported for a period and how long is left."""

    period: str
    deadline: dt.date
    days_left: int  # negative once the deadline has passed
    units: list[UnitStatus] = field(default_factory=list)
    unidentified: list[str] = field(default_factory=list)  # files no unit could be found for


def previous_figures(history: History, period: str) -> dict[str, float]:
    """Return the cumulative figures of the latest recorded period before `period`."""
    prev = history.previous_period(period)
    return dict(history.figures.get(prev, {})) if prev else {}


def plan_for_check(period: str, current: Plan, ledger: Ledger) -> Plan:
    """Return the plan `run` would judge `period` by: the recorded one of a period already run
    (forms of an earlier month carry its plan's version), else the current master workbook."""
    try:
        return plan_in_force(period, current, ledger.plan_in_force(period, current.version)).plan
    except PlanError:
        return current  # the ledger lacks that plan's content: run says so when it is asked


def _stat(path: Path) -> list[int]:
    try:
        st = path.stat()
    except OSError:
        return [0, 0]
    return [st.st_size, st.st_mtime_ns]


def _context(ws: Workspace, period: str, ledger: Ledger) -> list[Any]:
    """Return what a file's reading depends on besides the file (see the module docstring)."""
    master = ws.master_workbook()
    return [VERSION, master.name, *_stat(master), *_stat(ws.root / CONFIG_NAME), ledger.reading_state(period)]


def _cache_path(ws: Workspace, period: str) -> Path:
    return ws.history_dir / f"received-{period}.json"


def _load(ws: Workspace, period: str, context: list[Any]) -> dict[str, Any]:
    try:
        data = json.loads(_cache_path(ws, period).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict) or data.get("context") != context:
        return {"context": context, "files": {}}
    return data


def _save(ws: Workspace, period: str, data: dict[str, Any]) -> None:
    try:
        ws.history_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(_cache_path(ws, period), json.dumps(data, ensure_ascii=False))
    except OSError:
        pass  # only a cache: a read-only workspace is still answered, more slowly


def _kept(entry: Any, size: int, mtime_ns: int) -> Seen | None:
    """Return the kept reading when it is of the file as it is now."""
    try:
        seen = Seen(**entry) if isinstance(entry, dict) else None
    except TypeError:  # written by another version
        return None
    return seen if seen is not None and (seen.size, seen.mtime_ns) == (size, mtime_ns) else None


def record(ws: Workspace, period: str, ledger: Ledger, ingest: IngestResult) -> None:
    """Keep what a full reading of `period`'s folder (check, run, submissions) found."""
    data = _load(ws, period, _context(ws, period, ledger))
    data["expected"] = list(ingest.expected_units)
    files: dict[str, Any] = {}
    for f in ingest.files:
        if not f.followed:
            continue
        try:
            st = f.path.stat()
        except OSError:
            continue
        sub = f.submission
        if sub is not None and sub.received != dt.datetime.fromtimestamp(st.st_mtime):
            continue  # changed while it was read: read again next time
        files[f.name] = asdict(Seen.of(f, st.st_size, st.st_mtime_ns))
    data["files"] = files
    _save(ws, period, data)


def _read(ws: Workspace, period: str, ledger: Ledger,
          files: list[tuple[Path, str, int]]) -> tuple[list[FileRead], list[str]]:
    """Return `files` read as `check` reads them, and the units expected to report."""
    # The reading stages (calamine, openpyxl, the plan) load only when a file must be read:
    # `status` over a folder that has not changed answers in a fraction of a second.
    from reportgen.ingest.batch import read_files
    from reportgen.plan.workbook import load_master

    plan = plan_for_check(period, load_master(ws), ledger)
    if not files:
        return [], reporting_units(plan, ws.config)
    previous = previous_figures(ledger.history(period), period)
    reads = read_files(files, plan, ws.config, period, previous)
    return reads, reporting_units(plan, ws.config)


def _files(ws: Workspace, period: str, ledger: Ledger) -> tuple[list[FileRead], dict[str, Seen], list[str]]:
    """Return every file of `period`'s folder as the chooser sees it, what was found in each
    (by name) and the expected units; files not kept (or changed since) are read and kept."""
    folder = ws.submissions_dir(period)
    listing = list_files(folder) if folder.is_dir() else Listing()
    data = _load(ws, period, _context(ws, period, ledger))
    kept: dict[str, Any] = data["files"]
    now: dict[str, Seen] = {}
    stale: list[tuple[Path, str, int]] = []
    for path, name, size in listing.files:
        try:
            mtime_ns = os.stat(path).st_mtime_ns
        except OSError:
            mtime_ns = -1  # gone meanwhile: the reader names it
        hit = _kept(kept.get(name), size, mtime_ns)
        if hit is None:
            stale.append((path, name, size))
        else:
            now[name] = hit
    if stale or "expected" not in data:
        reads, data["expected"] = _read(ws, period, ledger, stale)
        for (path, name, size), f in zip(stale, reads, strict=True):
            try:
                now[name] = Seen.of(f, size, os.stat(path).st_mtime_ns)
            except OSError:
                now[name] = Seen.of(f, size, -1)
    if stale or kept.keys() != now.keys():
        data["files"] = {name: asdict(s) for name, s in now.items()}
        _save(ws, period, data)
    files = [now[name].file_read(path, name, period) for path, name, _size in listing.files]
    return sorted(files + listing.skipped, key=lambda f: f.name), now, list(data["expected"])


def period_status(ws: Workspace, period: str, today: dt.date | None = None) -> PeriodStatus:
    """Return who has reported for `period` and how many days are left to the deadline.

    The file that counts for each unit is chosen as check and run choose it (the ledger's
    arrival order and the office's decisions); files first seen are recorded in the ledger.
    """
    deadline = report_deadline(period, ws.config)
    status = PeriodStatus(period, deadline, (deadline - (today or dt.date.today())).days)
    with Ledger(ws.ledger_path) as ledger:
        files, seen, expected = _files(ws, period, ledger)
        register = ledger.submission_register(period, intake.arrivals(files))
    intake.choose(files, register)
    by_unit = {u: UnitStatus(u, exempt=register.exempt.get(u)) for u in expected}
    for f in files:
        unit = by_unit.get(f.submission.unit if f.submission else "")
        if unit is None:
            status.unidentified.append(f.name)
            continue
        if intake.replaced(f):  # a corrected or withdrawn file's errors are no longer the unit's
            continue
        if f.used:
            unit.files.append(f.name)
        unit.errors += seen[f.name].errors
        unit.warnings += seen[f.name].warnings
    status.units = list(by_unit.values())
    return status
