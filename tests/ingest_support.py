"""Builders for the ingest tests and benchmark: a small plan and filled forms made by code.

A form follows `reportgen.formspec` (title, sub-title, header row, data, footer, hidden _meta).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportgen import formspec as fs
from reportgen.model import (
    METRIC_LABEL,
    Item,
    Milestone,
    MilestoneKind,
    Plan,
    Section,
    Task,
    Unit,
)

MED = "现代医药产业招商服务中心"
LAND = "规划和自然资源分局"
ECON = "经济运行与安全监管部"
EQUIP = "装备制造及大数据产业招商服务中心"


def _ms(code: str, due: str, text: str, kind: MilestoneKind = MilestoneKind.STEP,
        amount: float | None = None, units: list[str] | None = None) -> Milestone:
    return Milestone(code, dt.date.fromisoformat(due), text, kind, amount, units or [])


def make_plan() -> Plan:
    """Return a four-unit plan shaped like the seed document."""
    inv = MilestoneKind.INVESTMENT
    items = [
        Item("P01", 1, Section.PROJECT, "双雁生物医药产业园一期项目", 3.0, "含设备", tasks=[
            Task("P01-0", 0, "服务保障项目顺利建设", [MED], [MED], milestones=[
                _ms("P01-M01", "2024-06-30", "上半年至少完成投资1亿元", inv, 1.0, [MED]),
                _ms("P01-M02", "2024-09-30", "前三季度完成投资2亿元", inv, 2.0, [MED]),
                _ms("P01-M03", "2024-12-31", "全年完成投资3亿元以上", inv, 3.0, [MED]),
            ])]),
        Item("P03", 3, Section.PROJECT, "云冈纸业12万吨生活用纸项目", 1.0, tasks=[
            Task("P03-0", 0, "及时督促指导企业入库入统", [MED], [MED], milestones=[
                _ms("P03-M01", "2024-06-30", "上半年完成项目入统", MilestoneKind.FILING, None, [MED]),
                _ms("P03-M02", "2024-06-30", "上半年完成投资0.4亿元", inv, 0.4, [MED]),
            ])]),
        Item("P07", 7, Section.PROJECT, "海博思创储能项目", 6.0, tasks=[
            Task("P07-1", 1, "加快开展土地组卷报批工作", [LAND], [LAND], milestones=[
                _ms("P07-M01", "2024-06-20", "2024年6月20日前完成用地预审", units=[LAND]),
                _ms("P07-M02", "2024-08-31", "8月底完成土地报批", units=[LAND]),
                _ms("P07-M03", "2024-09-10", "9月10日前土地挂牌", units=[LAND]),
            ]),
            Task("P07-2", 2, "帮助企业纳入省能源局入库名录", [ECON], [ECON], milestones=[
                _ms("P07-M04", "2024-06-30", "2024年6月30日前纳入省能源局入库名录", units=[ECON]),
            ]),
            Task("P07-4", 4, "督促企业完成招标", [EQUIP], [EQUIP], milestones=[
                _ms("P07-M05", "2024-09-20", "9月20日前完成设计、总包、监理等招标", units=[EQUIP]),
                _ms("P07-M06", "2024-12-31", "全年完成投资6亿元以上", inv, 6.0, [EQUIP]),
            ]),
        ]),
        Item("T01", 1, Section.TASK, "研究破解同达药业扩建项目用地的问题", None, tasks=[
            Task("T01-0", 0, "学习考察广灵在土地调规上的做法", [LAND], [LAND], milestones=[
                _ms("T01-M01", "2024-06-30", "2024年6月30日前形成结论方案", units=[LAND]),
            ])]),
    ]
    units = [Unit(MED, ["医药招商中心"]), Unit(LAND, ["规划分局"]), Unit(ECON), Unit(EQUIP)]
    return Plan(2024, "2024年重点项目推进任务分解", "v1test", items, units)


def unit_rows(plan: Plan, unit: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the unit's (item code, metric) figure rows and milestone codes, in plan order."""
    figures: list[tuple[str, str]] = []
    milestones: list[str] = []
    for item in plan.items:
        amount_units = {u for t in item.tasks for m in t.milestones if m.metric for u in t.units}
        if unit in amount_units:
            figures += [(item.code, m.value) for m in item.metrics]
        for task in item.tasks:
            for m in task.milestones:
                if m.metric is None and unit in (m.units or task.units):
                    milestones.append(m.code)
    return figures, milestones


