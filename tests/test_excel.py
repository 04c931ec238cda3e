"""汇总表.xlsx: values match the period result, tables and their trimmings fit the rows, print setup."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font
from pypdf import PdfReader

from reportgen.cn import doc_no_pattern, fmt_pct
from reportgen.config import Config
from reportgen.errors import TemplateError
from reportgen.model import STATUS_LABEL, History, PeriodResult, Status, period_end
from reportgen.reconcile import reconcile
from reportgen.render.excel import (
    check_excel_template,
    excel_context,
    read_tables,
    render_excel,
    status_text,
)
from reportgen.render.pdf import convert_to_pdf
from reportgen.workspace import Workspace, init_workspace
from tests.conftest import needs_libreoffice
from tests.test_word_factory import NOT_SUBMITTED, make_result, seed_plan, submissions, year_history

HEAD = 3  # header row of every table; data starts on row 4
CHART_HEAD = 25  # header row of the 投资图表's own data, under its printed page


# what some units typed as progress: formulas and signs a spreadsheet would take as one
HOSTILE = {"P09-M01": "=HYPERLINK(\"http://evil.example\",\"点此\")", "P10-M02": "+1", "T02-M01": "@x",
           "P12-M02": "-2+3"}


def june() -> tuple[PeriodResult, History]:
    """Return June 2024 as reconcile decides it after January to May, and that history."""
    history = year_history()
    return make_result(history=history, progress=HOSTILE), history


def _rows(result: PeriodResult) -> int:
    """Return how many rows 汇总表 has: one a milestone, one an item without milestones."""
    return len(result.milestones) + sum(1 for it in result.items
                                        if not any(m.item == it.code for m in result.milestones))


def _render(workspace: Workspace, result: PeriodResult | None = None) -> tuple[Path, PeriodResult]:
    if result is None:
        result, _ = june()
    out = render_excel(result, year_history(), workspace.templates, workspace.config,
                       workspace.output_dir("2024-06") / "汇总表.xlsx")
    return out, result


def _flat(value):  # type: ignore[no-untyped-def]
    """A cell's text without the line breaks the print layout put in."""
    return value.replace("\n", "") if isinstance(value, str) else value


def _amount_total(col: str, last: int) -> str:
    """The 合计 of an amount column: blank when no row has an amount (not 0.00)."""
    return f'=IF(COUNT({col}4:{col}{last})=0,"",SUM({col}4:{col}{last}))'


Rendered = tuple[Path, PeriodResult, Workspace]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """June's 汇总表 rendered once from the bundled template with the default settings; the tests
    below only read it."""
    workspace = init_workspace(tmp_path_factory.mktemp("excel") / "ws")
    out, result = _render(workspace)
    return out, result, workspace


def _column(ws, col: int, n: int) -> list:
    return [_flat(ws.cell(HEAD + 1 + i, col).value) for i in range(n)]


