"""Word output: documents read back with python-docx (format, fonts, numbers, isolation)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reportgen.cn import fmt_pct, fmt_yi
from reportgen.config import Config
from reportgen.model import History, PeriodResult, Section, Status, period_end
from reportgen.reconcile import reconcile
from reportgen.render.word import (
    issue_date,
    notice_contexts,
    render_word,
    unit_status,
)
from reportgen.render.wording import bulletin_context
from reportgen.textlines import char_width
from reportgen.workspace import Workspace, init_workspace
from tests.test_word_factory import (
    BUILD,
    FIN,
    INNOV,
    LAND,
    NOT_SUBMITTED,
    SEWAGE,
    make_result,
    seed_plan,
    submissions,
    year_history,
)

# ---------------------------------------------------------------- helpers


def make_ws(root: Path) -> Workspace:
    ws = init_workspace(root)
    ws.config.schedule.due_soon_days = 20
    return ws


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[PeriodResult, Workspace, list[Path]]:
    """One batch rendered from the seed-based result, shared by the read-back tests."""
    root = tmp_path_factory.mktemp("word")
    ws = make_ws(root / "ws")
    result = make_result()
    files = render_word(result, ws.templates, ws.config, root / "out")
    return result, ws, files


def bulletin_path(files: list[Path]) -> Path:
    return next(p for p in files if p.name == "进度通报.docx")


def style_chain(style: Any) -> list[Any]:
    chain = []
    while style is not None:
        chain.append(style)
        style = style.base_style
    return chain


def east_asia(doc: Any, par: Any) -> tuple[str | None, float | None]:
    """The East-Asian font and size a paragraph's text is set in (runs, then styles, defaults)."""
    font = size = None
    for run in par.runs:
        rpr = run._r.rPr
        if rpr is not None and rpr.rFonts is not None:
            font = font or rpr.rFonts.get(qn("w:eastAsia"))
        if run.font.size is not None:
            size = size or run.font.size.pt
    for style in style_chain(par.style):
        rpr = style.element.rPr
        if rpr is not None and rpr.rFonts is not None:
            assert rpr.rFonts.get(qn("w:eastAsiaTheme")) is None
            font = font or rpr.rFonts.get(qn("w:eastAsia"))
        if style.font.size is not None:
            size = size or style.font.size.pt
    return font, size


def by_style(doc: Any, name: str) -> list[Any]:
    return [p for p in doc.paragraphs if p.style is not None and p.style.name == name]


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


# ---------------------------------------------------------------- page and fonts


@pytest.mark.slow
def test_every_document_is_a4_with_gbt9704_margins_and_line_grid(rendered):
    _, _, files = rendered
    assert len(files) > 5
    for path in files:
        sec = Document(str(path)).sections[0]
        for got, want in ((sec.page_width, 210), (sec.page_height, 297), (sec.top_margin, 37),
                          (sec.bottom_margin, 35), (sec.left_margin, 28),
                          (sec.right_margin, 26)):
            assert abs(got - Mm(want)) < Mm(0.1), (path.name, got, want)
        grid = sec._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:linePitch")) == "578"


def test_bulletin_fonts_sizes_and_spacing(rendered):
    _, _, files = rendered
    doc = Document(str(bulletin_path(files)))
    expect = {
        "发文机关标志": ("方正小标宋简体", None),
        "公文标题": ("方正小标宋简体", 22.0),
        "一级标题": ("黑体", 16.0),
        "二级标题": ("楷体_GB2312", 16.0),
        "三级标题": ("仿宋_GB2312", 16.0),
        "Normal": ("仿宋_GB2312", 16.0),
        "成文日期": ("仿宋_GB2312", 16.0),
    }
    for style, (font, size) in expect.items():
        pars = [p for p in by_style(doc, style) if p.text.strip()]
        assert pars, style
        for par in pars:
            got_font, got_size = east_asia(doc, par)
            assert got_font == font, (style, par.text)
            if size is not None:
                assert got_size == size, (style, par.text)
    title = by_style(doc, "公文标题")[0]
    assert title.text == "关于2024年6月份重点项目推进情况的通报"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    body = doc.styles["Normal"].paragraph_format
    assert body.line_spacing == Pt(28.9)
    ind = doc.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    heads = [p.text for p in by_style(doc, "一级标题")]
    assert heads == ["一、总体情况", "二、项目推进情况", "三、存在问题", "四、下步工作要求"]
    # the template's own styles carry East-Asian language and no theme fonts
    styles_xml = doc.styles.element.xml
    assert "eastAsiaTheme" not in styles_xml and "asciiTheme" not in styles_xml
    assert 'w:eastAsia="zh-CN"' in styles_xml


