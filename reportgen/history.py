"""The year month by month (`reportgen history`): each project's cumulative figure and completion
rate against 序时进度, each node's status and each unit's overdue nodes, for every month the
ledger recorded a run of, with a chart per project and per unit.

Only displays what the runs decided: figures, rates, statuses and 序时进度 are the recorded
ones; "below 序时进度 months running" is reconcile's rule (`months_behind`), applied to the
recorded months. pandas does the month-by-month pivots and is imported by this module only
(about 0.4 s), which only the `history` command loads. The charts are openpyxl's
native ones, drawn by Excel/WPS/LibreOffice from the sheets' own cells: they print as vector
lines at any scale, follow a figure staff correct in the table, and tell their series apart by
line style and markers, so a black-and-white print reads as well as the screen.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import unicodedata
from copy import copy
from dataclasses import dataclass
from pathlib import Path

import pandas as pd  # heavy: see the module docstring
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from reportgen.cn import cn_count, format_date, format_month
from reportgen.config import Config, FontConfig
from reportgen.errors import HistoryError
from reportgen.fsutil import atomic_path
from reportgen.ledger import Ledger, YearRecords
from reportgen.model import STATUS_LABEL, Plan, Status
from reportgen.publish import write_faults
from reportgen.reconcile import BEHIND_TREND_MONTHS, months_behind
from reportgen.render.excel import STATUS_MARK
from reportgen.sheets import number_pages, print_a4
from reportgen.workspace import Workspace

HISTORY_DIRNAME = "历史"
BEHIND_MARK = "▼"  # before a rate below 序时进度, so a grey print shows it without colour
TREND_MARK = "▼▼"  # below 序时进度 BEHIND_TREND_MONTHS months running or more
NOT_REPORTED_MARK = "（未报）"


def history_name(year: int) -> str:
    """Return the workbook's file name for `year` (one per year; a new month replaces it)."""
    return f"{year}年重点项目逐月进度.xlsx"


@dataclass
class YearHistory:
    """The year's months as tables (pandas frames indexed by item, milestone or unit code,
    one column per recorded period) and what the rows are called."""

    year: int
    periods: list[str]
    schedule: pd.Series  # period -> 序时进度
    projects: pd.DataFrame  # code -> name, target_yi (latest record), plan order
    cumulative: pd.DataFrame  # project × period, 亿元 (NaN: not reported yet)
    rates: pd.DataFrame  # project × period
    behind: pd.DataFrame  # project × period: months below 序时进度 running (reconcile's rule)
    milestones: pd.DataFrame  # code -> item_name, text, due, lead
    statuses: pd.DataFrame  # milestone × period: Status value ("" when not in the plan then)
    units: list[str]
    overdue: pd.DataFrame  # unit × period: overdue nodes (NaN: not expected that month)
    submitted: pd.DataFrame  # unit × period: bool

    @property
    def latest(self) -> str:
        """Return the last recorded period."""
        return self.periods[-1]

    def trend(self) -> list[tuple[str, int]]:
        """Return (project name, months) of the projects behind 序时进度 months running in the
        latest month, longest run first."""
        last = self.behind[self.latest]
        runs = last[last >= BEHIND_TREND_MONTHS].sort_values(ascending=False, kind="stable")
        return [(str(self.projects.loc[code, "name"]), int(n)) for code, n in runs.items()]


def _pivot(rows: pd.DataFrame, values: str, periods: list[str], order: list[str]) -> pd.DataFrame:
    """Return `values` as index code × period, rows in `order`, a column for every period."""
    table = rows.pivot(index="code", columns="period", values=values)
    return table.reindex(index=order, columns=periods)


def _projects(items: pd.DataFrame, periods: list[str]) -> tuple[pd.DataFrame, ...]:
    """Return (projects, cumulative, rates, behind) of the items with an annual target."""
    latest = items.drop_duplicates("code", keep="last").set_index("code")
    with_target = latest[latest["target_yi"].notna()]
    order = list(with_target.index)
    cumulative = _pivot(items, "cumulative_yi", periods, order)
    rates = _pivot(items, "rate", periods, order)
    vs = _pivot(items, "vs_schedule", periods, order).fillna("")
    behind = pd.DataFrame(
        [[months_behind(dict(zip(periods, row, strict=True)), p) for p in periods] for row in vs.to_numpy()],
        index=vs.index, columns=periods, dtype="int64")
    return with_target[["name", "target_yi"]], cumulative, rates, behind


