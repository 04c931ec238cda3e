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
from collections.abc import Callable, Iterable
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
                restart: Callable[[int], float | None] | None = None, first: float = 0.0) -> list[int]:
    """Indexes before which a page starts: fill each page to `room` (the first page holds `first`
    points above the rows, a sheet's title printed once), start one at each index in
    `fixed`, and move the last page's start back until it holds `keep` rows. With `groups` (the
    indexes where a project's rows begin), a page that would end inside a project that fits on
    one page starts the next page at the project's first row instead: its nodes are not printed
    under another page's header without its name. A project longer than a page breaks as rows do,
    and `restart(i)` gives the height row `i` takes when a page starts with it (it then names its
    project again), or None when it keeps its own."""
    groups = groups or frozenset()
    fits = _groups_that_fit(heights, room, groups)
    starts: list[int] = []
    used = first
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


def page_room(paper_size: int | None, landscape: bool, margins: tuple[float, float, float, float],
              fit_units: float | None) -> float:
    """Points down a printed page that rows may fill: the paper's height less the top and bottom
    margins (`margins`: left, right, top, bottom, in inches) and some slack, divided by the least
    any printer shrinks a sheet `fit_units` column units wide printed fitted to one page wide
    (None: printed at full size). Measured for the printer that shrinks least: rows printed
    smaller leave room for more of them."""
    portrait = PAGE_PT.get(paper_size or 9, PAGE_PT[9])
    page_height, page_width = (portrait if landscape else portrait[::-1])
    left, right, top, bottom = margins
    shrink = 1.0
    if fit_units:
        shrink = min(1.0, (page_width - 72 * (left + right)) / (fit_units * EXCEL_UNIT_PT) * 1.03)
    return (page_height - 72 * (top + bottom) - PAGE_SLACK_PT) / shrink


def _fit_units(ws: Worksheet) -> float | None:
    """The width in column units of a sheet printed fitted to one page wide (None otherwise)."""
    from openpyxl.utils import get_column_letter  # heavy: loaded on use, see above

    setup, props = ws.page_setup, ws.sheet_properties.pageSetUpPr
    if props is None or not props.fitToPage or setup.fitToWidth != 1:
        return None
    dims = [ws.column_dimensions.get(get_column_letter(c)) for c in range(1, ws.max_column + 1)]
    return sum((d.width or 8.43) if d is not None else 8.43 for d in dims if d is None or not d.hidden)


def body_room(ws: Worksheet) -> float:
    """The height in points a printed page of `ws` has for rows under its repeated title rows
    (at full size: rows printed smaller leave room for more of them, measured for the printer
    that shrinks least)."""
    return _room(ws) - _repeated(lambda r: _height(ws, r), _title_rows(ws))


def _room(ws: Worksheet) -> float:
    """`page_room` of the openpyxl sheet `ws`."""
    m = ws.page_margins
    return page_room(ws.page_setup.paperSize, ws.page_setup.orientation == "landscape",
                     (m.left, m.right, m.top, m.bottom), _fit_units(ws))


def _repeated(height: Callable[[int], float], titles: tuple[int, int]) -> float:
    """Points the title rows (first, last; (0, 0): none) take on every printed page."""
    return sum(height(r) for r in range(titles[0], titles[1] + 1)) if titles[0] else 0.0


def _first_body(area: tuple[int, int], titles: tuple[int, int]) -> int:
    """The first row printed under the title rows."""
    return max(area[0], titles[1] + 1)


def _group_rows(ws: Worksheet, top: int, bottom: int) -> frozenset[int]:
    """Rows from `top` to `bottom` whose first column holds a value: where a project's rows begin
    in a table that leaves 序号 blank on its further rows."""
    return frozenset(r for r in range(top, bottom + 1) if ws.cell(r, 1).value not in (None, ""))


def page_starts(height: Callable[[int], float], area: tuple[int, int], titles: tuple[int, int], room: float,
                breaks: Iterable[int] = (), keep: int = KEEP_LAST_ROWS, groups: frozenset[int] | None = None,
                restart: Callable[[int], float | None] | None = None) -> list[int]:
    """The rows that start a printed page after the first, of a sheet whose rows are `height(row)`
    points high, printed from row `area[0]` to `area[1]`, repeating the title rows `titles`
    (first, last; (0, 0): none) on every page, `room` points of rows to a page (`page_room`), with
    a page ending after each row in `breaks`. `keep`, `groups` (rows where a project begins) and
    `restart(row)`: see page_breaks."""
    # the first page prints the title rows as rows of the sheet, later ones repeat them; rows
    # above them (a sheet's title and subtitle) print on the first page only
    repeated = _repeated(height, titles)
    above = sum(height(r) for r in range(area[0], titles[0])) if titles[0] else 0.0
    first_body = _first_body(area, titles)
    heights = [height(r) for r in range(first_body, area[1] + 1)]
    fixed = {b + 1 - first_body for b in breaks if b + 1 > first_body}
    starts_of = frozenset(r - first_body for r in groups) if groups is not None else None
    again = (lambda i: restart(first_body + i)) if restart is not None else None
    return [first_body + s for s in page_breaks(heights, room - repeated, fixed, keep, starts_of, again, above)]


def paginate(ws: Worksheet, keep: int = KEEP_LAST_ROWS, keep_groups: bool = False,
             restart: Callable[[int], float | None] | None = None) -> list[int]:
    """Set a page break wherever a printed page of the sheet ends and return the rows that start
    a page after the first; the last page holds at least the sheet's last `keep` rows. With
    `keep_groups`, a project's rows (from one row with a 序号 to the next) stay on one page when
    they fit on one, and `restart(row)` is the height a row of a longer project takes when it
    starts a page (see page_breaks)."""
    from openpyxl.worksheet.pagebreak import Break, RowBreak  # heavy: loaded on use, see above

    area, titles = _area_rows(ws), _title_rows(ws)
    groups = _group_rows(ws, _first_body(area, titles), area[1]) if keep_groups else None
    starts = page_starts(lambda r: _height(ws, r), area, titles, _room(ws),
                         [b.id for b in ws.row_breaks.brk], keep, groups, restart)
    # built whole: RowBreak.append checks the whole list again on every break
    ws.row_breaks = RowBreak(brk=[Break(id=r - 1) for r in starts])
    return starts
