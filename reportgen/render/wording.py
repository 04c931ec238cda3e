"""What the Word papers say: the period's figures, dates and statuses in the office's words.

Everything here only words what reconcile and the calendar decided (`PeriodResult`,
`Totals`, `MonthDates`): no status is judged and no two figures are compared here. Every total
is written as the sum of the parts it names, each unit's notice quotes only that unit's own
answer and role, and dates, amounts and percentages come from `reportgen.cn`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from reportgen.calendar import month_calendar
from reportgen.cn import (
    UNDATED,
    change_words,
    cn_count,
    cn_numeral,
    earlier_month,
    fmt_pct,
    fmt_points,
    fmt_yi,
    format_date,
    format_month,
    format_period,
)
from reportgen.config import Config
from reportgen.model import (
    REPORTED_LABEL,
    STATUS_LABEL,
    ItemResult,
    MilestoneKind,
    MilestoneResult,
    MonthDates,
    PeriodResult,
    Section,
    Status,
    Totals,
    UnitResult,
)
from reportgen.render.duban_words import bulletin_duban, current_dubans, earlier_text, escalation_text
from reportgen.render.refusals import (
    ROW,
    Refused,
    answer_refusals,
    files_not_taken,
    received_text,
    refused_answers,
    refused_text,
)
from reportgen.rules import reached_by_figure

DONE = (Status.DONE, Status.DONE_LATE)
NOTICE_KINDS = ("督办通知", "提醒函", "催报通知")
cn_date = format_date
period_cn = format_period

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile(r"[\t\r\n]+")
_HAS_DATE = re.compile(r"\d+月|季度|半年|全年|年底|年内")


def clean(text: str) -> str:
    """Return `text` without control characters (tabs and line breaks become one space)."""
    return _CONTROL.sub("", _BREAKS.sub(" ", text)).strip()


def _clean_all(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: _clean_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_all(v) for v in value]
    return value


def _clause(text: str) -> str:
    return text.strip().rstrip("。；;，,、 ")


def dates_of(result: PeriodResult, config: Config) -> MonthDates:
    """Return the period's calendar: reconcile's, or the configured one for a bare result."""
    return result.dates or month_calendar(result.period, result.as_of, config)


def issue_date_of(result: PeriodResult, config: Config) -> Any:
    """Return the 成文日期 of the period's papers."""
    return dates_of(result, config).issue


def doc_number_text(config: Config, year: int, number: int | None) -> str:
    """Return the 发文字号 (同经开督办〔2024〕5号); a blank to fill by hand when unnumbered."""
    return f"{config.office.doc_prefix}〔{year}〕{number if number is not None else '　'}号"


def _within(days: int, by: Any) -> str:
    return f"{days}个工作日内（{cn_date(by)}前）"


def _with_due(m: MilestoneResult) -> str:
    """The clause, with its due date added when the clause itself names none."""
    text = _clause(m.text)
    if m.due is None or _HAS_DATE.search(text):
        return text
    return f"{text}（{cn_date(m.due)}前）"


def vs_text(vs: str, gap: float | None) -> str:
    """Return the comparison with 序时进度 as decided by reconcile (vs_schedule, gap)."""
    if not vs or gap is None:
        return ""
    if vs == "on":
        return "与序时进度持平"
    return f"{'高于' if vs == 'ahead' else '低于'}序时进度{fmt_points(gap)}个百分点"


def unit_status(m: MilestoneResult, unit: str) -> Status:
    """Return where `unit` itself stands on a milestone (a group member's own standing)."""
    own = m.by_unit.get(unit)
    return own[0] if own is not None else m.status


def _group_name(m: MilestoneResult, config: Config) -> str:
    for name, members in config.units.groups.items():
        if len(m.units) > 1 and set(m.units) == set(members):
            return name
    return ""


def role_of(m: MilestoneResult, unit: str, config: Config) -> str:
    """Return the unit's role on a milestone, as in 你单位为__单位 ("" when it is alone)."""
    if m.group:
        group = _group_name(m, config)
        return f"{group}成员" if group else "共同牵头"
    if len(m.units) > 1:
        return "牵头" if unit == m.lead else "配合"
    return ""


# ---------------------------------------------------------------- what a unit reported


