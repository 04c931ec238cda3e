"""The 汇总表's print layout: lines broken by Chinese rules, rows tall enough, pages that end well."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from reportgen.cn import doc_no_pattern
from reportgen.config import Config
from reportgen.numbering import doc_no
from reportgen.pages import KEEP_LAST_ROWS, page_breaks, page_starts
from reportgen.render.xlsx_layout import lay_out
from reportgen.textlines import (
    CELL_PAD_PT,
    LINE_PITCH,
    NO_LINE_START,
    UNIT_PT,
    break_paragraph,
    break_text,
    char_width,
)


def _room(chars: float, size: float = 10) -> float:
    return chars * size


def test_no_line_starts_with_closing_punctuation() -> None:
    # 7 characters a line would put 、 first on the second line
    text = break_text("现代医药产业招、新材料新能源产业", _room(7), 10)
    lines = text.split("\n")
    assert "".join(lines) == "现代医药产业招、新材料新能源产业"
    assert all(line[0] not in NO_LINE_START for line in lines), lines
    assert all(sum(char_width(c, 10) for c in line) <= _room(7) for line in lines), lines


def test_a_name_never_leaves_one_character_alone() -> None:
    lines = break_text("双雁生物医药产业园一期项目", _room(6), 10).split("\n")
    assert "".join(lines) == "双雁生物医药产业园一期项目"
    assert all(len(line) > 1 for line in lines), lines  # 6 + 6 + 1 would leave 目 alone


def test_a_paragraph_never_ends_with_one_character_and_its_stop_alone() -> None:
    # 8 characters a line: 相关手续正在办理 / 中。 and 尚未启动，前期对接 / 中。 as printed before
    assert break_text("相关手续正在办理中。", _room(8), 10).split("\n") == ["相关手续正在办", "理中。"]
    assert break_text("尚未启动，前期对接中。", _room(9), 10).split("\n") == ["尚未启动，前期对", "接中。"]
    # the piece taken down never starts the line with punctuation: 办 goes along with ，
    assert break_text("相关手续正在办，中。", _room(8), 10).split("\n") == ["相关手续正在", "办，中。"]
    # two characters are a word on a line of their own: nothing moves
    assert break_text("规划和自然资源分局", _room(7), 10).split("\n") == ["规划和自然资源", "分局"]
    assert break_text("相关手续正在办理完成。", _room(8), 10).split("\n") == ["相关手续正在办理", "完成。"]
    # a date taken down would not fit beside 完成: the lines stay as they are
    assert break_text("计划于2024.10.31完成", _room(6), 10).split("\n") == ["计划于", "2024.10.31", "完成"]


def test_a_list_of_names_breaks_between_names() -> None:
    units = "现代医药产业招商服务中心、规划和自然资源分局、财政运营部"
    lines = break_text(units, _room(13), 10).split("\n")
    assert lines == ["现代医药产业招商服务中心、", "规划和自然资源分局、", "财政运营部"]


def test_numbers_and_words_stay_whole() -> None:
    lines = break_text("完成投资12.5亿元以上含R&D中心", _room(5), 10).split("\n")
    assert any("12.5" in line for line in lines), lines
    assert "".join(lines) == "完成投资12.5亿元以上含R&D中心"


def test_a_doc_number_stays_whole_on_a_line_where_it_fits() -> None:
    # the 、 after a 文号 goes with it; the next 文号 starts its own line
    lines = break_text("前次督办：同经开督字〔2024〕2号、同经开督字〔2024〕15号", _room(12.5), 10).split("\n")
    assert lines == ["前次督办：", "同经开督字〔2024〕2号、", "同经开督字〔2024〕15号"]
    assert break_text("2024年7月销号；前次督办：同经开督字〔2024〕12号", _room(12), 10).split("\n") \
        == ["2024年7月销号；前次督", "办：", "同经开督字〔2024〕12号"]
    # narrower than the whole 文号: broken only between 机关代字 and 〔年份〕序号号
    assert break_text("同经开督字〔2024〕123号", _room(9), 10).split("\n") == ["同经开督字", "〔2024〕123号"]
    # the pattern is the one the numbering writes
    assert doc_no_pattern().fullmatch(doc_no("同经开督字", 2024, 3))


def test_the_duban_book_prints_each_doc_number_on_one_line() -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from tests.conftest import ROOT

    ws = load_workbook(ROOT / "templates" / "汇总表.xlsx")["督办台账"]
    units = {ws.cell(3, c).value: ws.column_dimensions[get_column_letter(c)].width
             for c in range(1, ws.max_column + 1)}
    prefix = Config().notices.prefix_of("督办通知")
    room = {head: units[head] * UNIT_PT - CELL_PAD_PT for head in ("督办文号", "备注")}
    assert break_text(doc_no(prefix, 2024, 99), room["督办文号"], 10) == doc_no(prefix, 2024, 99)
    cited = "、".join(doc_no(prefix, 2024, n) for n in (8, 9, 99))
    lines = break_text(f"2024年7月销号；前次督办：{cited}", room["备注"], 10).split("\n")
    assert [m["number"] for line in lines for m in doc_no_pattern(prefix).finditer(line)] == ["8", "9", "99"], lines
    assert sum(units.values()) <= 125  # A4 landscape at 10 pt, 督办台账 hides no column


def test_the_last_page_keeps_the_last_rows_with_the_note() -> None:
    # 10 rows of 30 pt on pages of 280: the 10th row would stand alone on page 2
    starts = page_breaks([30.0] * 10, 280, set(), KEEP_LAST_ROWS)
    assert starts == [10 - KEEP_LAST_ROWS]
    assert page_breaks([30.0] * 9, 280, set(), KEEP_LAST_ROWS) == []
    assert page_breaks([30.0] * 4, 100, {2}, KEEP_LAST_ROWS) == [2]  # a break of the template stays


def test_rows_above_the_title_rows_fill_the_first_page_only() -> None:
    # a 校验反馈: its title (30 pt) and subtitle (36 pt) print on the first page only, above the
    # header row (15 pt) every page repeats; each page has 215 pt for rows, each row takes 20
    heights = {1: 30.0, 2: 36.0, 3: 15.0}
    starts = page_starts(lambda r: heights.get(r, 20.0), (1, 40), (3, 3), 215.0)
    assert starts == [10, 20, 30, 38]  # 6 rows under the title, then 10 a page, the last page 3
    assert page_starts(lambda r: heights.get(r, 20.0), (3, 40), (3, 3), 215.0) == [14, 24, 34]


def test_a_project_that_fits_on_a_page_is_not_split_across_two() -> None:
    # projects start at rows 0, 4 and 7 (30 pt rows, 280 pt pages): page 1 would end inside
    # the second project (rows 4–6), so page 2 starts at its first row, the one with its name
    groups = frozenset({0, 4, 7})
    assert page_breaks([30.0] * 12, 280, set(), 1) == [9]
    assert page_breaks([30.0] * 12, 280, set(), 1, groups) == [7]
    # a project longer than a page is not moved to a new page: it breaks where the page is full
    assert page_breaks([30.0] * 12, 280, set(), 1, frozenset({0})) == [9]
    # rows 7–17 are taller than a page: page 1 ends inside them where it is full
    assert page_breaks([30.0] * 20, 280, set(), 1, frozenset({0, 4, 7, 18})) == [9, 18]
    # a fixed break of the template is never moved
    assert page_breaks([30.0] * 12, 280, {8}, 1, groups) == [8]


def test_a_page_that_starts_inside_a_project_takes_the_taller_row_naming_it() -> None:
    # a project of 20 rows of 30 pt on pages of 280 pt; naming it again makes a page's first row 60 pt
    assert page_breaks([30.0] * 20, 280, set(), 1, frozenset({0})) == [9, 18]
    assert page_breaks([30.0] * 20, 280, set(), 1, frozenset({0}), lambda i: 60.0) == [9, 17]
    # a row that starts a project keeps its own height; None keeps the row's own
    assert page_breaks([30.0] * 20, 280, set(), 1, frozenset({0, 9}), lambda i: 60.0) == [9, 18]
    assert page_breaks([30.0] * 20, 280, set(), 1, frozenset({0}), lambda i: None) == [9, 18]


def _project_sheet(name: str, nodes: int) -> Workbook:
    """A 汇总表-like sheet: header, one project of `nodes` rows (序号 and 名称 on its first), 合计, a note."""
    wb = Workbook()
    ws = wb.active
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.print_title_rows = "1:1"
    for c, (head, width) in enumerate((("序号", 5), ("项目（任务）\n名称", 14.5), ("节点要求", 22.5)), start=1):
        ws.cell(1, c, head)
        ws.column_dimensions["ABC"[c - 1]].width = width
    for r in range(2, nodes + 2):
        for c in (1, 2, 3):
            cell = ws.cell(r, c, {1: 1 if r == 2 else None, 2: name if r == 2 else None,
                                  3: f"第{r - 1}个节点的要求写在这里，两行"}[c])
            cell.font, cell.alignment = Font(size=10), Alignment(wrap_text=True)
    ws.cell(nodes + 2, 1, "合计")
    ws.cell(nodes + 3, 1, "注：状态标识")
    ws.merge_cells(start_row=nodes + 3, start_column=1, end_row=nodes + 3, end_column=3)
    return wb


def test_each_page_inside_a_long_project_names_it_with_continued() -> None:
    name = "国药集团威奇达药业新建、续建技改项目"
    wb = _project_sheet(name, 60)
    ws = wb.active
    lay_out(wb)
    starts = [b.id + 1 for b in ws.row_breaks.brk]
    assert len(starts) >= 3
    named = {r: ws.cell(r, 2).value for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value}
    assert set(named) == {r for r in starts if r < 62}  # the 合计 row and the note name nothing
    for r, text in named.items():
        assert text.replace("\n", "") == f"{name}（续）"
        room = 14.5 * UNIT_PT - CELL_PAD_PT
        assert all(sum(char_width(ch, 10) for ch in line) <= room for line in text.split("\n"))
        assert ws.row_dimensions[r].height >= len(text.split("\n")) * 10 * LINE_PITCH
    assert [str(m) for m in ws.merged_cells.ranges] == ["A63:C63"]
    # a sheet without a 名称 column (or whose rows all have a 序号) gets no name written
    wb = _project_sheet(name, 60)
    wb.active.cell(1, 2, "进展情况")
    lay_out(wb)
    assert [r for r in range(3, 62) if wb.active.cell(r, 2).value] == []
    # a list by unit (未报送清单) names the unit again
    wb = _project_sheet(name, 60)
    wb.active.cell(1, 2, "责任单位")
    lay_out(wb)
    assert [r for r in range(3, 62) if wb.active.cell(r, 2).value] == [r for r in starts if r < 62]


def test_lay_out_breaks_wrapped_cells_fits_rows_and_sets_page_breaks() -> None:
    wb = Workbook()
    ws = wb.active
    ws.column_dimensions["A"].width = 10
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.print_title_rows = "1:1"
    ws["A1"] = "表头"
    for r in range(2, 80):
        c = ws.cell(r, 1, "=HYPERLINK(1)现代医药产业招商服务中心、规划和自然资源分局")
        c.data_type = "s"  # typed by a unit: text, never a formula
        c.font = Font(size=10)
        c.alignment = Alignment(wrap_text=True)
    lay_out(wb)
    cell = ws["A2"]
    assert cell.data_type == "s" and "\n" in cell.value
    lines = cell.value.split("\n")
    room = 10 * UNIT_PT
    assert all(sum(char_width(ch, 10) for ch in line) <= room for line in lines)
    assert ws.row_dimensions[2].height >= len(lines) * 10 * LINE_PITCH
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks and breaks == sorted(breaks)
    assert 79 - breaks[-1] >= KEEP_LAST_ROWS


def test_every_sheet_of_the_bundled_template_fits_a4_landscape_at_full_size() -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from tests.conftest import ROOT

    book = load_workbook(ROOT / "templates" / "汇总表.xlsx")
    # A4 landscape less 0.4 in margins, in LibreOffice's width unit (the widest of the printers)
    room = (841.9 - 2 * 0.4 * 72) / 6.15
    for ws in book.worksheets:
        if ws.title.startswith("模板说明"):
            continue
        dims = [ws.column_dimensions[get_column_letter(c)] for c in range(1, ws.max_column + 1)]
        width = sum(d.width or 8.43 for d in dims if not d.hidden)
        assert width <= room, (ws.title, width)
        assert ws.page_margins.left <= 0.4 and ws.page_margins.right <= 0.4, ws.title


def test_no_line_starts_with_two_closing_marks_in_a_row() -> None:
    # “（6月中旬）：” where the line ends after ）: the ） went down with the ：, starting the line
    text = "云冈区新材料产业园项目（82期）节点“6月中旬完成能评审查”（6月中旬）：配合单位左云县财政局报“受阻”"
    size = 10.0
    room = sum(char_width(ch, size) for ch in text[:text.index("）：") + 1])
    lines = break_paragraph(text, room, size)
    assert "".join(lines) == text and len(lines) >= 2
    assert [line[0] for line in lines[1:] if line[0] in NO_LINE_START] == []
    assert all(sum(char_width(ch, size) for ch in line) <= room for line in lines)
