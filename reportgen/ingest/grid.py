"""A workbook as grids of values, loaded sheet by sheet with python-calamine.

For .xlsx the worksheet XML is looked at first (DTDs refused, cells far outside any form
dropped before calamine would allocate them) and kept for what calamine does not tell:
formula cells with no saved result.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import io
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from reportgen.ingest.values import col_letter, ref_to_rc
from reportgen.model import Issue, Severity
from reportgen.safety import (
    Inspection,
    clip_cells,
    dtd_issue,
    far_cells,
    has_dtd,
    illegal_char_issue,
    members_of,
    parse_xml,
    raw_member,
    read_member,
    replace_member,
)

_CELL_WITH_BODY = re.compile(rb'<c\b([^>]*?)(?<!/)>(.*?)</c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_HAS_VALUE = re.compile(rb"<v>[^<]")
_FORMULA_TEXT = re.compile(rb"<f[^>]*>([^<]*)</f>")
_FORMULA_START = re.compile(rb"<f[ >]")  # one pass where two `in` tests took two
_CELL_TAG = re.compile(rb"<c\b([^>]*)>")
_HIDDEN_ROW = re.compile(rb'<row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_STYLE_ATTR = re.compile(rb'\bs="(\d+)"')
_ZERO_STYLE = re.compile(rb's="0+(\d+)"')
_SHEET_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?sheet[\s/>]")
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, escaped characters, [colours]
_PERCENT_IDS = frozenset({9, 10})
_DATE_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_STYLES = "xl/styles.xml"
_RELS = "xl/_rels/workbook.xml.rels"
_WORKBOOK = "xl/workbook.xml"
_STRINGS = "xl/sharedStrings.xml"

# sheet name -> worksheet part, per rels (compressed) and workbook.xml (its sheets): forms from
# one generator share them byte for byte, so a batch works the mapping out once
PartsCache = dict[tuple[bytes, ...], dict[str, str]]


@dataclass
class Sheet:
    """One worksheet's values as a list of rows, with merged ranges spread as people see them."""

    name: str
    rows: list[list[Any]]
    # formula cells with no saved result: looked up only when a cell we read comes back empty
    formulas: Callable[[], dict[tuple[int, int], str]] = dict
    # "percent" or "date" when a cell's number format shows it so (what calamine does not tell)
    number_format: Callable[[int, int], str] = lambda _r, _c: ""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    notes: set[int] = field(default_factory=set)  # rows that are one wide merged note
    hidden: set[int] = field(default_factory=set)  # rows hidden in Excel (xlsx only)
    reported: set[tuple[int, int]] = field(default_factory=set)  # formula cells already named
    _row_merges: dict[int, list[tuple[int, int, int, int]]] | None = None
    _formulas: dict[tuple[int, int], str] | None = None

    def get(self, r: int, c: int) -> Any:
        """Return the value at 0-based (r, c), "" outside the grid."""
        row = self.rows[r] if r < len(self.rows) else ()
        return row[c] if c < len(row) else ""

    def row_merges(self) -> dict[int, list[tuple[int, int, int, int]]]:
        """Return the merged ranges that lie within one row, by row (worked out once)."""
        if self._row_merges is None:
            self._row_merges = {}
            for m in self.merged:
                if m[0] == m[2]:
                    self._row_merges.setdefault(m[0], []).append(m)
        return self._row_merges

    def has_unsaved_formulas(self) -> bool:
        """Return True when some cell is a formula with no saved result (looked up once)."""
        if self._formulas is None:  # most sheets have none
            self._formulas = self.formulas()
        return bool(self._formulas)

    def unsaved_formula(self, r: int, c: int) -> str | None:
        """Return the formula of an empty cell that has no saved result, else None."""
        if not self.has_unsaved_formulas() or self.get(r, c) != "":
            return None
        return self._formulas.get((r, c)) if self._formulas else None


