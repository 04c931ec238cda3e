"""Issues found in a batch → 校验报告.xlsx for the office, and 校验反馈/<unit>.xlsx to send back."""

from __future__ import annotations

import datetime as dt
import re
from copy import copy
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from reportgen.config import Config
from reportgen.forms import report_deadline
from reportgen.fsutil import atomic_path, printable_name, safe_filename
from reportgen.model import SEVERITY_LABEL, Issue, Plan, Severity
from reportgen.pages import paginate
from reportgen.sheets import number_pages, print_a4

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.worksheet import Worksheet

    from reportgen.ingest import IngestResult

REPORT_NAME = "校验报告.xlsx"
FEEDBACK_DIRNAME = "校验反馈"
UNKNOWN_UNIT = "（未能识别单位）"

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_SEVERITY_FILL = {Severity.ERROR: "F8CBAD", Severity.WARNING: "FFE699", Severity.INFO: "DDEBF7"}
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# (header, width) of the issue table
# widths sum to about 140 characters: A4 landscape at 10 pt, not shrunk to fit
_ISSUE_COLUMNS = [("序号", 5), ("单位", 18), ("文件", 20), ("工作表", 12), ("单元格", 7),
                  ("级别", 6), ("问题类型", 16), ("问题说明", 56)]
_FEEDBACK_COLUMNS = [("序号", 5), ("文件", 22), ("工作表", 12), ("单元格", 7), ("级别", 6),
                     ("问题类型", 16), ("问题说明", 66)]
_STATUS_COLUMNS = [("序号", 5), ("单位", 28), ("报送情况", 9), ("采用的文件", 32), ("怎样认出的", 18),
                   ("填报日期", 12), ("错误", 6), ("警告", 6), ("提示", 6)]
# how a returned file was known to be the unit's, in a clerk's words
_IDENTIFIED = {"meta": "原表（未改动）", "title": "表格标题中的单位名", "filename": "文件名中的单位名",
               "rows": "表中所列项目"}
# Issue.code -> 问题类型 as a reader sees it; a code not listed prints as 其他
ISSUE_KINDS = {
    "ambiguous_separator": "数字写法有歧义", "approximate": "数字为约数", "bad_date": "日期无法识别",
    "bad_number": "数字无法识别", "bad_status": "状态无法识别", "negative": "数字为负数",
    "parse_amount": "金额无法识别", "parse_date": "日期无法识别", "parse_status": "状态无法识别",
    "unit_wan": "金额按万元换算", "copied_sheet": "工作表被复制", "corrupt_file": "文件已损坏",
    "empty_file": "文件是空的", "encrypted": "文件设了密码", "unreadable": "文件无法读取",
    "read_failed": "文件无法读取", "not_spreadsheet": "不是表格文件", "too_large": "文件过大",
    "zip_bomb": "文件异常", "xml_entities": "文件异常", "far_cells": "表格范围异常",
    "too_many_rows": "行数过多", "cumulative_decreased": "累计数比此前少",
    "implausible_jump": "累计数增幅异常", "figure_disagree": "各单位所报数字不一致",
    "figure_missing": "未填累计数", "shared_disagree": "共同负责单位所报不一致",
    "lead_missing": "牵头单位未报送", "date_after_period": "完成日期晚于截止日期",
    "date_missing": "未填完成日期", "date_out_of_year": "日期不在本年度",
    "date_without_done": "填了完成日期但未选已完成", "status_missing": "未选状态",
    "status_reverted": "状态比此前倒退", "duplicate_row": "重复的行", "hidden_row": "隐藏的行",
    "row_missing": "缺少的行", "row_unidentified": "认不出的行", "unknown_code": "认不出的行",
    "other_unit_row": "其他单位的行", "unknown_metric": "认不出的指标",
    "matched_by_name": "按项目名称对应", "merged_cells": "合并了单元格", "merged_inputs": "合并了单元格",
    "formula_no_cache": "公式没有计算结果", "no_data": "未填内容", "not_followed": "未按表格填写",
    "period_assumed": "报送月份系推定", "wrong_period": "报送月份不符", "unit_mismatch": "单位不符",
    "unknown_unit": "认不出单位", "column_missing": "表头被改动", "merged_figures": "累计数合并了单元格",
}


