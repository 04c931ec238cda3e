"""The meeting summary workbook (汇总表.xlsx), rendered from the Excel template staff restyle.

`excel_context` turns a PeriodResult into plain rows (dicts of numbers, dates and text, the
same values summary.json carries, keyed by item and milestone codes); the template
(`templates/汇总表.xlsx`, made by tools/make_excel_template.py) decides where each value goes
and how it looks; `xlsx_template.render_template` does the filling. Only the paper size and the
two default font names are taken from reportgen.toml at render time.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils.indexed_list import IndexedList

from reportgen.cn import UNDATED, format_date, format_month, month_span
from reportgen.config import Config, FontConfig
from reportgen.errors import WorkspaceError
from reportgen.fsutil import atomic_path
from reportgen.loader import TemplateSource
from reportgen.model import (
    STATUS_LABEL,
    DubanState,
    History,
    ItemResult,
    Metric,
    MilestoneResult,
    PeriodResult,
    Section,
    Status,
    UnitResult,
    figure_key,
    period_end,
)
from reportgen.reconcile import DONE_STATUSES, schedule_rate
from reportgen.render.chart import charted
from reportgen.render.duban_words import duban_matters, duban_note
from reportgen.render.wording import added_words, issue_date_of, overdue_days, unreported_words
from reportgen.render.xlsx_layout import lay_out
from reportgen.render.xlsx_template import check_template, render_template
from reportgen.rules import changes_since
from reportgen.xlsx_save import save_workbook

TEMPLATE_NAME = "汇总表.xlsx"

# a mark beside each status word, so the colour is not the only cue on a black-and-white print
STATUS_MARK: dict[Status, str] = {
    Status.DONE: "√",
    Status.DONE_LATE: "√",
    Status.IN_PROGRESS: "○",
    Status.DUE_SOON: "▲",
    Status.OVERDUE: "●",
    Status.NOT_REPORTED: "×",
}

VS_LABEL = {"ahead": "超前", "behind": "滞后", "on": "持平", "": ""}

PAPER_SIZE = {"A4": 9, "A3": 8}  # OOXML paperSize codes

# What the template can use; written on the template's 模板说明 sheet for staff.
CONTEXT_HELP: dict[str, str] = {
    "period": "报告期，如 2024-06",
    "period_label": "报告期中文，如 2024年6月",
    "year": "年度",
    "month": "月份",
    "as_of": "截止日期（日期）",
    "as_of_label": "截止日期中文，如 2024年6月30日",
    "issue_label": "本月材料的成文日期中文，如 2024年7月8日（发文登记所列各件的日期）",
    "schedule": "序时进度（比例，如 0.5）",
    "plan_title": "任务分解标题",
    "plan_version": "任务分解版本号",
    "org": "单位名称",
    "issuer": "发文机关全称",
    "short_name": "发文机关简称",
    "count": "节点数：count.total、count.due（已到期），以及 count.done、count.done_late、"
    "count.in_progress、count.due_soon、count.overdue、count.not_reported",
    "rows": "汇总表行：每个节点一行（无节点的项目一行）。同一项目的第一行有 no、name、target、"
    "cumulative、rate、schedule；每行都有 item、item_name、code、text、due、units、lead、"
    "status、status_label、progress、problems、completed_on、days_overdue（逾期天数；完成时限即截止日的为"
    "“当日到期”）、days_left",
    "milestones": "全部节点（字段同 rows 中的节点字段，item_name 每行都有）",
    "overdue": "逾期未完成节点，逾期天数多的在前",
    "due_soon": "临期节点，剩余天数少的在前",
    "units": "各责任单位：rank、name、submitted、submitted_label、total、due、done、done_late、"
    "in_progress、due_soon、overdue、not_reported、rate",
    "missing_units": "未报送单位：name、item_names（涉及项目）、milestones（涉及节点数）、due（其中已到期）",
    "missing_rows": "未报送清单逐行打印：每个未报送单位涉及的每个项目一行，"
    "item_names 为该项目（后接“、”，最后一个除外）；第一行另有 no（序号）和 "
    "missing_units 的其余各项，其余行只有 item_names（全市规模时一个单位涉及"
    "几十个项目，一行放不下）",
    "projects": "有年度投资目标的项目：no、code、name、target、previous、added（本月新增）、"
    "cumulative、rate、schedule、vs、vs_label、invoice",
    "chart": "投资图表：projects（所画的项目：name、rate、schedule）、note（项目多于一页画得下时为"
    "“完成率最低的20个项目（共2400个）”，否则为空）；与通报的完成率图画同样的项目",
    "previous_label": "projects 中 previous 的列名：上月累计（上月未运行时为最近运行月份，如 7月累计；1月为年初累计）",
    "added_label": "projects 中 added 的列名：本月新增（上月未运行时如 8—9月新增）",
    "months": "按月累计完成投资：period、label（某月未运行时其后一月如 2024年8—9月）、cumulative、added、"
              "rate、schedule",
    "notices": "本期发出的通知：doc_no（发文字号）、kind（督办通知/提醒函/催报通知）、unit（主送单位）",
    "attachment": "汇总表作为通报附件：mark（“附件”或“附件1”，通报只有一个附件时不编号）、"
    "title（与通报附件说明所列名称一致的标题）",
    "dubans": "督办台账：本年度至本期发出的每件督办通知（及以前年度年初仍未销号、未回复而结转的），"
    "doc_no（文号）、unit（责任单位）、matters（督办事项，"
    "即所督办的节点）、issued_on（督办日期）、reply_by（回复期限）、replied_on（回复日期）、"
    "state（状态：未到期/已回复/逾期未回复/已销号/终止督办）、round（同一节点第几次督办）、note（备注）",
    "duban_rows": "督办台账逐行打印：每件督办通知的每个节点一行，matters 为该节点；第一行另有 no（序号）和 dubans "
    "的其余各项，其余行只有 matters（节点多的督办通知一行放不下）",
    "duban_count": "督办台账合计：as_of_label（状态所依据的日期，即成文日期）、total、closed（已销号，节点全部完成）、"
    "ended（终止督办：节点因任务分解调整删除或年度结束未完成而不再督办）、"
    "late（逾期未回复）、replied（已回复）、pending（未到期）",
}


def status_text(status: Status) -> str:
    """Return the status as printed: mark and word, e.g. '● 逾期未完成'."""
    return f"{STATUS_MARK[status]} {STATUS_LABEL[status]}"


_label = format_month
_cn_date = format_date


def _open_members(m: MilestoneResult) -> list[str]:
    """Return the members of a group milestone (各产业招商服务中心) still holding it open."""
    return [u for u, (status, _) in m.by_unit.items() if status not in DONE_STATUSES] if m.group else []


def _said(m: MilestoneResult, unreported: dict[tuple[str, str], str]) -> tuple[str, str]:
    """Return the progress and problems the row prints: the deciding report's; of a group milestone
    still open, what its open members said, each named unless every member is open and said the
    same (a centre that is done must not lend its words to a row of 逾期未完成). A unit standing
    未报送 is given why (`wording.unreported_words`), never the words of an answer not taken."""
    members = _open_members(m)
    if not members:
        if m.status is Status.NOT_REPORTED:
            return unreported.get((m.code, m.decided_by or m.lead), "（未报送）"), ""
        report = m.report
        return (report.progress, report.problems) if report else ("", "")
    said: dict[str, list[str]] = {}
    problems: dict[str, list[str]] = {}
    for u in members:
        if m.by_unit[u][0] is Status.NOT_REPORTED:
            said.setdefault(unreported.get((m.code, u), "（未报送）"), []).append(u)
            continue
        rep = m.unit_reports.get(u)
        if rep is not None and rep.progress:
            said.setdefault(rep.progress, []).append(u)
        if rep is not None and rep.problems:
            problems.setdefault(rep.problems, []).append(u)
    return _named(said, m.units), _named(problems, m.units)


def _named(words: dict[str, list[str]], units: list[str]) -> str:
    """Return each text after the units that wrote it ("A、B：text"), one per line; a text every
    member of the milestone wrote stands unnamed."""
    if len(words) == 1 and next(iter(words.values())) == units:
        return next(iter(words))
    return "\n".join(f"{'、'.join(units)}：{text}" for text, units in words.items())


def _milestone_row(m: MilestoneResult, unreported: dict[tuple[str, str], str]) -> dict[str, Any]:
    progress, problems = _said(m, unreported)
    return {
        "item": m.item,
        "item_name": m.item_name,
        "code": m.code,
        "text": m.text,
        "due": m.due,
        "units": "、".join(m.units),
        "lead": m.lead,
        "status": m.status.value,
        # a node due after the cut-off but by the issue date: the unit is asked to confirm it
        "status_label": status_text(m.status) + ("（待确认）" if m.confirm else ""),
        "progress": progress,
        "problems": problems,
        # a done node whose date the unit did not give: said so, never left to look like no date due
        "completed_on": m.completed_on or (UNDATED if m.status in DONE_STATUSES else None),
        # a node due on the cut-off prints “当日到期”, not 0 (render/wording.overdue_days)
        "days_overdue": overdue_days(m) if m.status is Status.OVERDUE else None,
        "days_left": m.days_left if m.status is Status.DUE_SOON else None,
    }


def _item_fields(no: int, it: ItemResult) -> dict[str, Any]:
    return {
        "no": no,
        "name": it.name,
        "target": it.target_yi,
        "cumulative": it.cumulative_yi,
        "rate": it.rate,
        "schedule": it.schedule_rate if it.target_yi is not None else None,
    }


_BLANK_ITEM = dict.fromkeys(("no", "name", "target", "cumulative", "rate", "schedule"))
_BLANK_MILESTONE = dict.fromkeys(
    ("code", "text", "due", "lead", "status", "completed_on", "days_overdue", "days_left"), None
) | {"units": "", "status_label": "", "progress": "", "problems": ""}


def _summary_rows(result: PeriodResult, by_item: dict[str, list[dict[str, Any]]]) -> list[dict]:
    rows: list[dict[str, Any]] = []
    ordered = [i for i in result.items if i.section is Section.PROJECT] + [
        i for i in result.items if i.section is not Section.PROJECT
    ]
    for no, it in enumerate(ordered, start=1):
        first = _item_fields(no, it)
        ms = by_item.get(it.code) or [
            {**_BLANK_MILESTONE, "item": it.code, "item_name": it.name, "units": "、".join(it.units)}
        ]
        for k, m in enumerate(ms):
            rows.append({**m, **(first if k == 0 else _BLANK_ITEM)})
    return rows


def _unit_row(u: UnitResult) -> dict[str, Any]:
    counts = {s.value: u.counts.get(s.value, 0) for s in Status}
    return {
        "rank": u.rank,
        "name": u.name,
        "submitted": u.submitted,
        "submitted_label": "已报送" if u.submitted else "本月免报" if u.exempt else "× 未报送",
        "total": sum(counts.values()),
        "due": u.due,
        **counts,
        "rate": u.rate,
    }


def _project_rows(result: PeriodResult) -> list[dict[str, Any]]:
    out = []
    projects = [i for i in result.items if i.target_yi is not None]
    for no, it in enumerate(projects, start=1):
        out.append({
            "no": no,
            "code": it.code,
            "name": it.name,
            "target": it.target_yi,
            "previous": it.previous_yi,
            "added": it.month_added_yi,
            "cumulative": it.cumulative_yi,
            "rate": it.rate,
            "schedule": it.schedule_rate,
            "vs": it.vs_schedule,
            "vs_label": VS_LABEL.get(it.vs_schedule, it.vs_schedule),
            "invoice": it.invoice_yi,
        })
    return out


def _chart_rows(result: PeriodResult) -> dict[str, Any]:
    """The 投资图表's bars: the projects the bulletin's chart draws, and what it leaves out."""
    chart = charted(result)
    return {"note": chart.selection,
            "projects": [{"name": it.name, "rate": it.rate, "schedule": it.schedule_rate}
                         for it in chart.items]}


def _month_rows(result: PeriodResult, history: History) -> list[dict[str, Any]]:
    """Return the cumulative investment of the projects per month of the plan year.

    A month's 当月新增 is counted as the bulletin counts it (`Totals.month_added_yi`): the sum
    of the items' changes against their earlier figure, an item's first figure not included;
    this month's row is the period result's own figure. A month after one never run is
    labelled by the months its 当月新增 holds (2024年8—9月), as the bulletin words it."""
    keys = [figure_key(i.code, Metric.INVEST) for i in result.items if i.target_yi]
    target = sum(i.target_yi or 0.0 for i in result.items)
    year = f"{result.plan_year:04d}-"
    months = [p for p in sorted(history.figures) if p.startswith(year) and p < result.period]
    totals: dict[str, tuple[float | None, float | None]] = {}
    for n, period in enumerate(months):
        figures = history.figures[period]
        values = [figures[k] for k in keys if k in figures]
        before: dict[str, float] = {}
        for p in months[:n]:
            before.update(history.figures[p])
        if period.endswith("-01"):
            before = dict.fromkeys(keys, 0.0)
        changes = [figures[k] - before[k] for k in keys if k in figures and k in before]
        totals[period] = (round(sum(values), 6) if values else None,
                          round(sum(changes), 6) if changes else None)
    t = result.totals
    current = [i.cumulative_yi for i in result.items if i.target_yi and i.cumulative_yi is not None]
    totals[result.period] = (round(sum(current), 6) if current else None,
                             None if t.month_added_yi is None else round(t.month_added_yi, 6))
    rows = []
    for period, (value, added) in totals.items():
        now = period == result.period
        since = result.since if now else changes_since(history, period)
        rows.append({
            "period": period,
            "label": f"{int(period[:4])}年{month_span(period, since)}",
            "cumulative": value,
            "added": added,
            "rate": value / target if value is not None and target else None,
            # this month's as the bulletin states it (a cut-off before the month's end counts days)
            "schedule": result.schedule_rate if now else schedule_rate(period_end(period)),
        })
    return rows


def _missing_rows(result: PeriodResult, milestones: Iterable[MilestoneResult]) -> list[dict]:
    out = []
    for u in result.units:
        if not u.missing:
            continue
        mine = [m for m in milestones if u.name in m.units]
        items = list(dict.fromkeys(m.item_name for m in mine))
        items += [i.name for i in result.items if u.name in i.units and i.name not in items]
        out.append({
            "name": u.name,
            "item_names": "、".join(items),
            "items": items,  # the rows it prints: a name may hold a 、 itself
            "milestones": len(mine),
            "due": u.due,  # reconcile's count of the unit's nodes due by the cut-off
        })
    return out


def _missing_item_rows(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 未报送清单 as printed: a row per project of each unit, the unit's own columns on its
    first (a city unit in dozens of projects would not fit one row: Excel's tallest is 409 pt).
    Each project but a unit's last keeps its 、, so the rows read as the list they split."""
    rows: list[dict[str, Any]] = []
    for no, first in enumerate(units, start=1):
        names = first["items"] or [""]
        blank = dict.fromkeys([*first, "no"])
        rows += [{**(first if i == 0 else blank), "no": no if i == 0 else None,
                  "item_names": name + ("、" if i < len(names) - 1 else "")}
                 for i, name in enumerate(names)]
    return rows


