"""What has come in for a period (`status`), as the readings `check` and `run` keep say.

`status` is asked often while the files come in, so it does not read every form each time. It
shows the readings kept in `history/readings-<period>.json` (reportgen.ingest.kept), the very
ones `run` takes back, so the two never disagree about a file: `status` reads the file's first
line only -- for every file read, its size, modification and change times and what was found
(whose it is, 填报日期, whether it can count, its errors and warnings: intake.Seen) -- and a
stamp of what the readings depended on: the master workbook and reportgen.toml as they are, the
latest run of each earlier month (last month's figures), this code, and which plan judged the
files (the one the period was last run with, else the master workbook's). A file not kept,
changed since (size or either time), or kept under another stamp is read as `check` reads it,
and kept for `run`.

The error and warning counts are those the last 校验报告 stated (keep_checked: `check` adds issues
after the reading, such as reconcile.answer_issues, that the readings cannot hold), for each unit
whose files are as that check found them, or as the web page's upload checked the unit's file since
(keep_unit_checked: the period judged as check judges it); a unit with files come or changed since is
marked, and counts stated under another stamp are said to be the last check's.

Which file counts for each unit is then decided exactly as check and run decide it: by
reportgen.intake, from the ledger's arrival order and the office's decisions (accept, withdraw,
exempt), so `status` names the same file as `reportgen submissions`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import intake
from reportgen.calendar import report_deadline
from reportgen.config import CONFIG_NAME
from reportgen.errors import PlanError
from reportgen.fsutil import Listing, list_files, write_text_atomic
from reportgen.intake import Register, Seen
from reportgen.ledger import Ledger
from reportgen.model import FileRead, History, Issue, Plan, Severity
from reportgen.plan.inforce import plan_in_force
from reportgen.rules import EarlierFigures, carried_over, earlier_figures, reporting_units
from reportgen.workspace import Workspace

if TYPE_CHECKING:
    from reportgen.ingest import IngestResult

VERSION = 2
_PACKAGE = Path(__file__).resolve().parent


@dataclass
class UnitStatus:
    """Whether one unit's form for the period has come in."""

    unit: str
    files: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    exempt: str | None = None  # the office's note when the unit is excused this month
    unchecked: bool = False  # files came or changed since the last check: counts of the readings only

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
    checked: str = ""  # when the counts shown were stated by `check` ("" when it never ran)
    stale: bool = False  # the plan, configuration or earlier months changed since that check


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


