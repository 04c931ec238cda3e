"""A problem in a returned form is one row of 校验报告, the same in `check` and in `run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.checking import check_period
from reportgen.forms import unit_rows
from reportgen.pipeline import run_period
from reportgen.plan.workbook import load_plan
from tests.ingest_support import fill_form
from tests.web_support import PERIOD, filled_form, sample_workspace, units_of

pytestmark = pytest.mark.slow  # forms for every unit, a check and a run (~4 s)


def _problems(report: Path) -> list[dict[str, object]]:
    """Return the rows of 校验报告's 校验问题 sheet as header -> value."""
    ws = load_workbook(report, read_only=True)["校验问题"]
    rows = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[0] is not None and r[1] is not None]


def test_done_without_a_date_is_one_warning_in_check_and_run(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws", forms=None)
    plan = load_plan(ws.master_workbook(), ws.config)
    unit, node = next((u, m.milestone) for u in units_of(ws)
                      for m in unit_rows(plan, ws.config, u).milestones if list(m.milestone.units) == [u])
    form = filled_form(ws, unit, ws.root / "input" / "submissions" / PERIOD / f"{unit}.xlsx")
    fill_form(form, milestones={node.code: {"status": "已完成"}})  # 实际完成日期 left empty
    book = load_workbook(form)[fs.SHEET_MILESTONES]
    row = next(r for r in range(fs.FIRST_DATA_ROW, book.max_row + 1)
               if book.cell(r, 1).value == node.code)

    check_period(ws, PERIOD)
    checked = _problems(ws.output_dir(PERIOD) / "校验报告.xlsx")
    run_period(ws, PERIOD)
    ran = _problems(ws.output_dir(PERIOD) / "校验报告.xlsx")
    summary = json.loads((ws.output_dir(PERIOD) / "summary.json").read_text("utf-8"))

    for rows in (checked, ran):
        on_row = [r for r in rows if r["单位"] == unit and str(r["单元格"]).endswith(str(row))]
        assert [r["问题类型"] for r in on_row] == ["未填完成日期"], on_row
    assert len(ran) == len(checked) == len(summary["issues"])
