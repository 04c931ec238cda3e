"""Writing the 督办回复单 (reportgen.replyform holds what a form holds).

A run writes hundreds of these, all alike but for their cells. openpyxl renders one whole
workbook (`reply_workbook`) once per run, for a prototype 督办, and that package is the
template: its styles, theme, workbook, protection and print setup are copied as bytes into every
form, and only each form's two sheets and its document properties are written, as XML, with the
style each cell's role got in the prototype (`ReplyForms`); the cells as `xlsx_save` writes them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation, DataValidationList
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.xml.functions import tostring

from reportgen.config import Config
from reportgen.forms import workbook_parts, zip_parts
from reportgen.model import DubanRecord
from reportgen.pages import body_room, page_breaks
from reportgen.replyform import (
    COLUMNS,
    DATE_FORMAT,
    EDGES,
    FONT_PT,
    ID_KEYS,
    LABEL_DATE,
    NODE_HEIGHT,
    PROTOTYPE,
    SHEET,
    SHEET_ID,
    TITLE_ROWS,
    WIDTHS,
    Layout,
    ident_rows,
    layout,
)
from reportgen.sheets import number_pages, print_a4
from reportgen.textlines import CELL_PAD_PT, UNIT_PT, break_text, lines_height
from reportgen.xlsx_cells import plain_cell, xml_text


def write_reply_form(d: DubanRecord, config: Config, path: Path, when: dt.datetime) -> Path:
    """Write the 督办回复单 of the 督办通知 `d` to `path` and return it (one form: the template
    is made for it; a batch uses one `ReplyForms`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return ReplyForms(config, when).write(d, path)


def _validations(form: Layout) -> list[Any]:
    """Return the 是/否 drop-down of the 是否已完成 cells and the date check of 回复日期."""
    year = form.year
    epoch = dt.date(1899, 12, 30)
    done = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                          errorTitle="是否已完成", error="请从下拉列表中选择“是”或“否”。",
                          sqref=" ".join(form.choices))
    when = DataValidation(type="date", operator="between", formula1=str((dt.date(year, 1, 1) - epoch).days),
                          formula2=str((dt.date(year + 1, 12, 31) - epoch).days),
                          allow_blank=True, showInputMessage=True, showErrorMessage=True,
                          promptTitle=LABEL_DATE, prompt=f"请按 {year}-7-12 或 {year}年7月12日 的格式填写。",
                          errorTitle="日期有误", error=f"请输入日期，格式如 {year}-7-12。", sqref=form.date_cell)
    return [done, when] if form.choices else [when]


# ---------------------------------------------------------------- printed pages

BLANK_ROW_PT = 15.0  # a row of no set height (the one between the signatures and the 说明)
KEEP_NODES = 2  # nodes printed on the last page with the 回复日期…说明 block under them


def _paged(form: Layout, room: float) -> Layout:
    """Make each node's row tall enough for its words and set the rows `form`'s printed pages
    end on (pages `room` points high under the repeated title rows): pages break between node
    rows, and the last page holds the 回复日期, 签字 and 说明 rows with the last nodes above them,
    never the 说明 alone under the column heads."""
    text_room = WIDTHS[1] * UNIT_PT - CELL_PAD_PT
    for row, words in form.nodes:
        lines = break_text(words, text_room, FONT_PT).count("\n") + 1
        need = math.ceil(lines_height(lines, FONT_PT))
        form.heights[row] = min(409.0, max(NODE_HEIGHT, need))
    first, last = TITLE_ROWS + 1, max(row for row, *_ in form.cells)
    heights = [form.heights.get(r, BLANK_ROW_PT) for r in range(first, last + 1)]
    below = last - form.nodes[-1][0] if form.nodes else last - TITLE_ROWS
    keep = below + min(KEEP_NODES, len(form.nodes))
    form.breaks = [first + start - 1 for start in page_breaks(heights, room, set(), keep)]
    return form


def _row_breaks(form: Layout) -> RowBreak:
    return RowBreak(brk=[Break(id=row) for row in form.breaks])


# ---------------------------------------------------------------- the forms of a batch


