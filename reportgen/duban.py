"""The 督办 ledger: every 督办通知 issued, its nodes, when it closed (销号), how often a unit
was pressed on the same nodes (escalation) and where its reply stands. Pure: built from the
notices and the milestone statuses the ledger keeps for each period.

A 督办通知 covers the nodes its unit had overdue in that period (as printed on it, when the
ledger kept them). It is closed in the first later (or the same) period whose statuses show all
of them done (销号), or some no longer asked for (`DubanEnd`: a node a revised plan deleted, or one
the next year's plan does not carry, the year it was pressed in over) undone (终止督办). A unit sent a
督办通知 again on a node it was already pressed on is a repeat: the notice cites the earlier
文号, and from the second time the 督办 is escalated.
Across plan years only a node carried over counts as the same: one the new year's plan still
dates in an earlier year (overdue since then). A yearly target under the same code (上半年完成
投资, 全年完成投资) is the new year's own, and its 督办 is a first one. An earlier year's 督办
still open when the year begins (December's, replied to in January) is on the new year's papers
until the month it is closed in (`on_papers`); after that only the register of every year
(`reportgen dubans --all`) lists it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from reportgen.cn import format_date
from reportgen.model import DubanRecord, DubanState, EarlierDuban, MilestoneResult, Plan, Status
from reportgen.rules import carried_over

NOTICE_KIND = "督办通知"
ESCALATE_AT = 2  # the second 督办 on the same node is escalated


class DubanEnd(StrEnum):
    """Why a node of a 督办通知 is no longer pressed although it was not done: once every other
    node is done its 督办 is closed as 终止督办 (not 销号: the work was not done), and the 台账 and
    bulletin say why (DubanRecord.ended, `terminated`)."""

    REMOVED = "任务分解调整，节点已删除"  # a revised plan in force that month no longer has it
    YEAR_END = "年度结束未完成"  # a later year's plan does not carry it (rules.carried_over)


# period -> milestone code -> unit -> (status, completed on), as History.by_unit keeps it
UnitStatuses = Mapping[str, Mapping[str, Mapping[str, tuple[Status, dt.date | None]]]]


@dataclass
class Notice:
    """A numbered notice as the ledger keeps it."""

    doc_no: str
    kind: str
    period: str
    unit: str
    year: int = 0  # the plan year of its 文号 series (0: not told, every notice one year)


@dataclass
class Issued:
    """What the ledger kept of a 督办通知 when it was written: its date and the nodes it named."""

    issued_on: dt.date | None = None
    reply_by: dt.date | None = None
    nodes: dict[str, str] | None = None  # code -> the node's words; None when not kept


@dataclass
class Reply:
    """A unit's first recorded reply to a 督办通知."""

    replied_on: dt.date
    note: str = ""


@dataclass
class Duban(DubanRecord):
    """One 督办通知 and where it stands, with the wording the command line prints."""

    year: int = 0  # the plan year of its 文号 series (0: not told)

    def reply_state(self, today: dt.date) -> str:
        """Return where the reply stands on `today`, in Chinese."""
        if self.replied_on is not None:
            late = self.reply_by is not None and self.replied_on > self.reply_by
            return f"{'逾期回复' if late else '已回复'}（{format_date(self.replied_on)}）"
        if self.closed:  # no longer owed: saying 逾期未回复 of it would read as still chased
            return f"未回复（督办已{'终止' if terminated(self) else '销号'}）"
        if self.reply_by is None:
            return "未记录回复"
        if today > self.reply_by:
            return f"逾期未回复（应于{format_date(self.reply_by)}前）"
        return f"待回复（{format_date(self.reply_by)}前）"

    def reply_overdue(self, today: dt.date) -> bool:
        """Return True when the reply deadline has passed without a recorded reply."""
        return self.replied_on is None and self.reply_by is not None and today > self.reply_by

    @property
    def escalated(self) -> bool:
        """Return True when the unit was pressed on these nodes before and they are still open."""
        return self.round >= ESCALATE_AT and not self.closed


_DONE = (Status.DONE, Status.DONE_LATE)


def node_order(order: Mapping[str, int]) -> Callable[[str], tuple[int, tuple[str | int, ...]]]:
    """Sort key of node codes in the order the notice lists them: the plan's (`order`: code ->
    position), a node gone from the plan after them, numbers as numbers (P82 before P341: sorted
    as text, a city's 台账 and 回复单 numbered a notice's nodes otherwise than the notice did)."""
    def key(code: str) -> tuple[int, tuple[str | int, ...]]:
        parts = re.split(r"(\d+)", code)
        return order.get(code, len(order)), tuple(int(p) if i % 2 else p for i, p in enumerate(parts))
    return key


