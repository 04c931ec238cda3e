"""A pre-filled form sent back exactly as it was distributed (nothing of this month typed) is not
a report: July's form carries June's answers, and those are not July's.

June: 现代服务业招商服务中心 reports P10-M01 已完成 on 6-25 and P10-M02 (due 7-20) 推进中.
July: its form (pre-filled with June's answers) comes back untouched. Read as an answer, P10-M02
would be 逾期未完成 on the unit's June word and a 督办通知 would go out; it is 未报送 instead, the
unit is chased, and P10-M01 stays done on June's standing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from reportgen.cli import main
from tests.ingest_support import fill_form
from tests.month_support import workspace

pytestmark = pytest.mark.slow

FW = "现代服务业招商服务中心"


def _forms(root: Path, period: str) -> Path:
    made = CliRunner().invoke(main, ["forms", "--period", period, "-w", str(root)])
    assert made.exit_code == 0, made.output
    inbox = root / "input" / "submissions" / period
    inbox.mkdir(parents=True)
    return inbox


def test_a_prefilled_form_returned_untouched_is_not_a_report(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    inbox = _forms(root, "2024-06")
    fill_form(shutil.copy(root / "output" / "2024-06" / "报送表" / f"{FW}.xlsx", inbox / "六月.xlsx"),
              {"P10/invest": 0.2}, {"P10-M01": {"status": "已完成", "completed_on": "2024-06-25"},
                                     "P10-M02": {"status": "推进中", "progress": "资料准备中"}})
    shutil.rmtree(root / "output" / "2024-06")
    assert CliRunner().invoke(main, ["run", "--period", "2024-06", "-w", str(root)]).exit_code == 0

    inbox = _forms(root, "2024-07")
    sent = root / "output" / "2024-07" / "报送表" / f"{FW}.xlsx"
    shutil.copy(sent, inbox / "服务业中心7月.xlsx")  # as distributed, not even opened
    check = CliRunner().invoke(main, ["check", "--period", "2024-07", "-w", str(root)])
    assert check.exit_code == 1, check.output
    shutil.rmtree(root / "output" / "2024-07")
    run = CliRunner().invoke(main, ["run", "--period", "2024-07", "-w", str(root)])
    assert run.exit_code == 1, run.output
    out = root / "output" / "2024-07"
    summary = json.loads((out / "summary.json").read_text("utf-8"))

    refused = [i for i in summary["issues"] if i["code"] == "no_data"]
    assert len(refused) == 1 and refused[0]["file"] == "服务业中心7月.xlsx" and refused[0]["severity"] == "error"
    assert "预填" in refused[0]["message"] and "视为未报送" in refused[0]["message"]
    assert "6月" in refused[0]["message"] or "上月" in refused[0]["message"]
    unit = next(u for u in summary["units"] if u["name"] == FW)
    assert unit["submitted"] is False
    ms = {m["code"]: (m["status"], m["completed_on"]) for m in summary["milestones"]}
    assert ms["P10-M01"] == ("done", "2024-06-25")  # June's standing, not July's answer
    assert ms["P10-M02"] == ("not_reported", None)
    assert not (out / "督办通知" / f"{FW}.docx").exists()
    chase = "\n".join(p.text for p in Document(str(out / "催报通知" / f"{FW}.docx")).paragraphs)
    assert "尚未收到" not in chase and "《服务业中心7月.xlsx》未填写本月情况，未予采用，视为未报送。" in chase

    # the same form with one thing typed this month is a report
    fill_form(inbox / "服务业中心7月.xlsx", {"P10/invest": 0.3}, footer={})
    shutil.rmtree(out)
    CliRunner().invoke(main, ["run", "--period", "2024-07", "-w", str(root)])
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert next(u for u in summary["units"] if u["name"] == FW)["submitted"] is True
    assert not [i for i in summary["issues"] if i["code"] == "no_data"]
    assert {m["code"]: m["status"] for m in summary["milestones"]}["P10-M02"] == "overdue"