def test_summary_sheet_matches_the_result(rendered: Rendered) -> None:
    out, result, workspace = rendered
    assert {m.status for m in result.milestones} == set(Status)  # every status is rendered below
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总表", "分单位统计", "逾期清单", "临期清单", "未报送清单", "投资完成",
                             "各月投资", "投资图表", "发文登记", "督办台账"]
    ws = wb["汇总表"]
    assert ws["A1"].value == "2024年6月重点项目推进情况汇总表"
    rows = excel_context(result, year_history(), workspace.config)["rows"]
    n = len(rows)
    assert n == _rows(result) > len(result.milestones)  # an item without milestones has its row
    codes = [c for c in _column(ws, 6, n) if c]
    assert codes == [m.code for m in sorted(result.milestones, key=lambda m: m.item)]
    by_code = {m.code: m for m in result.milestones}
    for i in range(n):
        r = HEAD + 1 + i
        code = ws.cell(r, 6).value
        if code:
            m = by_code[code]
            assert _flat(ws.cell(r, 10).value) == status_text(m.status)
            assert ws.cell(r, 8).value == dt.datetime.combine(m.due, dt.time())
            assert _flat(ws.cell(r, 9).value) == "、".join(m.units)
            if m.status is Status.NOT_REPORTED:  # why: sent nothing, or no row for it in its form
                assert _flat(ws.cell(r, 11).value) in ("（未报送）", "（所报报送表中未读到该节点）")
            elif m.report and m.report.progress:
                assert _flat(ws.cell(r, 11).value) == m.report.progress.replace("\n", "")
                assert ws.cell(r, 11).data_type == "s"
            else:  # nothing written, nothing shown
                assert ws.cell(r, 11).value is None
    # item figures on each item's first row, as numbers with fixed decimals and percentages
    items = {it.name: it for it in result.items}
    firsts = [(r, _flat(ws.cell(r, 2).value)) for r in range(HEAD + 1, HEAD + 1 + n)
              if ws.cell(r, 1).value]
    assert [name for _, name in firsts] == [it.name for it in result.items]
    # a further row names its project only where a page starts with it
    pages = {b.id + 1 for b in ws.row_breaks.brk}
    again = {r: _flat(ws.cell(r, 2).value) for r in range(HEAD + 1, HEAD + 1 + n)
             if ws.cell(r, 2).value and not ws.cell(r, 1).value}
    assert set(again) <= pages and all(v.endswith("（续）") for v in again.values())
    for r, name in firsts:
        it = items[name]
        assert ws.cell(r, 3).value == it.target_yi
        assert ws.cell(r, 4).value == it.cumulative_yi
        assert ws.cell(r, 5).value == pytest.approx(it.rate) if it.rate is not None else True
        assert ws.cell(r, 3).number_format == "0.00" and ws.cell(r, 5).number_format == "0.0%"
    total = HEAD + 1 + n
    assert ws.cell(total, 1).value == "合计"
    assert ws.cell(total, 3).value == _amount_total("C", total - 1)
    assert ws.cell(total, 4).value == _amount_total("D", total - 1)
    assert ws.cell(total, 5).value == f'=IF(AND(C{total}>0,ISNUMBER(D{total})),D{total}/C{total},"")'
    assert "状态标识" in ws.cell(total + 1, 1).value