def attachment(period: str, config: Config) -> dict[str, str]:
    """The 汇总表 as the bulletin's 附件: its mark and the title the 附件说明 lists (GB/T 9704 8)."""
    titles = config.text.attachment_titles(_label(period))
    if not titles:  # not attached: no mark, the usual title
        return {"mark": "", "title": f"{_label(period)}重点项目推进情况汇总表"}
    return {"mark": "附件" if len(titles) == 1 else "附件1", "title": titles[0]}


def excel_context(result: PeriodResult, history: History, config: Config) -> dict[str, Any]:
    """Return the names the Excel template sees: plain rows of numbers, dates and text."""
    unreported = unreported_words(result)
    milestones = [_milestone_row(m, unreported) for m in result.milestones]
    by_item: dict[str, list[dict[str, Any]]] = {}
    for row in milestones:
        by_item.setdefault(row["item"], []).append(row)
    # the 逾期清单 names who is late: of a group milestone, the members still open past the date
    late = {m.code: "、".join(u for u in _open_members(m) if m.by_unit[u][0] is Status.OVERDUE)
            for m in result.milestones if m.status is Status.OVERDUE and m.group}
    late_by = {m.code: m.days_overdue for m in result.milestones}
    overdue = sorted(({**r, "units": late.get(r["code"]) or r["units"]}
                      for r in milestones if r["status"] == Status.OVERDUE),
                     key=lambda r: (-late_by[r["code"]], r["code"]))
    due_soon = sorted((r for r in milestones if r["status"] == Status.DUE_SOON),
                      key=lambda r: (r["days_left"] if r["days_left"] is not None else 10**6,
                                     r["code"]))
    units = sorted(result.units, key=lambda u: (u.rank is None, u.rank or 0))
    missing = _missing_rows(result, result.milestones)
    count = {s.value: sum(1 for m in result.milestones if m.status is s) for s in Status}
    count["total"] = len(result.milestones)
    count["due"] = result.totals.due  # the bulletin's 应完成
    return {
        "period": result.period,
        "period_label": _label(result.period),
        "year": int(result.period[:4]),
        "month": int(result.period[5:7]),
        "as_of": result.as_of,
        "as_of_label": _cn_date(result.as_of),
        "issue_label": _cn_date(issue_date_of(result, config)),
        # January counts from the year's start (0), not from December's cumulative
        "previous_label": f"{int(result.since[5:7])}月累计" if result.since
        else "年初累计" if result.period.endswith("-01") else "上月累计",
        "added_label": added_words(result),
        "schedule": result.schedule_rate,
        "plan_title": result.plan_title,
        "plan_version": result.plan_version,
        "org": config.office.org_name,
        "issuer": config.office.issuer,
        "short_name": config.office.short_name,
        "attachment": attachment(result.period, config),
        "count": count,
        "rows": _summary_rows(result, by_item),
        "milestones": milestones,
        "overdue": overdue,
        "due_soon": due_soon,
        "units": [_unit_row(u) for u in units],
        "missing_units": missing,
        "missing_rows": _missing_item_rows(missing),
        "projects": _project_rows(result),
        "chart": _chart_rows(result),
        "months": _month_rows(result, history),
        "notices": [{"doc_no": no, "kind": kind, "unit": unit}
                    for kind, numbers in result.notice_numbers.items()
                    for unit, no in numbers.items()],
        "dubans": _duban_rows(result),
        "duban_rows": _duban_node_rows(result),
        "duban_count": _duban_count(result),
    }