def test_red_header_doc_number_and_rule(rendered):
    _, ws, files = rendered
    doc = Document(str(bulletin_path(files)))
    mark = by_style(doc, "发文机关标志")[0]
    assert mark.text == ws.config.office.issuer_mark
    assert str(mark.style.font.color.rgb) == "FF0000"
    assert mark.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    # the characters' top edge 35 mm into the 版心 (the line box starts ~2 mm higher)
    assert abs(mark.style.paragraph_format.space_before - Mm(33)) < Mm(0.2)
    docno = by_style(doc, "发文字号")[0]
    assert docno.text == "同经开督办〔2024〕5号"
    bottom = docno.style.element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "FF0000"
    # 18 characters of the default 标志 fit one 156 mm line
    sizes = [r.font.size.pt for r in mark.runs if r.font.size] or [mark.style.font.size.pt]
    assert max(sizes) * len(mark.text) <= 156 / 25.4 * 72


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_long_issuer_mark_is_shrunk_to_one_line(tmp_path):
    ws = make_ws(tmp_path / "ws")
    ws.config.office.issuer_mark = "大同经济技术开发区管理委员会重点项目督查督办办公室文件"
    render_word(make_result(), ws.templates, ws.config, tmp_path / "out")
    mark = by_style(Document(str(tmp_path / "out" / "进度通报.docx")), "发文机关标志")[0]
    size = mark.runs[0].font.size.pt
    assert size * len(mark.text) <= 156 / 25.4 * 72 and size >= 14


def test_page_numbers_odd_right_even_left(rendered):
    _, _, files = rendered
    for path in files:
        doc = Document(str(path))
        assert doc.settings.odd_and_even_pages_header_footer
        sec = doc.sections[0]
        for footer, align, side in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, "w:right"),
                                    (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "w:left")):
            par = footer.paragraphs[0]
            assert par.alignment == align
            assert "PAGE" in "".join(t.text or "" for t in par._p.iter(qn("w:instrText")))
            assert re.fullmatch(r"— \d+ —", par.text), par.text
            assert par._p.pPr.find(qn("w:ind")).get(qn(side)) == str(14 * 20)  # one 4号 char
            font, size = east_asia(doc, par)
            assert (font, size) == ("宋体", 14.0)


# ---------------------------------------------------------------- content and numbers


def _parts(text: str) -> dict[str, int]:
    """Return the `label`N个 parts of a list, e.g. 已按期完成7个，逾期完成2个 -> {...}."""
    return {k: int(v) for k, v in re.findall(r"([^，、；。（）\d]+)(\d+)个", text)}


def test_bulletin_numbers_match_the_result(rendered):
    result, _, files = rendered
    doc = Document(str(bulletin_path(files)))
    text = "\n".join(p.text for p in doc.paragraphs)
    t = result.totals
    assert (f"{t.projects}个重点项目年度投资目标合计{fmt_yi(t.target_yi)}亿元，累计完成投资"
            f"{fmt_yi(t.cumulative_yi)}亿元，完成年度目标的{fmt_pct(t.rate)}") in text
    assert f"（序时进度{fmt_pct(result.schedule_rate)}）" in text
    # every total is the sum of the parts the sentence names
    line = next(p.text for p in doc.paragraphs if p.text.startswith("《任务分解》共明确"))
    total, due_parts, later, later_parts = re.search(
        r"应完成(\d+)个，其中(.*?)；尚未到期(\d+)个，其中(.*?)。", line).groups()
    due = _parts(due_parts)
    assert int(total) == t.due == sum(due.values())
    assert due == {k: v for k, v in {"已按期完成": t.done, "逾期完成": t.done_late,
                                     "逾期未完成": t.overdue, "未报送进展": t.not_reported}.items() if v}
    assert int(later) == t.milestones - t.due == sum(_parts(later_parts).values())
    submitted = sum(u.submitted for u in result.units)
    assert f"应报送单位{len(result.units)}个，已报送{submitted}个" in text
    # each project: its heading, then its own figures
    pars = doc.paragraphs
    for it in (it for it in result.items if it.section.value == "project"):
        i = next(k for k, p in enumerate(pars) if re.fullmatch(rf"\d+\.{re.escape(it.name)}",
                                                               p.text))
        line = pars[i + 1].text
        assert f"年度投资目标{fmt_yi(it.target_yi)}亿元" in line
        if it.cumulative_yi is None:
            assert "本期未报送投资完成情况" in line
        else:
            assert f"累计完成投资{fmt_yi(it.cumulative_yi)}亿元" in line
            assert ("沿用上月数据" in line) == (not it.reported_by)
            assert f"完成年度目标的{fmt_pct(it.rate)}" in line
            word = {"ahead": "高于", "behind": "低于"}.get(it.vs_schedule)
            if word:
                assert f"{word}序时进度{abs(it.schedule_gap):.1f}个百分点" in line
            # the gap is the difference of the two printed percentages
            shown = float(fmt_pct(it.rate)[:-1]) - float(fmt_pct(result.schedule_rate)[:-1])
            assert abs(shown - it.schedule_gap) < 1e-9


def test_bulletin_numbers_match_summary_json(rendered):
    from reportgen.summary import summary_dict

    result, _, files = rendered
    totals = summary_dict(result)["totals"]
    text = text_of(bulletin_path(files))
    assert f"合计{totals['target_yi']:.2f}亿元，累计完成投资{totals['cumulative_yi']:.2f}亿元" in text
    assert f"应完成{totals['due']}个" in text
    assert f"已报送{totals['units_submitted']}个" in text
    assert sum(totals["due_breakdown"].values()) == totals["due"]


