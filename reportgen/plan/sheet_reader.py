"""A plan kept as a spreadsheet table (.xlsx, .xls, .ods) → lines for the importer.

Many offices keep the key-project list in Excel: 序号 / 项目名称 / 建设内容 / 年度计划投资 /
责任单位 / 完成时限 … The header row is found by its words (the rows above it are the title),
each column gets a role as in a Word task table (`docx_reader.column_roles`), and the rows
become the same lines a Word table gives. Which column was read as what is returned as a
note, written into the master workbook's 说明 sheet so staff can check it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from reportgen.cn import format_date
from reportgen.errors import PlanError
from reportgen.plan.docx_reader import ROLE_LABEL, column_roles, is_task_table, table_lines

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_HEADER_SCAN = 15  # the header is within the first rows; above it are the title and notes


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value).strip()


def _header_row(rows: list[list[str]]) -> int | None:
    for r, row in enumerate(rows[:_HEADER_SCAN]):
        header = [c.replace("\n", "").replace(" ", "") for c in row]
        roles = column_roles(header)
        if is_task_table(header) and (roles["name"] or roles["content"]) and sum(map(bool, header)) >= 3:
            return r
    return None


def _mapping(path: Path, sheet: str, r: int, header: list[str]) -> str:
    roles = column_roles(header)
    role_of = {i: role for role, cols in roles.items() for i in cols}
    parts = [f"{get_column_letter(i + 1)}列“{h}”→{ROLE_LABEL[role_of[i]]}" for i, h in enumerate(header) if h]
    return f"读取 {path.name} 工作表“{sheet}”，第{r + 1}行为表头：" + "；".join(parts)


def lines_from_sheet(path: Path) -> tuple[list[str], list[str]]:
    """Return the lines of the plan table in the workbook at `path`, and a note saying which
    sheet, header row and column roles were used (PlanError when no sheet holds a plan table)."""
    from python_calamine import CalamineWorkbook  # native reader, loaded when a sheet is read

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error kinds for a file that is not a workbook
        raise PlanError(f"{path.name} 不是有效的电子表格：{exc}") from exc
    if {"说明", "节点", "任务"} <= set(wb.sheet_names):
        raise PlanError(f"{path.name} 已是任务分解总表，无需导入：把它放在 input/plan/ 下即可使用")
    for sheet in wb.sheet_names:
        raw = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        rows = [[_text(v) for v in row] for row in raw]
        r = _header_row(rows)
        if r is None:
            continue
        header = [c.replace("\n", "").replace(" ", "") for c in rows[r]]
        title = [c for row in rows[:r] for c in row if c][:1] or [path.stem]
        body = [[c.splitlines() for c in row] for row in rows[r + 1:]]
        return [*title, *table_lines(header, body)], [_mapping(path, sheet, r, header)]
    raise PlanError(
        f"{path.name} 中没有找到任务表：需要一行表头，含“责任单位”（或牵头单位）列和“项目名称”或"
        "任务内容列，如 序号/项目名称/建设内容/年度计划投资/责任单位/完成时限"
    )
