"""Benchmark: read 500 filled forms with `read_submissions` against python-calamine alone.

The floor is python-calamine reading every sheet and every cell of the same files, one after
another. The reader must cost at most 1.5x that floor. Three timings of the reader are printed:
one process, two processes, and the default (two only when the machine has an idle core:
on a busy machine a second process is slower, not faster). The exit code is 1 when the
default exceeds 1.5x.

    python3 -m benchmarks.bench_ingest [--files 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_PLAN = ROOT / "input" / "plan" / "2024年重点项目推进任务分解.xlsx"


def make_batch(folder: Path, files: int) -> tuple[object, object]:
    """Write `files` filled forms of the seed plan into `folder`; return (plan, config)."""
    from openpyxl import load_workbook

    from reportgen import formspec as fs
    from reportgen.config import load_config
    from reportgen.forms import form_units, write_form
    from reportgen.plan.workbook import load_plan

    config = load_config(ROOT / "reportgen.toml")
    plan = load_plan(SEED_PLAN, config)
    units = form_units(plan, config)
    filled: dict[str, bytes] = {}
    tmp = folder.parent / "blank"
    tmp.mkdir(exist_ok=True)
    for unit in units:
        path = write_form(plan, config, "2024-06", unit, tmp / f"{unit}.xlsx",
                          generated_at=dt.datetime(2024, 7, 1, 8))
        wb = load_workbook(path)
        ws = wb[fs.SHEET_FIGURES]
        for r in range(fs.FIRST_DATA_ROW, ws.max_row + 1):
            if "/" in str(ws.cell(r, 1).value or ""):
                ws.cell(r, 6, 0.35 + r / 100)
                ws.cell(r, 7, "按计划推进")
        ws = wb[fs.SHEET_MILESTONES]
        for r in range(fs.FIRST_DATA_ROW, ws.max_row + 1):
            code = ws.cell(r, 1).value
            if code and "-M" in str(code):
                done = r % 2 == 0
                ws.cell(r, 6, "已完成" if done else "推进中")
                if done:
                    ws.cell(r, 7, dt.date(2024, 6, 10))
                ws.cell(r, 8, "项目按计划推进，手续办理中。" * 3)
                ws.cell(r, 9, "无")
                ws.cell(r, 10, "加快推进")
            for c in (2, 7):
                label = ws.cell(r, c).value
                if label in fs.FOOTER_LABELS:
                    answers = {"填报日期": dt.date(2024, 7, 2), "联系电话": "13900000000"}
                    ws.cell(r, c + 1, answers.get(label, "张三"))
        wb.save(path)
        filled[unit] = path.read_bytes()
    shutil.rmtree(tmp)
    # one folder per copy so that no two files belong to the same unit in one folder name
    for i in range(files):
        unit = units[i % len(units)]
        sub = folder / f"批次{i // len(units):03d}" / unit
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{unit}.xlsx").write_bytes(filled[unit])
    return plan, config


def calamine_floor(paths: list[Path]) -> int:
    """Read every sheet and every cell with python-calamine alone; return the cells seen."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in paths:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
    return cells


def main() -> int:
    """Run the benchmark and print both timings and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from reportgen.ingest import read_submissions

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        plan, config = make_batch(folder, args.files)
        paths = sorted(folder.rglob("*.xlsx"))
        size = sum(p.stat().st_size for p in paths)
        print(f"{len(paths)} 份报送表，共 {size / 1048576:.1f} MB")
        from reportgen.ingest import batch as ingest

        best = {"floor": float("inf"), "single": float("inf"), "pool": float("inf"), "default": float("inf")}
        decide = ingest.pool_workers
        # single: one process; pool: two processes whatever the load; default: as the library decides
        modes = {"single": (10**9, decide), "pool": (0, lambda: 2),
                 "default": (ingest.POOL_MIN_FILES, decide)}
        default_min, default_bytes = ingest.POOL_MIN_FILES, ingest.POOL_MIN_BYTES
        for _ in range(args.repeat):
            t = time.perf_counter()
            cells = calamine_floor(paths)
            best["floor"] = min(best["floor"], time.perf_counter() - t)
            for mode, (threshold, workers) in modes.items():
                ingest.POOL_MIN_FILES = threshold
                ingest.POOL_MIN_BYTES = default_bytes if mode == "default" else threshold
                ingest.pool_workers = workers  # type: ignore[assignment]
                t = time.perf_counter()
                result = read_submissions(folder, plan, config, "2024-06")  # type: ignore[arg-type]
                best[mode] = min(best[mode], time.perf_counter() - t)
                bad = [i for i in result.issues if i.severity.value != "info"]
                assert len(result.files) == len(paths) and not bad, bad[:3]
        ingest.POOL_MIN_FILES, ingest.POOL_MIN_BYTES = default_min, default_bytes
        ingest.pool_workers = decide  # type: ignore[assignment]
        n = len(paths)
        floor = best["floor"]
        print(f"python-calamine 单独读取（全部工作表、全部单元格，{cells} 个）：{floor:.3f} s"
              f"（每份 {floor / n * 1000:.2f} ms）")
        for mode, label in (("single", "单进程"), ("pool", "双进程"), ("default", "默认（按空闲核数）")):
            print(f"read_submissions {label}：{best[mode]:.3f} s（每份 {best[mode] / n * 1000:.2f} ms），"
                  f"为下限的 {best[mode] / floor:.2f} 倍")
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
        ratio = best["default"] / floor
        print(f"默认方式比值：{ratio:.2f}×（上限 1.5×；测量时系统负载 {load:.1f}）")
        return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
