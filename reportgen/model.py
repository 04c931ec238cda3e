"""Plain dataclasses shared by every stage: the plan, what units submit, and a period's result.

Amounts are always in 亿元 (float). Dates are `datetime.date`. Codes: item `P07` / `T04`, task `P07-1`
(`P07-0` when the item has no numbered sub-items), milestone `P07-M03` (numbered within the item, in
document order), figure key `P07/invest` or `P07/invoice`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Section(StrEnum):
    """Which part of the task-breakdown document an item comes from."""

    PROJECT = "project"  # 重点项目
    TASK = "task"  # 其它重点任务


SECTION_LABEL: dict[Section, str] = {Section.PROJECT: "重点项目", Section.TASK: "其它重点任务"}


class MilestoneKind(StrEnum):
    """What a dated requirement asks for."""

    INVESTMENT = "investment"  # 完成投资 X 亿元 (judged from the cumulative 完成投资 figure)
    INVOICE = "invoice"  # 开具设备发票 X 亿元 (judged from the cumulative 设备开票 figure)
    FILING = "filing"  # 入统 / 入库 / 提交入统资料
    STEP = "step"  # approval, land, tendering, construction start ...
    OTHER = "other"


KIND_LABEL: dict[MilestoneKind, str] = {
    MilestoneKind.INVESTMENT: "完成投资",
    MilestoneKind.INVOICE: "设备开票",
    MilestoneKind.FILING: "入统入库",
    MilestoneKind.STEP: "审批建设",
    MilestoneKind.OTHER: "其他",
}


class Metric(StrEnum):
    """A cumulative figure a unit reports once per item."""

    INVEST = "invest"  # 完成投资
    INVOICE = "invoice"  # 设备开票


def figure_key(item: str, metric: Metric | str) -> str:
    """Return the key of one item's cumulative figure, as submissions, history and prefill use it ("P07/invest")."""
    # Metric(a member) costs a call through EnumType: members are taken as they are
    return f"{item}/{metric.value if type(metric) is Metric else Metric(metric).value}"


METRIC_LABEL: dict[Metric, str] = {Metric.INVEST: "完成投资", Metric.INVOICE: "设备开票"}
KIND_METRIC = {MilestoneKind.INVESTMENT: Metric.INVEST, MilestoneKind.INVOICE: Metric.INVOICE}


def amount_metric(kind: MilestoneKind, amount_yi: float | None) -> Metric | None:
    """Return the cumulative figure that judges a node of `kind` and `amount_yi`: KIND_METRIC's, for an amount."""
    return None if amount_yi is None else KIND_METRIC.get(kind)


class Status(StrEnum):
    """Status of a milestone at the as-of date (DESIGN §3)."""

    DONE = "done"
    DONE_LATE = "done_late"
    IN_PROGRESS = "in_progress"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_REPORTED = "not_reported"


STATUS_LABEL: dict[Status, str] = {
    Status.DONE: "已完成",
    Status.DONE_LATE: "逾期完成",
    Status.IN_PROGRESS: "正常推进",
    Status.DUE_SOON: "临期",
    Status.OVERDUE: "逾期未完成",
    Status.NOT_REPORTED: "未报送",
}


class Reported(StrEnum):
    """What a unit says of a milestone in its form (the dropdown)."""

    DONE = "done"  # 已完成
    ONGOING = "ongoing"  # 推进中
    NOT_STARTED = "not_started"  # 未启动
    BLOCKED = "blocked"  # 受阻


REPORTED_LABEL: dict[Reported, str] = {
    Reported.DONE: "已完成",
    Reported.ONGOING: "推进中",
    Reported.NOT_STARTED: "未启动",
    Reported.BLOCKED: "受阻",
}


class Severity(StrEnum):
    """How bad a problem found in a submission is."""

    ERROR = "error"  # a value was not taken; the unit must correct it
    WARNING = "warning"  # a value was taken with an assumption, or looks wrong
    INFO = "info"  # worth knowing (fallback identification, superseded file)


SEVERITY_LABEL: dict[Severity, str] = {
    Severity.ERROR: "错误",
    Severity.WARNING: "警告",
    Severity.INFO: "提示",
}