def _carried_note(it: ItemResult, report: str) -> str | None:
    """Why the cumulative stated is an earlier month's (the unit's figure was refused, see
    `report`, or it reported none), naming the month when it is not last month's (沿用7月数据
    after a month never run), or None when it is this month's."""
    source = f"{int(it.carried_from[5:7])}月" if it.carried_from else "上月"
    if it.rejected:
        return f"本月所报累计数有误未采用，见{report}，沿用{source}数据"
    if not it.reported_by:
        return f"本月未报送，沿用{source}数据"
    return None


def _fell_note(it: ItemResult, then: str) -> str | None:
    """Why the cumulative stated is below an earlier one: the unit's own figure, used as reported
    (`then` says what follows), or None when it did not fall."""
    if it.fell_from is None:
        return None
    return f"本月所报累计数低于此前所报{fmt_yi(it.fell_from)}亿元，已按所报数计入，{then}"


def _figure_words(m: MilestoneResult, unit: str, item: ItemResult | None) -> str:
    """An amount milestone: the item's cumulative figure, and who reported it when not `unit`."""
    if item is None:
        return ""
    invoice = m.kind is MilestoneKind.INVOICE
    value = item.invoice_yi if invoice else item.cumulative_yi
    label = "累计开具设备发票" if invoice else "累计完成投资"
    if value is None:
        return f"未报送{label}"
    notes = [f"节点要求{fmt_yi(m.amount_yi)}亿元"] if m.amount_yi is not None else []
    carried = None if invoice else _carried_note(item, "校验反馈")
    if carried:
        notes.append(carried)
    elif not invoice and item.reported_by != unit:
        notes.append(f"由{item.reported_by}报送")
    fell = None if invoice else _fell_note(item, "请核实")
    if fell:
        notes.append(fell)
    return f"{label}{fmt_yi(value)}亿元" + (f"（{'，'.join(notes)}）" if notes else "")


def reported_by_unit(m: MilestoneResult, unit: str, items: dict[str, ItemResult],
                     submitted: set[str], you: str = "你单位") -> str:
    """Return what `unit` itself reported on a milestone, and who decided it when not it
    (`you` names the unit: 你单位 in its notice, "" in the bulletin)."""
    if m.amount_yi is not None and m.kind in (MilestoneKind.INVESTMENT, MilestoneKind.INVOICE):
        return _figure_words(m, unit, items.get(m.item))
    parts: list[str] = []
    rep = m.unit_reports.get(unit)
    if rep is not None:
        if rep.status is not None:
            label = REPORTED_LABEL[rep.status]
            parts.append(f"{you}报“{label}”" if you else label)
        if rep.progress:
            parts.append(f"进展：{_clause(rep.progress)}")
        if rep.problems:
            parts.append(f"需协调解决的问题：{_clause(rep.problems)}")
        if not parts:
            parts.append(f"{you}报送表中该节点未填写")
    elif unit in submitted:
        parts.append(f"{you}报送表中未填报该节点")
    else:
        parts.append(f"{you}本月未报送")
    if not m.group and m.decided_by and m.decided_by != unit:
        decider = m.unit_reports.get(m.decided_by)
        said = f"“{REPORTED_LABEL[decider.status]}”" if decider and decider.status else ""
        who = "牵头单位" if m.decided_by == m.lead else "配合单位"
        parts.append(f"该节点以{who}{m.decided_by}所报{said}为准")
    elif not m.group and not m.decided_by and len(m.units) > 1 and unit != m.lead:
        parts.append(f"该节点以牵头单位{m.lead}所报为准，牵头单位本月未报送该节点")
    return "；".join(parts)


# ---------------------------------------------------------------- bulletin sentences


def _sum_words(parts: list[tuple[str, int, str]]) -> str:
    return "，".join(f"{label}{n}个{note}" for label, n, note in parts if n)