def _nodes(n: Notice, statuses: UnitStatuses, kept: Issued | None,
           texts: Mapping[str, str], order: Mapping[str, int]) -> dict[str, str]:
    """Return the notice's nodes (code -> words) in the plan's order: as kept when written, else
    the unit's overdue nodes of that period."""
    key = node_order(order)
    if kept is not None and kept.nodes is not None:
        return {code: kept.nodes[code] for code in sorted(kept.nodes, key=key)}
    by_code = statuses.get(n.period, {})
    codes = sorted((code for code, units in by_code.items()
                    if units.get(n.unit, (None, None))[0] is Status.OVERDUE), key=key)
    return {code: texts.get(code, "") for code in codes}


def build_dubans(notices: Iterable[Notice], statuses: UnitStatuses,
                 deadlines: Mapping[str, dt.date] | None = None,
                 replies: Mapping[str, dt.date | Reply] | None = None,
                 issued: Mapping[str, Issued] | None = None,
                 texts: Mapping[str, str] | None = None,
                 dues: Mapping[str, dt.date | None] | None = None,
                 renamed: Mapping[str, str] | None = None) -> list[Duban]:
    """Return every 督办通知 with its nodes, 销号 period, round, earlier 督办 and reply, oldest first.

    `issued` is what the ledger kept of each notice (date, nodes); `texts` words a node the
    ledger did not keep (code -> the plan's text); `dues` dates the nodes in the current plan
    (code -> due, in the plan's order: a notice's nodes are listed in it), which tells a node carried
    over from an earlier plan year. `renamed` maps a unit's earlier name to its name now (the
    aliases of reportgen.toml): a unit renamed in the plan is the same unit, pressed again on the
    same node (round, earlier 文号) and its 督办 closed by the node's status under the new name;
    each 督办 keeps the name it was addressed to.
    """
    canon = (lambda unit: renamed.get(unit, unit)) if renamed else (lambda unit: unit)
    if renamed:
        statuses = {p: {code: {canon(u): s for u, s in units.items()} for code, units in by_code.items()}
                    for p, by_code in statuses.items()}
    periods = sorted(statuses)
    order = {code: i for i, code in enumerate(dues or {})}  # the plan's order of its nodes
    out: list[Duban] = []
    pressed: dict[tuple[str, str], list[tuple[int, EarlierDuban]]] = {}  # (unit, node) -> 督办 so far
    for n in sorted((n for n in notices if n.kind == NOTICE_KIND), key=lambda n: (n.period, doc_order(n.doc_no))):
        kept = (issued or {}).get(n.doc_no)
        nodes = _nodes(replace(n, unit=canon(n.unit)), statuses, kept, texts or {}, order)
        reply = (replies or {}).get(n.doc_no)
        if isinstance(reply, dt.date):
            reply = Reply(reply)
        d = Duban(n.doc_no, n.period, n.unit, list(nodes), nodes, year=n.year,
                  issued_on=kept.issued_on if kept else None,
                  reply_by=(kept.reply_by if kept and kept.reply_by else (deadlines or {}).get(n.doc_no)),
                  replied_on=reply.replied_on if reply else None, reply_note=reply.note if reply else "")
        for node in nodes:
            due = (dues or {}).get(node)
            carried = carried_over(due, n.year)
            before = [e for year, e in pressed.get((canon(n.unit), node), []) if year == n.year or carried]
            if before:
                d.earlier[node] = before
            pressed.setdefault((canon(n.unit), node), []).append(
                (n.year, EarlierDuban(n.doc_no, n.period, d.issued_on)))
        d.round = 1 + max((len(e) for e in d.earlier.values()), default=0)
        d.closed_in, d.ended = _closed_in(replace(d, unit=canon(d.unit)), periods, statuses, dues)
        out.append(d)
    return out


def _closed_in(d: Duban, periods: list[str], statuses: UnitStatuses,
               dues: Mapping[str, dt.date | None] | None) -> tuple[str | None, dict[str, str]]:
    """Return the first period (from the 督办's own) by which every node is done or ended, and the
    nodes ended undone with why (None, {} while one is open).

    A node is ended in the first period whose plan (the statuses it recorded) no longer has it: a
    revision deleted it. In a later year a node counts only when carried over (the current plan
    dates it before that year): else the year it was pressed in is over and it ended undone, unless
    done by then. The same code may name that year's own target (上半年完成投资), whose status is
    not this node's."""
    if not d.nodes:
        return None, {}
    done: dict[str, bool] = {}
    ended: dict[str, str] = {}
    for period in (p for p in periods if p >= d.period):
        later, year = statuses[period], int(period[:4])
        for code in (c for c in d.nodes if c not in ended):
            if d.year and year > d.year and dues and not carried_over(dues.get(code), year):
                if not done.get(code):
                    ended[code] = DubanEnd.YEAR_END
            elif later and code not in later:
                if not done.get(code):
                    ended[code] = DubanEnd.REMOVED
            else:
                done[code] = _done(later.get(code, {}), d.unit)
        if all(done.get(c) or c in ended for c in d.nodes):
            return period, ended
    return None, {}