# ---------------------------------------------------------------- plan


@dataclass
class Unit:
    """A responsible unit (责任单位) with the other names people write for it."""

    name: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class Milestone:
    """One dated requirement inside a task."""

    code: str
    due: dt.date | None
    text: str  # the clause, as in the document
    kind: MilestoneKind = MilestoneKind.OTHER
    amount_yi: float | None = None
    units: list[str] = field(default_factory=list)  # lead first
    due_text: str = ""  # the date phrase as written (e.g. "9月中旬")

    @property
    def metric(self) -> Metric | None:
        """Return the cumulative figure that judges this milestone, if it is an amount."""
        return amount_metric(self.kind, self.amount_yi)


@dataclass
class Task:
    """A numbered sub-item of an item (or the item's whole body when it has none)."""

    code: str
    no: int  # 0 when the item has no numbered sub-items
    text: str
    units: list[str] = field(default_factory=list)  # lead first, then supporting units
    lead_units: list[str] = field(default_factory=list)  # 牵头 (the first named when not said)
    requirements: list[str] = field(default_factory=list)  # undated standing duties
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class Item:
    """A key project (重点项目) or other key task (其它重点任务)."""

    code: str
    no: int  # number within its section: （七） → 7
    section: Section
    name: str
    target_yi: float | None = None  # annual investment target, a lower bound when 以上
    target_note: str = ""  # 含设备 / 设备 / 含土地
    text: str = ""  # the item's lead paragraph
    tasks: list[Task] = field(default_factory=list)

    @property
    def units(self) -> list[str]:
        """Return every unit named in the item's tasks, in order of first mention."""
        seen: dict[str, None] = {}
        for task in self.tasks:
            for u in task.units:
                seen.setdefault(u, None)
        return list(seen)

    @property
    def milestones(self) -> list[Milestone]:
        """Return the item's milestones in document order."""
        return [m for t in self.tasks for m in t.milestones]

    def figure_tasks(self, metric: Metric) -> list[Task]:
        """Return the tasks whose lead units report the item's cumulative `metric` figure.

        Those holding the item's amount milestones of that metric; else those holding any
        amount milestone (P09's investment is driven by its 开票 task, not by 财政运营部's
        tender review in task 1); else the first task.
        """
        for counts in (lambda m: m.metric is metric, lambda m: m.metric is not None):
            found = [t for t in self.tasks if any(counts(m) for m in t.milestones)]
            if found:
                return found
        return self.tasks[:1]

    @property
    def metrics(self) -> list[Metric]:
        """Return the cumulative figures asked of this item (完成投资 when it has a target)."""
        asked = {m.metric for t in self.tasks for m in t.milestones}
        out: list[Metric] = []
        if self.target_yi is not None or Metric.INVEST in asked:
            out.append(Metric.INVEST)
        if Metric.INVOICE in asked:
            out.append(Metric.INVOICE)
        return out


@dataclass
class Plan:
    """The master task list (任务分解) of one year."""

    year: int
    title: str
    version: str  # content hash, see plan_version
    items: list[Item] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    def item(self, code: str) -> Item:
        """Return the item with this code (KeyError when absent)."""
        for it in self.items:
            if it.code == code:
                return it
        raise KeyError(code)

    @property
    def milestones(self) -> list[Milestone]:
        """Return every milestone of the plan in document order."""
        return [m for it in self.items for m in it.milestones]

    def unit_names(self) -> list[str]:
        """Return the canonical unit names in the order they are listed."""
        return [u.name for u in self.units]


@dataclass
class RecordedPlan:
    """The plan a period was run with, as the ledger keeps it: version and title, and the
    content when the ledger holds it (periods recorded before it kept content have none)."""

    version: str
    title: str
    plan: Plan | None