def milestones_text(t: Totals, dates: MonthDates) -> str:
    """Return the bulletin's milestone sentence: each total followed by the parts that make it."""
    cut, issue = cn_date(dates.cut_off), cn_date(dates.issue)
    due_parts = [("已按期完成", t.done, ""), ("逾期完成", t.done_late, ""),
                 ("逾期未完成", t.overdue, ""), ("未报送进展", t.not_reported, "")]
    later = t.milestones - t.due
    later_parts = [
        ("提前完成", t.early, ""),
        ("临期", t.due_soon, f"（{issue}后{dates.due_soon_days}日内到期）"),
        ("待确认", t.confirm, f"（完成时限在{cut}后、{issue}前，请责任单位确认是否按期完成）"),
        ("正常推进", t.open, ""), ("未报送进展", t.not_reported_later, "")]
    text = f"《任务分解》共明确时间节点{t.milestones}个。"
    if t.due:
        text += f"截至{cut}应完成{t.due}个，其中{_sum_words(due_parts)}"
    else:
        text += f"截至{cut}尚无到期节点"
    if later:
        text += f"；尚未到期{later}个，其中{_sum_words(later_parts)}"
    return text + "。"


def no_overdue_text(t: Totals, result: PeriodResult, submitted: set[str]) -> str:
    """Return 存在问题's sentence when no node is overdue: a node due but unreported may be
    overdue, so the bulletin never says 无逾期未完成 of a month some due nodes went unreported.
    A due node of a unit that did report (its answer not taken, e.g. 已完成 without a date) is
    not put down to a unit that did not report."""
    cut = cn_date(result.as_of)
    if not t.not_reported:
        return f"截至{cut}，无逾期未完成的节点。"
    not_taken = sum(1 for m in result.milestones
                    if m.status is Status.NOT_REPORTED and m.due and m.due <= result.as_of
                    and any(u in submitted for u in (m.by_unit or [m.lead])
                            if unit_status(m, u) is Status.NOT_REPORTED))
    silent = t.not_reported - not_taken
    head = f"截至{cut}，已报送进展的节点中无逾期未完成的；另有{t.not_reported}个已到期节点"
    if not not_taken:
        return head + "因责任单位未报送，是否完成无法确认（见“未按时报送”）。"
    if not silent:
        return head + "，责任单位所报情况未予采用，是否完成无法确认。"
    return (head + f"是否完成无法确认：{silent}个因责任单位未报送（见“未按时报送”），"
            f"{not_taken}个因责任单位所报情况未予采用。")


def _item_names(codes: list[str], items: dict[str, ItemResult]) -> str:
    return "、".join(items[c].name for c in codes if c in items)


def investment_text(t: Totals, result: PeriodResult) -> str:
    """Return the bulletin's investment sentence (total, rate, 序时进度, this month's change)."""
    items = {it.code: it for it in result.items}
    text = (f"截至{cn_date(result.as_of)}，{t.projects}个重点项目年度投资目标合计"
            f"{fmt_yi(t.target_yi)}亿元，累计完成投资{fmt_yi(t.cumulative_yi)}亿元，完成年度目标的"
            f"{fmt_pct(t.rate)}，{vs_text(t.vs_schedule, t.schedule_gap)}"
            f"（序时进度{fmt_pct(result.schedule_rate)}）")
    added = added_words(result)
    if t.month_added_yi is not None:
        if t.month_added_yi >= -0.005:
            text += f"；{added}投资{fmt_yi(t.month_added_yi)}亿元"
        else:
            before = earlier_month(result.period, result.since)
            text += f"；本月所报累计数合计较{before}减少{fmt_yi(-t.month_added_yi)}亿元"
        if t.fell:
            fell = "、".join(
                f"{items[c].name}（由{fmt_yi(items[c].fell_from)}亿元降至"
                f"{fmt_yi(items[c].cumulative_yi)}亿元）" for c in t.fell)
            text += f"，其中{fell}所报累计数低于此前所报，已计入并列入校验报告待核实"
    if t.first_figures:
        first = _item_names(t.first_figures, items)
        amount = sum(items[c].cumulative_yi or 0.0 for c in t.first_figures)
        text += f"；{first}本月首次报送，累计{fmt_yi(amount)}亿元未计入{added}"
    return text + "。"


def added_words(result: PeriodResult) -> str:
    """Return what a change against the earlier figures is called: 本月新增, or 8—9月新增 when the
    last period recorded is July (August never run, so the change holds both months)."""
    return change_words(result.period, result.since)


def units_text(result: PeriodResult, dates: MonthDates) -> str:
    """Return who had to report and who did not (those silent two months running named)."""
    total = len(result.units)
    done = sum(u.submitted for u in result.units)
    text = f"应报送单位{total}个，已报送{done}个"
    missing = [u for u in result.units if u.missing]
    if missing:
        text += f"，未报送{len(missing)}个（{'、'.join(u.name for u in missing)}）"
    exempt = [u for u in result.units if not u.submitted and not u.missing]
    if exempt:
        text += f"，经同意本月免报{len(exempt)}个（{'、'.join(u.name for u in exempt)}）"
    return text + "。"


