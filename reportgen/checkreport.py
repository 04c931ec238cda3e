"""Issues found in a batch → 校验报告.xlsx for the office, and 校验反馈/<unit>.xlsx to send back."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.calendar import month_calendar
from reportgen.config import Config
from reportgen.fsutil import atomic_path, printable_name, safe_filename
from reportgen.model import SEVERITY_LABEL, Issue, Plan, Severity
from reportgen.pages import page_room, page_starts
from reportgen.sheets import PAGE_NUMBERS
from reportgen.textlines import CELL_PAD_PT, UNIT_PT, break_text, lines_height
from reportgen.xlsx_cells import column_letter
from reportgen.xlsx_package import CellStyle, Sheet, stylesheet, write_package

if TYPE_CHECKING:
    from reportgen.ingest import IngestResult

REPORT_NAME = "校验报告.xlsx"
FEEDBACK_DIRNAME = "校验反馈"
UNKNOWN_UNIT = "（未能识别单位）"

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_SEVERITY_FILL = {Severity.ERROR: "F8CBAD", Severity.WARNING: "FFE699", Severity.INFO: "DDEBF7"}
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BORDER = "808080"  # thin grey lines around every cell of a table
_MAX_TEXT = 32767  # the most characters a cell holds (a longer text is cut, as openpyxl cuts it)

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
    "read_failed": "文件无法读取", "not_spreadsheet": "不是表格文件", "csv_file": "另存为CSV", "too_large": "文件过大",
    "zip_bomb": "文件异常", "xml_entities": "文件异常", "far_cells": "表格范围异常",
    "too_many_rows": "行数过多", "cumulative_decreased": "累计数比此前少",
    "implausible_jump": "累计数增幅异常", "figure_disagree": "各单位所报数字不一致",
    "figure_missing": "未填累计数", "shared_disagree": "共同负责单位所报不一致",
    "lead_missing": "牵头单位未报送", "date_after_period": "完成日期晚于本期截止日",
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
    """Return text safe for a cell: never a formula, no control characters, not too long."""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)[:_MAX_TEXT]
    return value


def _aligned(style: CellStyle, horizontal: str) -> CellStyle:
    """`style` set `horizontal`ly, centred vertically, wrapping."""
    return replace(style, horizontal=horizontal, vertical="center", wrap=True)


class ReportStyles:
    """The report's cell styles, by name: one styles part, made once for every workbook."""

    def __init__(self, config: Config) -> None:
        body = CellStyle(config.fonts.table, 10)
        named: dict[Any, CellStyle] = {
            "title": CellStyle(config.fonts.table_title, 16, bold=True, horizontal="center", vertical="center"),
            "subtitle": _aligned(body, "left"),
            "header": _aligned(CellStyle(config.fonts.table_title, 11, bold=True, fill="D9D9D9", border=_BORDER),
                               "center"),
            "plain": body,
            "note": replace(body, vertical="top", wrap=True),
        }
        for severity in (None, *Severity):
            boxed = replace(body, fill=_SEVERITY_FILL[severity] if severity else None, border=_BORDER)
            named[(True, severity)] = _aligned(boxed, "left")
            named[(False, severity)] = _aligned(boxed, "center")
        self.looks = list(named.values())
        self.ids = {key: n for n, key in enumerate(named, start=1)}  # 0: the default style
        self.part = stylesheet(self.looks)
        # every page numbered in the footer, in the table's font
        self.footer = f'&C&"{config.fonts.table},Regular"{PAGE_NUMBERS}'

    def look(self, style: int) -> CellStyle | None:
        """The style of index `style` (None: the workbook's default)."""
        return self.looks[style - 1] if style else None


def _table(sheet: Sheet, st: ReportStyles, title: str, subtitle: str,
           columns: list[tuple[str, int]], rows: list[list[Any]],
           severities: list[Severity | None], wrap_cols: set[int]) -> None:
    """Write a titled, bordered, filterable table with a frozen header, ready to print."""
    ncols = len(columns)
    last_col = column_letter(ncols)
    sheet.merges += [(1, 1, 1, ncols), (2, 1, 2, ncols)]
    sheet.put(1, 1, title, st.ids["title"])
    sheet.heights[1] = 30
    sheet.put(2, 1, subtitle, st.ids["subtitle"])
    sheet.heights[2] = 20
    for c, (header, width) in enumerate(columns, start=1):
        sheet.put(3, c, header, st.ids["header"])
        sheet.widths.append(width)
    level = next((c for c, (header, _w) in enumerate(columns, start=1) if header == "级别"), 0)
    for r, (values, severity) in enumerate(zip(rows, severities, strict=True), start=4):
        for c, value in enumerate(values, start=1):
            sheet.put(r, c, _safe(value), st.ids[(c in wrap_cols, severity if c == level else None)])
        longest = max((len(str(values[c - 1])) / max(columns[c - 1][1] / 2.1, 1)
                       for c in wrap_cols), default=1)
        sheet.heights[r] = max(18, 15 * (int(longest) + 1))
    last_row = max(3, 3 + len(rows))
    sheet.auto_filter = f"A3:{last_col}{last_row}"
    sheet.frozen_rows = 3
    sheet.print_titles = "3:3"
    sheet.print_area = f"A1:{last_col}{last_row}"
    sheet.landscape = sheet.centered = True
    # the footer (page numbers) needs room between it and the paper's edge, or it is cut off
    sheet.margins = (0.5, 0.5, 0.6, 0.8, 0.3, 0.35)
    sheet.footer = st.footer