def test_problems_list_overdue_by_unit_and_missing_units(rendered):
    result, _, files = rendered
    doc = Document(str(bulletin_path(files)))
    text = "\n".join(p.text for p in doc.paragraphs)
    h3 = [p.text for p in by_style(doc, "三级标题")]

    def answers(m, unit):  # the lead (or the unit that stood in), or each member of a group
        return m.group or unit == (m.decided_by or m.lead)

    listed = {u for m in result.milestones for u in m.units
              if unit_status(m, u) is Status.OVERDUE and answers(m, u)}
    for unit in listed:
        n = sum(unit in m.units and unit_status(m, unit) is Status.OVERDUE and answers(m, unit)
                for m in result.milestones)
        assert any(re.fullmatch(rf"\d+\.{unit}（{n}个）", t) for t in h3)
    assert f"共有{result.totals.overdue}个节点逾期未完成，涉及{len(listed)}个单位" in text
    assert f"{BUILD}、{SEWAGE}未按时报送2024年6月份推进情况" in text
    assert "限3个工作日内（2024年7月11日前）补报" in text
    assert "附件：2024年6月重点项目推进情况汇总表" in text  # the 汇总表's own title
    assert "抄送：管委会主要领导，管委会各分管领导。" in text_of(bulletin_path(files))


def test_signature_date_and_imprint(rendered):
    _, ws, files = rendered
    doc = Document(str(bulletin_path(files)))
    sign, date = by_style(doc, "发文机关署名")[0], by_style(doc, "成文日期")[0]
    assert sign.text == ws.config.office.signature
    assert date.text == "2024年7月8日"  # 次月8日, after the 7-5 report deadline
    assert date.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.style.element.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"
    imprint = doc.tables[-1]
    assert imprint.rows[0].cells[0].paragraphs[1].text == f"\u3000{ws.config.office.printer}\t2024年7月8日印发"
    font, size = east_asia(doc, imprint.rows[0].cells[0].paragraphs[0])
    assert (font, size) == ("仿宋_GB2312", 14.0)


def _split(docx: Path, out: Path) -> tuple[Any, Any]:
    """The bulletin's text and 版记 parts for the meeting packet, opened with python-docx."""
    from reportgen.render.packet import split_bulletin

    parts = split_bulletin(docx)
    assert parts.imprint is not None
    out.mkdir(exist_ok=True)
    (out / "text.docx").write_bytes(parts.text)
    (out / "imprint.docx").write_bytes(parts.imprint)
    return Document(str(out / "text.docx")), Document(str(out / "imprint.docx"))


def _footers(doc: Any) -> list[tuple[str, str]]:
    """(type, relationship id) of the footers of each section, in order."""
    return [(ref.get(qn("w:type")), ref.get(qn("r:id"))) for sect in doc.element.body.iter(qn("w:sectPr"))
            for ref in sect.findall(qn("w:footerReference"))]


def test_bulletin_splits_into_its_text_and_its_imprint_for_the_packet(rendered, tmp_path):
    _, _, files = rendered
    whole = Document(str(bulletin_path(files)))
    text, imprint = _split(bulletin_path(files), tmp_path)
    # the text: every paragraph of the bulletin down to the 成文日期, no 版记
    lines = [p.text for p in text.paragraphs]
    assert lines == [p.text for p in whole.paragraphs][:len(lines)]
    assert lines[-1] == "2024年7月8日" and "附件：2024年6月重点项目推进情况汇总表" in lines
    assert not [t for t in text.tables if "抄送" in t.rows[0].cells[0].text]
    assert len(text.inline_shapes) == 1  # the chart stays
    # the 版记 alone: the spacer at the top of the page, then 抄送 and 印发, numbered as the text
    assert imprint.paragraphs[0].style.name == "版记前空白"
    assert "".join(p.text for p in imprint.paragraphs) == ""
    cell = imprint.tables[0].rows[0].cells[0]
    assert cell.paragraphs[0].text.startswith("抄送：")
    assert cell.paragraphs[1].text.endswith("2024年7月8日印发")
    assert _footers(text) == _footers(imprint) == _footers(whole)
    assert len(_footers(whole)) == 2


