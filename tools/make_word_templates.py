"""Build the Word templates in templates/ (进度通报, 督办通知, 提醒函, 催报通知).

Run `python -m tools.make_word_templates` after changing this file; commit the .docx files it
writes. Staff may then edit the templates in Word or WPS; this script is only the starting point.

Layout after GB/T 9704-2012 (党政机关公文格式): A4, 版心 156 × 225 mm (top 37, bottom 35,
left 28, right 26 mm), body 3号仿宋 with 22 lines of 28 characters, headings 一、黑体 /
（一）楷体 / 1. 仿宋, page numbers "— N —" in 4号宋体, odd pages right and even pages left.
Every font is written as an East-Asian font (w:eastAsia) in the template's own styles, with the
theme font attributes removed, so Word and WPS do not fall back to a Latin or Japanese face.
The styles part is trimmed to the styles used: python-docx's default template carries ~800 KB of
style XML, and loading it dominated the time to render one notice.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.styles.style import BaseStyle

from reportgen.config import FontConfig

ROOT = Path(__file__).resolve().parent.parent

FONTS = FontConfig()

BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
MARK_PT = 26.0  # 发文机关标志; word.py shrinks it when a long 标志 would not fit one line
IMPRINT_PT = 14.0  # 4号 (版记, 页码)
LINE = Pt(28.9)  # 225 mm / 22 lines
CHAR = Pt(BODY_PT)
TEXT_WIDTH = Mm(156)
RED = RGBColor(0xFF, 0x00, 0x00)

# Style ids stay ASCII (some tools mishandle non-ASCII ids); names are what staff see in Word.
STYLES: dict[str, str] = {
    "GwMark": "发文机关标志",
    "GwDocNo": "发文字号",
    "GwTitle": "公文标题",
    "GwTo": "主送机关",
    "GwH1": "一级标题",
    "GwH2": "二级标题",
    "GwH3": "三级标题",
    "GwFigure": "图表",
    "GwAttach": "附件说明",
    "GwAttachMore": "附件说明续行",
    "GwSign": "发文机关署名",
    "GwDate": "成文日期",
    "GwImprint": "版记",
    "GwImprintSpace": "版记前空白",
    "GwLetterMark": "信函发文机关标志",
    "GwLetterNo": "信函发文字号",
    "GwPageNo": "页码",
}
KEEP_BUILTIN = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"}
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# ---------------------------------------------------------------- styles


def set_fonts(rpr_parent: BaseStyle, name: str) -> None:
    """Write `name` as the ascii, hAnsi and East-Asian font of a style, without theme fonts."""
    rpr = rpr_parent.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in THEME_ATTRS:
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rfonts.set(qn(attr), name)


def _pf_common(style: BaseStyle, *, indent_chars: int = 0, align: WD_ALIGN_PARAGRAPH | None = None,
               exact: bool = True) -> None:
    pf = style.paragraph_format  # type: ignore[attr-defined]
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = LINE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if align is not None:
        pf.alignment = align
    set_indent_chars(style.element.get_or_add_pPr(), first=indent_chars)


def set_indent_chars(ppr: object, *, first: int = 0, left: int = 0, right: int = 0,
                     hanging: int = 0) -> None:
    """Set indents in characters (w:*Chars, which Word and WPS keep when the font changes)."""
    ind = ppr.find(qn("w:ind"))  # type: ignore[attr-defined]
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.insert_element_before(  # type: ignore[attr-defined]
            ind, "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
            "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
            "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
        )
    for key in list(ind.attrib):
        del ind.attrib[key]
    ind.set(qn("w:left"), str(left * 320))
    ind.set(qn("w:leftChars"), str(left * 100))
    ind.set(qn("w:right"), str(right * 320))
    ind.set(qn("w:rightChars"), str(right * 100))
    if hanging:
        ind.set(qn("w:hanging"), str(hanging * 320))
        ind.set(qn("w:hangingChars"), str(hanging * 100))
    else:
        ind.set(qn("w:firstLine"), str(first * 320))
        ind.set(qn("w:firstLineChars"), str(first * 100))


def _ppr_flag(style: BaseStyle, tag: str, val: str | None = None, *successors: str) -> None:
    ppr = style.element.get_or_add_pPr()
    el = ppr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        ppr.insert_element_before(el, *successors)
    if val is not None:
        el.set(qn("w:val"), val)


def no_grid(style: BaseStyle) -> None:
    """Keep large type off the character grid (else each 2号 character takes two grid cells)."""
    _ppr_flag(style, "w:snapToGrid", "0", "w:spacing", "w:ind", "w:contextualSpacing",
              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
              "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
              "w:rPr", "w:sectPr", "w:pPrChange")


def no_hanging_punctuation(style: BaseStyle) -> None:
    """Keep a 、 or ， that does not fit a line from hanging in the margin, where it gets lost.

    LibreOffice 7.4 hangs such punctuation past the right edge and, in a justified line, does
    not print it. It reads `w:overflowPunct` inverted (val="0" hangs, val="1" does not), so
    val="1" stops the hanging there; Word reads val="1" as its usual "allow punctuation to
    extend past the margin", which it prints. tests/test_print.py compares the text of every
    document with its PDF, so a LibreOffice that reads the flag the other way is caught.
    """
    _ppr_flag(style, "w:overflowPunct", "1", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
              "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
              "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
              "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
              "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def outline(style: BaseStyle, level: int) -> None:
    """Give a heading style an outline level so Word's navigation pane lists it."""
    _ppr_flag(style, "w:outlineLvl", str(level), "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
              "w:pPrChange")


