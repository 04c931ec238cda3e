"""Plan → master workbook (任务分解总表): the sheets `plan import` writes and staff edit.

What the sheets hold and how they are read back is reportgen.plan.workbook; this module writes
them (openpyxl, loaded with it: only `plan import` and `plan` edits write the workbook) and
saves the cells through reportgen.xlsx_save (the XML openpyxl writes, several times faster).
"""

from __future__ import annotations

import datetime as dt
import re
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from reportgen.errors import PlanError
from reportgen.fsutil import atomic_path
from reportgen.model import KIND_LABEL, SECTION_LABEL, Plan, plan_text
from reportgen.plan.workbook import (
    INFO_KEYS,
    ITEM_COLUMNS,
    MILESTONE_COLUMNS,
    SHEET_IMPORTED,
    SHEET_INFO,
    SHEET_ITEMS,
    SHEET_MILESTONES,
    SHEET_TASKS,
    SHEET_UNITS,
    TASK_COLUMNS,
    UNIT_COLUMNS,
    Column,
)
from reportgen.sheets import print_a4
from reportgen.xlsx_save import save_workbook

_IMPORTED_NOTE = "本表由程序使用（记录导入时的原样，用于识别人工修改），请勿修改"
_CELL_CHARS = 30000  # Excel holds at most 32,767 characters in a cell
_INFO_NOTES = [
    "本表为任务分解总表，是生成报送表、汇总和通报的依据，可直接修改：",
    "1. 改日期：在“节点”表“完成时限”列填写日期（如 2024-06-30）；",
    "2. 加节点：在“节点”表新增一行，填写任务编号、完成时限、节点要求和类型，节点编号可留空（自动编号）；",
    "3. 删任务：删除“任务”表中该行，并同时删除“节点”表中该任务的节点行；",
    "4. 单位改名：在“单位”表改名，并把旧名写入“其他名称”，或同时修改各表中的单位；",
    "5. 类型只能填：" + "、".join(KIND_LABEL.values()) + "；多个单位用顿号“、”分隔，牵头单位写在最前。",
    "“版本”由程序计算，无需修改。",
]


def _join(names: list[str]) -> str:
    return "、".join(names)


_NARROW = re.compile("[\x00-\u2e80]+")  # what is not a CJK character (those are 2 wide)


def _lines(text: str, width: float) -> int:
    """Return how many lines `text` takes in a wrapped column (a Chinese character is 2 wide)."""
    total = 0
    for part in text.splitlines() or [""]:
        chars = len(part) if part.isascii() else len(part) + len(_NARROW.sub("", part))
        # a little under the nominal width: proportional fonts and cell padding
        total += max(1, -(-chars // max(1, int(width * 0.9))))
    return total


def _sheet(wb: Any, title: str, columns: list[Column], rows: list[dict[str, Any]]) -> Worksheet:
    ws = wb.create_sheet(title)
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(name="黑体", bold=True, size=11)
    body_font = Font(name="仿宋_GB2312", size=11)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=col.header)
        cell.font = header_font
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = col.width
    # Styling every cell through openpyxl's descriptors costs seconds on a city's plan; style
    # one cell per column and value kind, then copy its style array.
    styles: dict[tuple[int, str], Any] = {}
    for r, row in enumerate(rows, start=2):
        for c, col in enumerate(columns, start=1):
            value = row.get(col.key)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with = stays text
            kind = ("date" if isinstance(value, dt.date) else
                    "float" if isinstance(value, float) else "other")
            style = styles.get((c, kind))
            if style is not None:
                cell._style = copy(style)
                continue
            cell.font = body_font
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=col.wrap,
                                       horizontal="center" if kind == "date" else None)
            if kind == "date":
                cell.number_format = "yyyy-mm-dd"
            elif kind == "float":
                cell.number_format = "0.00##"
            styles[(c, kind)] = cell._style
        lines = max((_lines(str(row.get(col.key) or ""), col.width) for col in columns if col.wrap),
                    default=1)
        ws.row_dimensions[r].height = min(409, 15 * lines + 3)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "B2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
    ws.print_title_rows = "1:1"
    print_a4(ws)
    return ws


