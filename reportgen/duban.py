"""The 督办 ledger: every 督办通知 issued, its nodes, when it closed (销号) and how often a unit
was pressed on the same nodes (escalation). Pure: built from the notices and the milestone
statuses the ledger keeps for each period.

A 督办通知 covers the nodes its unit had overdue in that period. It is closed (销号) in the first
later (or the same) period whose statuses show all of them done. A unit sent a 督办通知 again
on a node it was already pressed on is a repeat: from the second time the 督办 is escalated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reportgen.cn import format_date
from reportgen.model import Status

NOTICE_KIND = "督办通知"
ESCALATE_AT = 2  # the second 督办 on the same node is escalated

# period -> milestone code -> unit -> (status, completed on), as History.by_unit keeps it
UnitStatuses = Mapping[str, Mapping[str, Mapping[str, tuple[Status, dt.date | None]]]]


@dataclass
class Notice:
    """A numbered notice as the ledger keeps it."""

    doc_no: str
    kind: str
    period: str
    unit: str


@dataclass
class Duban:
    """One 督办通知 and where it stands."""

    doc_no: str
    period: str
    unit: str
    nodes: list[str] = field(default_factory=list)
    closed_in: str | None = None  # the period whose statuses show every node done (销号)
    round: int = 1  # how many 督办通知 the unit has had on any of these nodes, this one included
    reply_by: dt.date | None = None  # the reply deadline printed on the notice
    replied_on: dt.date | None = None  # the unit's first reply, when recorded

    def reply_state(self, today: dt.date) -> str:
        """Return where the reply stands on `today`, in Chinese."""
        if self.replied_on is not None:
            late = self.reply_by is not None and self.replied_on > self.reply_by
            return f"{'逾期回复' if late else '已回复'}（{format_date(self.replied_on)}）"
        if self.reply_by is None:
            return "未记录回复"
        if today > self.reply_by:
            return f"逾期未回复（应于{format_date(self.reply_by)}前）"
        return f"待回复（{format_date(self.reply_by)}前）"

    def reply_overdue(self, today: dt.date) -> bool:
        """Return True when the reply deadline has passed without a recorded reply."""
        return self.replied_on is None and self.reply_by is not None and today > self.reply_by

    @property
    def closed(self) -> bool:
        """Return True once every node is done (销号)."""
        return self.closed_in is not None

    @property
    def escalated(self) -> bool:
        """Return True when the unit was pressed on these nodes before and they are still open."""
        return self.round >= ESCALATE_AT and not self.closed


_DONE = (Status.DONE, Status.DONE_LATE)


def build_dubans(notices: Iterable[Notice], statuses: UnitStatuses,
                 deadlines: Mapping[str, dt.date] | None = None,
                 replies: Mapping[str, dt.date] | None = None) -> list[Duban]:
    """Return every 督办通知 with its nodes, 销号 period, round and reply, oldest first."""
    periods = sorted(statuses)
    out: list[Duban] = []
    pressed: dict[tuple[str, str], int] = {}  # (unit, node) -> 督办 so far
    for n in sorted((n for n in notices if n.kind == NOTICE_KIND), key=lambda n: (n.period, n.doc_no)):
        by_code = statuses.get(n.period, {})
        nodes = sorted(code for code, units in by_code.items()
                       if units.get(n.unit, (None, None))[0] is Status.OVERDUE)
        d = Duban(n.doc_no, n.period, n.unit, nodes, reply_by=(deadlines or {}).get(n.doc_no),
                  replied_on=(replies or {}).get(n.doc_no))
        for node in nodes:
            pressed[(n.unit, node)] = pressed.get((n.unit, node), 0) + 1
        d.round = max((pressed[(n.unit, node)] for node in nodes), default=1)
        for period in (p for p in periods if p >= n.period):
            later = statuses[period]
            if nodes and all(later.get(c, {}).get(n.unit, (None, None))[0] in _DONE for c in nodes):
                d.closed_in = period
                break
        out.append(d)
    return out


def open_dubans(dubans: Iterable[Duban]) -> list[Duban]:
    """Return the 督办 not yet closed, escalated ones first."""
    return sorted((d for d in dubans if not d.closed), key=lambda d: (not d.escalated, d.period, d.doc_no))
