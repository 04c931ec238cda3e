"""校验报告 and 校验反馈 are written as a package (reportgen.xlsx_package), without openpyxl: the office
sees what openpyxl wrote — the same cells, styles, merges, widths, heights and print settings,
and a 校验反馈's lines and pages laid out as reportgen.render.xlsx_layout and reportgen.pages lay
out a sheet openpyxl holds."""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from python_calamine import CalamineWorkbook

from reportgen.checkreport import (
    FEEDBACK_DIRNAME,
    REPORT_NAME,
    CheckBooks,
    check_books,
    write_check_report,
)
from reportgen.ingest import IngestResult, read_submissions
from reportgen.model import Plan
from reportgen.pages import paginate
from reportgen.plan.workbook import load_master
from reportgen.render.xlsx_layout import lay_out_text
from reportgen.sheets import number_pages, print_a4
from reportgen.workspace import Workspace, init_workspace
from reportgen.xlsx_package import THEME_PATH, CellStyle, Sheet
from tests.conftest import needs_libreoffice
from tests.test_forms_libreoffice import soffice
from tests.xlsx_compare import look

PERIOD = "2024-06"
# two units' forms filled carelessly all over: a 校验反馈 of several pages each
CARELESS = ("现代服务业招商服务中心", "装备制造及大数据产业招商服务中心")
_TIME = re.compile(r"生成时间：.*$")


def _fill_carelessly(path: Path) -> None:
    wb = load_workbook(path)
    figures, nodes = wb["投资完成情况"], wb["节点推进情况"]
    for r in range(4, figures.max_row + 1):
        if figures.cell(r, 1).value:
            figures.cell(r, 6).value = "见附件" if r % 2 else "约1.2亿元，其中设备、土建<待核>&安装另报"
    for r in range(4, nodes.max_row + 1):
        if nodes.cell(r, 1).value:
            nodes.cell(r, 6).value = ("差不多", "已完成一半", "已基本完成", "部分完成")[r % 4]
            nodes.cell(r, 7).value = "六月中旬"
    wb.save(path)


@pytest.fixture(scope="module")
def careless(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Plan, IngestResult]:
    """The sample workspace's June forms, two of them filled carelessly, one file not a workbook."""
    ws = init_workspace(tmp_path_factory.mktemp("careless") / "ws", sample=True)
    folder = ws.submissions_dir(PERIOD)
    for unit in CARELESS:
        _fill_carelessly(folder / f"{unit}.xlsx")
    (folder / "说明.xlsx").write_bytes(b"not a workbook")
    plan = load_master(ws)
    return ws, plan, read_submissions(folder, plan, ws.config, PERIOD)


def _style(cell: Any, style: CellStyle) -> None:
    cell.font = Font(name=style.font, size=style.size, bold=style.bold)
    if style.fill:
        cell.fill = PatternFill("solid", fgColor=style.fill)
    if style.border:
        side = Side(style="thin", color=style.border)
        cell.border = Border(left=side, right=side, top=side, bottom=side)
    if style.horizontal or style.vertical or style.wrap:
        cell.alignment = Alignment(horizontal=style.horizontal, vertical=style.vertical,
                                   wrap_text=style.wrap or None)


def _openpyxl_sheet(ws: Any, sheet: Sheet, looks: list[CellStyle], font: str) -> None:
    """Put `sheet` into the openpyxl sheet `ws` as the reports were written with openpyxl."""
    for (r, c), (value, style) in sheet.cells.items():
        cell = ws.cell(r, c, value)
        if isinstance(value, str):
            cell.data_type = "s"
        if style:
            _style(cell, looks[style - 1])
    for top, left, bottom, right in sheet.merges:
        ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    for c, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[chr(64 + c)].width = width
    for r, height in sheet.heights.items():
        ws.row_dimensions[r].height = height
    ws.auto_filter.ref = sheet.auto_filter
    ws.freeze_panes = f"A{sheet.frozen_rows + 1}"
    ws.print_title_rows = sheet.print_titles
    ws.print_area = sheet.print_area
    print_a4(ws, landscape=sheet.landscape, centered=sheet.centered)
    m = ws.page_margins
    m.left, m.right, m.top, m.bottom, m.header, m.footer = sheet.margins
    number_pages(ws, font=f"{font},Regular")


def _openpyxl_books(books: CheckBooks, font: str, out: Path) -> None:
    """Write the 校验报告 and 校验反馈 of `books` with openpyxl, each 校验反馈 laid out for print
    by the layout of the workbooks openpyxl holds."""
    books = copy.deepcopy(books)
    wb = Workbook()
    _openpyxl_sheet(wb.active, books.report[0], books.styles.looks, font)
    wb.active.title = books.report[0].title
    _openpyxl_sheet(wb.create_sheet(books.report[1].title), books.report[1], books.styles.looks, font)
    out.mkdir(parents=True)
    wb.save(out / REPORT_NAME)
    (out / FEEDBACK_DIRNAME).mkdir()
    for unit, sheet in books.feedback.items():
        wb = Workbook()
        wb.active.title = sheet.title
        _openpyxl_sheet(wb.active, sheet, books.styles.looks, font)
        lay_out_text(wb.active, skip_rows=frozenset({3}))
        paginate(wb.active)
        wb.save(out / FEEDBACK_DIRNAME / f"{unit}.xlsx")


