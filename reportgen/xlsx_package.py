"""A workbook written as a package from plain data, without openpyxl.

`check` writes its 校验报告 and 校验反馈 with this: importing openpyxl (and numpy, which it loads)
took as long as reading a district's forms. The parts are written as openpyxl writes them for the
same workbook: the theme openpyxl puts in every workbook (xlsx_theme.xml, made by
tools/make_xlsx_theme.py), its document properties, workbook and relationship parts, a styles part
of the given cell styles, and each sheet's XML with its cells as `xlsx_cells` writes them (inline
strings), column widths, row heights, merges, a frozen header, a filter, print titles and area,
A4 fitted to one page wide, margins, a footer and page breaks.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from reportgen.xlsx_cells import LETTERS, number_text, plain_cell, xml_text

THEME_PATH = Path(__file__).with_name("xlsx_theme.xml")
# zip records: local header, central directory entry, end of central directory
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_MADE_BY = 3 << 8 | 20  # Unix, zip 2.0: as zipfile writes
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument"
_DEFAULT_FONT = ('<font><name val="Calibri"/><family val="2"/><color theme="1"/><sz val="11"/>'
                 '<scheme val="minor"/></font>')
_APP = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel Compatible / Openpyxl 3.1.5</Application><AppVersion>3.1</AppVersion>"
        "</Properties>")
_REF = re.compile(r"([A-Z]*)(\d*)")

Value = str | int | float | None


@dataclass(frozen=True)
class CellStyle:
    """A cell's look: font, a solid fill (RGB), a thin border of one colour on all four sides, and
    its alignment (a style with none of horizontal, vertical and wrap has no alignment)."""

    font: str
    size: float
    bold: bool = False
    fill: str | None = None
    border: str | None = None
    horizontal: str | None = None
    vertical: str | None = None
    wrap: bool = False


@dataclass
class Sheet:
    """A worksheet printed on A4, its width fitted to one page: cells by (row, column) holding a
    value and the index of its style (0: the workbook's default, i: the i-th style given to
    `write_package`), column widths from column A on, row heights in points, merged ranges (top
    row, left column, bottom row, right column), rows
    frozen above the scrolled ones, a filter range, print title rows ("3:3"), a print area, the
    rows after which a page ends, margins in inches, and the text in the middle of the footer."""

    title: str
    widths: list[float]
    cells: dict[tuple[int, int], tuple[Value, int]] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    frozen_rows: int = 0
    auto_filter: str = ""
    print_titles: str = ""
    print_area: str = ""
    row_breaks: list[int] = field(default_factory=list)
    landscape: bool = True
    centered: bool = False
    margins: tuple[float, float, float, float, float, float] = (0.75, 0.75, 1, 1, 0.5, 0.5)
    footer: str = ""

    def put(self, row: int, col: int, value: Value, style: int = 0) -> None:
        """Set the cell at `row`, `col`."""
        self.cells[(row, col)] = (value, style)

    def max_column(self) -> int:
        """The last column holding a cell (as openpyxl's max_column; 1 for an empty sheet)."""
        return max((c for _r, c in self.cells), default=1)


def _attr(s: str) -> str:
    return xml_text(s).replace('"', "&quot;")


def _num(value: float) -> str:
    return number_text(value)


# ---------------------------------------------------------------- styles


def _font(style: CellStyle) -> str:
    bold = '<b val="1"/>' if style.bold else ""
    return f'<font><name val="{_attr(style.font)}"/>{bold}<sz val="{_num(style.size)}"/></font>'


def _fill(rgb: str) -> str:
    return f'<fill><patternFill patternType="solid"><fgColor rgb="00{rgb}"/></patternFill></fill>'


def _border(rgb: str) -> str:
    sides = "".join(f'<{side} style="thin"><color rgb="00{rgb}"/></{side}>'
                    for side in ("left", "right", "top", "bottom"))
    return f"<border>{sides}<diagonal/></border>"


def _xf(style: CellStyle, font: int, fill: int, border: int) -> str:
    ids = f'numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}"'
    if not (style.horizontal or style.vertical or style.wrap):
        return f'<xf {ids} pivotButton="0" quotePrefix="0" xfId="0"/>'
    how = "".join(f' {name}="{value}"' for name, value in (("horizontal", style.horizontal),
                                                             ("vertical", style.vertical)) if value)
    wrap = ' wrapText="1"' if style.wrap else ""
    return (f'<xf {ids} applyAlignment="1" pivotButton="0" quotePrefix="0" xfId="0">'
            f"<alignment{how}{wrap}/></xf>")


def stylesheet(styles: Sequence[CellStyle]) -> bytes:
    """The styles part of a workbook whose cells use `styles` (style i is cell style i + 1; 0 is
    the default), fonts, fills and borders listed once each in the order of first use, as
    openpyxl lists them."""
    fonts, fills, borders = [_DEFAULT_FONT], ["<fill><patternFill/></fill>",
                                              '<fill><patternFill patternType="gray125"/></fill>'], \
        ["<border><left/><right/><top/><bottom/><diagonal/></border>"]

    def index(table: list[str], part: str) -> int:
        if part not in table:
            table.append(part)
        return table.index(part)

    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0"/>']
    for style in styles:
        xfs.append(_xf(style, index(fonts, _font(style)),
                       index(fills, _fill(style.fill)) if style.fill else 0,
                       index(borders, _border(style.border)) if style.border else 0))
    return (f'<styleSheet xmlns="{MAIN_NS}">'
            f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
            f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
            f'<borders count="{len(borders)}">{"".join(borders)}</borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0"/></cellStyles>'
            '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            "</styleSheet>").encode()


# ---------------------------------------------------------------- one sheet


def _dimension(sheet: Sheet) -> str:
    if not sheet.cells:
        return "A1:A1"
    rows = [r for r, _c in sheet.cells]
    cols = [c for _r, c in sheet.cells]
    return f"{LETTERS[min(cols)]}{min(rows)}:{LETTERS[max(cols)]}{max(rows)}"


def _view(sheet: Sheet) -> str:
    if not sheet.frozen_rows:
        return '<sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1"/></sheetView>'
    top = sheet.frozen_rows + 1
    return (f'<sheetView workbookViewId="0"><pane ySplit="{sheet.frozen_rows}" topLeftCell="A{top}" '
            'activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/></sheetView>')


def _rows(sheet: Sheet) -> str:
    """The <sheetData> element: each row with its height (if set) and its cells in column order."""
    by_row: dict[int, list[tuple[int, Value, int]]] = {r: [] for r in sheet.heights}
    for (r, c), (value, style) in sheet.cells.items():
        by_row.setdefault(r, []).append((c, value, style))
    out = ["<sheetData>"]
    for r in sorted(by_row):
        height = sheet.heights.get(r)
        out.append(f'<row r="{r}"' + (f' ht="{_num(height)}" customHeight="1">' if height is not None else ">"))
        for c, value, style in sorted(by_row[r], key=lambda cell: cell[0]):
            if value is None and not style:
                continue
            out.append(plain_cell(f"{LETTERS[c]}{r}", f' s="{style}"' if style else "", value))
        out.append("</row>")
    out.append("</sheetData>")
    return "".join(out)


def _print_setup(sheet: Sheet) -> str:
    left, right, top, bottom, header, footer = (_num(m) for m in sheet.margins)
    out = ['<printOptions horizontalCentered="1"/>' if sheet.centered else "",
           f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="{header}" '
           f'footer="{footer}"/>',
           f'<pageSetup orientation="{"landscape" if sheet.landscape else "portrait"}" paperSize="9" '
           'fitToHeight="0" fitToWidth="1"/>']
    if sheet.footer:
        out.append(f"<headerFooter><oddFooter>{xml_text(sheet.footer)}</oddFooter></headerFooter>")
    if sheet.row_breaks:
        breaks = "".join(f'<brk id="{r}" min="0" max="16383" man="1"/>' for r in sheet.row_breaks)
        out.append(f'<rowBreaks count="{len(sheet.row_breaks)}" manualBreakCount="{len(sheet.row_breaks)}">'
                   f"{breaks}</rowBreaks>")
    return "".join(out)


def sheet_xml(sheet: Sheet) -> bytes:
    """The worksheet part of `sheet`."""
    cols = "".join(f'<col width="{_num(w)}" customWidth="1" min="{c}" max="{c}"/>'
                   for c, w in enumerate(sheet.widths, start=1))
    merges = "".join(f'<mergeCell ref="{LETTERS[left]}{top}:{LETTERS[right]}{bottom}"/>'
                     for top, left, bottom, right in sheet.merges)
    return "".join([
        f'<worksheet xmlns="{MAIN_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
        f'<pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="{_dimension(sheet)}"/>',
        f"<sheetViews>{_view(sheet)}</sheetViews>",
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>" if cols else "",
        _rows(sheet),
        f'<autoFilter ref="{sheet.auto_filter}"/>' if sheet.auto_filter else "",
        f'<mergeCells count="{len(sheet.merges)}">{merges}</mergeCells>' if merges else "",
        _print_setup(sheet),
        "</worksheet>",
    ]).encode("utf-8")


# ---------------------------------------------------------------- the package


def _absolute(ref: str) -> str:
    """`ref` ("A3:H17", "3:3") with every column and row made absolute ("$A$3:$H$17", "$3:$3")."""
    return ":".join("".join(f"${part}" for part in _REF.fullmatch(end).groups() if part)  # type: ignore[union-attr]
                    for end in ref.split(":"))


def _defined_names(sheets: Sequence[Sheet]) -> str:
    names = []
    for n, sheet in enumerate(sheets):
        quoted = "'" + sheet.title.replace("'", "''") + "'!"
        for name, ref, hidden in (("_xlnm._FilterDatabase", sheet.auto_filter, ' hidden="1"'),
                                  ("_xlnm.Print_Titles", sheet.print_titles, ""),
                                  ("_xlnm.Print_Area", sheet.print_area, "")):
            if ref:
                names.append(f'<definedName name="{name}" localSheetId="{n}"{hidden}>'
                             f"{xml_text(quoted + _absolute(ref))}</definedName>")
    return f"<definedNames>{''.join(names)}</definedNames>" if names else ""


def _workbook(sheets: Sequence[Sheet]) -> bytes:
    listed = "".join(f'<sheet name="{_attr(s.title)}" sheetId="{n}" state="visible" r:id="rId{n}"/>'
                     for n, s in enumerate(sheets, start=1))
    return (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr/>'
            '<bookViews><workbookView visibility="visible" minimized="0" showHorizontalScroll="1" '
            'showVerticalScroll="1" showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" '
            f'autoFilterDateGrouping="1"/></bookViews><sheets>{listed}</sheets>{_defined_names(sheets)}'
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>').encode()


def _relationships(targets: Sequence[tuple[str, str]]) -> bytes:
    rels = "".join(f'<Relationship Type="{kind}" Target="{target}" Id="rId{n}"/>'
                   for n, (kind, target) in enumerate(targets, start=1))
    return f'<Relationships xmlns="{PACKAGE_REL_NS}">{rels}</Relationships>'.encode()


def _content_types(count: int) -> bytes:
    overrides = [("/xl/styles.xml", f"{_OFFICE}.spreadsheetml.styles+xml"),
                 ("/xl/theme/theme1.xml", f"{_OFFICE}.theme+xml"),
                 ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
                 ("/docProps/app.xml", f"{_OFFICE}.extended-properties+xml"),
                 *((f"/xl/worksheets/sheet{n}.xml", f"{_OFFICE}.spreadsheetml.worksheet+xml")
                   for n in range(1, count + 1)),
                 ("/xl/workbook.xml", f"{_OFFICE}.spreadsheetml.sheet.main+xml")]
    return ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
            + "</Types>").encode()


def _core(when: dt.datetime) -> bytes:
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>openpyxl</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>").encode()


@functools.cache
def _theme() -> bytes:
    return THEME_PATH.read_bytes()


def write_package(target: Path | IO[bytes], sheets: Sequence[Sheet], styles: bytes,
                  when: dt.datetime | None = None) -> None:
    """Write the workbook of `sheets` to `target`; `styles`: its styles part (`stylesheet`)."""
    office = REL_NS
    parts = [
        ("[Content_Types].xml", _content_types(len(sheets))),
        ("_rels/.rels", _relationships([(f"{office}/officeDocument", "xl/workbook.xml"),
                                        (f"{PACKAGE_REL_NS}/metadata/core-properties", "docProps/core.xml"),
                                        (f"{office}/extended-properties", "docProps/app.xml")])),
        ("docProps/app.xml", _APP.encode()),
        ("docProps/core.xml", _core(when or dt.datetime.now(dt.UTC))),
        ("xl/workbook.xml", _workbook(sheets)),
        ("xl/_rels/workbook.xml.rels", _relationships(
            [*((f"{office}/worksheet", f"/xl/worksheets/sheet{n}.xml") for n in range(1, len(sheets) + 1)),
             (f"{office}/styles", "styles.xml"), (f"{office}/theme", "theme/theme1.xml")])),
        ("xl/styles.xml", styles),
        ("xl/theme/theme1.xml", _theme()),
        *((f"xl/worksheets/sheet{n}.xml", sheet_xml(s)) for n, s in enumerate(sheets, start=1)),
    ]
    # what is the same in every workbook of a batch (not the sheets, nor core.xml's time) is deflated once
    own = ("xl/worksheets/", "docProps/core.xml")
    blob = _zip([(name, _deflate(data) if name.startswith(own) else _deflated(data), len(data))
                 for name, data in parts])
    if isinstance(target, Path):
        target.write_bytes(blob)
    else:
        target.write(blob)


def _deflate(data: bytes) -> tuple[int, bytes]:
    """Return the CRC-32 of `data` and `data` deflated as zipfile deflates it (level 6, raw)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return zlib.crc32(data), packer.compress(data) + packer.flush()


@functools.lru_cache(maxsize=32)  # pure: theme, styles and relationships recur in every 校验反馈
def _deflated(data: bytes) -> tuple[int, bytes]:
    return _deflate(data)


def _zip(members: list[tuple[str, tuple[int, bytes], int]]) -> bytes:
    """Return a zip of (name, (CRC-32, deflated bytes), size) members. Written here rather than by
    zipfile: its per-member work was a third of writing two hundred 校验反馈, and parts shared by
    every workbook are deflated once."""
    stamp = dt.datetime.now()
    time = stamp.hour << 11 | stamp.minute << 5 | stamp.second // 2
    date = (stamp.year - 1980) << 9 | stamp.month << 5 | stamp.day
    out: list[bytes] = []
    directory: list[bytes] = []
    at = 0
    for name, (crc, packed), size in members:
        raw = name.encode()
        fields = (20, 0, zipfile.ZIP_DEFLATED, time, date, crc, len(packed), size, len(raw))
        out += (_LOCAL.pack(b"PK\x03\x04", *fields, 0), raw, packed)
        directory += (_CENTRAL.pack(b"PK\x01\x02", _MADE_BY, *fields, 0, 0, 0, 0, 0o600 << 16, at), raw)
        at += _LOCAL.size + len(raw) + len(packed)
    table = b"".join(directory)
    return b"".join((*out, table, _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(table), at, 0)))