class Refused(Exception):
    """A part of the file, opened only now, must not be read at all."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


class Book:
    """Sheets of one workbook, loaded on first use."""

    def __init__(self, insp: Inspection, max_rows: int, parts_cache: PartsCache) -> None:
        self.wb = CalamineWorkbook.from_filelike(io.BytesIO(insp.payload))
        self.insp = insp
        self.max_rows = max_rows
        self.visible: list[str] = []
        self.names = list(self.wb.sheet_names)
        for meta in self.wb.sheets_metadata:
            if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
                self.visible.append(meta.name)
        self._cache: dict[str, Sheet] = {}
        self._formulas: dict[str, dict[tuple[int, int], str]] = {}
        self._xml_cache: dict[str, bytes] = {}
        self._part_names: dict[str, str] | None = None
        self._parts_cache = parts_cache
        self._format_kinds: list[str] | None = None  # per cellXfs index: "percent", "date" or ""
        self._cell_styles: dict[str, dict[tuple[int, int], int]] = {}
        self._column_tags: dict[tuple[str, int], dict[bytes, int]] = {}
        self._styled: dict[str, bool] = {}  # sheet -> may a cell be formatted as percent or date
        self._strings_checked = False
        self.issues: list[Issue] = []

    def release(self) -> None:
        """Let go of the sheets read: each refers back to its book (its formulas, its number
        formats), so the book and its sheets are freed at once rather than by the collector."""
        self._cache.clear()

    def sheet(self, name: str) -> Sheet:
        """Return the named sheet, read on first use."""
        if name in self._cache:
            return self._cache[name]
        if self.insp.kind == "xlsx":
            self._guard(name)
        cs = self.wb.get_sheet_by_name(name)
        rows = cs.to_python(skip_empty_area=False, nrows=self.max_rows + 1)
        truncated = self._truncated_rows(name)
        if len(rows) > self.max_rows or truncated:
            rows = rows[: self.max_rows]
            total = f"{truncated}行" if truncated else f"超过{self.max_rows}行"
            self.issues.append(
                Issue(
                    Severity.ERROR,
                    f"工作表有{total}，远超报送表应有的行数；只读取了前{self.max_rows}行，"
                    "请删除多余的行后重新报送",
                    "too_many_rows", sheet=name, cell=f"A{self.max_rows + 1}",
                )
            )
        sheet = Sheet(
            name, rows, functools.partial(self._formula_cells, name), functools.partial(self.number_format, name)
        )
        try:
            sheet.merged = [(a[0], a[1], b[0], b[1]) for a, b in cs.merged_cell_ranges or []]
        except Exception:  # merged ranges are unsupported for some formats
            sheet.merged = []
        fill_merged(sheet)
        if self.insp.kind == "xlsx":
            part = self.parts().get(name, "")
            sheet.hidden = _hidden_rows(self._xml(part) if part else b"")
        self._cache[name] = sheet
        return sheet

    def _xml(self, part: str) -> bytes:
        """Return a worksheet part's XML, inflated once."""
        if part not in self._xml_cache:
            self._xml_cache[part] = self._part(part) if part in self.insp.members else b""
        return self._xml_cache[part]

    def _guard(self, name: str) -> None:
        """Drop cells far outside any form before calamine sees them (it would allocate them all)."""
        part = self.parts().get(name, "")
        xml = self._xml(part) if part else b""
        if has_dtd(xml):
            raise Refused(dtd_issue(part))
        damaged = illegal_char_issue(xml, part) or self._damaged_strings()
        if damaged:
            raise Refused(damaged)
        far = far_cells(xml, self.max_rows)
        if not far:
            return
        clipped = clip_cells(self._xml(part), self.max_rows)
        payload = replace_member(self.insp.payload, part, clipped)
        self.insp = dataclasses.replace(self.insp, payload=payload, members=members_of(payload))
        self.wb = CalamineWorkbook.from_filelike(io.BytesIO(payload))
        self._xml_cache[part] = clipped
        if part not in self.insp.truncated_parts:  # else too_many_rows says it already
            more = f"等{len(far)}个" if len(far) > 1 else ""
            self.issues.append(
                Issue(
                    Severity.WARNING,
                    f"工作表在 {far[0]}{more}远离表格的单元格中有内容（超出第{self.max_rows}行或第ZZ列），"
                    "已忽略这些单元格；请删除多余内容后重新报送",
                    "far_cells", sheet=name, cell=far[0],
                )
            )

    def _damaged_strings(self) -> Issue | None:
        """Return the issue for a damaged shared-strings part (looked at once per book), or None."""
        if self._strings_checked or _STRINGS not in self.insp.members:
            return None
        self._strings_checked = True
        return illegal_char_issue(self._part(_STRINGS), _STRINGS)

    def _truncated_rows(self, name: str) -> int:
        if not self.insp.truncated_parts:
            return 0
        part = self.parts().get(name, "")
        return self.insp.truncated_parts.get(part, 0)

    def _part(self, name: str) -> bytes:
        return read_member(self.insp.payload, self.insp.members[name])

    def parts(self) -> dict[str, str]:
        """Return sheet name -> worksheet part of an .xlsx (empty for other formats)."""
        if self._part_names is not None:
            return self._part_names
        members = self.insp.members
        if _RELS not in members or _WORKBOOK not in members:
            self._part_names = {}  # .xlsb keeps these in binary parts
            return self._part_names
        key = (raw_member(self.insp.payload, members[_RELS]), _sheets_key(self._part(_WORKBOOK)))
        cached = self._parts_cache.get(key)
        if cached is None:
            cached = _sheet_parts(self._part(_RELS), self._part(_WORKBOOK))
            self._parts_cache[key] = cached
        self._part_names = cached
        return cached

    def number_format(self, name: str, r: int, c: int) -> str:
        """Return "percent" or "date" when the cell is formatted so, else "" (xlsx only)."""
        kinds = self._kinds()
        if not any(kinds):
            return ""
        part = self.parts().get(name, "")
        xml = self._xml(part) if part else b""
        if name not in self._styled:
            self._styled[name] = _may_be_formatted(xml, kinds)
        if not self._styled[name]:
            return ""
        # Excel and openpyxl write r= first: the column's cells are found by plain bytes searches
        # (a regex walked the sheet several times slower), once per column
        number = b"%d" % (r + 1)
        at = self._column_cells(name, xml, c).get(number, -1)
        tag_end = at + len(col_letter(c)) + len(number) + 7  # past '<c r="F12"'
        end = xml.find(b">", at) if at >= 0 else -1
        if end >= 0:
            attrs = _STYLE_ATTR.search(xml, tag_end, end)
            style = int(attrs.group(1)) if attrs else 0
        else:
            if name not in self._cell_styles:
                self._cell_styles[name] = _cell_styles(xml)
            style = self._cell_styles[name].get((r, c), 0)
        return kinds[style] if style < len(kinds) else ""

    def _column_cells(self, name: str, xml: bytes, c: int) -> dict[bytes, int]:
        """Return row number -> where the column's cell tag '<c r="F12"' first occurs in `xml`."""
        key = (name, c)
        found = self._column_tags.get(key)
        if found is None:
            found = self._column_tags[key] = {}
            head = b'<c r="' + col_letter(c).encode()
            at = xml.find(head)
            while at >= 0:
                start = at + len(head)
                quote = xml.find(b'"', start)
                if quote < 0:
                    break
                found.setdefault(xml[start:quote], at)
                at = xml.find(head, at + 1)
        return found

    def _kinds(self) -> list[str]:
        if self._format_kinds is None:
            styles = self._part(_STYLES) if self.insp.kind == "xlsx" and _STYLES in self.insp.members else b""
            self._format_kinds = list(_format_kinds(styles)) if styles else []
        return self._format_kinds

    def _formula_cells(self, name: str) -> dict[tuple[int, int], str]:
        """Return the sheet's formula cells that carry no cached value (xlsx only)."""
        if name in self._formulas:
            return self._formulas[name]
        part = self.parts().get(name, "") if self.insp.kind == "xlsx" else ""
        found = _unsaved_formulas(self._xml(part) if part else b"")
        self._formulas[name] = found
        return found


