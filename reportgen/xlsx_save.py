"""Saving an openpyxl workbook with the cells of each sheet written as text.

openpyxl writes every cell through lxml's incremental writer, element by element: most of the
time of saving a 12,000-row 汇总表. `save_workbook` lets openpyxl write everything else (styles,
print settings, merges, charts, the package) and writes each sheet's cell table itself, as the
XML openpyxl writes (inline strings, the same style indices in the same order, the same row
attributes), in UTF-8 where openpyxl writes character references. A sheet holding something
written here is not (a comment, a hyperlink, rich text, an array formula) is left to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.extended import ExtendedProperties
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils.datetime import to_excel, to_ISO8601
from openpyxl.workbook._writer import WorkbookWriter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.constants import (
    ARC_APP,
    ARC_CORE,
    ARC_ROOT_RELS,
    ARC_STYLE,
    ARC_THEME,
    ARC_WORKBOOK,
    ARC_WORKBOOK_RELS,
)
from openpyxl.xml.functions import Element, tostring

from reportgen.xlsx_cells import LETTERS, cell_element, number_text, plain_cell, xml_text

_PLACEHOLDER = b"<sheetData/>"
_STYLE_TABLES = ("_cell_styles", "_fonts", "_fills", "_borders", "_alignments", "_protections",
                 "_number_formats", "_named_styles", "_differential_styles", "_table_styles", "_colors")


class _Unsupported(Exception):
    """A cell this writer leaves to openpyxl."""


def _number(value: Any) -> str:
    if type(value) is float or type(value) is int:
        return number_text(value)
    return xml_text(safe_string(value))


def _content(cell: Any, wb: Workbook) -> tuple[str, str]:
    """The cell's type attribute and what goes inside its element."""
    kind, value = cell.data_type, cell._value
    if kind == "s":
        if value is None or value == "":
            return ' t="inlineStr"', ""
        raise _Unsupported  # rich text (plain text is written by plain_cell)
    if kind == "f":
        if value is None or value == "":
            return "", ""
        if type(value) is not str:
            raise _Unsupported  # array or data-table formula
        return "", f"<f>{xml_text(value[1:])}</f><v></v>"
    if kind == "d":
        if value is None or getattr(value, "tzinfo", None) is not None:
            raise _Unsupported  # openpyxl refuses a time zone, and says why
        if wb.iso_dates and not hasattr(value, "total_seconds"):
            return ' t="d"', f"<v>{to_ISO8601(value)}</v>"
        return ' t="n"', f"<v>{_number(to_excel(value, wb.epoch))}</v>"
    if value is None or value == "":
        return f' t="{kind}"', ""
    return f' t="{kind}"', f"<v>{_number(value)}</v>"


def _rows(ws: Worksheet) -> list[tuple[int, list[Any]]]:
    """Rows with their cells in column order, and rows that only have a height or a style."""
    rows: dict[int, list[Any]] = defaultdict(list)
    for (row, _col), cell in sorted(ws._cells.items()):
        rows[row].append(cell)
    for row in ws.row_dimensions.keys() - rows.keys():
        rows[row] = []
    return sorted(rows.items())


def _row_key(dim: RowDimension) -> tuple[Any, ...]:
    """What decides a row's attributes (the row gets a style, as openpyxl's writer gives it)."""
    if dim._style is None:
        dim._style = StyleArray()
    return (dim.hidden, dim.outlineLevel, dim.collapsed, dim.ht, dim.thickBot, dim.thickTop,
            *dim._style)


def _style_attr(style: StyleArray | None, seen: dict[tuple[int, ...], str], table: Any) -> str:
    """A cell's s="…" attribute ("" for no style), the style added to `table` as openpyxl adds it."""
    if style is None:
        return ""
    key = tuple(style)
    found = seen.get(key)
    if found is None:
        found = seen[key] = f' s="{table.add(style)}"' if any(key) else ""
    return found


def sheet_data(ws: Worksheet) -> str:
    """The sheet's <sheetData> element as openpyxl writes it; raises _Unsupported for a cell
    that needs openpyxl's own writer."""
    wb = ws.parent
    cell_styles = wb._cell_styles
    styles: dict[tuple[int, ...], str] = {}  # a style's attribute, looked up once per style
    row_tags: dict[tuple[Any, ...], str] = {}  # a row's attributes after r, made once per kind
    dims = ws.row_dimensions
    out = ["<sheetData>"]
    for r, cells in _rows(ws):
        dim = dims.get(r)
        if dim is None:
            out.append(f'<row r="{r}">')
        else:
            key = _row_key(dim)
            tag = row_tags.get(key)
            if tag is None:  # as openpyxl: iterating the row's fields adds its style
                tag = row_tags[key] = "".join(f' {k}="{v}"' for k, v in dim)
            out.append(f'<row r="{r}"{tag}>')
        for cell in cells:
            if cell._comment is not None or (type(cell) is Cell and cell._hyperlink is not None):
                raise _Unsupported
            s = _style_attr(cell._style, styles, cell_styles)
            value = cell._value
            if value is None and not s:
                continue
            if type(value) is str and cell.data_type == "s":  # most cells: text
                out.append(plain_cell(f"{LETTERS[cell.column]}{r}", s, value))
                continue
            kind, inner = _content(cell, wb)
            out.append(cell_element(f"{LETTERS[cell.column]}{r}", s, kind, inner))
        out.append("</row>")
    out.append("</sheetData>")
    return "".join(out)