def add_style(doc: DocumentObject, sid: str, font: str, size: float) -> BaseStyle:
    """Add paragraph style `sid` based on Normal, with its own East-Asian font and size."""
    style = doc.styles.add_style(STYLES[sid], WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), sid)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    set_fonts(style, font)
    style.font.size = Pt(size)  # type: ignore[attr-defined]
    return style


def setup_styles(doc: DocumentObject) -> None:
    """Define Normal (3号仿宋 body) and the 公文 styles."""
    st = doc.styles.element
    # docDefaults: no theme fonts, zh-CN, no space after, single spacing
    rpr_default = st.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr_default.find(qn("w:rFonts"))
    for attr in THEME_ATTRS:
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rfonts.set(qn(attr), FONTS.body)
    rpr_default.find(qn("w:sz")).set(qn("w:val"), str(int(BODY_PT * 2)))
    rpr_default.find(qn("w:szCs")).set(qn("w:val"), str(int(BODY_PT * 2)))
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr_default = st.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")

    normal = doc.styles["Normal"]
    set_fonts(normal, FONTS.body)
    normal.font.size = Pt(BODY_PT)  # type: ignore[attr-defined]
    _pf_common(normal, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    normal.paragraph_format.widow_control = True  # type: ignore[attr-defined]
    no_hanging_punctuation(normal)
    # 28 characters of 16 pt in 156 mm (442.2 pt): condense each by 0.25 pt (15.75 × 28 = 441)
    condense = OxmlElement("w:spacing")
    condense.set(qn("w:val"), "-5")
    normal.element.get_or_add_rPr().insert_element_before(
        condense, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
        "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em",
        "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
    )

    mark = add_style(doc, "GwMark", FONTS.title, MARK_PT)
    mark.font.color.rgb = RED  # type: ignore[attr-defined]
    _pf_common(mark, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    # 发文机关标志: the characters' top edge 35 mm below the top of the 版心; the line box of
    # 26 pt type starts about 2 mm above the characters, so the paragraph starts at 33 mm
    mark.paragraph_format.space_before = Mm(33)  # type: ignore[attr-defined]
    no_grid(mark)

    docno = add_style(doc, "GwDocNo", FONTS.body, BODY_PT)
    _pf_common(docno, align=WD_ALIGN_PARAGRAPH.CENTER)
    docno.paragraph_format.space_before = Twips(578 * 2)  # 发文字号: two lines below the 标志
    docno.paragraph_format.space_after = Twips(578 * 2)  # then two lines down to the title
    red_rule(docno)

    title = add_style(doc, "GwTitle", FONTS.title, TITLE_PT)
    _pf_common(title, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(35)  # type: ignore[attr-defined]
    title.paragraph_format.space_after = LINE  # type: ignore[attr-defined]
    no_grid(title)

    to = add_style(doc, "GwTo", FONTS.body, BODY_PT)
    _pf_common(to, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    for sid, font, level in (("GwH1", FONTS.heading1, 0), ("GwH2", FONTS.heading2, 1),
                             ("GwH3", FONTS.body, 2)):
        h = add_style(doc, sid, font, BODY_PT)
        _pf_common(h, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        h.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
        outline(h, level)

    fig = add_style(doc, "GwFigure", FONTS.body, BODY_PT)
    _pf_common(fig, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    no_grid(fig)

    att = add_style(doc, "GwAttach", FONTS.body, BODY_PT)
    _pf_common(att, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    att.paragraph_format.space_before = LINE  # type: ignore[attr-defined]  # 正文下空一行
    att.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]  # 附件 with the 署名
    more = add_style(doc, "GwAttachMore", FONTS.body, BODY_PT)
    _pf_common(more, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    set_indent_chars(more.element.get_or_add_pPr(), left=5)  # under the name after 附件：
    more.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]

    sign = add_style(doc, "GwSign", FONTS.body, BODY_PT)
    _pf_common(sign, align=WD_ALIGN_PARAGRAPH.RIGHT)
    sign.paragraph_format.space_before = Twips(578 * 3)  # room for the seal
    sign.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
    date = add_style(doc, "GwDate", FONTS.body, BODY_PT)
    _pf_common(date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    set_indent_chars(date.element.get_or_add_pPr(), right=4)  # 成文日期右空四字
    date.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]  # with the 版记

    imprint = add_style(doc, "GwImprint", FONTS.body, IMPRINT_PT)
    _pf_common(imprint, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    imprint.paragraph_format.line_spacing = Pt(22)  # type: ignore[attr-defined]
    ind_imprint(imprint)
    no_grid(imprint)

    space = add_style(doc, "GwImprintSpace", FONTS.body, 1.0)
    _pf_common(space)
    space.paragraph_format.line_spacing = Pt(1)  # type: ignore[attr-defined]
    space.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
    no_grid(space)

    letter = add_style(doc, "GwLetterMark", FONTS.title, TITLE_PT)
    letter.font.color.rgb = RED  # type: ignore[attr-defined]
    _pf_common(letter, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    # 信函格式: the 标志's top edge 30 mm below the page's top (the header starts at 15 mm)
    letter.paragraph_format.space_before = Mm(13)  # type: ignore[attr-defined]
    no_grid(letter)
    letter_no = add_style(doc, "GwLetterNo", FONTS.body, BODY_PT)
    _pf_common(letter_no, align=WD_ALIGN_PARAGRAPH.RIGHT)
    letter_no.paragraph_format.space_after = LINE  # type: ignore[attr-defined]

    pageno = add_style(doc, "GwPageNo", FONTS.number, IMPRINT_PT)
    _pf_common(pageno, exact=False)
    no_grid(pageno)


def ind_imprint(style: BaseStyle) -> None:
    """版记: one 4号 character in on both sides; 抄送 lines wrap under the first name."""
    ppr = style.element.get_or_add_pPr()
    set_indent_chars(ppr, left=0, right=0)
    ind = ppr.find(qn("w:ind"))
    for key in list(ind.attrib):
        del ind.attrib[key]
    ind.set(qn("w:left"), str(int(IMPRINT_PT * 20 * 4)))  # after “抄送：” (3 characters + 1 in)
    ind.set(qn("w:right"), str(int(IMPRINT_PT * 20)))
    ind.set(qn("w:hanging"), str(int(IMPRINT_PT * 20 * 3)))


def red_rule(style: BaseStyle) -> None:
    """Draw the red separator 4 mm below the 发文字号, as wide as the 版心."""
    ppr = style.element.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "11"), ("w:color", "FF0000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.insert_element_before(
        bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
        "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
        "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange",
    )


def red_double_line(par: object, edge: str, kind: str, space_pt: int) -> None:
    """A red double line on one edge of a paragraph, 170 mm long and centred (信函格式)."""
    ppr = par._p.get_or_add_pPr()  # type: ignore[attr-defined]
    bdr = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{edge}")
    for k, v in (("w:val", kind), ("w:sz", "18"), ("w:space", str(space_pt)), ("w:color", "FF0000")):
        line.set(qn(k), v)
    bdr.append(line)
    ppr.insert_element_before(
        bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
        "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
        "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange",
    )
    pf = par.paragraph_format  # type: ignore[attr-defined]
    pf.left_indent = pf.right_indent = -Mm(7)  # (170 − 156) / 2 outside the 版心 on each side
    pf.first_line_indent = Pt(0)


def letter_head(doc: DocumentObject) -> None:
    """信函格式 (GB/T 9704 10.1) on the first page when `letter` is true, else the page number.

    The 发文机关 name over a red double line (thick over thin) in the first page's header and a
    red double line (thin over thick) near the page's foot in its footer; no page number there.
    """
    sec = doc.sections[0]
    sec.different_first_page_header_footer = True
    header = sec.first_page_header.paragraphs[0]
    header.text = "{%p if letter %}"
    mark = sec.first_page_header.add_paragraph("{{ issuer }}", STYLES["GwLetterMark"])
    red_double_line(mark, "bottom", "thickThinSmallGap", 11)  # 4 mm under the 标志
    sec.first_page_header.add_paragraph("{%p endif %}")
    footer = sec.first_page_footer
    footer.paragraphs[0].text = "{%p if letter %}"
    rule = footer.add_paragraph("", STYLES["GwImprint"])
    red_double_line(rule, "top", "thinThickSmallGap", 0)
    rule.paragraph_format.line_spacing = Pt(1)
    footer.add_paragraph("{%p else %}")
    _page_number(footer.add_paragraph(), WD_ALIGN_PARAGRAPH.RIGHT)
    footer.add_paragraph("{%p endif %}")


# ---------------------------------------------------------------- page


def setup_page(doc: DocumentObject) -> None:
    """A4, GB/T 9704 margins, 22 × 28 document grid, odd/even page-number footers."""
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance = Mm(15)
    # the page number's top edge 7 mm below the 版心: 35 − 7 − one 4号 line ≈ 22 mm
    # (measured on the printed page: 23 mm put it 5.9 mm below)
    sec.footer_distance = Mm(22)
    grid = sec._sectPr.find(qn("w:docGrid"))
    # A line grid only: LibreOffice lays a negative character pitch (linesAndChars with
    # charSpace −849, Word's usual 28-character grid) out as two cells per character, which
    # halves the line. 28 characters come from Normal's −0.25 pt character spacing instead.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "578")
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(sec.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(sec.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(par: object, align: WD_ALIGN_PARAGRAPH) -> None:
    """Write "— N —" with a PAGE field, one character in from the outer edge."""
    par.style = "页码"  # type: ignore[attr-defined]
    par.alignment = align  # type: ignore[attr-defined]
    ppr = par._p.get_or_add_pPr()  # type: ignore[attr-defined]
    ind = OxmlElement("w:ind")
    side = "w:right" if align == WD_ALIGN_PARAGRAPH.RIGHT else "w:left"
    ind.set(qn(side), str(int(IMPRINT_PT * 20)))
    ppr.insert_element_before(ind, "w:jc", "w:rPr")
    par.add_run("— ")  # type: ignore[attr-defined]
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        run = par.add_run()  # type: ignore[attr-defined]
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    par.add_run(" —")  # type: ignore[attr-defined]


# ---------------------------------------------------------------- content helpers


def para(doc: DocumentObject, text: str, style: str | None = None) -> None:
    """Add one paragraph in a 公文 style (by its Chinese name); None is the body style. A
    paragraph ending in ： opens what follows (主送, 以下N个节点：) and goes over a page with it."""
    p = doc.add_paragraph(text, STYLES[style] if style else None)
    if text.endswith("："):
        p.paragraph_format.keep_with_next = True


def signature_block(doc: DocumentObject) -> None:
    """署名 over 成文日期 (word.py centres the 署名 over the date once both are known)."""
    para(doc, "{{ signature }}", "GwSign")
    para(doc, "{{ issue_date }}", "GwDate")


def imprint_spacer(doc: DocumentObject) -> None:
    """An empty paragraph before the 版记 that render/imprint.py grows to push it to the foot."""
    para(doc, "", "GwImprintSpace")


def letter_imprint(doc: DocumentObject) -> None:
    """版记 of either form: 信函格式 has only 抄送, without rules or 印发 (GB/T 9704 10.1)."""
    imprint_spacer(doc)
    para(doc, "{%p if letter %}")
    para(doc, "抄送：{{ cc }}", "GwImprint")
    para(doc, "{%p else %}")
    imprint_block(doc)
    para(doc, "{%p endif %}")


def imprint_block(doc: DocumentObject) -> None:
    """版记: 抄送 and 印发机关/印发日期 between rules, as a table as wide as the 版心.

    It follows the 成文日期 behind a spacer (imprint_spacer) that render/imprint.py grows to
    push it to the foot of the page: LibreOffice 7.4 ignores a floating table's or a frame's
    position, so a 版记 floated to the foot would print differently there and in Word. One row
    that cannot split keeps 抄送 and 印发 on one page; the thin rule between them is the 印发
    line's top border.
    """
    table = doc.add_table(rows=1, cols=1)
    tbl = table._tbl
    tblpr = tbl.tblPr
    for child in list(tblpr):
        tblpr.remove(child)

    def el(tag: str, **attrs: str) -> OxmlElement:
        node = OxmlElement(tag)
        for k, v in attrs.items():
            node.set(qn(f"w:{k}"), v)
        return node

    width = str(int(TEXT_WIDTH.twips))
    tblpr.append(el("w:tblW", w=width, type="dxa"))
    tblpr.append(el("w:jc", val="center"))
    borders = el("w:tblBorders")
    # first and last rules thick (0.35 mm ≈ 1 pt), the one between thin (0.25 mm ≈ 0.75 pt)
    for edge, size in (("top", "8"), ("left", None), ("bottom", "8"), ("right", None),
                       ("insideH", "6"), ("insideV", None)):
        if size:
            borders.append(el(f"w:{edge}", val="single", sz=size, space="0", color="000000"))
        else:
            borders.append(el(f"w:{edge}", val="nil"))
    tblpr.append(borders)
    tblpr.append(el("w:tblLayout", type="fixed"))
    margins = el("w:tblCellMar")
    margins.append(el("w:left", w="0", type="dxa"))
    margins.append(el("w:right", w="0", type="dxa"))
    tblpr.append(margins)
    tblpr.append(el("w:tblLook", val="0000", firstRow="0", lastRow="0", firstColumn="0",
                    lastColumn="0", noHBand="1", noVBand="1"))
    for col in tbl.tblGrid.findall(qn("w:gridCol")):
        col.set(qn("w:w"), width)
    for row in table.rows:
        row.cells[0].width = TEXT_WIDTH
        trpr = row._tr.get_or_add_trPr()
        trpr.append(el("w:cantSplit"))
    cc = table.cell(0, 0).paragraphs[0]
    cc.style = STYLES["GwImprint"]
    cc.add_run("抄送：{{ cc }}")
    printed = table.cell(0, 0).add_paragraph("", STYLES["GwImprint"])
    pf = printed.paragraph_format
    pf.first_line_indent = Pt(0)
    pf.left_indent = pf.right_indent = Pt(0)  # the rule spans the 版心; text one character in
    pf.tab_stops.add_tab_stop(Twips(int(TEXT_WIDTH.twips - IMPRINT_PT * 20)),
                              WD_TAB_ALIGNMENT.RIGHT)
    ppr = printed._p.get_or_add_pPr()
    bdr = el("w:pBdr")
    bdr.append(el("w:top", val="single", sz="6", space="1", color="000000"))
    ppr.insert_element_before(bdr, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")
    printed.add_run("\u3000{{ printer }}\t{{ printed_date }}印发")
    # a document must not end on a table
    anchor = doc.add_paragraph("", STYLES["GwImprint"])
    anchor.paragraph_format.line_spacing = Pt(1)


def attachments_block(doc: DocumentObject) -> None:
    """附件说明: "附件：名称", or numbered names aligned under the first when several."""
    para(doc, "{%p if attachments|length == 1 %}")
    para(doc, "附件：{{ attachments[0] }}", "GwAttach")
    para(doc, "{%p elif attachments %}")
    para(doc, "附件：1.{{ attachments[0] }}", "GwAttach")
    para(doc, "{%p for a in attachments[1:] %}")
    para(doc, "{{ loop.index + 1 }}.{{ a }}", "GwAttachMore")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")


# ---------------------------------------------------------------- the four documents


def bulletin(doc: DocumentObject) -> None:
    """进度通报: 红头, 文号, title, 主送, four parts, 附件, 署名, 日期, 版记."""
    para(doc, "{{ issuer_mark }}", "GwMark")
    para(doc, "{{ doc_no }}", "GwDocNo")
    para(doc, "关于{{ period_cn }}重点项目推进情况的通报", "GwTitle")
    para(doc, "{{ recipients }}：", "GwTo")
    para(doc, "根据《{{ plan_title }}》（以下简称《任务分解》），现将{{ period_cn }}"
              "重点项目推进情况通报如下。")
    para(doc, "一、总体情况", "GwH1")
    # the figures' sentences are worded in reportgen/render/wording.py (totals add up there)
    para(doc, "{{ total.text }}")
    para(doc, "{{ ms.text }}")
    para(doc, "{{ units.text }}")
    para(doc, "二、项目推进情况", "GwH1")
    para(doc, "{%p if chart %}")
    para(doc, "{{ chart }}", "GwFigure")
    para(doc, "{%p endif %}")
    para(doc, "（一）重点项目", "GwH2")
    para(doc, "{%p for p in projects %}")
    para(doc, "{{ loop.index }}.{{ p.name }}", "GwH3")
    para(doc, "{{ p.figures }}")
    para(doc, "{%p if p.nodes %}")
    para(doc, "{{ p.nodes }}")
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if tasks %}")
    para(doc, "（二）其它重点任务", "GwH2")
    para(doc, "{%p for t in tasks %}")
    para(doc, "{{ loop.index }}.{{ t.name }}：{{ t.status_text }}。")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "三、存在问题", "GwH1")
    para(doc, "（一）节点逾期未完成", "GwH2")
    para(doc, "{%p if overdue_units %}")
    para(doc, "{{ ms.overdue_text }}")
    para(doc, "{%p for u in overdue_units %}")
    para(doc, "{{ loop.index }}.{{ u.name }}（{{ u.count }}个）", "GwH3")
    para(doc, "{%p for m in u.matters %}")
    para(doc, "{{ m.item_name }}：{{ m.text }}（完成时限{{ m.due }}），{{ m.when }}。"
              "单位报送：{{ m.reported }}。")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p else %}")
    para(doc, "{{ ms.none_text }}")
    para(doc, "{%p endif %}")
    para(doc, "（二）未按时报送", "GwH2")
    para(doc, "{%p if missing_units %}")
    para(doc, "{{ missing_text }}")
    para(doc, "{%p else %}")
    para(doc, "各责任单位均已按时报送{{ period_cn }}推进情况。")
    para(doc, "{%p endif %}")
    para(doc, "{%p if behind %}")
    para(doc, "（三）投资进度滞后", "GwH2")
    para(doc, "{{ behind_text }}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if duban.text %}")
    para(doc, "（{{ duban.no_cn }}）督办落实情况", "GwH2")
    para(doc, "{{ duban.text }}")
    para(doc, "{%p endif %}")
    para(doc, "四、下步工作要求", "GwH1")
    para(doc, "{%p for r in requirements[:-1] %}")
    para(doc, "（{{ r.no_cn }}）{{ r.text }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p for r in requirements[-1:] %}")
    para(doc, "（{{ r.no_cn }}）{{ r.text }}")
    # the last part goes over the page with the 附件说明 and 署名: a page holding them alone
    # has no 正文 under the seal (GB/T 9704 7.3.5.4); the parts before it do not (kept all
    # together, they left half of the page before them blank)
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    para(doc, "{%p endfor %}")
    attachments_block(doc)
    signature_block(doc)
    imprint_spacer(doc)
    imprint_block(doc)


def _notice_head(doc: DocumentObject, title: str, letter: bool = False) -> None:
    """发文机关标志 and 发文字号 (文件格式), or only the 发文字号 under the 信函 head."""
    if letter:
        letter_head(doc)
        para(doc, "{%p if letter %}")
        para(doc, "{{ doc_no }}", "GwLetterNo")
        para(doc, "{%p else %}")
    para(doc, "{{ issuer_mark }}", "GwMark")
    para(doc, "{{ doc_no }}", "GwDocNo")
    if letter:
        para(doc, "{%p endif %}")
    para(doc, title, "GwTitle")
    para(doc, "{{ unit }}：", "GwTo")


def _contact(doc: DocumentObject) -> None:
    para(doc, "联系人：{{ contact_person }}，联系电话：{{ contact_phone }}。")
    # The last line of text goes over the page with the 署名, never a signature page alone
    doc.paragraphs[-1].paragraph_format.keep_with_next = True


def supervision(doc: DocumentObject) -> None:
    """督办通知: one unit's overdue milestones and the date by which to reply."""
    _notice_head(doc, "关于加快推进逾期节点的督办通知")
    para(doc, "根据《{{ plan_title }}》和各单位报送的{{ period_cn }}推进情况，截至{{ as_of_cn }}，"
              "你单位负责的以下{{ matters|length }}个节点已超过完成时限，尚未完成：")
    para(doc, "{%p for m in matters %}")
    para(doc, "{{ loop.index }}.{{ m.item_name }}", "GwH3")
    para(doc, "节点要求：{{ m.text }}。完成时限：{{ m.due }}，{{ m.when }}。"
              "{% if m.earlier %}{{ m.earlier }}。{% endif %}"
              "{% if m.role %}你单位为{{ m.role }}单位。{% endif %}报送情况：{{ m.reported }}。")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if escalation %}")
    para(doc, "{{ escalation }}")
    para(doc, "{%p endif %}")
    para(doc, "请你单位高度重视，认真分析逾期原因，制定整改措施，明确完成时限，于{{ reply_by }}"
              "将整改落实情况书面报送{{ short_name }}。")
    _contact(doc)
    signature_block(doc)
    imprint_spacer(doc)
    imprint_block(doc)


def reminder(doc: DocumentObject) -> None:
    """提醒函: one unit's milestones due within the window."""
    # a letter asking only to confirm nodes already past their date does not call them 即将到期
    _notice_head(doc, "{% if matters %}关于重点项目节点即将到期的提醒函{% else %}关于确认重点项目节点完成情况的函"
                      "{% endif %}", letter=True)
    para(doc, "{%p if matters %}")
    para(doc, "根据《{{ plan_title }}》，你单位负责的以下{{ matters|length }}个节点"
              "将在本函成文后{{ window }}日内（{{ soon_until }}前）到期，目前尚未完成：")
    para(doc, "{%p for m in matters %}")
    para(doc, "{{ loop.index }}.{{ m.item_name }}", "GwH3")
    para(doc, "节点要求：{{ m.text }}。完成时限：{{ m.due }}，{{ m.when }}。"
              "{% if m.role %}你单位为{{ m.role }}单位。{% endif %}报送情况：{{ m.reported }}。")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if confirm %}")
    para(doc, "你单位负责的以下{{ confirm|length }}个节点，完成时限在数据截止日（{{ as_of_cn }}）"
              "之后、本函成文之前，报送时尚未完成，请于{{ reply_by }}书面确认是否已按期完成：")
    para(doc, "{%p for m in confirm %}")
    para(doc, "{{ loop.index }}.{{ m.item_name }}", "GwH3")
    para(doc, "节点要求：{{ m.text }}。完成时限：{{ m.due }}。"
              "{% if m.role %}你单位为{{ m.role }}单位。{% endif %}报送情况：{{ m.reported }}。")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if matters %}")
    para(doc, "请你单位对照时限倒排工作计划，加快推进，确保按期完成。如预计不能按期完成，"
              "请于{{ explain_by }}书面说明原因及拟采取的措施。")
    para(doc, "{%p endif %}")
    _contact(doc)
    signature_block(doc)
    letter_imprint(doc)


def chase(doc: DocumentObject) -> None:
    """催报通知: to a unit that has not reported this period."""
    _notice_head(doc, "关于报送{{ period_cn }}推进情况的催报通知", letter=True)
    para(doc, "按照工作安排，各责任单位应于{{ report_deadline }}前报送{{ period_cn }}重点项目推进情况。"
              "{{ received }}")
    para(doc, "{%p if items %}")
    # no "应完成节点0个" to a unit with nothing due yet
    para(doc, "你单位负责的重点项目和重点任务有：{{ items }}{% if due_count %}，其中截至{{ as_of_cn }}"
              "应完成节点{{ due_count }}个{% endif %}。")
    para(doc, "{%p endif %}")
    para(doc, "{%p if escalation %}")
    para(doc, "{{ escalation }}")
    # already told it is named in this month's bulletin: no "if late, it will be named" after it
    para(doc, "请你单位于{{ reply_by }}按要求填写报送表并报送{{ short_name }}。")
    para(doc, "{%p else %}")
    para(doc, "请你单位于{{ reply_by }}按要求填写报送表并报送{{ short_name }}，逾期未报的，"
              "将在月度通报中予以通报。")
    para(doc, "{%p endif %}")
    _contact(doc)
    signature_block(doc)
    letter_imprint(doc)


TEMPLATES = {
    "进度通报.docx": bulletin,
    "督办通知.docx": supervision,
    "提醒函.docx": reminder,
    "催报通知.docx": chase,
}


# ---------------------------------------------------------------- trimming


def trim(doc: DocumentObject) -> None:
    """Drop unused styles, latent styles and parts the default template carries."""
    st = doc.styles.element
    latent = st.find(qn("w:latentStyles"))
    if latent is not None:
        st.remove(latent)
    keep = KEEP_BUILTIN | set(STYLES)
    for style in st.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in keep:
            st.remove(style)
    part = doc.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "webSettings", "customXml"):
            part.drop_rel(rid)
    pkg_rels = part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg_rels[rid]
    settings = doc.settings.element
    rsids = settings.find(qn("w:rsids"))
    if rsids is not None:
        settings.remove(rsids)


def build(maker: object, path: Path, title: str) -> Path:
    """Write one template and return its path."""
    doc = Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    setup_styles(doc)
    setup_page(doc)
    maker(doc)  # type: ignore[operator]
    trim(doc)
    props = doc.core_properties
    props.title = title
    props.author = ""
    # no Jinja braces here: docxtpl renders the core properties as templates too
    props.comments = "reportgen 模板：双花括号与花括号百分号之间为填充标记，可改文字与格式"
    props.last_modified_by = ""
    props.revision = 1
    doc.save(str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    """Write the four templates; return the exit code."""
    ap = argparse.ArgumentParser(description="生成 templates/ 下的 Word 模板")
    ap.add_argument("--out", type=Path, default=ROOT / "templates")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, maker in TEMPLATES.items():
        path = build(maker, args.out / name, name.removesuffix(".docx"))
        print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
