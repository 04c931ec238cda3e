"""Plan (+ last period's answers) → one fill-in form (报送表) per responsible unit.

The layout is the contract in `reportgen.formspec`; reportgen.ingest reads what this writes.
Everything taken from the plan is locked; the cells a unit fills are yellow, unlocked and
validated, each with a Chinese input prompt, so a hurried clerk finds it hard to fill wrongly.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import calendar
from reportgen import formspec as fs
from reportgen.cn import earlier_month
from reportgen.config import Config
from reportgen.fsutil import safe_filename, write_bytes_atomic
from reportgen.model import (
    METRIC_LABEL,
    REPORTED_LABEL,
    Metric,
    Milestone,
    MilestoneReport,
    Plan,
    Prefill,
    period_end,
)
from reportgen.pages import PAGE_SLACK_PT, body_room, paginate
from reportgen.parallel import Background
from reportgen.rules import (  # noqa: F401 - forms re-exports who reports what
    FigureRow,
    MilestoneRow,
    UnitRows,
    all_unit_rows,
    form_units,
    unit_rows,
)
from reportgen.sheets import number_pages, print_a4
from reportgen.textlines import CELL_PAD_PT, UNIT_PT, break_text, lines_height

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FORMS_DIRNAME = "报送表"

# Colours: light yellow marks what the unit fills; grey the headers. Both print well in black.
INPUT_FILL = "FFF2CC"
HEADER_FILL = "D9D9D9"
# Column widths (Excel's units of a digit's width, ~5.25 pt): the visible columns fit A4 landscape
# at full size, so 11 pt text prints at 10.5 pt or more (fit-to-width is a net); code columns are
# hidden. Headers wrap at a word (年度目标/（亿元））; 项目名称 holds 审核人（分管领导）; 实际完成日期
# a date cell (Excel prints #### when narrower than 2024年12月31日). Rows are as tall as their longest
# cell: 责任单位 of three city units took seven lines at 12, so it has 20, taken from the node's
# text and the columns units type in; 考核要求 the rest of the page (city forms: 2/3 of the pages).
FIGURE_WIDTHS = {"code": 11, "name": 24, "metric": 10, "target": 10, "previous": 10,
                 "value": 10, "note": 26, "requirement": 52}
MILESTONE_WIDTHS = {"code": 9, "item": 18, "text": 18, "due": 13, "units": 20, "status": 10,
                    "completed_on": 16, "progress": 16, "problems": 18, "next_steps": 13}
# the plan's text on a node's row is written in lines by the Chinese rules (textlines): Excel, WPS
# and LibreOffice print the same lines, none starting with ）、， (LibreOffice's wrap did: 项目（7期）)
_PLAN_TEXT = ("item", "text", "due", "units")
GUIDE_LABEL_WIDTH, GUIDE_WIDTH = 16, 80  # 填报说明's two columns: A4 portrait at full size
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
FIGURE_FORMAT = "0.00##"
BODY_SIZE = 11
TITLE_SIZE = 16
EXCEL_EPOCH = dt.date(1899, 12, 30)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ---------------------------------------------------------------- texts


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _amount(x: float) -> str:
    return f"{x:g}"


def form_title(period: str, unit: str) -> str:
    """Return the form's title, e.g. 2024年6月重点项目推进情况报送表（财政运营部）."""
    return fs.TITLE_FORMAT.format(year=int(period[:4]), month=int(period[5:7]), unit=unit)


def report_deadline(period: str, config: Config) -> dt.date:
    """Return the date by which units return the form (see `reportgen.calendar`)."""
    return calendar.report_deadline(period, config)


def _subtitle(period: str, unit: str, config: Config) -> str:
    return (f"填报单位：{unit}　　报送截止日期：{_cn_date(report_deadline(period, config))}"
            f"　　计量单位：亿元")


def _due_text(m: Milestone) -> str:
    if m.due is None:
        return m.due_text or "—"
    text = _cn_date(m.due)
    # a fuzzy phrase (9月中旬, 三季度) is shown too, so the unit sees how the date was read
    phrase = m.due_text.removeprefix(f"{m.due.year}年")
    if phrase and "日" not in phrase:
        text += f"\n（{phrase}）"
    return text