def missing_text(result: PeriodResult, dates: MonthDates) -> str:
    """Return the bulletin's 未按时报送 paragraph ("" when every unit reported and every answer
    was taken): the units that sent nothing usable, then those with nodes whose answers were not
    taken — both chased by a 催报通知."""
    missing = [u for u in result.units if u.missing]
    refused = refused_text(refused_answers(result))
    by = f"已发催报通知，限{_within(dates.chase_days, dates.chase_by)}补报"
    if not missing:
        return f"{refused}，未予采用，视为未报送，{by}。" if refused else ""
    names = "、".join(u.name for u in missing)
    text = f"{names}未按时报送{period_cn(result.period)}推进情况，{by}"
    again = [u for u in missing if u.missed_months >= 2]
    if again:  # 其中 only of some of the units named, not "华睿集团未按时报送……；其中华睿集团已连续……"
        text += ("；其中" if len(again) < len(missing) else "；") + "、".join(
            f"{u.name}已连续{u.missed_months}个月未报送" for u in again) + "，予以通报"
    return text + (f"。另有{refused}，未予采用，视为未报送，同样已发催报通知。" if refused else "。")


# ---------------------------------------------------------------- bulletin


def _project(it: ItemResult, ms: list[MilestoneResult], dates: MonthDates,
             added: str = "本月新增") -> dict[str, Any]:
    figures = ""
    if it.target_yi is not None:
        figures = f"年度投资目标{fmt_yi(it.target_yi)}亿元，"
    if it.cumulative_yi is None:
        figures += "本期未报送投资完成情况"
    else:
        figures += f"累计完成投资{fmt_yi(it.cumulative_yi)}亿元"
        carried = _carried_note(it, "校验报告") or _fell_note(it, "列入校验报告待核实")
        if carried:
            figures += f"（{carried}）"
        elif it.first_figure:
            figures += "（本月首次报送）"
    if it.rate is not None:
        figures += f"，完成年度目标的{fmt_pct(it.rate)}，{vs_text(it.vs_schedule, it.schedule_gap)}"
        figures += trend_text(it)
    if it.month_added_yi is not None and it.fell_from is None:
        figures += f"；{added}投资{fmt_yi(it.month_added_yi)}亿元"
    if it.invoice_yi is not None:
        figures += f"；累计开具设备发票{fmt_yi(it.invoice_yi)}亿元"
    return {
        "code": it.code,
        "name": it.name,
        "figures": figures + "。",
        "nodes": nodes_text(ms, dates),
        # kept for templates staff edited before: the same figures, one by one
        "target": fmt_yi(it.target_yi),
        "reported": it.cumulative_yi is not None,
        "cumulative": fmt_yi(it.cumulative_yi),
        "carried": it.cumulative_yi is not None and not it.reported_by,
        "rate": fmt_pct(it.rate),
        "vs_text": vs_text(it.vs_schedule, it.schedule_gap),
        "month_added": fmt_yi(it.month_added_yi) if it.month_added_yi is not None
        and it.fell_from is None else "",
        "invoice": fmt_yi(it.invoice_yi),
    }


def trend_text(it: ItemResult) -> str:
    """Return "，已连续两个月低于序时进度" for an item reconcile found behind months running."""
    if not it.behind_trend:
        return ""
    return f"，已连续{cn_count(it.behind_months)}个月低于序时进度"


def behind_text(items: list[ItemResult]) -> str:
    """Return the 投资进度滞后 sentence: the projects below 序时进度, those behind months running
    named again ("" when none is behind)."""
    behind = [it for it in items if it.vs_schedule == "behind"]
    if not behind:
        return ""
    text = f"{'、'.join(it.name for it in behind)}累计完成投资低于序时进度"
    runs: dict[int, list[str]] = {}
    for it in behind:
        if it.behind_trend:
            runs.setdefault(it.behind_months, []).append(it.name)
    if len(runs) == 1 and sum(map(len, runs.values())) == len(behind):
        text += f"，均已连续{cn_count(next(iter(runs)))}个月低于序时进度"
    elif runs:
        text += "，其中" + "；".join(
            f"{'、'.join(names)}已连续{cn_count(n)}个月低于序时进度"
            for n, names in sorted(runs.items(), reverse=True))
    return text + "，需加快推进。"


