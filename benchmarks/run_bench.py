"""Time reportgen's commands on a synthetic city against tight floors, alternating the two.

    python3 -m benchmarks.run_bench                  # three sizes, 3 rounds, print the tables
    python3 -m benchmarks.run_bench --readme         # ... and write them into README.md
    python3 -m benchmarks.run_bench --sizes 40x400x1600     # one small size
    python3 -m benchmarks.run_bench --sizes 300x3000x12000 --rounds 1 --profile run.prof

For each size the city is made as a user makes it (benchmarks/city.py: a plan document,
`plan import`, `forms`, forms filled by code). Then, round after round, each command is run as
a user runs it (`python3 -m reportgen …`, a fresh process) and its floors are measured in a
fresh process too (benchmarks/floors.py), the order swapped every round (command first, then
floors first), so a busy spell on the machine falls on both alike:

- `plan import 任务分解.docx` (into an empty workspace) against python-docx reading the document
  plus openpyxl writing the master workbook's cells;
- `check` against python-calamine reading every file plus openpyxl writing the reports' cells;
- `run` against calamine reading, docxtpl rendering the same documents from compiled templates,
  openpyxl writing the same cells (校验报告 and 校验反馈, 汇总表, one 督办回复单 per 督办通知) and
  json writing summary.json;
- every floor also pays for starting Python and importing its libraries (measured alone);
- reportgen's modules are compiled to bytecode first, as `pip install .` does (the libraries the
  floors import come compiled; without this, an environment that sets PYTHONDONTWRITEBYTECODE
  would compile reportgen from source in every measured process);
- `status` (every file already read by check or run; once per size the first time, reading every
  file) and `--help`: wall time only (targets 0.3 s and 0.1 s).

Wall ratio: the command's wall time against the floors' summed wall time. CPU ratio: the CPU
time (user + system) of the command and of every process it started, against the floors' summed
CPU time, all single-core. Both from the medians over the rounds. Peak memory: the largest
resident set of the command or any process it started.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import reportgen as package
from benchmarks.city import DOCUMENT, PERIOD, Size, make_city
from benchmarks.floors import IMPORTS
from reportgen.numbering import SCAN_NAME
from reportgen.plan.workbook import PLAN_CACHE

ROOT = Path(__file__).resolve().parent.parent

SIZES = [Size(75, 750, 3000), Size(150, 1500, 6000), Size(300, 3000, 12000)]
README = ROOT / "README.md"
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
COMMANDS = ("plan import", "check", "run")
# run.log stage -> the floors that do the same work
STAGE_FLOORS = {
    "读取报送表": ("读取",),
    "生成公文": ("公文",),
    "生成督办回复单": ("督办回复单",),
    "校验报告": ("校验报告",),
    "汇总数据": ("summary.json",),
    "生成汇总表": ("汇总表",),
}
# the tables render on the other core from the end of 核对进度 on, meanwhile the ledger, the
# documents and the reply forms
PARALLEL = ("记入台账", "生成公文", "生成督办回复单", "校验报告", "汇总数据", "生成汇总表")
_STAGE = re.compile(r"完成：(.+?)（([\d.]+) 秒）")


@dataclass
class Sample:
    """One process's wall and CPU seconds (with its children) and peak resident memory."""

    wall: float
    cpu: float
    peak_mb: float
    out: str = ""


def measure(cmd: list[str], cwd: Path = ROOT, ok: tuple[int, ...] = (0,)) -> Sample:
    """Run `cmd` and return its wall time, CPU time and peak memory (children included)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} 失败（退出码 {proc.returncode}）：\n{text[-3000:]}")
    # ru_maxrss is in KiB on Linux, bytes on macOS; wait4 counts the waited-for grandchildren
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Sample(wall, usage.ru_utime + usage.ru_stime, peak, text)


def reportgen(*args: str) -> list[str]:
    """Return the command line of `reportgen ARGS` with this Python."""
    return [sys.executable, "-m", "reportgen", *args]


def compile_package() -> None:
    """Compile reportgen's modules to bytecode, as installing it with pip does (a user's
    installed copy never compiles its sources at start-up; the libraries come compiled)."""
    if not compileall.compile_dir(Path(package.__file__).parent, quiet=1):
        raise SystemExit("reportgen 的源文件无法编译")


def floor_cmd(*args: str) -> list[str]:
    """Return the command line of `python3 -m benchmarks.floors ARGS` (run from the repository)."""
    return [sys.executable, "-m", "benchmarks.floors", *args]


# ---------------------------------------------------------------- one round of one command


def forget(root: Path) -> None:
    """Remove what commands keep in `root`'s history/ to spare later commands work."""
    history = root / "history"
    for name in (PLAN_CACHE, SCAN_NAME):
        (history / name).unlink(missing_ok=True)
    for kept in (*history.glob("readings-*.json"), *history.glob("received-*.json")):
        kept.unlink()


