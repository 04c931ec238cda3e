"""The in-house Excel template renderer: values, loops and everything that moves with them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from reportgen.errors import TemplateError
from reportgen.render.xlsx_template import check_template, render_template


def _save(wb: Workbook, tmp_path: Path, name: str = "t.xlsx") -> Path:
    path = tmp_path / name
    wb.save(path)
    return path


def _roundtrip(tmp_path: Path, template: Path, context: dict) -> Workbook:
    out = tmp_path / "out.xlsx"
    render_template(template, context).save(out)
    return load_workbook(out)


def _table_template(tmp_path: Path) -> Path:
    """Title, header, a loop row on row 3, a total on row 4, a note on row 5, a chart below."""
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws["A1"] = "{{ title }}"
    ws.merge_cells("A1:D1")
    ws.append(["名称", "金额", "日期", "备注"])
    ws["A3"] = "{%row for r in rows %}{{ r.name }}"
    ws["B3"] = "{{ r.amount }}"
    ws["C3"] = "{{ r.day }}"
    ws["D3"] = "第{{ loop.index }}条：{{ r.note }}"
    ws["E3"] = "=B3*2"
    ws["A3"].font = Font(name="仿宋", size=12, bold=True)
    ws["B3"].number_format = "0.00"
    ws["C3"].number_format = "yyyy-mm-dd"
    ws["D3"].fill = PatternFill("solid", fgColor="FFFF00")
    ws.row_dimensions[3].height = 30
    ws.merge_cells("F3:G3")
    ws["A4"] = "合计"
    ws["B4"] = "=SUM(B3:B3)"
    ws["A5"] = "注"
    ws.row_dimensions[5].height = 40
    ws.conditional_formatting.add(
        "B3:B3", CellIsRule(operator="greaterThan", formula=["100"], font=Font(color="FF0000"))
    )
    ws.conditional_formatting.add(
        "A5:D5", CellIsRule(operator="equal", formula=['"注"'], font=Font(italic=True))
    )
    dv = DataValidation(type="decimal", operator="greaterThan", formula1="0")
    dv.add("B3:B3")
    ws.add_data_validation(dv)
    ws.auto_filter.ref = "A2:D3"
    ws.print_area = "A1:G20"
    ws.print_title_rows = "1:2"
    ws.freeze_panes = "A3"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页 {{ title }}"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=3), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=3))
    chart.anchor = "A8"
    ws.add_chart(chart)
    other = wb.create_sheet("引用")
    other["A1"] = "='表'!B4"
    other["A2"] = "=SUM('表'!B3:B3)"
    wb.defined_names["合计"] = DefinedName("合计", attr_text="'表'!$B$4")
    wb.create_sheet("模板说明（生成时删除）")["A1"] = "{{ 不存在 }}"
    return _save(wb, tmp_path)


ROWS = [
    {"name": "甲", "amount": 120.5, "day": dt.date(2024, 6, 1), "note": "一"},
    {"name": "乙", "amount": 3, "day": dt.date(2024, 6, 2), "note": "二"},
    {"name": "丙", "amount": None, "day": None, "note": "三"},
]


def test_loop_rows_keep_types_styles_and_move_everything_below(tmp_path: Path) -> None:
    out = _roundtrip(tmp_path, _table_template(tmp_path), {"title": "六月", "rows": ROWS})
    ws = out["表"]
    assert out.sheetnames == ["表", "引用"]  # the note sheet is left out
    assert ws["A1"].value == "六月"
    assert [ws.cell(r, 1).value for r in range(3, 6)] == ["甲", "乙", "丙"]
    assert ws["B3"].value == 120.5 and isinstance(ws["B4"].value, int)
    assert ws["C3"].value == dt.datetime(2024, 6, 1) and ws["C3"].number_format == "yyyy-mm-dd"
    assert ws["B5"].value is None and ws["C5"].value is None
    assert ws["D4"].value == "第2条：二"
    # styles and height on every generated row, none on the total below
    for r in range(3, 6):
        assert ws.cell(r, 1).font.b and ws.cell(r, 1).font.name == "仿宋"
        assert ws.cell(r, 2).number_format == "0.00"
        assert ws.cell(r, 4).fill.fgColor.rgb.endswith("FFFF00")
        assert ws.row_dimensions[r].height == 30
        assert ws.cell(r, 5).value == f"=B{r}*2"
    assert ws.row_dimensions[7].height == 40  # the note row moved with its height
    assert ws["A6"].value == "合计" and ws["B6"].value == "=SUM(B3:B5)"
    assert ws["A7"].value == "注"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {"A1:D1", "F3:G3", "F4:G4", "F5:G5"}
    cf = {str(c.sqref) for c in ws.conditional_formatting}
    assert cf == {"B3:B5", "A7:D7"}
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["B3:B5"]
    assert ws.auto_filter.ref == "A2:D5"
    assert ws.print_area == "'表'!$A$1:$G$22"
    assert ws.print_title_rows == "$1:$2"
    assert ws.freeze_panes == "A3"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页 六月"
    chart = ws._charts[0]
    assert chart.series[0].val.numRef.f == "'表'!$B$3:$B$5"
    assert chart.series[0].cat.numRef.f == "'表'!$A$3:$A$5"
    assert chart.anchor._from.row == 9  # A8 (0-based 7) moved down two rows
    assert out["引用"]["A1"].value == "='表'!B6"
    assert out["引用"]["A2"].value == "=SUM('表'!B3:B5)"
    assert out.defined_names["合计"].attr_text == "'表'!$B$6"


def test_empty_list_removes_the_loop_row_and_leaves_no_stray_row(tmp_path: Path) -> None:
    out = _roundtrip(tmp_path, _table_template(tmp_path), {"title": "六月", "rows": []})
    ws = out["表"]
    assert ws["A3"].value == "合计" and ws["A4"].value == "注"
    assert ws["B3"].value == "=SUM(0)"  # the total over no rows shows 0
    assert ws.max_row == 4
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:D1"}
    assert {str(c.sqref) for c in ws.conditional_formatting} == {"A4:D4"}
    assert ws.data_validations.dataValidation == []
    assert ws.row_dimensions[4].height == 40
    assert ws.auto_filter.ref == "A2:D2"
    assert out["引用"]["A1"].value == "='表'!B3"
    assert ws._charts == []  # its only series pointed into the emptied table


def test_hostile_strings_stay_text(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "{%row for v in values %}{{ v }}"
    wb.active["B1"] = "说明：{{ values[0] }}"
    values = ['=HYPERLINK("http://x.example","点")', "+1", "@x", "-2+3", "=1+1", "a\x07b"]
    ws = _roundtrip(tmp_path, _save(wb, tmp_path), {"values": values}).active
    got = [ws.cell(r, 1) for r in range(1, 7)]
    assert [c.value for c in got] == [*values[:5], "ab"]
    assert all(c.data_type == "s" for c in got)
    assert ws["B1"].data_type == "s"


def test_two_loops_on_one_sheet_with_filters(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "{%row for x in first %}{{ x }}"
    ws["A2"] = "=SUM(A1:A1)"
    ws["A4"] = "{%row for y in second if y > 1 %}{{ loop.index }}"
    ws["B4"] = "{{ y * 10 }}"
    ws["A5"] = "=SUM(B4:B4)"
    ws["A6"] = "{%row for _ in [1] if not first %}无数据"
    ws["A7"] = "尾"
    ws.print_area = "A1:B7"
    out = _roundtrip(tmp_path, _save(wb, tmp_path), {"first": [1, 2], "second": [1, 2, 3]}).active
    assert [out.cell(r, 1).value for r in range(1, 9)] == [
        1, 2, "=SUM(A1:A2)", None, 1, 2, "=SUM(B5:B6)", "尾"
    ]
    assert [out["B5"].value, out["B6"].value] == [20, 30]
    assert out.print_area == "'Sheet'!$A$1:$B$8"


def test_errors_name_the_cell(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["C2"] = "{{ missing_name }}"
    with pytest.raises(TemplateError, match=r"C2.*missing_name"):
        render_template(_save(wb, tmp_path), {})
    wb.active["C2"] = "{{ ''.__class__.__mro__ }}"
    with pytest.raises(TemplateError, match="C2"):
        render_template(_save(wb, tmp_path), {})
    wb.active["C2"] = "{%row for x in 5 %}"
    with pytest.raises(TemplateError, match="不是列表"):
        render_template(_save(wb, tmp_path), {})
    wb.active["C2"] = "{%row for r in rows %}{{ r.nope }}"
    with pytest.raises(TemplateError, match=r"C2（第1条数据）"):
        render_template(_save(wb, tmp_path), {"rows": [{"a": 1}]})


def test_check_template_lists_unknown_names(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "{{ title }}"
    wb.active["A2"] = "{%row for r in rows if r.ok %}{{ r.x }}{{ loop.index }}"
    wb.active["B2"] = "{{ r.y }}"
    wb.active["A3"] = "{{ typo|pct }}"
    path = _save(wb, tmp_path)
    check_template(path, {"title", "rows", "typo"})
    with pytest.raises(TemplateError, match="typo"):
        check_template(path, {"title", "rows"})
    wb.active["B3"] = "{{ r.y }}"  # a loop name outside its row
    with pytest.raises(TemplateError, match="：r；"):
        check_template(_save(wb, tmp_path), {"title", "rows", "typo"})
    del wb.active["B3"]
    wb.active["A4"] = "{{ broken( }}"
    with pytest.raises(TemplateError, match="A4"):
        check_template(_save(wb, tmp_path), {"title", "rows", "typo"})


@pytest.mark.parametrize(("text", "what"), [
    ("截至{{ title", "单元格 A4“截至{{ title”：“{{”未闭合（它后面没有对应的“}}”）"),
    ("{ title }}", "单元格 A4“{ title }}”：多余的“}}”"),  # would print as typed
])
def test_an_unfinished_or_stray_tag_names_its_cell(tmp_path: Path, text: str, what: str) -> None:
    wb = Workbook()
    wb.active["A1"] = "{{ title }}"
    wb.active["A4"] = text
    with pytest.raises(TemplateError) as err:
        check_template(_save(wb, tmp_path), {"title"})
    assert str(err.value).startswith("Excel 模板《") and what in str(err.value)


def test_tuple_loops_page_breaks_and_panes_below_a_loop(tmp_path: Path) -> None:
    from openpyxl.worksheet.pagebreak import Break

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "{%row for name, n in pairs %}{{ name }}"
    ws["B1"] = "{{ n }}"
    ws["A2"] = "下方"
    ws.row_breaks.append(Break(id=2))
    ws.freeze_panes = "B3"
    out = _roundtrip(tmp_path, _save(wb, tmp_path), {"pairs": [("甲", 1), ("乙", 2), ("丙", 3)]})
    ws = out.active
    assert [[c.value for c in r] for r in ws.iter_rows()] == [["甲", 1], ["乙", 2], ["丙", 3],
                                                             ["下方", None]]
    assert [b.id for b in ws.row_breaks.brk] == [4]
    assert ws.freeze_panes == "B5"
