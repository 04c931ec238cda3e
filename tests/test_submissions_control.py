"""Submissions under control: which file counts is decided from the ledger (arrival by content,
the office's accept / withdraw / exempt), never from modification times, and honoured by
submissions, check, status and run."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.cli import main
from reportgen.workspace import init_workspace

PERIOD = "2024-06"
UNIT = "建设管理部"
FIRST = f"{UNIT}（初报）.xlsx"
CORRECTED = f"{UNIT}.xlsx"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="reportgen")


def _break_a_date(src: Path, dest: Path) -> None:
    """Write `src` to `dest` with an unreadable 实际完成日期 in the first milestone row."""
    wb = load_workbook(src)
    sheet = wb[fs.SHEET_MILESTONES]
    header = [c.value for c in sheet[fs.HEADER_ROW]]
    col = header.index(fs.MILESTONE_HEADERS["completed_on"]) + 1
    sheet.cell(fs.FIRST_DATA_ROW, col).value = "六月某天"
    wb.save(dest)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The example workspace where 建设管理部 first sent a faulty file, then the corrected one."""
    root = init_workspace(tmp_path / "ws", sample=True).root
    folder = root / "input" / "submissions" / PERIOD
    original = tmp_path / CORRECTED
    shutil.move(folder / CORRECTED, original)
    _break_a_date(original, folder / FIRST)
    first = invoke("check", "-p", PERIOD, "-w", str(root))  # the office sees the faulty one first
    assert first.exit_code == 1, first.output
    shutil.copy(original, folder / CORRECTED)
    return root


def _listing(root: Path) -> str:
    result = invoke("submissions", "-p", PERIOD, "-w", str(root))
    assert result.exit_code == 0, result.output
    return result.stdout


def _line(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if f" {name} " in line)


def _unit_row(status_output: str, unit: str) -> list[str]:
    return next(line for line in status_output.splitlines() if line.startswith(unit)).split()


def test_the_file_that_arrived_last_counts_even_after_a_copy(workspace: Path, tmp_path: Path) -> None:
    text = _listing(workspace)
    assert _line(text, CORRECTED).strip().startswith(f"✔ {CORRECTED}  采用：最后收到的一份")
    assert _line(text, FIRST).strip().startswith(f"✘ {FIRST}  不采用：已有其他文件被采用  错误 1")
    status = invoke("status", "-p", PERIOD, "-w", str(workspace))
    # the replaced file's error is gone; the corrected file came after the last check (*)
    assert _unit_row(status.stdout, UNIT)[1:4] == ["已报送", "0*", "0"]

    # a copy of the workspace (a backup, a new PC): the faulty file now looks newest on disk
    copy = tmp_path / "copy"
    shutil.copytree(workspace, copy)
    later = time.time() + 3600
    os.utime(copy / "input" / "submissions" / PERIOD / FIRST, (later, later))
    text = _listing(copy)
    assert _line(text, CORRECTED).strip().startswith(f"✔ {CORRECTED}")
    assert _line(text, FIRST).strip().startswith(f"✘ {FIRST}")


def test_accept_withdraw_and_reinstate_a_file(workspace: Path) -> None:
    ws = ["-w", str(workspace)]
    done = invoke("submissions", "accept", "-p", PERIOD, FIRST, "--note", "单位来电要求以初报为准", *ws)
    assert done.exit_code == 0, done.output
    assert f"已记入台账：{PERIOD} 指定采用 “{FIRST}”（{UNIT}）" in done.stdout
    text = _listing(workspace)
    assert _line(text, FIRST).strip().startswith(f"✔ {FIRST}  采用：督查办指定  错误 1")
    assert "实际完成日期" in text or "六月某天" in text  # the counted file's problem is shown
    status = invoke("status", "-p", PERIOD, *ws)
    assert _unit_row(status.stdout, UNIT)[1:3] == ["已报送", "1"]

    assert invoke("submissions", "withdraw", "-p", PERIOD, FIRST, *ws).exit_code == 0
    text = _listing(workspace)
    assert _line(text, FIRST).strip().startswith(f"✘ {FIRST}  不采用：已撤回")
    assert _line(text, CORRECTED).strip().startswith(f"✔ {CORRECTED}")
    checked = invoke("check", "-p", PERIOD, *ws)
    assert checked.exit_code == 0, checked.output  # the withdrawn file's error no longer counts
    assert "撤回" in text and "指定采用" in text  # the decisions are listed

    assert invoke("submissions", "reinstate", "-p", PERIOD, FIRST, *ws).exit_code == 0
    text = _listing(workspace)
    assert _line(text, FIRST).strip().startswith(f"✘ {FIRST}  不采用：已有其他文件被采用")


def test_decisions_that_cannot_be_taken_are_refused(workspace: Path) -> None:
    ws = ["-w", str(workspace)]
    missing = invoke("submissions", "accept", "-p", PERIOD, "没有这个文件.xlsx", *ws)
    assert missing.exit_code == 2 and "下没有文件“没有这个文件.xlsx”" in missing.output
    nobody = invoke("submissions", "exempt", "-p", PERIOD, "不存在的单位", *ws)
    assert nobody.exit_code == 2 and "本月应报单位中没有“不存在的单位”" in nobody.output
    bare = invoke("submissions", *ws)
    assert bare.exit_code == 2 and "请用 --period 指定月份" in bare.output


@pytest.mark.slow
def test_an_exempt_unit_is_not_chased(workspace: Path) -> None:
    ws = ["-w", str(workspace)]
    done = invoke("submissions", "exempt", "-p", PERIOD, "华睿集团", "--note", "项目暂停", *ws)
    assert done.exit_code == 0, done.output
    status = invoke("status", "-p", PERIOD, *ws)
    assert _unit_row(status.stdout, "华睿集团")[1] == "本月免报"
    assert "未报 0 个，本月免报 1 个" in status.stdout
    assert "华睿集团  本月免报（项目暂停）" in _listing(workspace)

    run = invoke("run", "-p", PERIOD, *ws)
    assert run.exit_code == 0, run.output
    assert "已报 13 个，未报 0 个，本月免报 1 个" in run.stdout and "本月免报：华睿集团" in run.stdout
    out = workspace / "output" / PERIOD
    assert not (out / "催报通知").exists()
    units = {u["name"]: u for u in json.loads((out / "summary.json").read_text("utf-8"))["units"]}
    assert units["华睿集团"]["exempt"] is True and units["华睿集团"]["submitted"] is False

    assert invoke("submissions", "reinstate", "-p", PERIOD, "华睿集团", *ws).exit_code == 0
    again = invoke("run", "-p", PERIOD, *ws)
    assert "未报送：华睿集团" in again.stdout
    assert [p.stem for p in (out / "催报通知").glob("*.docx")] == ["华睿集团"]
