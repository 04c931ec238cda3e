"""xlsx_save writes the cells openpyxl would: every value, type, style and row setting reads back the same."""

from __future__ import annotations

import datetime as dt
import zipfile
from copy import copy
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from reportgen.xlsx_save import SharedStyles, save_workbook

TEXTS = ["普通文字", "  前后有空格 ", "A&B <c> \"引号\"", "第一行\n第二行", "回车\r换行", "=SUM(A1:A2)",
         "+1", "", "全角　空格"]


def _book(with_comment: bool = False) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    thin = Side(style="thin", color="808080")
    for r, text in enumerate(TEXTS, start=1):
        cell = ws.cell(r, 1)
        cell._value, cell.data_type = text, "s"  # text, never a formula, as the renderers store it
        cell.font = Font(name="仿宋_GB2312", size=10 + r % 3, bold=r % 2 == 0)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(left=thin, right=thin)
        ws.row_dimensions[r].height = 18 + r
    values = [1, -2.5, 1 / 3, 10**15 + 1, True, False, dt.date(2024, 6, 30), dt.datetime(2024, 7, 1, 8, 30),
              float("nan"), None]
    for r, value in enumerate(values, start=1):
        ws.cell(r, 2).value = value
        if isinstance(value, float):
            ws.cell(r, 2).number_format = "0.00%"
    ws.cell(1, 3).value = "=SUM(B1:B3)"
    ws.cell(2, 3).fill = PatternFill("solid", fgColor="FFE699")  # styled, empty
    ws.merge_cells("D1:F2")
    ws["D1"] = "合并"
    ws.row_dimensions[20].height = 40  # a row with a height and no cells
    ws.row_dimensions[21].hidden = True
    ws.column_dimensions["A"].width = 30
    if with_comment:
        ws["A30"].comment = Comment("批注", "办公室")
    wb.create_sheet("空表")
    return wb


def _facts(path: Path) -> list[object]:
    wb = load_workbook(path)
    facts: list[object] = [wb.sheetnames]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                facts.append((c.coordinate, c.value, c.data_type, c.number_format, repr(c.font),
                              repr(c.fill), repr(c.border), repr(c.alignment)))
        facts.append(sorted(str(r) for r in ws.merged_cells.ranges))
        facts.append({k: (d.height, d.hidden) for k, d in ws.row_dimensions.items()})
        facts.append({k: d.width for k, d in ws.column_dimensions.items()})
        facts.append([c.comment.text if c.comment else None for row in ws.iter_rows() for c in row])
    return facts


def test_reads_back_as_openpyxls_own_save(tmp_path: Path) -> None:
    for with_comment in (False, True):  # a comment: that sheet is written by openpyxl itself
        ours, theirs = tmp_path / f"ours{with_comment}.xlsx", tmp_path / f"theirs{with_comment}.xlsx"
        save_workbook(_book(with_comment), ours)
        _book(with_comment).save(theirs)
        assert _facts(ours) == _facts(theirs)
    back = load_workbook(tmp_path / "oursFalse.xlsx")["表"]
    assert [back.cell(r, 1).value for r in range(1, len(TEXTS) + 1)] == [t or None for t in TEXTS]
    assert back["B7"].value == dt.datetime(2024, 6, 30) and back["C1"].value == "=SUM(B1:B3)"
    assert back.row_dimensions[20].height == 40 and back.row_dimensions[3].height == 21


def test_cells_are_utf8_text_not_character_references(tmp_path: Path) -> None:
    path = tmp_path / "ours.xlsx"
    save_workbook(_book(), path)
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<t>普通文字</t>" in sheet and '<t xml:space="preserve">  前后有空格 </t>' in sheet
    assert "A&amp;B &lt;c&gt;" in sheet and "回车&#13;换行" in sheet


def test_shared_styles_follow_a_style_added_after_the_first_save(tmp_path: Path) -> None:
    proto = Workbook()
    proto.active["A1"].font = Font(name="黑体", size=16)
    shared = SharedStyles(proto)
    first, second = shared.workbook(), shared.workbook()
    first.active["A1"]._style = copy(proto.active["A1"]._style)
    save_workbook(first, tmp_path / "1.xlsx", shared)
    second.active["A1"].font = Font(name="楷体", size=12, italic=True)  # a style the first did not have
    second.active["A2"]._style = copy(proto.active["A1"]._style)
    save_workbook(second, tmp_path / "2.xlsx", shared)
    assert load_workbook(tmp_path / "1.xlsx").active["A1"].font.name == "黑体"
    back = load_workbook(tmp_path / "2.xlsx").active
    assert (back["A1"].font.name, back["A1"].font.sz, back["A1"].font.i) == ("楷体", 12, True)
    assert (back["A2"].font.name, back["A2"].font.sz) == ("黑体", 16)