def _done(units: Mapping[str, tuple[Status, dt.date | None]], unit: str) -> bool:
    """Return True when the node is done for `unit`; a node the plan since gave to other units
    (a project moved in a revision) is done when it is done for every unit now holding it."""
    own = units.get(unit)
    if own is not None:
        return own[0] in _DONE
    return bool(units) and all(s in _DONE for s, _ in units.values())


def doc_order(doc_no: str) -> tuple[str, int, str]:
    """Sort key of a 文号: its series, then its number as a number (2号 before 10号)."""
    m = re.fullmatch(r"(.*?)(\d+)号", doc_no)
    return (m.group(1), int(m.group(2)), doc_no) if m else (doc_no, 0, doc_no)


def as_of(dubans: Iterable[Duban], period: str, today: dt.date) -> list[Duban]:
    """Return the 督办 issued up to `period` as they stood on `today` (the papers' date): a
    later period's 销号 and a reply dated after `today` are not known yet."""
    out = []
    for d in dubans:
        if d.period > period:
            continue
        later = d.closed_in is not None and d.closed_in > period
        d = replace(d, closed_in=None, ended={}) if later else replace(d)
        if d.replied_on is not None and d.replied_on > today:
            d = replace(d, replied_on=None, reply_note="")
        d.state = state_on(d, today)
        out.append(d)
    return out


def on_papers(dubans: Iterable[Duban], year: int, period: str, today: dt.date) -> list[Duban]:
    """Return the 督办 `period`'s papers (plan year `year`) carry, as they stood on `today`.

    They are the year's own 督办 up to `period` and an earlier year's that was still open when
    the year began: not 销号 within its year and no reply recorded before the year began (say
    December's, whose reply falls due in January). Such a 督办 (`carried_from` its year) is
    chased, named as replied or late and listed in the 督办台账 as the year's own are, while it
    is open, and reported closed (销号 or 终止督办) in the month it closed; from the next month on
    it is not the year's business and leaves its papers (the year's own stay listed all year: the
    台账 is the year's register). One settled within its year stays in that year's papers.
    """
    start = dt.date(year, 1, 1)
    out = []
    for d in as_of(dubans, period, today):  # closed_in is None or at most `period` there
        if not d.year or d.year == year:
            out.append(d)
        elif d.year < year and d.closed_in in (None, period) and (d.replied_on is None or d.replied_on >= start):
            out.append(replace(d, carried_from=d.year))
    return out


def terminated(d: DubanRecord) -> bool:
    """Return True when `d` was closed with a node undone (`ended`: deleted by a revision, its year
    over): 终止督办, not 销号, which is said only of work done (and counted apart from it)."""
    return d.closed_in is not None and bool(d.ended)


def state_on(d: DubanRecord, today: dt.date) -> DubanState:
    """Return where a 督办 stands on `today`: 已销号, 终止督办, 已回复, 逾期未回复 or 未到期."""
    if d.closed:
        return DubanState.ENDED if terminated(d) else DubanState.CLOSED
    if d.replied_on is not None and d.replied_on <= today:
        return DubanState.REPLIED
    if d.reply_by is not None and today > d.reply_by:
        return DubanState.LATE
    return DubanState.PENDING


def open_dubans(dubans: Iterable[Duban]) -> list[Duban]:
    """Return the 督办 not yet closed, escalated ones first."""
    return sorted((d for d in dubans if not d.closed),
                  key=lambda d: (not d.escalated, d.period, doc_order(d.doc_no)))


def node_words(item_name: str, text: str) -> str:
    """Return a node as the 督办台账 names it: its project or task, then the plan's words."""
    name, clause = item_name.strip(), text.strip().rstrip("。；;，, ")
    return name if clause and clause in name else f"{name}：{clause}"  # a task named by its node


def plan_words(plan: Plan) -> dict[str, str]:
    """Return code -> words of every node of `plan` (for 督办 the ledger kept no words of)."""
    return {m.code: node_words(item.name, m.text) for item in plan.items for m in item.milestones}


def printed_nodes(milestones: Iterable[MilestoneResult], units: Iterable[str]) -> dict[str, dict[str, str]]:
    """Return unit -> code -> words of the overdue nodes each unit's 督办通知 presses (the unit's
    own standing on a node: its entry in `by_unit`, else the node's status)."""
    wanted = set(units)
    out: dict[str, dict[str, str]] = {u: {} for u in wanted}
    for m in milestones:
        for unit in dict.fromkeys(m.units):
            own = m.by_unit.get(unit, (m.status, None))[0]
            if unit in wanted and own is Status.OVERDUE:
                out[unit][m.code] = node_words(m.item_name, m.text)
    return out