def test_each_printed_page_of_the_summary_starts_with_a_project_named(rendered: Rendered) -> None:
    # a page that began with a project's later nodes would print them under no project name;
    # only a project taller than any printed page may run on to the next one
    out, _, _ = rendered
    ws = load_workbook(out)["汇总表"]
    last = next(r for r in range(HEAD + 1, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    starts = [HEAD + 1, *(b.id + 1 for b in ws.row_breaks.brk), last + 2]
    assert len(starts) >= 4  # June's summary takes several pages

    def height(rows: range) -> float:
        return sum(ws.row_dimensions[r].height or 15.0 for r in rows)

    tallest_page = max(height(range(a, b)) for a, b in itertools.pairwise(starts))
    firsts = [r for r in range(HEAD + 1, last + 1) if ws.cell(r, 1).value]
    for start in starts[1:-1]:
        if ws.cell(start, 1).value:
            continue
        first = max(r for r in firsts if r < start)
        end = min([r for r in firsts if r > start] + [last])
        assert height(range(first, end)) > tallest_page, f"第{start}行起的一页没有项目名称"


def test_duban_book_prints_three_and_four_digit_doc_numbers_whole(workspace: Workspace) -> None:
    # a city's year of 督办 runs to hundreds, then thousands: 同经开督字〔2024〕123号 and 〔2024〕1234号
    from openpyxl.utils import get_column_letter

    from reportgen.config import Config
    from reportgen.model import DubanRecord, EarlierDuban
    from reportgen.numbering import doc_no
    from reportgen.textlines import CELL_PAD_PT, UNIT_PT, char_width

    prefix = Config().notices.prefix_of("督办通知")
    result, _ = june()
    cited = [EarlierDuban(doc_no(prefix, 2024, n), "2024-05", dt.date(2024, 6, 7)) for n in (998, 1001)]
    result.dubans = [
        DubanRecord(doc_no(prefix, 2024, n), "2024-06", "现代医药产业招商服务中心", ["P01-M01"],
                    {"P01-M01": "双雁生物医药产业园一期项目：上半年至少完成投资1亿元"}, dt.date(2024, 7, 8),
                    round=3 if n > 1000 else 1, reply_by=dt.date(2024, 7, 15),
                    earlier={"P01-M01": cited} if n > 1000 else {})
        for n in (7, 123, 1234)]
    out, _ = _render(workspace, result)
    ws = load_workbook(out)["督办台账"]
    units = {ws.cell(HEAD, c).value: ws.column_dimensions[get_column_letter(c)].width
             for c in range(1, ws.max_column + 1)}
    assert sum(units.values()) <= 125  # as wide as the template: A4 landscape at 10 pt
    numbers = [ws.cell(r, 2).value for r in range(HEAD + 1, HEAD + 4)]
    assert numbers == [doc_no(prefix, 2024, n) for n in (7, 123, 1234)]  # no line break in any
    note = ws.cell(HEAD + 3, 10).value.split("\n")
    assert [m["number"] for line in note for m in doc_no_pattern(prefix).finditer(line)] == ["998", "1001"], note
    for head in ("督办文号", "备注"):  # every line fits its column where it prints narrowest
        col = list(units).index(head) + 1
        room = units[head] * UNIT_PT - CELL_PAD_PT
        for r in range(HEAD + 1, HEAD + 4):
            lines = str(ws.cell(r, col).value or "").split("\n")
            assert all(sum(char_width(ch, 10) for ch in line) <= room for line in lines), (head, lines)
            assert (ws.row_dimensions[r].height or 15) >= len(lines) * 10 * 1.45


def test_duban_book_prints_every_node_of_a_long_notice_across_rows_and_pages(workspace: Workspace) -> None:
    # a city unit pressed on 40 nodes at once: one row could not show them (Excel's tallest row
    # is 409 pt), so each node takes a row, the notice's own columns on the first
    from reportgen.model import DubanRecord

    result, _ = june()
    nodes = {f"P01-M{i:02d}": f"第{i}个节点：双雁生物医药产业园一期项目2024年6月30日前完成第{i}项手续"
             for i in range(1, 41)}
    result.dubans = [
        DubanRecord("同经开督字〔2024〕5号", "2024-06", "现代医药产业招商服务中心", list(nodes), nodes,
                    dt.date(2024, 7, 8), reply_by=dt.date(2024, 7, 15)),
        DubanRecord("同经开督字〔2024〕6号", "2024-06", "规划和自然资源分局", ["P02-M01"],
                    {"P02-M01": "国药集团威奇达药业新建、续建技改项目：完成用地预审"}, dt.date(2024, 7, 8),
                    reply_by=dt.date(2024, 7, 15)),
    ]
    out, _ = _render(workspace, result)
    book = read_tables(out)["督办台账"]
    assert [(r["序号"], r["督办文号"], r["督办事项（节点）"]) for r in book] == [
        (1, "同经开督字〔2024〕5号", "".join(nodes.values())),
        (2, "同经开督字〔2024〕6号", "国药集团威奇达药业新建、续建技改项目：完成用地预审")]
    ws = load_workbook(out)["督办台账"]
    last = HEAD + 41
    printed = [_flat(ws.cell(r, 4).value) for r in range(HEAD + 1, last + 1)]
    assert printed == [*nodes.values(), book[1]["督办事项（节点）"]]
    assert [ws.cell(r, 1).value for r in (HEAD + 1, HEAD + 2, last)] == [1, None, 2]
    assert max(ws.row_dimensions[r].height or 15 for r in range(HEAD + 1, last + 1)) < 409
    # the notice runs over pages: each page it continues on names it again
    starts = [b.id + 1 for b in ws.row_breaks.brk]
    assert starts and all(_flat(ws.cell(r, 2).value) == "同经开督字〔2024〕5号（续）" for r in starts if r < last)


def test_every_percentage_prints_with_one_decimal_as_the_bulletin(rendered: Rendered) -> None:
    # the bulletin says 56.3%, 低于序时进度2.0个百分点 (58.3 − 56.3); its attached tables and chart
    # printing 56.25% and 58.33% would make that 2.08 in front of the same reader
    out, result, _ = rendered
    wb = load_workbook(out)
    formats: dict[str, set[str]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if "%" in cell.number_format:
                    formats.setdefault(ws.title, set()).add(cell.number_format)
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    assert not re.search(r"\d\.\d{2,}%", cell.value), (ws.title, cell.coordinate, cell.value)
    assert {"汇总表", "分单位统计", "投资完成", "各月投资"} <= set(formats)
    assert all(f == {"0.0%"} for f in formats.values()), formats
    schedule = f"序时进度：{fmt_pct(result.schedule_rate)}"
    assert schedule in wb["汇总表"].cell(2, 1).value and schedule in wb["投资图表"].cell(2, 1).value


def test_register_of_notices_is_dated_as_the_notices_it_lists(rendered: Rendered) -> None:
    # the notices are dated the 成文日期 (July 8th for June): "截至2024年6月30日" over them read
    # as if they had been sent by the end of June
    out, result, _ = rendered
    assert result.dates is not None
    issue = result.dates.issue
    sheet = load_workbook(out)["发文登记"]
    listed = sum(1 for r in range(HEAD + 1, sheet.max_row + 1) if isinstance(sheet.cell(r, 1).value, int))
    assert sheet.cell(2, 1).value == f"成文日期{issue.year}年{issue.month}月{issue.day}日　　共{listed}件"


@pytest.mark.slow
def test_missing_list_prints_every_project_of_a_unit_across_rows_and_pages(workspace: Workspace) -> None:
    # a city unit that did not report is in 60 projects: one row could not show them (Excel's
    # tallest row is 409 pt), so each project takes a row, the unit's name and counts on the first
    from reportgen.model import ItemResult, Section

    result, _ = june()
    late = [u.name for u in result.units if u.missing]
    many = [f"第{i}个城市更新片区基础设施配套建设项目（{i}期）" for i in range(1, 60)]
    many.append("摸底本部、医药园区、通航园区屋顶分布式光伏需求")  # one task: its 、 splits nothing
    result.items += [ItemResult(f"X{i:02d}", name, Section.PROJECT, None, None, units=[late[0]])
                     for i, name in enumerate(many, start=1)]
    context = excel_context(result, year_history(), workspace.config)
    first = context["missing_units"][0]
    out, _ = _render(workspace, result)
    tables = read_tables(out)["未报送清单"]
    assert [(r["序号"], r["责任单位"], r["涉及节点数"], r["其中已到期"]) for r in tables] == [
        (no, u["name"], u["milestones"], u["due"]) for no, u in enumerate(context["missing_units"], start=1)]
    assert tables[0]["涉及项目（任务）"] == first["item_names"] and first["item_names"].endswith(
        "、".join(many))
    ws = load_workbook(out)["未报送清单"]
    rows = range(HEAD + 1, ws.max_row + 1)
    printed = [_flat(ws.cell(r, 3).value) for r in rows]
    assert many[-1] in printed and "摸底本部、" not in printed  # the unit's last project, whole
    items = first["items"]
    assert items[-len(many):] == many
    assert [_flat(ws.cell(r, 3).value) for r in rows][:len(items)] == [
        *(n + "、" for n in items[:-1]), items[-1]]
    assert [ws.cell(r, 4).value for r in rows][:len(items) + 1] == [
        first["milestones"], *[None] * (len(items) - 1), context["missing_units"][1]["milestones"]]
    assert max(ws.row_dimensions[r].height or 15 for r in rows) < 409
    # the unit runs over pages: each page it continues on names it again
    starts = [b.id + 1 for b in ws.row_breaks.brk]
    assert len(starts) >= 2
    assert all(_flat(ws.cell(r, 2).value) == f"{late[0]}（续）" for r in starts if r < HEAD + len(items))
    assert ws["A2"].value.endswith(f"共{len(late)}个单位")


def test_hostile_progress_text_stays_text(rendered: Rendered) -> None:
    out, _, _ = rendered
    ws = load_workbook(out)["汇总表"]
    hostile = {"=HYPERLINK(\"http://evil.example\",\"点此\")", "+1", "@x", "-2+3", "=1+1"}
    found = [c for row in ws.iter_rows(min_col=11, max_col=11) for c in row
             if _flat(c.value) in hostile]
    assert {c.value for c in found} >= {"+1", "@x"} and any(c.value.startswith("=") for c in found)
    assert all(c.data_type == "s" for c in found)


def test_a_node_whose_answer_was_not_taken_prints_why_not_the_answer() -> None:
    # 已完成 without a date on a node due before July's cut-off is not taken (the node is 未报送):
    # the row says why beside “× 未报送”, never the unit's progress as if it had been taken
    subs = submissions(NOT_SUBMITTED, "2024-07")
    rep = next(r for s in subs for r in s.milestones.values() if r.completed_on)
    rep.completed_on, rep.progress, rep.problems = None, "已按要求完成并上报", "无"
    result = reconcile(seed_plan(), subs, History(), period_end("2024-07"), "2024-07", Config())
    rows = {r["code"]: r for r in excel_context(result, History(), Config())["milestones"]}
    row = rows[rep.code]
    assert row["status_label"] == "× 未报送"
    assert (row["progress"], row["problems"]) == ("（报“已完成”但未填实际完成日期，未予采用）", "")
    # a unit that sent nothing, and one whose form had no row for the node (ingest: row_missing)
    unreported = [m for m in result.milestones if m.status is Status.NOT_REPORTED and m.code != rep.code]
    silent = [m for m in unreported if set(m.units) <= NOT_SUBMITTED]
    assert silent and all(rows[m.code]["progress"] == "（未报送）" for m in silent)
    rowless = [m for m in unreported if m not in silent]
    assert rowless and all(rows[m.code]["progress"] == "（所报报送表中未读到该节点）" for m in rowless)


def test_styles_merges_and_conditional_formats_cover_exactly_the_rows(rendered: Rendered) -> None:
    out, result, _ = rendered
    wb = load_workbook(out)
    ws = wb["汇总表"]
    n = _rows(result)
    last = HEAD + n
    assert {str(c.sqref) for c in ws.conditional_formatting} == {f"J4:J{last}"}
    rules = [r for c in ws.conditional_formatting for r in c.rules]
    assert {r.text for r in rules} >= {STATUS_LABEL[Status.OVERDUE], STATUS_LABEL[Status.DUE_SOON]}
    for r in range(4, last + 1):
        assert ws.cell(r, 7).border.left.style == "thin"
        assert ws.cell(r, 7).font.name == "仿宋_GB2312"
        assert ws.cell(r, 8).number_format == "yyyy.m.d"
    assert ws.cell(last + 1, 3).font.b  # total row keeps its own style
    assert ws.auto_filter.ref == f"A3:K{last}"

    overdue = [m for m in result.milestones if m.status is Status.OVERDUE]
    lst = wb["逾期清单"]
    assert lst.max_row == HEAD + len(overdue)  # no 本期无 row, no stray row
    assert _column(lst, 1, len(overdue)) == list(range(1, len(overdue) + 1))
    # 逾期天数 most first; a node due on the cut-off (June 30) is late by no day: “当日到期”, last
    days = dict(zip(_column(lst, 3, len(overdue)), _column(lst, 6, len(overdue)), strict=True))
    assert sorted(days) == sorted(m.code for m in overdue)
    counted = [v for v in days.values() if v != "当日到期"]
    assert counted == sorted(counted, reverse=True) and all(isinstance(v, int) and v > 0 for v in counted)
    on_cut_off = {m.code for m in overdue if m.due == result.as_of}
    assert on_cut_off and {c for c, v in days.items() if v == "当日到期"} == on_cut_off
    assert list(days.values())[-len(on_cut_off):] == ["当日到期"] * len(on_cut_off)

    inv = wb["投资完成"]
    projects = [it for it in result.items if it.target_yi is not None]
    p_last = HEAD + len(projects)
    # the chart draws from its own rows under its printed page: every project of a small plan
    chart = wb["投资图表"]._charts[0]
    bars = CHART_HEAD + len(projects)
    assert [s.val.numRef.f for s in chart.series] == [
        f"'投资图表'!$B${CHART_HEAD + 1}:$B${bars}", f"'投资图表'!$C${CHART_HEAD + 1}:$C${bars}"
    ]
    assert chart.series[0].cat.numRef.f == f"'投资图表'!$A${CHART_HEAD + 1}:$A${bars}"
    drawn = wb["投资图表"]
    assert [drawn.cell(r, 1).value for r in range(CHART_HEAD + 1, bars + 1)] == [it.name for it in projects]
    assert [drawn.cell(r, 2).value for r in range(CHART_HEAD + 1, bars + 1)] == pytest.approx(
        [it.rate for it in projects])
    assert drawn.print_area == f"'投资图表'!$A$1:$L${CHART_HEAD - 2}"
    assert {str(c.sqref) for c in inv.conditional_formatting} == {f"I4:I{p_last}"}
    assert inv.cell(p_last + 1, 3).value == _amount_total("C", p_last)
    assert _column(inv, 2, len(projects)) == [it.name for it in projects]
    assert _column(inv, 6, len(projects)) == [it.cumulative_yi for it in projects]
    assert _column(inv, 9, len(projects)) == [
        {"ahead": "超前", "behind": "滞后", "": None}[it.vs_schedule] for it in projects
    ]
    # the monthly table: Jan..May from the ledger, June from this period (last year left out)
    months = wb["各月投资"]
    assert _column(months, 1, 6) == [f"2024年{m}月" for m in range(1, 7)]
    assert months.max_row == HEAD + 6
    june = months.cell(HEAD + 6, 2).value
    assert june == pytest.approx(sum(it.cumulative_yi or 0 for it in projects))


def test_units_and_missing_sheets(rendered: Rendered) -> None:
    out, result, _ = rendered
    wb = load_workbook(out)
    ws = wb["分单位统计"]
    units = sorted(result.units, key=lambda u: (u.rank is None, u.rank or 0))
    assert _column(ws, 2, len(units)) == [u.name for u in units]
    assert _column(ws, 1, len(units)) == [u.rank for u in units]
    assert _column(ws, 10, len(units)) == [u.counts["overdue"] for u in units]
    assert _column(ws, 12, len(units)) == pytest.approx([u.rate for u in units])
    assert ws.cell(HEAD + len(units) + 1, 4).value == f"=SUM(D4:D{HEAD + len(units)})"
    missing = wb["未报送清单"]
    names = [u.name for u in result.units if not u.submitted]
    # a row per project the unit is in, the unit's name and counts on its first
    projects = {n: [it.name for it in result.items if n in it.units] for n in names}
    assert [r["责任单位"] for r in read_tables(out)["未报送清单"]] == names
    assert missing.max_row == HEAD + sum(len(p) for p in projects.values())
    printed = [_flat(missing.cell(r, 3).value) for r in range(HEAD + 1, missing.max_row + 1)]
    assert "".join(printed) == "".join("、".join(p) for p in projects.values())


def test_empty_lists_say_so_without_stray_rows(workspace: Workspace) -> None:
    result, _ = june()
    result.milestones = [m for m in result.milestones if m.status is not Status.OVERDUE]
    for u in result.units:
        u.submitted = True
    out, _ = _render(workspace, result)
    wb = load_workbook(out)
    for sheet, text in (("逾期清单", "本期无逾期未完成节点"), ("未报送清单", "本期各责任单位均已按时报送")):
        ws = wb[sheet]
        assert ws.max_row == HEAD + 1
        assert ws.cell(HEAD + 1, 1).value == text
        assert f"A{HEAD + 1}" in {str(r).split(":")[0] for r in ws.merged_cells.ranges}
        assert read_tables(out)[sheet] == []
    assert wb["临期清单"].max_row == HEAD + sum(
        1 for m in result.milestones if m.status is Status.DUE_SOON)


def test_print_setup(workspace: Workspace) -> None:
    workspace.config.paper.excel = "A3"
    out, _ = _render(workspace)
    wb = load_workbook(out)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 8
        # fit to width only as a net: the columns fit the paper at full size (test_print reads it)
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        if ws.title != "投资图表":
            assert ws.print_title_rows == "$1:$3"
            assert ws.freeze_panes == "A4"
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert ws.oddFooter.left.text.startswith("2024年6月")


def test_configured_fonts_replace_the_template_defaults(workspace: Workspace) -> None:
    workspace.config.fonts.table = "宋体"
    workspace.config.fonts.table_title = "方正黑体"
    out, _ = _render(workspace)
    ws = load_workbook(out)["汇总表"]
    assert ws["G4"].font.name == "宋体"
    assert ws["A1"].font.name == "方正黑体" and ws["A3"].font.name == "方正黑体"
    assert ws.oddFooter.center.font == "宋体"


@pytest.mark.slow
def test_staff_edit_of_the_template_shows_in_the_output(workspace: Workspace) -> None:
    path = workspace.root / "templates" / "汇总表.xlsx"
    wb = load_workbook(path)
    ws = wb["汇总表"]
    # swap 责任单位 (I) and 状态 (J), with their loop cells and widths
    for r in (3, 4):
        a, b = ws.cell(r, 9), ws.cell(r, 10)
        a.value, b.value = b.value, a.value
        a._style, b._style = b._style, a._style
    # a new column with a new expression, and a different font for the progress text
    ws["L3"] = "牵头单位"
    ws["L3"]._style = ws["K3"]._style
    ws["L4"] = "{{ r.lead }}"
    ws["L4"]._style = ws["K4"]._style
    ws["K4"].font = Font(name="楷体", size=12)
    wb.save(path)

    result, history = june()
    out = render_excel(result, history, workspace.templates, workspace.config, workspace.root / "o.xlsx")
    ws = load_workbook(out)["汇总表"]
    first = next(m for m in result.milestones if m.item == "P01")
    assert ws["I3"].value == "状态" and ws["J3"].value == "责任单位"
    assert _flat(ws["I4"].value) == status_text(first.status)
    assert _flat(ws["J4"].value) == "、".join(first.units)
    assert ws["L3"].value == "牵头单位" and _flat(ws["L4"].value) == first.lead
    n = _rows(result)
    leads = {m.code: m.lead for m in result.milestones}
    coded = [r for r in range(HEAD + 1, HEAD + n + 1) if ws.cell(r, 6).value]
    assert len(coded) == len(leads) and coded[-1] >= HEAD + n - 1  # the new column runs to the end
    assert all(_flat(ws.cell(r, 12).value) == leads[ws.cell(r, 6).value] for r in coded)
    assert all(ws.cell(r, 11).font.name == "楷体" for r in range(4, HEAD + n + 1))


def test_bundled_template_passes_the_pre_batch_check(workspace: Workspace) -> None:
    check_excel_template(workspace.templates)
    path = workspace.root / "templates" / "汇总表.xlsx"
    wb = load_workbook(path)
    wb["逾期清单"]["C4"] = "{{ m.code }}{{ overdue_total }}"
    wb.save(path)
    with pytest.raises(TemplateError, match="overdue_total"):
        check_excel_template(workspace.templates)


def test_a_broken_template_fails_before_writing(workspace: Workspace) -> None:
    path = workspace.root / "templates" / "汇总表.xlsx"
    wb = load_workbook(path)
    wb["分单位统计"]["B4"] = "{{ u.nmae }}"
    wb.save(path)
    target = workspace.root / "out" / "汇总表.xlsx"
    result, history = june()
    with pytest.raises(TemplateError, match=r"分单位统计.*B4.*nmae"):
        render_excel(result, history, workspace.templates, workspace.config, target)
    assert not target.exists()


def test_matches_summary_json_when_available(rendered: Rendered) -> None:
    summary = pytest.importorskip("reportgen.summary")
    out, result, _ = rendered
    data = summary.summary_dict(result)
    tables = read_tables(out)
    rows = tables["汇总表"]
    by_code = {r["节点编号"]: r for r in rows if r["节点编号"]}
    assert set(by_code) == {m["code"] for m in data["milestones"]}
    for m in data["milestones"]:
        row = by_code[m["code"]]
        assert row["状态"] == status_text(Status(m["status"]))
        assert row["完成时限"].date().isoformat() == m["due"]
        assert row["责任单位"] == "、".join(m["units"])
    names = {r["项目（任务）名称"]: r for r in rows if r["项目（任务）名称"]}
    for it in data["items"]:
        row = names[it["name"]]
        for header, key in (("年度目标（亿元）", "target_yi"), ("累计完成（亿元）", "cumulative_yi"),
                            ("完成率", "rate")):
            # summary.json rounds to four decimals; the sheet keeps the full value
            assert row[header] == (None if it[key] is None else pytest.approx(it[key], abs=1e-4))
    units = {r["责任单位"]: r for r in tables["分单位统计"]}
    for u in data["units"]:
        row = units[u["name"]]
        assert row["排名"] == u["rank"]
        assert row["逾期未完成"] == u["counts"]["overdue"]
        assert row["报送情况"] == ("已报送" if u["submitted"] else "× 未报送")
    invest = {r["项目名称"]: r for r in tables["投资完成"]}
    for it in data["items"]:
        if it["target_yi"] is not None:
            added = it["month_added_yi"]
            assert invest[it["name"]]["本月新增（亿元）"] == (None if added is None else pytest.approx(added, abs=1e-4))
    assert len(tables["逾期清单"]) == data["totals"]["status_counts"]["overdue"]
    assert len(tables["临期清单"]) == data["totals"]["status_counts"]["due_soon"]
    assert [r["责任单位"] for r in tables["未报送清单"]] == [
        u["name"] for u in data["units"] if not u["submitted"]
    ]


@needs_libreoffice
def test_pdf_pages_each_carry_the_header_row(workspace: Workspace, tmp_path: Path) -> None:
    out, result = _render(workspace)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = tmp_path / "汇总表.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert pages >= 7  # the summary alone takes several pages
    summary_pages = 0
    printed = ""
    for p in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), "-layout", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        printed += text
        # every table's page starts with its header; the chart has a page of its own
        assert any(h in text for h in ("序号", "排名", "月份")) or "投资图表" in text, f"第{p}页没有表头"
        assert re.search(rf"第\s*{p}\s*页\s*共\s*{pages}\s*页", text), f"第{p}页页脚没有页码"
        assert "2024年6月" in text
        if "重点项目推进情况汇总表" in text:
            summary_pages += 1
            assert "节点要求" in text and "进展情况" in text
    assert summary_pages >= 2
    # percentages as the bulletin prints them, in the tables and the chart's labels alike
    assert not re.findall(r"\d\.\d{2,}%", printed)
    for it in result.items:
        if it.rate is not None:
            assert fmt_pct(it.rate) in printed
    assert f"序时进度：{fmt_pct(result.schedule_rate)}" in printed


@needs_libreoffice
def test_template_resaved_by_libreoffice_still_renders(workspace: Workspace, tmp_path: Path) -> None:
    """Staff may open and save the template in LibreOffice (or WPS/Excel) before a run."""
    template = workspace.root / "templates" / "汇总表.xlsx"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "resaved"),
         str(template)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )
    shutil.copy(tmp_path / "resaved" / "汇总表.xlsx", template)
    check_excel_template(workspace.templates)
    out, result = _render(workspace)
    wb = load_workbook(out)
    last = HEAD + _rows(result)
    assert {str(c.sqref) for c in wb["汇总表"].conditional_formatting} == {f"J4:J{last}"}
    assert wb["汇总表"].cell(last + 1, 3).value == _amount_total("C", last)
    projects = [it for it in result.items if it.target_yi is not None]
    chart = wb["投资图表"]._charts[0]
    assert chart.series[0].val.numRef.f.endswith(f"$B${CHART_HEAD + 1}:$B${CHART_HEAD + len(projects)}")
    tables = read_tables(out)
    assert len(tables["逾期清单"]) == sum(1 for m in result.milestones if m.status is Status.OVERDUE)