def _milestones(rows: pd.DataFrame, periods: list[str], plan: Plan | None) -> tuple[pd.DataFrame, ...]:
    """Return (milestones, statuses): the latest record of each node and its status per period."""
    latest = rows.drop_duplicates("code", keep="last").set_index("code")
    order = list(latest.index)
    known = {m.code: m for m in plan.milestones} if plan else {}
    items = {it.code: it.name for it in plan.items} if plan else {}
    info = pd.DataFrame({
        "item_name": [items.get(item, item) for item in latest["item"]],
        "text": [known[c].text if c in known else "" for c in order],
        "due": latest["due"].fillna(""),
        "lead": latest["lead"],
    }, index=order)
    statuses = _pivot(rows, "status", periods, order).fillna("")
    return info, statuses


def _units(rows: pd.DataFrame, periods: list[str]) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """Return (units, overdue, submitted) per unit and period."""
    rows = rows.assign(
        code=rows["unit"],
        overdue=[json.loads(c).get(Status.OVERDUE.value, 0) for c in rows["counts"]],
        submitted=rows["submitted"].astype(bool),
    )
    order = list(dict.fromkeys(rows["unit"]))
    overdue = _pivot(rows, "overdue", periods, order)
    submitted = _pivot(rows, "submitted", periods, order).fillna(False).astype(bool)
    return order, overdue, submitted


def build_history(records: YearRecords, plan: Plan | None) -> YearHistory:
    """Return the year's months as tables (HistoryError when fewer than two months were run).

    `plan` (the latest month's plan in force) gives the nodes' wording; without it a node is
    named by its project alone.
    """
    periods = [str(r["period"]) for r in records.periods]
    if len(periods) < 2:
        if periods:
            raise HistoryError(
                f"台账中{records.year}年只有{format_month(periods[0])}一个月的记录，逐月进度至少需要两个月。"
                "请先用 reportgen run 运行下一个月，再生成逐月进度")
        raise HistoryError(f"台账中没有{records.year}年任何月份的运行记录，逐月进度至少需要两个月")
    schedule = pd.DataFrame(records.periods).set_index("period")["schedule_rate"].astype(float)
    projects, cumulative, rates, behind = _projects(pd.DataFrame(records.items), periods)
    milestones, statuses = _milestones(pd.DataFrame(records.milestones), periods, plan)
    units, overdue, submitted = _units(pd.DataFrame(records.units), periods)
    return YearHistory(records.year, periods, schedule, projects, cumulative, rates, behind,
                       milestones, statuses, units, overdue, submitted)


# ---------------------------------------------------------------- the workbook

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
FIRST_ROW = 4  # row 1 title, row 2 note, row 3 headers
MONTH_COL = 4  # first month column of the project sheets (序号, 项目名称, 年度目标 before it)
UNIT_FIRST_COL = 3  # first month column of the unit sheet (序号, 责任单位 before it)


def _month_label(period: str) -> str:
    return f"{int(period[5:7])}月"


def _sheet(book: Workbook, title: str, heading: str, note: str, headers: list[str],
           widths: list[float], fonts: FontConfig) -> Worksheet:
    """Add a print-ready sheet: title, note, a header row repeated on every page."""
    ws = book.create_sheet(title)
    ws.cell(1, 1, heading).font = Font(name=fonts.table_title, size=14, bold=True)
    ws.cell(2, 1, note).font = Font(name=fonts.table, size=9)
    ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    ws.row_dimensions[2].height = 26
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(3, col, text)
        cell.font, cell.alignment, cell.border = Font(name=fonts.table_title, size=10, bold=True), _CENTER, _BOX
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.print_title_rows = "3:3"
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    print_a4(ws)
    number_pages(ws)
    return ws


