"""Where the form's parts are in a workbook: the hidden sheet, the header rows of the two
tables (found by their texts when a sheet was renamed or rows inserted above), merged cells,
and rows that should be there and are not."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass

from reportgen import formspec as fs
from reportgen.ingest.grid import Book, Sheet
from reportgen.ingest.index import FileContext
from reportgen.ingest.values import addr, code, code_str, norm, text
from reportgen.model import Severity, Submission

# the form's own header row first, then the top of the sheet (rows inserted above it)
_HEADER_SEARCH = (fs.HEADER_ROW - 1, *(r for r in range(30) if r != fs.HEADER_ROW - 1))


# a form pre-filled from a month other than the last names its earlier column so (7月累计)
_EARLIER_HEADER = re.compile(r"\d{1,2}月累计")
_EARLIER_KEY = fs.FIGURE_HEADERS["previous"].split("（", 1)[0]


@functools.lru_cache(maxsize=4096)  # pure
def _header_key(header: str) -> str:
    """Return the part of a header before its bracketed unit, normalised (7月累计 as 上月累计)."""
    key = norm(header).split("(", 1)[0]
    return _EARLIER_KEY if _EARLIER_HEADER.fullmatch(key) else key


@dataclass(frozen=True)
class TableSpec:
    """How to recognise one of the form's tables."""

    sheet: str  # the name the form gives it
    wanted: dict[str, str]  # header text (normalised) -> column key
    required: tuple[str, ...]
    inputs: tuple[str, ...]  # the columns a unit fills in

    @classmethod
    def of(
        cls, sheet: str, headers: dict[str, str], required: tuple[str, ...], inputs: tuple[str, ...]
    ) -> TableSpec:
        """Return the spec of a table with these column headers."""
        return cls(sheet, {_header_key(v): k for k, v in headers.items()}, required, inputs)


FIGURES = TableSpec.of(fs.SHEET_FIGURES, fs.FIGURE_HEADERS, ("value",), tuple(fs.FIGURE_INPUTS))
MILESTONES = TableSpec.of(fs.SHEET_MILESTONES, fs.MILESTONE_HEADERS, ("status",), fs.MILESTONE_INPUTS)


@dataclass
class Table:
    """A table found in a sheet: its header row and the column of each known header."""

    sheet: Sheet
    header: int
    cols: dict[str, int]
    copied_from: str = ""  # the form's own sheet, left blank while this copy was filled in
    other_copy: str = ""  # a filled copy that differs from this (read) table

    def answers(self, inputs: tuple[str, ...]) -> list[tuple[object, ...]]:
        """Return the input cells below the header, row by row (blank rows left out)."""
        cols = [self.cols[k] for k in inputs if k in self.cols]
        rows = (tuple(self.sheet.get(r, c) for c in cols) for r in range(self.header + 1, len(self.sheet.rows)))
        return [row for row in rows if any(v != "" for v in row)]

    def filled(self, inputs: tuple[str, ...]) -> bool:
        """Return True when any input cell below the header holds something."""
        return bool(self.answers(inputs))

    def answered(self, inputs: tuple[str, ...]) -> bool:
        """Return True when any input cell of a row with a code holds something (the labels of the
        footer below the milestone rows are not answers)."""
        code_col = self.cols.get("code")
        cols = [self.cols[k] for k in inputs if k in self.cols]
        return any(
            self.sheet.get(r, code_col) != "" and any(self.sheet.get(r, c) != "" for c in cols)
            for r in range(self.header + 1, len(self.sheet.rows))
        ) if code_col is not None else self.filled(inputs)


def read_meta(book: Book) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Return the hidden sheet's key/values and its row codes per sheet."""
    rows = book.sheet(fs.SHEET_META).rows
    meta: dict[str, str] = {}
    r = 0
    while r < len(rows) and rows[r] and rows[r][0] != "":
        if len(rows[r]) > 1 and rows[r][0] in fs.META_KEYS:
            meta[rows[r][0]] = text(rows[r][1])
        r += 1
    codes: dict[str, set[str]] = {}
    heading = fs.META_ROWS_HEADER[2]
    shown: object = object()  # rows come sheet by sheet: the set of the sheet met last
    found: set[str] = set()
    for row in rows[r + 1 :]:
        if len(row) > 2 and (value := row[2]) != "" and value != heading:
            if row[0] != shown:
                shown = row[0]
                found = codes.setdefault(text(shown), set())
            found.add(code_str(value) if type(value) is str else code(value))
    return meta, codes


def find_header(sheet: Sheet, spec: TableSpec) -> Table | None:
    """Return the table of `spec` in this sheet, if its header row is near the top."""
    for r in (r for r in _HEADER_SEARCH if r < len(sheet.rows)):
        cols: dict[str, int] = {}
        for c, value in enumerate(sheet.rows[r]):
            if isinstance(value, str) and value:
                key = spec.wanted.get(_header_key(value))
                if key and key not in cols:
                    cols[key] = c
        if all(k in cols for k in spec.required) and ("code" in cols or len(cols) >= 3):
            return Table(sheet, r, cols)
    return None


