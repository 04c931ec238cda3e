"""Time rendering the synthetic city's 汇总表.xlsx against writing the same cells with openpyxl.

The floor writes exactly the cells of the rendered workbook (values and style indices, every
sheet, with its column widths and row heights) into a fresh openpyxl workbook and saves it: the
cost of the file itself. The renderer
must stay within 1.5 × that floor. The period rendered is the city's June (benchmarks.city, made
or reused) as `run` reads and reconciles it.

    python3 -m benchmarks.bench_excel [--units 300 --items 3000 --milestones 12000] [--repeat 3]

Render and floor alternate; the medians of wall and CPU seconds are printed, with the cycle
collector set as `reportgen run` sets it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from benchmarks.city import PERIOD, Size, make_city
from reportgen.commands.chinese import GC_THRESHOLDS
from reportgen.ingest import read_submissions
from reportgen.model import History, PeriodResult, period_end
from reportgen.plan.workbook import load_plan
from reportgen.reconcile import reconcile
from reportgen.render.excel import render_excel
from reportgen.workspace import Workspace, open_workspace

STYLE_TABLES = ("_fonts", "_fills", "_borders", "_number_formats", "_alignments",
                "_protections", "_cell_styles", "_named_styles")


Prepared = tuple[list[tuple[str, list[Any], dict[str, Any], dict[int, float]]], dict[str, Any]]


def cells_of(source: Workbook) -> Prepared:
    """Return what the floor writes: every sheet's cells (value, type, style), column widths
    and the row heights the file sets (a fitted row is `<row ht=… customHeight="1">`)."""
    sheets = []
    for ws in source.worksheets:
        cells = [(c.row, c.column, c._value, c.data_type, c._style)
                 for c in ws._cells.values() if c._value is not None or c.has_style]
        widths = {k: d.width for k, d in ws.column_dimensions.items()}
        heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
        sheets.append((ws.title, cells, widths, heights))
    return sheets, {name: copy(getattr(source, name)) for name in STYLE_TABLES}


def write_cells(prepared: Prepared, out: Path) -> None:
    """Write the prepared cells with their styles into a new workbook and save it to `out`."""
    sheets, styles = prepared
    wb = Workbook()
    wb.remove(wb.active)
    for name, table in styles.items():
        setattr(wb, name, table)
    for title, cells, widths, heights in sheets:
        ws = wb.create_sheet(title)
        for key, w in widths.items():
            ws.column_dimensions[key].width = w
        for r, h in heights.items():
            ws.row_dimensions[r].height = h
        for row, col, value, data_type, style in cells:
            c = ws.cell(row=row, column=col, value=value)
            if data_type == "s":
                c.data_type = "s"
            c._style = copy(style)
    wb.save(out)


def floor(source: Workbook, out: Path) -> tuple[float, float]:
    """Return wall and CPU seconds to write `source`'s cells with their styles into a new
    workbook and save it."""
    prepared = cells_of(source)
    wall, cpu = time.perf_counter(), time.process_time()
    write_cells(prepared, out)
    return time.perf_counter() - wall, time.process_time() - cpu


def city_month(size: Size) -> tuple[Workspace, PeriodResult, History]:
    """Return the city's workspace and its June as read and reconciled (no earlier months)."""
    ws = open_workspace(make_city(size))
    plan = load_plan(ws.master_workbook(), ws.config)
    read = read_submissions(ws.submissions_dir(PERIOD), plan, ws.config, PERIOD)
    history = History()
    return ws, reconcile(plan, read.submissions, history, period_end(PERIOD), PERIOD, ws.config), history


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=Size.units)
    parser.add_argument("--items", type=int, default=Size.items)
    parser.add_argument("--milestones", type=int, default=Size.milestones)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ws, result, history = city_month(Size(args.units, args.items, args.milestones))
    gc.set_threshold(*GC_THRESHOLDS)  # as `reportgen run` sets it
    render_times, floor_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "汇总表.xlsx"
        for _ in range(args.repeat):  # alternated: a busy machine slows both alike
            wall, cpu = time.perf_counter(), time.process_time()
            render_excel(result, history, ws.templates, ws.config, out)
            render_times.append((time.perf_counter() - wall, time.process_time() - cpu))
            rendered = load_workbook(out)
            cells = sum(len(s._cells) for s in rendered.worksheets)
            floor_times.append(floor(rendered, Path(tmp) / "floor.xlsx"))
            del rendered
    print(f"milestones: {len(result.milestones)}, cells written: {cells}, rounds: {args.repeat} (medians)")
    for n, what in enumerate(("wall", "CPU")):
        r = statistics.median(t[n] for t in render_times)
        f = statistics.median(t[n] for t in floor_times)
        print(f"{what}: render_excel {r:.2f} s   openpyxl floor {f:.2f} s   ratio {r / f:.2f} (limit 1.5)")

if __name__ == "__main__":
    main()
