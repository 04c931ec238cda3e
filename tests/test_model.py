"""Rules kept on the model itself: which task's lead reports an item's cumulative figures, which node
is judged by a figure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportgen.config import Config
from reportgen.forms import all_unit_rows
from reportgen.model import History, Metric, Milestone, MilestoneKind
from reportgen.plan.workbook import load_plan
from reportgen.reconcile import reconcile
from reportgen.rules import reached_by_figure

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "input" / "plan" / "2024年重点项目推进任务分解.xlsx"


@pytest.mark.parametrize(
    ("item", "metric", "lead"),
    [
        ("P01", Metric.INVEST, "现代医药产业招商服务中心"),
        ("P06", Metric.INVEST, "现代医药产业招商服务中心"),  # task 2 holds 全年完成投资0.6亿元
        ("P07", Metric.INVEST, "装备制造及大数据产业招商服务中心"),  # task 4, not 规划分局's task 1
        ("P09", Metric.INVEST, "新材料新能源产业招商服务中心"),  # only 开票 amounts, in task 4
        ("P09", Metric.INVOICE, "新材料新能源产业招商服务中心"),
        ("P11", Metric.INVEST, "现代服务业招商服务中心"),  # task 5, not 财政运营部's task 1
        ("P13", Metric.INVEST, "大同市御东污水处理有限责任公司"),  # no amount: the first task
    ],
)
def test_figure_is_reported_by_the_lead_of_the_amount_task(item: str, metric: Metric, lead: str) -> None:
    plan = load_plan(MASTER, Config())
    tasks = plan.item(item).figure_tasks(metric)
    assert tasks and tasks[0].lead_units[0] == lead
    rows = all_unit_rows(plan, Config())
    owners = {r.lead for rows_ in rows.values() for r in rows_.figures
              if r.item.code == item and r.metric is metric}
    assert owners == {lead}


def test_a_result_is_judged_from_its_figure_exactly_when_its_plan_node_is() -> None:
    """One rule (model.amount_metric): the bulletin dates a node by the report whose figure reached it
    (rules.reached_by_figure, on the result) exactly when reconcile judged it by a figure (Milestone.metric)."""
    plan = load_plan(MASTER, Config())
    extra = [Milestone("X-M1", dt.date(2024, 6, 30), "6月底前完成开票0.5亿元", MilestoneKind.INVOICE, 0.5, ["甲"]),
             Milestone("X-M2", dt.date(2024, 6, 30), "6月底前开工", MilestoneKind.STEP, 0.5, ["甲"]),
             Milestone("X-M3", dt.date(2024, 6, 30), "上半年完成投资", MilestoneKind.INVESTMENT, None, ["甲"])]
    plan.items[0].tasks[0].milestones.extend(extra)
    nodes = {m.code: m for m in plan.milestones}
    result = reconcile(plan, [], History(), dt.date(2024, 6, 30), "2024-06", Config())
    judged = {m.code: reached_by_figure(m) for m in result.milestones}
    assert judged == {code: m.metric is not None for code, m in nodes.items()}
    assert judged["X-M1"] and not judged["X-M2"] and not judged["X-M3"]
    assert any(m.metric is Metric.INVEST for m in nodes.values())
