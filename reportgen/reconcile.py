"""Plan + submissions + history + as-of date → where every milestone, item and unit stands.

Pure: no file, database or clock is touched; everything comes in as arguments.

Rules beyond DESIGN §3, as the office reads a month:

- **Who decides a milestone.** A shared milestone (several units on one task) is decided by
  the lead unit's report (the task's 牵头 unit among the milestone's units, else the first
  named). When the lead sent nothing but a supporting unit answered, that answer is used and
  an info issue says so. Supporting units whose answer differs get a warning.
- **Group milestones** (a group phrase such as 各产业招商服务中心, expanded by the plan into
  its member units, or a task with several 牵头 units): every member answers for itself and
  carries its own status in `MilestoneResult.by_unit` and in its unit counts. The milestone
  as a whole is done only when every member is done (its completion date is the last
  member's; `done_late` when any member was late); while a member is open, the milestone is
  open by its date, and `not_reported` only when no open member answered at all.
- **Not reported.** An open milestone whose deciding unit sent no form this period is
  `not_reported`, however far its due date: the office cannot say the work is on track
  without a report, and 催报 is what it wants to send. The same holds for a row missing
  from a unit's form (ingest says so as `row_missing`). A milestone completed in an earlier
  period keeps that status and date. A row present with its status left blank is judged by
  the date as not completed (and warned), since the unit had the form in its hands.
- **Amount milestones** (`Milestone.metric` set) are judged from the cumulative figure of the
  item and metric, never from a status cell: done once the figure reaches the amount, dated
  at the end of the first period from which the figure stayed at or above it.
- **Figures.** The cumulative figure of an item and metric is taken from its owner, the unit
  the form names (`forms.FigureRow.lead`): the lead of `Item.figure_tasks` (the task holding
  the item's amount milestones of that metric, else any amount milestone, else the first task); failing that, the first
  other unit of the item that reported it. Nobody reporting leaves last period's figure in
  place (carried: no 本月新增, `ItemResult.reported_by` empty).
- **Unit rate** is the on-time completion rate: milestones done on time among those due by
  the as-of date. Rank 1 is the best; equal rates share a rank; a unit with nothing due is
  not ranked.
- **Phased target** (`ItemResult.phased_target_yi`): the largest 完成投资 amount due by the
  as-of date; for an item staged only by 开票 amounts (设备 targets), the largest of those.
- Milestones without a due date are never overdue, due soon or counted as due.
- **Trend.** An item below 序时进度 in this month and the BEHIND_TREND_MONTHS − 1 calendar months
  before it (as recorded) is `behind_trend`; the bulletin cites it (连续两个月低于序时进度) and the
  history workbook marks the same months (`months_behind` is the one rule).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportgen import crosscheck, rules
from reportgen import formspec as fs
from reportgen.calendar import is_due_soon, is_overdue, month_calendar, to_confirm
from reportgen.cn import change_words, earlier_month, round_half_up
from reportgen.config import Config
from reportgen.fsutil import printable_name
from reportgen.issue_order import merge_issues
from reportgen.model import (
    METRIC_LABEL,
    REPORTED_LABEL,
    STATUS_LABEL,
    FigureReport,
    History,
    Issue,
    Item,
    ItemResult,
    Metric,
    Milestone,
    MilestoneReport,
    MilestoneResult,
    MonthDates,
    PeriodResult,
    Plan,
    Reported,
    Severity,
    Status,
    Submission,
    Task,
    Totals,
    UnitResult,
    figure_key,
    period_end,
    previous_month,
)

DONE_STATUSES = rules.DONE_STATUSES
_EPS = 1e-9  # amounts are floats in 亿元; 0.1 + 0.2 must still reach 0.3
_AMOUNT_PLACES = 6  # 亿元 to 100 元: a derived amount is rounded here, so 1.5 − 1.2 is 0.3 in every cell


def _amount(value: float) -> float:
    """Return a derived amount in 亿元 without float noise (1.5 − 1.2 → 0.3, not 0.30000000000000004)."""
    return round(value, _AMOUNT_PLACES)


def schedule_rate(as_of: dt.date) -> float:
    """Return 序时进度 at `as_of`: month/12 on a month's last day, else day of year / days in year."""
    last = calendar.monthrange(as_of.year, as_of.month)[1]
    if as_of.day == last:
        return as_of.month / 12
    days = 366 if calendar.isleap(as_of.year) else 365
    return as_of.timetuple().tm_yday / days