class _Styles:
    """The table cells' styles of one workbook, each made once: a cell takes a copy of its style's
    row of indices (setting a font, border and alignment on every cell makes openpyxl hash each
    one: most of the time of a city's workbook)."""

    def __init__(self, fonts: FontConfig) -> None:
        self.fonts = fonts
        self.arrays: dict[tuple[bool, int, str], StyleArray] = {}

    def put(self, ws: Worksheet, row: int, col: int, value: object, fmt: str = "", bold: bool = False,
            align: Alignment = _WRAP) -> None:
        """Write `value` into a bordered cell in the table font (`fmt` its number format)."""
        cell = ws.cell(row, col, value)
        key = (bold, id(align), fmt)
        if key in self.arrays:
            cell._style = copy(self.arrays[key])
            return
        cell.font, cell.alignment, cell.border = Font(name=self.fonts.table, size=10, bold=bold), align, _BOX
        if fmt:
            cell.number_format = fmt
        self.arrays[key] = copy(cell._style)


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_rows(ws: Worksheet, first: int = 3) -> None:
    """Set each table row's height to its wrapped text (LibreOffice does not grow a row that
    openpyxl wrote, and a clipped project name prints cut off)."""
    widths = {col: (ws.column_dimensions[get_column_letter(col)].width or 8.43) for col in range(1, ws.max_column + 1)}
    for row in ws.iter_rows(min_row=first):
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.value:
                per_line = max(1.0, widths[cell.column] * 1.1 - 1.5)
                lines = max(lines, math.ceil(_columns(cell.value) / per_line))
        ws.row_dimensions[row[0].row].height = 14.0 * lines + 4


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _rate_format(behind: int) -> str:
    if behind >= BEHIND_TREND_MONTHS:
        return f'"{TREND_MARK} "0.0%'
    return f'"{BEHIND_MARK} "0.0%' if behind else "0.0%"


def _investment_sheets(book: Workbook, h: YearHistory, st: _Styles) -> None:
    """累计完成投资 and 完成率 (序时进度 first), one row per project, one column per month."""
    months = [_month_label(p) for p in h.periods]
    last = format_month(h.latest)
    ws = _sheet(book, "累计完成投资", f"{h.year}年重点项目累计完成投资（逐月）",
                "各月末累计完成投资，单位：亿元；按各月运行时记入台账的数字，空白为当月尚无报数。",
                ["序号", "项目名称", "年度目标（亿元）", *months], [6, 36, 12, *[11] * len(months)], st.fonts)
    rates = _sheet(book, "完成率", f"{h.year}年重点项目投资完成率与序时进度（逐月）",
                   f"完成率 = 累计完成投资 ÷ 年度目标。{BEHIND_MARK} 低于序时进度；{TREND_MARK} 连续"
                   f"{cn_count(BEHIND_TREND_MONTHS)}个月及以上低于序时进度（与进度通报的判断相同）。",
                   ["序号", "项目名称", "年度目标（亿元）", *months, f"截至{last}连续低于序时进度"],
                   [6, 36, 12, *[12] * len(months), 16], st.fonts)
    st.put(rates, FIRST_ROW, 1, "")
    st.put(rates, FIRST_ROW, 2, "序时进度", bold=True)
    st.put(rates, FIRST_ROW, 3, "")
    for col, p in enumerate(h.periods, MONTH_COL):
        st.put(rates, FIRST_ROW, col, float(h.schedule[p]), "0.0%", bold=True)
    st.put(rates, FIRST_ROW, MONTH_COL + len(h.periods), "")
    table = zip(h.projects["name"], h.projects["target_yi"], h.cumulative.to_numpy(), h.rates.to_numpy(),
                h.behind.to_numpy(), strict=True)
    for no, (name, target, cumulative, rate, behind) in enumerate(table, 1):
        row = FIRST_ROW + no - 1
        for sheet, r in ((ws, row), (rates, row + 1)):
            st.put(sheet, r, 1, no, align=_CENTER)
            st.put(sheet, r, 2, str(name))
            st.put(sheet, r, 3, _num(target), "0.00")
        for col, (value, share, run) in enumerate(zip(cumulative, rate, behind, strict=True), MONTH_COL):
            st.put(ws, row, col, _num(value), "0.00")
            st.put(rates, row + 1, col, _num(share), _rate_format(int(run)), bold=run > 1)
        st.put(rates, row + 1, MONTH_COL + len(h.periods), f"{behind[-1]}个月" if behind[-1] else "", align=_CENTER)
    _fit_rows(ws)
    _fit_rows(rates)


