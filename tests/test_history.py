"""`reportgen history`: the months the ledger recorded, read back from the workbook it writes."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen.cli import main
from reportgen.config import Config
from reportgen.ledger import Ledger
from reportgen.model import Reported, Submission, period_end
from reportgen.reconcile import reconcile
from tests.test_reconcile import C1, A, make_plan, sub

D = dt.date
HISTORY = Path("output") / "历史" / "2024年重点项目逐月进度.xlsx"

# June: 甲项目 (3亿) 0.5 behind, 乙项目 (1亿) 0.6 ahead; A's 6-20 node open (overdue); 二中心 silent.
# July: 甲项目 1.0 behind again (two months running), the 6-20 node done on 7-5 (逾期完成).
MONTHS: dict[str, list[Submission]] = {
    "2024-06": [sub(A, "2024-06", {"P01/invest": 0.5, "P02/invest": 0.6}, P01_M02=(Reported.ONGOING, None)),
                sub(C1, "2024-06", T01_M01=(Reported.DONE, D(2024, 6, 20)))],
    "2024-07": [sub(A, "2024-07", {"P01/invest": 1.0, "P02/invest": 0.6}, P01_M02=(Reported.DONE, D(2024, 7, 5))),
                sub(C1, "2024-07", T01_M01=(Reported.DONE, D(2024, 6, 20)))],
}


def _record(root: Path, periods: list[str]) -> None:
    """Record `periods` in the workspace's ledger, each reconciled on the months before it."""
    plan = make_plan()
    with Ledger(root / "history" / "ledger.sqlite") as ledger:
        for period in periods:
            result = reconcile(plan, MONTHS[period], ledger.history(period), period_end(period), period, Config())
            ledger.record(plan, replace(result, submissions=[]))  # the forms are made up: nothing to archive


def _history(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["history", "-w", str(root)])
    return result.exit_code, result.output


def _rows(ws) -> dict[str, list]:
    """Return the sheet's data rows by their second column (project, node or unit name)."""
    return {str(r[1]): list(r) for r in ws.iter_rows(min_row=4, values_only=True) if r[1]}


def test_two_months_make_the_workbook(workspace) -> None:
    _record(workspace.root, ["2024-06", "2024-07"])
    code, output = _history(workspace.root)
    assert code == 0, output
    assert "2024-06 至 2024-07，共 2 个月" in output and "甲项目：已连续 2 个月低于序时进度" in output
    book = load_workbook(workspace.root / HISTORY)
    assert book.sheetnames == ["累计完成投资", "完成率", "节点状态", "分单位逾期节点", "项目图表", "单位图表"]
    cumulative = _rows(book["累计完成投资"])
    assert cumulative["甲项目"][2:] == [3.0, 0.5, 1.0] and cumulative["乙项目"][2:] == [1.0, 0.6, 0.6]
    rates_ws = book["完成率"]
    rates = _rows(rates_ws)
    assert rates["序时进度"][3:5] == [0.5, pytest.approx(7 / 12)]
    assert rates["甲项目"][3:] == [pytest.approx(0.5 / 3), pytest.approx(1 / 3), "2个月"]
    assert rates["乙项目"][3:] == [0.6, 0.6, None]  # 60.0% against 58.3%: ahead
    row = next(c.row for c in rates_ws["B"] if c.value == "甲项目")
    assert [rates_ws.cell(row, col).number_format for col in (4, 5)] == ['"▼ "0.0%', '"▼▼ "0.0%']
    assert rates_ws.cell(row + 1, 4).number_format == "0.0%"


def test_node_statuses_and_units_month_by_month(workspace) -> None:
    _record(workspace.root, ["2024-06", "2024-07"])
    assert _history(workspace.root)[0] == 0
    book = load_workbook(workspace.root / HISTORY)
    nodes = {r[2]: r[5:] for r in book["节点状态"].iter_rows(min_row=4, values_only=True)}
    assert nodes["节点P01-M02"] == ("● 逾期未完成", "√ 逾期完成")
    assert nodes["节点P01-M01"] == ("● 逾期未完成", "√ 逾期完成")  # 1亿 by 6-30, reached in July
    assert nodes["节点T01-M01"] == ("× 未报送", "× 未报送")  # 二中心, a member of the group, silent
    units_ws = book["分单位逾期节点"]
    units = _rows(units_ws)
    assert units[A][2:] == [2, 0]
    silent = next(c.row for c in units_ws["B"] if c.value == "二中心")
    assert [units_ws.cell(silent, col).number_format for col in (3, 4)] == ['"（未报）"0'] * 2


