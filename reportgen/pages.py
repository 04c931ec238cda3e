"""Where the printed pages of a worksheet end, decided here rather than by the printer.

Excel, WPS and LibreOffice each break a sheet's pages by their own measure, and may leave the last
page holding nothing but the repeated title and header above a note, a total or the signature
block. `paginate` measures the rows (their heights are set by whoever wrote them), sets a break
wherever a page ends so every application breaks at the same rows, and keeps the last rows of a
sheet together on its last page. Rows are measured at full size: a sheet that the printer shrinks
to fit its width only gets pages a little less full.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is loaded by the callers; `status` imports forms without it
    from openpyxl.worksheet.worksheet import Worksheet

PAGE_PT = {9: (595.3, 841.9), 8: (841.9, 1190.6)}  # paperSize → portrait (width, height)
EXCEL_UNIT_PT = 5.25  # a column-width unit in Excel/WPS; LibreOffice's is wider, so it shrinks more
PAGE_SLACK_PT = 8.0  # a page is filled this much less than measured, for rounding in the printers
KEEP_LAST_ROWS = 3  # the last page of a sheet holds at least this many rows (data, total, note)


def _title_rows(ws: Worksheet) -> tuple[int, int]:
    titles = ws.print_title_rows
    if not titles:
        return 0, 0
    first, _, last = titles.replace("$", "").partition(":")
    return int(first), int(last or first)


def _area_rows(ws: Worksheet) -> tuple[int, int]:
    from openpyxl.utils import range_boundaries  # heavy: loaded on use, see above

    area = ws.print_area
    if area:
        ref = area.split(",")[0].rpartition("!")[2].replace("$", "")
        _, top, _, bottom = range_boundaries(ref)
        return int(top or 1), int(bottom or ws.max_row)
    return 1, ws.max_row


def _height(ws: Worksheet, r: int) -> float:
    dim = ws.row_dimensions.get(r)
    if dim is not None and dim.hidden:
        return 0.0
    return float(dim.height) if dim is not None and dim.height else 15.0


def page_breaks(heights: list[float], room: float, fixed: set[int], keep: int,
                groups: frozenset[int] | None = None,
                restart: Callable[[int], float | None] | None = None) -> list[int]:
    """Indexes before which a page starts: fill each page to `room`, start one at each index in
    `fixed`, and move the last page's start back until it holds `keep` rows. With `groups` (the
    indexes where a project's rows begin), a page that would end inside a project that fits on
    one page starts the next page at the project's first row instead: its nodes are not printed
    under another page's header without its name. A project longer than a page breaks as rows do,
    and `restart(i)` gives the height row `i` takes when a page starts with it (it then names its
    project again), or None when it keeps its own."""
    groups = groups or frozenset()
    fits = _groups_that_fit(heights, room, groups)
    starts: list[int] = []
    used = 0.0
    page = group = 0
    for i, h in enumerate(heights):
        if i in groups:
            group = i
        if i and (i in fixed or used + h > room):
            start = group if i not in fixed and group in fits and page < group < i else i
            starts.append(start)
            page = start
            taller = restart(start) if restart is not None and start not in groups else None
            if taller is not None and taller > heights[start]:
                heights = [*heights[:start], taller, *heights[start + 1:]]
                h = heights[i]
            used = sum(heights[start:i])
        used += h
    if starts and starts[-1] not in fixed:
        floor = max([0, *(s for s in starts[:-1])], default=0)
        while len(heights) - starts[-1] < keep and starts[-1] - 1 > floor:
            starts[-1] -= 1
    return starts


def _groups_that_fit(heights: list[float], room: float, groups: frozenset[int]) -> set[int]:
    """The group starts whose rows (up to the next group start) fit on one page."""
    bounds = [*sorted(g for g in groups if 0 <= g < len(heights)), len(heights)]
    return {a for a, b in itertools.pairwise(bounds) if sum(heights[a:b]) <= room}


def _shrink(ws: Worksheet, paper_width: float) -> float:
    """The least a sheet printed fit-to-width is shrunk by any of the printers (1 when it fits)."""
    from openpyxl.utils import get_column_letter  # heavy: loaded on use, see above

    setup, props = ws.page_setup, ws.sheet_properties.pageSetUpPr
    if props is None or not props.fitToPage or setup.fitToWidth != 1:
        return 1.0
    dims = [ws.column_dimensions.get(get_column_letter(c)) for c in range(1, ws.max_column + 1)]
    units = sum((d.width or 8.43) if d is not None else 8.43 for d in dims
                if d is None or not d.hidden)
    room = paper_width - 72 * (ws.page_margins.left + ws.page_margins.right)
    return min(1.0, room / (units * EXCEL_UNIT_PT) * 1.03) if units else 1.0


def _group_starts(ws: Worksheet, first_body: int, bottom: int) -> frozenset[int]:
    """Body rows (as indexes from `first_body`) whose first column holds a value: where a
    project's rows begin in a table that leaves 序号 blank on its further rows."""
    return frozenset(r - first_body for r in range(first_body, bottom + 1)
                     if ws.cell(r, 1).value not in (None, ""))


def body_room(ws: Worksheet) -> float:
    """The height in points a printed page of `ws` has for rows under its repeated title rows
    (at full size: rows printed smaller leave room for more of them, measured for the printer
    that shrinks least)."""
    portrait = PAGE_PT.get(ws.page_setup.paperSize or 9, PAGE_PT[9])
    landscape = ws.page_setup.orientation == "landscape"
    page_height, page_width = (portrait if landscape else portrait[::-1])
    margins = ws.page_margins
    room = (page_height - 72 * (margins.top + margins.bottom) - PAGE_SLACK_PT) / _shrink(ws, page_width)
    t_first, t_last = _title_rows(ws)
    return room - (sum(_height(ws, r) for r in range(t_first, t_last + 1)) if t_first else 0.0)


def paginate(ws: Worksheet, keep: int = KEEP_LAST_ROWS, keep_groups: bool = False,
             restart: Callable[[int], float | None] | None = None) -> list[int]:
    """Set a page break wherever a printed page of the sheet ends and return the rows that start
    a page after the first; the last page holds at least the sheet's last `keep` rows. With
    `keep_groups`, a project's rows (from one row with a 序号 to the next) stay on one page when
    they fit on one, and `restart(row)` is the height a row of a longer project takes when it
    starts a page (see page_breaks)."""
    from openpyxl.worksheet.pagebreak import Break, RowBreak  # heavy: loaded on use, see above

    top, bottom = _area_rows(ws)
    first_body = max(top, _title_rows(ws)[1] + 1)
    # the first page prints the title rows as rows of the sheet, later ones repeat them
    heights = [_height(ws, r) for r in range(first_body, bottom + 1)]
    fixed = {b.id + 1 - first_body for b in ws.row_breaks.brk if b.id + 1 > first_body}
    groups = _group_starts(ws, first_body, bottom) if keep_groups else None
    again = (lambda i: restart(first_body + i)) if restart is not None else None
    starts = page_breaks(heights, body_room(ws), fixed, keep, groups, again)
    # built whole: RowBreak.append checks the whole list again on every break
    ws.row_breaks = RowBreak(brk=[Break(id=first_body + s - 1) for s in starts])
    return [first_body + s for s in starts]
