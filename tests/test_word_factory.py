"""Realistic PeriodResults built by code from the seed plan's real projects and units.

Used by tests/test_word*.py, tests/test_pdf*.py and benchmarks/bench_word.py until the reconcile
stage can produce them; statuses follow DESIGN §3 so the documents read like a real month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportgen.model import (
    ItemResult,
    MilestoneKind,
    MilestoneReport,
    MilestoneResult,
    PeriodResult,
    Reported,
    Section,
    Status,
    UnitResult,
    period_end,
)

C_MED = "现代医药产业招商服务中心"
C_EQUIP = "装备制造及大数据产业招商服务中心"
C_MAT = "新材料新能源产业招商服务中心"
C_SERV = "现代服务业招商服务中心"
C_AIR = "通航及纺织产业招商服务中心"
LAND = "规划和自然资源分局"
ECON = "经济运行与安全监管部"
FIN = "财政运营部"
BUILD = "建设管理部"
SEWAGE = "大同市御东污水处理有限责任公司"
INNOV = "创新发展部"
HUARUI = "华睿产投公司"
JFT = "经发投"
HRJT = "华睿集团"

UNITS = [C_MED, INNOV, HUARUI, LAND, ECON, C_EQUIP, FIN, JFT, C_MAT, C_SERV, BUILD, C_AIR,
         SEWAGE, HRJT]

# code, name, target 亿元, units, cumulative at end of May, at end of June
PROJECTS = [
    ("P01", "双雁生物医药产业园一期项目", 3.0, [C_MED], 0.82, 1.12),
    ("P02", "国药集团威奇达药业新建、续建技改项目", 1.5, [C_MED], 0.55, 0.71),
    ("P03", "云冈纸业12万吨生活用纸项目", 1.0, [C_MED], 0.30, 0.41),
    ("P04", "同达药业综合固体制剂车间项目", 0.8, [C_MED], 0.22, 0.36),
    ("P05", "振东泰盛原料药建设项目", 0.5, [C_MED], 0.10, 0.18),
    ("P06", "普恒制药扩建项目", 0.6, [INNOV, HUARUI, C_MED], 0.0, 0.05),
    ("P07", "海博思创储能项目", 6.0, [LAND, ECON, C_EQUIP], 0.0, 0.0),
    ("P08", "海博、国瑞、阳光3个储能装备制造项目", 1.0, [C_EQUIP], 0.12, 0.25),
    ("P09", "森铭智谷入驻3个项目", 3.0, [FIN, JFT, C_MAT], 0.0, 0.0),
    ("P10", "中科同德项目", 1.5, [C_SERV], 0.05, 0.12),
    ("P11", "云州电力智慧能源调控中心项目", 0.7, [FIN, BUILD, LAND, C_SERV], 0.0, None),
    ("P12", "嘉源生物扩建项目", 2.0, [C_AIR], 0.45, 0.86),
    ("P13", "御东污水厂改扩建二期项目", 1.0, [SEWAGE], 0.10, None),
    ("P14", "蒸汽和供热管道项目", 4.5, [BUILD], 1.20, None),
]
TASKS = [
    ("T01", "学习考察广灵在土地调规上的做法，研究破解同达药业扩建项目用地的问题", [LAND]),
    ("T02", "摸底现有企业建设屋顶分布式光伏的需求意愿", [HRJT]),
    ("T03", "继续推动北魏雕塑产业园项目南区的建设", [C_SERV]),
    ("T04", "关注能给今年投资做贡献的短平快项目", [C_MED, C_EQUIP, C_MAT, C_SERV, C_AIR]),
    ("T05", "云泉中水厂配套输水管线工程的投资计入经开区事宜", [C_AIR]),
]


@dataclass
class M:
    """A milestone as the test writes it: what is due, and what was reported."""

    code: str
    text: str
    due: dt.date | None
    units: list[str]
    kind: MilestoneKind = MilestoneKind.STEP
    amount: float | None = None
    done_on: dt.date | None = None
    reported: Reported | None = Reported.ONGOING
    progress: str = ""
    problems: str = ""


def d(month: int, day: int) -> dt.date:
    """Return a date in 2024."""
    return dt.date(2024, month, day)


MILESTONES = [
    M("P01-M01", "上半年至少完成投资1亿元", d(6, 30), [C_MED], MilestoneKind.INVESTMENT, 1.0,
      done_on=d(6, 28), reported=Reported.DONE),
    M("P01-M02", "前三季度完成投资2亿元", d(9, 30), [C_MED], MilestoneKind.INVESTMENT, 2.0),
    M("P01-M03", "全年完成投资3亿元以上（含设备）", d(12, 31), [C_MED], MilestoneKind.INVESTMENT,
      3.0),
    M("P02-M01", "其中5个3000万元以上项目上半年全部入统", d(6, 30), [C_MED], MilestoneKind.FILING,
      progress="已入统4个，第5个项目资料补正中", problems="个别项目立项手续不全"),
    M("P03-M01", "上半年完成项目入统", d(6, 30), [C_MED], MilestoneKind.FILING,
      done_on=d(6, 18), reported=Reported.DONE),
    M("P03-M02", "上半年完成投资0.4亿元", d(6, 30), [C_MED], MilestoneKind.INVESTMENT, 0.4,
      done_on=d(6, 30), reported=Reported.DONE),
    M("P06-M01", "确保产业基金投资2024年7月到位，企业可以使用", d(7, 31), [INNOV, HUARUI]),
    M("P07-M01", "2024年6月20日前完成用地预审", d(6, 20), [LAND],
      progress="预审材料已上报 & 等待<省厅>批复", problems="需省厅加快审查"),
    M("P07-M02", "8月底完成土地报批", d(8, 31), [LAND]),
    M("P07-M03", "帮助企业于2024年6月30日前纳入省能源局入库名录", d(6, 30), [ECON],
      done_on=d(6, 25), reported=Reported.DONE),
    M("P07-M04", "督促和帮助企业于2024年8月30日前完成国网省公司接入系统批复及施工图等评审",
      d(8, 30), [ECON, C_EQUIP]),
    M("P09-M01", "2024年6月底前完成对3个项目厂房装修项目招标控制价的评审，并协调达成一致意见",
      d(6, 30), [FIN], progress="评审已完成初稿，正在与企业协商"),
    M("P10-M01", "督促项目方在2024年6月底前达到投资入统条件", d(6, 30), [C_SERV],
      done_on=d(6, 26), reported=Reported.DONE),
    M("P10-M02", "指导项目方在7月20日前提交投资入统资料", d(7, 20), [C_SERV], MilestoneKind.FILING,
      progress="入统资料正在整理"),
    M("P11-M01", "财政征拆资金于2024年6月上旬拨付到位", d(6, 10), [FIN],
      done_on=d(6, 14), reported=Reported.DONE),
    M("P11-M02", "征拆工作于2024年6月下旬全部完成", d(6, 30), [BUILD]),
    M("P12-M01", "督促和帮助企业于2024年5月30日前完成项目立项备案", d(5, 30), [C_AIR],
      done_on=d(6, 12), reported=Reported.DONE),
    M("P12-M02", "于2024年6月10日前提交投资入统资料", d(6, 10), [C_AIR], MilestoneKind.FILING,
      progress="资料已提交，待统计部门复核"),
    M("P13-M01", "于2024年5月30日前完成立项备案", d(5, 30), [SEWAGE]),
    M("P14-M01", "确保10月底前完成投资3.5亿元", d(10, 31), [BUILD], MilestoneKind.INVESTMENT, 3.5),
    M("T01-M01", "2024年6月30日前形成结论方案", d(6, 30), [LAND],
      done_on=d(6, 27), reported=Reported.DONE),
    M("T02-M01", "2024年6月30日前形成结论方案", d(6, 30), [HRJT],
      progress="已完成3个园区摸底，结论方案起草中"),
    M("T03-M01", "2024年6月30日前明确企业今年的计划", d(6, 30), [C_SERV],
      done_on=d(6, 20), reported=Reported.DONE),
    M("T04-M01", "2024年6月30日前完成摸底梳理", d(6, 30), [C_MED, C_EQUIP, C_MAT, C_SERV, C_AIR],
      progress="已梳理短平快项目6个"),
]

NOT_SUBMITTED = {BUILD, SEWAGE}


def make_result(
    as_of: dt.date | None = None,
    window: int = 20,
    not_submitted: set[str] | None = None,
    doc_number: int | None = 5,
) -> PeriodResult:
    """Return a June 2024 PeriodResult over the seed's projects, statuses as DESIGN §3."""
    period = "2024-06"
    as_of = as_of or period_end(period)
    missing = NOT_SUBMITTED if not_submitted is None else not_submitted
    schedule = as_of.month / 12
    names = {code: name for code, name, *_ in PROJECTS} | {c: n for c, n, _ in TASKS}

    items: list[ItemResult] = []
    for code, name, target, units, before, now in PROJECTS:
        if units[0] in missing:  # the lead did not report: last month's figure is carried
            cum, by, added = before, "", None
        else:
            cum, by = now, units[0] if now is not None else ""
            added = None if now is None else round(now - before, 6)
        rate = cum / target if cum is not None else None
        vs = "" if rate is None else ("ahead" if rate > schedule else
                                      "behind" if rate < schedule else "on")
        items.append(ItemResult(
            code=code, name=name, section=Section.PROJECT, target_yi=target, cumulative_yi=cum,
            previous_yi=before, month_added_yi=added, rate=rate, schedule_rate=schedule,
            vs_schedule=vs, invoice_yi=0.2 if code == "P08" else None, units=list(units),
            reported_by=by,
        ))
    for code, name, units in TASKS:
        items.append(ItemResult(code=code, name=name, section=Section.TASK, target_yi=None,
                                cumulative_yi=None, units=list(units)))

    milestones: list[MilestoneResult] = []
    for m in MILESTONES:
        item = m.code.split("-")[0]
        report = None
        if m.units[0] not in missing:
            report = MilestoneReport(code=m.code, status=m.reported, completed_on=m.done_on,
                                     progress=m.progress, problems=m.problems)
        days_left = (m.due - as_of).days if m.due else None
        days_overdue = 0
        if m.done_on is not None and m.done_on <= as_of:
            status = Status.DONE if m.due is None or m.done_on <= m.due else Status.DONE_LATE
            days_left = None
        elif report is None:
            status = Status.NOT_REPORTED
        elif m.due is not None and m.due < as_of:
            status, days_overdue, days_left = Status.OVERDUE, (as_of - m.due).days, None
        elif days_left is not None and days_left <= window:
            status = Status.DUE_SOON
        else:
            status = Status.IN_PROGRESS
        milestones.append(MilestoneResult(
            code=m.code, item=item, item_name=names[item], task=f"{item}-0", text=m.text,
            due=m.due, units=list(m.units), lead=m.units[0], kind=m.kind, amount_yi=m.amount,
            status=status, completed_on=m.done_on, days_overdue=days_overdue,
            days_left=days_left, report=report,
        ))

    units = []
    for name in UNITS:
        counts: dict[str, int] = {}
        for ms in milestones:
            if name in ms.units:
                counts[ms.status.value] = counts.get(ms.status.value, 0) + 1
        units.append(UnitResult(name=name, submitted=name not in missing,
                                files=[] if name in missing else [f"{name}.xlsx"],
                                counts=counts))
    return PeriodResult(
        period=period, as_of=as_of, plan_year=2024,
        plan_title="附件2 2024年重点项目推进任务分解（动态调整）", plan_version="test",
        schedule_rate=schedule, items=items, milestones=milestones, units=units,
        doc_number=doc_number,
    )