def test_packet_split_undoes_the_blank_page_before_a_placed_imprint(rendered, tmp_path):
    """Split after render/imprint.py left a blank page before the 版记 (unnumbered section)."""
    from reportgen.render.imprint import BLANK_FOOTER_ID, adjust
    from reportgen.render.packet import number_imprint

    _, _, files = rendered
    placed = tmp_path / "进度通报.docx"
    placed.write_bytes(bulletin_path(files).read_bytes())
    assert adjust(placed, 0, page_break=True) and adjust(placed, 0, page_break=True)
    assert BLANK_FOOTER_ID in {rid for _, rid in _footers(Document(str(placed)))}
    text, imprint = _split(placed, tmp_path / "placed")
    plain, _ = _split(bulletin_path(files), tmp_path / "plain")
    assert [p.text for p in text.paragraphs] == [p.text for p in plain.paragraphs]
    # one section, numbered as the bulletin; no empty paragraph left to make a blank page
    assert len(list(text.element.body.iter(qn("w:sectPr")))) == 1
    assert _footers(text) == _footers(plain) == _footers(imprint)
    spacer = imprint.paragraphs[0]._p.pPr
    assert spacer.find(qn("w:pageBreakBefore")) is None
    assert spacer.find(qn("w:spacing")).get(qn("w:line")) == "20"
    # the 版记 page numbered 30 prints its number as an even page does; or none at all
    target = tmp_path / "placed" / "imprint.docx"
    number_imprint(target, 30)
    even = dict(_footers(plain))["even"]
    numbered = Document(str(target)).sections[0]._sectPr
    assert numbered.find(qn("w:pgNumType")).get(qn("w:start")) == "30"
    assert _footers(Document(str(target))) == [("default", even), ("even", even)]
    number_imprint(target, None)
    assert _footers(Document(str(target))) == []


def test_issue_date_is_never_before_as_of():
    from reportgen.config import Config

    late = make_result(as_of=dt.date(2024, 7, 8))
    assert issue_date(late, Config()) == dt.date(2024, 7, 9)  # the next working day
    assert issue_date(make_result(), Config()) == dt.date(2024, 7, 8)


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_unnumbered_bulletin_leaves_the_number_blank(tmp_path):
    ws = make_ws(tmp_path / "ws")
    render_word(make_result(doc_number=None), ws.templates, ws.config, tmp_path / "out")
    docno = by_style(Document(str(tmp_path / "out" / "进度通报.docx")), "发文字号")[0]
    assert docno.text == "同经开督办〔2024〕　号"


def test_chart_is_embedded(rendered):
    _, _, files = rendered
    doc = Document(str(bulletin_path(files)))
    assert len(doc.inline_shapes) == 1
    assert doc.inline_shapes[0].width <= Mm(156)


# ---------------------------------------------------------------- notices


def _pairs(path: Path) -> set[tuple[str, str]]:
    """(item, milestone clause) pairs a notice names: a 三级标题 then its 节点要求 line."""
    pars = Document(str(path)).paragraphs
    out = set()
    for i, par in enumerate(pars):
        if par.style.name == "三级标题":
            item = par.text.split(".", 1)[1]
            clause = re.match(r"节点要求：(.*?)。完成时限", pars[i + 1].text)
            assert clause, pars[i + 1].text
            out.add((item, clause.group(1)))
    return out


@pytest.mark.parametrize("kind,status", [("督办通知", Status.OVERDUE), ("提醒函", Status.DUE_SOON)])
def test_a_units_notice_names_only_its_own_milestones(rendered, kind, status):
    result, _, files = rendered
    notices = [p for p in files if p.parent.name == kind]
    expected_units = {u for m in result.milestones for u in m.units if unit_status(m, u) is status}
    assert {p.stem for p in notices} == expected_units
    for path in notices:
        unit = path.stem
        doc = Document(str(path))
        assert by_style(doc, "主送机关")[0].text == f"{unit}："
        own = {(m.item_name, m.text) for m in result.milestones
               if unit in m.units and unit_status(m, unit) is status}
        assert _pairs(path) == own
        others = {m.text for m in result.milestones if unit not in m.units} - {t for _, t in own}
        body = text_of(path)
        assert not [t for t in others if t in body]


def test_supervision_notice_says_days_overdue_and_reply_date(rendered):
    result, _, files = rendered
    path = next(p for p in files if p.parent.name == "督办通知" and p.stem == LAND)
    text = text_of(path)
    m = next(m for m in result.milestones if "用地预审" in m.text)
    assert m.days_overdue == 10
    assert "完成时限：2024年6月20日，截至2024年6月30日已逾期10天" in text
    # issued Monday 7-8; five working days: 7-9 … 7-15
    assert "于5个工作日内（2024年7月15日前）将整改落实情况书面报送经开区督查办" in text


def test_a_node_due_on_the_cut_off_is_said_to_be_still_open_that_day(rendered):
    # late by no day: the notice and the bulletin say so in words (汇总表's 逾期清单: “当日到期”)
    result, _, files = rendered
    m = next(m for m in result.milestones if "招标控制价" in m.text)
    assert (m.status, m.due, m.days_overdue) == (Status.OVERDUE, result.as_of, 0)
    notice = text_of(next(p for p in files if p.parent.name == "督办通知" and p.stem == FIN))
    assert "完成时限：2024年6月30日，截至完成时限当日仍未完成" in notice
    assert "逾期0天" not in notice and "逾期0天" not in text_of(bulletin_path(files))


def test_values_with_markup_characters_survive(rendered):
    _, _, files = rendered
    want = "预审材料已上报 & 等待<省厅>批复"
    notice = next(p for p in files if p.parent.name == "督办通知" and p.stem == LAND)
    assert want in text_of(notice)
    assert want in text_of(bulletin_path(files))


