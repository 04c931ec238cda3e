"""Time every stage of `reportgen run` on a synthetic city against the cost of the work itself.

    python3 -m benchmarks.run_bench                 # three sizes, print the tables
    python3 -m benchmarks.run_bench --readme        # ... and write them into README.md
    python3 -m benchmarks.run_bench --sizes 300x3000x12000 --profile /tmp/run.prof

For each size (units × items × milestones) a child process opens the city's workspace
(benchmarks/city.py makes it, once), clears its output/ and history/, and runs
`pipeline.run_period` for 2024-06. The stage times are the run's own (`RunReport.times`); the
rest (loading the master workbook, checking templates, moving files into place) is "其他".
Peak memory is the child's maximum resident set (and that of its worker processes).

The floors are the same work done by the bare libraries, one process, after the run:
- 读取: every submission file and the master workbook read with python-calamine (all sheets);
- 公文: the same documents rendered from the same templates and contexts with docxtpl alone;
- 表格: the cells of every .xlsx the run wrote (values and styles) written with openpyxl alone.
The ratio compares the whole run with the sum of the floors (target: within 2×).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.bench_excel import floor  # noqa: E402
from benchmarks.city import PERIOD, Size, make_city  # noqa: E402

SIZES = [Size(75, 750, 3000), Size(150, 1500, 6000), Size(300, 3000, 12000)]
README = ROOT / "README.md"
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"

# stages that run at the same time (pipeline: 表格 in a forked child while 公文 render)
PARALLEL = ("生成公文", "校验报告与汇总数据", "生成汇总表")



# ---------------------------------------------------------------- floors (run in the child)


def floor_read(paths: list[Path]) -> float:
    """Return seconds to read every sheet of `paths` with python-calamine alone."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    for p in paths:
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def floor_word(result: Any, ws: Any, out: Path) -> float:
    """Return seconds to render the run's documents from the same contexts with docxtpl alone."""
    from docxtpl import DocxTemplate

    from reportgen.render.word import BULLETIN, NOTICES, bulletin_context, notice_contexts

    jobs = [(ws.template(BULLETIN), bulletin_context(result, ws.config))]
    for kind, contexts in notice_contexts(result, ws.config).items():
        jobs += [(ws.template(NOTICES[kind]), ctx) for ctx in contexts]
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for n, (template, ctx) in enumerate(jobs):
        doc = DocxTemplate(str(template))
        doc.render(ctx, autoescape=True)
        doc.save(str(out / f"{n}.docx"))
    return time.perf_counter() - start


def floor_xlsx(paths: list[Path], out: Path) -> float:
    """Return seconds to write the cells (values, styles, widths) of `paths` with openpyxl alone."""
    from openpyxl import load_workbook

    out.mkdir(parents=True, exist_ok=True)
    return sum(floor(load_workbook(path), out / f"{n}.xlsx") for n, path in enumerate(paths))


def floor_json(path: Path, out: Path) -> float:
    """Return seconds to write the same summary.json (same data, same layout) with json alone."""
    data = json.loads(path.read_text(encoding="utf-8"))
    start = time.perf_counter()
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return time.perf_counter() - start


