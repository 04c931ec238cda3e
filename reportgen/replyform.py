"""The 督办回复单: the form a unit fills to answer a 督办通知, written with the notice.

One visible sheet, protected like the unit forms (only the answer cells open): the 文号, unit and
dates as labels and values, one row per node pressed (进展, 整改措施及完成时限, 是否已完成), then
回复日期, 填报人, 联系电话 and a place to sign. A hidden sheet holds the 文号 and unit, so the
reader (`reportgen.ingest.replies`) knows which 督办 a returned file answers whatever its name.
Cells are found back by their label text, so a unit that inserts a row or widens a column
does not break the reading.

A run writes hundreds of these, all alike but for their cells. What a form holds is described
once as plain data (`_layout`); openpyxl renders that description into a whole workbook
(`reply_workbook`) once per run, for a prototype 督办, and that package is the template: its
styles, theme, workbook, protection and print setup are copied as bytes into every form, and
only each form's two sheets and its document properties are written, as XML, with the style
each cell's role got in the prototype (`ReplyForms`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from reportgen.cn import format_date, format_month
from reportgen.config import Config
from reportgen.forms import workbook_parts, zip_parts
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
COLUMNS = "ABCDE"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
# a cell's role decides its style; the cells right of a boxed merged cell take the box's edges
BOXED = ("label", "text", "number", "open", "open_date")
EDGES = ("edge", "open_edge")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what openpyxl refuses in a cell
_MAX_TEXT = 32767  # characters a cell holds
# the prototype 督办 the template is rendered for: every role appears in its form
_PROTOTYPE = DubanRecord("督办文号", "2000-01", "责任单位", ["节点"], {"节点": "节点"},
                         issued_on=dt.date(2000, 2, 1), reply_by=dt.date(2000, 2, 8))


def reply_form_name(unit: str) -> str:
    """Return the file name of `unit`'s reply form."""
    return f"{safe_filename(unit)}.xlsx"


def write_reply_form(d: DubanRecord, config: Config, path: Path, when: dt.datetime) -> Path:
    """Write the 督办回复单 of the 督办通知 `d` to `path` and return it (one form: the template
    is made for it; a batch uses one `ReplyForms`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return ReplyForms(config, when).write(d, path)


# ---------------------------------------------------------------- what a form holds


@dataclass
class _Layout:
    """One form's visible sheet as plain data: cells with their roles, heights, merges, and
    the cells the two drop-downs check."""

    year: int
    cells: list[tuple[int, int, Any, str]] = field(default_factory=list)  # row, column, value, role
    heights: dict[int, float] = field(default_factory=dict)
    merges: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # 是否已完成: 是/否
    date_cell: str = ""  # 回复日期

    def put(self, row: int, col: int, value: Any, role: str, span: int = 1) -> None:
        self.cells.append((row, col, _clean(value), role))
        if span > 1:
            if role in BOXED:
                edge = "open_edge" if role.startswith("open") else "edge"
                self.cells += [(row, c, None, edge) for c in range(col + 1, col + span)]
            self.merges.append(f"{COLUMNS[col - 1]}{row}:{COLUMNS[col + span - 2]}{row}")


def _clean(value: Any) -> Any:
    return _ILLEGAL.sub("", value)[:_MAX_TEXT] if isinstance(value, str) else value


def _layout(d: DubanRecord) -> _Layout:
    """Return what the form of `d` holds."""
    out = _Layout(int(d.period[:4]))
    out.put(1, 1, "督办通知回复单", "title", span=5)
    out.heights[1] = 36
    out.put(2, 1, LABEL_DOC_NO, "label")
    out.put(2, 2, d.doc_no, "text")
    out.put(2, 3, "回复期限", "label")
    out.put(2, 4, format_date(d.reply_by) if d.reply_by else "", "text", span=2)
    out.put(3, 1, LABEL_UNIT, "label")
    out.put(3, 2, d.unit, "text")
    out.put(3, 3, "督办日期", "label")
    out.put(3, 4, format_date(d.issued_on) if d.issued_on else format_month(d.period), "text", span=2)
    for col, head in enumerate(HEADERS, start=1):
        out.put(4, col, head, "label")
    out.heights.update(dict.fromkeys((2, 3, 4), 24))
    row = 5
    for i, code in enumerate(d.nodes, start=1):
        out.put(row, 1, i, "number")
        out.put(row, 2, d.node_texts.get(code, ""), "text")
        for col in (3, 4, 5):
            out.put(row, col, None, "open")
        out.choices.append(f"E{row}")
        out.heights[row] = 60
        row += 1
    out.put(row, 1, LABEL_DATE, "label")
    out.put(row, 2, None, "open_date")
    out.date_cell = f"B{row}"
    out.put(row, 3, LABEL_PERSON, "label")
    out.put(row, 4, None, "open", span=2)
    out.put(row + 1, 1, LABEL_PHONE, "label")
    out.put(row + 1, 2, None, "open")
    out.put(row + 1, 3, "单位负责人（签字）", "label")
    out.put(row + 1, 4, None, "open", span=2)
    out.heights.update(dict.fromkeys((row, row + 1), 30))
    by = format_date(d.reply_by) if d.reply_by else "回复期限"
    out.put(row + 3, 1, f"说明：请逐项填写目前进展和整改措施，于{by}前将本表（Excel 文件，勿改文件格式）"
                        "报回督查办，纸质件由单位负责人签字并加盖公章后另行报送。", "note", span=5)
    out.heights[row + 3] = 45
    return out


def _ident(d: DubanRecord) -> list[tuple[str, str]]:
    """Return the hidden sheet's rows: what the form answers."""
    values = (KIND, d.doc_no, d.unit, d.period, d.reply_by.isoformat() if d.reply_by else "")
    return [(k, _clean(v)) for k, v in zip(ID_KEYS, values, strict=True)]