def plan_dict(plan: Plan) -> dict[str, Any]:
    """Return the plan as plain JSON-ready data (the shape of `plan show --format json`)."""
    return {
        "year": plan.year,
        "title": plan.title,
        "version": plan.version,
        "items": [
            {
                "code": it.code, "no": it.no, "section": it.section.value, "name": it.name,
                "target_yi": it.target_yi, "target_note": it.target_note, "units": it.units,
                "tasks": [
                    {
                        "code": t.code, "units": t.units, "text": t.text,
                        "requirements": t.requirements,
                        "milestones": [
                            {
                                "code": m.code, "due": m.due.isoformat() if m.due else None,
                                "text": m.text, "kind": m.kind.value, "amount_yi": m.amount_yi,
                                "units": m.units,
                            }
                            for m in t.milestones
                        ],
                    }
                    for t in it.tasks
                ],
            }
            for it in plan.items
        ],
    }


def plan_version(plan: Plan) -> str:
    """Return a short hash of the plan's content (everything but the version itself)."""
    return version_of(plan_text(plan))


def version_of(text: str | bytes) -> str:
    """Return the version of the plan whose `plan_text` is `text` (or its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()[:12]


def plan_text(plan: Plan) -> str:
    """Return the text a plan's version hashes: every field but the version, read back by
    `plan_from_text`. It is the one text a plan is kept as: the plan cache (so a cold read writes
    no second text), the ledger's plans.content and the master workbook's 导入原样 sheet.

    Versions are kept in ledgers, forms and readings: the same plan keeps the same text, that of
    `json.dumps([plan_dict(plan) without "version", {"items": [[item text, [[task no, lead
    units, date phrases]]]], "units": [[name, aliases]]}], ensure_ascii=False, sort_keys=True)`
    (written by `_PlanJson` without building the dicts).
    """
    try:
        return _PlanJson().version(plan)
    except TypeError:  # a value of a type the plan's fields do not hold (a hand-edited ledger)
        return _PlanJson(_any).version(plan)


def plan_from_text(text: str | bytes) -> Plan:
    """Return the plan `plan_text` wrote (the text or its UTF-8 bytes), with its version
    (ValueError/KeyError/TypeError when the text is not one). A JSON object is a plan as ledgers
    and 导入原样 sheets kept it before they kept `plan_text` (every field, the version too)."""
    parsed = json.loads(text)
    if isinstance(parsed, dict):
        return _plan_from_dict(parsed)
    data, extra = parsed
    items = []
    for it, (it_text, task_extras) in zip(data["items"], extra["items"], strict=True):
        tasks = []
        for t, (no, leads, due_texts) in zip(it["tasks"], task_extras, strict=True):
            milestones = [
                Milestone(code=m["code"], due=dt.date.fromisoformat(m["due"]) if m["due"] else None,
                          text=m["text"], kind=MilestoneKind(m["kind"]), amount_yi=m["amount_yi"],
                          units=m["units"], due_text=due_text)
                for m, due_text in zip(t["milestones"], due_texts, strict=True)
            ]
            tasks.append(Task(code=t["code"], no=no, text=t["text"], units=t["units"], lead_units=leads,
                              requirements=t["requirements"], milestones=milestones))
        items.append(Item(code=it["code"], no=it["no"], section=Section(it["section"]), name=it["name"],
                          target_yi=it["target_yi"], target_note=it["target_note"], text=it_text, tasks=tasks))
    units = [Unit(name=name, aliases=aliases) for name, aliases in extra["units"]]
    return Plan(year=data["year"], title=data["title"], version=version_of(text), items=items, units=units)


def _any(value: Any) -> str:
    """Return any value as json.dumps(..., ensure_ascii=False, sort_keys=True) writes it."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _number(value: Any) -> str:
    """Return a number (or None) as json.dumps writes it."""
    if value is None:
        return "null"
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    return _any(value)