def _duban_node_rows(result: PeriodResult) -> list[dict[str, Any]]:
    """The 督办台账 as printed: a row per node of each 督办通知, the notice's own columns on its
    first (a notice of dozens of nodes would not fit one row: Excel's tallest is 409 pt)."""
    rows: list[dict[str, Any]] = []
    for no, first in enumerate(_duban_rows(result), start=1):
        blank = dict.fromkeys([*first, "no"])
        rows += [{**first, "no": no, "matters": m} if i == 0 else {**blank, "matters": m}
                 for i, m in enumerate(first["matters"].split("\n"))]
    return rows


def _duban_rows(result: PeriodResult) -> list[dict[str, Any]]:
    """The 督办台账: every 督办通知 so far, nodes in the plan's words, state on the issue date."""
    return [{
        "doc_no": d.doc_no,
        "unit": d.unit,
        "matters": duban_matters(d),
        "issued_on": d.issued_on,
        "reply_by": d.reply_by,
        "replied_on": d.replied_on,
        "state": d.state.value,
        "round": d.round,
        "note": duban_note(d),
    } for d in result.dubans]


def _duban_count(result: PeriodResult) -> dict[str, Any]:
    states = [d.state for d in result.dubans]
    return {
        "as_of_label": _cn_date(result.dates.issue) if result.dates else _cn_date(result.as_of),
        "total": len(states),
        "closed": states.count(DubanState.CLOSED),
        "ended": states.count(DubanState.ENDED),
        "late": states.count(DubanState.LATE),
        "replied": states.count(DubanState.REPLIED),
        "pending": states.count(DubanState.PENDING),
    }


