"""Build templates/汇总表.xlsx, the Excel template of the meeting summary.

The file this writes is committed; staff restyle it in Excel or WPS afterwards (fonts, widths,
colours, columns, wording), so run this only to start again from the bundled design:

    python -m tools.make_excel_template [--out templates/汇总表.xlsx]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.formatting.rule import CellIsRule, Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.worksheet import Worksheet

from reportgen.cn import PCT_FORMAT
from reportgen.config import FontConfig
from reportgen.model import STATUS_LABEL, Status
from reportgen.render.excel import CONTEXT_HELP, STATUS_MARK

ROOT = Path(__file__).resolve().parent.parent

FONTS = FontConfig()
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
NUM, PCT, DATE, INT = "0.00", PCT_FORMAT, "yyyy.m.d", "0"  # a short date: columns fit A4 at 10 pt

# status word -> (fill, font colour); dark enough text to read in grey on paper
STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.OVERDUE: ("FFC7CE", "9C0006"),
    Status.DUE_SOON: ("FFEB9C", "7F6000"),
    Status.NOT_REPORTED: ("D9D9D9", "000000"),
    Status.DONE_LATE: ("FCE4D6", "833C0B"),
    Status.DONE: ("C6EFCE", "006100"),
}


@dataclass
class Col:
    """One column of a table: header, width, cell content and its kind."""

    head: str
    width: float
    value: str
    kind: str = "text"  # text | wrap | num | pct | date | int | center
    total: str = ""  # content of the total row ("sum" for a SUM over the rows)


def _font(size: float = 10, bold: bool = False, title: bool = False, color: str = "000000"):
    return Font(name=FONTS.table_title if title else FONTS.table, size=size, bold=bold, color=color)


def _body_style(cell, kind: str) -> None:
    cell.font = _font()
    cell.border = BOX
    horizontal = {"num": "right", "pct": "right", "int": "center", "date": "center",
                  "center": "center", "cwrap": "center"}.get(kind, "left")
    cell.alignment = Alignment(horizontal=horizontal, vertical="center",
                               wrap_text=kind in ("wrap", "text", "cwrap"))
    cell.number_format = {"num": NUM, "pct": PCT, "date": DATE, "int": INT}.get(kind, "General")


def _page(ws: Worksheet, title_rows: str | None, footer_left: str) -> None:
    # the columns are laid out to fit A4 landscape at full size (10 pt text): the text wraps, and
    # reportgen breaks the lines and the pages when it fills the sheet. Fit-to-width stays on
    # only as a net: it never enlarges, and where a machine's fonts make the columns wider than
    # the paper, the table shrinks a little rather than printing its last columns on extra pages
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.65
    ws.page_margins.footer = 0.25
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = footer_left
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.right.text = "{{ short_name }}"
    for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
        part.font = FONTS.table
        part.size = 10
    ws.sheet_view.showGridLines = False


def _heading(ws: Worksheet, row: int, text: str, last_col: int, size: float, height: float,
             title: bool = True, align: str = "center") -> None:
    ws.cell(row, 1, text).font = _font(size, bold=title, title=title)
    ws.cell(row, 1).alignment = Alignment(horizontal=align, vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    ws.row_dimensions[row].height = height


def _header_row(ws: Worksheet, row: int, cols: list[Col]) -> None:
    for j, col in enumerate(cols, start=1):
        c = ws.cell(row, j, col.head)
        c.font = _font(bold=True, title=True)
        c.fill = HEAD_FILL
        c.border = BOX
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = col.width
    ws.row_dimensions[row].height = 34  # two lines of 10 pt


def _loop_row(ws: Worksheet, row: int, cols: list[Col], marker: str) -> None:
    for j, col in enumerate(cols, start=1):
        c = ws.cell(row, j, (marker if j == 1 else "") + col.value)
        _body_style(c, col.kind)


def _total_row(ws: Worksheet, row: int, first: int, cols: list[Col]) -> None:
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        value = col.total.replace("{r}", str(row))
        if col.total == "sum":
            value = f"=SUM({letter}{first}:{letter}{first})"
            if col.kind == "num":  # amounts nobody reported (上月累计 of a first month): no 0.00 total
                rows = f"{letter}{first}:{letter}{first}"
                value = f'=IF(COUNT({rows})=0,"",SUM({rows}))'
        c = ws.cell(row, j, value or None)
        _body_style(c, col.kind)
        c.font = _font(bold=True)
        c.fill = TOTAL_FILL
    ws.cell(row, 1).alignment = Alignment(horizontal="center", vertical="center")


def _empty_row(ws: Worksheet, row: int, last_col: int, list_name: str, text: str) -> None:
    """A row that appears only when the list is empty, so an empty sheet still says so."""
    c = ws.cell(row, 1, f"{{%row for _ in [1] if not {list_name} %}}{text}")
    c.font = _font()
    c.alignment = Alignment(horizontal="center", vertical="center")
    for j in range(1, last_col + 1):
        ws.cell(row, j).border = BOX
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    ws.row_dimensions[row].height = 24


def _note(ws: Worksheet, row: int, last_col: int, text: str) -> None:
    c = ws.cell(row, 1, text)
    c.font = _font()
    c.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    ws.row_dimensions[row].height = 30


def _status_colours(ws: Worksheet, ref: str) -> None:
    top_left = ref.split(":")[0]
    for status, (fill, colour) in STATUS_STYLE.items():
        word = STATUS_LABEL[status]
        dxf = DifferentialStyle(font=Font(color=colour, bold=status is Status.OVERDUE),
                                fill=PatternFill("solid", bgColor=fill, fgColor=fill))
        rule = Rule(type="containsText", operator="containsText", text=word, dxf=dxf,
                    formula=[f'NOT(ISERROR(SEARCH("{word}",{top_left})))'])
        ws.conditional_formatting.add(ref, rule)


def _table(wb: Workbook, name: str, title: str, cols: list[Col], list_name: str, var: str,
           empty_text: str | None = None, total: bool = False, note: str = "",
           subtitle: str = "截至{{ as_of_label }}　　序时进度：{{ schedule|pct }}　　金额单位：亿元",
           index: int | None = None) -> Worksheet:
    ws = wb.create_sheet(name, index)
    last = len(cols)
    _heading(ws, 1, title, last, 18, 32)
    _heading(ws, 2, subtitle, last, 10.5, 20, title=False, align="left")
    _header_row(ws, 3, cols)
    _loop_row(ws, 4, cols, f"{{%row for {var} in {list_name} %}}")
    row = 5
    if empty_text:
        _empty_row(ws, row, last, list_name, empty_text)
        row += 1
    if total:
        _total_row(ws, row, 4, cols)
        row += 1
    if note:
        _note(ws, row, last, note)
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:{get_column_letter(last)}4"
    for i, col in enumerate(cols, start=1):
        # codes are for reading the workbook back: hidden, never printed for the meeting
        ws.column_dimensions[get_column_letter(i)].hidden = col.head == "节点编号"
    _page(ws, "1:3", "{{ period_label }}　" + name)
    return ws


STATUS_NOTE = "　".join(f"{STATUS_MARK[s]} {STATUS_LABEL[s]}" for s in Status)


def build(out: Path) -> Path:
    """Write the template workbook to `out` and return it."""
    wb = Workbook()
    wb.remove(wb.active)
    # The workbook's default font sets the unit of column widths. 宋体 11 is what Chinese Excel
    # and WPS use, and LibreOffice finds a stand-in for it (it has no Calibri on a bare Linux,
    # and its fallback makes every column a third wider, so the printed table shrinks).
    default = Font(name="宋体", size=11, family=3, charset=134)
    wb._fonts = IndexedList([default])
    wb._named_styles["Normal"].font = default

    # widths in Excel's units; each table's visible columns add up to at most 125, which
    # LibreOffice (6.15 pt a unit, wider than Excel's 5.25) still prints across A4 landscape at 100 %;
    # 序时进度 is one figure for all rows: the line above the table gives it
    summary = [
        Col("序号", 5, "{{ r.no }}", "int", total="合计"),
        Col("项目（任务）名称", 14.5, "{{ r.name }}", "wrap"),
        Col("年度目标\n（亿元）", 9, "{{ r.target }}", "num", "sum"),
        Col("累计完成\n（亿元）", 9, "{{ r.cumulative }}", "num", "sum"),
        Col("完成率", 7, "{{ r.rate }}", "pct", '=IF(AND(C{r}>0,ISNUMBER(D{r})),D{r}/C{r},"")'),
        Col("节点编号", 9, "{{ r.code }}", "center"),
        Col("节点要求", 22.5, "{{ r.text }}", "wrap"),
        Col("完成时限", 10, "{{ r.due }}", "date"),
        Col("责任单位", 15.5, "{{ r.units }}", "wrap"),
        Col("状态", 13.5, "{{ r.status_label }}", "cwrap"),
        Col("进展情况", 19, "{{ r.progress }}", "wrap"),
    ]
    ws = _table(wb, "汇总表", "{{ attachment.title }}", summary, "rows", "r",
                total=True,
                note=f"注：状态标识　{STATUS_NOTE}。完成率＝累计完成÷年度目标；"
                "序时进度＝报告月份÷12（截止日期不在月末时为当年已过天数÷全年天数）；年度目标为“以上”的按下限计。")
    _status_colours(ws, "J4:J4")
    _attachment_mark(ws)

    units = [
        Col("排名", 5, "{{ u.rank }}", "int", total="合计"),
        Col("责任单位", 34, "{{ u.name }}", "wrap"),
        Col("报送情况", 10, "{{ u.submitted_label }}", "cwrap"),
        Col("节点总数", 8, "{{ u.total }}", "int", "sum"),
        Col("已到期", 8, "{{ u.due }}", "int", "sum"),
        Col("已完成", 8, "{{ u.done }}", "int", "sum"),
        Col("逾期完成", 8, "{{ u.done_late }}", "int", "sum"),
        Col("正常推进", 8, "{{ u.in_progress }}", "int", "sum"),
        Col("临期", 8, "{{ u.due_soon }}", "int", "sum"),
        Col("逾期未完成", 8, "{{ u.overdue }}", "int", "sum"),
        Col("未报送", 8, "{{ u.not_reported }}", "int", "sum"),
        Col("按期完成率", 9.5, "{{ u.rate }}", "pct"),
    ]
    ws = _table(wb, "分单位统计", "{{ period_label }}各责任单位节点推进情况统计", units, "units",
                "u", total=True,
                subtitle="截至{{ as_of_label }}　　节点{{ count.total }}个，其中已到期{{ count.due }}个",
                note="注：按期完成率＝按期完成的节点数÷已到期节点数，据此排名；"
                "本期无到期节点的单位不排名。多个单位共同负责的节点，各单位分别计数，"
                "故合计数可能大于节点总数。")
    ws.conditional_formatting.add("J4:J4", CellIsRule(
        operator="greaterThan", formula=["0"], font=Font(color="9C0006", bold=True),
        fill=PatternFill("solid", bgColor="FFC7CE")))
    ws.conditional_formatting.add("C4:C4", Rule(
        type="containsText", operator="containsText", text="未报送",
        formula=['NOT(ISERROR(SEARCH("未报送",C4)))'],
        dxf=DifferentialStyle(fill=PatternFill("solid", bgColor="D9D9D9"))))

    listing = [
        Col("序号", 5, "{{ loop.index }}", "int"),
        Col("项目（任务）名称", 15.5, "{{ m.item_name }}", "wrap"),
        Col("节点编号", 9, "{{ m.code }}", "center"),
        Col("节点要求", 24, "{{ m.text }}", "wrap"),
        Col("完成时限", 10, "{{ m.due }}", "date"),
    ]
    _table(wb, "逾期清单", "{{ period_label }}逾期未完成节点清单", [
        *listing,
        Col("逾期天数", 8.5, "{{ m.days_overdue }}", "int"),
        Col("责任单位", 16, "{{ m.units }}", "wrap"),
        Col("进展情况", 22.5, "{{ m.progress }}", "wrap"),
        Col("存在问题", 22.5, "{{ m.problems }}", "wrap"),
    ], "overdue", "m", empty_text="本期无逾期未完成节点",
        subtitle="截至{{ as_of_label }}　　共{{ overdue|length }}项，按逾期天数排列")
    _table(wb, "临期清单", "{{ period_label }}临期节点清单", [
        *listing,
        Col("剩余天数", 8.5, "{{ m.days_left }}", "int"),
        Col("责任单位", 20, "{{ m.units }}", "wrap"),
        Col("进展情况", 41.5, "{{ m.progress }}", "wrap"),
    ], "due_soon", "m", empty_text="本期无临期节点",
        subtitle="截至{{ as_of_label }}　　共{{ due_soon|length }}项，按剩余天数排列")
    _table(wb, "未报送清单", "{{ period_label }}未按时报送单位清单", [
        Col("序号", 6, "{{ u.no }}", "int"),
        Col("责任单位", 30, "{{ u.name }}", "wrap"),
        Col("涉及项目（任务）", 60, "{{ u.item_names }}", "wrap"),
        Col("涉及节点数", 11, "{{ u.milestones }}", "int"),
        Col("其中已到期", 11, "{{ u.due }}", "int"),
    ], "missing_rows", "u", empty_text="本期各责任单位均已按时报送",
        subtitle="截至{{ as_of_label }}　　共{{ missing_units|length }}个单位")

    _investment(wb)
    _table(wb, "发文登记", "{{ period_label }}督办通知、提醒函、催报通知发文登记", [
        Col("序号", 6, "{{ loop.index }}", "int"),
        Col("发文字号", 26, "{{ n.doc_no }}", "center"),
        Col("文种", 12, "{{ n.kind }}", "center"),
        Col("主送单位", 40, "{{ n.unit }}", "wrap"),
        Col("备注", 30, "", "wrap"),
    ], "notices", "n", empty_text="本期未发督办通知、提醒函和催报通知",
        subtitle="成文日期{{ issue_label }}　　共{{ notices|length }}件")
    _duban_book(wb)
    _notes(wb)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _attachment_mark(ws: Worksheet) -> None:
    """附件 at the top left of the first page in 3号黑体 (GB/T 9704 8): the 汇总表 is the
    bulletin's attachment, and its title is the name the bulletin's 附件说明 lists."""
    ws.HeaderFooter.differentFirst = True
    ws.firstHeader.left.text = "{{ attachment.mark }}"
    ws.firstHeader.left.font = "黑体"
    ws.firstHeader.left.size = 16
    for name in ("left", "center", "right"):
        odd, first = getattr(ws.oddFooter, name), getattr(ws.firstFooter, name)
        first.text, first.font, first.size = odd.text, odd.font, odd.size
    ws.page_margins.top, ws.page_margins.header = 0.8, 0.35


def _investment(wb: Workbook) -> None:
    """投资完成 (the projects), 各月投资 (month by month) and 投资图表: one table or chart a sheet,
    so a sheet's repeated title and header only ever stand above its own table."""
    cols = [
        Col("序号", 5, "{{ p.no }}", "int", total="合计"),
        Col("项目名称", 36, "{{ p.name }}", "wrap"),
        Col("年度目标\n（亿元）", 10, "{{ p.target }}", "num", "sum"),
        Col("{{ previous_label }}\n（亿元）", 10, "{{ p.previous }}", "num", "sum"),
        Col("{{ added_label }}\n（亿元）", 10, "{{ p.added }}", "num", "sum"),
        Col("累计完成\n（亿元）", 10, "{{ p.cumulative }}", "num", "sum"),
        Col("完成率", 9, "{{ p.rate }}", "pct", '=IF(AND(C{r}>0,ISNUMBER(F{r})),F{r}/C{r},"")'),
        Col("序时进度", 9, "{{ p.schedule }}", "pct", "{{ schedule }}"),
        Col("与序时比较", 10, "{{ p.vs_label }}", "center"),
    ]
    ws = _table(wb, "投资完成", "{{ period_label }}重点项目投资完成情况", cols, "projects", "p",
                total=True)
    ws.conditional_formatting.add("I4:I4", Rule(
        type="containsText", operator="containsText", text="滞后",
        formula=['NOT(ISERROR(SEARCH("滞后",I4)))'],
        dxf=DifferentialStyle(font=Font(color="9C0006", bold=True),
                              fill=PatternFill("solid", bgColor="FFC7CE"))))
    _table(wb, "各月投资", "{{ year }}年重点项目各月累计完成投资情况", [
        Col("月份", 16, "{{ h.label }}", "center"),
        Col("累计完成\n（亿元）", 14, "{{ h.cumulative }}", "num"),
        Col("当月新增\n（亿元）", 14, "{{ h.added }}", "num"),
        Col("累计完成率", 12, "{{ h.rate }}", "pct"),
        Col("序时进度", 12, "{{ h.schedule }}", "pct"),
    ], "months", "h", subtitle="截至{{ as_of_label }}　　金额单位：亿元")
    _chart_sheet(wb)