def _validations(layout: _Layout) -> list[Any]:
    """Return the 是/否 drop-down of the 是否已完成 cells and the date check of 回复日期."""
    from openpyxl.worksheet.datavalidation import DataValidation

    year = layout.year
    epoch = dt.date(1899, 12, 30)
    done = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                          errorTitle="是否已完成", error="请从下拉列表中选择“是”或“否”。",
                          sqref=" ".join(layout.choices))
    when = DataValidation(type="date", operator="between", formula1=str((dt.date(year, 1, 1) - epoch).days),
                          formula2=str((dt.date(year + 1, 12, 31) - epoch).days),
                          allow_blank=True, showInputMessage=True, showErrorMessage=True,
                          promptTitle=LABEL_DATE, prompt=f"请按 {year}-7-12 或 {year}年7月12日 的格式填写。",
                          errorTitle="日期有误", error=f"请输入日期，格式如 {year}-7-12。", sqref=layout.date_cell)
    return [done, when] if layout.choices else [when]


# ---------------------------------------------------------------- the forms of a batch


class ReplyForms:
    """Writes the 督办回复单 of a batch, all from one template rendered by openpyxl."""

    def __init__(self, config: Config, when: dt.datetime) -> None:
        wb = reply_workbook(_PROTOTYPE, config)
        self.parts = workbook_parts(wb, when)  # every part of the package, in openpyxl's order
        self.when = when
        main, ident = wb[SHEET], wb[SHEET_ID]
        self.names = (main.path[1:], ident.path[1:], "docProps/core.xml")
        got = dict(self.parts)
        self.styles = _style_ids(main, _layout(_PROTOTYPE))
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
        from openpyxl.worksheet.datavalidation import DataValidationList
        from openpyxl.xml.functions import tostring

        layout = _layout(d)
        head, views, protection, between, tail = self.sheet
        merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in layout.merges)
        checks = tostring(DataValidationList(dataValidation=_validations(layout)).to_tree()).decode()
        last = max(row for row, *_ in layout.cells)
        main = (f'{head}<dimension ref="A1:{COLUMNS[-1]}{last}"/>{views}'
                f"<sheetData>{_rows(layout.cells, layout.heights, self.styles)}</sheetData>{protection}"
                f'<mergeCells count="{len(layout.merges)}">{merges}</mergeCells>{between}{checks}{tail}')
        cells = [(r, c, v, "") for r, row in enumerate(_ident(d), start=1) for c, v in enumerate(row, start=1)]
        head, views, tail = self.ident
        ident = (f'{head}<dimension ref="A1:B{len(ID_KEYS)}"/>{views}'
                 f"<sheetData>{_rows(cells, {}, {})}</sheetData>{tail}")
        title = escape(d.doc_no + "回复单", quote=False)
        core = _TITLE.sub(lambda m: f"{m[1]}{title}{m[2]}", self.core, count=1)
        return main.encode("utf-8"), ident.encode("utf-8"), core.encode("utf-8")