def test_chase_notice_for_each_unit_that_did_not_report(rendered):
    result, _, files = rendered
    chased = {p.stem for p in files if p.parent.name == "催报通知"}
    assert chased == {u.name for u in result.units if not u.submitted}
    text = text_of(next(p for p in files if p.stem == BUILD and p.parent.name == "催报通知"))
    assert "应于2024年7月5日前报送2024年6月份重点项目推进情况" in text
    assert "蒸汽和供热管道项目" in text and "双雁生物医药产业园一期项目" not in text
    assert re.search(r"，其中截至2024年6月30日应完成节点[1-9]\d*个。", text)


@pytest.mark.slow  # renders a month's papers (~1 s)
def test_chase_notice_to_a_unit_with_nothing_due_yet_names_no_count(tmp_path):
    # 创新发展部's only node is due in July: “其中截至2024年6月30日应完成节点0个” is not written
    result = make_result(not_submitted=NOT_SUBMITTED | {INNOV})
    assert next(u for u in result.units if u.name == INNOV).due == 0
    ws = make_ws(tmp_path / "ws")
    text = text_of(next(p for p in render_word(result, ws.templates, ws.config, tmp_path / "out")
                        if p.parent.name == "催报通知" and p.stem == INNOV))
    assert "你单位负责的重点项目和重点任务有：" in text and "应完成节点" not in text


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_control_characters_are_stripped_and_unsafe_unit_names_get_safe_files(tmp_path):
    ws = make_ws(tmp_path / "ws")
    result = make_result()
    odd = 'A/B:C*"规划"<分局>&'
    for m in result.milestones:
        m.units = [odd if u == LAND else u for u in m.units]
        m.lead = odd if m.lead == LAND else m.lead
        m.by_unit = {odd if u == LAND else u: v for u, v in m.by_unit.items()}
        m.unit_reports = {odd if u == LAND else u: v for u, v in m.unit_reports.items()}
        m.decided_by = odd if m.decided_by == LAND else m.decided_by
        if "用地预审" in m.text:
            m.unit_reports[odd].progress = "材料\x07已上报\x1b\r\n待批复"
    for u in result.units:
        if u.name == LAND:
            u.name = odd
    files = render_word(result, ws.templates, ws.config, tmp_path / "out")
    notice = next(p for p in files if p.parent.name == "督办通知" and "规划" in p.stem)
    assert not set('/:*"<>') & set(notice.name)
    text = text_of(notice)
    assert f"{odd}：" in text
    assert "材料已上报 待批复" in text
    assert "\x07" not in text_of(bulletin_path(files))


@pytest.mark.slow
def test_rerun_removes_notices_that_are_no_longer_due(tmp_path):
    ws = make_ws(tmp_path / "ws")
    out = tmp_path / "out"
    render_word(make_result(), ws.templates, ws.config, out)
    assert (out / "催报通知" / f"{BUILD}.docx").exists()
    render_word(make_result(not_submitted={SEWAGE}), ws.templates, ws.config, out)
    assert not (out / "催报通知" / f"{BUILD}.docx").exists()
    assert (out / "催报通知" / f"{SEWAGE}.docx").exists()


def test_notice_contexts_are_per_unit():
    from reportgen.config import Config

    ctxs = notice_contexts(make_result(), Config())
    assert {c["unit"] for c in ctxs["催报通知"]} == {BUILD, SEWAGE}
    for ctx in ctxs["督办通知"]:
        assert ctx["matters"] and all(
            "已逾期" in m["when"] or m["when"] == "截至完成时限当日仍未完成" for m in ctx["matters"])
        assert ctx["reply_by"] == "5个工作日内（2024年7月15日前）"


def test_notice_says_a_refused_figure_was_refused_not_unreported():
    from reportgen.config import Config

    def reported(**change: Any) -> str:
        result = make_result()
        result.items = [replace(it, **change) if it.code == "P04" else it for it in result.items]
        ctx = next(c for c in notice_contexts(result, Config())["督办通知"] if c["unit"] == "现代医药产业招商服务中心")
        return str(next(m["reported"] for m in ctx["matters"] if m["code"] == "P04-M01"))

    # the unit's cumulative was below last month's and refused: the notice says so, as the bulletin does
    refused = reported(reported_by=None, rejected=True)
    assert "本月所报累计数有误未采用，见校验反馈，沿用上月数据" in refused and "未报送" not in refused
    assert "本月未报送，沿用上月数据" in reported(reported_by=None, rejected=False)
    assert "沿用上月数据" not in reported()
    # August never run: the figure carried into September is July's, and says so
    assert "本月未报送，沿用7月数据" in reported(reported_by=None, carried_from="2024-07")


# ---------------------------------------------------------------- configuration


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_configured_fonts_are_written_into_the_styles(tmp_path):
    ws = make_ws(tmp_path / "ws")
    ws.config.fonts.body = "仿宋"
    ws.config.fonts.heading1 = "方正黑体_GBK"
    render_word(make_result(), ws.templates, ws.config, tmp_path / "out")
    doc = Document(str(tmp_path / "out" / "进度通报.docx"))
    body = next(p for p in by_style(doc, "Normal") if p.text.startswith("根据"))
    assert east_asia(doc, body)[0] == "仿宋"
    assert east_asia(doc, by_style(doc, "一级标题")[0])[0] == "方正黑体_GBK"
    assert east_asia(doc, by_style(doc, "二级标题")[0])[0] == "楷体_GB2312"