def _status_sheet(book: Workbook, h: YearHistory, st: _Styles) -> None:
    """节点状态: each node's status at the end of each month, as the month's papers said it."""
    months = [_month_label(p) for p in h.periods]
    ws = _sheet(book, "节点状态", f"{h.year}年重点项目节点完成情况（逐月）",
                "各月运行时核定的节点状态：√ 已完成／逾期完成，○ 正常推进，▲ 临期，● 逾期未完成，× 未报送；"
                "空白为当月任务分解中没有该节点。",
                ["序号", "项目名称", "节点要求", "完成时限", "牵头单位", *months],
                [6, 22, 44, 16, 20, *[14] * len(months)], st.fonts)
    words = {s.value: f"{STATUS_MARK[s]} {STATUS_LABEL[s]}" for s in Status}
    m = h.milestones
    table = zip(m["item_name"], m["text"], m["due"], m["lead"], h.statuses.to_numpy(), strict=True)
    for no, (item, text, due, lead, statuses) in enumerate(table, 1):
        row = FIRST_ROW + no - 1
        when = format_date(dt.date.fromisoformat(str(due))) if due else ""
        for col, value in enumerate((no, item, text, when, lead), 1):
            st.put(ws, row, col, value, align=_CENTER if col in (1, 4) else _WRAP)
        for col, status in enumerate(statuses, 6):
            st.put(ws, row, col, words.get(str(status), ""), align=_CENTER)
    _fit_rows(ws)


def _unit_sheet(book: Workbook, h: YearHistory, st: _Styles) -> Worksheet:
    """分单位: each unit's overdue nodes at the end of each month, months it sent nothing marked."""
    months = [_month_label(p) for p in h.periods]
    ws = _sheet(book, "分单位逾期节点", f"{h.year}年各责任单位逾期未完成节点数（逐月）",
                f"单位：个。{NOT_REPORTED_MARK} 为当月未报送（未报送的节点按规则计为未报送，不计逾期）；"
                "空白为当月不是应报单位。",
                ["序号", "责任单位", *months], [6, 28, *[11] * len(months)], st.fonts)
    table = zip(h.units, h.overdue.to_numpy(), h.submitted.to_numpy(), strict=True)
    for no, (unit, overdue, submitted) in enumerate(table, 1):
        row = FIRST_ROW + no - 1
        st.put(ws, row, 1, no, align=_CENTER)
        st.put(ws, row, 2, unit)
        for col, (count, sent) in enumerate(zip(overdue, submitted, strict=True), UNIT_FIRST_COL):
            value = _num(count)
            fmt = f'"{NOT_REPORTED_MARK}"0' if value is not None and not sent else "0"
            st.put(ws, row, col, None if value is None else int(value), fmt, align=_CENTER)
    _fit_rows(ws)
    return ws


# ---------------------------------------------------------------- charts

CHART_W, CHART_H = 13.0, 7.0  # cm: two side by side across an A4 landscape page
CHART_ROWS = 16  # rows from one chart's top to the next one's (default rows are about 0.53 cm)
CHARTS_PER_PAGE = 4  # two rows of two


def _chart_sheet(book: Workbook, title: str, heading: str, fonts: FontConfig) -> Worksheet:
    ws = book.create_sheet(title)
    ws.cell(1, 1, heading).font = Font(name=fonts.table_title, size=14, bold=True)
    ws.sheet_view.showGridLines = False
    print_a4(ws)
    number_pages(ws)
    return ws


