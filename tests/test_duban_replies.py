"""The 督办回复单: written with each 督办通知, filled as a unit would, read back with precise messages."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from copy import copy
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reportgen.config import Config
from reportgen.forms import save_workbook
from reportgen.ingest.replies import read_reply
from reportgen.model import DubanRecord
from reportgen.render.pdf import convert_to_pdf
from reportgen.render.replyform_writer import ReplyForms, reply_workbook, write_reply_form
from tests.conftest import needs_libreoffice

DUBAN = DubanRecord("同经开督字〔2024〕2号", "2024-06", "规划和自然资源分局", ["P07-M02", "P11-M04"],
                    {"P07-M02": "海博思创储能项目：2024年6月20日前完成用地预审",
                     "P11-M04": "云州电力智慧能源调控中心项目：2024年6月底在拆迁完成后土地挂牌"},
                    issued_on=dt.date(2024, 7, 8), reply_by=dt.date(2024, 7, 15))


def _form(tmp_path: Path) -> Path:
    return write_reply_form(DUBAN, Config(), tmp_path / "回复单.xlsx", dt.datetime(2024, 7, 8))


def _fill(src: Path, dst: Path, **cells: Any) -> Path:
    """Fill the form as a unit does: the cell right of a label, or under a header."""
    wb = load_workbook(src)
    ws = wb["督办回复单"]
    labels = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for label, value in cells.items():
        at = labels[label]
        if label == "整改措施及完成时限":
            for i, text in enumerate(value, start=1):
                ws.cell(at.row + i, at.column).value = text
        else:
            ws.cell(at.row, at.column + 1).value = value
    wb.save(dst)
    return dst


def test_the_form_is_protected_and_names_the_duban(tmp_path: Path) -> None:
    wb = load_workbook(_form(tmp_path))
    ws, ident = wb["督办回复单"], wb["_督办标识"]
    assert ident.sheet_state == "hidden" and ws.protection.sheet and ident.protection.sheet
    assert {r[0]: r[1] for r in ident.iter_rows(values_only=True)}["文号"] == DUBAN.doc_no
    shown = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert DUBAN.doc_no in shown and DUBAN.unit in shown and "2024年7月15日" in shown
    assert all(text in shown for text in DUBAN.node_texts.values())
    assert not any(isinstance(v, str) and v.startswith(("P07", "P11")) for v in shown)  # no codes
    opened = {c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False}
    # only the answers are open: 进展, 措施, 是否已完成 of each node, 回复日期, 填报人, 电话, 签字
    assert opened == {"C5", "D5", "E5", "C6", "D6", "E6", "B7", "D7", "E7", "B8", "D8", "E8"}
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:E1", "D2:E2", "D3:E3", "D7:E7", "D8:E8", "A10:E10"}
    checks = {d.type: str(d.sqref) for d in ws.data_validations.dataValidation}
    assert checks == {"list": "E5 E6", "date": "B7"} and ws["B7"].number_format == 'yyyy"年"m"月"d"日"'
    assert (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth) == (9, "landscape", 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert [ws.column_dimensions[c].width for c in "ABCDE"] == [12, 40, 30, 30, 12]


def test_a_filled_form_is_read_back(tmp_path: Path) -> None:
    filled = _fill(_form(tmp_path), tmp_path / "规划分局回复.xlsx", 回复日期="2024年7月12日",
                   整改措施及完成时限=["8月15日前完成用地预审", "协调建设管理部，7月底前完成征拆"])
    got = read_reply(filled, Config())
    assert got.ok and (got.doc_no, got.unit, got.replied_on) == (DUBAN.doc_no, DUBAN.unit, dt.date(2024, 7, 12))
    assert got.note() == "回复单“规划分局回复.xlsx”：8月15日前完成用地预审；协调建设管理部，7月底前完成征拆"
    typed = read_reply(_fill(_form(tmp_path), tmp_path / "b.xlsx", 回复日期=dt.date(2024, 7, 16)), Config())
    assert typed.replied_on == dt.date(2024, 7, 16)


def test_bad_replies_are_named_precisely(tmp_path: Path) -> None:
    form = _form(tmp_path)
    undated = read_reply(_fill(form, tmp_path / "a.xlsx"), Config())
    assert undated.errors == ["回复单未填写回复日期（督办回复单!B7），未记入台账；请填写后重新报回"]
    wrong = read_reply(_fill(form, tmp_path / "b.xlsx", 回复日期="7月32日"), Config())
    assert wrong.errors == ["督办回复单!B7 的回复日期“7月32日”不是有效日期（该月没有这一天）"]
    other = _fill(form, tmp_path / "c.xlsx", 回复日期="2024-7-12", 督办文号="同经开督字〔2024〕1号")
    assert read_reply(other, Config()).errors == [
        "督办回复单!B2 的督办文号“同经开督字〔2024〕1号”与本回复单所属的督办通知（同经开督字〔2024〕2号）不一致，"
        "请使用该督办通知所附的回复单"]
    wb = load_workbook(form)
    del wb["_督办标识"]
    wb.save(tmp_path / "d.xlsx")
    assert read_reply(tmp_path / "d.xlsx", Config()).errors[0].startswith("不是督办回复单（缺少标识工作表“_督办标识”）")
    (tmp_path / "e.xlsx").write_bytes(b"PK\x03\x04broken")
    assert "文件已损坏" in read_reply(tmp_path / "e.xlsx", Config()).errors[0]


# a 督办 whose texts a careless template would spoil: markup, edge spaces, a formula, a line
# break, a control character; no dates; more nodes than the prototype the template is made for
ODD = DubanRecord("同经开督字〔2024〕9号", "2024-06", "A&B<局>", [f"N{i}" for i in range(12)],
                  {**{f"N{i}": f"项目{i}：2024年6月{i + 1}日前完成" for i in range(12)},
                   "N0": " 前后有空格 & <标签> ", "N1": "=SUM(A1)\n第二行", "N2": "控制\x07字符"})


def _facts(path: Path) -> dict[str, Any]:
    """Everything of a reply form a unit sees, prints or the reader takes, as comparable data."""
    wb = load_workbook(path)
    out: dict[str, Any] = {"sheets": wb.sheetnames, "security": dict(wb.security.to_tree().attrib),
                           "props": [getattr(wb.properties, k) for k in ("title", "creator", "created", "modified")]}
    for ws in wb.worksheets:
        out[ws.title] = {
            "state": ws.sheet_state, "merged": {str(r) for r in ws.merged_cells.ranges},
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "heights": {k: d.height for k, d in ws.row_dimensions.items()},
            "protection": dict(ws.protection.to_tree().attrib), "setup": dict(ws.page_setup.to_tree().attrib),
            "print": dict(ws.print_options.to_tree().attrib), "footer": ws.oddFooter.center.text,
            "fit": ws.sheet_properties.pageSetUpPr.fitToPage,
            "breaks": [(b.id, b.man) for b in ws.row_breaks.brk],
            "checks": sorted((d.type, str(d.sqref), d.formula1, d.formula2, d.error, d.prompt)
                             for d in ws.data_validations.dataValidation),
            "cells": {c.coordinate: (c.value, c.data_type, copy(c.font), copy(c.border), copy(c.fill),
                                     copy(c.alignment), copy(c.protection), c.number_format)
                      for row in ws.iter_rows() for c in row}}
    # read-only, the cells as stored: loading a workbook redraws merged cells from their first cell
    for ws in load_workbook(path, read_only=True).worksheets:
        out[ws.title]["stored"] = {c.coordinate: (c.value, copy(c.font), copy(c.border), copy(c.fill),
                                                  copy(c.alignment), copy(c.protection), c.number_format)
                                   for row in ws.iter_rows() for c in row if getattr(c, "coordinate", None)}
    return out


@pytest.mark.slow
def test_a_batch_writes_each_form_as_openpyxl_renders_it(tmp_path: Path) -> None:
    when = dt.datetime(2024, 7, 8)
    forms = ReplyForms(Config(), when)  # one template for the batch, its sheets written as XML
    for n, d in enumerate((DUBAN, ODD)):
        fast = forms.write(d, tmp_path / f"{n}.xlsx")
        slow = save_workbook(reply_workbook(d, Config()), tmp_path / f"{n}-openpyxl.xlsx", when)
        assert _facts(fast) == _facts(slow)
        assert read_reply(fast, Config(), "回复单") == read_reply(slow, Config(), "回复单")
    ws = load_workbook(tmp_path / "1.xlsx")["督办回复单"]
    assert [ws[f"B{r}"].value for r in (5, 6, 7, 16)] == [" 前后有空格 & <标签> ", "=SUM(A1)\n第二行", "控制字符",
                                                          "项目11：2024年6月12日前完成"]
    assert ws["B6"].data_type == "s" and ws["D2"].value is None and ws["D3"].value == "2024年6月"
    with zipfile.ZipFile(tmp_path / "1.xlsx") as z:  # Excel drops the edge spaces of text not so marked
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve"> 前后有空格 &amp; &lt;标签&gt; </t>' in sheet
    filled = _fill(tmp_path / "1.xlsx", tmp_path / "odd-filled.xlsx", 回复日期="2024-7-10")
    got = read_reply(filled, Config())
    assert got.ok and (got.doc_no, got.unit, got.replied_on) == (ODD.doc_no, ODD.unit, dt.date(2024, 7, 10))


def test_reading_and_packing_reply_forms_load_no_writer() -> None:
    """check, the web pages and the distribution know the form by its layout module; only run
    loads the writer (and openpyxl with it)."""
    code = ("import sys; import reportgen.pipeline, reportgen.ingest.replies, reportgen.distribute\n"
            "print(sorted(m for m in ('openpyxl', 'reportgen.render.replyform_writer') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


@needs_libreoffice
def test_every_printed_page_of_a_long_form_heads_its_columns(tmp_path: Path) -> None:
    # a city 督办 of 18 nodes printed on three pages: the second and third had rows of blank
    # 目前进展 / 整改措施 cells under no header
    nodes = {f"P{i:02d}-M01": f"第{i}个项目：2024年5月底前完成用地预审" for i in range(1, 19)}
    d = DubanRecord("同经开督字〔2024〕9号", "2024-06", "规划和自然资源分局", list(nodes), nodes,
                    issued_on=dt.date(2024, 7, 8), reply_by=dt.date(2024, 7, 15))
    form = ReplyForms(Config(), dt.datetime(2024, 7, 8)).write(d, tmp_path / "回复单.xlsx")
    pages = [p.extract_text() for p in PdfReader(str(convert_to_pdf([form], tmp_path / "pdf")[0])).pages]
    with_nodes = [t for t in pages if "完成用地预审" in t]
    assert len(with_nodes) >= 2
    assert all("目前进展" in t and "同经开督字〔2024〕9号" in t for t in with_nodes)


LONG = ("供电公司增量配网项目：在增量配网范围外，摸底本部、医药园区、二医药园区、通航园区、纺织园区现有企业"
        "（包括御东污水厂）2024-2025年建设屋顶分布式光伏的需求意愿、屋顶条件和投资能力，2024年6月30日前形成结论方案")


def _duban(n: int, words: str) -> DubanRecord:
    nodes = {f"P{i:02d}-M01": words.format(i=i) for i in range(1, n + 1)}
    return DubanRecord("同经开督字〔2024〕9号", "2024-06", "规划和自然资源分局", list(nodes), nodes,
                       issued_on=dt.date(2024, 7, 8), reply_by=dt.date(2024, 7, 15))


def test_a_long_form_breaks_between_nodes_and_prints_its_note_under_the_last_ones(tmp_path: Path) -> None:
    # 20 nodes filled four pages of five: the 说明 (and 联系电话) went to a fifth page of their own
    form = ReplyForms(Config(), dt.datetime(2024, 7, 8)).write(_duban(20, "第{i}个项目：2024年5月底前完成用地预审"),
                                                               tmp_path / "回复单.xlsx")
    ws = load_workbook(form)["督办回复单"]
    nodes = [r for r in range(1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]
    note = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("说明"))
    ends = [b.id for b in ws.row_breaks.brk]
    assert ends and all(r in nodes[:-1] for r in ends)  # pages end between two nodes
    assert nodes[-1] - ends[-1] >= 2 and note > nodes[-1]  # the 说明 prints under the last two nodes
    titles = sum(ws.row_dimensions[r].height for r in range(1, 5))
    assert ws.print_title_rows == "$1:$4"
    page = 595.3 - 72 * (ws.page_margins.top + ws.page_margins.bottom) - titles
    for first, last in zip([4, *ends], [*ends, note], strict=True):
        assert sum(ws.row_dimensions[r].height or 15 for r in range(first + 1, last + 1)) <= page


def test_a_node_of_many_words_gets_a_row_that_shows_them(tmp_path: Path) -> None:
    d = _duban(2, "{i}")
    d.node_texts["P01-M01"] = LONG
    ws = load_workbook(write_reply_form(d, Config(), tmp_path / "回复单.xlsx", dt.datetime(2024, 7, 8)))["督办回复单"]
    # 18 characters a line in the 40-wide column: 6 lines of 11-point text, not the 60 points of 4
    assert ws.row_dimensions[5].height >= 6 * 11 * 1.2 and ws.row_dimensions[6].height == 60


@needs_libreoffice
def test_a_printed_long_form_keeps_its_note_and_every_word_of_its_nodes(tmp_path: Path) -> None:
    forms = ReplyForms(Config(), dt.datetime(2024, 7, 8))
    short = forms.write(_duban(20, "第{i}个项目：2024年5月底前完成用地预审"), tmp_path / "短.xlsx")
    long = forms.write(_duban(7, LONG + "（{i}）"), tmp_path / "长.xlsx")
    pdfs = convert_to_pdf([short, long], tmp_path / "pdf")
    pages = [p.extract_text().replace("\n", "") for p in PdfReader(str(pdfs[0])).pages]
    assert "说明" in pages[-1] and "第19个项目" in pages[-1] and "第20个项目" in pages[-1]
    assert all("目前进展" in t and "同经开督字〔2024〕9号" in t for t in pages)
    text = "".join(p.extract_text().replace("\n", "") for p in PdfReader(str(pdfs[1])).pages)
    # the row was 60 points high: its first and last lines were cut off in print
    assert text.count("供电公司增量配网项目：在增量配网范围外") == 7
    assert text.count("日前形成结论方案（") == 7