class ReplyForms:
    """Writes the 督办回复单 of a batch, all from one template rendered by openpyxl."""

    def __init__(self, config: Config, when: dt.datetime) -> None:
        wb = reply_workbook(PROTOTYPE, config)
        main, ident = wb[SHEET], wb[SHEET_ID]
        self.room = body_room(main)
        main.row_breaks = RowBreak(brk=[Break(id=1)])  # marks where a form's own breaks go
        self.parts = workbook_parts(wb, when)  # every part of the package, in openpyxl's order
        self.when = when
        self.names = (main.path[1:], ident.path[1:], "docProps/core.xml")
        got = dict(self.parts)
        self.styles = _style_ids(main, layout(PROTOTYPE))
        self.sheet = _split(_SHEET_XML, got[self.names[0]])
        self.ident = _split(_IDENT_XML, got[self.names[1]])
        self.core = got[self.names[2]].decode("utf-8")
        if not _TITLE.search(self.core):
            raise RuntimeError("回复单模板的文档属性中没有标题")

    def write(self, d: DubanRecord, path: Path) -> Path:
        """Write the form of the 督办通知 `d` to `path` and return `path`.

        Written in place, not through a temporary file: a run writes into its staging folder,
        which is published whole or not at all (`reportgen.publish`).
        """
        own = dict(zip(self.names, self._sheets(d), strict=True))
        parts = [(name, own.get(name, data)) for name, data in self.parts]
        path.write_bytes(zip_parts(parts, self.when))
        return path

    def _sheets(self, d: DubanRecord) -> tuple[bytes, bytes, bytes]:
        """Return the visible sheet, the hidden sheet and the document properties of `d`."""
        form = _paged(layout(d), self.room)
        head, views, protection, between, setup, tail = self.sheet
        merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in form.merges)
        checks = tostring(DataValidationList(dataValidation=_validations(form)).to_tree()).decode()
        breaks = tostring(_row_breaks(form).to_tree()).decode() if form.breaks else ""
        last = max(row for row, *_ in form.cells)
        main = (f'{head}<dimension ref="A1:{COLUMNS[-1]}{last}"/>{views}'
                f"<sheetData>{_rows(form.cells, form.heights, self.styles)}</sheetData>{protection}"
                f'<mergeCells count="{len(form.merges)}">{merges}</mergeCells>{between}{checks}{setup}'
                f"{breaks}{tail}")
        cells = [(r, c, v, "") for r, row in enumerate(ident_rows(d), start=1) for c, v in enumerate(row, start=1)]
        head, views, tail = self.ident
        ident = (f'{head}<dimension ref="A1:B{len(ID_KEYS)}"/>{views}'
                 f"<sheetData>{_rows(cells, {}, {})}</sheetData>{tail}")
        title = xml_text(d.doc_no + "回复单")
        core = _TITLE.sub(lambda m: f"{m[1]}{title}{m[2]}", self.core, count=1)
        return main.encode("utf-8"), ident.encode("utf-8"), core.encode("utf-8")


_SHEET_XML = re.compile(r'(.*?)<dimension ref="[^"]*"/>(.*?)<sheetData>.*</sheetData>(.*?)'
                        r"<mergeCells\b.*</mergeCells>(.*?)<dataValidations\b.*</dataValidations>(.*?)"
                        r"<rowBreaks\b.*</rowBreaks>(.*)", re.S)
_IDENT_XML = re.compile(r'(.*?)<dimension ref="[^"]*"/>(.*?)<sheetData>.*</sheetData>(.*)', re.S)
_TITLE = re.compile(r"(<dc:title\b[^>]*>).*?(</dc:title>)", re.S)


def _split(pattern: re.Pattern[str], xml: bytes) -> tuple[str, ...]:
    """Return the parts of a template sheet's XML around what each form writes itself."""
    found = pattern.fullmatch(xml.decode("utf-8"))
    if found is None:
        raise RuntimeError("回复单模板的工作表结构与预期不符")
    return found.groups()