def _sheets_key(workbook: bytes) -> bytes:
    """Return workbook.xml without its defined names (print areas differ from form to form),
    unless an element named sheet is in there: what names the sheets' parts is kept whole."""
    start = workbook.find(b"<definedNames>")
    end = workbook.find(b"</definedNames>", start)
    if start < 0 or end < 0 or _SHEET_ELEMENT.search(workbook, start, end):
        return workbook
    return workbook[:start] + workbook[end:]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(rels: bytes, workbook: bytes) -> dict[str, str]:
    """Return sheet name -> worksheet part from workbook.xml and its relationships."""
    targets = {}
    for rel in parse_xml(rels).iter():
        if _local(rel.tag) == "Relationship":
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = posixpath.normpath(target)
    out = {}
    for sheet in parse_xml(workbook).iter():
        if _local(sheet.tag) == "sheet":
            rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
            out[sheet.get("name", "")] = targets.get(rid, "")
    return out


class _StylesTarget:
    """Parser target keeping only number formats and cell styles (no tree is built)."""

    def __init__(self) -> None:
        self.codes: dict[int, str] = {}
        self.xfs: list[int] = []
        self._in_xfs = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = _local(tag)
        if name == "numFmt":
            self.codes[int(attrib.get("numFmtId", "0"))] = attrib.get("formatCode", "")
        elif name == "cellXfs":
            self._in_xfs = True
        elif name == "xf" and self._in_xfs:
            self.xfs.append(int(attrib.get("numFmtId", "0")))

    def end(self, tag: str) -> None:
        if _local(tag) == "cellXfs":
            self._in_xfs = False

    def data(self, data: str) -> None:
        return None

    def close(self) -> None:
        return None