def test_chart_without_cjk_font_is_reported(tmp_path, monkeypatch):
    from reportgen.render import chart

    monkeypatch.setattr(chart, "find_cjk_font", lambda families=chart.CJK_FAMILIES: None)
    notes: list[str] = []
    source = make_ws(tmp_path / "ws")
    render_word(make_result(), source.templates, source.config, tmp_path / "out", notes)
    assert notes == [chart.NO_FONT_WARNING]
    # the chart is left out rather than printed as boxes
    doc = Document(str(tmp_path / "out" / "进度通报.docx"))
    assert not doc.inline_shapes


def test_chart_font_is_found_past_a_stale_matplotlib_cache(monkeypatch):
    from matplotlib import font_manager

    from reportgen.render import chart

    if not chart._fontconfig_files():
        pytest.skip("fontconfig lists no Chinese font here")

    def stale(*args, **kwargs):
        raise ValueError("not in the cache")

    monkeypatch.setattr(font_manager, "findfont", stale)
    assert chart.find_cjk_font() in chart.CJK_FAMILIES


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_chart_draws_without_pyplot():
    import subprocess
    import sys

    code = ("import sys; from tests.test_word_factory import make_result; "
            "from reportgen.render.chart import completion_chart; "
            "c = completion_chart(make_result()); "
            "print(c.png is not None or c.warning != '', 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, check=True).stdout.split()
    assert out == ["True", "False"]


@pytest.mark.slow
def test_chart_uses_a_cjk_family_and_marks_the_schedule():
    from reportgen.render.chart import CJK_FAMILIES, completion_chart, find_cjk_font

    family = find_cjk_font()
    if family is None:
        pytest.skip("no CJK font installed")
    assert family in CJK_FAMILIES
    chart = completion_chart(make_result())
    assert chart.png is not None and chart.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.font == family and chart.warning == ""
    assert find_cjk_font(("没有这种字体",)) is None


def _chart_text(result: PeriodResult) -> tuple[ET.Element, list[tuple[str, float]]]:
    """The chart drawn as SVG, and each line of its text with its size in points as drawn."""
    from reportgen.render.chart import completion_chart

    svg = ET.fromstring(completion_chart(result, image_format="svg").png or b"")
    texts = [(t.text or "", float(re.search(r"font-size: ([\d.]+)px", t.get("style", "")).group(1)))
             for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    return svg, texts


def _points(svg: ET.Element, side: str) -> float:
    return float(svg.get(side, "").removesuffix("pt"))


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_chart_names_every_project_whole_in_10_pt_inside_the_text_block(rendered):
    from reportgen.render.chart import find_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    result, _, files = rendered
    svg, texts = _chart_text(result)
    shape = Document(str(bulletin_path(files))).inline_shapes[0]
    assert shape.width <= Mm(156) and shape.height <= Mm(225)  # inside the 版心
    scale = shape.width.pt / _points(svg, "width")  # the drawing as the bulletin prints it
    assert min(size for _, size in texts) * scale >= 9.99, sorted({size for _, size in texts})
    lines = [text for text, _ in texts]
    assert not any("…" in line for line in lines), lines
    names = [it.name for it in result.items if it.section is Section.PROJECT and it.target_yi]
    # every name read whole, the long ones (国药集团威奇达药业新建、续建技改项目) over two lines
    assert all(name in "".join(lines) for name in names)
    wrapped = [name for name in names if name not in lines]
    assert wrapped and all(any(name.startswith(line) and len(line) < len(name) for line in lines)
                           for name in wrapped), wrapped
    # a city's many projects with long names: as many bars as fit the 版心 at two lines a name
    many = [replace(it, name=f"第{i}号{it.name}", code=f"{it.code}-{i}")
            for i in range(3) for it in result.items if it.section is Section.PROJECT]
    svg, texts = _chart_text(replace(result, items=many))
    assert _points(svg, "height") * scale <= Mm(225).pt
    assert min(size for _, size in texts) * scale >= 9.99
    drawn = re.search(r"完成率最低的(\d+)个", "".join(t for t, _ in texts))
    assert drawn and 20 <= int(drawn.group(1)) < len(many)


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_a_citys_chart_ranks_reported_rates_fits_under_its_heading_and_keeps_its_title_inside(rendered):
    """A city: 2,400 projects, some of them unreported. The lowest rates drawn are of reported
    projects (an unreported one has no rate, it is not 0%), the title says how many were left out
    and stays inside the picture, and the chart leaves the heading's line of the 225 mm 版心."""
    from reportgen.render.chart import find_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    result, _, files = rendered
    projects = [it for it in result.items if it.section is Section.PROJECT and it.target_yi]
    many = []
    for i in range(40):
        for it in projects:
            rate = 0.05 + 0.9 * ((i * 7 + len(many)) % 97) / 97
            many.append(replace(it, name=f"第{i}号{it.name}", code=f"{it.code}-{i}", rate=rate,
                                cumulative_yi=round(rate * (it.target_yi or 0), 2)))
    for k in range(0, len(many), 9):  # a ninth of the city did not report
        many[k] = replace(many[k], rate=None, cumulative_yi=None)
    unreported = sum(it.cumulative_yi is None for it in many)
    svg, texts = _chart_text(replace(result, items=many))
    lines = [text for text, _ in texts]
    assert "未报送" not in lines  # no bar of an unreported project
    joined = "".join(lines)
    drawn = re.search(r"完成率最低的(\d+)个", joined)
    assert drawn and f"共{len(many)}个，未报送的{unreported}个未列入" in joined
    names = [it.name for it in many if it.cumulative_yi is not None]
    lowest = sorted(many, key=lambda it: (it.cumulative_yi is None, it.rate or 0.0))[:int(drawn.group(1))]
    assert all(it.cumulative_yi is not None and it.name in joined for it in lowest), names[:3]
    width = _points(svg, "width")
    ns = "{http://www.w3.org/2000/svg}"
    for t in svg.iter(f"{ns}text"):
        size = float(re.search(r"font-size: ([\d.]+)px", t.get("style", "")).group(1))
        anchored = re.search(r"text-anchor: (\w+)", t.get("style", ""))
        span = sum(char_width(ch, size) for ch in t.text or "")
        moved = re.search(r"translate\(([\d.]+)", t.get("transform", ""))  # the title's lines
        x = float(t.get("x") or (moved.group(1) if moved else "nan"))
        left = x - {"start": 0, "middle": span / 2, "end": span}[anchored.group(1) if anchored else "start"]
        assert left >= 0 and left + span <= width + 0.5, (t.text, left, span, width)
    scale = Document(str(bulletin_path(files))).inline_shapes[0].width.pt / width
    heading = 578 / 20  # 二、项目推进情况: one 3号 line, kept with the chart below it
    assert _points(svg, "height") * scale + heading + Mm(4).pt <= Mm(225).pt


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_chart_keeps_the_schedule_line_off_its_text_and_prints_the_bulletins_percentages():
    from reportgen.render.chart import find_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    result = make_result()  # 序时进度 50%: P02's 47.3% would be crossed by the line
    result.items = [replace(it, cumulative_yi=0.45, rate=0.45 / 0.8) if it.code == "P04" else it
                    for it in result.items]
    svg, _ = _chart_text(result)
    ns = "{http://www.w3.org/2000/svg}"
    dashed = next(p for p in svg.iter(f"{ns}path") if "stroke-dasharray" in p.get("style", ""))
    ends = [float(v) for v in re.findall(r"[ML] [\d.]+ ([\d.]+)", dashed.get("d", ""))]
    line_x = float(re.match(r"M ([\d.]+)", dashed.get("d", "")).group(1))
    spans = {}
    for t in svg.iter(f"{ns}text"):
        if not min(ends) <= float(t.get("y", 0)) <= max(ends):
            continue  # the title above the plot, the axis below it
        size = float(re.search(r"font-size: ([\d.]+)px", t.get("style", "")).group(1))
        anchored = re.search(r"text-anchor: (\w+)", t.get("style", ""))
        anchor = anchored.group(1) if anchored else "start"
        # a character's width as the 汇总表 layout measures it, "%" taken as a whole em
        width = sum(size if ch == "%" else char_width(ch, size) for ch in t.text or "")
        x = float(t.get("x", 0)) - {"start": 0, "middle": width / 2, "end": width}[anchor]
        spans[t.text] = (x, x + width)
    assert "序时进度50.0%" in spans
    shown = [fmt_pct(it.rate) for it in result.items if it.section is Section.PROJECT and it.target_yi]
    assert "56.3%" in shown and set(shown) <= set(spans)  # 0.45 ÷ 0.8: 56.3% as the text prints it
    crossed = [text for text, (a, b) in spans.items() if a - 1 < line_x < b + 1]
    assert crossed == []
    assert spans["47.3%"][0] > line_x  # the percentage the line would cross is set right of it


def test_a_month_with_nothing_to_report_still_renders(tmp_path):
    empty = PeriodResult(period="2024-01", as_of=dt.date(2024, 1, 31), plan_year=2024,
                         plan_title="2024年重点项目推进任务分解", plan_version="x",
                         schedule_rate=1 / 12)
    source = make_ws(tmp_path / "ws")
    files = render_word(empty, source.templates, source.config, tmp_path / "out")
    assert [p.name for p in files] == ["进度通报.docx"]
    text = text_of(files[0])
    assert "关于2024年1月份重点项目推进情况的通报" in text
    assert "截至2024年1月31日，无逾期未完成的节点。" in text
    assert "各责任单位均已按时报送2024年1月份推进情况。" in text
    assert len(Document(str(files[0])).inline_shapes) == 0  # no chart without targets


@pytest.mark.parametrize(("silent", "before", "said"), [
    ({BUILD}, {BUILD}, "补报；{b}已连续2个月未报送，予以通报。"),
    ({BUILD, SEWAGE}, {BUILD}, "补报；其中{b}已连续2个月未报送，予以通报。"),
    ({BUILD, SEWAGE}, {BUILD, SEWAGE}, "补报；{b}已连续2个月未报送、{s}已连续2个月未报送，予以通报。"),
])
def test_second_silent_month_is_named_with_其中_only_for_some_of_the_units(
        silent: set[str], before: set[str], said: str) -> None:
    history = year_history()
    history.missing["2024-05"] = set(before)
    result = make_result(not_submitted=silent, history=history)
    line = bulletin_context(result, Config())["missing_text"]  # the template prints it as is
    assert line.endswith(said.format(b=BUILD, s=SEWAGE)), line


@pytest.mark.slow
def test_chase_letter_threatens_no_bulletin_it_already_announces(tmp_path):
    # the second silent month is named in this month's bulletin: the letter says so, and does
    # not go on with "逾期未报的，将在月度通报中予以通报" as if that were still to come
    history = year_history()
    history.missing["2024-05"] = {BUILD}
    result = make_result(not_submitted={BUILD, SEWAGE}, history=history)
    source = make_ws(tmp_path / "ws")
    render_word(result, source.templates, source.config, tmp_path / "out")
    twice = text_of(tmp_path / "out" / "催报通知" / f"{BUILD}.docx")
    once = text_of(tmp_path / "out" / "催报通知" / f"{SEWAGE}.docx")
    assert "你单位已连续2个月未报送推进情况，本月将在进度通报中予以通报。" in twice
    assert "予以通报" not in twice.split("本月将在进度通报中予以通报。", 1)[1]
    assert "逾期未报的，将在月度通报中予以通报。" in once and "已连续" not in once


@pytest.mark.slow
def test_no_overdue_is_not_claimed_when_due_nodes_went_unreported(tmp_path):
    # the units behind every overdue node stay silent: their nodes become 未报送, and the
    # bulletin must not tell the meeting there is nothing overdue
    late = {u for m in make_result().milestones if m.status is Status.OVERDUE for u in m.units}
    result = make_result(not_submitted=late | NOT_SUBMITTED)
    due = [m for m in result.milestones if m.due and m.due <= result.as_of]
    unknown = sum(1 for m in due if m.status is Status.NOT_REPORTED)
    assert late and unknown and not any(m.status is Status.OVERDUE for m in result.milestones)
    source = make_ws(tmp_path / "ws")
    text = text_of(render_word(result, source.templates, source.config, tmp_path / "out")[0])
    assert "无逾期未完成的节点。" not in text
    assert (f"截至2024年6月30日，已报送进展的节点中无逾期未完成的；另有{unknown}个已到期节点"
            "因责任单位未报送，是否完成无法确认（见“未按时报送”）。") in text


def test_a_due_node_whose_answer_was_not_taken_is_not_put_down_to_a_silent_unit() -> None:
    # a unit that reported says 已完成 of a node due before the cut-off without a date: the answer
    # is not taken (the node is 未报送), but the bulletin must not say its unit did not report
    as_of = period_end("2024-07")  # June's nodes are due before July's cut-off

    def july(silent: set[str]) -> tuple[list, PeriodResult]:
        subs = submissions(silent, "2024-07")
        return subs, reconcile(seed_plan(), subs, History(), as_of, "2024-07", Config())
    late = {u for m in july(NOT_SUBMITTED)[1].milestones if m.status is Status.OVERDUE
            for u in m.units}
    subs, _ = july(late | NOT_SUBMITTED)
    unit, undated = next((s.unit, r) for s in subs for r in s.milestones.values() if r.completed_on)
    undated.completed_on = None
    result = reconcile(seed_plan(), subs, History(), as_of, "2024-07", Config())
    t = result.totals
    node = next(m for m in result.milestones if m.code == undated.code)
    assert node.status is Status.NOT_REPORTED and node.decided_by in ("", unit)
    assert t.not_reported > 1 and not t.overdue  # the silent units' due nodes and the undated one
    line = bulletin_context(result, Config())["ms"]["none_text"]
    assert line == ("截至2024年7月31日，已报送进展的节点中无逾期未完成的；另有"
                    f"{t.not_reported}个已到期节点是否完成无法确认：{t.not_reported - 1}个因责任"
                    "单位未报送（见“未按时报送”），1个因责任单位所报情况未予采用。"), line


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_no_due_soon_sentence_when_nothing_is_due_soon(tmp_path):
    ws = make_ws(tmp_path / "ws")
    ws.config.schedule.due_soon_days = 0
    result = make_result(window=-1)
    assert not any(m.status is Status.DUE_SOON for m in result.milestones)
    files = render_word(result, ws.templates, ws.config, tmp_path / "out")
    text = text_of(files[0])
    assert "日内到期" not in text and "0个节点" not in text
    assert not [p for p in files if p.parent.name == "提醒函"]