@needs_libreoffice
def test_totals_of_amounts_nobody_reported_print_blank(workspace: Workspace, tmp_path: Path) -> None:
    # the first month the office runs: no 上月累计 and so no 本月新增 for any project — the 合计
    # row left them blank (it printed 0.00 beside a 累计完成 of hundreds of 亿元)
    result, _ = june()
    for it in result.items:
        it.previous_yi = it.month_added_yi = None
    out, _ = _render(workspace, result)
    pdf = convert_to_pdf([out], tmp_path)[0]
    projects = [it for it in result.items if it.target_yi is not None]
    page = next(p.extract_text() for p in PdfReader(str(pdf)).pages if "重点项目投资完成情况" in p.extract_text())
    total = next(line.split() for line in page.splitlines() if line.startswith("合计"))
    target = sum(it.target_yi or 0 for it in projects)
    done = sum(it.cumulative_yi or 0 for it in projects)
    assert total == ["合计", f"{target:.2f}", f"{done:.2f}", fmt_pct(done / target),
                     fmt_pct(result.schedule_rate)]


@pytest.mark.slow
def test_chart_of_a_city_draws_the_lowest_rates_the_bulletin_draws(workspace: Workspace) -> None:
    # 2,400 projects drew 2,400 bars on one printed page: a black block. The sheet draws the
    # projects the bulletin's chart draws, and says which
    from reportgen.model import ItemResult, Section

    result, _ = june()
    result.items += [ItemResult(f"X{i:03d}", f"第{i}个城市更新项目", Section.PROJECT, 2.0, 2.0 * (i % 50) / 50,
                                rate=(i % 50) / 50) for i in range(300)]
    out, _ = _render(workspace, result)
    ws = load_workbook(out)["投资图表"]
    projects = [it for it in result.items if it.section is Section.PROJECT and it.target_yi]
    rows = range(CHART_HEAD + 1, ws.max_row + 1)
    drawn = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in rows]
    assert 20 <= len(drawn) <= 27
    rates = sorted(it.rate or 0 for it in projects if it.cumulative_yi is not None)
    assert max(rate for _, rate in drawn) <= rates[len(drawn) - 1]
    order = [it.name for it in projects]
    assert [name for name, _ in drawn] == sorted((name for name, _ in drawn), key=order.index)
    assert ws["A2"].value.endswith(f"完成率最低的{len(drawn)}个项目（共{len(projects)}个）")
    chart = ws._charts[0]
    assert chart.series[0].val.numRef.f == f"'投资图表'!$B${CHART_HEAD + 1}:$B${CHART_HEAD + len(drawn)}"
