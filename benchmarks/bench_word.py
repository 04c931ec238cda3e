"""Benchmark: render 200 notices with render_word against docxtpl alone on the same data.

The floor is what docxtpl needs anyway: load the template, render(ctx, autoescape=True) with a
`jinja_env` that compiles each template once (benchmarks/floors.py), save, for the same 200
contexts. render_word adds the template check (with trial renders), the
bulletin, context building, sanitising, the layout touches and the file names. Target: ≤ 1.3×.

    python3 -m benchmarks.bench_word            # 200 notices, best of 3
    python3 -m benchmarks.bench_word --units 500 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from reportgen.model import (  # noqa: E402
    ItemResult,
    MilestoneKind,
    MilestoneReport,
    MilestoneResult,
    PeriodResult,
    Reported,
    Section,
    Status,
    UnitResult,
)
from reportgen.render.word import NOTICES, notice_contexts, render_word  # noqa: E402
from reportgen.workspace import init_workspace  # noqa: E402


def city_result(units: int) -> PeriodResult:
    """A city-sized month: every unit has three overdue milestones, so gets one 督办通知."""
    as_of = dt.date(2024, 6, 30)
    names = [f"第{i:03d}责任单位" for i in range(1, units + 1)]
    items, milestones = [], []
    for i, unit in enumerate(names):
        code = f"T{i + 1:03d}"
        items.append(ItemResult(code=code, name=f"{unit}重点任务", section=Section.TASK,
                                target_yi=None, cumulative_yi=None, units=[unit]))
        for k, days in enumerate((5, 12, 40), 1):
            mcode = f"{code}-M{k:02d}"
            milestones.append(MilestoneResult(
                code=mcode, item=code, item_name=f"{unit}重点任务", task=f"{code}-0",
                text=f"2024年{6 - days // 30}月完成第{k}项审批 & 报<备>", due=as_of -
                dt.timedelta(days=days), units=[unit], lead=unit, kind=MilestoneKind.STEP,
                amount_yi=None, status=Status.OVERDUE, days_overdue=days,
                report=MilestoneReport(code=mcode, status=Reported.ONGOING,
                                       progress="材料已报送，等待审查", problems="需协调用地指标"),
            ))
    return PeriodResult(
        period="2024-06", as_of=as_of, plan_year=2024, plan_title="2024年重点项目推进任务分解",
        plan_version="bench", schedule_rate=0.5, items=items, milestones=milestones,
        units=[UnitResult(name=u, submitted=True) for u in names], doc_number=7,
    )


def floor(template: Path, contexts: list[dict[str, object]], out: Path) -> float:
    """Seconds docxtpl alone takes to load, render (compiled once) and save the template for
    each context."""
    from docxtpl import DocxTemplate

    from benchmarks.floors import compiled_env

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    env = compiled_env()
    for i, ctx in enumerate(contexts):
        tpl = DocxTemplate(str(template))
        tpl.render(ctx, jinja_env=env, autoescape=True)
        tpl.save(str(out / f"{i}.docx"))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; exit 1 when over 1.3× the floor."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ws = init_workspace(work / "ws")
        result = city_result(args.units)
        contexts = notice_contexts(result, ws.config)["督办通知"]
        assert len(contexts) == args.units
        template = ws.template(NOTICES["督办通知"])
        ours, base = [], []
        for r in range(args.repeat):
            base.append(floor(template, contexts, work / f"floor{r}"))
            start = time.perf_counter()
            files = render_word(result, ws.templates, ws.config, work / f"ours{r}")
            ours.append(time.perf_counter() - start)
            assert len(files) == args.units + 1
    best_ours, best_base = min(ours), min(base)
    ratio = best_ours / best_base
    print(f"notices: {args.units}, runs: {args.repeat} (best of)")
    print(f"docxtpl alone (load + render + save): {best_base:.3f} s "
          f"({best_base / args.units * 1000:.1f} ms/notice; median {statistics.median(base):.3f} s)")
    print(f"render_word (check + bulletin + notices): {best_ours:.3f} s "
          f"({best_ours / args.units * 1000:.1f} ms/notice; median {statistics.median(ours):.3f} s)")
    print(f"ratio: {ratio:.2f}x (limit 1.30x)")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
