"""Notices written from a compiled template are the documents docxtpl itself would write."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

from reportgen.render import word
from reportgen.render.docx_package import compile_template, finish_body
from reportgen.workspace import init_workspace
from tests.test_word_factory import make_result

# python-docx rewrites the document properties on save (empty elements spelled out)
_NOT_COMPARED = {"docProps/core.xml"}


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        out = {}
        for name in z.namelist():
            raw = z.read(name)
            if name.endswith((".xml", ".rels")):
                raw = etree.tostring(etree.fromstring(raw), method="c14n")
            out[name] = raw
        return out


def test_every_notice_part_equals_docxtpl_rendering(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    result = make_result()
    templates = word._load_checked(ws.templates, ws.config)
    env = word._env()
    seen = 0
    for kind, contexts in word.notice_contexts(result, ws.config).items():
        template = templates[word.NOTICES[kind]]
        compiled = compile_template(template.data, env)
        assert compiled is not None, kind
        for ctx in contexts[:3]:
            fast = _parts(compiled.render(ctx))
            doc = word._render(template, ctx, env=env)
            finish_body(doc.element.body, doc)
            buf = io.BytesIO()
            doc.save(buf)
            slow = _parts(buf.getvalue())
            assert fast.keys() == slow.keys()
            for name in slow.keys() - _NOT_COMPARED:
                assert fast[name] == slow[name], (kind, ctx["unit"], name)
            seen += 1
    assert seen >= 3


def test_a_value_with_markup_stays_text(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    result = make_result()
    templates = word._load_checked(ws.templates, ws.config)
    env = word._env()
    kind, contexts = next((k, c) for k, c in word.notice_contexts(result, ws.config).items() if c)
    compiled = compile_template(templates[word.NOTICES[kind]].data, env)
    assert compiled is not None
    ctx = {**contexts[0], "unit": "R&D<中心>"}
    with zipfile.ZipFile(io.BytesIO(compiled.render(ctx))) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    text = "".join(body.itertext())
    assert "R&D<中心>" in text
