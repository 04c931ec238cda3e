"""Moving what refers to rows when a template's loop row becomes n rows.

Formulas (on every sheet), defined names, merges, conditional formats, data validations, the
auto filter, print area and titles, frozen panes, page breaks, charts' data ranges and anchors
all follow the rows they pointed at; a reference into the loop row grows to cover its copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

_REF_PART = re.compile(r"^(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?$")


@dataclass(frozen=True, slots=True)
class RowMap:
    """Row `row` becomes `count` rows (0 deletes it); rows below move by count - 1."""

    row: int
    count: int

    @property
    def delta(self) -> int:
        return self.count - 1

    def single(self, r: int) -> int | None:
        """Return where a single-row reference goes (None when its row is deleted)."""
        if r < self.row:
            return r
        if r == self.row:
            return r if self.count else None
        return r + self.delta

    def span(self, a: int, b: int) -> tuple[int, int] | None:
        """Return where rows a..b go; a span ending on the loop row grows with it."""
        na = a if a <= self.row else a + self.delta
        nb = b if b < self.row else b + self.delta
        return (na, nb) if na <= nb else None


def _split_sheet(ref: str) -> tuple[str | None, str]:
    if "!" not in ref:
        return None, ref
    sheet, _, cells = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cells


def _shift_ref(ref: str, applies: bool, title: str, m: RowMap, grow: bool = False) -> str | None:
    """Return the reference moved by `m` (None when it vanished), or unchanged.

    With `grow`, a single cell on the loop row becomes the column of generated rows (a chart
    series made from one template row means the whole table)."""
    sheet, cells = _split_sheet(ref)
    if sheet is not None:
        applies = sheet == title
    if not applies:
        return ref
    parts = cells.split(":")
    matches = [_REF_PART.match(p) for p in parts]
    if len(parts) > 2 or not all(matches) or any(mm.group(4) is None for mm in matches if mm):
        return ref  # a name, a whole column, or something we do not move
    rows = [int(mm.group(4)) for mm in matches if mm]
    if grow and len(rows) == 1 and rows[0] == m.row and m.count > 1:
        matches, rows = matches * 2, rows * 2
    if len(rows) == 1:
        new_row = m.single(rows[0])
        if new_row is None:
            return None
        new_rows: tuple[int, ...] = (new_row,)
    else:
        a, b = sorted(rows)
        spanned = m.span(a, b)
        if spanned is None:
            return None
        new_rows = spanned if rows[0] <= rows[1] else spanned[::-1]
    if tuple(rows) == new_rows:
        return ref
    out = [
        f"{mm.group(1)}{mm.group(2) or ''}{mm.group(3)}{r}"
        for mm, r in zip(matches, new_rows, strict=True)
        if mm
    ]
    prefix = ref[: len(ref) - len(cells)]
    return prefix + ":".join(out)


def shift_formula(formula: str, own_sheet: bool, title: str, m: RowMap, grow: bool = False) -> str:
    """Return `formula` (with its leading '=') with references to sheet `title` moved by `m`."""
    if not own_sheet and title not in formula:
        return formula
    try:
        tokens = Tokenizer(formula).items
    except Exception:  # an unparsable formula is left for Excel to report
        return formula
    changed = False
    for t in tokens:
        if t.type == Token.OPERAND and t.subtype == Token.RANGE:
            new = _shift_ref(t.value, own_sheet, title, m, grow)
            if new != t.value:
                t.value = "0" if new is None else new
                changed = True
    if not changed:
        return formula
    return "=" + "".join(t.value for t in tokens)


def _shift_range(rng: CellRange, m: RowMap) -> CellRange | None:
    spanned = m.span(rng.min_row, rng.max_row)
    if spanned is None:
        return None
    return CellRange(min_col=rng.min_col, min_row=spanned[0], max_col=rng.max_col, max_row=spanned[1])


def _shift_multi(multi: MultiCellRange, m: RowMap) -> MultiCellRange:
    kept = [r for r in (_shift_range(cr, m) for cr in multi.ranges) if r is not None]
    return MultiCellRange([r.coord for r in kept])


def shift_merges(ws: Worksheet, m: RowMap) -> None:
    """Move or stretch the merged ranges of `ws` (those on the loop row itself are left to the caller)."""
    merged = set()
    for mcr in ws.merged_cells.ranges:
        if not mcr.min_row == mcr.max_row == m.row:  # else replicated per row by _loop
            spanned = m.span(mcr.min_row, mcr.max_row)
            if spanned is None:
                continue
            mcr.min_row, mcr.max_row = spanned
        merged.add(mcr)
    # rebuilt: the ranges' hashes change when their rows do
    ws.merged_cells.ranges = merged


def shift_rules(ws: Worksheet, m: RowMap) -> None:
    """Shift conditional formats, data validations and the auto filter of `ws`."""
    title = ws.title
    new_cf = ConditionalFormattingList()
    for cf in ws.conditional_formatting:
        sqref = _shift_multi(cf.sqref, m)
        if not sqref.ranges:
            continue
        for rule in cf.rules:
            rule.formula = [shift_formula("=" + f, True, title, m)[1:] for f in rule.formula]
            new_cf.add(str(sqref), rule)
    ws.conditional_formatting = new_cf

    kept = []
    for dv in ws.data_validations.dataValidation:
        dv.sqref = _shift_multi(dv.sqref, m)
        for attr in ("formula1", "formula2"):
            f = getattr(dv, attr)
            if f:
                setattr(dv, attr, shift_formula("=" + f, True, title, m)[1:])
        if dv.sqref.ranges:
            kept.append(dv)
    ws.data_validations.dataValidation = kept

    if ws.auto_filter.ref:
        moved = _shift_range(CellRange(ws.auto_filter.ref), m)
        ws.auto_filter.ref = moved.coord if moved else None


def shift_print_setup(ws: Worksheet, m: RowMap) -> None:
    """Shift the print area, print titles, frozen panes and page breaks of `ws`."""
    if ws._print_area and ws._print_area.ranges:
        area = _shift_multi(ws._print_area, m)
        ws.print_area = [r.coord for r in area.ranges] if area.ranges else None
    if ws._print_rows:
        rows = ws.print_title_rows
        if rows:
            a, _, b = rows.replace("$", "").partition(":")
            spanned = m.span(int(a), int(b or a))
            ws.print_title_rows = f"{spanned[0]}:{spanned[1]}" if spanned else None

    if ws.freeze_panes:
        top_row, top_col = coordinate_to_tuple(ws.freeze_panes)
        if top_row > m.row:
            ws.freeze_panes = f"{get_column_letter(top_col)}{top_row + m.delta}"

    for brk in ws.row_breaks.brk:
        if brk.id is not None and brk.id > m.row:
            brk.id += m.delta


def move_rows(ws: Worksheet, row: int, delta: int) -> None:
    """Move every cell below `row` by `delta` rows."""
    if not delta:
        return
    cells = ws._cells
    keys = sorted((k for k in cells if k[0] > row), reverse=delta > 0)
    for key in keys:
        cell = cells.pop(key)
        new_row = key[0] + delta
        cell.row = new_row
        cells[(new_row, key[1])] = cell


def move_row_dimensions(ws: Worksheet, row: int, delta: int) -> None:
    """Move the heights and formats of the rows after `row` by `delta` rows."""
    dims = ws.row_dimensions
    moved = [(k, d) for k, d in dims.items() if k >= row]
    for k, _ in moved:
        del dims[k]
    for k, d in moved:
        if k == row:
            continue  # the loop row's height is copied to each generated row
        d.index = k + delta
        dims[k + delta] = d


def shift_chart_refs(chart: Any, title: str, m: RowMap) -> bool:
    """Move the chart's series references; return False when it had series and has none left."""
    # a loaded chart lists itself among its _charts (the plot area's chart groups)
    charts = {id(c): c for c in [chart, *getattr(chart, "_charts", [])]}
    before = after = 0
    for ch in charts.values():
        before += len(ch.series)
        keep = []
        for s in ch.series:
            alive = True
            refs = []
            for attr in ("val", "cat", "xVal", "yVal", "bubbleSize"):
                src = getattr(s, attr, None)
                if src is not None:
                    refs += [getattr(src, a, None) for a in ("numRef", "strRef", "multiLvlStrRef")]
            if s.tx is not None:
                refs.append(s.tx.strRef)
            seen: set[int] = set()
            for ref in refs:  # xVal/yVal are aliases of cat/val: adjust each reference once
                if ref is None or not ref.f or id(ref) in seen:
                    continue
                seen.add(id(ref))
                new = shift_formula("=" + ref.f, False, title, m, grow=True)[1:]
                if new != ref.f:
                    ref.f = new
                    # a cached copy of the old cells would be shown until Excel recalculates
                    for cache in ("numCache", "strCache", "multiLvlStrCache"):
                        if hasattr(ref, cache):
                            setattr(ref, cache, None)
                alive = alive and new.rpartition("!")[2] != "0"
            if alive:
                keep.append(s)
        ch.series = keep
        after += len(keep)
    return after > 0 or before == 0


def shift_anchor(obj: Any, m: RowMap) -> None:
    """Move a chart's or image's anchor with the rows it sits on."""
    anchor = obj.anchor
    if isinstance(anchor, str):
        cell = CellRange(anchor)
        new = m.single(cell.min_row) or m.row
        obj.anchor = f"{get_column_letter(cell.min_col)}{new}"
        return
    start = getattr(anchor, "_from", None)
    end = getattr(anchor, "to", None)
    if start is None:
        return
    first = start.row + 1
    last = end.row + 1 if end is not None else first
    spanned = m.span(first, last) or (m.row, m.row + (last - first))
    start.row = spanned[0] - 1
    if end is not None:
        end.row = spanned[1] - 1
