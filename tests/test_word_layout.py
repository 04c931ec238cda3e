"""Page layout rules a 文秘 checks: the 署名 never stands alone on its page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from reportgen.render.pdf import convert_to_pdf
from reportgen.render.word import render_word
from reportgen.workspace import default_templates, init_workspace
from tests.conftest import needs_libreoffice
from tests.test_word_factory import make_result


def _keeps_with_next(paragraph) -> bool:  # type: ignore[no-untyped-def]
    own = paragraph.paragraph_format.keep_with_next
    return bool(own if own is not None else paragraph.style.paragraph_format.keep_with_next)


@pytest.mark.parametrize("name", ["督办通知.docx", "提醒函.docx", "催报通知.docx", "进度通报.docx"])
def test_text_before_signature_keeps_with_it(name: str) -> None:
    doc = Document(str(default_templates() / name))
    paras = doc.paragraphs
    sign = next(i for i, p in enumerate(paras) if p.text.strip() == "{{ signature }}")
    # {%p %} tag paragraphs vanish when rendered: the one that matters is the last real text
    # of the 正文 (the 附件说明 is not: a page with it and the 署名 alone has no text under the seal)
    before = next(p for p in reversed(paras[:sign]) if p.text.strip() and "{%p" not in p.text
                  and not p.style.name.startswith("附件说明"))
    assert _keeps_with_next(before), before.text
    assert _keeps_with_next(paras[sign])  # 署名 with the 成文日期


@pytest.mark.parametrize("name", ["督办通知.docx", "提醒函.docx", "催报通知.docx", "进度通报.docx"])
def test_a_line_ending_in_a_colon_keeps_with_what_it_opens(name: str) -> None:
    # 以下3个节点……书面确认是否已按期完成： printed at the foot of a page, its list on the next
    doc = Document(str(default_templates() / name))
    opening = [p for p in doc.paragraphs if p.text.endswith("：")]
    assert opening and all(_keeps_with_next(p) for p in opening), [p.text for p in opening if not _keeps_with_next(p)]


@needs_libreoffice
def test_bulletin_signature_page_always_holds_text(tmp_path: Path) -> None:
    # the bulletin's text ending at every height of its last page (three lines further each time):
    # where the 附件说明, 署名 and 成文日期 no longer fit under it, the last of the text goes over
    # with them, so the seal never stands on a page without 正文 (GB/T 9704 7.3.5.4)
    ws = init_workspace(tmp_path / "ws")
    bulletins = []
    for k in range(0, 24, 3):  # a page holds 22 lines: every ending is tried within 3 lines
        result = make_result()
        # the opening sentence grows by whole lines (28 characters each)
        result.plan_title = "2024年重点项目推进任务分解" + "（含续建项目节点安排）" * (28 * k // 10)
        out = tmp_path / f"out{k}"
        render_word(result, ws.templates, ws.config, out)
        bulletins.append((out / "进度通报.docx").rename(tmp_path / f"进度通报{k}.docx"))
    signature = ws.config.office.signature
    for pdf in convert_to_pdf(bulletins, tmp_path / "pdf"):
        pages = PdfReader(str(pdf)).pages
        signed = next(p.extract_text() for p in pages if signature in p.extract_text().replace("\n", ""))
        above = re.sub(r"—\s*\d+\s*—|\s", "", signed.split("附件")[0])
        assert above, pdf.name


@pytest.mark.slow  # renders the bulletin (~0.5 s)
def test_only_the_last_requirement_goes_over_the_page_with_the_signature(tmp_path: Path) -> None:
    # all of 四、下步工作要求 kept together with the 署名 left half of the page before it blank
    ws = init_workspace(tmp_path / "ws")
    render_word(make_result(), ws.templates, ws.config, tmp_path / "out")
    paras = Document(str(tmp_path / "out" / "进度通报.docx")).paragraphs
    at = next(i for i, p in enumerate(paras) if p.text == "四、下步工作要求")
    parts = [p for p in paras[at + 1:] if re.match(r"（[一二三四五六七八九十]+）", p.text)]
    assert len(parts) == len(ws.config.text.requirements) >= 2
    assert [_keeps_with_next(p) for p in parts] == [False] * (len(parts) - 1) + [True]