def _counts(issues: list[Issue]) -> dict[Severity, int]:
    out = dict.fromkeys(Severity, 0)
    for i in issues:
        out[i.severity] += 1
    return out


def _period_words(period: str) -> str:
    return f"{int(period[:4])}年{int(period[5:7])}月"


@dataclass
class CheckBooks:
    """The sheets of 校验报告.xlsx, and each unit's 校验反馈 before it is laid out for print."""

    styles: ReportStyles
    report: list[Sheet]
    feedback: dict[str, Sheet]


def write_check_report(
    result: IngestResult, plan: Plan, period: str, out_dir: Path, config: Config | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Write 校验报告.xlsx and one 校验反馈/<unit>.xlsx per unit with errors or warnings; return paths.
    `today` (the clock's by default) decides the day a 校验反馈 asks the corrected form by."""
    books = check_books(result, plan, period, config or Config(), today)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [_save(books.report, out_dir / REPORT_NAME, books.styles)]
    if books.feedback:
        (out_dir / FEEDBACK_DIRNAME).mkdir(exist_ok=True)
    for unit, sheet in books.feedback.items():
        lay_out_feedback(sheet, books.styles)
        paths.append(_save([sheet], out_dir / FEEDBACK_DIRNAME / f"{safe_filename(unit)}.xlsx", books.styles))
    return paths


def check_books(result: IngestResult, plan: Plan, period: str, config: Config,
                today: dt.date | None = None) -> CheckBooks:
    """The sheets of the 校验报告 and of each unit's 校验反馈 (a unit with errors or warnings)."""
    st = ReportStyles(config)
    units = list(result.expected_units) or plan.unit_names()
    issues = _order(list(result.issues), units)
    counts = _counts(issues)
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    sheet = Sheet("校验问题", [])
    rows = [[n, i.unit or UNKNOWN_UNIT, i.file, i.sheet, i.cell, SEVERITY_LABEL[i.severity],
             issue_kind(i.code), i.message] for n, i in enumerate(issues, start=1)]
    _table(sheet, st, f"{_period_words(period)}重点项目报送表校验报告",
           f"共收到 {len(result.files)} 个文件，{len(result.submissions)} 个单位已报送、"
           f"{len(result.missing_units)} 个单位未报送；错误 {counts[Severity.ERROR]} 条、"
           f"警告 {counts[Severity.WARNING]} 条、提示 {counts[Severity.INFO]} 条。生成时间：{now}",
           _ISSUE_COLUMNS, rows, [i.severity for i in issues], {2, 3, 8})
    if not rows:
        sheet.merges.append((4, 1, 4, 8))
        sheet.put(4, 1, "未发现问题。", st.ids["plain"])
        sheet.heights[4] = 24
        sheet.print_area = "A1:H4"
    status = Sheet("报送情况", [])
    _status_sheet(status, st, result, units, period)
    by_unit: dict[str, list[Issue]] = {}
    for i in issues:
        if i.unit:
            by_unit.setdefault(i.unit, []).append(i)
    by = resubmit_by(period, config, today or dt.date.today())
    feedback = {unit: _feedback(unit, own, period, st, config, by) for unit, own in by_unit.items()
                if any(i.severity is not Severity.INFO for i in own)}
    return CheckBooks(st, [sheet, status], feedback)


def _status_sheet(sheet: Sheet, st: ReportStyles, result: IngestResult, units: list[str], period: str) -> None:
    subs = {s.unit: s for s in result.submissions}
    own: dict[str | None, list[Issue]] = {}  # each unit's issues, gathered once
    for i in result.issues:
        own.setdefault(i.unit, []).append(i)
    rows: list[list[Any]] = []
    expected = set(units)
    for unit in [*units, *(u for u in subs if u not in expected)]:
        sub = subs.get(unit)
        c = _counts(own.get(unit, []))
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
    _table(sheet, st, f"{_period_words(period)}各单位报送情况",
           f"应报 {len(units)} 个单位：已报送 {len(result.submissions)} 个，"
           f"未报送 {len(result.missing_units)} 个" + (
               "（" + "、".join(result.missing_units) + "）" if result.missing_units else ""),
           _STATUS_COLUMNS, rows, [None] * len(rows), {2, 4})


def resubmit_by(period: str, config: Config, today: dt.date) -> dt.date:
    """Return the day a 校验反馈 asks for the corrected form: the day to report by while it is still
    ahead; once it has passed (a late check, or the run's papers), the day the 催报通知 asks the
    missing report by — the feedback never sets a day already gone when the chase gives a later one."""
    dates = month_calendar(period, None, config)
    return dates.report_deadline if today <= dates.report_deadline else dates.chase_by


def _feedback(unit: str, issues: list[Issue], period: str, st: ReportStyles, config: Config,
              deadline: dt.date) -> Sheet:
    sheet = Sheet("校验反馈", [])
    files = sorted({i.file for i in issues})
    c = _counts(issues)
    rows = [[n, i.file, i.sheet, i.cell, SEVERITY_LABEL[i.severity], issue_kind(i.code), i.message]
            for n, i in enumerate(issues, start=1)]
    _table(sheet, st, f"{_period_words(period)}重点项目报送表校验反馈",
           f"{unit}：你单位报送的《{'》《'.join(files)}》经校验，发现错误 {c[Severity.ERROR]} 处、"
           f"警告 {c[Severity.WARNING]} 处（见下表）。请在原报送表中逐项修改后，于"
           f"{deadline.year}年{deadline.month}月{deadline.day}日前重新报送。",
           _FEEDBACK_COLUMNS, rows, [i.severity for i in issues], {2, 7})
    sheet.heights[2] = 36
    end = 4 + len(rows) + 1
    sheet.merges.append((end, 1, end, 7))
    sheet.put(end, 1, f"说明：“错误”为未能采用的内容，必须修改；“警告”为已按所述方式读取但需核实的内容。"
                      f"如有疑问请联系{config.office.short_name} {config.office.contact_person}，"
                      f"电话 {config.office.contact_phone}。", st.ids["note"])
    sheet.heights[end] = 36
    sheet.print_area = f"A1:G{end}"
    return sheet


def lay_out_feedback(sheet: Sheet, st: ReportStyles) -> None:
    """Lay out a 校验反馈 for print: a unit prints it. Lines broken by Chinese rules (no line
    starting with ：or ，), rows to fit, pages ending where they fill."""
    _fit_rows(sheet, st, skip_rows=frozenset({3}))  # the header's short labels stay as they are
    _paginate(sheet)


def _units(sheet: Sheet, first: int, last: int) -> float:
    """The width in column units of columns `first` to `last` (8.43 for a column not set)."""
    return sum(sheet.widths[c - 1] if c <= len(sheet.widths) else 8.43 for c in range(first, last + 1))


def _fit_rows(sheet: Sheet, st: ReportStyles, skip_rows: frozenset[int]) -> None:
    """Break the text of every wrapping cell (but in `skip_rows`) into lines as it prints, and
    make its row tall enough to show them (never lower than it is)."""
    spans = {(top, left): (_units(sheet, left, right), bottom - top + 1) for top, left, bottom, right in sheet.merges}
    need: dict[int, float] = {}
    for (r, c), (value, style) in list(sheet.cells.items()):
        if value is None or r in skip_rows:
            continue
        look = st.look(style)
        size = look.size if look is not None else 11.0
        lines = 1
        if isinstance(value, str) and look is not None and look.wrap:
            width, spanned = spans.get((r, c)) or (_units(sheet, c, c), 1)
            text = break_text(value, width * UNIT_PT - CELL_PAD_PT, size)
            sheet.cells[(r, c)] = (text, style)
            lines = text.count("\n") + 1
            if spanned > 1:
                continue
        need[r] = max(need.get(r, 0.0), lines_height(lines, size))
    for r, height in need.items():
        if sheet.heights.get(r) is None or sheet.heights[r] < height:
            sheet.heights[r] = min(math.ceil(height), 409)


def _paginate(sheet: Sheet) -> None:
    """End each printed page where it fills, the last page holding the table's last rows with the
    note (reportgen.pages: every application then breaks the pages at the same rows)."""
    fitted = _units(sheet, 1, sheet.max_column())
    room = page_room(9, sheet.landscape, sheet.margins[:4], fitted)
    first, _, last = sheet.print_titles.partition(":")
    area = sheet.print_area.rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    starts = page_starts(lambda r: sheet.heights.get(r, 15.0), (1, int(area)), (int(first), int(last)), room)
    sheet.row_breaks = [r - 1 for r in starts]


def _save(sheets: list[Sheet], path: Path, st: ReportStyles) -> Path:
    """Write the workbook of `sheets` to `path`; a run killed while saving leaves the old file whole."""
    with atomic_path(path) as tmp:
        write_package(tmp, sheets, st.part)
    return path