def _looks(folder: Path) -> dict[str, Any]:
    """What the office sees of every workbook in `folder` (the time the report was written aside)."""
    out = {}
    for path in sorted(folder.rglob("*.xlsx")):
        seen = look(path)
        for sheet in seen.values():
            if "A2" in sheet["cells"]:
                value, *rest = sheet["cells"]["A2"]
                sheet["cells"]["A2"] = (_TIME.sub("", value), *rest)
        out[path.relative_to(folder).as_posix()] = seen
    return out


def test_the_theme_is_the_one_openpyxl_writes() -> None:
    from openpyxl.writer.theme import theme_xml

    assert THEME_PATH.read_bytes() == theme_xml.encode("utf-8"), "python -m tools.make_xlsx_theme"


@pytest.mark.slow
def test_reports_look_as_openpyxl_wrote_them(careless: tuple[Workspace, Plan, IngestResult],
                                              tmp_path: Path) -> None:
    ws, plan, result = careless
    written = write_check_report(result, plan, PERIOD, tmp_path / "package", ws.config)
    _openpyxl_books(check_books(result, plan, PERIOD, ws.config), ws.config.fonts.table, tmp_path / "openpyxl")
    assert sorted(p.relative_to(tmp_path / "package").as_posix() for p in written) == [
        *(f"{FEEDBACK_DIRNAME}/{u}.xlsx" for u in sorted(CARELESS)), REPORT_NAME]
    package, openpyxl = _looks(tmp_path / "package"), _looks(tmp_path / "openpyxl")
    assert package == openpyxl
    # the layout was put to work: lines broken, rows grown, pages ended
    feedback = package[f"{FEEDBACK_DIRNAME}/{CARELESS[0]}.xlsx"]["校验反馈"]
    assert len(feedback["print"]["breaks"]) >= 1
    assert any("\n" in str(cell[0]) for cell in feedback["cells"].values())
    assert feedback["print"]["footer"][1] == ("第 &P 页，共 &N 页", f"{ws.config.fonts.table},Regular", None)


@pytest.mark.slow
def test_reports_read_back_alike_by_openpyxl_and_calamine(careless: tuple[Workspace, Plan, IngestResult],
                                                          tmp_path: Path) -> None:
    ws, plan, result = careless
    for path in write_check_report(result, plan, PERIOD, tmp_path, ws.config):
        with zipfile.ZipFile(path) as package:  # written by xlsx_package._zip: every member's CRC holds
            assert package.testzip() is None and "xl/theme/theme1.xml" in package.namelist()
        wb = load_workbook(path)
        calamine = CalamineWorkbook.from_path(str(path))
        assert calamine.sheet_names == wb.sheetnames
        for name in wb.sheetnames:
            by_openpyxl = [[c if c is not None else "" for c in row] for row in wb[name].iter_rows(values_only=True)]
            assert calamine.get_sheet_by_name(name).to_python(skip_empty_area=False) == by_openpyxl
    report = load_workbook(tmp_path / REPORT_NAME)["校验问题"]
    kinds = [report.cell(r, 7).value for r in range(4, report.max_row + 1)]
    assert len(kinds) == len(result.issues)
    assert {"状态无法识别", "数字无法识别", "日期无法识别", "不是表格文件"} <= set(kinds)
    assert any("<待核>&安装" in str(report.cell(r, 8).value) for r in range(4, report.max_row + 1))


@needs_libreoffice
def test_reports_print_in_libreoffice(careless: tuple[Workspace, Plan, IngestResult], tmp_path: Path) -> None:
    from pypdf import PdfReader

    ws, plan, result = careless
    paths = write_check_report(result, plan, PERIOD, tmp_path / "out", ws.config)
    for path in (paths[0], paths[1]):
        pdf = PdfReader(soffice(path, "pdf", tmp_path / "pdf", tmp_path / "profile"))
        text = "".join(page.extract_text() for page in pdf.pages)
        assert "重点项目报送表校验" in text and "第 1 页" in text
        breaks = load_workbook(path).worksheets[0].row_breaks.brk
        if path.parent.name == FEEDBACK_DIRNAME:
            assert len(pdf.pages) == len(breaks) + 1  # it breaks its pages where they were set
            assert "说明：“错误”为未能采用的内容" in pdf.pages[-1].extract_text()
