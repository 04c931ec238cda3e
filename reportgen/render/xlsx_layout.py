"""Lay out a rendered workbook for print the way a clerk would by hand.

Neither Excel nor LibreOffice applies Chinese line-breaking rules in a cell (LibreOffice starts a
line with 、, both leave the last character of a name alone on a line), neither fits a row to its
wrapped text when it opens a file, and both may leave the last page of a sheet holding nothing but
the repeated title and header above a note. So, after rendering:

- the text of every wrapping cell is broken into lines by Chinese rules (reportgen.textlines:
  避头尾, a 发文字号 or a name kept whole, no character alone on a last line), measured for the
  narrowest of the applications that print the file;
- each row gets a height that shows all its lines (rows are never made lower than the template's);
- each printed page ends at a break set here, so every application breaks where this module
  measured, and the last page of a table keeps at least its last rows with the total and the note;
  a page that starts inside a project names it again (“名称（续）”);
- a column of 发文字号 is widened to its longest 文号 (taken from the widest column without one), so
  a 文号 of three or four digits is not broken either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from reportgen.pages import paginate
from reportgen.textlines import (
    CELL_PAD_PT,
    DOC_NO,
    NO_LINE_START,
    UNIT_PT,
    break_text,
    ems,
    lines_height,
)


@dataclass
class _Span:
    """Where a cell's text is set: its width in units and the rows it covers."""

    width: float
    rows: int


def _column_units(ws: Worksheet, col: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(col))
    if dim is not None and dim.hidden:
        return 0.0
    return float(dim.width) if dim is not None and dim.width else 8.43


def _spans(ws: Worksheet) -> dict[tuple[int, int], _Span]:
    spans = {}
    for rng in ws.merged_cells.ranges:
        width = sum(_column_units(ws, c) for c in range(rng.min_col, rng.max_col + 1))
        spans[(rng.min_row, rng.min_col)] = _Span(width, rng.max_row - rng.min_row + 1)
    return spans


def lay_out_text(ws: Worksheet, skip_rows: frozenset[int] = frozenset()) -> None:
    """Break every wrapping cell's text (but in `skip_rows`) into lines and make its row tall
    enough to show them."""
    spans = _spans(ws)
    need: dict[int, float] = {}
    # a cell's font size and wrapping from its style's indices (cell.font and cell.alignment
    # build a proxy object on every access: most of the time of a city's 汇总表)
    fonts, alignments = ws.parent._fonts, ws.parent._alignments
    columns: dict[int, _Span] = {}
    for cell in list(ws._cells.values()):
        if isinstance(cell, MergedCell) or cell._value is None or cell.row in skip_rows:
            continue
        style = cell._style  # None: the workbook's first font and alignment
        size = float(fonts[style.fontId if style is not None else 0].sz or 11)
        lines = 1
        if cell.data_type == "s" and isinstance(cell._value, str) \
                and alignments[style.alignmentId if style is not None else 0].wrap_text:
            span = spans.get((cell.row, cell.column)) or columns.get(cell.column)
            if span is None:
                span = columns[cell.column] = _Span(_column_units(ws, cell.column), 1)
            if span.width <= 0:
                continue
            text = break_text(cell._value, span.width * UNIT_PT - CELL_PAD_PT, size)
            if text != cell._value:
                cell._value = text  # stays text: assigning .value would make "=…" a formula
            lines = text.count("\n") + 1
            if span.rows > 1:
                continue
        need[cell.row] = max(need.get(cell.row, 0.0), lines_height(lines, size))
    for r, height in need.items():
        dim = ws.row_dimensions[r]
        if dim.height is None or dim.height < height:
            dim.height = min(math.ceil(height), 409)


