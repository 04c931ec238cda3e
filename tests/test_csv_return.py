"""A unit's form saved as CSV (另存为 CSV in LibreOffice, as a clerk does) and returned: refused for
that unit — its 校验反馈 says why and what to send, it is chased as not reported — never counted
for no unit or read as a report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from reportgen.cli import main
from tests.conftest import needs_libreoffice
from tests.month_support import workspace
from tests.test_forms_libreoffice import soffice

FW = "现代服务业招商服务中心"


@needs_libreoffice
def test_a_form_saved_as_csv_is_refused_for_its_unit(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    period = "2024-06"
    assert CliRunner().invoke(main, ["forms", "--period", period, "-w", str(root)]).exit_code == 0
    inbox = root / "input" / "submissions" / period
    inbox.mkdir(parents=True)
    # 另存为 CSV (UTF-8, as WPS and LibreOffice offer it; Excel's GBK is read alike): the first sheet only
    saved = soffice(root / "output" / period / "报送表" / f"{FW}.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76",
                    tmp_path / "csv", tmp_path / "profile")
    shutil.copy(saved, inbox / "6月报送.csv")  # the file name names no unit: the title row does
    shutil.rmtree(root / "output" / period)

    check = CliRunner().invoke(main, ["check", "--period", period, "-w", str(root)])
    assert check.exit_code == 1, check.output
    feedback = load_workbook(root / "output" / period / "校验反馈" / f"{FW}.xlsx")["校验反馈"]
    said = " ".join(str(c.value).replace("\n", "") for row in feedback.iter_rows() for c in row if c.value)
    assert "文件“6月报送.csv”是“现代服务业招商服务中心”的报送表另存成的CSV纯文本文件" in said
    assert "请在下发的报送表（.xlsx）中直接填写" in said

    run = CliRunner().invoke(main, ["run", "--period", period, "-w", str(root)])
    assert run.exit_code == 1, run.output
    out = root / "output" / period
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    refused = [i for i in summary["issues"] if i["code"] == "csv_file"]
    assert [(i["unit"], i["file"], i["severity"]) for i in refused] == [(FW, "6月报送.csv", "error")]
    assert next(u for u in summary["units"] if u["name"] == FW)["submitted"] is False
    chase = "\n".join(p.text for p in Document(str(out / "催报通知" / f"{FW}.docx")).paragraphs)
    assert "尚未收到" not in chase  # the unit sent a file: it is told why it was not taken
    assert "收到你单位报送的材料，但《6月报送.csv》另存为CSV格式，无法核对，未予采用，视为未报送。" in chase
    # the 汇总表 says why its open nodes count as 未报送: the unit sent a file that was not taken
    sheet = load_workbook(out / "汇总表.xlsx")["汇总表"]
    said_rows = {str(r[5].value): (r[9].value, str(r[10].value or "").replace("\n", ""))
                 for r in sheet.iter_rows(min_row=4) if r[5].value}
    mine = [m["code"] for m in summary["milestones"] if m["status"] == "not_reported" and m["units"] == [FW]]
    assert mine and all(said_rows[c] == ("× 未报送", "（所报材料另存为CSV格式，无法核对，未予采用）")
                        for c in mine)
