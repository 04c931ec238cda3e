"""Which received file counts for each unit: the office's decisions over the files of a period.

A unit may send a correction, a wrong file, or be excused for the month. What counts is decided
from the ledger, never from file modification times (a copied workspace keeps its decisions):
- a file withdrawn by the office never counts;
- a file the office accepted counts for its unit;
- otherwise the file that arrived last counts, arrival being the order in which reportgen first
  saw each file's content (its SHA-256), recorded in the ledger.
An exempt unit is not chased for the month. Pure functions over data; the ledger stores it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.model import FileRead, Issue, Severity, Submission

if TYPE_CHECKING:  # the ledger imports this module and must not pull in the reader
    from reportgen.ingest import IngestResult


# A file with one of these issues is not taken as its unit's submission (set by the reader).
REJECTING = frozenset({"wrong_period", "unit_mismatch", "unidentified", "no_data", "csv_file"})


@dataclass
class Seen:
    """What the chooser and `status` need of one file as read: whose it is, its hash and dates,
    whether it can count, its error and warning counts (kept with the reading, reportgen.ingest.kept)."""

    unit: str = ""  # "" when no unit could be told
    sha256: str = ""
    received: str = ""  # the file's modification time as read (ISO)
    content_date: str = ""  # 填报日期 (ISO), when the form gives it
    used: bool = False  # could count for its unit (before choosing among the unit's files)
    errors: int = 0
    warnings: int = 0

    @classmethod
    def of(cls, f: FileRead) -> Seen:
        """Return what `f` says (before or after choosing: a file not taken keeps its findings)."""
        sub = f.submission
        return cls(
            sub.unit if sub else "", sub.sha256 if sub else "",
            sub.received.isoformat() if sub and sub.received else "",
            sub.content_date.isoformat() if sub and sub.content_date else "",
            sub is not None and not any(i.code in REJECTING for i in f.issues),
            sum(i.severity is Severity.ERROR for i in f.issues),
            sum(i.severity is Severity.WARNING for i in f.issues),
        )

    def row(self) -> list[Any]:
        """Return the fields as a JSON row (`from_row` reads it back)."""
        return [self.unit, self.sha256, self.received, self.content_date, self.used, self.errors, self.warnings]

    @classmethod
    def from_row(cls, row: Any) -> Seen:
        """Return the Seen a `row` holds (TypeError or ValueError when it is not one)."""
        unit, sha, received, content_date, used, errors, warnings = row
        if not (all(isinstance(v, str) for v in (unit, sha, received, content_date)) and isinstance(used, bool)
                and isinstance(errors, int) and isinstance(warnings, int)):
            raise TypeError("not a kept reading")
        return cls(unit, sha, received, content_date, used, errors, warnings)

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


class Action(StrEnum):
    """What the office decided about a file or a unit."""

    ACCEPT = "accept"  # this file counts for its unit
    WITHDRAW = "withdraw"  # this file never counts
    EXEMPT = "exempt"  # the unit need not report this month
    REINSTATE = "reinstate"  # undo a withdrawal (file) or an exemption (unit)


ACTION_LABEL = {Action.ACCEPT: "指定采用", Action.WITHDRAW: "撤回", Action.EXEMPT: "本月免报",
                Action.REINSTATE: "恢复"}


@dataclass
class Decision:
    """One decision of the office, as recorded in the ledger."""

    period: str
    action: Action
    unit: str
    sha256: str = ""  # the file's content, for accept / withdraw / reinstate of a file
    file_name: str = ""  # its name when decided, for people
    note: str = ""
    decided_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))


@dataclass
class Arrival:
    """A file's content as first seen: its hash, unit and name."""

    sha256: str
    unit: str
    file_name: str


@dataclass
class Register:
    """What the ledger knows of a period's files: arrival order and the office's decisions."""

    arrival: dict[str, int] = field(default_factory=dict)  # sha256 -> order seen (higher = later)
    accepted: dict[str, str] = field(default_factory=dict)  # unit -> sha256
    withdrawn: dict[str, str] = field(default_factory=dict)  # sha256 -> note
    exempt: dict[str, str] = field(default_factory=dict)  # unit -> note

    @classmethod
    def build(cls, arrival: dict[str, int], decisions: Iterable[Decision]) -> Register:
        """Return the register after `decisions` (oldest first; a later one overrides)."""
        reg = cls(arrival=dict(arrival))
        for d in decisions:
            if d.action is Action.ACCEPT:
                reg.accepted[d.unit] = d.sha256
                reg.withdrawn.pop(d.sha256, None)
            elif d.action is Action.WITHDRAW:
                reg.withdrawn[d.sha256] = d.note
                if reg.accepted.get(d.unit) == d.sha256:
                    del reg.accepted[d.unit]
            elif d.action is Action.EXEMPT:
                reg.exempt[d.unit] = d.note
            elif d.sha256:
                reg.withdrawn.pop(d.sha256, None)
            else:
                reg.exempt.pop(d.unit, None)
        return reg