def _apply_config(book: Workbook, config: Config) -> None:
    """Set the configured paper and swap the template's default font names for configured ones."""
    defaults = FontConfig()
    swap = {defaults.table: config.fonts.table, defaults.table_title: config.fonts.table_title}
    swap = {k: v for k, v in swap.items() if k != v}
    if swap:
        fonts = []
        for f in book._fonts:
            if f.name in swap:
                f = copy(f)
                f.name = swap[f.name]
            fonts.append(f)
        book._fonts = IndexedList(fonts)
    for sheet in book.worksheets:
        sheet.page_setup.paperSize = PAPER_SIZE[config.paper.excel]
        sheet.page_setup.orientation = "landscape"
        for hf in (sheet.oddHeader, sheet.oddFooter, sheet.evenHeader, sheet.evenFooter,
                   sheet.firstHeader, sheet.firstFooter):
            for part in (hf.left, hf.center, hf.right):
                if part.font in swap:
                    part.font = swap[part.font]


def read_tables(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Return each sheet's first table of a rendered workbook as rows keyed by header text.

    The header row is the first row with three or more filled cells; data rows follow until a
    row with fewer than two filled cells (blank, a note, 本期无…) or a 合计 row; a row that only
    adds a node to the one above (no first column, one or two cells) is folded into it. Headers lose
    their line breaks (`年度目标（亿元）`), and so does text (the print layout breaks lines by
    hand). Meant for comparing a rendered 汇总表 with summary.json whatever order staff put the
    columns in."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    tables: dict[str, list[dict[str, Any]]] = {}
    try:
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            header_at = next((i for i, r in enumerate(rows)
                              if sum(1 for v in r if v not in (None, "")) >= 3), None)
            if header_at is None:
                continue
            header = [str(v).replace("\n", "") if v is not None else "" for v in rows[header_at]]
            table: list[dict[str, Any]] = []
            for r in rows[header_at + 1:]:
                filled = sum(1 for v in r if v not in (None, ""))
                if table and r[0] in (None, "") and 0 < filled <= 2:
                    _fold(table[-1], header, r)  # a 督办通知's further node (and the （续） of a new page)
                    continue
                # a total, a note or the 本期无… line of an empty list ends the table
                if filled < 2 or r[0] == "合计":
                    break
                table.append({h: v.replace("\n", "") if isinstance(v, str) else v
                              for h, v in zip(header, r, strict=False) if h})
            tables[sheet.title] = table
    finally:
        book.close()
    return tables


def _fold(row: dict[str, Any], header: list[str], further: list[Any]) -> None:
    """Add a further row's text to the row it continues (a name repeated with （续） aside)."""
    for h, v in zip(header, further, strict=False):
        text = v.replace("\n", "") if isinstance(v, str) else ""
        if h and text and not text.endswith("（续）"):
            row[h] = f"{row.get(h) or ''}{text}"


def check_excel_template(templates: TemplateSource) -> None:
    """Raise TemplateError when the Excel template `templates` finds names data that does not exist."""
    check_template(templates.template(TEMPLATE_NAME), CONTEXT_HELP.keys())


def render_excel(result: PeriodResult, history: History, templates: TemplateSource, config: Config,
                 out_path: Path) -> Path:
    """Render 汇总表.xlsx for the period from the template `templates` finds; return the file written."""
    book = render_template(templates.template(TEMPLATE_NAME), excel_context(result, history, config))
    _apply_config(book, config)
    lay_out(book)  # lines, row heights and page breaks, once the paper is known
    try:
        with atomic_path(out_path) as partial:
            save_workbook(book, partial)
    except PermissionError as exc:
        raise WorkspaceError(
            f"无法写入 {out_path}：文件可能正在被 Excel 或 WPS 打开，请关闭后重试"
        ) from exc
    return out_path