def nodes_text(ms: list[MilestoneResult], dates: MonthDates) -> str:
    """Return an item's milestones by status: done, done late, overdue, to confirm, next."""
    parts: list[str] = []
    done = [_clause(m.text) for m in ms if m.status is Status.DONE]
    late = [f"{_clause(m.text)}（{_completed_words(m)}）" for m in ms if m.status is Status.DONE_LATE]
    overdue = [_with_due(m) for m in ms if m.status is Status.OVERDUE]
    confirm = [_with_due(m) for m in ms if m.confirm and m.status is Status.IN_PROGRESS]
    unreported = [_with_due(m) for m in ms if m.status is Status.NOT_REPORTED]
    for label, names in (("已完成节点", done), ("逾期完成节点", late), ("逾期未完成", overdue),
                         ("待确认（完成时限在截止日后、成文日前）", confirm),
                         ("未报送进展", unreported)):
        if names:
            parts.append(f"{label}：{'；'.join(names)}。")
    ahead = sorted((m for m in ms if m.status in (Status.DUE_SOON, Status.IN_PROGRESS)
                    and not m.confirm and m.due is not None),
                   key=lambda m: m.due or dates.issue)
    if ahead:
        m = ahead[0]
        soon = f"，距完成时限还有{m.days_left}天" if m.status is Status.DUE_SOON else ""
        parts.append(f"下一节点：{_with_due(m)}{soon}。")
    return "".join(parts)


def _completed_words(m: MilestoneResult) -> str:
    """Return when a node was completed as the papers say it; a date the unit did not give is
    said to be missing, never replaced by another day."""
    if m.completed_on is None:
        return f"完成日期{UNDATED}"
    if reached_by_figure(m):  # the report that showed it, not the day it was reached
        return f"截至{cn_date(m.completed_on)}累计已达到"
    return f"{cn_date(m.completed_on)}完成"


def _task_status(name: str, ms: list[MilestoneResult]) -> str:
    """Where an other key task stands; a clause its name already quotes is not repeated."""
    if not ms:
        return "持续推进"
    parts = []
    for m in ms:
        # 未报送进展 as the projects and the overview say it: its unit may have reported, its answer not taken
        label = ("未报送进展" if m.status is Status.NOT_REPORTED else STATUS_LABEL[m.status]) + (
            "（待确认）" if m.confirm else "")
        notes = [f"完成时限{cn_date(m.due)}"] if m.due and _clause(m.text) in name else []
        if m.status is Status.DONE_LATE:
            notes.append(_completed_words(m))
        label += f"（{'，'.join(notes)}）" if notes else ""
        parts.append(label if _clause(m.text) in name else f"{_with_due(m)}，{label}")
    return "；".join(parts)


def _plan_title(result: PeriodResult) -> str:
    # the document's title names an attachment number and a revision note, not the plan
    title = re.sub(r"^附件\s*\d+\s*", "", result.plan_title or "").strip()
    title = re.sub(r"[（(]动态调整[)）]\s*$", "", title).strip()
    return title or f"{result.plan_year}年重点项目推进任务分解"


def _unit_order(result: PeriodResult) -> list[str]:
    order = dict.fromkeys(u.name for u in result.units)
    for m in result.milestones:
        for u in m.units:
            order.setdefault(u, None)
    return list(order)


def _by_unit(result: PeriodResult) -> dict[str, list[MilestoneResult]]:
    """Return unit -> the milestones naming it, in plan order (one pass, not one per unit)."""
    out: dict[str, list[MilestoneResult]] = {}
    for m in result.milestones:
        for u in dict.fromkeys(m.units):
            out.setdefault(u, []).append(m)
    return out


def _answers_for(m: MilestoneResult, unit: str) -> bool:
    """Return True when `unit` answers for the milestone (its lead, decider or group member)."""
    return m.group or unit == (m.decided_by or m.lead)