CHART_COLUMNS, CHART_ROWS = 12, 21  # the chart sheet's print area below its two title rows


def _chart_text(size: int = 1000) -> RichText:
    """Text properties for a chart part: `size` in hundredths of a point (10 pt: printed readable)."""
    props = CharacterProperties(sz=size)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def _chart_sheet(wb: Workbook) -> None:
    """投资图表: the projects' 完成率 against 序时进度, inside one printed page — all of them, or
    the lowest rates when more than a page of bars (a city's thousands printed as a black block).
    The chart draws from its own rows under the printed page, as the bulletin's chart draws."""
    ws = wb.create_sheet("投资图表")
    last = CHART_COLUMNS
    _heading(ws, 1, "{{ period_label }}各项目投资完成率与序时进度对比", last, 18, 36)
    _heading(ws, 2, "截至{{ as_of_label }}　　序时进度：{{ schedule|pct }}"
             "{% if chart.note %}　　{{ chart.note }}{% endif %}", last, 11, 22, title=False, align="left")
    for j in range(1, last + 1):
        ws.column_dimensions[get_column_letter(j)].width = 10
    for r in range(3, 3 + CHART_ROWS):
        ws.row_dimensions[r].height = 20
    head = 2 + CHART_ROWS + 2  # the chart's data, left out of the print area
    ws.cell(head - 1, 1, "图表数据（不打印）").font = _font(bold=True)
    cols = [Col("项目名称", 10, "{{ c.name }}", "center"), Col("完成率", 10, "{{ c.rate }}", "pct"),
            Col("序时进度", 10, "{{ c.schedule }}", "pct")]
    _header_row(ws, head, cols)
    _loop_row(ws, head + 1, cols, "{%row for c in chart.projects %}")
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long project names read on the axis
    chart.grouping = "clustered"
    chart.gapWidth = 60
    chart.title = None  # the sheet's title says it
    chart.y_axis.title = "完成率"
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # first project at the top, as in the table
    chart.y_axis.crosses = "max"  # ... and the value axis stays at the bottom
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblSkip = 1  # every project named, however many
    chart.x_axis.txPr = chart.y_axis.txPr = _chart_text()
    chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=head, max_row=head + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=head + 1))
    # black and white print: a dark bar with its value, a light bar with a black outline
    rate, schedule = chart.series
    rate.graphicalProperties.solidFill = "1F3864"
    rate.graphicalProperties.line.solidFill = "1F3864"
    schedule.graphicalProperties.solidFill = "D9D9D9"
    schedule.graphicalProperties.line.solidFill = "000000"
    rate.dLbls = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                               showLegendKey=False, showPercent=False)
    rate.dLbls.numFmt = PCT
    rate.dLbls.txPr = _chart_text()
    chart.legend.position = "b"
    chart.legend.txPr = _chart_text()
    # 12 columns of 10 units are 22.2 cm in Excel (wider in LibreOffice), 21 rows of 20 pt 14.8 cm
    chart.width, chart.height = 22, 14.5
    chart.anchor = "A3"
    ws.add_chart(chart)
    ws.print_area = f"A1:{get_column_letter(last)}{2 + CHART_ROWS}"
    _page(ws, None, "{{ period_label }}　投资图表")