class _SheetWriter(WorksheetWriter):
    """openpyxl's sheet writer with the cell table written by `sheet_data`."""

    def __init__(self, ws: Worksheet) -> None:
        super().__init__(ws, out=io.BytesIO())
        self.cells: str | None = None

    def write_rows(self) -> None:
        try:
            self.cells = sheet_data(self.ws)
        except _Unsupported:
            super().write_rows()
            return
        self.xf.send(Element("sheetData"))

    def xml(self) -> bytes:
        data: bytes = self.read()
        if self.cells is None:
            return data
        head, found, tail = data.partition(_PLACEHOLDER)
        if not found:
            raise AssertionError("the sheet's cell table was not written")
        return head + self.cells.encode("utf-8") + tail


class _SharedWorkbook(Workbook):
    """A workbook whose style tables SharedStyles sets as soon as it is made: openpyxl's own
    default tables (most of the cost of a new Workbook) are not built."""

    def _setup_styles(self) -> None:
        self._date_formats: dict[int, Any] = {}
        self._timedelta_formats: dict[int, Any] = {}


class SharedStyles:
    """Style tables shared by many small workbooks, and their styles part, written once.

    The workbooks `workbook` makes use these very tables: a style added through one is there
    for all at the same index, so the styles part written for one serves all of them for as
    long as no table has grown (openpyxl would write the same part for each, at some cost)."""

    def __init__(self, proto: Workbook) -> None:
        self._tables = {name: getattr(proto, name) for name in _STYLE_TABLES}
        self._sizes: tuple[int, ...] = ()
        self._part = b""

    def workbook(self) -> Workbook:
        """Return a new workbook with the shared style tables."""
        wb = _SharedWorkbook()
        for name, table in self._tables.items():
            setattr(wb, name, table)
        return wb

    def part(self, wb: Workbook) -> bytes:
        """The styles part of `wb`, written once while the shared tables stay as they are."""
        if any(getattr(wb, name) is not table for name, table in self._tables.items()):
            return tostring(write_stylesheet(wb))  # not one of ours
        sizes = (*(len(self._tables[name]) for name in _STYLE_TABLES[:8]),
                 len(wb._differential_styles.styles))
        if sizes != self._sizes:
            self._part, self._sizes = tostring(write_stylesheet(wb)), sizes
        return self._part


class _Writer(ExcelWriter):
    def __init__(self, wb: Workbook, archive: zipfile.ZipFile, styles: SharedStyles | None = None) -> None:
        super().__init__(wb, archive)
        self.styles = styles

    def write_data(self) -> None:
        """openpyxl's ExcelWriter.write_data, the styles part taken from `styles` when given."""
        wb, archive = self.workbook, self._archive
        if self.styles is None or wb.loaded_theme or len(wb.custom_doc_props) or wb.vba_archive:
            super().write_data()
            return
        archive.writestr(ARC_APP, tostring(ExtendedProperties().to_tree()))
        archive.writestr(ARC_CORE, tostring(wb.properties.to_tree()))
        archive.writestr(ARC_THEME, theme_xml)
        self._write_worksheets()
        self._write_chartsheets()
        self._write_images()
        self._write_charts()
        self._write_external_links()
        archive.writestr(ARC_STYLE, self.styles.part(wb))
        writer = WorkbookWriter(wb)
        archive.writestr(ARC_ROOT_RELS, writer.write_root_rels())
        archive.writestr(ARC_WORKBOOK, writer.write())
        archive.writestr(ARC_WORKBOOK_RELS, writer.write_rels())
        self.manifest._write(archive, wb)

    def write_worksheet(self, ws: Worksheet) -> None:
        if self.workbook.write_only:
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.xml())
        self.manifest.append(ws)


def save_workbook(wb: Workbook, target: Path | str | IO[bytes], styles: SharedStyles | None = None) -> None:
    """Save `wb` to `target` (a path or a binary file), as openpyxl's `Workbook.save` does;
    `styles`: the shared style tables `wb` was made with."""
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        _Writer(wb, archive, styles).write_data()