def _overdue_units(result: PeriodResult, items: dict[str, ItemResult], config: Config,
                   submitted: set[str], dates: MonthDates) -> list[dict[str, Any]]:
    by_unit = _by_unit(result)
    out = []
    for unit in _unit_order(result):
        mine = [m for m in by_unit.get(unit, [])
                if unit_status(m, unit) is Status.OVERDUE and _answers_for(m, unit)]
        if mine:
            out.append({"name": unit, "count": len(mine),
                        "matters": [_matter(m, unit, items, config, submitted, dates, "")
                                    for m in mine]})
    return out


def _requirements(config: Config, dates: MonthDates) -> list[dict[str, str]]:
    values = {"reply_days": str(dates.reply_days), "report_day": str(config.schedule.report_day),
              "chase_days": str(dates.chase_days)}
    out = []
    for i, text in enumerate(config.text.requirements, 1):
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        out.append({"no_cn": cn_numeral(i), "text": text})
    return out


def bulletin_context(result: PeriodResult, config: Config) -> dict[str, Any]:
    """Return the 进度通报 template's context (every key always present; `chart` is "")."""
    office = config.office
    dates = dates_of(result, config)
    t = result.totals
    items = {it.code: it for it in result.items}
    submitted = {u.name for u in result.units if u.submitted}
    by_item: dict[str, list[MilestoneResult]] = {}
    for m in result.milestones:
        by_item.setdefault(m.item, []).append(m)
    projects = [it for it in result.items if it.section is Section.PROJECT]
    tasks = [it for it in result.items if it.section is Section.TASK]
    overdue_units = _overdue_units(result, items, config, submitted, dates)
    listed = sum(u["count"] for u in overdue_units)
    refused = refused_answers(result)
    ctx: dict[str, Any] = {
        "issuer_mark": office.issuer_mark,
        "doc_no": doc_number_text(config, result.plan_year, result.doc_number),
        "recipients": office.recipients,
        "period_cn": period_cn(result.period),
        "as_of_cn": cn_date(result.as_of),
        "plan_title": _plan_title(result),
        "schedule": fmt_pct(result.schedule_rate),
        "total": {"projects": t.projects, "text": investment_text(t, result)},
        "ms": {"total": t.milestones, "due": t.due, "overdue": t.overdue,
               "text": milestones_text(t, dates),
               "none_text": no_overdue_text(t, result, submitted),
               "overdue_text": (
                   f"截至{cn_date(result.as_of)}，共有{t.overdue}个节点逾期未完成，涉及"
                   f"{len(overdue_units)}个单位" + (
                       "（几个单位分别负责的节点按单位分别列出）" if listed > t.overdue else "")
                   + "："),
               },
        "units": {"total": len(result.units), "submitted": len(submitted),
                  "missing": sum(u.missing for u in result.units),
                  "text": units_text(result, dates)},
        "projects": [_project(it, by_item.get(it.code, []), dates, added_words(result)) for it in projects],
        "tasks": [{"name": _clause(it.name),
                   "status_text": _task_status(it.name, by_item.get(it.code, []))}
                  for it in tasks],
        "overdue_units": overdue_units,
        # the units 未按时报送 speaks of: those that sent nothing usable, those with answers not taken
        "missing_units": "、".join(u.name for u in result.units if u.missing or u.name in refused),
        "missing_text": missing_text(result, dates),
        "behind": "、".join(it.name for it in projects if it.vs_schedule == "behind"),
        "behind_text": behind_text(projects),
        # 督办落实情况: replies chased, 销号, repeated 督办 (render/duban_words.py)
        "duban": bulletin_duban(result, config, any(it.vs_schedule == "behind" for it in projects)),
        "requirements": _requirements(config, dates),
        "attachments": config.text.attachment_titles(format_month(result.period)),
        "signature": office.signature,
        "issue_date": cn_date(dates.issue),
        "printer": office.printer,
        "printed_date": cn_date(dates.issue),
        "cc": "，".join(office.cc) + "。" if office.cc else "",
        "chart": "",
    }
    return _clean_all(ctx)


# ---------------------------------------------------------------- notices


# a node due on the cut-off and not done is late already (DESIGN: 逾期未完成) but by no day:
# every paper says so in words, never “逾期0天” (汇总表's 逾期清单, 督办通知, the bulletin)
DUE_ON_CUT_OFF = "当日到期"
DUE_ON_CUT_OFF_WHEN = "截至完成时限当日仍未完成"


