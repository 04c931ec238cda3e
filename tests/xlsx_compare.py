"""What a person sees of a workbook, read back with openpyxl: every sheet's cells (value, type,
font, fill, border, alignment, number format), merges, column widths, row heights, frozen panes,
filter, print titles and area, page setup, margins, footer and page breaks. Two workbooks that
look alike to the office give the same `look`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def _side(side: Any) -> tuple[Any, ...]:
    return (side.style, side.color.rgb if side.color is not None else None)


def _cell(cell: Any) -> tuple[Any, ...]:
    font, fill, border, align = cell.font, cell.fill, cell.border, cell.alignment
    return (
        cell.value, cell.data_type, cell.number_format,
        (font.name, font.sz, font.b, font.i, font.u, font.strike, font.color.rgb if font.color is not None else None),
        (fill.patternType, fill.fgColor.rgb if fill.patternType else None),
        tuple(_side(getattr(border, s)) for s in ("left", "right", "top", "bottom")),
        (align.horizontal, align.vertical, align.wrap_text, align.shrink_to_fit, align.indent, align.text_rotation),
        cell.protection.locked,
    )


def _print(ws: Any) -> dict[str, Any]:
    setup, margins, footer = ws.page_setup, ws.page_margins, ws.oddFooter
    return {
        "setup": (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight, setup.scale),
        "fit": ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
        "centered": (ws.print_options.horizontalCentered, ws.print_options.verticalCentered),
        "margins": (margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer),
        "footer": [(part.text, part.font, part.size) for part in (footer.left, footer.center, footer.right)],
        "header": [(part.text, part.font, part.size) for part in (ws.oddHeader.left, ws.oddHeader.center,
                                                                   ws.oddHeader.right)],
        "titles": (ws.print_title_rows, ws.print_title_cols),
        "area": ws.print_area,
        "breaks": [b.id for b in ws.row_breaks.brk],
    }


def sheet_look(ws: Any, ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What the office sees of one sheet; cells named in `ignore` (e.g. one that holds the time
    it was written) are left out."""
    cells = {cell.coordinate: _cell(cell) for row in ws.iter_rows() for cell in row
             if cell.coordinate not in ignore and (cell.value is not None or cell.has_style)}
    return {
        "state": ws.sheet_state,
        "cells": cells,
        "merges": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {k: (d.width, d.customWidth, d.hidden) for k, d in ws.column_dimensions.items() if d.width},
        "heights": {r: (d.height, d.hidden) for r, d in ws.row_dimensions.items() if d.height or d.hidden},
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "dimensions": ws.dimensions,
        "print": _print(ws),
    }


def look(path: Path, ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What the office sees of the workbook at `path`, sheet by sheet in order."""
    wb = load_workbook(path)
    return {ws.title: sheet_look(ws, ignore) for ws in wb.worksheets}
