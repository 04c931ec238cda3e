"""Time rendering 汇总表.xlsx for 20,000 milestones against writing the same cells with openpyxl.

The floor writes exactly the cells of the rendered workbook (values and style indices, every
sheet) into a fresh openpyxl workbook and saves it: the cost of the file itself. The renderer
must stay within 1.5 × that floor.

    python3 -m benchmarks.bench_excel [--milestones 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from copy import copy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

from openpyxl import Workbook, load_workbook  # noqa: E402

from reportgen.config import Config  # noqa: E402
from reportgen.render.excel import render_excel  # noqa: E402
from reportgen.workspace import Workspace  # noqa: E402
from tests.test_excel_fixtures import build_history, build_result  # noqa: E402

STYLE_TABLES = ("_fonts", "_fills", "_borders", "_number_formats", "_alignments",
                "_protections", "_cell_styles", "_named_styles")


Prepared = tuple[list[tuple[str, list[Any], dict[str, Any]]], dict[str, Any]]


def cells_of(source: Workbook) -> Prepared:
    """Return what the floor writes: every sheet's cells (value, type, style) and widths."""
    sheets = []
    for ws in source.worksheets:
        cells = [(c.row, c.column, c._value, c.data_type, c._style)
                 for c in ws._cells.values() if c._value is not None or c.has_style]
        widths = {k: d.width for k, d in ws.column_dimensions.items()}
        sheets.append((ws.title, cells, widths))
    return sheets, {name: copy(getattr(source, name)) for name in STYLE_TABLES}


def write_cells(prepared: Prepared, out: Path) -> None:
    """Write the prepared cells with their styles into a new workbook and save it to `out`."""
    sheets, styles = prepared
    wb = Workbook()
    wb.remove(wb.active)
    for name, table in styles.items():
        setattr(wb, name, table)
    for title, cells, widths in sheets:
        ws = wb.create_sheet(title)
        for key, w in widths.items():
            ws.column_dimensions[key].width = w
        for row, col, value, data_type, style in cells:
            c = ws.cell(row=row, column=col, value=value)
            if data_type == "s":
                c.data_type = "s"
            c._style = copy(style)
    wb.save(out)


def floor(source: Workbook, out: Path) -> float:
    """Return seconds to write `source`'s cells with their styles into a new workbook and save."""
    prepared = cells_of(source)
    start = time.perf_counter()
    write_cells(prepared, out)
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milestones", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    per_item = 4
    result = build_result(milestones_per_item=per_item, items=args.milestones // per_item + 1)
    history = build_history(result)
    ws = Workspace(ROOT, Config())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "汇总表.xlsx"
        render_times, floor_times = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            render_excel(result, history, ws.templates, ws.config, out)
            render_times.append(time.perf_counter() - start)
            rendered = load_workbook(out)
            floor_times.append(floor(rendered, Path(tmp) / "floor.xlsx"))
        cells = sum(len(s._cells) for s in rendered.worksheets)
    r, f = min(render_times), min(floor_times)
    print(f"milestones: {len(result.milestones)}, cells written: {cells}")
    print(f"render_excel: {r:.2f} s   openpyxl floor: {f:.2f} s   ratio: {r / f:.2f} (limit 1.5)")


if __name__ == "__main__":
    main()