@dataclass
class Pair:
    """The samples of one command and of its floors over the rounds."""

    runs: list[Sample] = field(default_factory=list)
    floors: list[dict[str, list[float]]] = field(default_factory=list)  # name -> [wall, cpu]
    stages: list[dict[str, float]] = field(default_factory=list)  # run.log stage -> seconds


def _startup(kind: str) -> list[float]:
    s = measure([sys.executable, "-c", IMPORTS[kind]])
    return [s.wall, s.cpu]


class City:
    """One size's workspace and the commands measured on it."""

    def __init__(self, size: Size, profile: Path | None = None) -> None:
        self.size = size
        self.root = make_city(size)
        self.doc = self.root / DOCUMENT
        self.scratch = Path(tempfile.mkdtemp(prefix="reportgen-import-"))
        shutil.copy2(self.root / "reportgen.toml", self.scratch / "reportgen.toml")
        self.profile = profile
        self.pairs = {c: Pair() for c in COMMANDS}
        self.status: list[float] = []
        self.load: list[float] = []  # the machine's 1-minute load average at each round's start
        self.milestones = 0
        self.files = len([p for p in (self.root / "input" / "submissions" / PERIOD).iterdir()])
        # the documents' data, from this code's run of the city (not timed)
        measure(floor_cmd("prepare", str(self.root)))
        # `status` the first time: nothing kept yet, every file read (as `check` reads it)
        forget(self.root)
        self.status_cold = measure(reportgen("status", "--period", PERIOD, "-w", str(self.root)),
                                   cwd=self.root).wall

    def close(self) -> None:
        """Remove the scratch workspace."""
        shutil.rmtree(self.scratch, ignore_errors=True)

    def command(self, name: str) -> Sample:
        """Run one command as a user does and return its sample."""
        if name == "plan import":
            shutil.rmtree(self.scratch / "input", ignore_errors=True)
            return measure(reportgen("plan", "import", str(self.doc), "-w", str(self.scratch)),
                           cwd=self.scratch)
        # check and run start cold every round: what an earlier command kept in history/ (the
        # plan read, each file's reading, the published 文号) would spare them work their floors do
        forget(self.root)
        if name == "check":
            return measure(reportgen("check", "--period", PERIOD, "-w", str(self.root)),
                           cwd=self.root, ok=(0, 1))
        # every round the month's first run: no ledger, no archive
        for part in ("ledger.sqlite", "ledger.sqlite-journal", "ledger.sqlite-wal"):
            (self.root / "history" / part).unlink(missing_ok=True)
        shutil.rmtree(self.root / "history" / "archive", ignore_errors=True)
        cmd = reportgen("run", "--period", PERIOD, "-w", str(self.root))
        if self.profile is not None:
            cmd = [sys.executable, "-m", "cProfile", "-o", str(self.profile), *cmd[1:]]
        return measure(cmd, cwd=self.root, ok=(0, 1))

    def floors(self, name: str) -> dict[str, list[float]]:
        """Measure the floors of one command (its outputs must be in place)."""
        if name == "plan import":
            workbook = next((self.scratch / "input" / "plan").glob("*.xlsx"))
            args = ("import", str(self.doc), str(workbook))
        else:
            args = (name, str(self.root))
        got: dict[str, list[float]] = json.loads(measure(floor_cmd(*args)).out.splitlines()[-1])
        got["启动与导入"] = _startup("import" if name == "plan import" else name)
        return got

    def round(self, n: int) -> None:
        """Measure every command once and its floors once, in the order of round `n`."""
        self.load.append(os.getloadavg()[0])
        for name in COMMANDS:
            pair = self.pairs[name]
            if n % 2 == 0:
                pair.runs.append(self.command(name))
                pair.floors.append(self.floors(name))
            else:
                if not pair.runs:  # the floors need the command's outputs
                    self.command(name)
                pair.floors.append(self.floors(name))
                pair.runs.append(self.command(name))
            if name == "run":
                pair.stages.append(self._stages())
        self.status.append(measure(reportgen("status", "--period", PERIOD, "-w",
                                             str(self.root)), cwd=self.root).wall)

    def _stages(self) -> dict[str, float]:
        log = (self.root / "output" / PERIOD / "run.log").read_text(encoding="utf-8")
        summary = json.loads((self.root / "output" / PERIOD / "summary.json").read_text("utf-8"))
        self.milestones = len(summary["milestones"])
        return {m.group(1): float(m.group(2)) for m in _STAGE.finditer(log)}