def find_table(book: Book, spec: TableSpec) -> Table | None:
    """Return the table of `spec`: in its own sheet, else in any other visible sheet.

    When the own sheet was left blank and a copy of it (投资完成情况 (2)) was filled in, the copy
    is read, and says so.
    """
    own = (spec.sheet, fs.SHEET_GUIDE, fs.SHEET_META, fs.SHEET_FIGURES, fs.SHEET_MILESTONES)
    others = [n for n in book.visible if n not in own]
    first = find_header(book.sheet(spec.sheet), spec) if spec.sheet in book.names else None
    if first is not None and not others:
        return first
    for name in others:
        found = find_header(book.sheet(name), spec)
        if found is None:
            continue
        if first is None:
            return found
        if not first.filled(spec.inputs) and found.filled(spec.inputs):
            found.copied_from = first.sheet.name
            return found
        if found.filled(spec.inputs) and found.answers(spec.inputs) != first.answers(spec.inputs):
            first.other_copy = found.sheet.name  # pre-filled original, answers typed elsewhere?
    return first


def headless_table(book: Book, spec: TableSpec) -> Table | None:
    """Return the table of `spec` found by its other headers, for a sheet whose required column's
    header was changed or deleted (read_book then names the column instead of every row)."""
    return find_table(book, dataclasses.replace(spec, required=()))


def data_rows(table: Table, end: int) -> list[int]:
    """Return the rows below the header up to `end`: visible rows first, then hidden ones, so that
    a hidden copy of a row (last month's figures kept above the updated row) never wins."""
    rows = range(table.header + 1, end)
    hidden = table.sheet.hidden
    return [r for r in rows if r not in hidden] + [r for r in rows if r in hidden]


def duplicate(ctx: FileContext, table: Table, r: int, code: str, first: str, cell: str) -> None:
    """Say a row repeats a code already read (from `first`), naming a hidden row as such."""
    if r in table.sheet.hidden:
        ctx.add(Severity.INFO, "hidden_row",
                f"第{r + 1}行是隐藏行（可能是以前月份的数据），{ctx.index.words(code)}与 {first} 所在行相同，"
                "未读取；已采用未隐藏的行",
                table.sheet.name, cell)
    else:
        ctx.add(Severity.WARNING, "duplicate_row",
                f"{ctx.index.words(code)}出现了不止一行，已采用第一行（{first}）",
                table.sheet.name, cell)


def not_ours(ctx: FileContext, table: Table, r: int, code: str, cell: str) -> None:
    """Name a row of another unit's form pasted into this one."""
    owners = ctx.index.owners(code)
    whose = f"“{'、'.join(owners)}”" if owners else "其他单位"
    ctx.add(
        Severity.WARNING, "other_unit_row",
        f"第{r + 1}行（{ctx.index.words(code)}）是{whose}的报送内容，不在本单位的报送表中，未采用；"
        "请勿把其他单位的行粘贴到本表",
        table.sheet.name, cell,
    )


def blank_formula(sheet: Sheet, r: int, c: int, ctx: FileContext) -> bool:
    """Return True, reporting it once, when an empty cell is a formula with no saved result."""
    formula = sheet.unsaved_formula(r, c)
    if formula is None:
        return False
    if (r, c) not in sheet.reported:
        sheet.reported.add((r, c))
        ctx.add(
            Severity.ERROR, "formula_no_cache",
            f"单元格是公式（={formula}），但文件中没有保存计算结果，无法读取，未按0计；"
            "请在Excel中打开并保存后重新报送，或直接填写数值",
            sheet.name, addr(r, c),
        )
    return True


def report_merged(table: Table, ctx: FileContext, input_cols: list[int]) -> None:
    """Say which merged ranges over input columns were spread to each of their rows."""
    sheet = table.sheet
    for r0, c0, r1, c1 in sheet.merged:
        if r1 > r0 and r0 > table.header and any(c0 <= c <= c1 for c in input_cols):
            ctx.add(
                Severity.INFO, "merged_cells",
                f"{addr(r0, c0)}:{addr(r1, c1)} 为合并单元格，已将其中的内容用于所含的每一行",
                sheet.name, addr(r0, c0),
            )


def check_missing_rows(
    sub: Submission, ctx: FileContext, expected: dict[str, set[str]], fig: Table | None, ms: Table | None,
    unread: frozenset[str] = frozenset(),
) -> None:
    """Name every row of the unit's form that the file no longer has (not those of a table in
    `unread`, whose missing column was named instead)."""
    index = ctx.index
    want_ms = set() if fs.SHEET_MILESTONES in unread else expected.get(
        fs.SHEET_MILESTONES, set(index.milestone_codes.get(sub.unit, [])))
    for c in sorted(want_ms - set(sub.milestones)):
        if c in index.milestones:
            ctx.add(
                Severity.WARNING, "row_missing",
                f"缺少{index.words(c)}所在的行，该节点视为未报送；请勿删除行",
                ms.sheet.name if ms else fs.SHEET_MILESTONES,
            )
    want_fig = {k.split("/")[0] for k in expected.get(fs.SHEET_FIGURES, set())}
    if not expected:
        want_fig = {k.split("/")[0] for k in index.figure_keys.get(sub.unit, [])}
    if fs.SHEET_FIGURES in unread:
        want_fig = set()
    have = {k.split("/")[0] for k in sub.figures}
    for c in sorted(want_fig - have):
        if c in index.items:
            ctx.add(
                Severity.WARNING, "row_missing",
                f"缺少项目“{index.items[c].name}”的累计数所在的行，视为未报送；请勿删除行",
                fig.sheet.name if fig else fs.SHEET_FIGURES,
            )