def _place(ws: Worksheet, chart: LineChart | BarChart, n: int) -> None:
    """Anchor the n-th chart (0-based) two to a row, four to a printed page."""
    band, side = divmod(n, 2)
    row = 3 + band * CHART_ROWS
    chart.width, chart.height = CHART_W, CHART_H
    chart.legend.position = "b"
    chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told
    chart.y_axis.delete = False
    ws.add_chart(chart, f"{'A' if side == 0 else 'I'}{row}")
    if side == 1 and (band + 1) % (CHARTS_PER_PAGE // 2) == 0:
        ws.row_breaks.append(Break(id=row + CHART_ROWS - 1))
    ws.print_area = f"A1:P{row + CHART_ROWS - 1}"


def _title(text: str) -> Title:
    """A chart title in 11 pt bold (the default 14 pt wraps a long project name)."""
    props = CharacterProperties(sz=1100, b=True)
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _line(ref: Reference, title: str, colour: str, dashed: bool) -> Series:
    series = Series(ref, title=title)
    series.smooth = False
    series.graphicalProperties.line.solidFill = colour
    series.graphicalProperties.line.width = 22225  # 1.75 pt
    if dashed:
        series.graphicalProperties.line.dashStyle = "dash"
        series.marker.symbol = "none"
    else:
        series.marker.symbol = "circle"
        series.marker.size = 6
        series.marker.graphicalProperties.solidFill = colour
        series.marker.graphicalProperties.line.solidFill = colour
    return series


# A city has thousands of projects: past this many charts a sheet draws the ones most in need of
# attention (and says so), not hundreds of printed pages.
MAX_CHARTS = 60


def _charted_projects(h: YearHistory) -> tuple[list[int], str]:
    """Return the rows (0-based, plan order) of the projects to draw, and a note when not all."""
    n = len(h.projects)
    if n <= MAX_CHARTS:
        return list(range(n)), ""
    run = h.behind[h.latest].to_numpy()
    rate = h.rates[h.latest].fillna(0.0).to_numpy()
    chosen = sorted(sorted(range(n), key=lambda i: (-run[i], rate[i], i))[:MAX_CHARTS])
    return chosen, (f"共{n}个项目，这里附图的是截至{format_month(h.latest)}连续低于序时进度月数最多、"
                    f"其次完成率最低的{MAX_CHARTS}个，其余见“完成率”表。")


def _charted_units(h: YearHistory) -> tuple[list[int], str]:
    """Return the rows (0-based) of the units to draw (some overdue node in some month), and a note."""
    overdue = h.overdue.fillna(0).to_numpy()
    late = [i for i in range(len(h.units)) if overdue[i].max() > 0]
    drawn = set(late)
    quiet = [u for i, u in enumerate(h.units) if i not in drawn]
    note = f"各月均无逾期未完成节点、未附图的单位（{len(quiet)}个）：{'、'.join(quiet)}。" if quiet else ""
    if len(late) > MAX_CHARTS:
        late = sorted(sorted(late, key=lambda i: (-overdue[i][-1], -overdue[i].sum(), i))[:MAX_CHARTS])
        note = (f"逾期未完成节点较多的{MAX_CHARTS}个单位附图（按{format_month(h.latest)}逾期数、全年合计排序），"
                "其余见“分单位逾期节点”表。")
    return late, note


def _project_charts(book: Workbook, h: YearHistory, fonts: FontConfig) -> None:
    """One line chart per project: its completion rate (solid, dots) against 序时进度 (dashed)."""
    data = book["完成率"]
    ws = _chart_sheet(book, "项目图表", f"{h.year}年各重点项目投资完成率与序时进度（逐月）", fonts)
    chosen, note = _charted_projects(h)
    if note:
        ws.cell(2, 1, note).font = Font(name=fonts.table, size=9)
    names = list(h.projects["name"])
    last_col = MONTH_COL + len(h.periods) - 1
    months = Reference(data, min_col=MONTH_COL, max_col=last_col, min_row=3, max_row=3)
    schedule = Reference(data, min_col=MONTH_COL, max_col=last_col, min_row=FIRST_ROW, max_row=FIRST_ROW)
    top = max(1.0, float(h.rates.max().max()) if h.rates.notna().any().any() else 1.0)
    for n, i in enumerate(chosen):
        row = FIRST_ROW + 1 + i
        chart = LineChart()
        chart.title = _title(str(names[i]))
        chart.series.append(_line(Reference(data, min_col=MONTH_COL, max_col=last_col, min_row=row,
                                            max_row=row), "完成率", "000000", dashed=False))
        chart.series.append(_line(schedule, "序时进度", "7F7F7F", dashed=True))
        chart.set_categories(months)
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0.0, top
        chart.y_axis.majorUnit = 0.2 if top <= 1.0 else None
        _place(ws, chart, n)


def _unit_charts(book: Workbook, h: YearHistory, data: Worksheet, fonts: FontConfig) -> None:
    """One column chart per unit that had an overdue node in any month (the others are named)."""
    ws = _chart_sheet(book, "单位图表", f"{h.year}年各责任单位逾期未完成节点数（逐月）", fonts)
    chosen, note = _charted_units(h)
    if note:
        ws.cell(2, 1, note).font = Font(name=fonts.table, size=9)
    last_col = UNIT_FIRST_COL + len(h.periods) - 1
    months = Reference(data, min_col=UNIT_FIRST_COL, max_col=last_col, min_row=3, max_row=3)
    top = max(1, int(h.overdue.max().max()) if h.overdue.notna().any().any() else 1)
    for n, i in enumerate(chosen):
        row = FIRST_ROW + i
        chart = BarChart()
        chart.type = "col"
        chart.title = _title(h.units[i])
        series = Series(Reference(data, min_col=UNIT_FIRST_COL, max_col=last_col, min_row=row, max_row=row),
                        title="逾期未完成节点（个）")
        series.graphicalProperties.solidFill = "404040"
        series.graphicalProperties.line.solidFill = "000000"
        chart.series.append(series)
        chart.set_categories(months)
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, top + 1
        chart.y_axis.majorUnit = 1 if top <= 10 else None
        chart.y_axis.number_format = "0"
        _place(ws, chart, n)


def write_history(h: YearHistory, path: Path, config: Config) -> Path:
    """Write the year's workbook to `path` (atomically) and return `path`."""
    fonts = config.fonts
    book = Workbook()
    book.remove(book.active)
    st = _Styles(fonts)
    _investment_sheets(book, h, st)
    _status_sheet(book, h, st)
    units = _unit_sheet(book, h, st)
    _project_charts(book, h, fonts)
    _unit_charts(book, h, units, fonts)
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path


# ---------------------------------------------------------------- from the workspace


@dataclass
class HistoryMade:
    """The month-by-month workbook written and the months and trend it shows."""

    path: Path
    periods: list[str]
    projects: int
    milestones: int
    units: int
    trend: list[tuple[str, int]]  # (project, months) below 序时进度 months running in the latest month


def write_year_history(ws: Workspace, year: int | None = None) -> HistoryMade:
    """Write output/历史/<year>年重点项目逐月进度.xlsx from the ledger (the latest recorded year
    by default); HistoryError when the ledger holds fewer than two months of that year."""
    records, recorded = YearRecords(year or dt.date.today().year, [], [], [], []), None
    periods: list[str] = []
    if ws.ledger_path.exists():  # a missing ledger is not created by asking for its history
        with Ledger(ws.ledger_path) as ledger:
            periods = ledger.periods()
            if year is None and periods:
                year = int(periods[-1][:4])
            records = ledger.year_records(year or records.year)
            if records.periods:
                recorded = ledger.plan_in_force(str(records.periods[-1]["period"]))
    if not periods:
        raise HistoryError("台账中还没有任何月份的运行记录，逐月进度至少需要两个月。请先用 reportgen run 逐月运行")
    try:
        h = build_history(records, recorded.plan if recorded else None)
    except HistoryError as exc:
        others = sorted({p[:4] for p in periods if not p.startswith(f"{records.year}-")})
        if others:
            raise HistoryError(f"{exc}；台账中还有{'、'.join(others)}年的记录，可用 --year 指定") from None
        raise
    year = h.year
    out = ws.root / "output" / HISTORY_DIRNAME
    with write_faults(out):
        path = write_history(h, out / history_name(year), ws.config)
    return HistoryMade(path, h.periods, len(h.projects), len(h.milestones), len(h.units), h.trend())