def make_form(
    plan: Plan,
    unit: str,
    period: str,
    path: Path,
    figures: dict[str, Any] | None = None,
    milestones: dict[str, dict[str, Any]] | None = None,
    footer: dict[str, Any] | None = None,
    meta: bool = True,
    previous: dict[str, float] | None = None,
) -> Path:
    """Write a filled form for `unit` (values as a unit would type them) and return its path."""
    from openpyxl import Workbook

    year, month = int(period[:4]), int(period[5:7])
    title = fs.TITLE_FORMAT.format(year=year, month=month, unit=unit)
    wb = Workbook()
    guide = wb.active
    guide.title = fs.SHEET_GUIDE
    guide["A1"] = "填报说明"
    guide["A2"] = "1. 只填写白色单元格；2. 金额以亿元计。"
    fig_rows, ms_codes = unit_rows(plan, unit)
    meta_rows: list[tuple[str, int, str]] = []

    ws = wb.create_sheet(fs.SHEET_FIGURES)
    ws.cell(fs.TITLE_ROW, 1, title)
    ws.cell(fs.SUBTITLE_ROW, 1, f"填报单位：{unit}    计量单位：亿元")
    for c, text in enumerate(fs.FIGURE_HEADERS.values(), start=1):
        ws.cell(fs.HEADER_ROW, c, text)
    cols = {k: i + 1 for i, k in enumerate(fs.FIGURE_HEADERS)}
    r = fs.FIRST_DATA_ROW
    for code, metric in fig_rows:
        item = plan.item(code)
        key = f"{code}/{metric}"
        ws.cell(r, cols["code"], code)
        ws.cell(r, cols["name"], item.name)
        ws.cell(r, cols["metric"], METRIC_LABEL[next(m for m in item.metrics if m.value == metric)])
        ws.cell(r, cols["target"], item.target_yi)
        if previous and key in previous:
            ws.cell(r, cols["previous"], previous[key])
        if figures and key in figures:
            ws.cell(r, cols["value"], figures[key])
        meta_rows.append((fs.SHEET_FIGURES, r, key))
        r += 1

    ws = wb.create_sheet(fs.SHEET_MILESTONES)
    ws.cell(fs.TITLE_ROW, 1, title)
    ws.cell(fs.SUBTITLE_ROW, 1, f"填报单位：{unit}")
    for c, text in enumerate(fs.MILESTONE_HEADERS.values(), start=1):
        ws.cell(fs.HEADER_ROW, c, text)
    mcols = {k: i + 1 for i, k in enumerate(fs.MILESTONE_HEADERS)}
    by_code = {m.code: (it, m) for it in plan.items for m in it.milestones}
    r = fs.FIRST_DATA_ROW
    for code in ms_codes:
        item, m = by_code[code]
        ws.cell(r, mcols["code"], code)
        ws.cell(r, mcols["item"], item.name)
        ws.cell(r, mcols["text"], m.text)
        ws.cell(r, mcols["due"], m.due)
        ws.cell(r, mcols["units"], "、".join(m.units))
        for key, value in ((milestones or {}).get(code) or {}).items():
            cell = ws.cell(r, mcols[key], value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
        meta_rows.append((fs.SHEET_MILESTONES, r, code))
        r += 1
    r += 1
    foot = footer if footer is not None else {"填报人": "李华", "联系电话": "13900000000"}
    for i, label in enumerate(fs.FOOTER_LABELS):
        row, col = r + i // 2, 1 + (i % 2) * 3
        ws.cell(row, col, label)
        key = label.split("（")[0]
        if key in foot:
            cell = ws.cell(row, col + 1, foot[key])
            if isinstance(foot[key], dt.date):
                cell.number_format = "yyyy-mm-dd"

    if meta:
        ms = wb.create_sheet(fs.SHEET_META)
        values = {"unit": unit, "period": period, "plan_version": plan.version,
                  "plan_year": plan.year, "form_version": fs.FORM_VERSION,
                  "generated_at": "2024-07-01T08:00:00"}
        for i, key in enumerate(fs.META_KEYS, start=1):
            ms.cell(i, 1, key)
            ms.cell(i, 2, values[key])
        r = len(fs.META_KEYS) + 2
        for c, text in enumerate(fs.META_ROWS_HEADER, start=1):
            ms.cell(r, c, text)
        for sheet, row, code in meta_rows:
            r += 1
            ms.cell(r, 1, sheet)
            ms.cell(r, 2, row)
            ms.cell(r, 3, code)
        ms.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def good_values(unit: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return a clean set of figures and milestone answers for `unit`."""
    plan = make_plan()
    figs, codes = unit_rows(plan, unit)
    figures = {f"{c}/{m}": round(0.5 + i * 0.25, 2) for i, (c, m) in enumerate(figs)}
    answers = {
        code: {"status": "已完成", "completed_on": dt.date(2024, 6, 10 + i), "progress": f"{code}进展"}
        if i % 2 == 0 else {"status": "推进中", "progress": f"{code}正在推进", "problems": "无"}
        for i, code in enumerate(codes)
    }
    return figures, answers