_SHEET_XML = re.compile(r'(.*?)<dimension ref="[^"]*"/>(.*?)<sheetData>.*</sheetData>(.*?)'
                        r"<mergeCells\b.*</mergeCells>(.*?)<dataValidations\b.*</dataValidations>(.*)", re.S)
_IDENT_XML = re.compile(r'(.*?)<dimension ref="[^"]*"/>(.*?)<sheetData>.*</sheetData>(.*)', re.S)
_TITLE = re.compile(r"(<dc:title\b[^>]*>).*?(</dc:title>)", re.S)


def _split(pattern: re.Pattern[str], xml: bytes) -> tuple[str, ...]:
    """Return the parts of a template sheet's XML around what each form writes itself."""
    found = pattern.fullmatch(xml.decode("utf-8"))
    if found is None:
        raise RuntimeError("回复单模板的工作表结构与预期不符")
    return found.groups()


def _style_ids(ws: Any, layout: _Layout) -> dict[str, int]:
    """Return the style index each role's cells got in the template sheet `ws`."""
    ids: dict[str, set[int]] = {}
    for row, col, _value, role in layout.cells:
        ids.setdefault(role, set()).add(ws.cell(row, col).style_id)
    if any(len(found) != 1 for found in ids.values()):
        raise RuntimeError(f"回复单模板中同一类单元格的样式不一致：{ids}")
    return {role: found.pop() for role, found in ids.items()}


def _rows(cells: list[tuple[int, int, Any, str]], heights: dict[int, float], styles: dict[str, int]) -> str:
    """Return the <row> elements of `cells` (written as openpyxl writes them)."""
    rows: dict[int, list[str]] = {row: [] for row in heights}
    for row, col, value, role in sorted(cells, key=lambda c: (c[0], c[1])):
        rows.setdefault(row, []).append(_cell(f"{COLUMNS[col - 1]}{row}", value, styles.get(role)))
    out = []
    for row in sorted(rows):
        height = f' ht="{heights[row]:g}" customHeight="1"' if row in heights else ""
        out.append(f'<row r="{row}"{height}>{"".join(rows[row])}</row>')
    return "".join(out)


def _cell(ref: str, value: Any, style: int | None) -> str:
    s = "" if style is None else f' s="{style}"'
    if value is None:
        return f'<c r="{ref}"{s} t="n"/>'
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}"{s} t="inlineStr"/>'
        space = ' xml:space="preserve"' if value.strip() != value else ""
        text = escape(value, quote=False).replace("\r", "&#13;")  # a parser reads a bare CR as a LF
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    return f'<c r="{ref}"{s} t="n"><v>{value}</v></c>'


# ---------------------------------------------------------------- the workbook, by openpyxl


def _role_styles(config: Config) -> dict[str, dict[str, Any]]:
    """Return each role's style (font, border, alignment, protection, number format)."""
    from openpyxl.styles import Alignment, Border, Font, Protection, Side

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
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    layout = _layout(d)
    styles = _role_styles(config)
    for row, col, value, role in layout.cells:
        if role in EDGES:
            continue  # merging gives them the edges of the merged cell
        cell = ws.cell(row, col)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text, even one starting with "="
        for name, style in styles[role].items():
            setattr(cell, name, style)
    for ref in layout.merges:
        ws.merge_cells(ref)
    for row, height in layout.heights.items():
        ws.row_dimensions[row].height = height
    for letter, width in zip(COLUMNS, WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    for dv in _validations(layout):
        ws.add_data_validation(dv)
    print_a4(ws, landscape=True, centered=True)
    number_pages(ws)
    ident = wb.create_sheet(SHEET_ID)
    for row_values in _ident(d):
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