# ---------------------------------------------------------------- figures


def med(xs: list[float]) -> float:
    """Return the median of `xs`."""
    return statistics.median(xs)


def summarise(city: City) -> dict[str, Any]:
    """Return the figures of one size: per command min/median of wall and CPU, floors, ratios."""
    out: dict[str, Any] = {"units": city.size.units, "items": city.size.items,
                           "milestones": city.milestones, "files": city.files,
                           "status": city.status, "cpus": os.cpu_count(), "load": city.load,
                           "status_cold": city.status_cold,
                           "commands": {}}
    for name, pair in city.pairs.items():
        fwall = [sum(v[0] for v in f.values()) for f in pair.floors]
        fcpu = [sum(v[1] for v in f.values()) for f in pair.floors]
        figures = {
            "wall": [s.wall for s in pair.runs], "cpu": [s.cpu for s in pair.runs],
            "floor_wall": fwall, "floor_cpu": fcpu,
            "peak_mb": max(s.peak_mb for s in pair.runs),
            "floor_parts": {k: med([f[k][0] for f in pair.floors]) for k in pair.floors[0]},
        }
        figures["wall_ratio"] = med(figures["wall"]) / med(fwall)
        figures["cpu_ratio"] = med(figures["cpu"]) / med(fcpu)
        if pair.stages:
            figures["stages"] = {k: med([s.get(k, 0.0) for s in pair.stages])
                                 for k in pair.stages[0]}
        out["commands"][name] = figures
    return out


def help_time(rounds: int) -> list[float]:
    """Return the wall times of `reportgen --help`."""
    return [measure(reportgen("--help")).wall for _ in range(rounds)]


def _mm(xs: list[float]) -> str:
    return f"{min(xs):.2f} / {med(xs):.2f}"


def _load(results: list[dict[str, Any]]) -> str:
    loads = [x for r in results for x in r.get("load", [])]
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "未记录"