@functools.cache
def _code() -> str:
    """Return a stamp of this code as installed (each module's name, size and time)."""
    digest = hashlib.sha256()
    folders = [str(_PACKAGE)]
    while folders:  # os.scandir: a third of the time of Path.rglob over the package
        with os.scandir(folders.pop()) as entries:
            for e in sorted(entries, key=lambda e: e.name):
                if e.is_dir() and e.name != "__pycache__":
                    folders.append(e.path)
                elif e.name.endswith(".py"):
                    st = e.stat()
                    digest.update(f"{e.path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _inputs(ws: Workspace, earlier: object) -> list[Any]:
    master = ws.master_workbook()
    return [VERSION, master.name, *_stat(master), *_stat(ws.root / CONFIG_NAME), earlier, _code()]


def reading_stamp(ws: Workspace, period: str, ledger: Ledger, current: str, plan: str) -> dict[str, Any]:
    """Return the stamp kept with `period`'s readings: what the inputs looked like, the master
    workbook's plan version (`current`) and the version of the plan that judged the files."""
    return {"inputs": _inputs(ws, ledger.reading_state(period)[1]), "master": current, "plan": plan}


def _readings_path(ws: Workspace, period: str) -> Path:
    return ws.history_dir / f"readings-{period}.json"


def read_period(ws: Workspace, plan: Plan, current: str, period: str, previous: EarlierFigures,
                ledger: Ledger, *, folder_needed: bool = True,
                meanwhile: Callable[[], object] | None = None) -> tuple[IngestResult, Register]:
    """Read `period`'s submissions against `plan` (`current`: the master workbook's version), the
    file that counts per unit chosen from the ledger's record (files seen for the first time are
    recorded); return them and the register. The readings are kept for the next command.

    Without `folder_needed`, a missing folder is read as empty (the units expected are kept).
    `meanwhile` may be called once while other processes read (batch.read_submissions)."""
    # The reader (calamine, the plan index) loads only when files must be read: `status` over
    # files already read answers without it
    from reportgen.ingest import batch, kept

    registers: list[Register] = []

    def choose(files: list[FileRead]) -> dict[str, FileRead]:
        registers.append(ledger.submission_register(period, intake.arrivals(files)))
        return intake.choose(files, registers[-1])

    stamp = reading_stamp(ws, period, ledger, current, plan.version)
    folder, path = ws.submissions_dir(period), _readings_path(ws, period)
    if folder_needed or folder.is_dir():
        ingest = batch.read_submissions(folder, plan, ws.config, period, previous, choose, kept=path, stamp=stamp,
                                        meanwhile=meanwhile)
    else:
        keeping = kept.Kept(path, kept.context(plan, ws.config, period, previous), stamp)
        keeping.keep([])
        ingest = batch.IngestResult(expected_units=reporting_units(plan, ws.config))
        keeping.save(ingest.expected_units)
    (ws.history_dir / f"received-{period}.json").unlink(missing_ok=True)  # an earlier version's
    register = registers[0] if registers else ledger.submission_register(period)
    intake.exempt_units(ingest, register)
    return ingest, register


def _head(path: Path) -> dict[str, Any]:
    """Return the first line of kept readings (reportgen.ingest.kept), {} when there is none."""
    try:
        with open(path, encoding="utf-8") as fh:
            head = json.loads(fh.readline())
    except (OSError, ValueError):
        return {}
    return head if isinstance(head, dict) else {}


def _kept(ws: Workspace, period: str, ledger: Ledger,
          listing: Listing) -> tuple[dict[str, Seen], list[str], dict[str, Any]] | None:
    """Return what the kept readings say of every file listed and the units expected, or None
    when any file is not kept as it is now or the readings depended on something since changed."""
    head = _head(_readings_path(ws, period))
    stamp, units, entries = head.get("stamp"), head.get("units"), head.get("seen")
    recorded, earlier = ledger.reading_state(period)
    if not (isinstance(stamp, dict) and isinstance(units, list) and isinstance(entries, dict)
            and stamp.get("inputs") == _inputs(ws, earlier)):
        return None
    # the plan status would judge by (plan_for_check): the recorded one, else the master's
    master = stamp.get("master")
    if stamp.get("plan") != (master if recorded in ("", master) else recorded):
        return None
    seen: dict[str, Seen] = {}
    for path, name, _size in listing.files:
        try:
            shown, *stat, row = entries[name]
            st = os.stat(path)
            # the change time cannot be set back: the same one is the same bytes (run checks the hash)
            if [shown, *stat] != [str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns]:
                return None
            seen[name] = Seen.from_row(row)
        except (KeyError, TypeError, ValueError, OSError):
            return None
    return seen, units, stamp


_Files = tuple[list[FileRead], dict[str, Seen], list[str], dict[str, Any]]


def _read(ws: Workspace, period: str, ledger: Ledger) -> _Files:
    """Return every file of `period`'s folder read as `check` reads it (taking back what is kept),
    what was found in each (by name), the expected units and the stamp of the readings."""
    # the plan is read (calamine) only when a file must be read
    from reportgen.plan.workbook import load_master

    current = load_master(ws)
    plan = plan_for_check(period, current, ledger)
    ingest, _register = read_period(ws, plan, current.version, period, earlier_figures(ledger.history(period), period),
                                    ledger, folder_needed=False)
    seen = {f.name: Seen.of(f) for f in ingest.files if f.followed}
    files = [seen[f.name].file_read(f.path, f.name, period) if f.followed else f for f in ingest.files]
    stamp = reading_stamp(ws, period, ledger, current.version, plan.version)
    return files, seen, list(ingest.expected_units), stamp


def _files(ws: Workspace, period: str, ledger: Ledger) -> _Files:
    """Return every file of `period`'s folder as the chooser sees it, what was found in each
    (by name), the expected units and the readings' stamp: as kept, or read when anything is not
    kept as it is now."""
    folder = ws.submissions_dir(period)
    listing = list_files(folder) if folder.is_dir() else Listing()
    kept = _kept(ws, period, ledger, listing)
    if kept is None:
        return _read(ws, period, ledger)
    seen, expected, stamp = kept
    files = [seen[name].file_read(path, name, period) for path, name, _size in listing.files]
    return sorted(files + listing.skipped, key=lambda f: f.name), seen, expected, stamp


def period_status(ws: Workspace, period: str, today: dt.date | None = None) -> PeriodStatus:
    """Return who has reported for `period` and how many days are left to the deadline.

    The file that counts for each unit is chosen as check and run choose it (the ledger's
    arrival order and the office's decisions); files first seen are recorded in the ledger.
    """
    deadline = report_deadline(period, ws.config)
    status = PeriodStatus(period, deadline, (deadline - (today or dt.date.today())).days)
    with Ledger(ws.ledger_path) as ledger:
        files, seen, expected, stamp = _files(ws, period, ledger)
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
    _as_checked(ws, status, stamp, files)
    return status


def checked_path(ws: Workspace, period: str) -> Path:
    """Return where the counts the last `check` of `period` stated are kept (keep_checked)."""
    return ws.history_dir / f"checked-{period}.json"


def _unit_files(files: Iterable[FileRead]) -> dict[str, list[list[Any]]]:
    """Return each unit's files whose findings are its own (not replaced by another file or
    withdrawn), each as [name, size, modification time, change time]: what its counts came from."""
    out: dict[str, list[list[Any]]] = {}
    for f in files:
        if f.submission is None or intake.replaced(f):
            continue
        try:
            st = os.stat(f.path)
            ident: list[Any] = [f.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        except OSError:
            ident = [f.name]
        out.setdefault(f.submission.unit, []).append(ident)
    return {unit: sorted(idents) for unit, idents in out.items()}


def _unit_counts(issues: Iterable[Issue]) -> dict[str, list[int]]:
    """Return unit -> [errors, warnings] as a 校验报告 counts them (each issue under its unit)."""
    counts: dict[str, list[int]] = {}
    for i in issues:
        if i.unit and i.severity is not Severity.INFO:
            counts.setdefault(i.unit, [0, 0])[i.severity is Severity.WARNING] += 1
    return counts


def _write_checked(ws: Workspace, period: str, record: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):  # a read-only workspace: status says its counts are not checked ones
        ws.history_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(checked_path(ws, period), json.dumps(record))


_CHECKED_LOCK = threading.Lock()  # the web page's uploads keep their counts one at a time


def keep_checked(ws: Workspace, period: str, stamp: dict[str, Any], result: IngestResult) -> None:
    """Keep the errors and warnings `check` stated for each unit in its 校验报告 (issues added after
    the reading included, such as reconcile.answer_issues) with the files and the readings'
    `stamp` they came from, so `status` and `submissions` state the same counts without reading the forms."""
    counts = _unit_counts(result.issues)
    files = _unit_files(result.files)
    record = {"version": VERSION, "stamp": stamp, "when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
              "units": {u: [*counts.get(u, [0, 0]), files.get(u, [])] for u in sorted({*counts, *files})}}
    with _CHECKED_LOCK:
        _write_checked(ws, period, record)


def keep_unit_checked(ws: Workspace, period: str, unit: str, stamp: dict[str, Any], result: IngestResult) -> bool:
    """Keep what `result` (the period read and judged as `check` judges it, since a file of `unit`
    came in: checking.recount_unit) states of `unit` as the counts the last check stated for it.

    Only while that check's record holds: the same readings' `stamp` (status would not call it
    stale), and every other unit whose files are as it judged them is stated the same now (a
    unit's file may change what is said of another sharing its figures or nodes: only a check
    states that). Else nothing is kept and the unit stays marked (*). Return True when kept."""
    counts, files = _unit_counts(result.issues), _unit_files(result.files)
    now = {u: [*counts.get(u, [0, 0]), files.get(u, [])] for u in {*counts, *files}}
    with _CHECKED_LOCK:
        record = _checked(ws, period)
        if record is None or record.get("stamp") != json.loads(json.dumps(stamp)):
            return False
        for other in {*record["units"], *now} - {unit}:
            stated, fresh = record["units"].get(other, [0, 0, []]), now.get(other, [0, 0, []])
            if isinstance(stated, list) and len(stated) == 3 and stated[2] == fresh[2] and stated != fresh:
                return False
        record["units"][unit] = now.get(unit, [0, 0, []])
        _write_checked(ws, period, record)
    return True


def _checked(ws: Workspace, period: str) -> dict[str, Any] | None:
    """Return what the last `check` of `period` stated (keep_checked), None when there is none."""
    try:
        record = json.loads(checked_path(ws, period).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = (isinstance(record, dict) and record.get("version") == VERSION and isinstance(record.get("units"), dict)
          and isinstance(record.get("when"), str))
    return record if ok else None


@dataclass
class Stated:
    """What the last `check` of a period stated of each unit's errors and warnings (keep_checked),
    held against the files and readings' stamp as they are now."""

    checked: str = ""  # when that check ran ("" when it never did)
    stale: bool = False  # the plan, configuration or earlier months changed since
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # units whose files it judged as they are
    unchecked: set[str] = field(default_factory=set)  # units whose files came or changed since


def stated_counts(ws: Workspace, period: str, stamp: dict[str, Any], files: Iterable[FileRead]) -> Stated:
    """Return the counts the last check of `period` stated for each unit whose files are the very
    ones it judged (name, size and times as it recorded them), and the units whose files came or
    changed since: `status` and `submissions` state the 校验报告's counts by this one rule."""
    record = _checked(ws, period)
    if record is None:
        return Stated()
    stamp = json.loads(json.dumps(stamp))  # as kept: tuples read back as lists
    out = Stated(record["when"], record.get("stamp") != stamp)
    now = _unit_files(files)
    for unit in {*record["units"], *now}:
        stated = record["units"].get(unit)
        if isinstance(stated, list) and len(stated) == 3 and stated[2] == now.get(unit, []):
            out.counts[unit] = (int(stated[0]), int(stated[1]))
        else:
            out.unchecked.add(unit)
    return out


def _as_checked(ws: Workspace, status: PeriodStatus, stamp: dict[str, Any], files: list[FileRead]) -> None:
    """Give each unit the counts the last check stated when it judged the very files counted now;
    mark a unit whose files came or changed since (its counts are the readings' only)."""
    stated = stated_counts(ws, status.period, stamp, files)
    status.checked, status.stale = stated.checked, stated.stale
    for u in status.units:
        if u.unit in stated.counts:
            u.errors, u.warnings = stated.counts[u.unit]
        u.unchecked = u.unit in stated.unchecked


def as_checked_listing(units: list[intake.UnitEntry], stated: Stated, files: Iterable[FileRead]) -> None:
    """Make each unit's listed files state what the last 校验报告 stated (stated_counts): what check
    added after the reading (reconcile.answer_issues, on the form it judged) goes on the file that
    counts; the files of a unit whose files came or changed since are marked."""
    replaced = {f.name for f in files if intake.replaced(f)}
    for entry in units:
        own = [f for f in entry.files if f.name not in replaced]
        if entry.unit in stated.unchecked:
            for f in own:
                f.unchecked = True
        judged = entry.counted or (own[0] if own else None)
        if entry.unit not in stated.counts or judged is None:
            continue
        errors, warnings = stated.counts[entry.unit]
        added = (errors - sum(f.errors for f in own), warnings - sum(f.warnings for f in own))
        judged.errors, judged.warnings = judged.errors + added[0], judged.warnings + added[1]
        judged.checked_added = added


def carry_standings(ledger: Ledger, plan: Plan, history: History) -> None:
    """Add to `history` the node standings of the last period recorded in an earlier year when the
    plan keeps nodes dated in an earlier year (继续推进): done then, they stay done (reconcile reads
    such a node's earlier periods across the year). Figures are not added: the year's count
    starts from nothing."""
    if not any(carried_over(m.due, plan.year) for m in plan.milestones):
        return
    last = ledger.last_period(plan.year - 1)
    if last is None:
        return
    earlier = ledger.year_history(plan.year - 1, since=last)
    history.statuses[last] = earlier.statuses.get(last, {})
    history.by_unit[last] = earlier.by_unit.get(last, {})
