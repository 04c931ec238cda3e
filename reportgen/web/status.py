"""What the office page shows for a period: who reported, who is late, issues, files, papers."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.received import PeriodStatus, checked_path, period_status
from reportgen.terminal import count_notes
from reportgen.web.links import unit_links
from reportgen.web.store import Upload, WebStore
from reportgen.workspace import Workspace

# the papers of a period, in the order the office uses them; other files follow by name
_PAPER_ORDER = ("pdf/会议材料.pdf", "进度通报.docx", "汇总表.xlsx", "校验报告.xlsx")
_NOT_PAPERS = ("run.log",)


@dataclass
class UnitRow:
    """One unit's line on the office page."""

    unit: str
    link: str
    received: bool
    late: bool  # the deadline has passed and nothing usable came in
    files: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    uploads: int = 0
    last_upload: Upload | None = None
    exempt: str | None = None  # the office's note when the unit need not report this month
    unchecked: bool = False  # files came or changed since the last check: counts of the readings only (“*”)


@dataclass
class FileInfo:
    """A file in the submissions or output folder."""

    name: str  # relative to its folder, with /
    size: int
    modified: dt.datetime


@dataclass
class OfficeView:
    """Everything on the office page for one period."""

    period: str
    deadline: dt.date
    days_left: int
    rows: list[UnitRow]
    unidentified: list[str]
    received: list[FileInfo]
    papers: list[FileInfo]
    notes: list[str] = field(default_factory=list)  # where the counts come from, as `reportgen status` says it

    @property
    def reported(self) -> int:
        """Return how many units have a usable file in."""
        return sum(r.received for r in self.rows)

    @property
    def late(self) -> int:
        """Return how many units are late."""
        return sum(r.late for r in self.rows)


def _files(folder: Path) -> list[FileInfo]:
    if not folder.is_dir():
        return []
    found = [p for p in folder.rglob("*") if p.is_file()
             and not any(part.startswith((".", "~$")) for part in p.relative_to(folder).parts)]
    return [FileInfo(p.relative_to(folder).as_posix(), p.stat().st_size,
                     dt.datetime.fromtimestamp(p.stat().st_mtime).replace(microsecond=0)) for p in found]


def papers(ws: Workspace, period: str) -> list[FileInfo]:
    """Return the files the batch wrote for `period`, the meeting papers first."""
    files = [f for f in _files(ws.output_dir(period)) if f.name not in _NOT_PAPERS]
    rank = {name: n for n, name in enumerate(_PAPER_ORDER)}
    return sorted(files, key=lambda f: (rank.get(f.name, len(rank)), f.name.count("/"), f.name))


class _StatusCache:
    """Each period's reading of its folder, read again only when a file in it, the plan or the ledger changes.

    The office page refreshes every two seconds while a batch runs; reading every form each
    time would compete with the batch for the processor.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], tuple[Any, PeriodStatus]] = {}

    def get(self, ws: Workspace, period: str, today: dt.date) -> PeriodStatus:
        files = _files(ws.submissions_dir(period))
        plan = ws.master_workbook().stat()
        # the office's decisions (exempt, withdraw) live in the ledger
        ledger = ws.ledger_path.stat().st_mtime_ns if ws.ledger_path.exists() else 0
        checked = checked_path(ws, period)  # the counts each unit's row states come from the last check
        stated = checked.stat().st_mtime_ns if checked.exists() else 0
        key = (tuple((f.name, f.size, f.modified) for f in files), plan.st_mtime_ns, plan.st_size, ledger, stated,
               today)
        with self._lock:
            seen = self._seen.get((str(ws.root), period))
            if seen is not None and seen[0] == key:
                return seen[1]
        status = period_status(ws, period, today)
        with self._lock:
            self._seen[(str(ws.root), period)] = (key, status)
        return status


_STATUS = _StatusCache()


def office_view(ws: Workspace, period: str, today: dt.date | None = None) -> OfficeView:
    """Return the office page's data for `period`, read from the folders and the ledger."""
    today = today or dt.date.today()
    status = _STATUS.get(ws, period, today)
    units = [u.unit for u in status.units]
    links = unit_links(ws, period, units)
    with WebStore(ws.ledger_path) as store:
        uploads = store.uploads(period)
    rows = []
    for u in status.units:
        own = [up for up in uploads if up.unit == u.unit]
        late = not u.received and u.exempt is None and status.days_left < 0
        rows.append(UnitRow(u.unit, links[u.unit], u.received, late, u.files, u.errors, u.warnings, len(own),
                            own[0] if own else None, u.exempt, u.unchecked))
    # the counts and their notes are `reportgen status`'s: one rule (received.stated_counts, terminal.count_notes)
    notes = count_notes(status.checked, status.stale, any(u.unchecked for u in status.units),
                        any(u.received for u in status.units))
    return OfficeView(period, status.deadline, status.days_left, rows, status.unidentified,
                      _files(ws.submissions_dir(period)), papers(ws, period), notes)