class _PlanJson:
    """Writes a plan's JSON as json.dumps(..., ensure_ascii=False, sort_keys=True) writes the
    same data as dicts, without building them: keys in sorted order by hand, each list of names
    written once (the same few recur on thousands of rows). `text` writes a str field; the
    default (json's own, in C) raises TypeError on a value of another type."""

    def __init__(self, text: Callable[[Any], str] = json.encoder.encode_basestring) -> None:
        self.text = text
        self._lists: dict[tuple[str, ...], str] = {}

    def names(self, values: list[str]) -> str:
        key = tuple(values)
        try:
            found = self._lists.get(key)
        except TypeError:  # a list or dict among the names: only in a hand-edited plan
            return "[" + ", ".join(map(self.text, key)) + "]"
        if found is None:
            found = self._lists[key] = "[" + ", ".join(map(self.text, key)) + "]"
        return found

    def version(self, plan: Plan) -> str:
        s, names, num = self.text, self.names, _number

        def milestone(m: Milestone) -> str:
            return (f'{{"amount_yi": {num(m.amount_yi)}, "code": {s(m.code)}, '
                    f'"due": {s(m.due.isoformat()) if m.due else "null"}, "kind": {s(m.kind.value)}, '
                    f'"text": {s(m.text)}, "units": {names(m.units)}}}')

        def task(t: Task) -> str:
            return (f'{{"code": {s(t.code)}, "milestones": [{", ".join(map(milestone, t.milestones))}], '
                    f'"requirements": {names(t.requirements)}, "text": {s(t.text)}, "units": {names(t.units)}}}')

        def item(it: Item) -> str:
            return (f'{{"code": {s(it.code)}, "name": {s(it.name)}, "no": {num(it.no)}, '
                    f'"section": {s(it.section.value)}, "target_note": {s(it.target_note)}, '
                    f'"target_yi": {num(it.target_yi)}, "tasks": [{", ".join(map(task, it.tasks))}], '
                    f'"units": {names(it.units)}}}')

        def extra_task(t: Task) -> str:
            return f"[{num(t.no)}, {names(t.lead_units)}, {names([m.due_text for m in t.milestones])}]"

        def extra_item(it: Item) -> str:
            return f'[{s(it.text)}, [{", ".join(map(extra_task, it.tasks))}]]'

        units = ", ".join(f"[{s(u.name)}, {names(u.aliases)}]" for u in plan.units)
        return (f'[{{"items": [{", ".join(map(item, plan.items))}], "title": {s(plan.title)}, '
                f'"year": {num(plan.year)}}}, {{"items": [{", ".join(map(extra_item, plan.items))}], '
                f'"units": [{units}]}}]')


def _plan_from_dict(data: dict[str, Any]) -> Plan:
    """Return the plan an earlier version kept as one JSON object of every field (json.dumps of
    plan_dict with each item's text, each task's no and lead units, each node's due_text)."""
    items = []
    for it in data["items"]:
        tasks = []
        for t in it["tasks"]:
            milestones = [
                Milestone(
                    code=m["code"], due=dt.date.fromisoformat(m["due"]) if m["due"] else None,
                    text=m["text"], kind=MilestoneKind(m["kind"]), amount_yi=m["amount_yi"],
                    units=list(m["units"]), due_text=m["due_text"],
                )
                for m in t["milestones"]
            ]
            tasks.append(Task(code=t["code"], no=t["no"], text=t["text"], units=list(t["units"]),
                              lead_units=list(t["lead_units"]),
                              requirements=list(t["requirements"]), milestones=milestones))
        items.append(Item(code=it["code"], no=it["no"], section=Section(it["section"]),
                          name=it["name"], target_yi=it["target_yi"],
                          target_note=it["target_note"], text=it["text"], tasks=tasks))
    units = [Unit(name=u["name"], aliases=list(u["aliases"])) for u in data["units"]]
    return Plan(year=data["year"], title=data["title"], version=data["version"], items=items,
                units=units)


# ---------------------------------------------------------------- submissions


@dataclass
class Issue:
    """A problem found in people's input: it travels with the data to 校验报告."""

    severity: Severity
    message: str  # Chinese, says what was found and what was expected
    code: str = ""  # machine-readable kind, e.g. "formula_no_cache", "not_spreadsheet"
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit: str = ""


@dataclass
class MilestoneReport:
    """What a unit wrote on one milestone row of its form."""

    code: str
    status: Reported | None = None
    completed_on: dt.date | None = None
    progress: str = ""
    problems: str = ""  # 需协调解决的问题
    next_steps: str = ""
    cell: str = ""  # address of the row's status cell, for messages
    date_cell: str = ""  # its 实际完成日期 cell, where a missing date is asked for ("" when not read)


@dataclass
class FigureReport:
    """A cumulative figure a unit reported for one item and metric."""

    item: str
    metric: Metric
    value_yi: float | None
    note: str = ""
    cell: str = ""


