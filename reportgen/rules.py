"""Who reports what, and whose answer counts: decided here, used by forms, ingest, reconcile.

- **Who must report**: a unit gets a form, is expected by `check` and `status`, and can be
  未报送 in `run` only when its form asks something: a cumulative figure (it is named in a
  task of an item with an investment target or amount milestones) or a dated milestone that
  is not an amount. A unit named only beside undated standing duties gets no form and is
  never chased.
- **Whose figure counts**: an item's cumulative figure of a metric comes from the lead unit
  of `Item.figure_tasks` (the task holding the amount milestones of that metric, else any
  amount milestone, else the first task); failing that, from the item's other units in order.
- **Which earlier figures a change is against**: those of the last period of the year recorded
  before it (`changes_since` names it when it is not last month: August never run, September's
  change holds 8—9月; `EarlierFigures` carries it to the forms' checks).
- **Whose answer decides a milestone** (`milestone_units`, `group_members`): the lead's, or each
  member's of a group milestone.
- **What an earlier month said of a node** (`earlier_standings`), and so what an answer 已完成
  without its completion date stands for (`undated_done`): never a date nobody reported.
- **Figure key**: `P07/invest`, `P07/invoice` (`model.figure_key`, re-exported here).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from reportgen.cn import UNDATED, earlier_month
from reportgen.config import Config
from reportgen.model import (
    STATUS_LABEL,
    History,
    Item,
    Metric,
    Milestone,
    MilestoneResult,
    Plan,
    Severity,
    Status,
    Task,
    amount_metric,
    figure_key,
    period_end,
    previous_month,
)

DONE_STATUSES = (Status.DONE, Status.DONE_LATE)
Standing = tuple[Status, dt.date | None]  # a milestone's status and completion date


def owners(item: Item, metric: Metric, names: Names) -> list[str]:
    """Return the units whose figure of `metric` counts for `item`, the deciding one first."""
    return list(dict.fromkeys(_owners(item, metric, names))) or [""]


def _owners(item: Item, metric: Metric, names: Names) -> Iterator[str]:
    """Yield `owners` in order, some more than once (the first is the deciding one)."""
    for task in item.figure_tasks(metric):
        yield from names.members(tuple(task.lead_units or task.units[:1]))
    yield from names.members(tuple(item.units))


def figure_owners(item: Item, metric: Metric, plan: Plan, config: Config) -> list[str]:
    """Return the units whose figure of `metric` counts for `item`, the deciding one first."""
    return owners(item, metric, Names(plan, config))


def reporting_units(plan: Plan, config: Config) -> list[str]:
    """Return the units that must report each month (those whose form asks something)."""
    return form_units(plan, config)


@dataclass
class FigureRow:
    """One cumulative figure a unit is asked for."""

    item: Item
    metric: Metric
    lead: str  # the unit whose figure counts (lead of the task holding the amount milestones)

    @functools.cached_property
    def key(self) -> str:
        """Return the figure key, e.g. `P07/invest`."""
        return figure_key(self.item.code, self.metric)


@dataclass
class MilestoneRow:
    """One non-amount milestone a unit reports on."""

    item: Item
    task: Task
    milestone: Milestone
    units: list[str]  # lead first, group phrases expanded
    leads: list[str]  # 牵头 units


@dataclass
class UnitRows:
    """Everything a unit's form asks, in plan order."""

    unit: str
    figures: list[FigureRow] = field(default_factory=list)
    milestones: list[MilestoneRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Return True when the unit has nothing to report."""
        return not self.figures and not self.milestones


# ---------------------------------------------------------------- which rows


class Names:
    """Canonical unit names: group phrases expanded, aliases resolved (built once per plan)."""

    def __init__(self, plan: Plan, config: Config) -> None:
        self.groups = config.units.groups
        self.canonical: dict[str, str] = {}
        for name, others in config.units.aliases.items():
            self.canonical.update(dict.fromkeys(others, name))
        for unit in plan.units:
            self.canonical.update(dict.fromkeys(unit.aliases, unit.name))
        # the same few lists of names recur across a plan's thousands of milestones
        self._expanded: dict[tuple[str, ...], tuple[str, ...]] = {}

    def expand(self, names: Iterable[str]) -> list[str]:
        """Return `names` with group phrases replaced by their members, aliases canonical."""
        return list(self.members(tuple(names)))

    def members(self, key: tuple[str, ...]) -> tuple[str, ...]:
        """Return `expand(key)` as a tuple, the one kept for every use of the same names."""
        found = self._expanded.get(key)
        if found is None:
            out: dict[str, None] = {}
            for name in key:
                for member in self.groups.get(name, [name]):
                    out.setdefault(self.canonical.get(member, member), None)
            found = self._expanded[key] = tuple(out)
        return found

    def rename_history(self, history: History) -> None:
        """Write each unit's standings and missed months in `history` under the name it is known by
        now (a unit renamed, its old name an alias in reportgen.toml, keeps them)."""
        canonical = self.canonical
        for by_code in history.by_unit.values():
            for code, units in by_code.items():
                if any(u in canonical for u in units):
                    by_code[code] = {canonical.get(u, u): s for u, s in units.items()}
        history.missing = {p: {canonical.get(u, u) for u in units} for p, units in history.missing.items()}

    def lead(self, task: Task) -> str:
        """Return the task's (first) lead unit."""
        leads = self.expand(task.lead_units or task.units[:1])
        return leads[0] if leads else ""


def all_unit_rows(plan: Plan, config: Config) -> dict[str, UnitRows]:
    """Return every named unit's form rows, listed units first, then in order of mention.

    A unit's items are those naming it in any task (group phrases count); its milestone rows
    are the non-amount milestones of the tasks naming it. Amount milestones are judged from the
    cumulative figures, so they are asked once per item and metric, not once per milestone.
    Units asked the same row share one row object (a city's forms ask 30,000 rows): read only.
    """
    names = Names(plan, config)
    out = {u: UnitRows(u) for u in names.expand(plan.unit_names())}
    for item in plan.items:
        rows_of: dict[str, list[MilestoneRow]] = {}  # per unit named in the item: its milestone rows
        for task in item.tasks:
            # the units of the task and of its milestones, in order of mention (most milestones
            # name the task's units, expanded once for all of them)
            task_units = task.units
            members = names.members(tuple(task_units))
            named = dict.fromkeys(members)
            leads = names.expand(task.lead_units)
            rows = []
            for m in task.milestones:
                units = members
                if m.units and m.units != task_units:
                    units = names.members(tuple(m.units))
                    named.update(dict.fromkeys(units))
                if m.metric is None:
                    rows.append(MilestoneRow(item, task, m, list(units), leads))
            for unit in named:
                found = rows_of.get(unit)
                if found is None:
                    rows_of[unit] = found = []
                found += rows
        figures = [FigureRow(item, metric, next(_owners(item, metric, names), "")) for metric in item.metrics]
        for unit, rows in rows_of.items():
            asked = out.get(unit) or out.setdefault(unit, UnitRows(unit))
            asked.figures += figures
            asked.milestones += rows
    for group in config.units.groups:
        out.pop(group, None)
    return out


def unit_rows(plan: Plan, config: Config, unit: str) -> UnitRows:
    """Return the figure and milestone rows of `unit`'s form (see all_unit_rows)."""
    return all_unit_rows(plan, config).get(unit) or UnitRows(unit)


def form_units(plan: Plan, config: Config) -> list[str]:
    """Return the units that get a form: every unit named in the plan with something to report."""
    return [u for u, rows in all_unit_rows(plan, config).items() if not rows.empty]


def carried_over(due: dt.date | None, year: int) -> bool:
    """Return True when a node due on `due` is carried into `year` (继续推进): the plan of `year`
    keeps it with a deadline of an earlier year, so last year's standing and 督办 are its own."""
    return due is not None and due.year < year


def changes_since(history: History, period: str) -> str:
    """Return the last period of `period`'s year recorded before it when that is not last month
    ("2024-07" for 2024-09: a change against its figures holds 8—9月), else "" (PeriodResult.since;
    the 汇总表 labels its earlier months by it too, the forms' checks name the month by it)."""
    earlier = [p for p in history.figures.keys() | history.statuses.keys() | history.by_unit.keys()
               if p[:4] == period[:4] and p < period]
    last = max(earlier, default="")
    return "" if last == previous_month(period) else last


class EarlierFigures(dict[str, float]):
    """The cumulative figures a form's figures are checked against ("P07/invest" -> 亿元): those of
    the last period recorded before the one read, with `since` naming that period when it is not
    last month (`changes_since`: "2024-07" when August was never run)."""

    def __init__(self, figures: Mapping[str, float] | None = None, since: str = "") -> None:
        super().__init__(figures or {})
        self.since = since


def earlier_figures(history: History, period: str) -> EarlierFigures:
    """Return the cumulative figures of the latest recorded period before `period`, and when that
    is not last month, which period it is."""
    prev = history.previous_period(period)
    return EarlierFigures(history.figures.get(prev, {}) if prev else {}, changes_since(history, period))


def earlier_standings(
    history: History, period: str, m: Milestone, unit: str | None,
) -> Iterator[tuple[str, Standing]]:
    """Yield a milestone's earlier standings (of one unit when `unit` is given), latest first,
    each with the period it was recorded in.

    A node the new year's plan keeps with last year's deadline (继续推进) is the node of last
    year's periods: done then, it stays done (its form of January has no pre-filled answer)."""
    code = m.code
    known = history.statuses.keys() | history.by_unit.keys()
    if carried_over(m.due, int(period[:4])):
        periods = sorted(p for p in known if p < period)
    else:
        periods = sorted(p for p in known if p.startswith(period[:4]) and p < period)
    for p in reversed(periods):
        per_unit = history.by_unit.get(p, {}).get(code)
        # without a per-unit record the milestone's own standing stands for every unit
        found = (
            per_unit.get(unit) if unit is not None and per_unit
            else history.statuses.get(p, {}).get(code)
        )
        if found is not None:
            yield p, found


def undated_done(
    history: History, period: str, cut_off: dt.date, m: Milestone, unit: str,
) -> tuple[Standing | None, Severity | None, str]:
    """Return what an answer 已完成 without a completion date stands for, and the words saying so
    (none when an earlier month gave its date).

    Never a guessed date: the standing of an earlier month that had it done; 已完成 with the date
    unknown when the node is due on or after the cut-off (done by then is on time) or has no due
    date; 逾期完成 with the date unknown when an earlier month had it 逾期未完成 (not done at a
    cut-off already past the due date); otherwise None — on time or late cannot be told, the
    answer is not taken (the node is 未报送 for the unit) and the unit is asked for the date."""
    said = "报为已完成但未填写实际完成日期"
    standings = list(earlier_standings(history, period, m, unit))
    if standings and standings[0][1][0] in DONE_STATUSES:
        p, (status, day) = standings[0]
        if day is not None:  # known: nothing to ask
            return standings[0][1], None, ""
        return standings[0][1], Severity.WARNING, (
            f"{said}；截至{earlier_month(period, p)}已为“{STATUS_LABEL[status]}”（完成日期{UNDATED}），仍按此计，"
            f"完成日期记为“{UNDATED}”；请在本行“实际完成日期”栏补填")
    fill = "请在本行“实际完成日期”栏补填"
    if m.due is None or m.due >= cut_off:
        why = "该节点无完成时限" if m.due is None else (
            f"完成时限 {m.due:%Y-%m-%d} 不早于数据截止日 {cut_off:%Y-%m-%d}")
        return (Status.DONE, None), Severity.WARNING, (
            f"{said}；{why}，按“已完成”计，完成日期记为“{UNDATED}”；{fill}")
    for p, (status, _day) in standings:
        if status is Status.OVERDUE and m.due <= period_end(p):
            return (Status.DONE_LATE, None), Severity.WARNING, (
                f"{said}；截至{earlier_month(period, p)}仍为“逾期未完成”，按“逾期完成”计，"
                f"完成日期记为“{UNDATED}”；{fill}")
    return None, Severity.ERROR, (
        f"{said}；完成时限 {m.due:%Y-%m-%d} 早于数据截止日 {cut_off:%Y-%m-%d}，无从判断是按期完成还是逾期完成，"
        "“已完成”本月未采用，该节点视为未报送；请在本行“实际完成日期”栏填写后重新报送")


def milestone_units(task: Task, m: Milestone) -> tuple[list[str], str]:
    """Return a milestone's responsible units and its lead (the task's 牵头 unit among them, else the first)."""
    units = list(m.units or task.units)
    leads = [u for u in task.lead_units if u in units]
    return units, leads[0] if leads else (units[0] if units else "")


def group_members(task: Task, units: list[str], config: Config) -> list[str] | None:
    """Return the members who each answer for themselves, or None for an ordinary milestone."""
    leads = [u for u in task.lead_units if u in units]
    if len(leads) > 1:
        return leads
    if len(units) > 1 and any(set(units) == set(g) for g in config.units.groups.values()):
        return units
    return None


def reached_by_figure(m: MilestoneResult) -> bool:
    """Return True when `m` is an amount judged from its cumulative figure: its completion date is
    the cut-off of the first report whose figure had reached the amount (reconcile's
    _amount_completion), not a day anyone reported it done. The rule is the plan node's
    (Milestone.metric): model.amount_metric."""
    return amount_metric(m.kind, m.amount_yi) is not None