def _style_ids(ws: Any, form: Layout) -> dict[str, int]:
    """Return the style index each role's cells got in the template sheet `ws`."""
    ids: dict[str, set[int]] = {}
    for row, col, _value, role in form.cells:
        ids.setdefault(role, set()).add(ws.cell(row, col).style_id)
    if any(len(found) != 1 for found in ids.values()):
        raise RuntimeError(f"回复单模板中同一类单元格的样式不一致：{ids}")
    return {role: found.pop() for role, found in ids.items()}


def _rows(cells: list[tuple[int, int, Any, str]], heights: dict[int, float], styles: dict[str, int]) -> str:
    """Return the <row> elements of `cells` (written as openpyxl writes them)."""
    rows: dict[int, list[str]] = {row: [] for row in heights}
    for row, col, value, role in sorted(cells, key=lambda c: (c[0], c[1])):
        style = styles.get(role)
        rows.setdefault(row, []).append(plain_cell(f"{COLUMNS[col - 1]}{row}", "" if style is None else f' s="{style}"',
                                                   value))
    out = []
    for row in sorted(rows):
        height = f' ht="{heights[row]:g}" customHeight="1"' if row in heights else ""
        out.append(f'<row r="{row}"{height}>{"".join(rows[row])}</row>')
    return "".join(out)


# ---------------------------------------------------------------- the workbook, by openpyxl


def _role_styles(config: Config) -> dict[str, dict[str, Any]]:
    """Return each role's style (font, border, alignment, protection, number format)."""
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=config.fonts.table, size=11)
    bold = Font(name=config.fonts.table_title, size=11, bold=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    opened = {"font": body, "border": box, "alignment": left, "protection": Protection(locked=False)}
    return {
        "title": {"font": Font(name=config.fonts.table_title, size=18, bold=True),
                  "alignment": Alignment(horizontal="center", vertical="center")},
        "label": {"font": bold, "border": box, "alignment": center},
        "text": {"font": body, "border": box, "alignment": left},
        "number": {"font": body, "border": box, "alignment": center},
        "open": opened,
        "open_date": {**opened, "number_format": DATE_FORMAT},
        "note": {"font": Font(name=config.fonts.table, size=10),
                 "alignment": Alignment(wrap_text=True, vertical="top")},
    }


def reply_workbook(d: DubanRecord, config: Config) -> Any:
    """Return the 督办回复单 of `d` as an openpyxl workbook (the template `ReplyForms` copies)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    form = layout(d)
    styles = _role_styles(config)
    for row, col, value, role in form.cells:
        if role in EDGES:
            continue  # merging gives them the edges of the merged cell
        cell = ws.cell(row, col)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text, even one starting with "="
        for name, style in styles[role].items():
            setattr(cell, name, style)
    for ref in form.merges:
        ws.merge_cells(ref)
    for letter, width in zip(COLUMNS, WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    for dv in _validations(form):
        ws.add_data_validation(dv)
    print_a4(ws, landscape=True, centered=True)
    # a 督办 of many nodes runs over pages: each names the notice and heads its columns again
    ws.print_title_rows = f"1:{TITLE_ROWS}"
    number_pages(ws)
    for row in range(1, TITLE_ROWS + 1):
        ws.row_dimensions[row].height = form.heights[row]
    _paged(form, body_room(ws))
    for row, height in form.heights.items():
        ws.row_dimensions[row].height = height
    ws.row_breaks = _row_breaks(form)
    ident = wb.create_sheet(SHEET_ID)
    for row_values in ident_rows(d):
        ident.append(row_values)
    ident.sheet_state = "hidden"
    for sheet in (ws, ident):
        _protect(sheet, config)
    wb.security = WorkbookProtection(lockStructure=True)
    if config.forms.password:
        wb.security.workbookPassword = config.forms.password
    wb.properties.creator = config.office.short_name
    wb.properties.title = f"{d.doc_no}回复单"
    return wb


def _protect(ws: Any, config: Config) -> None:
    ws.protection.sheet = True
    if config.forms.password:
        ws.protection.password = config.forms.password
    ws.protection.formatRows = False  # rows may grow for long answers
    ws.protection.formatColumns = False
