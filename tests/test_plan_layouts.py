"""Plans from other offices: Word tables and Excel task lists laid out as they write them.

Each test builds the document by code and asserts the whole parsed plan (items, tasks,
units, milestones), not a sample of it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document

from reportgen.config import Config, UnitsConfig
from reportgen.errors import PlanError
from reportgen.model import Plan
from reportgen.plan.importer import import_document
from reportgen.plan.workbook import load_plan

CONFIG = Config(units=UnitsConfig(aliases={}, groups={}))
D = dt.date


def whole(plan: Plan) -> list[Any]:
    """Return the plan as nested plain data: item → tasks → milestones."""
    return [
        (it.code, it.name, it.target_yi, [
            (t.code, t.units, t.lead_units, [(m.code, m.due, m.text, m.amount_yi) for m in t.milestones])
            for t in it.tasks
        ])
        for it in plan.items
    ]


def word_table(path: Path, paragraphs: list[str], header: list[str], rows: list[list[str]],
               after: list[str] = ()) -> Path:
    """Write a document: paragraphs, then one table (a cell's lines become paragraphs)."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            lines = text.split("\n")
            cell.text = lines[0]
            for more in lines[1:]:
                cell.add_paragraph(more)
    for text in after:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_units_one_per_paragraph_and_a_leader_column(tmp_path: Path) -> None:
    doc = word_table(
        tmp_path / "县任务分解.docx", ["2024年县重点项目任务分解"],
        ["序号", "项目名称", "年度投资任务（亿元）", "推进措施", "责任领导", "责任单位"],
        [
            ["1", "甲产业园项目", "2", "6月底前完成投资1亿元，年底前完成投资2亿元。", "王某某",
             "县发改局\n县住建局\n县自然资源局"],
            ["2", "乙物流园项目", "0.5", "9月底前开工建设。", "李某", "县商务局"],
        ],
    )
    plan = import_document(doc, CONFIG).plan
    assert whole(plan) == [
        ("P01", "甲产业园项目", 2.0, [("P01-0", ["县发改局", "县住建局", "县自然资源局"], ["县发改局"], [
            ("P01-M01", D(2024, 6, 30), "6月底前完成投资1亿元", 1.0),
            ("P01-M02", D(2024, 12, 31), "年底前完成投资2亿元", 2.0)])]),
        ("P02", "乙物流园项目", 0.5, [("P02-0", ["县商务局"], ["县商务局"], [
            ("P02-M01", D(2024, 9, 30), "9月底前开工建设", None)])]),
    ]
    assert "王某某" not in str(whole(plan)) and "李某" not in [u.name for u in plan.units]


def test_section_rows_spanning_the_table_and_numbering_restarting(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("2024年市重点项目推进计划")
    header = ["序号", "项目名称", "建设内容及进度要求", "牵头单位", "配合单位"]
    rows = [
        ["一、产业项目"] * 5,
        ["1", "丙工厂项目", "7月底前完成设备安装", "市工信局", "市财政局"],
        ["2", "丁车间项目", "三季度投产", "市工信局", ""],
        ["二、其他重点任务"] * 5,
        ["1", "优化营商环境", "年底前完成改革任务", "市政务服务局", ""],
    ]
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for r, values in enumerate(rows, start=1):
        for cell, text in zip(table.rows[r].cells, values, strict=True):
            cell.text = text
    for r in (1, 4):  # the section rows span the table, as offices merge them
        table.cell(r, 0).merge(table.cell(r, 4)).text = rows[r - 1][0]
    path = tmp_path / "市计划.docx"
    document.save(str(path))
    plan = import_document(path, CONFIG).plan
    assert whole(plan) == [
        ("P01", "丙工厂项目", None, [("P01-0", ["市工信局", "市财政局"], ["市工信局"], [
            ("P01-M01", D(2024, 7, 31), "7月底前完成设备安装", None)])]),
        ("P02", "丁车间项目", None, [("P02-0", ["市工信局"], ["市工信局"], [
            ("P02-M01", D(2024, 9, 30), "三季度投产", None)])]),
        ("T01", "优化营商环境", None, [("T01-0", ["市政务服务局"], ["市政务服务局"], [
            ("T01-M01", D(2024, 12, 31), "年底前完成改革任务", None)])]),
    ]


def excel_plan(path: Path) -> Path:
    """An office's key-project list in Excel: a merged title, a header, a section row, one
    project over two rows under merged 序号/名称 cells, units one per line, a leader column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "重点项目"
    ws.append(["2024年区重点项目年度计划表"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "项目名称", "建设内容", "年度计划投资（万元）", "责任单位", "分管领导",
               "完成时限", "备注"])
    ws.append(["一、工业项目"])
    ws.merge_cells("A3:H3")
    ws.append([1, "戊新材料项目", "完成主体厂房建设", 30000, "区工信局\n区住建局", "赵某",
               dt.datetime(2024, 6, 30), None])
    ws.append([None, None, "完成设备安装调试", None, "区工信局", None, "2024年10月底", None])
    ws.merge_cells("A4:A5")
    ws.merge_cells("B4:B5")
    ws.merge_cells("D4:D5")
    ws.append([2, "己仓储项目", "年底前建成投用", 5000, "区商务局", "钱某", None, None])
    wb.save(path)
    return path


def test_an_excel_project_list_imports_and_says_how_its_columns_were_read(tmp_path: Path) -> None:
    result = import_document(excel_plan(tmp_path / "区重点项目.xlsx"), CONFIG)
    assert result.plan.title == "2024年区重点项目年度计划表"
    assert whole(result.plan) == [
        ("P01", "戊新材料项目", 3.0, [
            ("P01-1", ["区工信局", "区住建局"], ["区工信局"], [
                ("P01-M01", D(2024, 6, 30), "2024年6月30日前完成主体厂房建设", None)]),
            ("P01-2", ["区工信局"], ["区工信局"], [
                ("P01-M02", D(2024, 10, 31), "2024年10月底前完成设备安装调试", None)]),
        ]),
        ("P02", "己仓储项目", 0.5, [("P02-0", ["区商务局"], ["区商务局"], [
            ("P02-M01", D(2024, 12, 31), "年底前建成投用", None)])]),
    ]
    assert result.source_notes == [
        "读取 区重点项目.xlsx 工作表“重点项目”，第2行为表头：A列“序号”→序号；B列“项目名称”→名称；"
        "C列“建设内容”→任务内容；D列“年度计划投资（万元）”→年度投资任务；E列“责任单位”→牵头（责任）单位；"
        "F列“分管领导”→（不读取）；G列“完成时限”→完成时限；H列“备注”→任务内容"
    ]


def test_the_header_mapping_is_written_into_the_master_workbook(tmp_path: Path, workspace: Any) -> None:
    from reportgen.plan.files import import_into

    done = import_into(excel_plan(tmp_path / "区重点项目.xlsx"), workspace.plan_dir, CONFIG)
    notes = [c.value for row in openpyxl.load_workbook(done.path)["说明"].iter_rows() for c in row]
    assert any(str(v).startswith("读取 区重点项目.xlsx 工作表“重点项目”，第2行为表头：") for v in notes)
    assert load_plan(done.path, CONFIG) == done.plan


def test_a_sheet_without_a_task_table_is_a_clear_error(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    path = tmp_path / "通讯录.xlsx"
    wb.save(path)
    with pytest.raises(PlanError, match=r"通讯录\.xlsx 中没有找到任务表"):
        import_document(path, CONFIG)


def test_bracket_styles_leaders_notes_and_names_with_brackets() -> None:
    from reportgen.plan.importer import import_lines

    lines = [
        "2024年市重点工作任务分解",
        "1.推进甲项目建设。6月底前开工。〔牵头单位：市发改委；配合单位：市住建局〕",
        "2.推进乙项目。9月底前完成验收。【责任单位：市工信局、各县(市、区)政府】",
        "3.推进丙工作。年底前完成。(责任领导：王某某；牵头单位：市商务局、市财政局(首位单位为牵头单位,下同))",
        "责任领导：张某",
        "4.推进丁工作。三季度完成。",
        "责任单位：市农业农村局、市水务局；分管领导：李某",
    ]
    plan = import_lines(lines, CONFIG, "市任务分解.txt").plan
    assert whole(plan) == [
        ("T01", "推进甲项目建设", None, [("T01-0", ["市发改委", "市住建局"], ["市发改委"], [
            ("T01-M01", D(2024, 6, 30), "6月底前开工", None)])]),
        ("T02", "推进乙项目", None, [("T02-0", ["市工信局", "各县（市、区）政府"], ["市工信局"], [
            ("T02-M01", D(2024, 9, 30), "9月底前完成验收", None)])]),
        ("T03", "推进丙工作", None, [("T03-0", ["市商务局", "市财政局"], ["市商务局"], [
            ("T03-M01", D(2024, 12, 31), "年底前完成", None)])]),
        ("T04", "推进丁工作", None, [("T04-0", ["市农业农村局", "市水务局"], ["市农业农村局"], [
            ("T04-M01", D(2024, 9, 30), "三季度完成", None)])]),
    ]


def test_header_row_repeated_on_each_page_is_not_an_item(tmp_path: Path) -> None:
    header = ["序号", "项目名称", "推进措施", "责任单位"]
    doc = word_table(tmp_path / "跨页.docx", ["2024年重点项目推进表"], header, [
        ["1", "庚项目", "6月底前开工", "区发改局"],
        list(header),  # Word repeats the header row at the top of the next page
        ["2", "辛项目", "年底前竣工", "区住建局"],
    ])
    plan = import_document(doc, CONFIG).plan
    assert whole(plan) == [
        ("T01", "庚项目", None, [("T01-0", ["区发改局"], ["区发改局"], [
            ("T01-M01", D(2024, 6, 30), "6月底前开工", None)])]),
        ("T02", "辛项目", None, [("T02-0", ["区住建局"], ["区住建局"], [
            ("T02-M01", D(2024, 12, 31), "年底前竣工", None)])]),
    ]


def test_projects_as_sections_with_subheadings_and_units_after_the_tasks() -> None:
    from reportgen.plan.importer import import_lines

    lines = [
        "2024年全县重点项目推进方案",
        "一、甲工业园项目",
        "（一）主要目标任务",
        "2024年计划投资5亿元，年底前完成一期建设。",
        "（二）具体任务",
        "1.6月底前完成土地征收。",
        "2.9月底前完成厂房主体。",
        "责任单位：县自然资源局、县住建局",
        "二、乙物流项目",
        "（一）主要目标任务",
        "2024年计划投资2亿元。",
        "（二）具体任务",
        "1.8月底前开工建设。",
        "责任单位：县商务局",
    ]
    plan = import_lines(lines, CONFIG, "县方案.txt").plan
    both = ["县自然资源局", "县住建局"]
    assert whole(plan) == [
        ("P01", "甲工业园项目", 5.0, [
            ("P01-0", both, ["县自然资源局"], [("P01-M01", D(2024, 12, 31), "年底前完成一期建设", None)]),
            ("P01-1", both, ["县自然资源局"], [("P01-M02", D(2024, 6, 30), "6月底前完成土地征收", None)]),
            ("P01-2", both, ["县自然资源局"], [("P01-M03", D(2024, 9, 30), "9月底前完成厂房主体", None)]),
        ]),
        ("P02", "乙物流项目", 2.0, [
            ("P02-1", ["县商务局"], ["县商务局"], [("P02-M01", D(2024, 8, 31), "8月底前开工建设", None)]),
        ]),
    ]


def test_a_notice_with_its_attachment_in_one_file() -> None:
    from reportgen.plan.importer import import_lines

    lines = [
        "关于印发《2024年重点工作任务分解》的通知",
        "各单位：",
        "一、高度重视",
        "现将任务分解印发给你们，请认真贯彻落实。",
        "二、按时报送",
        "请于每月5日前报送进展情况。",
        "附件：2024年重点工作任务分解",
        "县政府办公室",
        "2024年3月1日",
        "附件",
        "2024年重点工作任务分解",
        "（一）完善产业链条。上半年出台配套政策。（责任单位：县发改局）",
        "（二）优化营商环境。年底前完成改革任务。（责任单位：县政务服务局）",
    ]
    result = import_lines(lines, CONFIG, "通知.txt")
    assert result.plan.title == "2024年重点工作任务分解"
    assert whole(result.plan) == [
        ("T01", "完善产业链条", None, [("T01-0", ["县发改局"], ["县发改局"], [
            ("T01-M01", D(2024, 6, 30), "上半年出台配套政策", None)])]),
        ("T02", "优化营商环境", None, [("T02-0", ["县政务服务局"], ["县政务服务局"], [
            ("T02-M01", D(2024, 12, 31), "年底前完成改革任务", None)])]),
    ]


def test_groups_headed_by_a_leader_with_numbering_restarting() -> None:
    from reportgen.plan.importer import import_lines

    lines = [
        "2024年县政府重点工作分工",
        "一、王某某副县长牵头",
        "1.推进城区改造。9月底前完成。（责任单位：县住建局）",
        "2.推进道路建设。年底前通车。（责任单位：县交通局）",
        "二、李某某副县长牵头",
        "1.推进乡村振兴。三季度完成示范村建设。（责任单位：县农业农村局）",
    ]
    plan = import_lines(lines, CONFIG, "分工.txt").plan
    assert whole(plan) == [
        ("T01", "推进城区改造", None, [("T01-0", ["县住建局"], ["县住建局"], [
            ("T01-M01", D(2024, 9, 30), "9月底前完成", None)])]),
        ("T02", "推进道路建设", None, [("T02-0", ["县交通局"], ["县交通局"], [
            ("T02-M01", D(2024, 12, 31), "年底前通车", None)])]),
        ("T03", "推进乡村振兴", None, [("T03-0", ["县农业农村局"], ["县农业农村局"], [
            ("T03-M01", D(2024, 9, 30), "三季度完成示范村建设", None)])]),
    ]
    assert [it.no for it in plan.items] == [1, 2, 1]
