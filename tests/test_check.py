"""校验报告.xlsx, 校验反馈/<unit>.xlsx and the `check` command."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen.checkreport import FEEDBACK_DIRNAME, REPORT_NAME, check_books, write_check_report
from reportgen.cli import main
from reportgen.config import Config
from reportgen.ingest import FileRead, IngestResult, read_submissions
from reportgen.model import Issue, Severity, Submission
from tests.ingest_support import ECON, EQUIP, LAND, MED, land_and_econ_forms, make_form, make_plan

PERIOD = "2024-06"
FOOTER = {"填报人": "王芳", "联系电话": "1", "填报日期": dt.date(2024, 7, 2)}


def _batch(folder: Path, plan=None) -> None:  # type: ignore[no-untyped-def]
    plan = plan or make_plan()
    make_form(plan, MED, PERIOD, folder / f"{MED}.xlsx", {"P01/invest": "见附件", "P03/invest": "约0.5亿元"},
              {"P03-M01": {"status": "已完成", "completed_on": dt.date(2024, 6, 3)}}, FOOTER)
    make_form(plan, LAND, PERIOD, folder / f"{LAND}.xlsx", {},
              {c: {"status": "推进中"} for c in ("P07-M01", "P07-M02", "P07-M03", "T01-M01")}, FOOTER)
    (folder / "坏文件.xlsx").write_bytes(b"not a workbook")


@pytest.fixture
def report(tmp_path: Path) -> tuple[IngestResult, list[Path]]:
    plan = make_plan()
    _batch(tmp_path / "in", plan)
    result = read_submissions(tmp_path / "in", plan, Config(), PERIOD)
    return result, write_check_report(result, plan, PERIOD, tmp_path / "out", today=dt.date(2024, 7, 2))


def test_report_lists_every_issue_filterable_and_print_ready(report: tuple[IngestResult, list[Path]]) -> None:
    result, paths = report
    assert paths[0].name == REPORT_NAME
    wb = load_workbook(paths[0])
    ws = wb["校验问题"]
    assert [c.value for c in ws[3]] == ["序号", "单位", "文件", "工作表", "单元格", "级别", "问题类型", "问题说明"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert len(rows) == len(result.issues)
    bad = next(r for r in rows if r[6] == "数字无法识别")
    assert bad[1:6] == [MED, f"{MED}.xlsx", "投资完成情况", "F4", "错误"] and "见附件" in bad[7]
    assert any(r[6] == "数字为约数" and r[5] == "警告" for r in rows)
    # no English code anywhere a reader sees
    assert not any(re.search(r"[a-z]_[a-z]", str(v)) for r in rows for v in r)
    stray = next(r for r in rows if r[2] == "坏文件.xlsx")
    assert stray[1] == "（未能识别单位）" and stray[6] == "不是表格文件"
    # errors first within a unit, unidentified files last
    assert rows[-1][2] == "坏文件.xlsx" and rows[0][5] == "错误"
    assert ws.auto_filter.ref == f"A3:H{3 + len(rows)}"
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["A1"].value == "2024年6月重点项目报送表校验报告"
    assert ws["A1"].font.name == "黑体" and ws["G4"].font.name == "仿宋_GB2312"
    assert ws.cell(4 + rows.index(bad), 6).fill.fgColor.rgb.endswith("F8CBAD")
    assert "&P" in ws.oddFooter.center.text
    status = wb["报送情况"]
    table = {r[1].value: [c.value for c in r] for r in status.iter_rows(min_row=4)}
    assert table[MED][2] == "已报送" and table[MED][6] == 1 and table[MED][7] == 1
    assert table[ECON][2] == "未报送" and table[EQUIP][2] == "未报送"
    assert table["（未能识别单位）"][3] == "坏文件.xlsx"


def test_feedback_never_asks_for_the_form_by_a_day_gone(report: tuple[IngestResult, list[Path]]) -> None:
    """Before the day to report by (2024-07-05) the 校验反馈 asks for the corrected form by it; after
    it (a late check, the run's papers of 7月8日) by the day the 催报通知 gives (3 working days: 7月11日)."""
    result, _ = report
    for today, by in ((dt.date(2024, 7, 5), "2024年7月5日前"), (dt.date(2024, 7, 8), "2024年7月11日前")):
        sheet = check_books(result, make_plan(), PERIOD, Config(), today).feedback[MED]
        assert f"于{by}重新报送。" in sheet.cells[2, 1][0], sheet.cells[2, 1][0]


def test_feedback_only_for_units_with_problems_and_only_their_own(
        report: tuple[IngestResult, list[Path]]) -> None:
    _, paths = report
    feedback = [p for p in paths if p.parent.name == FEEDBACK_DIRNAME]
    assert [p.name for p in feedback] == [f"{MED}.xlsx"]
    ws = load_workbook(feedback[0]).active
    assert ws["A1"].value == "2024年6月重点项目报送表校验反馈"
    # the print layout breaks the lines by hand: read the text without them
    flat = {c.coordinate: c.value.replace("\n", "") if isinstance(c.value, str) else c.value
            for r in ws.iter_rows() for c in r}
    assert flat["A2"].startswith(f"{MED}：") and "2024年7月5日前重新报送" in flat["A2"]
    # the office's one form of address, as in every notice it sends (你单位负责的以下……)
    assert f"{MED}：你单位报送的《{MED}.xlsx》经校验" in flat["A2"]
    assert "贵单位" not in "".join(str(v) for v in flat.values() if v)
    rows = [[flat[c.coordinate] for c in r] for r in ws.iter_rows(min_row=4, max_col=6)
            if isinstance(r[0].value, int)]
    assert {r[1] for r in rows} == {f"{MED}.xlsx"}
    assert [r[4] for r in rows][:2] == ["错误", "警告"]
    note = flat[ws.cell(4 + len(rows) + 1, 1).coordinate]
    assert "张明" in note and "0352-1234567" in note


def test_typed_text_is_never_a_formula(tmp_path: Path) -> None:
    plan = make_plan()
    issue = Issue(Severity.ERROR, "=HYPERLINK(\"x\")", "bad_number", "=1+1.xlsx", "S", "A1", MED)
    sub = Submission(MED, PERIOD, str(tmp_path / "=1+1.xlsx"), issues=[issue])
    result = IngestResult([sub], [issue], [], [FileRead(tmp_path / "=1+1.xlsx", "=1+1.xlsx", sub, [issue], True)])
    paths = write_check_report(result, plan, PERIOD, tmp_path)
    ws = load_workbook(paths[0])["校验问题"]
    assert ws["C4"].value == "=1+1.xlsx" and ws["C4"].data_type == "s"
    assert ws["H4"].data_type == "s"


def test_empty_batch_writes_a_report_saying_so(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = read_submissions(tmp_path / "in", make_plan(), Config(), PERIOD)
    paths = write_check_report(result, make_plan(), PERIOD, tmp_path / "out")
    ws = load_workbook(paths[0])["校验问题"]
    assert ws["A4"].value == "未发现问题。" and len(paths) == 1
    assert ws.print_area == "'校验问题'!$A$1:$H$4"  # the sentence prints


# ---------------------------------------------------------------- the command


@pytest.fixture
def ws_dir(workspace) -> Path:  # type: ignore[no-untyped-def]
    land_and_econ_forms(workspace, PERIOD, FOOTER)
    return workspace.root


def test_check_clean_batch_exits_0_and_prints_each_unit(ws_dir: Path) -> None:
    r = CliRunner().invoke(main, ["check", "--period", "2024-06", "-w", str(ws_dir)])
    assert r.exit_code == 0, r.output
    assert "应报 4 个单位，已报送 2 个，未报送 2 个" in r.output
    line = next(x for x in r.output.splitlines() if LAND in x)
    assert "已报送" in line and "错误 0" in line and "警告 0" in line
    assert any(MED in x and "未报送" in x for x in r.output.splitlines())
    assert "全部文件校验通过" in r.output
    assert (ws_dir / "output" / PERIOD / REPORT_NAME).exists()
    assert not (ws_dir / "output" / PERIOD / FEEDBACK_DIRNAME).exists()


def test_check_with_problems_exits_1(ws_dir: Path) -> None:
    from reportgen.plan.workbook import load_plan

    folder = ws_dir / "input" / "submissions" / PERIOD
    plan = load_plan(next((ws_dir / "input" / "plan").glob("*.xlsx")), Config())
    make_form(plan, MED, PERIOD, folder / f"{MED}.xlsx", {"P01/invest": "很多", "P03/invest": 0.2},
              {"P03-M01": {"status": "推进中"}}, FOOTER)
    (folder / "~$锁定.xlsx").write_bytes(b"lock")
    r = CliRunner().invoke(main, ["check", "-p", "2024-6", "-w", str(ws_dir)])
    assert r.exit_code == 1, r.output
    line = next(x for x in r.output.splitlines() if MED in x and "报送" in x)
    assert "错误 1" in line and "警告 0" in line
    assert "校验反馈（1 个单位）" in r.output
    assert (ws_dir / "output" / PERIOD / FEEDBACK_DIRNAME / f"{MED}.xlsx").exists()


def test_check_without_folder_is_a_clear_error(ws_dir: Path) -> None:
    r = CliRunner().invoke(main, ["check", "--period", "2024-09", "-w", str(ws_dir)])
    assert r.exit_code == 1 and "报送文件夹不存在" in r.output


def test_check_bad_period_is_a_usage_error(ws_dir: Path) -> None:
    r = CliRunner().invoke(main, ["check", "--period", "2024-13", "-w", str(ws_dir)])
    assert r.exit_code == 2 and "不是有效的月份" in r.output