def _maxrss_mb(who: int) -> float:
    kb = resource.getrusage(who).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _cpu_seconds() -> float:
    """Return the CPU time (user + system) of this process and its finished children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def child(root: Path, profile: Path | None) -> dict[str, Any]:
    """Run the period in workspace `root` and measure the floors; return the figures."""
    from reportgen.pipeline import run_period
    from reportgen.workspace import open_workspace

    shutil.rmtree(root / "output", ignore_errors=True)
    shutil.rmtree(root / "history", ignore_errors=True)
    ws = open_workspace(root)
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    report = run_period(ws, PERIOD)
    total = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    peak = max(_maxrss_mb(resource.RUSAGE_SELF), _maxrss_mb(resource.RUSAGE_CHILDREN))
    stages = {t.label: t.seconds for t in report.times}
    # the spreadsheets are written in a child process while the Word documents render
    overlap = max(stages.get("生成公文", 0.0),
                  sum(stages.get(k, 0.0) for k in PARALLEL if k != "生成公文"))
    sequential = sum(v for k, v in stages.items() if k not in PARALLEL)
    stages["其他（总表、模板检查、发布）"] = max(0.0, total - sequential - overlap)

    out = ws.output_dir(PERIOD)
    inputs = sorted(p for p in ws.submissions_dir(PERIOD).iterdir() if p.is_file())
    xlsx = sorted(out.rglob("*.xlsx"))
    with tempfile.TemporaryDirectory(prefix="reportgen-floor-") as tmp:
        floors = {
            "读取报送表": floor_read(inputs),
            "其他（总表、模板检查、发布）": floor_read([ws.master_workbook()]),
            "生成公文": floor_word(report.result, ws, Path(tmp) / "word"),
            # 校验报告、校验反馈 and 汇总表 are all spreadsheets: one floor for the cells of each
            "校验报告与汇总数据": floor_xlsx([p for p in xlsx if p.name != "汇总表.xlsx"],
                                     Path(tmp) / "check")
            + floor_json(out / "summary.json", Path(tmp) / "summary.json"),
            "生成汇总表": floor_xlsx([p for p in xlsx if p.name == "汇总表.xlsx"], Path(tmp) / "x"),
        }
    return {
        "size": root.name, "files": len(inputs), "milestones": len(report.result.milestones),
        "units": len(report.result.units), "written": len(report.written),
        "failures": report.failures, "total": total, "cpu": cpu, "stages": stages, "floors": floors,
        "peak_mb": peak, "cpus": os.cpu_count(),
    }


# ---------------------------------------------------------------- parent


def run_size(size: Size, repeat: int = 3, profile: Path | None = None) -> dict[str, Any]:
    """Make the city for `size` (once) and measure runs of it in fresh processes; return the best.

    The best of `repeat` runs, because other work on the machine only ever adds time.
    """
    root = make_city(size)
    cmd = [sys.executable, "-m", "benchmarks.run_bench", "--child", str(root)]
    if profile is not None:
        cmd += ["--profile", str(profile)]
    runs = []
    for _ in range(repeat):
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
        if proc.returncode != 0:
            raise SystemExit(f"基准运行失败：\n{proc.stderr}")
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["total"])
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["runs"] = [round(r["total"], 2) for r in runs]
    return best


def startup_times(repeat: int = 7) -> dict[str, float]:
    """Return the best wall time of `reportgen --help` and `reportgen status` (example workspace)."""
    cmds = {
        "reportgen --help": [sys.executable, "-m", "reportgen", "--help"],
        "reportgen status --period 2024-06": [sys.executable, "-m", "reportgen", "status",
                                              "--period", "2024-06", "-w", str(ROOT)],
    }
    out: dict[str, float] = {}
    for label, cmd in cmds.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT)
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                raise SystemExit(f"{label} 失败：{proc.stderr.decode('utf-8', 'replace')}")
        out[label] = min(times)
    return out


def _s(x: float) -> str:
    return f"{x:.2f}"


def tables(results: list[dict[str, Any]], startup: dict[str, float]) -> str:
    """Return the Markdown tables of the results (largest size in detail)."""
    big = results[-1]
    lines = [
        f"全市规模合成数据（{big['units']} 个单位、{big['milestones']:,} 个节点、"
        f"{big['files']} 个报送文件，{big['cpus']} 核；每种规模运行 {len(big['runs'])} 次取最快），"
        "`reportgen run` 各阶段：",
        "",
        "| 阶段 | 用时（秒） | 下限（秒） | 比值 |",
        "|---|---:|---:|---:|",
    ]
    for label, seconds in big["stages"].items():
        fl = big["floors"].get(label)
        ratio = f"{seconds / fl:.2f}" if fl else "—"
        mark = " ∥" if label in PARALLEL else ""
        lines.append(f"| {label}{mark} | {_s(seconds)} | {_s(fl) if fl else '—'} | {ratio} |")
    fsum = sum(big["floors"].values())
    lines.append(f"| **合计** | **{_s(big['total'])}** | **{_s(fsum)}** | "
                 f"**{big['total'] / fsum:.2f}** |")
    lines += [
        "",
        "下限：同样的文件只用 python-calamine 读（单进程）；同样的公文只用 docxtpl 按同样的模板和数据生成；"
        "同样的单元格（值与样式）只用 openpyxl 写出，summary.json 只用 json 写出。"
        "核对进度、记入台账为纯计算与 SQLite，无对应下限。"
        "标 ∥ 的阶段同时进行（表格在子进程中生成），合计为整个运行的实际用时。",
        "",
        "三种规模（成本应随节点数线性增长）：",
        "",
        "| 单位 | 节点 | 报送文件 | 用时（秒） | 下限合计（秒） | 比值 | CPU（秒） | 每千节点 CPU（秒） "
        "| 峰值内存（MiB） |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        fsum = sum(r["floors"].values())
        lines.append(
            f"| {r['units']} | {r['milestones']:,} | {r['files']} | {_s(r['total'])} | {_s(fsum)} "
            f"| {r['total'] / fsum:.2f} | {_s(r['cpu'])} | {r['cpu'] / r['milestones'] * 1000:.2f} "
            f"| {r['peak_mb']:.0f} |")
    lines += ["", "CPU 为本进程及子进程的用户态与内核态时间之和（两核同时工作时可大于用时），"
              "受机器上其他负载的影响比用时小，用来看成本是否随节点数线性增长。"]
    if len(results) > 1:
        a, b = results[0], results[-1]
        grow = b["milestones"] / a["milestones"]
        lines[-1] += (f"节点从 {a['milestones']:,} 增至 {b['milestones']:,}（×{grow:.0f}），"
                      f"用时 ×{b['total'] / a['total']:.1f}，CPU ×{b['cpu'] / a['cpu']:.1f}。")
    lines += ["", "启动时间（示例工作区，取 7 次最快）：", ""]
    lines += [f"- `{k}`：{v:.2f} 秒" for k, v in startup.items()]
    lines += ["", "合成数据由 `benchmarks/city.py` 按代码生成：任务分解总表，以及各单位填好的报送表"
              "（约 5% 的单位未报送，部分单位把数字和日期写成文字，节点有按期、逾期完成和逾期未完成，"
              "个别文件改了名或同一单位报了两份）。",
              "", "重新测量：`python3 -m benchmarks.run_bench --readme`（即 `make bench`，另加 --readme 写入本节；"
              "首次运行先生成合成数据，放在 `benchmarks/_work/`，约需数分钟）。"
              "剖析热点：`--sizes 300x3000x12000 --profile run.prof`。"]
    return "\n".join(lines)


def write_readme(text: str, path: Path = README) -> None:
    """Put `text` between the bench markers of README.md (markers added at the end if absent)."""
    readme = path.read_text(encoding="utf-8")
    block = f"{START}\n{text}\n{END}"
    if START in readme and END in readme:
        head, rest = readme.split(START, 1)
        tail = rest.split(END, 1)[1]
        readme = head + block + tail
    else:
        readme = readme.rstrip("\n") + "\n\n## 性能\n\n" + block + "\n"
    path.write_text(readme, encoding="utf-8")


def _parse_size(text: str) -> Size:
    units, items, milestones = (int(x) for x in text.lower().split("x"))
    return Size(units, items, milestones)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description="reportgen 全市规模基准测试")
    parser.add_argument("--sizes", help="如 75x750x3000,300x3000x12000（单位x项目x节点）")
    parser.add_argument("--readme", action="store_true", help="把结果写入 README.md")
    parser.add_argument("--repeat", type=int, default=3, help="每种规模运行次数，取最快一次（默认 3）")
    parser.add_argument("--profile", type=Path, help="cProfile 输出文件（最大规模）")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.profile), ensure_ascii=False))
        return 0
    sizes = [_parse_size(s) for s in args.sizes.split(",")] if args.sizes else SIZES
    results = []
    for i, size in enumerate(sizes):
        r = run_size(size, args.repeat, args.profile if i == len(sizes) - 1 else None)
        fsum = sum(r["floors"].values())
        print(f"{size.name}: {r['total']:.2f} s (runs {r['runs']}), floors {fsum:.2f} s, "
              f"ratio {r['total'] / fsum:.2f}, peak {r['peak_mb']:.0f} MiB", file=sys.stderr)
        results.append(r)
    startup = startup_times()
    text = tables(results, startup)
    print(text)
    if args.readme:
        write_readme(text)
    worst = max(r["total"] / sum(r["floors"].values()) for r in results)
    per_ms = [r["cpu"] / r["milestones"] for r in results]
    print(f"\n比值最大 {worst:.2f}；每节点 CPU 最大/最小 {max(per_ms) / min(per_ms):.2f}；"
          f"峰值内存 {max(r['peak_mb'] for r in results):.0f} MiB；"
          f"启动 {statistics.fmean(startup.values()):.2f} 秒（平均）", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