def fit_doc_numbers(ws: Worksheet, header: int) -> None:
    """Widen each column whose text holds a 发文字号 so its longest (with the punctuation after
    it) fits on one line, taking the width from the widest column that holds none, so the sheet
    prints as wide as before: a 文号 is never broken, however many digits the year's numbering
    reaches (a city's 督办 run to four). The giving column keeps at least three quarters of its
    width; past that the 文号 breaks between 机关代字 and 〔年份〕 as before."""
    need: dict[int, float] = {}
    fonts = ws.parent._fonts
    for cell in ws._cells.values():
        v = cell._value
        if type(v) is not str or "〔" not in v or cell.row <= header or isinstance(cell, MergedCell):
            continue
        size = float(fonts[cell._style.fontId if cell._style is not None else 0].sz or 11)
        for m in DOC_NO.finditer(v.replace("\n", "")):
            end = m.end()
            while end < len(m.string) and m.string[end] in NO_LINE_START:
                end += 1
            width = (size * ems(m.string[m.start():end]) + CELL_PAD_PT) / UNIT_PT
            need[cell.column] = max(need.get(cell.column, 0.0), math.ceil(width * 10) / 10)
    widths = {c: _column_units(ws, c) for c in range(1, ws.max_column + 1)}
    short = {c: units - widths[c] for c, units in need.items() if units > widths[c] > 0}
    donor = max((c for c in widths if c not in need), key=lambda c: widths[c], default=0)
    if not short or not donor:
        return
    spare = widths[donor] / 4
    for c, more in sorted(short.items()):
        more = min(more, spare)
        spare -= more
        ws.column_dimensions[get_column_letter(c)].width = round(widths[c] + more, 1)
        widths[donor] -= more
    ws.column_dimensions[get_column_letter(donor)].width = round(widths[donor], 1)


class _Continued:
    """A project's name, followed by （续）, on the first row of a page that starts inside the
    project: the row left blank under its 序号 and 名称 (the 名称 column is the one whose header,
    the last title row, says 名称, else 文号: a 督办通知's further nodes, else 责任单位: a unit's further
    projects in the 未报送清单), so every printed page names its projects."""

    def __init__(self, ws: Worksheet, header: int) -> None:
        self.ws = ws
        self.first = header + 1
        heads = [str(ws.cell(header, c).value or "") if header else "" for c in range(1, ws.max_column + 1)]
        self.col = next((c for word in ("名称", "文号", "责任单位") for c, head in enumerate(heads, start=1)
                         if c > 1 and word in head), 0)
        self.found: dict[int, tuple[str, float]] = {}  # row -> (text, height) as printed

    def _name(self, r: int) -> str | None:
        """The name of the project whose further row `r` is (None when it is not one)."""
        ws, col = self.ws, self.col
        cell = ws._cells.get((r, col))
        if not col or r <= self.first or isinstance(cell, MergedCell) or _filled(ws, r, 1) \
                or (cell is not None and cell._value not in (None, "")):
            return None
        for g in range(r - 1, self.first - 1, -1):
            if _filled(ws, g, 1):
                name = ws._cells.get((g, col))
                value = name._value if name is not None else None
                return value.replace("\n", "") + "（续）" if isinstance(value, str) and value else None
        return None

    def __call__(self, r: int) -> float | None:
        """The height row `r` needs to show its project's name when a page starts with it."""
        name = self._name(r)
        if name is None:
            return None
        ws = self.ws
        fonts = ws.parent._fonts
        style = ws.cell(r, 1)._style  # the row's font: the 名称 cell may not exist yet
        named = ws._cells.get((r, self.col))
        if named is not None and named._style is not None:
            style = named._style
        size = float(fonts[style.fontId if style is not None else 0].sz or 11)
        text = break_text(name, _column_units(ws, self.col) * UNIT_PT - CELL_PAD_PT, size)
        height = max(_height(ws, r), math.ceil(lines_height(text.count("\n") + 1, size)))
        self.found[r] = (text, float(min(height, 409)))
        return self.found[r][1]

    def write(self, starts: list[int]) -> None:
        """Name the project on each row in `starts` that continues one."""
        for r in starts:
            if r in self.found or self(r) is not None:  # the last page may start earlier
                text, height = self.found[r]
                cell = self.ws.cell(r, self.col)
                cell._value, cell.data_type = text, "s"
                self.ws.row_dimensions[r].height = height


def _filled(ws: Worksheet, r: int, c: int) -> bool:
    cell = ws._cells.get((r, c))
    return cell is not None and cell._value not in (None, "")


def _height(ws: Worksheet, r: int) -> float:
    dim = ws.row_dimensions.get(r)
    return float(dim.height) if dim is not None and dim.height else 15.0


def lay_out(book: Workbook) -> None:
    """Lay out every sheet of a rendered workbook for print (text lines, row heights, pages)."""
    for ws in book.worksheets:
        titles = ws.print_title_rows or ""
        header = int(titles.replace("$", "").rpartition(":")[2] or 0) if titles else 0  # the last title row
        if header and any("文号" in str(ws.cell(header, c).value or "") for c in range(1, ws.max_column + 1)):
            fit_doc_numbers(ws, header)  # a sheet that lists 文号 (督办台账, 发文登记)
        lay_out_text(ws)
        continued = _Continued(ws, header)
        starts = paginate(ws, keep_groups=True, restart=continued if continued.col else None)
        continued.write(starts)