def schedule_gap(rate: float | None, schedule: float) -> float | None:
    """Return rate − 序时进度 in percentage points as printed: the difference of the two
    percentages each rounded half up to one decimal, so a reader's subtraction agrees."""
    if rate is None:
        return None
    return float(round_half_up(rate * 100, 1) - round_half_up(schedule * 100, 1))


def vs_schedule(rate: float | None, schedule: float, tolerance: float) -> str:
    """Return "ahead", "behind" or "on" for a completion rate against 序时进度 ("" without a rate).

    Decided on the printed percentages (`schedule_gap`), so a paper never says 低于 beside two
    equal figures; within `tolerance` (a fraction) counts as on schedule."""
    gap = schedule_gap(rate, schedule)
    if gap is None:
        return ""
    if abs(gap) <= tolerance * 100 + _EPS or abs(gap) < 0.05:
        return "on"
    return "ahead" if gap > 0 else "behind"


# An item below 序时进度 this many months running is cited as a trend in the bulletin.
BEHIND_TREND_MONTHS = 2


def months_behind(vs_by_period: Mapping[str, str], period: str) -> int:
    """Return how many calendar months in a row, ending with `period`, stood "behind" 序时进度
    in `vs_by_period` (period -> vs_schedule); 0 when `period` is not behind. A month with no
    record breaks the run."""
    count, p = 0, period
    while vs_by_period.get(p) == "behind":
        count += 1
        p = previous_month(p)
    return count


_CELL = re.compile(r"[A-Z]{1,3}(\d+)")


def _row_of(cell: str) -> str:
    """Return the row of a cell address ("G7" -> "7"); the address itself when it names no row."""
    found = _CELL.fullmatch(cell)
    return found.group(1) if found else cell


