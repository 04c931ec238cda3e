"""A .docx task breakdown: automatic list numbers, real bookmarks, task tables, bad files."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from reportgen.config import Config, load_config
from reportgen.errors import PlanError
from reportgen.plan.docx_reader import lines_from_docx
from reportgen.plan.importer import import_document

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "reportgen.toml")

# ---------------------------------------------------------------- building .docx files

NUM_ID = 90
_LEVELS = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]


def _add_list(document: Document) -> None:
    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, text) in enumerate(_LEVELS)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{NUM_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/></w:num>'))


def _number(paragraph, level: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{NUM_ID}"/></w:numPr>'))


_PATTERNS = [
    (0, re.compile(r"^[一二三四五六七八九十]+、")),
    (1, re.compile(r"^（[一二三四五六七八九十]+）")),
    (2, re.compile(r"^\d{1,2}\.")),
]


def seed_as_docx(text: str, path: Path) -> Path:
    """Write `text` as a .docx whose 一、/（一）/1. numbers are automatic, not in the text."""
    document = Document()
    _add_list(document)
    for raw in text.splitlines():
        line = raw.strip()
        bookmark = "[bookmark: _GoBack]" in line
        line = line.replace("[bookmark: _GoBack]", "")
        level = None
        for lvl, pattern in _PATTERNS:
            m = pattern.match(line)
            if m:
                level, line = lvl, line[m.end():]
                break
        paragraph = document.add_paragraph()
        if bookmark:  # a real bookmark, as Word leaves it where the cursor was
            paragraph._p.append(parse_xml(
                f'<w:bookmarkStart {nsdecls("w")} w:id="0" w:name="_GoBack"/>'))
            paragraph._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="0"/>'))
        paragraph.add_run(line)
        if level is not None:
            _number(paragraph, level)
    document.save(str(path))
    return path


def table_docx(path: Path, title: str, header: list[str], rows: list[list[str]]) -> Path:
    """Write a document whose items are the rows of one table (a cell may hold several lines)."""
    document = Document()
    document.add_paragraph(title)
    document.add_paragraph("一、重点项目")
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
    document.save(str(path))
    return path


# ---------------------------------------------------------------- tests


def test_seed_as_docx_with_automatic_numbering_imports_to_the_same_plan(
    tmp_path: Path, seed_txt: Path
) -> None:
    doc = seed_as_docx(seed_txt.read_text(encoding="utf-8"), tmp_path / "seed.docx")
    # the numbers are not in the paragraph text: only the numbering definitions carry them
    texts = [p.text for p in Document(str(doc)).paragraphs]
    assert "（一）" not in "".join(texts) and not any(t.startswith("1.") for t in texts)
    from_docx = import_document(doc, CONFIG)
    assert from_docx.warnings == []
    assert from_docx.plan == import_document(seed_txt, CONFIG).plan


def test_numbers_restart_per_section_and_per_item(tmp_path: Path, seed_txt: Path) -> None:
    doc = seed_as_docx(seed_txt.read_text(encoding="utf-8"), tmp_path / "seed.docx")
    lines = [line for line in lines_from_docx(doc) if line]
    assert "二、其它重点任务" in lines
    after = lines[lines.index("二、其它重点任务") + 1]
    assert after.startswith("（一）学习考察广灵")
    p07 = next(i for i, line in enumerate(lines) if line.startswith("（七）"))
    assert [line[:2] for line in lines[p07 + 1 : p07 + 5]] == ["1.", "2.", "3.", "4."]


def test_table_with_lead_and_supporting_unit_columns(tmp_path: Path) -> None:
    doc = table_docx(
        tmp_path / "表格.docx", "2024年重点项目任务清单",
        ["序号", "项目名称", "年度投资任务（亿元）", "推进措施及时间节点", "主要责任单位", "协同配合单位"],
        [
            ["1", "甲储能项目", "6", "1.2024年6月20日前完成用地预审。\n2.9月中旬开工，全年完成投资6亿元以上。",
             "规划分局", "建设管理部、财政运营部"],
            ["2", "乙项目", "0.5", "上半年完成项目入统。", "装备制造招商中心", ""],
        ],
    )
    plan = import_document(doc, CONFIG).plan
    assert plan.title == "2024年重点项目任务清单"
    a, b = plan.items
    assert (a.code, a.name, a.target_yi) == ("P01", "甲储能项目", 6.0)
    assert [t.code for t in a.tasks] == ["P01-1", "P01-2"]
    # aliases resolve to canonical names; lead and supporting kept apart
    assert a.tasks[0].lead_units == ["规划和自然资源分局"]
    assert a.tasks[0].units == ["规划和自然资源分局", "建设管理部", "财政运营部"]
    assert [(m.due, m.kind.value, m.amount_yi) for m in a.milestones] == [
        (dt.date(2024, 6, 20), "step", None),
        (dt.date(2024, 9, 20), "step", None),
        (dt.date(2024, 12, 31), "investment", 6.0),
    ]
    assert b.tasks[0].units == b.tasks[0].lead_units == ["装备制造及大数据产业招商服务中心"]
    assert b.milestones[0].kind.value == "filing"


def test_broken_docx_is_a_plan_error(tmp_path: Path) -> None:
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(PlanError, match="不是有效的 Word 文件"):
        import_document(bad, Config())
    empty = tmp_path / "空白.docx"
    Document().save(str(empty))
    with pytest.raises(PlanError, match="没有找到任务条目"):
        import_document(empty, Config())


def test_manual_line_break_starts_a_new_line(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("2024年重点任务")
    paragraph = document.add_paragraph("（一）甲项目，2024年工业投资任务1亿元。6月底前开工。")
    paragraph.runs[0].add_break()
    paragraph.add_run("牵头单位：规划分局；配合单位：建设管理部")
    path = tmp_path / "换行.docx"
    document.save(str(path))
    task = import_document(path, CONFIG).plan.items[0].tasks[0]
    assert (task.lead_units, task.units) == (
        ["规划和自然资源分局"], ["规划和自然资源分局", "建设管理部"])
    assert task.milestones[0].due == dt.date(2024, 6, 30)


def test_numbering_from_the_list_number_style(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("2024年任务清单")
    for text in ("甲项目，2024年工业投资任务1亿元。6月底前开工。（责任单位：建设管理部）",
                 "乙项目，2024年工业投资任务2亿元。9月底前开工。（责任单位：财政运营部）"):
        document.add_paragraph(text, style="List Number")
    path = tmp_path / "样式编号.docx"
    document.save(str(path))
    assert lines_from_docx(path)[1:] == [
        "1.甲项目，2024年工业投资任务1亿元。6月底前开工。（责任单位：建设管理部）",
        "2.乙项目，2024年工业投资任务2亿元。9月底前开工。（责任单位：财政运营部）",
    ]
    plan = import_document(path, CONFIG).plan
    assert [(it.code, it.name, it.target_yi) for it in plan.items] == [
        ("P01", "甲项目", 1.0), ("P02", "乙项目", 2.0)]


def test_table_rows_of_one_item_merged_vertically_become_its_tasks(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("2024年重点项目推进任务分解")
    table = document.add_table(rows=4, cols=5)
    header = ["序号", "项目名称", "推进任务", "责任单位", "配合单位"]
    rows = [
        ["1", "甲储能项目", "6月20日前完成用地预审", "规划分局", ""],
        ["", "", "10月上旬开工", "装备制造招商中心", "建设管理部"],
        ["2", "乙项目", "上半年完成项目入统", "财政运营部", ""],
    ]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for r, values in enumerate(rows, start=1):
        for cell, text in zip(table.rows[r].cells, values, strict=True):
            cell.text = text
    # 序号 and 项目名称 of 甲 span two rows, as offices draw it
    table.cell(1, 0).merge(table.cell(2, 0)).text = "1"
    table.cell(1, 1).merge(table.cell(2, 1)).text = "甲储能项目"
    path = tmp_path / "合并单元格.docx"
    document.save(str(path))
    plan = import_document(path, CONFIG).plan
    a, b = plan.items
    assert a.name == "甲储能项目" and b.name == "乙项目"
    assert [(t.code, t.units, t.lead_units) for t in a.tasks] == [
        ("T01-1", ["规划和自然资源分局"], ["规划和自然资源分局"]),
        ("T01-2", ["装备制造及大数据产业招商服务中心", "建设管理部"],
         ["装备制造及大数据产业招商服务中心"]),
    ]
    assert [(m.code, m.due) for m in a.milestones] == [
        ("T01-M01", dt.date(2024, 6, 20)), ("T01-M02", dt.date(2024, 10, 10))]