def overdue_days(m: MilestoneResult) -> int | str:
    """Return an overdue node's 逾期天数 as the 逾期清单 prints it: the days past its 完成时限,
    or “当日到期” for a node due on the cut-off itself."""
    return m.days_overdue or DUE_ON_CUT_OFF


def _when(m: MilestoneResult, unit: str, dates: MonthDates) -> str:
    status = unit_status(m, unit)
    if status is Status.OVERDUE:
        if m.days_overdue:
            return f"截至{cn_date(dates.cut_off)}已逾期{m.days_overdue}天"
        return DUE_ON_CUT_OFF_WHEN
    if m.confirm:
        return f"在数据截止日{cn_date(dates.cut_off)}之后、本函成文日{cn_date(dates.issue)}之前"
    return f"距完成时限还有{m.days_left}天" if m.days_left is not None else ""


def _matter(m: MilestoneResult, unit: str, items: dict[str, ItemResult], config: Config,
            submitted: set[str], dates: MonthDates, you: str = "你单位") -> dict[str, Any]:
    return {
        "code": m.code,
        "item_name": m.item_name,
        "text": _clause(m.text),
        "due": cn_date(m.due) if m.due else "",
        "days": m.days_overdue if unit_status(m, unit) is Status.OVERDUE else (m.days_left or 0),
        "when": _when(m, unit, dates),
        "role": role_of(m, unit, config),
        "partners": "、".join(u for u in m.units if u != unit),
        "reported": reported_by_unit(m, unit, items, submitted, you),
        "earlier": "",  # a repeat 督办: the earlier 文号 and date (render/duban_words.py)
    }


def notice_recipients(result: PeriodResult, config: Config) -> dict[str, list[str]]:
    """Return, per notice kind, the units that get one (in the order they are written)."""
    return {kind: [ctx["unit"] for ctx in ctxs]
            for kind, ctxs in notice_contexts(result, config).items()}


def _notice_base(result: PeriodResult, config: Config, dates: MonthDates, kind: str,
                 unit: str) -> dict[str, Any]:
    office = config.office
    number = result.notice_numbers.get(kind, {}).get(unit)
    return {
        "unit": unit,
        # a notice the ledger has not numbered (a trial render) shows a blank to fill by hand
        "doc_no": number or f"{config.notices.prefix_of(kind)}〔{result.plan_year}〕　号",
        "issuer_mark": office.issuer_mark,
        "issuer": office.issuer,
        "letter": config.notices.letter_format and kind != "督办通知",  # 信函格式
        "cc": "，".join(office.cc) + "。" if office.cc else "",
        "printer": office.printer,
        "printed_date": cn_date(dates.issue),
        "period_cn": period_cn(result.period),
        "as_of_cn": cn_date(result.as_of),
        "plan_title": _plan_title(result),
        "matters": [],
        "confirm": [],
        "window": dates.due_soon_days,
        "soon_until": cn_date(dates.soon_until),
        "reply_by": _within(dates.reply_days, dates.reply_by),
        "explain_by": _within(dates.reply_days, dates.reply_by),
        "report_deadline": cn_date(dates.report_deadline),
        "items": "",
        "due_count": 0,
        "escalation": "",
        "received": "",
        "round_cn": "",
        "short_name": office.short_name,
        "contact_person": office.contact_person,
        "contact_phone": office.contact_phone,
        "signature": office.signature,
        "issue_date": cn_date(dates.issue),
    }


