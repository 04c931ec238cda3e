"""Issue-13 history lost: history/ deleted between months. The published summary.json of the
earlier month gives back last month's cumulative and the nodes done then, the run says so
loudly, and no 文号 already issued this year is given again."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from reportgen.cli import main
from tests.ingest_support import LAND, MED, make_form, make_plan

pytestmark = pytest.mark.slow  # two monthly runs

D = dt.date


def _footer(day: dt.date) -> dict[str, object]:
    return {"填报人": "王芳", "联系电话": "1", "填报日期": day}


def _summary(ws: Path, period: str) -> dict:  # type: ignore[type-arg]
    return json.loads((ws / "output" / period / "summary.json").read_text(encoding="utf-8"))


def test_history_deleted_between_months(workspace) -> None:  # type: ignore[no-untyped-def]
    from reportgen.plan.master_writer import write_plan_workbook
    from reportgen.plan.workbook import load_plan

    ws = Path(workspace.root)
    plan = load_plan(write_plan_workbook(make_plan(), workspace.plan_dir / "任务分解.xlsx"), workspace.config)
    may, june = workspace.submissions_dir("2024-05"), workspace.submissions_dir("2024-06")
    make_form(plan, MED, "2024-05", may / f"{MED}.xlsx", {"P01/invest": 0.5, "P03/invest": 0.2}, {},
              _footer(D(2024, 6, 2)), config=workspace.config)
    make_form(plan, LAND, "2024-05", may / f"{LAND}.xlsx", {},
              {"P07-M01": {"status": "已完成", "completed_on": D(2024, 5, 20), "progress": "预审批复已取得"}},
              _footer(D(2024, 6, 2)), config=workspace.config)
    r = CliRunner().invoke(main, ["run", "--period", "2024-05", "-w", str(ws)])
    assert r.exit_code == 0 and (ws / "output" / "2024-05" / "summary.json").exists(), r.output
    may_no = _summary(ws, "2024-05")["doc_number"]

    shutil.rmtree(ws / "history")
    make_form(plan, MED, "2024-06", june / f"{MED}.xlsx", {"P01/invest": 0.8, "P03/invest": 0.4}, {},
              _footer(D(2024, 7, 2)), config=workspace.config)
    # LAND leaves the node it finished in May blank this month
    make_form(plan, LAND, "2024-06", june / f"{LAND}.xlsx", {},
              {"P07-M02": {"status": "推进中"}, "P07-M03": {"status": "推进中"}}, _footer(D(2024, 7, 2)),
              config=workspace.config)
    r = CliRunner().invoke(main, ["run", "--period", "2024-06", "-w", str(ws)])
    assert r.exit_code == 0, r.output

    s = _summary(ws, "2024-06")
    p01 = next(i for i in s["items"] if i["code"] == "P01")
    assert (p01["previous_yi"], p01["month_added_yi"]) == (0.5, 0.3)
    m01 = next(m for m in s["milestones"] if m["code"] == "P07-M01")
    assert (m01["status"], m01["completed_on"]) == ("done", "2024-05-20")  # not overdue, no 督办通知
    for notice in (ws / "output" / "2024-06" / "督办通知").glob(f"*{LAND}*"):  # T01-M01 may be overdue
        text = "".join(p.text for p in Document(str(notice)).paragraphs)
        assert "用地预审" not in text, text
    assert s["doc_number"] != may_no  # never a 文号 already on paper this year
    assert "history/ 可能被删除" in r.output and "2024-05" in r.output, r.output