def load_writer() -> ModuleType:
    """Return the writer of the report, loaded on first call (with openpyxl: about a third of a
    second), which a caller with time to spare (other processes reading the forms) calls early."""
    import reportgen.xlsx_save as writer  # heavy: openpyxl, loaded when a report is written

    return writer


def issue_kind(code: str) -> str:
    """Return the 问题类型 printed for an Issue code (其他 for one not listed)."""
    return ISSUE_KINDS.get(code, "其他")


def _cell_key(cell: str) -> tuple[int, str]:
    letters = cell.rstrip("0123456789")
    digits = cell[len(letters):]
    return (int(digits) if digits else 0, letters.rjust(3))


def _order(issues: list[Issue], units: list[str]) -> list[Issue]:
    rank = {u: i for i, u in enumerate(units)}
    return sorted(
        issues,
        key=lambda i: (rank.get(i.unit, len(rank)) if i.unit else len(rank) + 1, i.unit, i.file,
                       _SEVERITY_ORDER[i.severity], i.sheet, _cell_key(i.cell)),
    )


def _safe(value: Any) -> Any:
    """Return text safe for a cell: never a formula, no control characters."""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value




class _Style:
    """The report's cell styles, made once: each workbook gets the same style tables, and a
    cell's style is set by copying its row of indices (setting fonts, fills and borders through
    openpyxl looks each up by hash: most of the time of 200 small workbooks)."""

    def __init__(self, config: Config) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        writer = load_writer()
        self.save = writer.save_workbook

        thin = Side(style="thin", color="808080")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        body = Font(name=config.fonts.table, size=10)
        self.font_name = body.name
        center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self._proto = Workbook()
        sheet = self._proto.active
        self.arrays: dict[Any, StyleArray] = {}

        def keep(key: Any, font: Font, alignment: Alignment | None = None, fill: PatternFill | None = None,
                 with_border: bool = False) -> None:
            cell = sheet.cell(len(self.arrays) + 1, 1)
            cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            if fill is not None:
                cell.fill = fill
            if with_border:
                cell.border = border
            self.arrays[key] = copy(cell._style)
            self._proto._cell_styles.add(cell._style)  # every workbook lists every style, in one order

        keep("title", Font(name=config.fonts.table_title, size=16, bold=True),
             Alignment(horizontal="center", vertical="center"))
        keep("subtitle", Font(name=config.fonts.table, size=10), left)
        keep("header", Font(name=config.fonts.table_title, size=11, bold=True), center,
             PatternFill("solid", fgColor="D9D9D9"), with_border=True)
        keep("plain", body)
        keep("note", body, Alignment(wrap_text=True, vertical="top"))
        for severity in (None, *Severity):
            fill = PatternFill("solid", fgColor=_SEVERITY_FILL[severity]) if severity else None
            keep((True, severity), body, left, fill, with_border=True)
            keep((False, severity), body, center, fill, with_border=True)
        self.shared = writer.SharedStyles(self._proto)

    def workbook(self) -> Workbook:
        """Return a new workbook whose style tables (shared) hold every style of the report."""
        return self.shared.workbook()

    def put(self, cell: Cell, key: Any) -> None:
        """Give `cell` one of the report's styles."""
        cell._style = copy(self.arrays[key])


def _merge(ws: Worksheet, coord: str) -> None:
    """Merge `coord` (its top-left cell holds value and style; no border to spread to the rest)."""
    from openpyxl.worksheet.merge import MergedCellRange

    ws.merged_cells.add(MergedCellRange(ws, coord))