def notice_contexts(result: PeriodResult, config: Config) -> dict[str, list[dict[str, Any]]]:
    """Return, per notice kind (督办通知/提醒函/催报通知), one context per unit that gets one."""
    dates = dates_of(result, config)
    items = {it.code: it for it in result.items}
    submitted = {u.name for u in result.units if u.submitted}
    by_unit = _by_unit(result)
    dubans = current_dubans(result)
    out: dict[str, list[dict[str, Any]]] = {kind: [] for kind in NOTICE_KINDS}
    for unit in _unit_order(result):
        own: dict[str, list[dict[str, Any]]] = {"overdue": [], "soon": [], "confirm": []}
        soon: list[dt.date] = []  # the due dates of the nodes a 提醒函 reminds of
        for m in by_unit.get(unit, []):
            status = unit_status(m, unit)
            kind = ("overdue" if status is Status.OVERDUE else "soon" if status is Status.DUE_SOON
                    else "confirm" if m.confirm and status is Status.IN_PROGRESS else "")
            if kind:
                own[kind].append(_matter(m, unit, items, config, submitted, dates))
            if kind == "soon" and m.due is not None:
                soon.append(m.due)
        if own["overdue"]:
            ctx = _notice_base(result, config, dates, "督办通知", unit)
            pressed = dubans.get(unit)  # a repeat cites the earlier 督办 and is escalated
            for matter in own["overdue"]:
                matter["earlier"] = earlier_text(pressed.earlier.get(matter["code"], []) if pressed else [])
            ctx["matters"] = own["overdue"]
            ctx["escalation"] = escalation_text(pressed, config)
            ctx["round_cn"] = cn_numeral(pressed.round) if pressed else "一"
            out["督办通知"].append(_clean_all(ctx))
        if own["soon"] or own["confirm"]:
            ctx = _notice_base(result, config, dates, "提醒函", unit)
            ctx["matters"], ctx["confirm"] = own["soon"], own["confirm"]
            ctx["explain_by"] = explain_by(dates, soon)
            out["提醒函"].append(_clean_all(ctx))
    refused = refused_answers(result)  # a unit whose answer on a node was not taken is chased for it
    for u in result.units:
        if u.missing or u.name in refused:  # an exempt unit is not chased
            out["催报通知"].append(_chase(result, config, dates, u, by_unit.get(u.name, []), refused.get(u.name)))
    return out


def explain_by(dates: MonthDates, dues: list[dt.date]) -> str:
    """Return by when a 提醒函 asks to explain a node it expects to miss: the reply deadline, or
    the node's own date when that comes first (not after the date has passed)."""
    first = min(dues, default=None)
    if first is None or dates.reply_by <= first:
        return _within(dates.reply_days, dates.reply_by)
    return f"完成时限前（{cn_date(first)}前）"


def _chase(result: PeriodResult, config: Config, dates: MonthDates, chased: UnitResult,
           mine: list[MilestoneResult], refused: list[Refused] | None) -> dict[str, Any]:
    unit, missed = chased.name, chased.missed_months
    ctx = _notice_base(result, config, dates, "催报通知", unit)
    names: dict[str, None] = {}
    for m in mine:
        names.setdefault(m.item_name, None)
    for it in result.items:
        if unit in it.units:
            names.setdefault(it.name, None)
    ctx["items"] = "、".join(names)
    ctx["due_count"] = chased.due  # reconcile's count of the unit's nodes due by the cut-off
    ctx["reply_by"] = _within(dates.chase_days, dates.chase_by)
    ctx["received"] = received_text(result, unit, config.office.short_name, refused)
    if missed >= 2:
        ctx["escalation"] = (
            f"你单位已连续{missed}个月未报送推进情况，本月将在进度通报中予以通报。"
            "请主要负责同志亲自过问，查明原因，按期补报，并说明未按时报送的原因。")
    return _clean_all(ctx)


def unreported_words(result: PeriodResult) -> dict[tuple[str, str], str]:
    """Return why each unit standing 未报送 on a node does, keyed by (node code, unit), as the
    汇总表 prints it in place of the unit's words: its answer on the row was not taken (with the
    reason the check gave), the file it sent was not taken, its form had no such row, or it sent
    nothing. An answer not taken is never shown as if it were a report."""
    rows = {key: why for key, (why, _file) in answer_refusals(result).items()}
    files = {unit: list(dict.fromkeys(whys.values())) for unit, whys in files_not_taken(result).items()}
    submitted = {u.name for u in result.units if u.submitted}
    out: dict[tuple[str, str], str] = {}
    for m in result.milestones:
        for u in m.units:
            if unit_status(m, u) is not Status.NOT_REPORTED:
                continue
            rep = m.unit_reports.get(u)
            found = ROW.search(rep.cell) if rep is not None else None
            if rep is not None:
                why = rows.get((u, found.group())) if found else None
                out[m.code, u] = f"（{why}，未予采用）" if why else "（所报情况未予采用）"
            elif u in submitted:
                out[m.code, u] = "（所报报送表中未读到该节点）"
            elif u in files:
                out[m.code, u] = f"（所报材料{'；'.join(files[u])}，未予采用）"
            else:
                out[m.code, u] = "（未报送）"
    return out
