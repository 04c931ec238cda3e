"""The 督办回复单: the form a unit fills to answer a 督办通知, written with the notice.

One visible sheet, protected like the unit forms (only the answer cells open): the 文号, unit and
dates as labels and values, one row per node pressed (进展, 整改措施及完成时限, 是否已完成), then
回复日期, 填报人, 联系电话 and a place to sign. A hidden sheet holds the 文号 and unit, so the
reader (`reportgen.ingest.replies`) knows which 督办 a returned file answers whatever its name.
Cells are found back by their label text, so a unit that inserts a row or widens a column
does not break the reading.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportgen.cn import format_date, format_month
from reportgen.config import Config
from reportgen.forms import save_workbook
from reportgen.fsutil import safe_filename
from reportgen.model import DubanRecord
from reportgen.sheets import number_pages, print_a4

SHEET = "督办回复单"
SHEET_ID = "_督办标识"  # hidden: what the form answers
KIND = "督办回复单"
FOLDER = "督办回复单"  # output/<period>/督办回复单/<unit>.xlsx
# labels the reader looks for (the value is the first filled cell to their right)
LABEL_DOC_NO = "督办文号"
LABEL_UNIT = "责任单位"
LABEL_DATE = "回复日期"
LABEL_PERSON = "填报人"
LABEL_PHONE = "联系电话"
HEAD_MEASURES = "整改措施及完成时限"
HEAD_PROGRESS = "目前进展"
HEAD_DONE = "是否已完成"
HEADERS = ("序号", "督办事项（节点）", HEAD_PROGRESS, HEAD_MEASURES, HEAD_DONE)
WIDTHS = (12, 40, 30, 30, 12)
ID_KEYS = ("类型", "文号", "责任单位", "督办月份", "回复期限")


def reply_form_name(unit: str) -> str:
    """Return the file name of `unit`'s reply form."""
    return f"{safe_filename(unit)}.xlsx"


def write_reply_form(d: DubanRecord, config: Config, path: Path, when: dt.datetime) -> Path:
    """Write the 督办回复单 of the 督办通知 `d` to `path` and return it."""
    # openpyxl loads in about 0.3 s: only a run that issues a 督办 needs it
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _layout(ws, d, config)
    ident = wb.create_sheet(SHEET_ID)
    for row in ((k, v) for k, v in zip(ID_KEYS, (KIND, d.doc_no, d.unit, d.period,
                                                 d.reply_by.isoformat() if d.reply_by else ""), strict=True)):
        ident.append(row)
    ident.sheet_state = "hidden"
    for sheet in (ws, ident):
        _protect(sheet, config)
    wb.security = WorkbookProtection(lockStructure=True)
    if config.forms.password:
        wb.security.workbookPassword = config.forms.password
    wb.properties.creator = config.office.short_name
    wb.properties.title = f"{d.doc_no}回复单"
    return save_workbook(wb, path, when)


def _protect(ws: Any, config: Config) -> None:
    ws.protection.sheet = True
    if config.forms.password:
        ws.protection.password = config.forms.password
    ws.protection.formatRows = False  # rows may grow for long answers
    ws.protection.formatColumns = False


def _layout(ws: Any, d: DubanRecord, config: Config) -> None:
    from openpyxl.styles import Alignment, Border, Font, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=config.fonts.table, size=11)
    bold = Font(name=config.fonts.table_title, size=11, bold=True)

    def put(row: int, col: int, value: Any, *, font: Any = body, open_: bool = False, span: int = 1) -> None:
        cell = ws.cell(row, col, value)
        cell.font, cell.border = font, box
        cell.alignment = Alignment(vertical="center", wrap_text=True,
                                   horizontal="center" if font is bold or isinstance(value, int) else "left")
        if open_:
            cell.protection = Protection(locked=False)
        for c in range(col + 1, col + span):
            ws.cell(row, c).border = box
        if span > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)

    ws.cell(1, 1, "督办通知回复单").font = Font(name=config.fonts.table_title, size=18, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells("A1:E1")
    ws.row_dimensions[1].height = 36
    put(2, 1, LABEL_DOC_NO, font=bold)
    put(2, 2, d.doc_no)
    put(2, 3, "回复期限", font=bold)
    put(2, 4, format_date(d.reply_by) if d.reply_by else "", span=2)
    put(3, 1, LABEL_UNIT, font=bold)
    put(3, 2, d.unit)
    put(3, 3, "督办日期", font=bold)
    put(3, 4, format_date(d.issued_on) if d.issued_on else format_month(d.period), span=2)
    for r in (2, 3, 4):
        ws.row_dimensions[r].height = 24
    for col, (head, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        put(4, col, head, font=bold)
        ws.column_dimensions[chr(64 + col)].width = width
    done = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                          errorTitle="是否已完成", error="请从下拉列表中选择“是”或“否”。")
    ws.add_data_validation(done)
    row = 5
    for i, code in enumerate(d.nodes, start=1):
        put(row, 1, i)
        put(row, 2, d.node_texts.get(code, ""))
        for col in (3, 4, 5):
            put(row, col, None, open_=True)
        done.add(ws.cell(row, 5))
        ws.row_dimensions[row].height = 60
        row += 1
    _footer(ws, row, d, put, bold, body)


def _footer(ws: Any, row: int, d: DubanRecord, put: Any, bold: Any, body: Any) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    year = int(d.period[:4])
    epoch = dt.date(1899, 12, 30)
    when = DataValidation(type="date", operator="between", formula1=str((dt.date(year, 1, 1) - epoch).days),
                          formula2=str((dt.date(year + 1, 12, 31) - epoch).days),
                          allow_blank=True, showInputMessage=True, showErrorMessage=True,
                          promptTitle=LABEL_DATE, prompt=f"请按 {year}-7-12 或 {year}年7月12日 的格式填写。",
                          errorTitle="日期有误", error=f"请输入日期，格式如 {year}-7-12。")
    ws.add_data_validation(when)
    put(row, 1, LABEL_DATE, font=bold)
    put(row, 2, None, open_=True)
    ws.cell(row, 2).number_format = 'yyyy"年"m"月"d"日"'
    when.add(ws.cell(row, 2))
    put(row, 3, LABEL_PERSON, font=bold)
    put(row, 4, None, open_=True, span=2)
    put(row + 1, 1, LABEL_PHONE, font=bold)
    put(row + 1, 2, None, open_=True)
    put(row + 1, 3, "单位负责人（签字）", font=bold)
    put(row + 1, 4, None, open_=True, span=2)
    for r in (row, row + 1):
        ws.row_dimensions[r].height = 30
    by = format_date(d.reply_by) if d.reply_by else "回复期限"
    note = ws.cell(row + 3, 1, f"说明：请逐项填写目前进展和整改措施，于{by}前将本表（Excel 文件，勿改文件格式）"
                               "报回督查办，纸质件由单位负责人签字并加盖公章后另行报送。")
    note.font = Font(name=body.name, size=10)
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=row + 3, start_column=1, end_row=row + 3, end_column=5)
    ws.row_dimensions[row + 3].height = 45
    print_a4(ws, landscape=True, centered=True)
    number_pages(ws)