def _table(ws: Worksheet, st: _Style, title: str, subtitle: str,
           columns: list[tuple[str, int]], rows: list[list[Any]],
           severities: list[Severity | None], wrap_cols: set[int]) -> None:
    """Write a titled, bordered, filterable table with a frozen header, ready to print."""
    from openpyxl.utils import get_column_letter

    ncols = len(columns)
    last_col = get_column_letter(ncols)
    _merge(ws, f"A1:{last_col}1")
    st.put(ws.cell(1, 1, title), "title")
    ws.row_dimensions[1].height = 30
    _merge(ws, f"A2:{last_col}2")
    st.put(ws.cell(2, 1, subtitle), "subtitle")
    ws.row_dimensions[2].height = 20
    for c, (header, width) in enumerate(columns, start=1):
        st.put(ws.cell(3, c, header), "header")
        ws.column_dimensions[get_column_letter(c)].width = width
    level = next((c for c, (header, _w) in enumerate(columns, start=1) if header == "级别"), 0)
    for r, (values, severity) in enumerate(zip(rows, severities, strict=True), start=4):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            cell.value = _safe(value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text a unit typed never becomes a formula
            st.put(cell, (c in wrap_cols, severity if c == level else None))
        longest = max((len(str(values[c - 1])) / max(columns[c - 1][1] / 2.1, 1)
                       for c in wrap_cols), default=1)
        ws.row_dimensions[r].height = max(18, 15 * (int(longest) + 1))
    last_row = max(3, 3 + len(rows))
    ws.auto_filter.ref = f"A3:{last_col}{last_row}"
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.print_area = f"A1:{last_col}{last_row}"
    print_a4(ws, centered=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    # the footer (page numbers) needs room between it and the paper's edge, or it is cut off
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.8
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.35
    number_pages(ws, font=f"{st.font_name},Regular")


def _counts(issues: list[Issue]) -> dict[Severity, int]:
    out = dict.fromkeys(Severity, 0)
    for i in issues:
        out[i.severity] += 1
    return out


def _period_words(period: str) -> str:
    return f"{int(period[:4])}年{int(period[5:7])}月"


def write_check_report(
    result: IngestResult, plan: Plan, period: str, out_dir: Path, config: Config | None = None
) -> list[Path]:
    """Write 校验报告.xlsx and one 校验反馈/<unit>.xlsx per unit with errors or warnings; return paths."""
    config = config or Config()
    st = _Style(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    units = list(result.expected_units) or plan.unit_names()
    issues = _order(list(result.issues), units)
    counts = _counts(issues)
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    wb = st.workbook()
    ws = wb.active
    ws.title = "校验问题"
    rows = [[n, i.unit or UNKNOWN_UNIT, i.file, i.sheet, i.cell, SEVERITY_LABEL[i.severity],
             issue_kind(i.code), i.message] for n, i in enumerate(issues, start=1)]
    _table(ws, st, f"{_period_words(period)}重点项目报送表校验报告",
           f"共收到 {len(result.files)} 个文件，{len(result.submissions)} 个单位已报送、"
           f"{len(result.missing_units)} 个单位未报送；错误 {counts[Severity.ERROR]} 条、"
           f"警告 {counts[Severity.WARNING]} 条、提示 {counts[Severity.INFO]} 条。生成时间：{now}",
           _ISSUE_COLUMNS, rows, [i.severity for i in issues], {2, 3, 8})
    if not rows:
        _merge(ws, "A4:H4")
        st.put(ws.cell(4, 1, "未发现问题。"), "plain")
        ws.row_dimensions[4].height = 24
        ws.print_area = "A1:H4"
    _status_sheet(wb.create_sheet("报送情况"), st, result, units, period)
    paths = [_save(wb, out_dir / REPORT_NAME, st)]
    by_unit: dict[str, list[Issue]] = {}
    for i in issues:
        if i.unit:
            by_unit.setdefault(i.unit, []).append(i)
    for unit, own in by_unit.items():
        if any(i.severity is not Severity.INFO for i in own):
            paths.append(_feedback(unit, own, result, period, out_dir / FEEDBACK_DIRNAME, st, config))
    return paths


def _status_sheet(ws: Worksheet, st: _Style, result: IngestResult, units: list[str], period: str) -> None:
    subs = {s.unit: s for s in result.submissions}
    rows: list[list[Any]] = []
    for unit in [*units, *(u for u in subs if u not in units)]:
        sub = subs.get(unit)
        c = _counts([i for i in result.issues if i.unit == unit])
        rows.append([
            len(rows) + 1, unit, "已报送" if sub else "未报送",
            printable_name(Path(sub.file).name) if sub else "", _IDENTIFIED.get(sub.identified_by, "") if sub else "",
            sub.content_date.isoformat() if sub and sub.content_date else "",
            c[Severity.ERROR], c[Severity.WARNING], c[Severity.INFO],
        ])
    stray = [f for f in result.files if f.submission is None]
    for f in stray:
        c = _counts(f.issues)
        rows.append([len(rows) + 1, UNKNOWN_UNIT, "未采用", f.name, "", "",
                     c[Severity.ERROR], c[Severity.WARNING], c[Severity.INFO]])
    _table(ws, st, f"{_period_words(period)}各单位报送情况",
           f"应报 {len(units)} 个单位：已报送 {len(result.submissions)} 个，"
           f"未报送 {len(result.missing_units)} 个" + (
               "（" + "、".join(result.missing_units) + "）" if result.missing_units else ""),
           _STATUS_COLUMNS, rows, [None] * len(rows), {2, 4})


def _feedback(unit: str, issues: list[Issue], result: IngestResult, period: str, folder: Path,
              st: _Style, config: Config) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wb = st.workbook()
    ws = wb.active
    ws.title = "校验反馈"
    files = sorted({i.file for i in issues})
    c = _counts(issues)
    deadline = report_deadline(period, config)
    rows = [[n, i.file, i.sheet, i.cell, SEVERITY_LABEL[i.severity], issue_kind(i.code), i.message]
            for n, i in enumerate(issues, start=1)]
    _table(ws, st, f"{_period_words(period)}重点项目报送表校验反馈",
           f"{unit}：你单位报送的《{'》《'.join(files)}》经校验，发现错误 {c[Severity.ERROR]} 处、"
           f"警告 {c[Severity.WARNING]} 处（见下表）。请在原报送表中逐项修改后，于"
           f"{deadline.year}年{deadline.month}月{deadline.day}日前重新报送。",
           _FEEDBACK_COLUMNS, rows, [i.severity for i in issues], {2, 7})
    ws.row_dimensions[2].height = 36
    end = 4 + len(rows) + 1
    _merge(ws, f"A{end}:G{end}")
    note = ws.cell(end, 1, f"说明：“错误”为未能采用的内容，必须修改；“警告”为已按所述方式读取但需核实的内容。"
                           f"如有疑问请联系{config.office.short_name} {config.office.contact_person}，"
                           f"电话 {config.office.contact_phone}。")
    st.put(note, "note")
    ws.row_dimensions[end].height = 36
    ws.print_area = f"A1:G{end}"
    # a unit prints it: lines broken by Chinese rules (no line starting with ：or ，), rows to fit
    from reportgen.render.xlsx_layout import lay_out_text  # loads openpyxl, as writing does

    lay_out_text(ws, skip_rows=frozenset({3}))  # the header's short labels stay as they are
    paginate(ws)
    return _save(wb, folder / f"{safe_filename(unit)}.xlsx", st)


def _save(wb: Workbook, path: Path, st: _Style) -> Path:
    """Save `wb` to `path`; a run killed while saving leaves the old file whole."""
    with atomic_path(path) as tmp:
        st.save(wb, tmp, st.shared)  # the styles part is the same for every workbook: written once
    return path
