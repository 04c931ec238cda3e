"""Builders for the web tests: a workspace, the units' forms made by `forms`, filled by code."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

from reportgen.forms import FORMS_DIRNAME, form_filename, form_units, unit_rows, write_form
from reportgen.model import Item, Milestone, MilestoneKind, Plan, Section, Task, Unit
from reportgen.pipeline import make_forms
from reportgen.plan.master_writer import write_plan_workbook
from reportgen.plan.workbook import load_plan
from reportgen.workspace import Workspace, init_workspace, open_workspace
from tests.ingest_support import fill_form

PERIOD = "2024-08"
PASSWORD = "督查办-2024-secret"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sample_workspace(root: Path, settings: dict[str, str] | None = None, forms: int | None = 3) -> Workspace:
    """Return a workspace with the example plan and the blank forms of its first `forms` units
    (None: all, as `reportgen forms` makes them); `settings` replaces lines of reportgen.toml."""
    ws = init_workspace(root, sample=True)
    shutil.rmtree(ws.root / "input" / "submissions")
    (ws.root / "input" / "submissions").mkdir()
    if settings:
        toml = ws.root / "reportgen.toml"
        text = toml.read_text(encoding="utf-8")
        for key, value in settings.items():
            text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
            assert n == 1, key
        toml.write_text(text, encoding="utf-8")
        ws = open_workspace(ws.root)
    if forms is None:
        make_forms(ws, PERIOD)
        return ws
    plan = load_plan(ws.master_workbook(), ws.config)
    for unit in form_units(plan, ws.config)[:forms]:
        write_form(plan, ws.config, PERIOD, unit, ws.output_dir(PERIOD) / FORMS_DIRNAME / form_filename(unit))
    return ws


def wide_workspace(root: Path, units: int) -> Workspace:
    """Return a workspace whose plan has `units` units, one task each, with their blank forms."""
    ws = init_workspace(root)
    items = [
        Item(f"P{n:02d}", n, Section.PROJECT, f"第{n}号重点项目", None, tasks=[
            Task(f"P{n:02d}-0", 0, "推进项目建设", [name], [name], milestones=[
                Milestone(f"P{n:02d}-M01", dt.date(2024, 9, 30), "9月底前开工", MilestoneKind.STEP, None, [name])])])
        for n, name in enumerate((f"第{n}责任单位" for n in range(1, units + 1)), start=1)
    ]
    plan = Plan(2024, "2024年重点项目推进任务分解", "", items, [Unit(f"第{n}责任单位") for n in range(1, units + 1)])
    write_plan_workbook(plan, ws.plan_dir / f"{plan.title}.xlsx")
    make_forms(ws, PERIOD)
    return ws


def units_of(ws: Workspace) -> list[str]:
    """Return the units that have a form for PERIOD, in name order."""
    plan = load_plan(ws.master_workbook(), ws.config)
    return sorted({u for it in plan.items for t in it.tasks for u in t.units
                   if (ws.output_dir(PERIOD) / FORMS_DIRNAME / form_filename(u)).is_file()})


def filled_form(ws: Workspace, unit: str, dest: Path, broken: bool = False) -> Path:
    """Copy `unit`'s blank form to `dest` and fill it as the unit would; `broken` types a word
    into the first figure cell (or a wrong status) so that the check finds an error in a cell."""
    plan = load_plan(ws.master_workbook(), ws.config)
    rows = unit_rows(plan, ws.config, unit)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ws.output_dir(PERIOD) / FORMS_DIRNAME / form_filename(unit), dest)
    figures: dict[str, Any] = {f.key: round(0.5 + i * 0.25, 2) for i, f in enumerate(rows.figures)}
    answers: dict[str, dict[str, Any]] = {
        m.milestone.code: {"status": "推进中", "progress": f"{m.milestone.code}正在推进"} for m in rows.milestones}
    if broken:
        if figures:
            figures[next(iter(figures))] = "见附件"
        else:
            answers[next(iter(answers))]["completed_on"] = "下个月吧"
            answers[next(iter(answers))]["status"] = "已完成"
    return fill_form(dest, figures, answers, {"填报人": "李华", "联系电话": "13900000000",
                                              "填报日期": dt.date(2024, 9, 2)})


def csrf_of(html: str) -> str:
    """Return the CSRF token in a page's form."""
    found = _CSRF.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)