@dataclass
class Submission:
    """One file from one unit for one period, as read."""

    unit: str
    period: str
    file: str  # path as given
    sha256: str = ""
    received: dt.datetime | None = None  # file modification time
    content_date: dt.date | None = None  # 填报日期 in the form, when given
    plan_version: str = ""
    identified_by: str = "meta"  # meta | title | filename | rows
    figures: dict[str, FigureReport] = field(default_factory=dict)  # key "P07/invest"
    milestones: dict[str, MilestoneReport] = field(default_factory=dict)  # key milestone code
    contact: dict[str, str] = field(default_factory=dict)  # 填报人 联系电话 审核人 填报日期
    issues: list[Issue] = field(default_factory=list)


@dataclass
class FileRead:
    """One file of a period's folder as read (reportgen.ingest.reader): its submission (None when
    nothing was taken) and issues."""

    path: Path
    name: str  # path relative to the batch folder, as shown to people
    submission: Submission | None = None
    issues: list[Issue] = field(default_factory=list)
    used: bool = False  # False when rejected or superseded by a newer file of the unit
    followed: bool = True  # False for a link that was named and not read


# ---------------------------------------------------------------- history and results


@dataclass
class History:
    """What the ledger knows of earlier periods, as plain data for the pure reconcile step."""

    # period -> figure key ("P07/invest") -> cumulative 亿元
    figures: dict[str, dict[str, float]] = field(default_factory=dict)
    # period -> milestone code -> (status, completed_on)
    statuses: dict[str, dict[str, tuple[Status, dt.date | None]]] = field(default_factory=dict)
    # period -> milestone code -> unit -> (status, completed_on): each responsible unit's own
    # standing, so a group member that was done stays done when it misses a month
    by_unit: dict[str, dict[str, dict[str, tuple[Status, dt.date | None]]]] = field(
        default_factory=dict
    )
    # period -> the units that were expected and sent nothing
    missing: dict[str, set[str]] = field(default_factory=dict)
    # period -> item code -> its standing against 序时进度 that month (ItemResult.vs_schedule)
    vs_schedule: dict[str, dict[str, str]] = field(default_factory=dict)

    def previous_period(self, period: str) -> str | None:
        """Return the latest recorded period strictly before `period`."""
        earlier = [p for p in self.figures.keys() | self.statuses.keys() if p < period]
        return max(earlier) if earlier else None


@dataclass
class Prefill:
    """Last period's answers, written into next month's forms so a unit updates, not retypes."""

    period: str = ""
    figures: dict[str, float] = field(default_factory=dict)  # "P07/invest" -> cumulative 亿元
    reports: dict[str, MilestoneReport] = field(default_factory=dict)  # milestone code -> report
    # unit -> milestone code -> that unit's own report; prefer it over `reports` in a unit's form
    # (members of a group milestone such as 各产业招商服务中心 each answer for themselves)
    unit_reports: dict[str, dict[str, MilestoneReport]] = field(default_factory=dict)


@dataclass
class MilestoneResult:
    """Where one milestone stands at the as-of date."""

    code: str
    item: str
    item_name: str
    task: str
    text: str
    due: dt.date | None
    units: list[str]
    lead: str
    kind: MilestoneKind
    amount_yi: float | None
    status: Status
    completed_on: dt.date | None = None
    days_overdue: int = 0  # > 0 only for overdue
    days_left: int | None = None  # days to the due date, for open milestones
    report: MilestoneReport | None = None  # the deciding (lead unit's) report
    # unit -> (status, completed_on) for every responsible unit: the milestone's own status for a
    # shared milestone (the lead decides), each member's own for a group milestone
    by_unit: dict[str, tuple[Status, dt.date | None]] = field(default_factory=dict)
    # unit -> that unit's own answer on this milestone's row (a notice quotes only its own)
    unit_reports: dict[str, MilestoneReport] = field(default_factory=dict)
    decided_by: str = ""  # the unit whose answer decided (the lead, or a stand-in); "" for none
    group: bool = False  # every unit answers for itself (各产业招商服务中心, several 牵头)
    # not done, due after the cut-off but on or before the issue date: the papers ask the
    # unit to confirm whether it was done in time (status stays in_progress on the data)
    confirm: bool = False


