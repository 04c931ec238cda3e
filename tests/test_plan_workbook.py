"""The master workbook: written for staff, read back as the source of truth, edits honoured."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reportgen.config import Config, load_config
from reportgen.errors import PlanError
from reportgen.model import Item, Milestone, MilestoneKind, Plan, Section, Task, Unit, plan_version
from reportgen.plan.importer import import_document
from reportgen.plan.master_writer import write_plan_workbook
from reportgen.plan.workbook import load_plan

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "reportgen.toml")


@pytest.fixture(scope="module")
def seed_plan() -> Plan:
    return import_document(ROOT / "input/plan/source/2024年重点项目推进任务分解.txt", CONFIG).plan


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, seed_plan: Plan) -> Path:
    """The seed plan's master workbook, written once for the module."""
    return write_plan_workbook(seed_plan, tmp_path_factory.mktemp("plan") / "总表.xlsx")


@pytest.fixture
def book(tmp_path: Path, written: Path) -> Path:
    """A copy of the master workbook for one test to edit."""
    return Path(shutil.copy2(written, tmp_path / "总表.xlsx"))


def test_round_trip_is_identity(book: Path, seed_plan: Plan) -> None:
    assert load_plan(book, CONFIG) == seed_plan


def test_committed_example_workbook_matches_the_seed(seed_plan: Plan) -> None:
    committed = ROOT / "input/plan/2024年重点项目推进任务分解.xlsx"
    assert load_plan(committed, CONFIG) == seed_plan


def test_sheets_headers_and_layout_for_staff(book: Path) -> None:
    wb = load_workbook(book)
    assert wb.sheetnames == ["说明", "项目", "任务", "节点", "单位", "导入原样"]
    assert [ws.sheet_state for ws in wb] == ["visible"] * 5 + ["hidden"]
    ms = wb["节点"]
    assert [c.value for c in ms[1]] == [
        "节点编号", "任务编号", "完成时限", "时限原文", "节点要求", "类型", "金额（亿元）",
        "责任单位（空为同任务）"]
    assert ms.freeze_panes == "B2"
    assert ms.auto_filter.ref == f"A1:H{ms.max_row}"
    assert ms["E2"].alignment.wrap_text is True
    assert ms.column_dimensions["E"].width >= 40
    assert ms["C2"].number_format == "yyyy-mm-dd"
    assert isinstance(ms["C2"].value, dt.datetime)
    assert ms["A1"].font.bold
    info = wb["说明"]
    assert (info["A1"].value, info["B1"].value) == ("标题", "2024年重点项目推进任务分解")
    assert info["B2"].value == 2024


def _edit(book: Path, sheet: str, cell: str, value: object) -> None:
    wb = load_workbook(book)
    wb[sheet][cell] = value
    wb.save(book)


def _row_of(book: Path, sheet: str, code: str) -> int:
    ws = load_workbook(book)[sheet]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)


def test_changed_date_is_honoured_and_changes_version(book: Path, seed_plan: Plan) -> None:
    row = _row_of(book, "节点", "P07-M02")
    _edit(book, "节点", f"C{row}", dt.datetime(2024, 7, 15))
    plan = load_plan(book, CONFIG)
    m = plan.item("P07").milestones[1]
    assert (m.code, m.due) == ("P07-M02", dt.date(2024, 7, 15))
    assert plan.version != seed_plan.version
    assert plan.version == plan_version(plan)


def test_date_typed_as_chinese_text_is_read(book: Path) -> None:
    row = _row_of(book, "节点", "P07-M02")
    _edit(book, "节点", f"C{row}", "2024年7月15日")
    assert load_plan(book, CONFIG).item("P07").milestones[1].due == dt.date(2024, 7, 15)


def test_added_milestone_row_without_code_gets_next_code(book: Path) -> None:
    wb = load_workbook(book)
    ws = wb["节点"]
    ws.append([None, "P13-0", dt.datetime(2024, 11, 30), "", "11月底前完成主体施工", "审批建设",
               None, ""])
    wb.save(book)
    item = load_plan(book, CONFIG).item("P13")
    added = item.milestones[-1]
    assert (added.code, added.due, added.units) == (
        "P13-M03", dt.date(2024, 11, 30), ["大同市御东污水处理有限责任公司"])


def test_renamed_unit_with_old_name_as_alias(book: Path) -> None:
    row = _row_of(book, "单位", "经发投")
    _edit(book, "单位", f"A{row}", "经济发展投资公司")
    _edit(book, "单位", f"B{row}", "经发投")
    plan = load_plan(book, CONFIG)
    assert plan.item("P09").tasks[1].units == ["经济发展投资公司"]
    assert "经发投" not in plan.unit_names()


def test_task_units_edit_carries_to_its_milestones(book: Path) -> None:
    _edit(book, "任务", f"E{_row_of(book, '任务', 'P07-2')}", "建设管理部、经济运行与安全监管部")
    _edit(book, "任务", f"F{_row_of(book, '任务', 'P07-2')}", "")
    task = load_plan(book, CONFIG).item("P07").tasks[2]
    assert task.code == "P07-2"
    assert task.lead_units == ["建设管理部"]
    assert task.milestones[0].units == ["建设管理部", "经济运行与安全监管部"]


def test_deleted_task_with_its_milestones(book: Path) -> None:
    wb = load_workbook(book)
    tasks, ms = wb["任务"], wb["节点"]
    tasks.delete_rows(next(r for r in range(2, tasks.max_row + 1) if tasks.cell(r, 1).value == "P11-4"))
    wb.save(book)
    plan = load_plan(book, CONFIG)
    assert [t.code for t in plan.item("P11").tasks] == ["P11-0", "P11-1", "P11-2", "P11-3", "P11-5"]
    assert ms.max_row > 1


