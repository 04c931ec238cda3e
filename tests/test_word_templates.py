"""The pre-batch template check: broken tags and unknown names, reported with the text around."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from reportgen.errors import TemplateError
from reportgen.render.word import check_word_templates, render_word
from reportgen.workspace import Workspace, default_templates, init_workspace
from tests.test_word_factory import make_result


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


def add_paragraph(ws: Workspace, name: str, *runs: str, after: str = "") -> Path:
    """Put a paragraph (given as its runs, as Word splits them) into the workspace's template."""
    path = ws.root / "templates" / name
    doc = Document(str(path))
    par = doc.add_paragraph()
    for text in runs:
        par.add_run(text)
    if after:
        anchor = next(p for p in doc.paragraphs if after in p.text)
        anchor._p.addnext(par._p)
    doc.save(str(path))
    return path


def test_packaged_templates_pass_the_check(ws):
    check_word_templates(ws.templates, ws.config)


def test_unknown_variable_is_named_with_the_text_around_it(ws):
    add_paragraph(ws, "督办通知.docx", "请联系", "{{ contact_mail }}", "。",
                  after="请你单位高度重视")
    with pytest.raises(TemplateError) as err:
        check_word_templates(ws.templates, ws.config)
    msg = str(err.value)
    assert "督办通知.docx" in msg and "contact_mail" in msg
    assert "可用的有：" in msg and "contact_person" in msg  # says what can be used instead
    assert "→ 请联系{{ contact_mail }}。" in msg
    assert "请你单位高度重视" in msg  # the paragraph before it, for orientation


def paragraph_number(path: Path, text: str) -> int:
    """The 1-based number of the body paragraph holding `text`, read back from the file."""
    body = Document(str(path)).element.body
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return next(i for i, t in enumerate(texts, 1) if text in t)


def test_an_unclosed_tag_before_a_paragraph_tag_is_named_not_swallowed(ws):
    # docxtpl joins everything from an unclosed {{ to the next }}: the {%p endif %} paragraph
    # and the 联系人 line were swallowed, Jinja saw valid source and the letter lost two paragraphs
    path = add_paragraph(ws, "提醒函.docx", "截至{{ as_of_cn ", "各单位",
                         after="请你单位对照时限")
    with pytest.raises(TemplateError) as err:
        check_word_templates(ws.templates, ws.config)
    msg = str(err.value)
    n = paragraph_number(path, "截至{{ as_of_cn 各单位")
    assert msg.startswith(f"模板《提醒函.docx》第{n}段“截至{{{{ as_of_cn 各单位”：“{{{{”未闭合")
    assert "→ 截至{{ as_of_cn 各单位" in msg
    assert "请你单位对照时限" in msg  # the paragraph before it, for orientation


def test_a_tag_split_over_runs_is_checked_as_word_shows_it(ws):
    path = add_paragraph(ws, "督办通知.docx", "请{", "{ unit }", "}于{{ reply_by }", "前反馈",
                         after="请你单位高度重视")
    with pytest.raises(TemplateError) as err:
        check_word_templates(ws.templates, ws.config)
    n = paragraph_number(path, "请{{ unit }}于")
    assert str(err.value).startswith(
        f"模板《督办通知.docx》第{n}段“请{{{{ unit }}}}于{{{{ reply_by }}前反馈”：“{{{{”未闭合")


@pytest.mark.parametrize(("runs", "what"), [
    (("单位：{ unit }}",), "多余的“}}”"),
    (("请注意：{%p if matters %}",), "同一段里的其他文字“请注意：”不会印出"),
    (("{% if letter %}函{% else 通知", "{% endif %}"), "“{%”未闭合（在“%}”之前又出现了“{%”）"),
])
def test_text_a_tag_would_cut_or_print_raw_is_named(ws, runs, what):
    add_paragraph(ws, "催报通知.docx", *runs, after="联系人")
    with pytest.raises(TemplateError) as err:
        check_word_templates(ws.templates, ws.config)
    assert str(err.value).startswith("模板《催报通知.docx》第") and what in str(err.value)


