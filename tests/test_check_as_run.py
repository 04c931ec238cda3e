"""`check` and `run` state the same issues for the same files, whichever ran last: the 校验报告, each
unit's 校验反馈 and `status` read back alike — including what only reconciling the month shows (two
units' figures or answers that disagree, an answer from a unit other than the lead, a node done last
month now reported open, an 已完成 without its date).

Forms are written by `forms`, filled as units fill them and run through the CLI.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen.cli import main
from tests.ingest_support import fill_form
from tests.month_support import workspace
from tests.test_undated_completion import _report_counts, _status_rows
from tests.xlsx_compare import look

pytestmark = pytest.mark.slow

D = dt.date
FW, JY, GZ, HR = "现代服务业招商服务中心", "经济运行与安全监管部", "规划和自然资源分局", "华睿产投公司"
ZB = "装备制造及大数据产业招商服务中心"


def _forms(root: Path, period: str, answers: dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]]) -> None:
    """Write `period`'s forms and put each unit's, filled with its (figures, milestones), in the inbox."""
    made = CliRunner().invoke(main, ["forms", "--period", period, "-w", str(root)])
    assert made.exit_code == 0, made.output
    inbox = root / "input" / "submissions" / period
    inbox.mkdir(parents=True, exist_ok=True)
    for unit, (figures, milestones) in answers.items():
        fill_form(shutil.copy(root / "output" / period / "报送表" / f"{unit}.xlsx", inbox / f"{unit}.xlsx"),
                  figures, milestones)
    shutil.rmtree(root / "output" / period)


def _invoke(root: Path, command: str, period: str, code: int) -> None:
    done = CliRunner().invoke(main, [command, "--period", period, "-w", str(root)])
    assert done.exit_code == code, done.output


def _papers(root: Path, period: str) -> dict[str, Any]:
    """What the office reads of the month's checking: 校验报告, every 校验反馈, and `status` (the
    minute each workbook was written left out)."""
    out = root / "output" / period
    feedback = {p.name: _untimed(look(p)) for p in sorted((out / "校验反馈").glob("*.xlsx"))}
    rows, notes = _status_rows(root, period)
    return {"report": _untimed(look(out / "校验报告.xlsx")), "feedback": feedback,
            "status": {u: r[1:3] for u, r in rows.items()}, "notes": notes}


def _untimed(seen: dict[str, Any]) -> dict[str, Any]:
    """Return `seen` (xlsx_compare.look) with “生成时间：…” cut from every cell that states it."""
    for sheet in seen.values():
        for where, cell in sheet["cells"].items():
            if isinstance(cell[0], str) and "生成时间：" in cell[0]:
                sheet["cells"][where] = (re.sub(r"生成时间：[\d\- :]+", "生成时间：", cell[0]), *cell[1:])
    return seen


def _issues(path: Path) -> list[tuple[str, ...]]:
    sheet = load_workbook(path)["校验问题"]
    return [tuple(str(c) for c in row) for row in sheet.iter_rows(values_only=True) if row[0] is not None]


def test_check_after_run_and_run_after_check_state_the_same_issues(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    done = {"P11-M05": {"status": "已完成", "completed_on": D(2024, 6, 20)}}
    _forms(root, "2024-06", {FW: ({"P10/invest": 0.1}, done)})
    _invoke(root, "run", "2024-06", 0)
    _forms(root, "2024-07", {
        # P07's 完成投资 reported by two units who differ; 经济运行部 leads P07-M06, 装备中心 says it is done
        ZB: ({"P07/invest": 0.5}, {"P07-M06": {"status": "已完成", "completed_on": D(2024, 7, 20)}}),
        JY: ({"P07/invest": 0.8}, {"P07-M06": {"status": "推进中"}}),
        GZ: ({"P07/invest": 0.5}, {}),
        # 华睿产投 answers P06-M01 for 创新发展部, who sends nothing
        HR: ({"P06/invest": 0.2}, {"P06-M01": {"status": "已完成", "completed_on": D(2024, 7, 10)}}),
        # done in June, 推进中 now; 已完成 without a date that cannot be told on time
        FW: ({"P10/invest": 0.2}, {"P11-M05": {"status": "推进中"}, "P10-M02": {"status": "已完成"}}),
    })
    _invoke(root, "run", "2024-07", 1)
    ran = _papers(root, "2024-07")
    assert ran["status"][FW][0] != "0" and ran["notes"] == [], ran["status"]
    said = "\n".join(" ".join(r) for r in _issues(root / "output" / "2024-07" / "校验报告.xlsx"))
    for words in (f"报累计 0.8 亿元，与{ZB}所报 0.5 亿元不一致", f"与牵头单位{JY}所报",
                  "牵头单位创新发展部未报送该节点", "截至上月已为“已完成”", "未填写实际完成日期"):
        assert words in said, words

    _invoke(root, "check", "2024-07", 1)
    checked = _papers(root, "2024-07")
    assert checked["feedback"].keys() == ran["feedback"].keys() and f"{ZB}.xlsx" in checked["feedback"]
    assert checked == ran
    assert _report_counts(root / "output" / "2024-07" / "校验报告.xlsx") == {
        u: tuple(c) for u, c in ran["status"].items()}

    _invoke(root, "run", "2024-07", 1)  # and back: the run states what the check did
    assert _papers(root, "2024-07") == checked
