"""Print setup shared by the workbooks reportgen writes (forms, 校验报告, the master workbook)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is only needed for the type; callers have already loaded it
    from openpyxl.worksheet.worksheet import Worksheet

PAGE_NUMBERS = "第 &P 页，共 &N 页"


def print_a4(ws: Worksheet, landscape: bool = True, centered: bool = False) -> None:
    """Print `ws` on A4: its width fitted to one page, as many pages down as its rows need."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = centered


def number_pages(ws: Worksheet, font: str | None = None, size: float | None = None) -> None:
    """Put “第 N 页，共 M 页” in the middle of the footer of `ws`."""
    ws.oddFooter.center.text = PAGE_NUMBERS
    if font is not None:
        ws.oddFooter.center.font = font
    if size is not None:
        ws.oddFooter.center.size = size
