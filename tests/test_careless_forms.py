"""Forms filled the way hurried clerks fill them, run through forms → check → run: what a unit
clearly meant is read; what it did not say is named by its cell and kept out of the papers.

- 已完成 with a date that is not a date (6月底) or a date after the cut-off (9月15日 in a July
  report): not 逾期完成 on the cut-off, not 已完成 on paper — the node is 未报送进展 and the unit is
  told its 已完成 was not taken.
- a status word that is not a choice (基本完成): named once, not also called 未填写完成状态.
- the 本月累计 header typed over: the column is named, the rows are not called deleted.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen.cli import main
from tests.ingest_support import fill_form
from tests.month_support import doc_text, workspace

pytestmark = pytest.mark.slow

FW = "现代服务业招商服务中心"
JY = "经济运行与安全监管部"
GZ = "规划和自然资源分局"


def _rename_value_column(path: Path) -> None:
    wb = load_workbook(path)
    ws = wb["投资完成情况"]
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(3, c).value == "本月累计（亿元）")
    ws.cell(3, col, "累计完成投资（亿元）")
    wb.save(path)


def test_careless_answers_are_named_and_kept_out_of_the_papers(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    period = "2024-07"
    made = CliRunner().invoke(main, ["forms", "--period", period, "-w", str(root)])
    assert made.exit_code == 0, made.output
    forms, inbox = root / "output" / period / "报送表", root / "input" / "submissions" / period
    inbox.mkdir(parents=True)
    fill_form(shutil.copy(forms / f"{FW}.xlsx", inbox / "服务业中心.xlsx"), {"P10/invest": 0.2}, {
        "P10-M02": {"status": "已完成", "completed_on": "6月底"},
        "P11-M06": {"status": "已完成", "completed_on": "2024-09-15"},
    })
    fill_form(shutil.copy(forms / f"{JY}.xlsx", inbox / "经济运行部.xlsx"), {"P07/invest": 0.3},
              {"P07-M06": {"status": "基本完成"}})
    _rename_value_column(fill_form(shutil.copy(forms / f"{GZ}.xlsx", inbox / "规自分局.xlsx"), {"P07/invest": 0.4}))

    check = CliRunner().invoke(main, ["check", "--period", period, "-w", str(root)])
    assert check.exit_code == 1, check.output
    shutil.rmtree(root / "output" / period)
    run = CliRunner().invoke(main, ["run", "--period", period, "-w", str(root)])
    assert run.exit_code == 1, run.output
    out = root / "output" / period
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    status = {m["code"]: (m["status"], m["completed_on"]) for m in summary["milestones"]}
    assert status["P10-M02"] == status["P11-M06"] == ("not_reported", None)
    issues = {(i["unit"], i["code"]): i for i in summary["issues"]}

    bad = issues[(FW, "bad_date")]
    assert (bad["cell"], bad["severity"]) == ("G5", "error") and "6月底" in bad["message"]
    assert "“已完成”本月未采用，该节点视为未报送" in bad["message"]
    late = issues[(FW, "date_after_period")]
    assert late["severity"] == "error" and "2024-09-15" in late["message"] and "本月未采用" in late["message"]
    assert (FW, "date_missing") not in issues  # a date was typed: no 暂按7月31日 guess

    row5 = [(i["code"], i["cell"]) for i in summary["issues"] if i["unit"] == JY and i["cell"][1:] == "5"]
    assert row5 == [("bad_status", "F5")]  # not also 未填写完成状态

    column = issues[(GZ, "column_missing")]
    assert (column["sheet"], column["cell"]) == ("投资完成情况", "A3") and "本月累计（亿元）" in column["message"]
    assert (GZ, "row_missing") not in issues

    bulletin = doc_text(out / "进度通报.docx")
    assert "未报送进展：指导项目方在7月20日前提交投资入统资料" in bulletin
    assert "2024年7月31日完成" not in bulletin.split("10.中科同德项目")[1].split("11.")[0]
    assert "2024年10月20日前达到投资入统要求" not in bulletin.split("已完成节点")[-1].split("未报送进展")[0]
    report = load_workbook(out / "校验报告.xlsx")["校验问题"]
    texts = [str(c.value) for row in report.iter_rows() for c in row if c.value]
    assert sum("基本完成" in t for t in texts) == 1 and not any("未填写完成状态，按未完成处理" in t for t in texts)