def test_a_misspelt_field_in_a_branch_the_sample_skips_is_named(ws):
    # the sample's 督办通知 confirms nothing: the loop body below never ran in the trial render
    path = add_paragraph(ws, "督办通知.docx", "{% for m in confirm %}{{ m.item_nam }}{% endfor %}",
                         after="请你单位高度重视")
    with pytest.raises(TemplateError) as err:
        check_word_templates(ws.templates, ws.config)
    msg = str(err.value)
    n = paragraph_number(path, "{{ m.item_nam }}")
    assert msg.startswith(f"模板《督办通知.docx》第{n}段“") and "没有的数据项 item_nam" in msg
    assert "item_name" in msg  # what can be read instead


def test_unclosed_block_is_reported(ws):
    add_paragraph(ws, "催报通知.docx", "{% if items %}你单位有事项")
    with pytest.raises(TemplateError, match=r"催报通知\.docx"):
        check_word_templates(ws.templates, ws.config)


def test_misspelt_attribute_is_caught_before_the_batch(ws, tmp_path):
    add_paragraph(ws, "进度通报.docx", "合计{{ total.cumulatve }}亿元", after="一、总体情况")
    with pytest.raises(TemplateError) as err:
        render_word(make_result(), ws.templates, ws.config, tmp_path / "out")
    assert "cumulatve" in str(err.value) and "→ 合计{{ total.cumulatve }}亿元" in str(err.value)
    assert not (tmp_path / "out").exists()  # nothing rendered


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_tag_split_across_runs_still_renders(ws, tmp_path):
    add_paragraph(ws, "催报通知.docx", "经办：{{ contact", "_person }}", after="联系人")
    check_word_templates(ws.templates, ws.config)
    files = render_word(make_result(), ws.templates, ws.config, tmp_path / "out")
    chase = next(p for p in files if p.parent.name == "催报通知")
    assert "经办：张明" in [p.text for p in Document(str(chase)).paragraphs]


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_workspace_template_overrides_the_packaged_one(ws, tmp_path):
    add_paragraph(ws, "催报通知.docx", "（本通知由工作区模板生成）")
    files = render_word(make_result(), ws.templates, ws.config, tmp_path / "out")
    chase = next(p for p in files if p.parent.name == "催报通知")
    assert "（本通知由工作区模板生成）" in [p.text for p in Document(str(chase)).paragraphs]
    (ws.root / "templates" / "催报通知.docx").unlink()
    assert ws.template("催报通知.docx") == default_templates() / "催报通知.docx"
    check_word_templates(ws.templates, ws.config)


def test_a_file_that_is_not_a_docx_is_a_template_error(ws):
    (ws.root / "templates" / "提醒函.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(TemplateError, match="不是有效的 Word 文档"):
        check_word_templates(ws.templates, ws.config)


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_committed_templates_are_what_the_maker_writes(tmp_path):
    """templates/*.docx are regenerated by `python -m tools.make_word_templates` (same paragraphs)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "made"
    subprocess.run([sys.executable, "-m", "tools.make_word_templates", "--out", str(out)],
                   check=True, capture_output=True, cwd=root)
    for name in ("进度通报.docx", "督办通知.docx", "提醒函.docx", "催报通知.docx"):
        made = [p.text for p in Document(str(out / name)).paragraphs]
        committed = [p.text for p in Document(str(root / "templates" / name)).paragraphs]
        assert made == committed, name
        styles = {s.name for s in Document(str(out / name)).styles}
        assert len(styles) < 25  # trimmed to what the template uses
    shutil.rmtree(out)


def test_a_template_cannot_reach_python(ws):
    add_paragraph(ws, "催报通知.docx", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                  after="联系人")
    with pytest.raises(TemplateError) as err:
        check_word_templates(ws.templates, ws.config)
    msg = str(err.value)
    assert "催报通知.docx" in msg and "unsafe" in msg
    assert "→ {{ ''.__class__.__mro__[1].__subclasses__() }}" in msg