def tables(results: list[dict[str, Any]], help_s: list[float], rounds: int) -> str:
    """Return the README section: commands × sizes, the run's stages, start-up, how to rerun."""
    big = results[-1]
    lines = [
        f"合成的全市数据，{len(results)} 种规模（最大：{big['units']} 个单位、{big['items']:,} 个项目、"
        f"{big['milestones']:,} 个节点、{big['files']} 个报送文件），{big['cpus']} 核机器；"
        f"命令与下限交替测量 {rounds} 轮，取最小值 / 中位数，比值按中位数计算。"
        f"测量时机器的 1 分钟平均负载为 {_load(results)}（{big['cpus']} 核；负载高于核数时，"
        "命令与下限都要排队等处理器，用时比 CPU 时间波动大）。",
        "",
        "| 命令 | 节点 | 用时（秒） | 下限用时（秒） | 用时比 | CPU（秒） | 下限 CPU（秒） | CPU 比 "
        "| 峰值内存（MiB） |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in COMMANDS:
        for r in results:
            c = r["commands"][name]
            lines.append(
                f"| `{name}` | {r['milestones']:,} | {_mm(c['wall'])} | {_mm(c['floor_wall'])} "
                f"| {c['wall_ratio']:.2f} | {_mm(c['cpu'])} | {_mm(c['floor_cpu'])} "
                f"| {c['cpu_ratio']:.2f} | {c['peak_mb']:.0f} |")
    run = big["commands"]["run"]
    lines += ["", "最大规模 `run` 的各阶段（run.log，中位数；标 ∥ 的阶段在两个核上同时进行）：", "",
              "| 阶段 | 用时（秒） | 对应下限（秒） |", "|---|---:|---:|"]
    for stage, seconds in run.get("stages", {}).items():
        parts = STAGE_FLOORS.get(stage, ())
        fl = sum(run["floor_parts"].get(p, 0.0) for p in parts)
        mark = " ∥" if stage in PARALLEL else ""
        lines.append(f"| {stage}{mark} | {seconds:.2f} | {f'{fl:.2f}' if parts else '—'} |")
    lines.append(f"| 启动与导入（下限） | — | {run['floor_parts'].get('启动与导入', 0.0):.2f} |")
    per_k = [r["commands"]["run"]["cpu"] for r in results]
    lines += ["", "成本随节点数：" + "，".join(
        f"{r['milestones']:,} 个节点 `run` CPU {med(c):.2f} 秒（每千节点 "
        f"{med(c) / r['milestones'] * 1000:.2f} 秒）" for r, c in zip(results, per_k, strict=True))
        + "。", ""]
    lines += [f"- `reportgen --help`：{_mm(help_s)} 秒",
              f"- `reportgen status --period {PERIOD}`（{big['files']} 个报送文件，各文件已由 check 或 run 读过）："
              f"{_mm(big['status'])} 秒；第一次（逐个读取全部文件）：{big.get('status_cold', 0.0):.2f} 秒", ""]
    lines += [
        "下限是同样的工作只用底层库在一个进程、一个核上完成："
        "python-calamine 读同样的文件（命令读取的各工作表；报送表的填报说明没有命令读取）；"
        "docxtpl 按同样的模板和数据生成同样的公文（每个模板的 XML 只编译一次，即 docxtpl 的 `jinja_env` 参数）；"
        "openpyxl 写出同样的单元格（值、样式、列宽、行高；校验报告与校验反馈、汇总表、每份督办回复单各为一个工作簿）；"
        "json 写出 summary.json；python-docx 读任务分解文档；"
        "再加上启动 Python 并导入这些库的时间。核对、台账、图表没有对应的下限，算在本工具一侧。"
        "`check` 与 `run` 一样，为每个有错误或警告的单位写一份校验反馈（最大规模约 200 份），"
        "其下限也用 openpyxl 写出同样的这些工作簿，占 `check` 下限的一半以上。"
        "CPU 包括命令启动的全部子进程（`run` 在另一个核上写表格）。"
        "`plan import` 每轮导入到空工作区；每轮的 `run` 都是该月第一次运行（删去台账和归档）。"
        "`check` 和 `run` 每轮都从头做起：先删去前一条命令在 history/ 中记下的总表读取结果、各文件读取结果"
        "和已发文号，与下限一样读取全部文件（实际使用中先校验、后运行，`run` 取回 check 的读取结果，比表中快）。",
        "",
        "合成数据的生成方式与用户一样（`benchmarks/city.py`）：先写一份任务分解 Word 文档，"
        "`reportgen plan import` 导入，`reportgen forms` 生成报送表，再按代码像各单位的文秘那样填表"
        "（部分数字和日期写成文字，少数单位逾期报送、约 5% 未报送，个别文件改了名或报了两份）。",
        "",
        "重新测量：`python3 -m benchmarks.run_bench --readme`（即 `make bench`，另加 `--readme` 写入本节；"
        "首次运行先生成合成数据，放在 `benchmarks/_work/`，最大规模约需数分钟）。"
        "只测一种较小规模：`--sizes 40x400x1600`；剖析热点：`--sizes 300x3000x12000 --rounds 1 "
        "--profile run.prof`。",
    ]
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
    parser.add_argument("--rounds", type=int, default=3, help="交替测量的轮数（默认 3）")
    parser.add_argument("--readme", action="store_true", help="把结果写入 README.md")
    parser.add_argument("--json", type=Path, help="另把全部数字写入这个 JSON 文件")
    parser.add_argument("--profile", type=Path, help="最大规模的 run 的 cProfile 输出文件")
    parser.add_argument("--from-json", type=Path, nargs="+", help="不测量，用以前 --json 写下的结果出表")
    args = parser.parse_args(argv)
    sizes = [_parse_size(s) for s in args.sizes.split(",")] if args.sizes else SIZES
    results: list[dict[str, Any]] = []
    if not args.from_json:
        compile_package()
    for path in args.from_json or []:
        results += json.loads(path.read_text(encoding="utf-8"))
    for i, size in enumerate([] if args.from_json else sizes):
        city = City(size, args.profile if i == len(sizes) - 1 else None)
        try:
            for n in range(args.rounds):
                city.round(n)
        finally:
            city.close()
        r = summarise(city)
        results.append(r)
        print(f"{size.name}: " + "; ".join(
            f"{k} {med(c['wall']):.2f} s / floor {med(c['floor_wall']):.2f} s "
            f"(wall {c['wall_ratio']:.2f}, CPU {c['cpu_ratio']:.2f})"
            for k, c in r["commands"].items()) + f"; status {med(r['status']):.2f} s",
            file=sys.stderr)
    text = tables(results, help_time(max(args.rounds, 5)), args.rounds)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
