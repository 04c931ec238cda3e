"""Page layout rules a 文秘 checks: the 署名 never stands alone on its page."""

from __future__ import annotations

import pytest
from docx import Document

from reportgen.workspace import default_templates


def _keeps_with_next(paragraph) -> bool:  # type: ignore[no-untyped-def]
    own = paragraph.paragraph_format.keep_with_next
    return bool(own if own is not None else paragraph.style.paragraph_format.keep_with_next)


@pytest.mark.parametrize("name", ["督办通知.docx", "提醒函.docx", "催报通知.docx", "进度通报.docx"])
def test_text_before_signature_keeps_with_it(name: str) -> None:
    doc = Document(str(default_templates() / name))
    paras = doc.paragraphs
    sign = next(i for i, p in enumerate(paras) if p.text.strip() == "{{ signature }}")
    # {%p %} tag paragraphs vanish when rendered: the one that matters is the last real text
    before = next(p for p in reversed(paras[:sign]) if p.text.strip() and "{%p" not in p.text)
    assert _keeps_with_next(before), before.text
    assert _keeps_with_next(paras[sign])  # 署名 with the 成文日期