@pytest.mark.parametrize(
    ("sheet", "code", "col", "value", "message"),
    [
        ("节点", "P07-M02", "C", "下个月", r"“节点”第\d+行“完成时限”列（C\d+）：“下个月”不是日期"),
        ("节点", "P07-M02", "H", "不存在的局", r"“责任单位（空为同任务）”列（H\d+）：单位“不存在的局”不在“单位”表中"),
        ("节点", "P07-M03", "A", "P07-M02", r"“节点”第\d+行“节点编号”列（A\d+）：编号“P07-M02”重复"),
        ("任务", "P07-1", "E", "某某办", r"“任务”第\d+行“责任单位”列（E\d+）"),
        ("节点", "P07-M02", "G", "很多", r"“金额（亿元）”列（G\d+）：“很多”不是数字"),
        ("节点", "P07-M02", "F", "随便", r"“类型”列（F\d+）：类型“随便”无法识别"),
        ("项目", "P02", "A", "P01", r"“项目”第3行“项目编号”列（A3）：编号“P01”重复"),
    ],
)
def test_broken_edit_names_sheet_row_and_column(
    book: Path, sheet: str, code: str, col: str, value: str, message: str
) -> None:
    _edit(book, sheet, f"{col}{_row_of(book, sheet, code)}", value)
    with pytest.raises(PlanError, match=message):
        load_plan(book, CONFIG)


def test_orphan_milestone_of_deleted_task_is_an_error(book: Path) -> None:
    wb = load_workbook(book)
    tasks = wb["任务"]
    tasks.delete_rows(next(r for r in range(2, tasks.max_row + 1) if tasks.cell(r, 1).value == "P07-2"))
    wb.save(book)
    with pytest.raises(PlanError, match=r"“节点”第\d+行“任务编号”列.*“P07-2”不在“任务”表中"):
        load_plan(book, CONFIG)


def test_not_a_workbook_and_missing_sheet(tmp_path: Path, book: Path) -> None:
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(PlanError, match="不是有效的 Excel 工作簿"):
        load_plan(bad, CONFIG)
    wb = load_workbook(book)
    del wb["单位"]
    wb.save(book)
    with pytest.raises(PlanError, match="缺少工作表“单位”"):
        load_plan(book, CONFIG)


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
).map(str.strip).filter(bool)
_AMOUNT = st.floats(0, 1000).map(lambda x: round(x, 4))
_NAME = _TEXT.filter(lambda s: not any(ch in s for ch in "、，,；;"))


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    unit_names = draw(st.lists(_NAME, min_size=1, max_size=4, unique=True))
    units = [Unit(name=n) for n in unit_names]
    items = []
    for i in range(draw(st.integers(1, 3))):
        code = f"P{i + 1:02d}"
        tasks = []
        for t in range(draw(st.integers(1, 2))):
            task_units = draw(st.lists(st.sampled_from(unit_names), min_size=1, unique=True))
            milestones = [
                Milestone(
                    code=f"{code}-M{t}{k}", due=draw(st.one_of(st.none(), st.dates(
                        dt.date(2000, 1, 1), dt.date(2099, 12, 31)))),
                    text=draw(st.one_of(_TEXT, st.just("=SUM(A1:A2)"), st.just("-1"))),
                    kind=draw(st.sampled_from(list(MilestoneKind))),
                    amount_yi=draw(st.one_of(st.none(), _AMOUNT)),
                    units=draw(st.sampled_from([list(task_units), task_units[:1]])),
                    due_text=draw(st.one_of(st.just(""), _TEXT)),
                )
                for k in range(draw(st.integers(0, 2)))
            ]
            tasks.append(Task(code=f"{code}-{t}", no=t, text=draw(_TEXT), units=task_units,
                              lead_units=task_units[:1], requirements=draw(st.lists(_TEXT, max_size=2)),
                              milestones=milestones))
        items.append(Item(code=code, no=i + 1, section=draw(st.sampled_from(list(Section))),
                          name=draw(_TEXT), target_yi=draw(st.one_of(st.none(), _AMOUNT)),
                          target_note=draw(st.sampled_from(["", "含设备", "设备", "含土地"])),
                          text=draw(_TEXT), tasks=tasks))
    plan = Plan(year=draw(st.integers(2000, 2099)), title=draw(_TEXT), version="", items=items,
                units=units)
    plan.version = plan_version(plan)
    return plan


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans())
def test_any_plan_round_trips(tmp_path: Path, plan: Plan) -> None:
    path = write_plan_workbook(plan, tmp_path / "p.xlsx")
    assert load_plan(path, Config()) == plan


def test_the_master_is_read_once_and_again_after_an_edit(tmp_path: Path, seed_plan: Plan,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen.plan import workbook
    from reportgen.workspace import Workspace

    ws = Workspace(tmp_path, CONFIG)
    book = write_plan_workbook(seed_plan, ws.plan_dir / "总表.xlsx")
    reads: list[Path] = []
    original = workbook._read_plan

    def counted(path: Path, config: Config) -> tuple[Plan, bytes]:
        reads.append(path)
        return original(path, config)

    monkeypatch.setattr(workbook, "_read_plan", counted)
    assert workbook.load_master(ws) == seed_plan and len(reads) == 1
    assert workbook.load_master(ws) == seed_plan and len(reads) == 1  # kept in history/
    _edit(book, "节点", f"C{_row_of(book, '节点', 'P07-M02')}", dt.datetime(2024, 7, 15))  # staff move a date
    edited = workbook.load_master(ws)
    assert len(reads) == 2 and edited.version != seed_plan.version
    assert edited == original(book, CONFIG)[0]
    changed = Workspace(tmp_path, Config())  # another configuration reads the workbook afresh
    workbook.load_master(changed)
    assert len(reads) == 3
