"""A city's plan: thousands of items numbered （一百零一）, （一千）… import item for item."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import pytest

from reportgen.cn import cn_numeral
from reportgen.config import Config, UnitsConfig
from reportgen.model import MilestoneKind, Section
from reportgen.plan.importer import import_lines

YEAR = 2024
UNITS = [f"第{cn_numeral(n)}招商服务中心" for n in range(1, 41)]


@dataclass
class _Expected:
    code: str
    no: int
    section: Section
    name: str
    target_yi: float | None
    # per task: (units, [(due, kind, amount_yi)])
    tasks: list[tuple[list[str], list[tuple[dt.date, MilestoneKind, float | None]]]] = field(
        default_factory=list)


def _project(no: int, code: str) -> tuple[list[str], _Expected]:
    """One project: a target, and either one body with amounts or numbered tasks with steps."""
    name = f"第{no}号重点建设项目"
    target = round(0.5 + (no % 17) * 0.25, 2)
    month = 3 + no % 9
    units = [UNITS[no % len(UNITS)], UNITS[(no * 7 + 3) % len(UNITS)]]
    if units[0] == units[1]:
        units = units[:1]
    head = f"（{cn_numeral(no)}）{name}，{YEAR}年工业投资任务{target:g}亿元以上。"
    if no % 3:
        half = round(target / 2, 2)
        line = (f"{head}服务保障项目顺利建设，{month}月底前完成投资{half:g}亿元，"
                f"全年完成投资{target:g}亿元以上。（责任单位：{'、'.join(units)}）")
        due = dt.date(YEAR, month + 1, 1) - dt.timedelta(days=1)
        return [line], _Expected(code, no, Section.PROJECT, name, target, [(units, [
            (due, MilestoneKind.INVESTMENT, half),
            (dt.date(YEAR, 12, 31), MilestoneKind.INVESTMENT, target)])])
    day = 1 + no % 28
    lines = [head,
             f"1.{YEAR}年{month}月{day}日前完成土地挂牌。（责任单位：{units[0]}）",
             f"2.督促企业{month + 1}月上旬开工建设，全年完成投资{target:g}亿元以上。"
             f"（责任单位：{'、'.join(units[::-1])}）"]
    return lines, _Expected(code, no, Section.PROJECT, name, target, [
        ([units[0]], [(dt.date(YEAR, month, day), MilestoneKind.STEP, None)]),
        (units[::-1], [(dt.date(YEAR, month + 1, 10), MilestoneKind.STEP, None),
                       (dt.date(YEAR, 12, 31), MilestoneKind.INVESTMENT, target)])])


def _task(no: int, code: str) -> tuple[list[str], _Expected]:
    name = f"推进第{no}项重点工作"
    unit = UNITS[(no * 3) % len(UNITS)]
    line = f"（{cn_numeral(no)}）{name}。一季度完成方案制定，年底前全面完成。（责任单位：{unit}）"
    return [line], _Expected(code, no, Section.TASK, name, None, [([unit], [
        (dt.date(YEAR, 3, 31), MilestoneKind.OTHER, None),
        (dt.date(YEAR, 12, 31), MilestoneKind.OTHER, None)])])


def city_plan(projects: int, tasks: int) -> tuple[list[str], list[_Expected]]:
    """Return the lines of a plan document and the plan a person reads from it."""
    lines = ["附件", f"{YEAR}年全市重点项目推进任务分解", "一、重点项目推进任务分解"]
    expected: list[_Expected] = []
    for no in range(1, projects + 1):
        more, exp = _project(no, f"P{no:02d}")
        lines += more
        expected.append(exp)
    lines.append("二、其它重点任务")
    for no in range(1, tasks + 1):
        more, exp = _task(no, f"T{no:02d}")
        lines += more
        expected.append(exp)
    return lines, expected


def _read(lines: list[str]) -> list[_Expected]:
    config = Config(units=UnitsConfig(aliases={}, groups={}))
    result = import_lines(lines, config, "全市任务分解.txt")
    assert result.warnings == []
    return [
        _Expected(it.code, it.no, it.section, it.name, it.target_yi, [
            (t.units, [(m.due, m.kind, m.amount_yi) for m in t.milestones]) for t in it.tasks
            if t.milestones])
        for it in result.plan.items
    ]


def test_headings_past_one_hundred_start_their_own_items() -> None:
    lines, expected = city_plan(projects=120, tasks=3)
    assert "（一百零一）第101号重点建设项目" in "".join(lines)
    assert _read(lines) == expected


@pytest.mark.slow
def test_three_thousand_items_import_exactly() -> None:
    lines, expected = city_plan(projects=2990, tasks=10)
    assert any(line.startswith("（一千）") for line in lines)
    assert any(line.startswith("（二千九百九十）") for line in lines)
    start = time.perf_counter()
    got = _read(lines)
    seconds = time.perf_counter() - start
    assert len(got) == 3000
    for have, want in zip(got, expected, strict=True):
        assert have == want, want.code
    assert seconds < 30, f"3,000 items took {seconds:.1f} s"