def _duban_book(wb: Workbook) -> None:
    """督办台账: every 督办通知 of the year so far, where each stands on the issue date."""
    ws = _table(wb, "督办台账", "{{ year }}年督办通知台账", [
        Col("序号", 5, "{{ d.no }}", "int"),
        # a 文号 is not broken: 督办文号 holds 同经开督字〔2024〕99号 on a line, 备注 同经开督字〔2024〕9号、
        # and 〔2024〕99号; so 状态 sets 逾期未回复 on two lines, 督办次数 its header on two, 责任单位 keeps
        # 5 characters a line and 督办事项 11 (less would print July's 督办台账 on two pages)
        Col("督办文号", 22.5, "{{ d.doc_no }}", "cwrap"),
        Col("责任单位", 10.5, "{{ d.unit }}", "wrap"),
        Col("督办事项（节点）", 22, "{{ d.matters }}", "wrap"),
        Col("督办日期", 9.5, "{{ d.issued_on }}", "date"),
        Col("回复期限", 9.5, "{{ d.reply_by }}", "date"),
        Col("回复日期", 9.5, "{{ d.replied_on }}", "date"),
        Col("状态", 8, "{{ d.state }}", "cwrap"),
        Col("督办次数", 5, "{{ d.round }}", "int"),
        Col("备注", 23.5, "{{ d.note }}", "wrap"),
    ], "duban_rows", "d", empty_text="本年度尚未发出督办通知",
        subtitle="状态截至{{ duban_count.as_of_label }}　　共{{ duban_count.total }}件，"
        "已销号{{ duban_count.closed }}件，{% if duban_count.ended %}终止督办{{ duban_count.ended }}件，{% endif %}"
        "已回复{{ duban_count.replied }}件，"
        "逾期未回复{{ duban_count.late }}件，未到期{{ duban_count.pending }}件",
        note="注：督办次数为同一节点向该单位发出督办通知的次数（含本件）；节点全部完成即销号；"
        "节点因任务分解调整删除或年度结束仍未完成而不再督办的，终止督办。")
    # the words' first characters: the print layout sets 逾期未回复 on two lines (逾期未 / 回复)
    for word, (fill, colour) in (("逾期", STATUS_STYLE[Status.OVERDUE]),
                                 ("已销", STATUS_STYLE[Status.DONE])):
        ws.conditional_formatting.add("H4:H4", Rule(
            type="containsText", operator="containsText", text=word,
            formula=[f'NOT(ISERROR(SEARCH("{word}",H4)))'],
            dxf=DifferentialStyle(font=Font(color=colour), fill=PatternFill("solid", bgColor=fill))))


