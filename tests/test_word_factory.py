"""June 2024 PeriodResults made by reconcile from scripted submissions over the seed plan.

The scripted month (what each unit reported, what it did not) is written below as data; the
statuses, figures, totals and dates come from the real reconcile step on the committed master
workbook, so the Word, PDF and Excel tests read what a real run would write.
Used by tests/test_word*.py, tests/test_pdf*.py, tests/test_excel.py and tests/test_duban.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportgen.config import Config
from reportgen.model import (
    FigureReport,
    History,
    Metric,
    MilestoneKind,
    MilestoneReport,
    PeriodResult,
    Plan,
    Reported,
    Submission,
    period_end,
)
from reportgen.plan.workbook import load_plan
from reportgen.reconcile import reconcile

PLAN_XLSX = Path(__file__).resolve().parent.parent / "input" / "plan" / "2024年重点项目推进任务分解.xlsx"

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


@lru_cache(maxsize=1)
def seed_plan() -> Plan:
    """Return the committed master workbook's plan (read once per test session)."""
    return load_plan(PLAN_XLSX, Config())


def _plan_code(plan: Plan, m: M) -> str | None:
    """Return the plan's code of the scripted milestone (matched by its clause in the item)."""
    item = plan.item(m.code.split("-")[0])
    for pm in item.milestones:
        if m.text in pm.text or pm.text in m.text:
            return pm.code
    return None


def submissions(missing: set[str], period: str = "2024-06",
                progress: dict[str, str] | None = None) -> list[Submission]:
    """Return the scripted month's submissions: one per unit not in `missing`; `progress` replaces
    what the units wrote as progress of the scripted milestones it names."""
    plan = seed_plan()
    subs = {u: Submission(unit=u, period=period, file=f"/in/{period}/{u}.xlsx")
            for u in UNITS if u not in missing}
    for code, _name, _target, units, _before, now in PROJECTS:
        if units[0] in subs and now is not None:
            key = f"{code}/{Metric.INVEST.value}"
            subs[units[0]].figures[key] = FigureReport(code, Metric.INVEST, now, cell="F4")
    if C_EQUIP in subs:
        subs[C_EQUIP].figures["P08/invoice"] = FigureReport("P08", Metric.INVOICE, 0.2, cell="F5")
    for m in MILESTONES:
        code = _plan_code(plan, m)
        if code is None or m.amount is not None:
            continue  # amounts are judged from the figures
        for unit in m.units:
            if unit in subs:
                subs[unit].milestones[code] = MilestoneReport(
                    code=code, status=m.reported, completed_on=m.done_on,
                    progress=(progress or {}).get(m.code, m.progress), problems=m.problems, cell="G5")
    return list(subs.values())


def year_history() -> History:
    """Return what the ledger holds of January to May: each project's cumulative figure rising
    month by month to May's (and one figure of last December, which this year's tables leave out)."""
    figures = {f"2024-{month:02d}": {f"{code}/invest": round(before * month / 5, 2)
                                     for code, *_, before, _now in PROJECTS}
               for month in range(1, 6)}
    figures["2023-12"] = {"P01/invest": 9.9}
    return History(figures=figures)


def make_result(
    as_of: dt.date | None = None,
    window: int = 20,
    not_submitted: set[str] | None = None,
    doc_number: int | None = 5,
    history: History | None = None,
    progress: dict[str, str] | None = None,
) -> PeriodResult:
    """Return June 2024 as reconcile decides it from the scripted submissions (after `history`,
    by default May's figures only; `progress` as in `submissions`)."""
    period = "2024-06"
    missing = NOT_SUBMITTED if not_submitted is None else not_submitted
    config = Config()
    config.schedule.due_soon_days = max(window, 0)
    if history is None:
        history = History(figures={"2024-05": {
            f"{code}/invest": before for code, *_, before, _now in PROJECTS}})
    result = reconcile(seed_plan(), submissions(missing, period, progress), history,
                       as_of or period_end(period), period, config)
    result.doc_number = doc_number
    return result
