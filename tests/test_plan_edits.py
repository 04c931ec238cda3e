"""Re-import keeps the staff's edits to the master workbook, says which, and only when there are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.config import load_config
from reportgen.model import plan_text
from reportgen.plan.importer import import_document
from reportgen.plan.workbook import load_imported, load_plan
from tests.test_plan_json import json_content

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "input" / "plan" / "source" / "2024年重点项目推进任务分解.txt"
MED = "现代医药产业招商服务中心"


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _workbook(root: Path) -> Path:
    [path] = [p for p in (root / "input" / "plan").glob("*.xlsx")]
    return path


def _row(ws: Any, code: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)


def _edit_as_staff(path: Path) -> None:
    """Move P07-M03's date, add a unit to P01, delete P05-M01, add a milestone to P07-1."""
    wb = openpyxl.load_workbook(path)
    ms = wb["节点"]
    ms.cell(_row(ms, "P07-M03"), 3).value = dt.datetime(2024, 9, 10)
    ms.delete_rows(_row(ms, "P05-M01"))
    new = ms.max_row + 1
    for col, value in enumerate([None, "P07-1", dt.datetime(2024, 9, 30), "9月30日前",
                                 "9月30日前完成场地平整", "审批建设"], start=1):
        ms.cell(new, col).value = value
    tasks = wb["任务"]
    tasks.cell(_row(tasks, "P01-0"), 5).value = f"{MED}、建设管理部"
    wb.save(path)


def _init(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "督办"
    assert _cli("init", str(root), "--empty").exit_code == 0
    ws = ["-w", str(root)]
    assert _cli("plan", "import", str(SEED), *ws).exit_code == 0
    return root, ws


def _revised(tmp_path: Path) -> Path:
    """The document revised: P01's target raised, P07's land approval moved to 9月20日."""
    text = SEED.read_text("utf-8")
    text = text.replace("2024年工业投资任务3亿元以上。服务保障", "2024年工业投资任务3.5亿元以上。服务保障")
    text = text.replace("8月底完成土地报批", "9月20日前完成土地报批")
    path = tmp_path / "2024年重点项目推进任务分解（调整）.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_import_is_remembered_in_a_hidden_sheet(tmp_path: Path) -> None:
    root, _ = _init(tmp_path)
    path = _workbook(root)
    assert openpyxl.load_workbook(path)["导入原样"].sheet_state == "hidden"
    config = load_config(root / "reportgen.toml")
    assert load_imported(path) == load_plan(path, config)
    assert load_plan(path, config) == import_document(SEED, config).plan


@pytest.mark.slow
def test_the_hidden_sheet_keeps_the_plans_text_and_reads_an_earlier_versions(tmp_path: Path) -> None:
    """The sheet holds `plan_text` (the one text a plan is kept as); a workbook an earlier version
    wrote holds the plan as one JSON object of every field, and is still read the same."""
    root, _ = _init(tmp_path)
    path = _workbook(root)
    plan = load_plan(path, load_config(root / "reportgen.toml"))
    book = openpyxl.load_workbook(path)
    sheet = book["导入原样"]
    assert "".join(str(r[0].value) for r in sheet.iter_rows(min_row=2) if r[0].value) == plan_text(plan)
    old = json_content(plan)
    sheet.delete_rows(2, sheet.max_row)
    for row, start in enumerate(range(0, len(old), 30000), start=2):
        sheet.cell(row=row, column=1, value=old[start:start + 30000])
    book.save(path)
    assert load_imported(path) == plan


def test_reimport_without_edits_says_nothing_about_edits(tmp_path: Path) -> None:
    _, ws = _init(tmp_path)
    again = _cli("plan", "import", str(SEED), *ws)
    assert again.exit_code == 0
    assert "两版任务分解的项目和节点没有变化" in again.output
    assert "人工修改" not in again.output


def test_staff_edits_are_kept_listed_and_overwritten_only_where_the_document_changed(
        tmp_path: Path) -> None:
    root, ws = _init(tmp_path)
    _edit_as_staff(_workbook(root))
    result = _cli("plan", "import", str(_revised(tmp_path)), *ws)
    assert result.exit_code == 0, result.output
    out = result.output
    kept = out[out.index("原总表中的人工修改已保留（3 处）："):].splitlines()[1:4]
    assert [line.strip() for line in kept] == [
        f"任务 P01-0 责任单位：{MED} → {MED}、建设管理部",
        "删除节点 P05-M01",
        "新增节点 P07-M11",
    ]
    dropped = out[out.index("以下人工修改所涉内容新文件也作了调整，已按新文件覆盖（1 处）"):]
    assert dropped.splitlines()[1].strip() == "节点 P07-M03 完成时限：2024-08-31 → 2024-09-10"

    plan = load_plan(_workbook(root), load_config(root / "reportgen.toml"))
    assert plan.item("P01").target_yi == 3.5
    assert plan.item("P01").tasks[0].units == [MED, "建设管理部"]
    assert all(m.units == [MED, "建设管理部"] for m in plan.item("P01").milestones)
    assert "P05-M01" not in {m.code for m in plan.milestones}
    p07 = {m.code: (m.due, m.text) for m in plan.item("P07").milestones}
    assert p07["P07-M03"] == (dt.date(2024, 9, 20), "9月20日前完成土地报批")
    assert p07["P07-M11"] == (dt.date(2024, 9, 30), "9月30日前完成场地平整")

    # the kept edits are still edits: the next import finds them again
    again = _cli("plan", "import", str(_revised(tmp_path)), *ws)
    assert "原总表中的人工修改已保留（3 处）" in again.output
    assert "已按新文件覆盖" not in again.output


def test_discard_edits_writes_the_document_as_it_is(tmp_path: Path) -> None:
    root, ws = _init(tmp_path)
    _edit_as_staff(_workbook(root))
    result = _cli("plan", "import", str(_revised(tmp_path)), "--discard-edits", *ws)
    assert result.exit_code == 0, result.output
    assert "原总表中的人工修改未保留（--discard-edits，4 处）" in result.output
    config = load_config(root / "reportgen.toml")
    plan = load_plan(_workbook(root), config)
    assert plan.item("P01").tasks[0].units == [MED]
    assert "P05-M01" in {m.code for m in plan.milestones}
    assert "P07-M11" not in {m.code for m in plan.milestones}


def test_a_workbook_from_an_earlier_version_says_edits_cannot_be_told(tmp_path: Path) -> None:
    root, ws = _init(tmp_path)
    path = _workbook(root)
    wb = openpyxl.load_workbook(path)
    del wb["导入原样"]
    wb.save(path)
    result = _cli("plan", "import", str(_revised(tmp_path)), *ws)
    assert "原总表由早期版本生成，无法区分其中的人工修改" in result.output
    assert "已保留" not in result.output