def _notes(wb: Workbook) -> None:
    ws = wb.create_sheet("模板说明（生成时删除）")
    ws.sheet_properties.tabColor = "808080"
    lines = [
        ("本工作簿是“汇总表”的模板。可以在 Excel/WPS 中修改字体、颜色、列宽、列的顺序和文字；"
         "生成时本工作表会被删除。", ""),
        ("写法", ""),
        ("{{ 名称 }}", "单元格内容恰好是一个表达式时，填入原值：数字仍是数字、日期仍是日期，格式用单元格的数字格式"),
        ("截至{{ as_of_label }}", "表达式前后有文字时，整体作为文字填入"),
        ("{%row for r in rows %}", "写在某行的一个单元格开头：该行按列表逐条重复（样式、行高、合并单元格一并复制），"
         "标记后面的内容照常填入该单元格；列表为空时该行删除"),
        ("{%row for m in milestones if m.status == \"overdue\" %}", "只重复满足条件的条目"),
        ("{{ loop.index }}", "循环中的序号（1、2、3…）"),
        ("{{ r.rate|pct }}  {{ r.target|num }}  {{ r.due|cn_date }}",
         "在文字中显示百分比（一位小数，与通报相同）、两位小数、中文日期"),
        ("合计：=SUM(C4:C4)", "循环行下方的合计公式只需写到循环行，生成时自动扩展到全部数据行；"
         "条件格式、数据验证、合并单元格、打印区域、图表数据区域同样自动扩展"),
        ("其它工作表", "以“模板说明”开头的工作表在生成时删除"),
        ("状态取值", "status：" + "、".join(f"{s.value}（{STATUS_LABEL[s]}）" for s in Status)),
        ("可用的名称", ""),
        *[(k, v) for k, v in CONTEXT_HELP.items()],
    ]
    for i, (a, b) in enumerate(lines, start=1):
        ws.cell(i, 1, a).font = _font(10.5, bold=not b)
        ws.cell(i, 2, b).font = _font(10.5)
        ws.cell(i, 2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(i, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 90


def main() -> None:
    """Parse the command line and write the template."""
    parser = argparse.ArgumentParser(description="生成汇总表 Excel 模板")
    parser.add_argument("--out", type=Path, default=ROOT / "templates" / "汇总表.xlsx")
    args = parser.parse_args()
    print(build(args.out))


if __name__ == "__main__":
    main()