@functools.lru_cache(maxsize=64)  # pure; forms from one program share styles.xml byte for byte
def _format_kinds(styles: bytes) -> tuple[str, ...]:
    """Return, per cell style of styles.xml, whether its number format shows a percent or a date."""
    target = _StylesTarget()
    parse_xml(styles, target)
    return tuple(_format_kind(fid, target.codes.get(fid)) for fid in target.xfs)


def _format_kind(fid: int, code: str | None) -> str:
    if code is None:
        return "percent" if fid in _PERCENT_IDS else "date" if fid in _DATE_IDS else ""
    shown = _FORMAT_NOISE.sub("", code).lower()
    if "%" in shown:
        return "percent"
    if shown != "general" and any(ch in shown for ch in "ymdhs"):
        return "date"
    return ""


def _may_be_formatted(xml: bytes, kinds: list[str]) -> bool:
    """Return False when no cell of a worksheet part can have a percent or date style: none of
    those styles' s="N" is in it (a plain search per style, where finding each number's cell
    walked the sheet), nor written with leading zeros (s="014" is style 14)."""
    if kinds[0]:
        return True  # a cell with no style is formatted so
    if any(kind and b's="%d"' % i in xml for i, kind in enumerate(kinds)):
        return True
    at = xml.find(b's="0')
    while at >= 0:
        zeros = _ZERO_STYLE.match(xml, at)
        if zeros and int(zeros.group(1)) < len(kinds) and kinds[int(zeros.group(1))]:
            return True
        at = xml.find(b's="0', at + 1)
    return False


def _hidden_rows(data: bytes) -> set[int]:
    """Return the 0-based rows a worksheet part marks hidden."""
    # A hidden row's tag holds no '>' but its last: only the tags around each hidden= (most
    # often of a hidden column) are searched, not every row of the sheet
    found = set()
    at, end = data.find(b"hidden="), -1
    while at >= 0:
        if at > end:  # in a tag not yet searched
            start, end = data.rfind(b">", 0, at) + 1, data.find(b">", at)
            if end < 0:
                break
            for m in _HIDDEN_ROW.finditer(data, start, end + 1):
                number = _ROW_NUMBER.search(m.group(0))
                if number:
                    found.add(int(number.group(1)) - 1)
        at = data.find(b"hidden=", at + 1)
    return found


def _cell_styles(data: bytes) -> dict[tuple[int, int], int]:
    """Return the style index of every styled cell of a worksheet part."""
    found: dict[tuple[int, int], int] = {}
    for m in _CELL_TAG.finditer(data):
        style = _STYLE_ATTR.search(m.group(1))
        ref = _CELL_REF.search(m.group(1)) if style else None
        if style and ref:
            found[ref_to_rc(ref.group(1).decode())] = int(style.group(1))
    return found


def _unsaved_formulas(data: bytes) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    # <f> or <f …>, not <formula1> of a validation: a plain search finds where one could start
    # (most sheets have none), a regular expression only looks on from there
    start = data.find(b"<f")
    if start < 0 or _FORMULA_START.search(data, start) is None:
        return found
    for m in _CELL_WITH_BODY.finditer(data):
        body = m.group(2)
        if b"<f" in body and not _HAS_VALUE.search(body):
            ref = _CELL_REF.search(m.group(1))
            if ref:
                f = _FORMULA_TEXT.search(body)
                formula = html.unescape(f.group(1).decode("utf-8", "replace")) if f else ""
                found[ref_to_rc(ref.group(1).decode())] = formula
    return found


def fill_merged(sheet: Sheet) -> None:
    """Give every cell of a merged range the value of its top-left cell, as people see it."""
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(sheet.rows) or (r0 == r1 and c0 == c1):
            continue
        if r0 == r1 and c1 - c0 >= 3:
            sheet.notes.add(r0)  # a sentence across the table, not data
            continue
        value = sheet.get(r0, c0)
        if value == "":
            continue
        for r in range(r0, min(r1, len(sheet.rows) - 1) + 1):
            row = sheet.rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