@dataclass
class ItemResult:
    """Where one item's investment stands."""

    code: str
    name: str
    section: Section
    target_yi: float | None
    cumulative_yi: float | None  # None when nobody reported and history has nothing
    previous_yi: float | None = None
    month_added_yi: float | None = None  # 本月新增
    rate: float | None = None  # cumulative / target
    schedule_rate: float = 0.0  # 序时进度
    vs_schedule: str = ""  # ahead | behind | on | "" (no target or no figure)
    phased_target_yi: float | None = None  # amount due by the as-of date
    invoice_yi: float | None = None  # cumulative 设备开票 when asked
    units: list[str] = field(default_factory=list)
    # the unit whose 完成投资 figure counts this period; "" when nobody did (the cumulative, if any, is carried)
    reported_by: str = ""
    schedule_gap: float | None = None  # |rate − 序时进度| in percentage points, as printed
    first_figure: bool = False  # reported for the first time this year (ledger has months)
    fell_from: float | None = None  # the reported cumulative used is below this earlier figure
    # months in a row, this one included, below 序时进度 (0 when not behind); `behind_trend` when
    # that is reconcile.BEHIND_TREND_MONTHS or more, which the bulletin cites
    behind_months: int = 0
    behind_trend: bool = False
    # the figure's owner wrote one this period that was not taken (see 校验报告): the cumulative is carried
    rejected: bool = False
    carried_from: str = ""  # a carried cumulative's period when not last month's ("2024-07": August never run)


@dataclass
class UnitResult:
    """One unit's standing in the period."""

    name: str
    submitted: bool
    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # Status value -> count
    due: int = 0  # milestones due by the as-of date
    rate: float | None = None  # on-time completion of what is due; None when nothing is due
    rank: int | None = None
    exempt: bool = False  # excused by the office from reporting this month (reportgen.intake)

    @property
    def missing(self) -> bool:
        """Return True when the unit should have reported and did not (so it is chased)."""
        return not self.submitted and not self.exempt
    missed_months: int = 0  # consecutive periods up to this one without a report (0 if submitted)


@dataclass
class MonthDates:
    """The calendar of a period's papers (decided by `reportgen.calendar.month_calendar`)."""

    cut_off: dt.date  # data as of the end of this day (as-of)
    issue: dt.date  # 成文日期
    report_deadline: dt.date  # units return their forms by this day
    due_soon_days: int  # 临期: due after `issue` and on or before `issue + due_soon_days`
    reply_days: int  # 督办通知: written reply within this many working days
    reply_by: dt.date
    chase_days: int  # 催报通知: report within this many working days
    chase_by: dt.date
    warnings: list[str] = field(default_factory=list)  # e.g. a year without a holiday calendar

    @property
    def soon_until(self) -> dt.date:
        """Return the last due date that is 临期."""
        return self.issue + dt.timedelta(days=self.due_soon_days)


@dataclass
class Totals:
    """The period's figures as the bulletin states them; every total is the sum of its parts."""

    projects: int = 0  # items with an annual investment target
    target_yi: float = 0.0
    cumulative_yi: float = 0.0
    previous_yi: float = 0.0  # the same items' earlier cumulative (0 where none)
    # Σ of the items' 本月新增 (reported this month against an earlier figure; a carried
    # figure adds nothing); None when no item has one (the ledger's first month)
    month_added_yi: float | None = None
    first_figures: list[str] = field(default_factory=list)  # first figure of the year, not added
    fell: list[str] = field(default_factory=list)  # item codes whose used figure went down
    rate: float | None = None
    vs_schedule: str = ""
    schedule_gap: float | None = None
    milestones: int = 0
    # due by the cut-off: due = done + done_late + overdue + not_reported
    due: int = 0
    done: int = 0  # on time
    done_late: int = 0
    overdue: int = 0
    not_reported: int = 0
    # not yet due at the cut-off: milestones − due = early + due_soon + confirm + open + unreported
    early: int = 0  # done before their date
    due_soon: int = 0
    confirm: int = 0
    open: int = 0  # in progress, due later than the 临期 window (or undated)
    not_reported_later: int = 0