def _info_sheet(wb: Any, plan: Plan, notes: list[str]) -> None:
    info = wb.active
    info.title = SHEET_INFO
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 100
    for r, (key, label) in enumerate(INFO_KEYS.items(), start=1):
        info.cell(row=r, column=1, value=label).font = Font(name="黑体", bold=True)
        value: Any = getattr(plan, key)
        cell = info.cell(row=r, column=2, value=value)
        cell.alignment = Alignment(horizontal="left")
        if isinstance(value, str):
            cell.data_type = "s"
    first = len(INFO_KEYS) + 2
    for r, note in enumerate([*_INFO_NOTES, *notes], start=first):
        info.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        cell = info.cell(row=r, column=1, value=note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        info.row_dimensions[r].height = 15 * _lines(note, 110) + 3
    info.page_setup.orientation = "landscape"
    info.page_setup.fitToWidth = 1
    info.page_setup.fitToHeight = 0
    info.sheet_properties.pageSetUpPr.fitToPage = True


def _validate_milestones(ws: Worksheet) -> None:
    kinds = DataValidation(type="list", formula1='"' + ",".join(KIND_LABEL.values()) + '"',
                           allow_blank=False, showErrorMessage=True,
                           errorTitle="类型", error="请从下拉列表中选择节点类型")
    kinds.add("F2:F2000")
    dates = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                           formula2="DATE(2099,12,31)", allow_blank=True, showErrorMessage=True,
                           errorTitle="完成时限", error="请填写日期，如 2024-06-30")
    dates.add("C2:C2000")
    ws.add_data_validation(kinds)
    ws.add_data_validation(dates)


def _imported_sheet(wb: Any, imported: Plan) -> None:
    """Keep the plan as the import wrote it, so a later import can tell staff's edits apart."""
    ws = wb.create_sheet(SHEET_IMPORTED)
    ws.sheet_state = "hidden"
    ws.cell(row=1, column=1, value=_IMPORTED_NOTE)
    content = plan_text(imported)
    for r, start in enumerate(range(0, len(content), _CELL_CHARS), start=2):
        ws.cell(row=r, column=1, value=content[start:start + _CELL_CHARS]).data_type = "s"


def write_plan_workbook(plan: Plan, path: Path, imported: Plan | None = None,
                        notes: list[str] | None = None) -> Path:
    """Write the master workbook for `plan` to `path` and return the path.

    `imported` is the plan as the document gave it (default: `plan`), kept in a hidden sheet:
    what differs from it when the workbook is read again are the staff's edits. `notes` (how
    the source was read) are added to the 说明 sheet for staff to check.
    """
    wb = Workbook()
    _info_sheet(wb, plan, notes or [])
    _sheet(wb, SHEET_ITEMS, ITEM_COLUMNS, [
        {"code": it.code, "no": it.no, "section": SECTION_LABEL[it.section], "name": it.name,
         "target": it.target_yi, "note": it.target_note, "text": it.text}
        for it in plan.items
    ])
    _sheet(wb, SHEET_TASKS, TASK_COLUMNS, [
        {"code": t.code, "item": it.code, "no": t.no, "text": t.text, "units": _join(t.units),
         "lead": _join(t.lead_units), "requirements": "\n".join(t.requirements)}
        for it in plan.items for t in it.tasks
    ])
    _validate_milestones(_sheet(wb, SHEET_MILESTONES, MILESTONE_COLUMNS, [
        {"code": m.code, "task": t.code, "due": m.due, "due_text": m.due_text, "text": m.text,
         "kind": KIND_LABEL[m.kind], "amount": m.amount_yi, "units": "" if m.units == t.units else _join(m.units)}
        for it in plan.items for t in it.tasks for m in t.milestones
    ]))
    _sheet(wb, SHEET_UNITS, UNIT_COLUMNS, [
        {"name": u.name, "aliases": _join(u.aliases)} for u in plan.units
    ])
    _imported_sheet(wb, imported or plan)
    # write beside it, then replace: a failed save never leaves half a master workbook
    try:
        with atomic_path(path) as partial:
            save_workbook(wb, partial)
    except PermissionError as exc:
        raise PlanError(f"无法写入 {path.name}：文件可能正在 Excel/WPS 中打开，请关闭后重试") from exc
    return path
