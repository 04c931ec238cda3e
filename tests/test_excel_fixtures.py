"""A realistic PeriodResult and History built by code (seed project names, all six statuses).

Imported by the Excel tests and benchmarks/bench_excel.py; the one test here checks the data
itself covers what the Excel tests rely on.
"""

from __future__ import annotations

import datetime as dt

from reportgen.model import (
    History,
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

PROJECTS = [
    ("双雁生物医药产业园一期项目", 3.0),
    ("国药集团威奇达药业新建、续建技改项目", 1.5),
    ("云冈纸业12万吨生活用纸项目", 1.0),
    ("同达药业综合固体制剂车间项目", 0.8),
    ("振东泰盛原料药建设项目", 0.5),
    ("普恒制药扩建项目", 0.6),
    ("海博思创储能项目", 6.0),
    ("海博、国瑞、阳光3个储能装备制造项目", 2.0),
    ("森铭智谷入驻3个项目", 1.2),
    ("中科同德项目", 0.9),
    ("云州电力智慧能源调控中心项目", 1.0),
    ("嘉源生物扩建项目", 0.7),
    ("御东污水厂改扩建二期项目", 1.1),
    ("蒸汽和供热管道项目", 0.9),
]
TASKS = [
    "学习考察广灵在土地调规上的做法",
    "在增量配网范围外谋划新能源项目",
    "继续推动北魏雕塑产业园项目南区的建设",
    "各产业招商服务中心要关注能给今年投资做贡献的短平快项目",
    "关于云泉中水厂配套输水管线工程的投资计入经开区事宜",
]
UNITS = [
    "现代医药产业招商服务中心",
    "装备制造及大数据产业招商服务中心",
    "新材料新能源产业招商服务中心",
    "规划和自然资源分局",
    "经济运行与安全监管部",
    "创新发展部",
    "华睿产投公司",
    "建设管理部",
]
STATUS_CYCLE = [
    Status.DONE,
    Status.OVERDUE,
    Status.IN_PROGRESS,
    Status.DUE_SOON,
    Status.NOT_REPORTED,
    Status.DONE_LATE,
]
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点此\")", "+1", "@x", "-2+3", "=1+1"]


def build_result(
    milestones_per_item: int = 4,
    period: str = "2024-06",
    hostile: bool = True,
    items: int | None = None,
) -> PeriodResult:
    """Return a PeriodResult for the seed items with statuses of all six kinds."""
    as_of = dt.date(int(period[:4]), int(period[5:7]), 30)
    schedule = int(period[5:7]) / 12
    item_results: list[ItemResult] = []
    ms: list[MilestoneResult] = []
    names = [(n, t, Section.PROJECT) for n, t in PROJECTS] + [
        (n, None, Section.TASK) for n in TASKS
    ]
    if items is not None:
        names = [names[i % len(names)] for i in range(items)]
    k = 0
    for i, (name, target, section) in enumerate(names):
        prefix = "P" if section is Section.PROJECT else "T"
        code = f"{prefix}{i + 1:02d}"
        units = [UNITS[i % len(UNITS)], UNITS[(i + 3) % len(UNITS)]]
        cumulative = None if target is None else round(target * (0.2 + 0.07 * (i % 9)), 2)
        previous = None if cumulative is None else round(cumulative * 0.8, 2)
        rate = None if cumulative is None or not target else cumulative / target
        vs = "" if rate is None else ("ahead" if rate > schedule else "behind")
        if i == 4:
            cumulative = previous = rate = None  # nobody reported and no history
            vs = ""
        item_results.append(ItemResult(
            code=code, name=name, section=section, target_yi=target, cumulative_yi=cumulative,
            previous_yi=previous,
            month_added_yi=None if cumulative is None or previous is None
            else round(cumulative - previous, 2),
            rate=rate, schedule_rate=schedule, vs_schedule=vs, units=units,
        ))
        if i == 2:
            continue  # an item without milestones
        for j in range(milestones_per_item):
            status = STATUS_CYCLE[k % len(STATUS_CYCLE)]
            k += 1
            offset = {Status.IN_PROGRESS: 60 + j, Status.DUE_SOON: 3 + j}.get(status, -20 - 9 * j)
            due = as_of + dt.timedelta(days=offset)
            progress = f"{name}第{j + 1}项节点推进中，已完成前期手续。"
            if hostile and k % 7 == 3:
                progress = HOSTILE[(k // 7) % len(HOSTILE)]
            report = None
            if status is not Status.NOT_REPORTED:
                report = MilestoneReport(
                    code=f"{code}-M{j + 1:02d}",
                    status=Reported.DONE if status in (Status.DONE, Status.DONE_LATE)
                    else Reported.ONGOING,
                    progress=progress,
                    problems="土地指标尚未落实" if status is Status.OVERDUE else "",
                )
            ms.append(MilestoneResult(
                code=f"{code}-M{j + 1:02d}", item=code, item_name=name, task=f"{code}-1",
                text=f"于{due.month}月{due.day}日前完成第{j + 1}项节点（{name}）",
                due=due, units=units, lead=units[0],
                kind=MilestoneKind.STEP, amount_yi=None, status=status,
                completed_on=due if status is Status.DONE else (
                    due + dt.timedelta(days=3) if status is Status.DONE_LATE else None),
                days_overdue=(as_of - due).days if status is Status.OVERDUE else 0,
                days_left=(due - as_of).days if status in (Status.DUE_SOON, Status.IN_PROGRESS)
                else None,
                report=report,
            ))
    unit_results = []
    for n, uname in enumerate(UNITS):
        mine = [m for m in ms if uname in m.units]
        counts = {s.value: sum(1 for m in mine if m.status is s) for s in Status}
        due = sum(1 for m in mine if m.due and m.due <= as_of)
        unit_results.append(UnitResult(
            name=uname, submitted=n not in (3, 6), files=[f"{uname}.xlsx"], counts=counts,
            due=due, rate=(counts["done"] / due) if due else None,
        ))
    ranked = sorted((u for u in unit_results if u.rate is not None), key=lambda u: -(u.rate or 0))
    for r, u in enumerate(ranked, start=1):
        u.rank = r
    return PeriodResult(
        period=period, as_of=as_of, plan_year=int(period[:4]),
        plan_title="2024年重点项目推进任务分解（动态调整）", plan_version="abc123",
        schedule_rate=schedule, items=item_results, milestones=ms, units=unit_results,
    )


def build_history(result: PeriodResult) -> History:
    """Return earlier months' cumulative figures for the result's projects (Jan to last month)."""
    month = int(result.period[5:7])
    figures: dict[str, dict[str, float]] = {}
    for m in range(1, month):
        figures[f"{result.plan_year}-{m:02d}"] = {
            f"{it.code}/invest": round((it.target_yi or 0) * 0.08 * m, 2)
            for it in result.items
            if it.target_yi is not None
        }
    figures[f"{result.plan_year - 1}-12"] = {"P01/invest": 9.9}  # last year: not in the table
    return History(figures=figures)


def test_fixture_covers_every_status_and_hostile_text() -> None:
    result = build_result()
    assert {m.status for m in result.milestones} == set(Status)
    texts = {m.report.progress for m in result.milestones if m.report}
    assert {"+1", "@x"} <= texts or any(t.startswith("=") for t in texts)
    assert any(not u.submitted for u in result.units)