def _yi(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- context


@dataclass
class _Context:
    """What every rule needs: the period, the date, the reports and the earlier periods."""

    period: str
    as_of: dt.date
    config: Config
    subs: dict[str, Submission]  # unit -> its submission
    history: History
    earlier: list[str]  # periods of the same year before this one, oldest first
    issues: list[Issue]
    dates: MonthDates
    names: rules.Names

    def open_status(self, due: dt.date | None) -> Status:
        """Return the status of a milestone not completed, by its due date and the calendar."""
        if is_overdue(self.dates, due):
            return Status.OVERDUE
        if is_due_soon(self.dates, due):
            return Status.DUE_SOON
        return Status.IN_PROGRESS

    def completion_fallback(self) -> dt.date:
        """Return the day an amount reached this period is dated: the period end (not after as-of)."""
        return min(period_end(self.period), self.as_of)

    def warn(self, severity: Severity, code: str, message: str, unit: str = "",
             sub: Submission | None = None, cell: str = "", sheet: str = "") -> None:
        """Add an issue, unless reading the file already reported the same thing on that row (the
        reader names the cell it read, e.g. the empty 实际完成日期 beside the 已完成 said here)."""
        if sub is not None and _said(sub, cell, frozenset({code})):
            return
        self.issues.append(Issue(
            severity=severity, message=message, code=code, unit=unit,
            file=_file_label(sub.file, self.period) if sub else "", sheet=sheet, cell=cell,
        ))

    def earlier_standing(self, m: Milestone, unit: str | None) -> tuple[Status, dt.date | None] | None:
        """Return the latest earlier standing of a milestone (of one unit when `unit` is given)."""
        found = self.earlier_standing_at(m, unit)
        return found[1] if found else None

    def earlier_standing_at(
        self, m: Milestone, unit: str | None,
    ) -> tuple[str, tuple[Status, dt.date | None]] | None:
        """Return the latest earlier standing of a milestone with the period it was recorded in."""
        return next(rules.earlier_standings(self.history, self.period, m, unit), None)

    def owners(self, item: Item, metric: Metric) -> list[str]:
        """Return the units whose figure counts for an item and metric, the deciding one first."""
        return rules.owners(item, metric, self.names)

    def earlier_figure(self, key: str) -> float | None:
        """Return the latest earlier cumulative figure of `key` ("P07/invest")."""
        found = self.earlier_figure_at(key)
        return found[1] if found else None

    def earlier_figure_at(self, key: str) -> tuple[str, float] | None:
        """Return the latest earlier cumulative figure of `key` with the period it was recorded in
        (not always last month: a month may never have been run)."""
        for p in reversed(self.earlier):
            value = self.history.figures.get(p, {}).get(key)
            if value is not None:
                return p, value
        return None


def _file_label(path: str, period: str) -> str:
    """Return a file's name as ingest shows it: relative to the period's folder when inside it."""
    posix = printable_name(path).replace("\\", "/")
    marker = f"/{period}/"
    return posix.rsplit(marker, 1)[1] if marker in posix else posix.rsplit("/", 1)[-1]


# ---------------------------------------------------------------- entry


def reconcile(
    plan: Plan,
    submissions: Sequence[Submission],
    history: History,
    as_of: dt.date,
    period: str,
    config: Config,
    reporting: Sequence[str] | None = None,
) -> PeriodResult:
    """Return the reconciled state of `period` at `as_of` (statuses, figures, unit standings).

    `reporting` is who must report (rules.reporting_units), when the caller has it already.
    """
    ctx = _context(plan, submissions, history, as_of, period, config)
    subs, dates = ctx.subs, ctx.dates
    figures: dict[str, float | None] = {}
    fresh: dict[str, str] = {}  # figure key -> the unit whose figure of this period counts
    items: list[ItemResult] = []
    for item in plan.items:
        for metric in item.metrics:
            key = figure_key(item.code, metric)
            figures[key], source = _figure(ctx, item, metric)
            if source:
                fresh[key] = source
    milestones: list[MilestoneResult] = []
    for item in plan.items:
        for task in item.tasks:
            for m in task.milestones:
                milestones.append(_milestone(ctx, item, task, m, figures, fresh))
    sched = schedule_rate(as_of)
    for item in plan.items:
        items.append(_item(ctx, item, figures, fresh, sched))
    units = _units(plan, config, milestones, subs, as_of, history, period, reporting)
    own = [i for s in subs.values() for i in s.issues]
    result = PeriodResult(
        period=period,
        as_of=as_of,
        plan_year=plan.year,
        plan_title=plan.title,
        plan_version=plan.version,
        schedule_rate=sched,
        items=items,
        milestones=milestones,
        units=units,
        issues=merge_issues(own, ctx.issues),
        submissions=[subs[u] for u in sorted(subs)],
        dates=dates, since=rules.changes_since(history, period),
    )
    result.totals = totals(result, ctx.config)
    return result


def _context(plan: Plan, submissions: Sequence[Submission], history: History, as_of: dt.date, period: str,
             config: Config) -> _Context:
    """Return what the rules of `period` at `as_of` need: one submission per unit, the earlier periods."""
    subs: dict[str, Submission] = {}
    for s in sorted(submissions, key=lambda s: (s.unit, s.received or dt.datetime.min, s.file)):
        subs[s.unit] = s  # ingest keeps one per unit; should two come, the newer wins
    earlier = sorted(p for p in history.figures.keys() | history.statuses.keys() | history.by_unit.keys()
                     if p.startswith(period[:4]) and p < period)
    return _Context(period, as_of, config, subs, history, earlier, [], month_calendar(period, as_of, config),
                    rules.Names(plan, config))


def answer_issues(
    plan: Plan, submissions: Sequence[Submission], history: History, period: str, config: Config,
) -> list[Issue]:
    """Return, for `check`, what `run` says of the answers at the period's last day beyond each form's
    own reading (units that disagree, a node done before reported open, 已完成 without a date…), in the
    same words: only what `crosscheck.contested` names is judged (a city's forms hold 18,000 answers)."""
    ctx = _context(plan, submissions, history, period_end(period), period, config)
    picked = crosscheck.contested(plan, list(ctx.subs.values()), history, period)
    for item, metric in picked.figures:
        _figure(ctx, item, metric)
    for item, task, m in picked.milestones:
        _judge_node(ctx, item, task, m, {}, {})
    return ctx.issues


# ---------------------------------------------------------------- figures


def _figure(ctx: _Context, item: Item, metric: Metric) -> tuple[float | None, str]:
    """Return the item's cumulative figure of `metric` and the unit that reported it this
    period ("" when nobody did and last period's figure is carried)."""
    key = figure_key(item.code, metric)
    reported: list[tuple[str, FigureReport]] = []
    for unit in ctx.owners(item, metric):
        sub = ctx.subs.get(unit)
        fig = sub.figures.get(key) if sub else None
        if fig is not None and fig.value_yi is not None:
            reported.append((unit, fig))
    label = f"{item.name}{METRIC_LABEL[metric]}"  # in the reader's words: no codes on paper
    if not reported:
        return ctx.earlier_figure(key), ""
    unit, fig = reported[0]
    for other, ofig in reported[1:]:
        if abs((ofig.value_yi or 0.0) - (fig.value_yi or 0.0)) > _EPS:
            ctx.warn(
                Severity.WARNING, "figure_disagree",
                f"{label}：{other} 报累计 {_yi(ofig.value_yi or 0.0)} 亿元，与{unit}所报 "
                f"{_yi(fig.value_yi or 0.0)} 亿元不一致，以{unit}为准",
                other, ctx.subs[other], ofig.cell, fs.SHEET_FIGURES,
            )
    value = fig.value_yi or 0.0
    found = ctx.earlier_figure_at(key)
    previous = found[1] if found else None
    sub = ctx.subs[unit]
    if found is not None and value < found[1] - _EPS:
        then = earlier_month(ctx.period, found[0])
        ctx.warn(
            Severity.WARNING, "cumulative_decreased",
            f"{label}：本月累计 {_yi(value)} 亿元，低于{then}累计 {_yi(found[1])} 亿元，请核实",
            unit, sub, fig.cell, fs.SHEET_FIGURES,
        )
    limit = ctx.config.check.jump_factor * (item.target_yi or 0.0)
    if previous is not None and limit > 0 and value - previous > limit:
        ctx.warn(
            Severity.WARNING, "implausible_jump",
            f"{label}：{change_words(ctx.period, found[0] if found else '')} {_yi(value - previous)} 亿元，"
            "超过年度目标的 "
            f"{ctx.config.check.jump_factor:g} 倍，可能将万元误填为亿元，请核实",
            unit, sub, fig.cell, fs.SHEET_FIGURES,
        )
    return value, unit


# ---------------------------------------------------------------- milestones


def _done_status(due: dt.date | None, completed_on: dt.date) -> Status:
    return Status.DONE_LATE if due is not None and completed_on > due else Status.DONE


def _amount_completion(
    ctx: _Context, m: Milestone, key: str, value: float | None
) -> dt.date | None:
    """Return when an amount milestone was reached: the end of the first period from which
    the figure stayed at or above the amount (None when the current figure is short of it)."""
    assert m.amount_yi is not None
    if value is None or value < m.amount_yi - _EPS:
        return None
    reached = ctx.completion_fallback()
    for p in reversed(ctx.earlier):
        past = ctx.history.figures.get(p, {}).get(key)
        if past is None:
            continue
        if past < m.amount_yi - _EPS:
            break
        reached = period_end(p)
    return reached


def _judge_report(
    ctx: _Context, m: Milestone, unit: str, rep: MilestoneReport, label: str
) -> tuple[Status, dt.date | None]:
    """Return the standing of one unit's answer (its form's row) on a status milestone."""
    sub = ctx.subs[unit]
    found = ctx.earlier_standing_at(m, unit)
    earlier = found[1] if found else None
    if rep.status is None:
        if earlier is not None and earlier[0] in DONE_STATUSES:
            return earlier
        if _said(sub, rep.cell, _STATUS_UNREADABLE):
            # a word the reader could not take (基本完成): done or not cannot be told, so the answer is
            # not taken and the node stands 未报送 for the unit (chased: render/refusals.py)
            return _unreported(ctx, m, unit)
        ctx.warn(Severity.WARNING, "status_missing", f"{label}：未填写完成状态，按未完成处理",
                 unit, sub, rep.cell, fs.SHEET_MILESTONES)
        return ctx.open_status(m.due), None
    if rep.status is Reported.DONE:
        return _judge_done(ctx, m, unit, rep, label)
    if found is not None and found[1][0] in DONE_STATUSES:
        ctx.warn(
            Severity.WARNING, "status_reverted",
            f"{label}：截至{earlier_month(ctx.period, found[0])}已为“已完成”，本月报为"
            f"“{REPORTED_LABEL[rep.status]}”，按本月所报处理",
            unit, sub, rep.cell, fs.SHEET_MILESTONES,
        )
    return ctx.open_status(m.due), None


# what the reader says of a status or a completion date it could not take (on the answer's row)
_STATUS_UNREADABLE, _DATE_UNUSABLE = frozenset({"bad_status"}), frozenset({"bad_date", "date_out_of_year"})

def _said(sub: Submission, cell: str, codes: frozenset[str]) -> bool:
    """Return True when reading the file reported one of `codes` on the row of `cell`."""
    row = _row_of(cell)
    return any(i.code in codes and _row_of(i.cell) == row for i in sub.issues)


def _judge_done(ctx: _Context, m: Milestone, unit: str, rep: MilestoneReport, label: str) -> Standing:
    """Return the standing of an answer 已完成; without a date, what `rules.undated_done` makes certain
    (else 未报送); a date typed that cannot be used (unreadable, outside the year, after the
    period) leaves it 未报送."""
    sub = ctx.subs[unit]
    completed = rep.completed_on
    if completed is None and _said(sub, rep.cell, _DATE_UNUSABLE):
        return _unreported(ctx, m, unit)  # the reader named the cell and said so
    if completed is None:
        standing, severity, words = rules.undated_done(ctx.history, ctx.period, ctx.as_of, m, unit)
        if severity is not None:
            # named at the cell to fill: the 实际完成日期 left empty (the status cell when none was read)
            ctx.warn(severity, "date_missing", f"{label}：{words}", unit, sub, rep.date_cell or rep.cell,
                     fs.SHEET_MILESTONES)
        return standing if standing is not None else _unreported(ctx, m, unit)
    if completed > ctx.as_of:  # after the day the form reports on (the reader said so), or the as-of
        end = period_end(ctx.period)
        ctx.warn(
            Severity.ERROR if completed > end else Severity.WARNING, "date_after_period",
            f"{label}：实际完成日期 {completed:%Y-%m-%d} 晚于" + (
                f"本期截止日 {end:%Y-%m-%d}，“已完成”本月未采用，该节点视为未报送；如日期填错，请改正后重新报送"
                if completed > end else f"数据截止日 {ctx.as_of:%Y-%m-%d}，请核实"),
            unit, sub, rep.cell, fs.SHEET_MILESTONES,
        )
        if completed > end:
            return _unreported(ctx, m, unit)
    return _done_status(m.due, completed), completed


def _unreported(ctx: _Context, m: Milestone, unit: str | None) -> tuple[Status, dt.date | None]:
    """Return the standing of a milestone nobody answered: kept if done before, else not_reported."""
    earlier = ctx.earlier_standing(m, unit)
    if earlier is not None and earlier[0] in DONE_STATUSES:
        return earlier
    return Status.NOT_REPORTED, None


Standing = tuple[Status, dt.date | None]


@dataclass
class _Judged:
    """How a milestone stands (overall and for each unit) and on whose report."""

    standing: Standing
    by_unit: dict[str, Standing]
    report: MilestoneReport | None = None
    decided_by: str = ""


def _label(item: Item, m: Milestone) -> str:
    """Return how messages name a milestone: its item, the start of its clause and its due date."""
    clause = m.text[:30] + ("…" if len(m.text) > 30 else "")
    return f"{item.name}节点“{clause}”（{m.due_text or (m.due and f'{m.due:%Y-%m-%d}') or '无时限'}）"


def _milestone(
    ctx: _Context, item: Item, task: Task, m: Milestone,
    figures: dict[str, float | None], fresh: dict[str, str],
) -> MilestoneResult:
    judged, units, lead, members = _judge_node(ctx, item, task, m, figures, fresh)
    status, completed_on = judged.standing
    # late by the cut-off; time left counted from the issue date, the day the papers go out
    days_overdue = (ctx.as_of - m.due).days if status is Status.OVERDUE and m.due else 0
    days_left = (
        (m.due - ctx.dates.issue).days
        if m.due is not None and status not in (*DONE_STATUSES, Status.OVERDUE) else None
    )
    open_ = [s for s, _ in judged.by_unit.values() if s is Status.IN_PROGRESS] or (
        [status] if status is Status.IN_PROGRESS else [])
    return MilestoneResult(
        code=m.code, item=item.code, item_name=item.name, task=task.code, text=m.text,
        due=m.due, units=units, lead=lead, kind=m.kind, amount_yi=m.amount_yi,
        status=status, completed_on=completed_on, days_overdue=days_overdue,
        days_left=days_left, report=judged.report, by_unit=judged.by_unit,
        unit_reports={u: ctx.subs[u].milestones[m.code] for u in units
                      if u in ctx.subs and m.code in ctx.subs[u].milestones},
        decided_by=judged.decided_by,
        group=members is not None,
        confirm=bool(open_) and to_confirm(ctx.dates, m.due),
    )


def _judge_node(
    ctx: _Context, item: Item, task: Task, m: Milestone, figures: dict[str, float | None], fresh: dict[str, str],
) -> tuple[_Judged, list[str], str, list[str] | None]:
    """Return how `m` stands, its units, the unit it is led by and its members (a group milestone's)."""
    units, lead = rules.milestone_units(task, m)
    members = rules.group_members(task, units, ctx.config)
    if m.metric is not None:
        return _by_amount(ctx, item, m, m.metric, units, figures, fresh), units, lead, members
    if members is not None:
        return _by_members(ctx, m, units, members, _label(item, m)), units, members[0], members
    return _by_decider(ctx, m, units, lead, _label(item, m)), units, lead, members


def _by_amount(ctx: _Context, item: Item, m: Milestone, metric: Metric, units: list[str],
               figures: dict[str, float | None], fresh: dict[str, str]) -> _Judged:
    """Judge an amount milestone (e.g. 完成投资 5 亿元) by the item's cumulative `metric` figure."""
    key = figure_key(item.code, metric)
    completed = _amount_completion(ctx, m, key, figures.get(key))
    standing: Standing
    if completed is not None:
        standing = (_done_status(m.due, completed), completed)
    elif key not in fresh and ctx.owners(item, metric)[0] not in ctx.subs:
        standing = _unreported(ctx, m, None)
    else:
        standing = (ctx.open_status(m.due), None)
    return _Judged(standing, {u: standing for u in units})


def _by_members(ctx: _Context, m: Milestone, units: list[str], members: list[str], label: str) -> _Judged:
    """Judge a group milestone: each unit on its own report, done only when every member is."""
    by_unit = {}
    for u in units:
        rep = ctx.subs[u].milestones.get(m.code) if u in ctx.subs else None
        by_unit[u] = _judge_report(ctx, m, u, rep, label) if rep is not None else _unreported(ctx, m, u)
    report = ctx.subs[members[0]].milestones.get(m.code) if members[0] in ctx.subs else None
    return _Judged(_group_standing(ctx, m, [by_unit[u] for u in members]), by_unit, report)


def _by_decider(ctx: _Context, m: Milestone, units: list[str], lead: str, label: str) -> _Judged:
    """Judge a shared milestone by the one unit whose report decides it (rules' owner)."""
    decider = _decider(ctx, m, units, lead, label)
    if decider is None:
        standing = _unreported(ctx, m, None)
        return _Judged(standing, {u: standing for u in units})
    report = ctx.subs[decider].milestones[m.code]
    standing = _judge_report(ctx, m, decider, report, label)
    _check_supporters(ctx, m, units, decider, standing, label)
    return _Judged(standing, {u: standing for u in units}, report, decider)


def _group_standing(
    ctx: _Context, m: Milestone, members: list[tuple[Status, dt.date | None]]
) -> tuple[Status, dt.date | None]:
    """Return a group milestone's overall standing from its members' (done only when all are)."""
    if members and all(s in DONE_STATUSES for s, _ in members):
        dates = [d for _, d in members if d is not None]
        # the last member's date; unknown when a member's is (the latest known one is no date)
        last = max(dates) if dates and len(dates) == len(members) else None
        late = any(s is Status.DONE_LATE for s, _ in members)
        return (Status.DONE_LATE if late else Status.DONE), last
    open_ = [s for s, _ in members if s not in DONE_STATUSES]
    if all(s is Status.NOT_REPORTED for s in open_):
        return Status.NOT_REPORTED, None
    return ctx.open_status(m.due), None


def _decider(
    ctx: _Context, m: Milestone, units: list[str], lead: str, label: str
) -> str | None:
    """Return the unit whose row decides a milestone: the lead's, else a supporter's answer."""
    if lead in ctx.subs and m.code in ctx.subs[lead].milestones:
        return lead
    for u in units:
        rep = ctx.subs[u].milestones.get(m.code) if u in ctx.subs else None
        if rep is not None and rep.status is not None:
            ctx.warn(
                Severity.INFO, "lead_missing",
                f"{label}：牵头单位{lead}未报送该节点，暂以配合单位{u}所报为准",
                u, ctx.subs[u], rep.cell, fs.SHEET_MILESTONES,
            )
            return u
    return None


def _check_supporters(
    ctx: _Context, m: Milestone, units: list[str], decider: str,
    standing: tuple[Status, dt.date | None], label: str,
) -> None:
    """Warn where a supporting unit's answer disagrees with the deciding one."""
    decided_done = standing[0] in DONE_STATUSES
    for u in units:
        if u == decider or u not in ctx.subs:
            continue
        rep = ctx.subs[u].milestones.get(m.code)
        if rep is None or rep.status is None:
            continue
        says_done = rep.status is Reported.DONE
        if says_done != decided_done or (
            says_done and rep.completed_on is not None and rep.completed_on != standing[1]
        ):
            theirs = REPORTED_LABEL[rep.status] + (
                f"（{rep.completed_on:%Y-%m-%d}）" if says_done and rep.completed_on else ""
            )
            ours = STATUS_LABEL[standing[0]] + (
                f"（{standing[1]:%Y-%m-%d}）" if standing[1] else ""
            )
            ctx.warn(
                Severity.WARNING, "shared_disagree",
                f"{label}：配合单位{u}报“{theirs}”，与牵头单位{decider}所报“{ours}”不一致，"
                f"以牵头单位为准",
                u, ctx.subs[u], rep.cell, fs.SHEET_MILESTONES,
            )


# ---------------------------------------------------------------- items and units


def _item(
    ctx: _Context, item: Item, figures: dict[str, float | None], fresh: dict[str, str],
    sched: float,
) -> ItemResult:
    key = figure_key(item.code, Metric.INVEST)
    cumulative = figures.get(key)
    previous = ctx.earlier_figure(key)
    if previous is None and ctx.period.endswith("-01") and cumulative is not None:
        previous = 0.0  # January starts the year's count from nothing
    # 本月新增 only against an earlier figure: a first figure is cumulative since January
    added = (
        _amount(cumulative - previous)
        if key in fresh and cumulative is not None and previous is not None else None
    )
    target = item.target_yi
    rate = cumulative / target if cumulative is not None and target else None
    # the stages of an item's target are its 完成投资 amounts; a 设备 item staged only by
    # 开票 amounts (P09: 1/2/3亿 by Oct/Nov/Dec) is staged by those
    staged = [m for m in item.milestones if m.metric is Metric.INVEST and m.amount_yi] or [
        m for m in item.milestones if m.metric is Metric.INVOICE and m.amount_yi
    ]
    phased = [m.amount_yi or 0.0 for m in staged if m.due is not None and m.due <= ctx.as_of]
    fell = previous is not None and added is not None and added < -_EPS
    vs = vs_schedule(rate, sched, ctx.config.check.schedule_tolerance)
    trend = {p: by_item.get(item.code, "") for p, by_item in ctx.history.vs_schedule.items() if p < ctx.period}
    behind = months_behind({**trend, ctx.period: vs}, ctx.period)
    return ItemResult(
        code=item.code, name=item.name, section=item.section, target_yi=target,
        cumulative_yi=cumulative, previous_yi=previous, month_added_yi=added, rate=rate,
        schedule_rate=sched,
        vs_schedule=vs,
        schedule_gap=schedule_gap(rate, sched),
        phased_target_yi=max(phased) if phased else None,
        invoice_yi=figures.get(figure_key(item.code, Metric.INVOICE)),
        units=item.units,
        reported_by=fresh.get(key, ""),
        first_figure=key in fresh and previous is None and bool(ctx.earlier),
        fell_from=previous if fell else None,
        behind_months=behind,
        behind_trend=behind >= BEHIND_TREND_MONTHS,
        rejected=key not in fresh and _rejected(ctx, item, key),
        carried_from=_carried_from(ctx, key) if key not in fresh and cumulative is not None else "",
    )


def _carried_from(ctx: _Context, key: str) -> str:
    """Return the period a carried figure was recorded in when it is not last month ("" when it is)."""
    found = ctx.earlier_figure_at(key)
    return found[0] if found and found[0] != previous_month(ctx.period) else ""


def _rejected(ctx: _Context, item: Item, key: str) -> bool:
    """Return True when the figure's owner wrote a figure this period that was not taken."""
    sub = ctx.subs.get(ctx.owners(item, Metric.INVEST)[0])
    fig = sub.figures.get(key) if sub else None
    if sub is None or fig is None or fig.value_yi is not None:
        return False
    return any(i.severity is Severity.ERROR and i.cell == fig.cell for i in sub.issues)


def _missed_months(unit: str, period: str, history: History) -> int:
    """Return how many periods in a row, this one included, `unit` has sent nothing."""
    count, p = 1, previous_month(period)
    while unit in history.missing.get(p, set()):
        count += 1
        p = previous_month(p)
    return count


def _units(
    plan: Plan, config: Config, milestones: list[MilestoneResult], subs: dict[str, Submission],
    as_of: dt.date, history: History, period: str, reporting: Sequence[str] | None,
) -> list[UnitResult]:
    # the units that get a form (rules.reporting_units): the same list as forms, check, status
    names: dict[str, None] = dict.fromkeys(
        rules.reporting_units(plan, config) if reporting is None else reporting)
    for mr in milestones:
        for u in mr.units:
            names.setdefault(u, None)
    results: dict[str, UnitResult] = {}
    for name in names:
        sub = subs.get(name)
        results[name] = UnitResult(
            name=name, submitted=sub is not None,
            files=[_file_label(sub.file, sub.period)] if sub else [],
            counts={s.value: 0 for s in Status},
            missed_months=0 if sub is not None else _missed_months(name, period, history),
        )
    on_time: dict[str, int] = dict.fromkeys(names, 0)
    for mr in milestones:
        for u, (status, _) in mr.by_unit.items():
            res = results[u]
            res.counts[status.value] += 1
            if mr.due is not None and mr.due <= as_of:
                res.due += 1
                if status is Status.DONE:
                    on_time[u] += 1
    for res in results.values():
        res.rate = on_time[res.name] / res.due if res.due else None
    # rounded so that 2/3 computed two ways is one rate: equal rates share a rank
    rates = [round(r.rate, 9) for r in results.values() if r.rate is not None]
    for r in results.values():
        if r.rate is not None:
            r.rank = 1 + sum(1 for o in rates if o > round(r.rate, 9))
    return list(results.values())


# ---------------------------------------------------------------- totals


def totals(result: PeriodResult, config: Config) -> Totals:
    """Return the period's totals as the bulletin states them (parts always add up)."""
    t = Totals(milestones=len(result.milestones))
    projects = [it for it in result.items if it.target_yi]
    t.projects = len(projects)
    t.target_yi = _amount(sum(it.target_yi or 0.0 for it in projects))
    t.cumulative_yi = _amount(sum(it.cumulative_yi or 0.0 for it in projects))
    t.previous_yi = _amount(sum(it.previous_yi or 0.0 for it in projects))
    added = [it.month_added_yi for it in projects if it.month_added_yi is not None]
    t.month_added_yi = _amount(sum(added)) if added else None
    t.first_figures = [it.code for it in projects if it.first_figure]
    t.fell = [it.code for it in projects if it.fell_from is not None]
    t.rate = t.cumulative_yi / t.target_yi if t.target_yi else None
    t.vs_schedule = vs_schedule(t.rate, result.schedule_rate, config.check.schedule_tolerance)
    t.schedule_gap = schedule_gap(t.rate, result.schedule_rate)
    for m in result.milestones:
        due = m.due is not None and m.due <= result.as_of
        if due:
            t.due += 1
            if m.status is Status.DONE:
                t.done += 1
            elif m.status is Status.DONE_LATE:
                t.done_late += 1
            elif m.status is Status.NOT_REPORTED:
                t.not_reported += 1
            else:
                t.overdue += 1  # open and due by the cut-off is always overdue
        elif m.status in DONE_STATUSES:
            t.early += 1
        elif m.status is Status.DUE_SOON:
            t.due_soon += 1
        elif m.status is Status.NOT_REPORTED:
            t.not_reported_later += 1
        elif m.confirm:
            t.confirm += 1
        else:
            t.open += 1
    return t