def test_a_chart_per_project_and_per_unit_drawn_from_their_rows(workspace) -> None:
    _record(workspace.root, ["2024-06", "2024-07"])
    assert _history(workspace.root)[0] == 0
    book = load_workbook(workspace.root / HISTORY)
    rates = {c.value: c.row for c in book["完成率"]["B"]}
    units = {c.value: c.row for c in book["分单位逾期节点"]["B"]}
    with zipfile.ZipFile(workspace.root / HISTORY) as z:
        charts = [z.read(n).decode("utf-8") for n in sorted(z.namelist()) if re.match(r"xl/charts/chart\d+\.xml", n)]
    titled = {re.search(r"<a:t>(.*?)</a:t>", c).group(1): c for c in charts}  # type: ignore[union-attr]
    assert set(titled) == {"甲项目", "乙项目", A}  # 甲局 had overdue nodes; the other units none
    note = book["单位图表"]["A2"].value
    assert note.startswith("各月均无逾期未完成节点、未附图的单位（3个）：") and A not in note
    assert f"'完成率'!$D${rates['甲项目']}:$E${rates['甲项目']}" in titled["甲项目"]
    assert f"'完成率'!$D${rates['序时进度']}:$E${rates['序时进度']}" in titled["甲项目"]
    assert 'prstDash val="dash"' in titled["甲项目"]  # 序时进度 dashed: readable in grey
    assert f"'分单位逾期节点'!$C${units[A]}:$D${units[A]}" in titled[A]


def test_one_month_is_not_a_history(workspace) -> None:
    _record(workspace.root, ["2024-06"])
    code, output = _history(workspace.root)
    assert code == 1
    assert "台账中2024年只有2024年6月一个月的记录，逐月进度至少需要两个月" in output
    assert not (workspace.root / HISTORY).exists()


def test_no_ledger_is_said_and_not_created(workspace) -> None:
    code, output = _history(workspace.root)
    assert code == 1 and "台账中还没有任何月份的运行记录，逐月进度至少需要两个月" in output
    assert not (workspace.root / "history" / "ledger.sqlite").exists()


@pytest.mark.slow  # a fresh interpreter importing every command: one to two seconds
def test_other_commands_do_not_load_pandas() -> None:
    """Every command but history (and serve, which loads the web pages) stays clear of pandas."""
    code = ("import sys, importlib; from reportgen import cli, pipeline\n"
            "for name, (where, _) in cli.COMMANDS.items():\n"
            "    if name not in ('history', 'serve'): importlib.import_module(where.partition(':')[0])\n"
            "print(sorted(m for m in ('pandas', 'reportgen.history') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_city_gets_charts_of_the_projects_most_behind(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reportgen.history.MAX_CHARTS", 1)
    _record(workspace.root, ["2024-06", "2024-07"])
    assert _history(workspace.root)[0] == 0
    book = load_workbook(workspace.root / HISTORY)
    with zipfile.ZipFile(workspace.root / HISTORY) as z:
        titles = [re.search(r"<a:t>(.*?)</a:t>", z.read(n).decode("utf-8")).group(1)  # type: ignore[union-attr]
                  for n in sorted(z.namelist()) if re.match(r"xl/charts/chart\d+\.xml", n)]
    assert titles == ["甲项目", A]  # two months below 序时进度 beats 乙项目 ahead of it
    assert book["项目图表"]["A2"].value.startswith("共2个项目，这里附图的是截至2024年7月连续低于序时进度月数最多")


def test_another_recorded_year_is_pointed_to(workspace) -> None:
    _record(workspace.root, ["2024-06", "2024-07"])
    with Ledger(workspace.root / "history" / "ledger.sqlite") as ledger:  # January of the next year, run once
        plan = replace(make_plan(), year=2025)
        result = reconcile(plan, [], ledger.history("2025-01"), period_end("2025-01"), "2025-01", Config())
        ledger.record(plan, replace(result, submissions=[]))
    code, output = _history(workspace.root)
    assert code == 1
    assert "台账中2025年只有2025年1月一个月的记录" in output and "还有2024年的记录，可用 --year 指定" in output
    result = CliRunner().invoke(main, ["history", "--year", "2024年", "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert (workspace.root / HISTORY).is_file()


def test_a_year_never_run_is_said_with_the_years_that_were(workspace) -> None:
    _record(workspace.root, ["2024-06", "2024-07"])
    result = CliRunner().invoke(main, ["history", "--year", "2023", "-w", str(workspace.root)])
    assert result.exit_code == 1
    assert ("台账中没有2023年任何月份的运行记录，逐月进度至少需要两个月；"
            "台账中还有2024年的记录，可用 --year 指定") in result.output