def _units_text(units: list[str], leads: list[str], config: Config) -> str:
    # a whole group is shown by its group phrase: its members each answer for themselves
    for phrase, members in config.units.groups.items():
        if len(units) > 1 and set(units) == set(members):
            return phrase
    if len(units) > 1 and set(leads) != set(units):
        leads = leads or units[:1]
        return "、".join(f"{u}（牵头）" if u in leads else u for u in units)
    return "、".join(units)


def _requirement_text(row: FigureRow, unit: str) -> str:
    item, metric = row.item, row.metric
    lines: list[str] = []
    if metric is Metric.INVEST and item.target_yi is not None:
        note = f"（{item.target_note}）" if item.target_note else ""
        lines.append(f"全年目标：{_amount(item.target_yi)}亿元以上{note}")
    phased = [m for m in item.milestones if m.metric is metric and m.amount_yi is not None]
    if phased:
        steps = "；".join(
            f"{_cn_date(m.due) + '前' if m.due else m.due_text}累计{_amount(m.amount_yi or 0)}亿元"
            for m in phased)
        lines.append(f"考核节点：{steps}")
    if row.lead and row.lead != unit:
        lines.append(f"以{row.lead}填报数为准，本单位可不填")
    return "\n".join(lines)


def _target(row: FigureRow) -> float | None:
    if row.metric is Metric.INVEST:
        return row.item.target_yi
    amounts = [m.amount_yi for m in row.item.milestones
               if m.metric is row.metric and m.amount_yi is not None]
    return max(amounts) if amounts else None


# ---------------------------------------------------------------- cell helpers


@dataclass
class _Styles:
    """The few styles a form uses, built once per workbook."""

    config: Config
    title_font: Any = None
    header_font: Any = None
    body_font: Any = None
    input_fill: Any = None
    header_fill: Any = None
    border: Any = None
    wrap_center: Any = None
    wrap_left: Any = None
    body_styles: dict[tuple[bool, bool, str | None], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        fonts = self.config.fonts
        self.title_font = Font(name=fonts.table_title, size=TITLE_SIZE, bold=True)
        self.header_font = Font(name=fonts.table_title, size=BODY_SIZE, bold=True)
        self.body_font = Font(name=fonts.table, size=BODY_SIZE)
        self.input_fill = PatternFill("solid", fgColor=INPUT_FILL)
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.wrap_center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.wrap_left = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _put(cell: Any, value: Any) -> None:
    """Write `value`; text is always text (a leading `=` must not become a formula)."""
    if isinstance(value, str):
        cell.value = _ILLEGAL.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


def _broken(text: str, width: float, size: float = BODY_SIZE) -> str:
    """`text` with line breaks where it wraps in a column `width` units wide, by the Chinese
    rules (a line never starts with closing punctuation, digits stay whole), measured for the
    narrowest of the applications that print it."""
    return break_text(text, width * UNIT_PT - CELL_PAD_PT, size)


def _title_lines(title: str, width: float) -> str:
    """The form's title as it prints across `width` units: one line, or when the unit's name
    makes it longer, the name in its brackets on a line of its own (never a lone ）)."""
    if _broken(title, width, TITLE_SIZE) == title:
        return title
    head, bracket, unit = title.rpartition("（")
    if not head:
        return _broken(title, width, TITLE_SIZE)
    return _broken(head, width, TITLE_SIZE) + "\n" + _broken(bracket + unit, width, TITLE_SIZE)


def _lines(text: str, width: float) -> int:
    """Lines `text` takes in a column `width` units wide, measured as the printers set it: the
    plan's text is written so (`_PLAN_TEXT`); Excel or LibreOffice wrapping the others greedily takes
    no more lines than this."""
    return _broken(text, width).count("\n") + 1


def _row_height(texts: list[tuple[str, float]], minimum: float) -> float:
    lines = max((_lines(t, w) for t, w in texts if t), default=1)
    return max(minimum, math.ceil(lines_height(lines, BODY_SIZE)))


def _serial(d: dt.date) -> int:
    return (d - EXCEL_EPOCH).days


def _validation(kind: str, config: Config, year: int) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if kind == "figure":
        return DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
            showInputMessage=True, showErrorMessage=True, errorStyle="stop",
            promptTitle="本月累计（亿元）",
            prompt="填写自年初至本月底的累计数，单位亿元，只填数字，如 1.25。"
                   "1000万元请填 0.1；不要填“本月新增”，不要写“亿元”等文字。",
            errorTitle="数字有误",
            error="请填写不小于0的数字（单位：亿元），如 1.25；不要写“亿元”“万元”等文字。")
    if kind == "status":
        return DataValidation(
            type="list", formula1='"' + ",".join(fs.STATUS_CHOICES) + '"', allow_blank=True,
            showDropDown=False,  # openpyxl's flag is inverted: False shows the arrow
            showInputMessage=True, showErrorMessage=True, errorStyle="stop",
            promptTitle="完成状态",
            prompt="请从下拉列表中选择：" + "、".join(fs.STATUS_CHOICES)
                   + "。选“已完成”的请填写实际完成日期；选“受阻”的请填写需协调解决的问题。",
            errorTitle="完成状态有误",
            error="只能从下拉列表中选择：" + "、".join(fs.STATUS_CHOICES) + "。")
    if kind in ("date", "fill_date"):
        first, last = dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31)
        when = "未完成的节点不填。" if kind == "date" else "填写报送本表的日期。"
        return DataValidation(
            type="date", operator="between", formula1=str(_serial(first)),
            formula2=str(_serial(last)), allow_blank=True,
            showInputMessage=True, showErrorMessage=True, errorStyle="stop",
            promptTitle="日期",
            prompt=f"请按 {year}-6-15 或 {year}/6/15 的格式输入日期，"
                   f"表格会显示为“{year}年6月15日”。{when}",
            errorTitle="日期有误",
            error=f"请输入{first.year}年至{last.year}年之间的日期，格式如 {year}-6-15。")
    # free text: no restriction, but still a prompt saying what belongs there
    prompts = {
        "progress": ("进展情况", "简要写明截至本月底的进展；已完成的写明完成情况。"),
        "problems": ("需协调解决的问题", "写明需要协调解决的问题及希望协调的部门；没有的可不填。"),
        "next_steps": ("下步工作", "写明下一步工作安排和预计完成时间。"),
        "note": ("情况说明", "数据有变动或与上月相比异常的，请简要说明原因。"),
        "footer": ("表尾", "请填写。"),
    }
    title, prompt = prompts[kind]
    return DataValidation(allow_blank=True, showInputMessage=True, promptTitle=title,
                          prompt=prompt)


