"""A node every 产业招商服务中心 answers for itself (各产业招商服务中心): while one centre is late, the
汇总表 and its 逾期清单 name that centre and quote its words, not the words of a centre that is done."""

from __future__ import annotations

import datetime as dt

from reportgen.config import Config
from reportgen.model import History, MilestoneReport, Reported, Status
from reportgen.reconcile import reconcile
from reportgen.render.excel import excel_context
from tests.test_word_factory import C_AIR, C_EQUIP, C_MAT, C_MED, C_SERV, NOT_SUBMITTED, seed_plan, submissions

CENTRES = [C_MED, C_EQUIP, C_MAT, C_SERV, C_AIR]


def test_an_overdue_group_node_names_and_quotes_only_the_centre_still_open() -> None:
    plan = seed_plan()
    node = next(m for m in plan.milestones if m.code.startswith("T04"))
    subs = submissions(NOT_SUBMITTED)
    for sub in subs:
        if sub.unit in CENTRES:
            done = sub.unit != C_MAT
            sub.milestones[node.code] = MilestoneReport(
                node.code, Reported.DONE if done else Reported.ONGOING,
                dt.date(2024, 6, 29) if done else None,
                progress="已按要求完成。" if done else "摸底名单正在汇总", problems="" if done else "两家企业未回复",
                cell="F9")
    result = reconcile(plan, subs, History(), dt.date(2024, 6, 30), "2024-06", Config())
    assert next(m for m in result.milestones if m.code == node.code).status is Status.OVERDUE
    context = excel_context(result, History(), Config())
    late = next(r for r in context["overdue"] if r["code"] == node.code)
    assert late["units"] == C_MAT
    assert late["progress"] == f"{C_MAT}：摸底名单正在汇总"
    assert late["problems"] == f"{C_MAT}：两家企业未回复"
    row = next(r for r in context["rows"] if r["code"] == node.code)
    assert row["units"] == "、".join(CENTRES)  # the node's own row still names every centre
    assert "已按要求完成" not in row["progress"] and row["progress"] == late["progress"]
