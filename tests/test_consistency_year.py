"""A scripted quarter through the real CLI: forms made by `reportgen forms`, filled as units fill
them, `reportgen run` month by month, and every month's papers read back against summary.json.

The script has a phased amount missed in June and reached in July (逾期完成), a unit silent in
June and July, and a cumulative figure that falls in August (an error, never printed as 新增).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.cli import main
from tests.ingest_support import fill_form
from tests.test_consistency import MONTH_CHECKS, check_silence_escalated

ROOT = Path(__file__).resolve().parent.parent
PERIODS = ("2024-06", "2024-07", "2024-08")
YY = "现代医药产业招商服务中心"
JS = "建设管理部"
TH = "通航及纺织产业招商服务中心"
SILENT = {"2024-06": {TH}, "2024-07": {TH}, "2024-08": set()}
# Cumulative figures typed, by month; any other figure on a form stays at 0.1 all year.
FIGURES = {
    "P01/invest": {"2024-06": 0.8, "2024-07": 1.3, "2024-08": 1.5},  # 1亿 by 6-30: missed, then reached
    "P14/invest": {"2024-06": 2.4, "2024-07": 2.8, "2024-08": 2.5},  # falls below July's
}
DONE = {("2024-06", "P11-M02"): dt.date(2024, 6, 12), ("2024-07", "P12-M02"): dt.date(2024, 7, 5)}

pytestmark = pytest.mark.slow


def _codes(path: Path, sheet: str) -> list[str]:
    ws = load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(min_row=fs.HEADER_ROW, values_only=True))
    col = list(rows[0]).index(fs.FIGURE_HEADERS["code"])
    return [r[col] for r in rows[1:] if r and re.fullmatch(r"[PT]\d+(/\w+|-M\d+)", str(r[col]))]


def _fill(path: Path, period: str) -> None:
    figures = {k: FIGURES.get(k, {}).get(period, 0.1) for k in _codes(path, fs.SHEET_FIGURES)}
    answers: dict[str, dict[str, Any]] = {}
    for code in _codes(path, fs.SHEET_MILESTONES):
        done = next((d for (p, c), d in DONE.items() if c == code and p <= period), None)
        answers[code] = ({"status": "已完成", "completed_on": done, "progress": "已完成"} if done
                         else {"status": "推进中", "progress": "正在推进", "problems": "无"})
    fill_form(path, figures, answers)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("year") / "ws"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "input" / "plan", root / "input" / "plan")
    shutil.copy(ROOT / "reportgen.toml", root / "reportgen.toml")
    out: dict[str, dict[str, Any]] = {}
    for period in PERIODS:
        made = CliRunner().invoke(main, ["forms", "--period", period, "-w", str(root)])
        assert made.exit_code == 0, made.output
        inbox = root / "input" / "submissions" / period
        inbox.mkdir(parents=True)
        for form in sorted((root / "output" / period).rglob("*.xlsx")):
            if form.stem not in SILENT[period]:
                _fill(shutil.copy(form, inbox / form.name), period)
        shutil.rmtree(root / "output" / period)
        run = CliRunner().invoke(main, ["run", "--period", period, "-w", str(root)])
        folder = root / "output" / period
        summary = json.loads((folder / "summary.json").read_text("utf-8"))
        errors = any(i["severity"] == "error" for i in summary["issues"])
        assert run.exit_code == (1 if errors else 0), run.output  # errors found: exit 1
        out[period] = {"dir": folder, "terminal": run.output, "summary": summary}
    return out


@pytest.mark.parametrize("check", MONTH_CHECKS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("period", PERIODS)
def test_each_month_outputs_are_the_results(year: dict, period: str, check: Any) -> None:
    check(year[period])


def test_the_script_happened(year: dict) -> None:
    july, aug = (year[p]["summary"] for p in PERIODS[1:])
    m01 = {p: next(m for m in year[p]["summary"]["milestones"] if m["code"] == "P01-M01")
           for p in PERIODS}
    assert m01["2024-06"]["status"] == "overdue"
    assert m01["2024-07"]["status"] == "done_late"
    assert check_silence_escalated(year["2024-06"], year["2024-07"]) == {TH}
    assert next(u for u in july["units"] if u["name"] == TH)["missed_months"] == 2
    p14 = next(i for i in aug["items"] if i["code"] == "P14")
    assert p14["month_added_yi"] is None or p14["month_added_yi"] >= 0
    assert [(i["severity"], i["code"], i["unit"]) for i in aug["issues"]] == [
        ("error", "cumulative_decreased", JS)]