def arrivals(files: Sequence[FileRead]) -> list[Arrival]:
    """Return the files that could count, oldest first by the only clues a first sighting has
    (填报日期, then modification time, then name); the ledger keeps this order from then on."""
    usable = [f for f in files if f.submission is not None and f.submission.unit]

    def key(f: FileRead) -> tuple[dt.date, dt.datetime, str]:
        s = f.submission
        assert s is not None
        return (s.content_date or dt.date.min, s.received or dt.datetime.min, f.name)

    return [Arrival(f.submission.sha256, f.submission.unit, f.name)  # type: ignore[union-attr]
            for f in sorted(usable, key=key)]


def _sha(f: FileRead) -> str:
    return f.submission.sha256 if f.submission else ""


def choose(files: Sequence[FileRead], register: Register) -> dict[str, FileRead]:
    """Return the file that counts for each unit; mark the others unused, each with the reason."""
    by_unit: dict[str, list[FileRead]] = {}
    for f in files:
        if f.submission is None:
            continue
        note = register.withdrawn.get(_sha(f))
        if note is not None:
            f.used = False
            f.issues.append(Issue(Severity.INFO, "本文件已由督查办撤回，不予采用" + (f"（{note}）" if note else ""),
                                  "withdrawn", f.name, unit=f.submission.unit))
        elif f.used:
            by_unit.setdefault(f.submission.unit, []).append(f)
    chosen: dict[str, FileRead] = {}
    for unit, group in by_unit.items():
        group.sort(key=lambda f: (register.arrival.get(_sha(f), -1), f.name), reverse=True)
        accepted = [f for f in group if _sha(f) == register.accepted.get(unit)]
        winner = accepted[0] if accepted else group[0]
        why = "督查办指定采用" if accepted else "按收到先后，采用最后收到的一份"
        chosen[unit] = winner
        for other in group:
            if other is winner:
                continue
            other.used = False
            other.issues.append(Issue(
                Severity.INFO, f"“{unit}”报送了多份文件，已采用“{winner.name}”（{why}），本文件未采用",
                "superseded", other.name, unit=unit,
            ))
    return chosen


def exempt_units(result: IngestResult, register: Register) -> None:
    """Take exempt units off `result`'s missing list (they are not chased this month)."""
    result.missing_units = [u for u in result.missing_units if u not in register.exempt]


NOT_TAKEN = ("superseded", "withdrawn")


def replaced(f: FileRead) -> bool:
    """Return True when `f` was readable but another file (or a withdrawal) replaced it."""
    return any(i.code in NOT_TAKEN for i in f.issues)


@dataclass
class FileEntry:
    """One received file as listed for the office."""

    name: str
    sha256: str
    counts: bool
    why: str  # why it counts or not, in Chinese
    errors: int
    warnings: int
    issues: list[Issue] = field(default_factory=list)
    checked_added: tuple[int, int] = (0, 0)  # errors, warnings the last check added after reading it
    unchecked: bool = False  # its unit's files came or changed since the last check


@dataclass
class UnitEntry:
    """One unit's files for the period."""

    unit: str
    expected: bool
    exempt: str | None  # the note when exempt this month
    files: list[FileEntry] = field(default_factory=list)

    @property
    def counted(self) -> FileEntry | None:
        """Return the file that counts, if any."""
        return next((f for f in self.files if f.counts), None)


UNKNOWN = "（无法识别单位）"
LAST_ARRIVED = "采用：最后收到的一份"


def _why(f: FileRead, register: Register) -> str:
    sha = _sha(f)
    if f.used:
        accepted = f.submission is not None and register.accepted.get(f.submission.unit) == sha
        return "采用：督查办指定" if accepted else LAST_ARRIVED
    if sha in register.withdrawn:
        return "不采用：已撤回"
    if replaced(f):
        return "不采用：已有其他文件被采用"
    first = next((i.message for i in f.issues if i.severity is Severity.ERROR), "")
    return f"不采用：{first}" if first else "不采用：无法读取"


def listing(result: IngestResult, register: Register) -> list[UnitEntry]:
    """Return every unit with the files received from it (expected units first, in plan order)."""
    units: dict[str, UnitEntry] = {
        u: UnitEntry(u, True, register.exempt.get(u)) for u in result.expected_units
    }
    for f in result.files:
        unit = f.submission.unit if f.submission and f.submission.unit else UNKNOWN
        entry = units.setdefault(unit, UnitEntry(unit, False, register.exempt.get(unit)))
        own = [i for i in f.issues if i.code not in NOT_TAKEN]
        entry.files.append(FileEntry(
            name=f.name, sha256=_sha(f), counts=f.used, why=_why(f, register),
            errors=sum(i.severity is Severity.ERROR for i in own),
            warnings=sum(i.severity is Severity.WARNING for i in own), issues=own,
        ))
    for entry in units.values():
        if len(entry.files) == 1 and entry.files[0].why == LAST_ARRIVED:
            entry.files[0].why = "采用"
    return list(units.values())