class DubanState(StrEnum):
    """Where a 督办通知 stands on the papers' date (the 督办台账's 状态 column)."""

    PENDING = "未到期"  # no reply yet, the reply deadline has not passed
    REPLIED = "已回复"
    LATE = "逾期未回复"
    CLOSED = "已销号"  # every node done: the work was done
    ENDED = "终止督办"  # closed with a node undone, no longer asked for (duban.terminated)


@dataclass(frozen=True)
class EarlierDuban:
    """An earlier 督办通知 that pressed the same unit on the same node."""

    doc_no: str
    period: str
    issued_on: dt.date | None


@dataclass
class DubanRecord:
    """One 督办通知 and where it stands (decided by `reportgen.duban`; renderers only word it)."""

    doc_no: str
    period: str
    unit: str
    nodes: list[str] = field(default_factory=list)  # milestone codes
    node_texts: dict[str, str] = field(default_factory=dict)  # code -> the node in the plan's words
    issued_on: dt.date | None = None  # 成文日期 of the notice
    closed_in: str | None = None  # the period whose statuses show every node done or ended (销号)
    ended: dict[str, str] = field(default_factory=dict)  # node -> why it closed undone (duban.DubanEnd)
    round: int = 1  # how many 督办通知 the unit has had on any of these nodes, this one included
    reply_by: dt.date | None = None  # the reply deadline printed on the notice
    replied_on: dt.date | None = None  # the unit's first reply, when recorded
    reply_note: str = ""
    earlier: dict[str, list[EarlierDuban]] = field(default_factory=dict)  # node -> earlier 督办 on it, oldest first
    state: DubanState = DubanState.PENDING  # on the papers' date (`duban.as_of`)
    carried_from: int = 0  # an earlier plan year's 督办 still open when this one began: that year (`duban.on_papers`)

    @property
    def closed(self) -> bool:
        """Return True once no node is pressed any more: every node done (销号) or ended (终止督办)."""
        return self.closed_in is not None


@dataclass
class PeriodResult:
    """The reconciled state of a period: what every renderer draws from."""

    period: str
    as_of: dt.date
    plan_year: int
    plan_title: str
    plan_version: str
    schedule_rate: float
    items: list[ItemResult] = field(default_factory=list)
    milestones: list[MilestoneResult] = field(default_factory=list)
    units: list[UnitResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    doc_number: int | None = None  # 发文字号 number assigned to this period's bulletin
    # kind (督办通知/提醒函/催报通知) -> unit -> 发文字号, from reportgen.numbering
    notice_numbers: dict[str, dict[str, str]] = field(default_factory=dict)
    dates: MonthDates | None = None  # None only in hand-made results; reconcile always sets it
    totals: Totals = field(default_factory=Totals)
    # every 督办通知 of the year up to this period, where each stands on the issue date (duban.py)
    dubans: list[DubanRecord] = field(default_factory=list)
    since: str = ""  # the last period recorded before this one when not last month ("2024-07": 本月新增 spans 8—9月)


# ---------------------------------------------------------------- periods


_PERIOD_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})|(\d{2}))\s*(?:月份?)?$")
_FULL_WIDTH_PERIOD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                                    "－": "-", "／": "/", "．": ".", "。": "."})


def parse_period(text: str) -> str:
    """Return the canonical `YYYY-MM` for a period written `2024-06`, `2024-6`, `202406`,
    `2024年6月`, `2024.6` or `2024/6` (full-width digits too)."""
    m = _PERIOD_TEXT.match(text.strip().translate(_FULL_WIDTH_PERIOD))
    if not m:
        raise ValueError(text)
    year, month = int(m.group(1)), int(m.group(2) or m.group(3))
    if not (1900 <= year <= 2999 and 1 <= month <= 12):
        raise ValueError(text)
    return f"{year:04d}-{month:02d}"


def period_end(period: str) -> dt.date:
    """Return the last day of the month `YYYY-MM`."""
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def previous_month(period: str) -> str:
    """Return the period before `YYYY-MM`."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"