# ---------------------------------------------------------------- sheets


def _title_rows(ws: Worksheet, st: _Styles, widths: list[int], title: str, subtitle: str) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(widths))
    ws.merge_cells(f"A{fs.TITLE_ROW}:{last}{fs.TITLE_ROW}")
    ws.merge_cells(f"A{fs.SUBTITLE_ROW}:{last}{fs.SUBTITLE_ROW}")
    c = ws.cell(fs.TITLE_ROW, 1)
    _put(c, title := _title_lines(title, sum(widths) - widths[0]))  # the code column is hidden
    c.font = st.title_font
    c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    c = ws.cell(fs.SUBTITLE_ROW, 1)
    _put(c, subtitle)
    c.font = st.body_font
    c.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[fs.TITLE_ROW].height = max(36, lines_height(title.count("\n") + 1, TITLE_SIZE))
    ws.row_dimensions[fs.SUBTITLE_ROW].height = 22


def _header_row(ws: Worksheet, st: _Styles, headers: list[str], widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        c = ws.cell(fs.HEADER_ROW, col)
        _put(c, text)
        c.font = st.header_font
        c.fill = st.header_fill
        c.border = st.border
        c.alignment = st.wrap_center
        ws.column_dimensions[get_column_letter(col)].width = width
        # the row code is for reading the form back, not for the unit: hidden, never printed
        ws.column_dimensions[get_column_letter(col)].hidden = text == fs.FIGURE_HEADERS["code"]
    ws.row_dimensions[fs.HEADER_ROW].height = _row_height(
        list(zip(headers, widths, strict=True)), 30)


def _body_cell(ws: Worksheet, st: _Styles, row: int, col: int, value: Any, *,
               editable: bool = False, center: bool = False, fmt: str | None = None) -> Any:
    from openpyxl.styles import Protection

    c = ws.cell(row, col)
    _put(c, value)
    key = (editable, center, fmt)
    if key in st.body_styles:
        # copying the style array is far cheaper than assigning five style objects per cell
        c._style = copy.copy(st.body_styles[key])
        return c
    c.font = st.body_font
    c.border = st.border
    c.alignment = st.wrap_center if center else st.wrap_left
    if fmt:
        c.number_format = fmt
    if editable:
        c.fill = st.input_fill
        c.protection = Protection(locked=False)
    st.body_styles[key] = copy.copy(c._style)
    return c


def _print_setup(ws: Worksheet, ncols: int, last_row: int, landscape: bool = True) -> None:
    from openpyxl.utils import get_column_letter

    print_a4(ws, landscape=landscape, centered=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.page_margins.footer = 0.3
    number_pages(ws, size=10)
    ws.print_area = f"A1:{get_column_letter(ncols)}{max(last_row, fs.HEADER_ROW)}"
    if landscape:  # a data sheet: title, sub-title and headers on every page
        ws.print_title_rows = f"{fs.TITLE_ROW}:{fs.HEADER_ROW}"


def _protect(ws: Worksheet, config: Config) -> None:
    p = ws.protection
    p.sheet = True
    if config.forms.password:
        p.password = config.forms.password
    # rows and columns may be resized (long texts), nothing else
    p.formatRows = False
    p.formatColumns = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _note_below(ws: Worksheet, st: _Styles, row: int, ncols: int, text: str) -> None:
    from openpyxl.utils import get_column_letter

    ws.merge_cells(f"A{row}:{get_column_letter(ncols)}{row}")
    c = ws.cell(row, 1)
    _put(c, text)
    c.font = st.body_font
    c.alignment = st.wrap_left
    ws.row_dimensions[row].height = 24


@dataclass
class _Context:
    """What every sheet of one form needs."""

    plan: Plan
    config: Config
    period: str
    unit: str
    rows: UnitRows
    prefill: Prefill | None
    styles: _Styles

    @property
    def year(self) -> int:
        """Return the period's year."""
        return int(self.period[:4])


def _prefill_lines(cx: _Context) -> list[tuple[str, str]]:
    """Return the 填报说明 line saying what the form carries over, if anything."""
    p = cx.prefill.period if cx.prefill else ""
    if not p:
        return []
    if p[:4] == cx.period[:4]:
        return [("上月内容", f"表中已预先填入本单位{int(p[:4])}年{int(p[5:7])}月报送的内容，"
                            "请在此基础上逐项更新，不要原样照抄；未作任何更新、原样交回的，不作为本月报送。")]
    # the year's first form: only the nodes kept from last year
    return [("上年节点", f"完成时限在上一年、今年继续推进的节点，已预先填入本单位{int(p[:4])}年{int(p[5:7])}月"
                        "报送的情况（已完成的连同完成日期），请核对更新；其余各项今年重新填报。")]


def _earlier_words(cx: _Context) -> str:
    """Return the month the pre-filled figures are from as the form names it: 上月, or 7月 when
    the last period recorded is July (August never run); 上月 in January, whose pre-fill of last
    year's nodes carries no figures (the year's count starts afresh)."""
    p = cx.prefill.period if cx.prefill else ""
    return earlier_month(cx.period, p if p[:4] == cx.period[:4] else "")


def _figures_sheet(ws: Worksheet, cx: _Context) -> list[tuple[int, str]]:
    st, keys = cx.styles, [*fs.FIGURE_HEADERS, *fs.FIGURE_EXTRA_HEADERS]
    # the earlier figures' column names their month: 7月累计 when August was never run
    named = {**fs.FIGURE_HEADERS, "previous": f"{_earlier_words(cx)}累计（亿元）"}
    headers = [*named.values(), *fs.FIGURE_EXTRA_HEADERS.values()]
    widths = [FIGURE_WIDTHS[k] for k in keys]
    col = {k: i for i, k in enumerate(keys, start=1)}
    _title_rows(ws, st, widths, form_title(cx.period, cx.unit),
                _subtitle(cx.period, cx.unit, cx.config))
    _header_row(ws, st, headers, widths)
    value_dv, note_dv = _validation("figure", cx.config, cx.year), _validation("note", cx.config,
                                                                                cx.year)
    previous = cx.prefill.figures if cx.prefill else {}
    codes: list[tuple[int, str]] = []
    r = fs.FIRST_DATA_ROW
    for fr in cx.rows.figures:
        requirement = _requirement_text(fr, cx.unit)
        values: dict[str, Any] = {
            "code": fr.key, "name": _broken(fr.item.name, FIGURE_WIDTHS["name"]),
            "metric": METRIC_LABEL[fr.metric], "target": _target(fr),
            "previous": previous.get(fr.key), "value": None, "note": None,
            "requirement": _broken(requirement, FIGURE_WIDTHS["requirement"]),
        }
        for k in keys:
            editable = k in fs.FIGURE_INPUTS
            numeric = k in ("target", "previous", "value")
            c = _body_cell(ws, st, r, col[k], values[k], editable=editable,
                           center=numeric or k in ("code", "metric"),
                           fmt=FIGURE_FORMAT if numeric else None)
            if k == "value":
                value_dv.add(c.coordinate)
            elif k == "note":
                note_dv.add(c.coordinate)
        ws.row_dimensions[r].height = _row_height(
            [(values[k], FIGURE_WIDTHS[k]) for k in ("name", "requirement")], 36)
        codes.append((r, fr.key))
        r += 1
    for dv in (value_dv, note_dv):
        if dv.sqref:
            ws.add_data_validation(dv)
    last = r - 1
    if not cx.rows.figures:
        last = r + 1
        _note_below(ws, st, last, len(keys),
                    "本单位本月无需填报投资数据，请填写“节点推进情况”表。")
    ws.freeze_panes = ws.cell(fs.FIRST_DATA_ROW, 1).coordinate
    _print_setup(ws, len(keys), last)
    paginate(ws)
    return codes


def _prefilled(cx: _Context) -> dict[str, dict[str, Any]]:
    """Return the input cells of each milestone row as pre-filled (None where blank): the unit's
    latest answers, its own winning (each member of a group milestone answers for itself)."""
    reports: dict[str, MilestoneReport] = {}
    if cx.prefill:
        reports = {**cx.prefill.reports, **cx.prefill.unit_reports.get(cx.unit, {})}
    answers = {}
    for mr in cx.rows.milestones:
        rep = reports.get(mr.milestone.code)
        answers[mr.milestone.code] = {
            "status": REPORTED_LABEL[rep.status] if rep and rep.status else None,
            "completed_on": rep.completed_on if rep else None,
            "progress": rep.progress or None if rep else None,
            "problems": rep.problems or None if rep else None,
            "next_steps": rep.next_steps or None if rep else None,
        }
    return answers


def _milestones_sheet(ws: Worksheet, cx: _Context) -> list[tuple[int, str]]:
    st, keys = cx.styles, list(fs.MILESTONE_HEADERS)
    widths = [MILESTONE_WIDTHS[k] for k in keys]
    col = {k: i for i, k in enumerate(keys, start=1)}
    _title_rows(ws, st, widths, form_title(cx.period, cx.unit),
                _subtitle(cx.period, cx.unit, cx.config))
    _header_row(ws, st, list(fs.MILESTONE_HEADERS.values()), widths)
    dvs = {k: _validation(k if k != "completed_on" else "date", cx.config, cx.year)
           for k in fs.MILESTONE_INPUTS}
    answers = _prefilled(cx)
    codes: list[tuple[int, str]] = []
    r = fs.FIRST_DATA_ROW
    for mr in cx.rows.milestones:
        m = mr.milestone
        values: dict[str, Any] = {
            "code": m.code, "item": mr.item.name, "text": m.text, "due": _due_text(m),
            "units": _units_text(mr.units, mr.leads, cx.config), **answers[m.code],
        }
        values.update({k: _broken(values[k], MILESTONE_WIDTHS[k]) for k in _PLAN_TEXT})
        for k in keys:
            editable = k in fs.MILESTONE_INPUTS
            c = _body_cell(ws, st, r, col[k], values[k] or None, editable=editable,
                           center=k in ("code", "due", "status", "completed_on"),
                           fmt=DATE_FORMAT if k == "completed_on" else None)
            if editable:
                dvs[k].add(c.coordinate)
        ws.row_dimensions[r].height = _row_height(
            [(str(values[k] or ""), MILESTONE_WIDTHS[k]) for k in keys], 42)
        codes.append((r, m.code))
        r += 1
    last = r - 1
    if not cx.rows.milestones:
        last = r + 1
        _note_below(ws, st, last, len(keys),
                    "本单位本月没有需要逐项报告的节点，请填写“投资完成情况”表和下方表尾。")
    data_last = last
    last = _footer(ws, cx, last + 2)
    for dv in dvs.values():
        if dv.sqref:
            ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(fs.FIRST_DATA_ROW, 1).coordinate
    _print_setup(ws, len(keys), last)
    # the footer and the room to sign and seal never stand alone under the repeated header
    _keep_footer(ws, paginate(ws, keep=last - data_last + 2), data_last)
    return codes


def _keep_footer(ws: Worksheet, starts: list[int], data_last: int) -> None:
    """Drop the break before a footer left without rows of the table (its rows and the ones
    before them just over a page) when the page's slack for rounding holds the difference: a
    page to sign and seal under no table is worse than a page filled to its margin."""
    from openpyxl.worksheet.pagebreak import Break, RowBreak

    if not starts or starts[-1] <= data_last:
        return
    first = starts[-2] if len(starts) > 1 else fs.HEADER_ROW + 1
    rows = sum(ws.row_dimensions[r].height or 15.0 for r in range(first, ws.max_row + 1))
    if rows <= body_room(ws) + PAGE_SLACK_PT:
        ws.row_breaks = RowBreak(brk=[Break(id=r - 1) for r in starts[:-1]])


def _footer(ws: Worksheet, cx: _Context, first: int) -> int:
    """Write the footer block from row `first` and return its last row."""
    from openpyxl.styles import Alignment, Border, Protection, Side

    st = cx.styles
    label_cols = (2, 7)  # 项目名称 and 实际完成日期 columns: labels fit, the next column is wide
    footer_dv = _validation("footer", cx.config, cx.year)
    date_dv = _validation("fill_date", cx.config, cx.year)
    underline = Border(bottom=Side(style="thin", color="000000"))
    pairs = [fs.FOOTER_LABELS[:2], fs.FOOTER_LABELS[2:]]
    for i, labels in enumerate(pairs):
        r = first + i
        ws.row_dimensions[r].height = 30
        for label, lc in zip(labels, label_cols, strict=True):
            c = ws.cell(r, lc)
            _put(c, label)
            c.font = st.header_font
            c.alignment = Alignment(horizontal="right", vertical="center")
            box = ws.cell(r, lc + 1)
            box.font = st.body_font
            box.fill = st.input_fill
            box.border = underline
            box.alignment = Alignment(horizontal="left", vertical="center")
            box.protection = Protection(locked=False)
            if label == "填报日期":
                box.number_format = DATE_FORMAT
                date_dv.add(box.coordinate)
            else:
                footer_dv.add(box.coordinate)
    ws.add_data_validation(footer_dv)
    ws.add_data_validation(date_dv)
    # room to sign and to press the unit's seal (about 42 mm) on the printed form
    seal = first + len(pairs) + 1
    ws.row_dimensions[seal].height = 120
    for label, lc in zip(("签　　字", "单位（盖章）"), label_cols, strict=True):
        c = ws.cell(seal, lc)
        _put(c, label)
        c.font = st.header_font
        c.alignment = Alignment(horizontal="right", vertical="center")
        ws.cell(seal, lc + 1).border = underline
    return seal


def _guide_sheet(ws: Worksheet, cx: _Context) -> None:
    from openpyxl.styles import Alignment, Font

    st, cfg = cx.styles, cx.config
    y, mth = cx.year, int(cx.period[5:7])
    end, deadline = period_end(cx.period), report_deadline(cx.period, cfg)
    office = cfg.office
    ws.column_dimensions["A"].width = GUIDE_LABEL_WIDTH
    ws.column_dimensions["B"].width = GUIDE_WIDTH
    ws.merge_cells("A1:B1")
    c = ws.cell(1, 1)
    _put(c, title := _title_lines(form_title(cx.period, cx.unit), GUIDE_LABEL_WIDTH + GUIDE_WIDTH))
    c.font = st.title_font
    c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = max(40, lines_height(title.count("\n") + 1, TITLE_SIZE))
    ws.merge_cells("A2:B2")
    c = ws.cell(2, 1)
    _put(c, "填报说明")
    c.font = Font(name=cfg.fonts.table_title, size=14, bold=True)
    c.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 28
    lines: list[tuple[str, str]] = [
        ("填报内容", f"本表由{cx.unit}填报{y}年{mth}月重点项目推进情况，数据截至{_cn_date(end)}。"
                    f"本表只列本单位承担的项目和节点。"),
        ("报送时间", f"请于{_cn_date(deadline)}前报送{office.short_name}。报送电子版（本文件，"
                    f"文件名可以改，请直接保存本表，不要另存为CSV等格式），纸质版经审核人签字并加盖单位公章后报送。"),
        ("填写哪里", "只填黄色底纹的单元格。白色单元格是任务分解的内容，已锁定，不能修改。"
                    "请不要增删行列、修改或删除工作表，不要把内容复制到别的表格中报送。"),
        ("投资完成情况", "“本月累计”填自年初至本月底的累计完成数（不是本月新增），单位亿元，"
                        "只填数字，如 1.25；1000万元填 0.1，不要写“亿元”“万元”等文字。"
                        f"“{_earlier_words(cx)}累计”是{_earlier_words(cx)}报送的数，供对照。"
                        "“考核要求”列是判定节点完成的依据。"
                        "标明以其他单位填报数为准的，本单位可不填。"),
        ("完成状态", "从下拉列表选择，只能选以下四项：" + "、".join(fs.STATUS_CHOICES) + "。"),
        ("　已完成", "节点要求已全部完成。必须同时填写“实际完成日期”；未填日期又看不出是否按期完成的"
                    "（完成时限在数据截止日之前），“已完成”不予采用，该节点按未报送计。"),
        ("　推进中", "已开始办理，尚未完成。"),
        ("　未启动", "尚未开始办理。"),
        ("　受阻", "遇到本单位无法解决的问题。请在“需协调解决的问题”中写明问题和需要协调的部门。"),
        ("日期格式", f"按 {y}-6-15 或 {y}/6/15 输入，表格自动显示为“{y}年6月15日”。"
                    "不要写“6月中旬”“月底”等文字。"),
        ("文字内容", "进展情况、需协调解决的问题、下步工作请如实简要填写，单元格内换行按 Alt+Enter。"),
        ("表尾", "“节点推进情况”表下方填写填报人、联系电话、审核人（分管领导）和填报日期。"),
    ]
    lines += _prefill_lines(cx)
    lines.append(("联系方式", f"填报中如有疑问，请联系{office.short_name}{office.contact_person}，"
                             f"电话 {office.contact_phone}。"))
    for i, (label, text) in enumerate(lines, start=3):
        a, b = ws.cell(i, 1), ws.cell(i, 2)
        _put(a, label)
        _put(b, _broken(text, GUIDE_WIDTH))  # in its printed lines: none starting with ，
        a.font, b.font = st.header_font, st.body_font
        a.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        b.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        ws.row_dimensions[i].height = _row_height([(text, GUIDE_WIDTH)], 22)
    _print_setup(ws, 2, 2 + len(lines), landscape=False)


def _meta_sheet(ws: Worksheet, cx: _Context, generated_at: dt.datetime,
                codes: list[tuple[str, int, str]]) -> None:
    values = {
        "unit": cx.unit, "period": cx.period, "plan_version": cx.plan.version,
        "plan_year": str(cx.plan.year), "form_version": fs.FORM_VERSION,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        # what was pre-filled, so a form sent back unchanged is not read as this month's report
        "prefill": fs.prefill_stamp(cx.prefill.period if cx.prefill else "", (
            (code, [row[k] for k in fs.MILESTONE_INPUTS]) for code, row in _prefilled(cx).items())),
    }
    for i, key in enumerate(fs.META_KEYS, start=1):
        _put(ws.cell(i, 1), key)
        _put(ws.cell(i, 2), values[key])
    r = len(fs.META_KEYS) + 2
    for j, h in enumerate(fs.META_ROWS_HEADER, start=1):
        _put(ws.cell(r, j), h)
    for sheet, row, code in codes:
        r += 1
        _put(ws.cell(r, 1), sheet)
        _put(ws.cell(r, 2), str(row))
        _put(ws.cell(r, 3), code)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 16
    ws.sheet_state = "hidden"


# ---------------------------------------------------------------- workbook


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def save_workbook(wb: Workbook, path: Path, when: dt.datetime) -> Path:
    """Save `wb` to `path` atomically with every timestamp set to `when`; return `path`.

    openpyxl stamps the save time into the document properties and the zip entries;
    fixing both makes the same input give the same bytes (the sample script relies on it).
    """
    return write_bytes_atomic(path, zip_parts(workbook_parts(wb, when), when))


class _Parts:
    """Stands in for the zip file openpyxl writes a workbook into: keeps each part, in order."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, bytes]] = []

    def writestr(self, name: str, data: str | bytes) -> None:
        self.parts.append((name, data.encode("utf-8") if isinstance(data, str) else data))

    def write(self, filename: str, arcname: str) -> None:  # a worksheet, spooled to a file
        self.parts.append((arcname, Path(filename).read_bytes()))

    def namelist(self) -> list[str]:
        return [name for name, _ in self.parts]


def workbook_parts(wb: Workbook, when: dt.datetime) -> list[tuple[str, bytes]]:
    """Return the parts of `wb`'s package (name, bytes) in openpyxl's order, dated `when`."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = when
    wb.properties.modified = when
    got = _Parts()
    ExcelWriter(wb, got).write_data()
    return got.parts


def zip_parts(parts: list[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """Return the package of `parts`, every entry dated `when` (the same parts give the same bytes)."""
    out = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_form(plan: Plan, config: Config, period: str, unit: str, path: Path,
               prefill: Prefill | None = None, *,
               generated_at: dt.datetime | None = None) -> Path:
    """Write `unit`'s form for `period` to `path` and return `path`."""
    return _write(plan, config, period, unit_rows(plan, config, unit), path, prefill,
                  generated_at or _now())


def _write(plan: Plan, config: Config, period: str, rows: UnitRows, path: Path,
           prefill: Prefill | None, when: dt.datetime) -> Path:
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    unit = rows.unit
    cx = _Context(plan, config, period, unit, rows, prefill, _Styles(config))
    wb = Workbook()
    guide = wb.active
    guide.title = fs.SHEET_GUIDE
    figures = wb.create_sheet(fs.SHEET_FIGURES)
    milestones = wb.create_sheet(fs.SHEET_MILESTONES)
    meta = wb.create_sheet(fs.SHEET_META)
    _guide_sheet(guide, cx)
    codes = [(fs.SHEET_FIGURES, r, c) for r, c in _figures_sheet(figures, cx)]
    codes += [(fs.SHEET_MILESTONES, r, c) for r, c in _milestones_sheet(milestones, cx)]
    _meta_sheet(meta, cx, when, codes)
    for ws in (guide, figures, milestones, meta):
        _protect(ws, config)
        ws.sheet_view.zoomScale = 100
    wb.security = WorkbookProtection(lockStructure=True)
    if config.forms.password:
        wb.security.workbookPassword = config.forms.password
    wb.active = 0
    wb.properties.creator = config.office.short_name
    wb.properties.lastModifiedBy = config.office.short_name
    wb.properties.title = form_title(period, unit)
    return save_workbook(wb, path, when)


def form_filename(unit: str) -> str:
    """Return the file name of `unit`'s form (safe on Windows and Linux)."""
    return safe_filename(unit) + ".xlsx"


def build_forms(plan: Plan, config: Config, period: str, out_dir: Path,
                prefill: Prefill | None = None, *,
                generated_at: dt.datetime | None = None) -> list[Path]:
    """Write one form per unit with something to report into `out_dir`; return the paths."""
    when = generated_at or _now()
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[UnitRows, Path]] = []
    taken: set[str] = set()
    for unit, rows in all_unit_rows(plan, config).items():
        if rows.empty:
            continue
        name = form_filename(unit)
        stem, n = name[:-5], 2
        while name.casefold() in taken:  # two names that differ only in unsafe characters
            name, n = f"{stem}_{n}.xlsx", n + 1
        taken.add(name.casefold())
        jobs.append((rows, out_dir / name))

    def write(part: list[tuple[UnitRows, Path]]) -> None:
        for rows, path in part:
            _write(plan, config, period, rows, path, prefill, when)

    # every form stands alone: half of a city's hundreds go to the other core
    other = Background(write, jobs[1::2]) if len(jobs) >= 16 else None
    try:
        write(jobs[::2] if other else jobs)
        if other:
            other.result()
    finally:
        if other:
            other.cancel()
    return [path for _rows, path in jobs]
