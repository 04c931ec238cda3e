"""A Word template compiled once per batch, and each document written as a package directly.

docxtpl renders a document by opening the whole template package with python-docx, patching
and rendering its XML, and saving every part again: for a batch of hundreds of notices from
one template, most of that is the same work each time. Here the template is opened once: the
body (and any header or footer with tags) is patched and compiled once, the other parts are
zipped once. A document is then its rendered body put into the template's document.xml, the
layout touches applied (`finish_body`), and the unchanged parts appended as they are.

The rendering is docxtpl's own (`patch_xml`, `resolve_listing`, `fix_tables`), so a template
behaves exactly as it does through `DocxTemplate.render`. Templates with images in the body
or tags in the document properties or footnotes are not compiled (`compile_template` returns
None) and go through docxtpl as before.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

TEXT_WIDTH_PT = 156 / 25.4 * 72  # 版心 width
BODY_PT = 16.0
_TAG = re.compile(r"\{[{%]")
_PARAGRAPH_BREAK = re.compile(r"\n<w:p([ >])")
_BODY = re.compile(r"<w:body[ >].*</w:body>|<w:body/>", re.S)
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


# ---------------------------------------------------------------- layout touches after render


def text_width(text: str) -> float:
    """Width of `text` in body characters (Latin letters and digits are half width).

    Word and LibreOffice put a quarter character between Chinese and Latin text (autospace),
    so 2024年7月5日 is 7 characters wide, not 6.
    """
    wide = [ord(ch) >= 0x2E80 for ch in text]
    gaps = sum(1 for a, b, ch in zip(wide, wide[1:], text[1:], strict=False)
               if a != b and not ch.isspace() and ch.isalnum())
    return sum(1.0 if w else 0.5 for w in wide) + 0.25 * gaps


def finish_body(body: Any, owner: Any) -> None:
    """Centre the 署名 over the 成文日期 and fit the 发文机关标志 on one line.

    `body` is a rendered w:body element (python-docx classes); `owner` is the python-docx
    document whose styles the paragraphs use.
    """
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from docx.text.paragraph import Paragraph

    style_of = f"./{qn('w:pPr')}/{qn('w:pStyle')}"
    val = qn("w:val")
    pars = list(body.iterchildren(qn("w:p")))
    for i, p in enumerate(pars):
        pstyle = p.find(style_of)
        sid = pstyle.get(val) if pstyle is not None else ""
        if sid == "GwMark":
            par = Paragraph(p, owner)
            font_size = par.style.font.size if par.style is not None else None
            size = font_size.pt if font_size is not None else 26.0
            fit = TEXT_WIDTH_PT * 0.98 / max(text_width(par.text), 1.0)
            if fit < size:
                for run in par.runs:
                    run.font.size = Pt(int(fit * 2) / 2)
        elif sid == "GwSign" and i + 1 < len(pars):
            par, date = Paragraph(p, owner), Paragraph(pars[i + 1], owner)
            # GB/T 9704 7.3.5.1: 署名 centred over the 成文日期, which stands 4 characters in;
            # a 署名 too long for that ends at the margin, and the date moves under its centre
            sign_w, date_w = text_width(par.text), text_width(date.text)
            right = 4 + date_w / 2 - sign_w / 2
            if right < 0:
                set_right_indent(date, (sign_w - date_w) / 2)
            set_right_indent(par, max(0.0, right))


def set_right_indent(par: Any, chars: float) -> None:
    """Set a paragraph's right indent in body characters (twips and 1/100 characters)."""
    from docx.oxml.ns import qn

    ppr = par._p.get_or_add_pPr()
    ind = ppr.get_or_add_ind()
    ind.set(qn("w:right"), str(round(chars * BODY_PT * 20)))
    ind.set(qn("w:rightChars"), str(round(chars * 100)))


# ---------------------------------------------------------------- the compiled template


@dataclass
class _Part:
    """A part rendered for every document: its zip entry and compiled template."""

    info: zipfile.ZipInfo
    template: Any
    encoding: str = "utf-8"


@dataclass
class CompiledTemplate:
    """A docx template ready to write many documents: see the module's docstring."""

    owner: Any  # the template's DocxTemplate (styles for finish_body, docxtpl's helpers)
    document: zipfile.ZipInfo
    head: str  # document.xml up to the body
    tail: str  # document.xml after the body
    body: Any  # the compiled body
    parts: list[_Part]  # headers and footers with tags
    static: bytes  # a zip of every other part, as in the template

    def render(self, ctx: dict[str, Any]) -> bytes:
        """Return the .docx bytes of the document for `ctx` (Jinja errors propagate)."""
        from docx.oxml.parser import parse_xml

        xml = self._post(self.body.render(ctx))
        if "<w:tbl" in xml:
            xml = etree.tostring(self.owner.fix_tables(xml), encoding="unicode")
        body = parse_xml(xml)
        finish_body(body, self.owner)
        document = self.head + etree.tostring(body, encoding="unicode") + self.tail
        out = io.BytesIO(self.static)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
            package.writestr(self.document, document.encode("utf-8"))
            for part in self.parts:
                text = self._post(part.template.render(ctx))
                package.writestr(part.info, text.encode(part.encoding))
        return out.getvalue()

    def write(self, ctx: dict[str, Any], path: Path) -> Path:
        """Write the document for `ctx` to `path`; return `path`."""
        path.write_bytes(self.render(ctx))
        return path

    def _post(self, xml: str) -> str:
        """What docxtpl does to rendered XML: paragraphs rejoined, escaped tags, listings."""
        xml = _PARAGRAPH_BREAK.sub(r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return str(self.owner.resolve_listing(xml))


def _source(owner: Any, xml: str) -> str:
    """docxtpl's template source of a part: tags patched, one paragraph per line."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", owner.patch_xml(xml))


def _info(name: str, infos: dict[str, zipfile.ZipInfo]) -> zipfile.ZipInfo:
    old = infos[name]
    info = zipfile.ZipInfo(name, old.date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def compile_template(data: bytes, env: Any) -> CompiledTemplate | None:
    """Return the template in `data` compiled with `env`, or None when docxtpl must render it."""
    from docxtpl import DocxTemplate

    owner = DocxTemplate(io.BytesIO(data))
    owner.init_docx()
    core = owner.docx.core_properties
    if any(_TAG.search(getattr(core, p) or "") for p in _PROPERTIES):
        return None
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        infos = {i.filename: i for i in source.infolist()}
        raw = {name: source.read(name) for name in infos}
    if any("footnotes" in name and _TAG.search(raw[name].decode("utf-8", "replace"))
           for name in raw):
        return None
    body_src = owner.get_xml()
    if "wp:docPr" in body_src or "<w:drawing" in body_src:
        return None
    doc_name = owner.docx.part.partname.lstrip("/")
    match = _BODY.search(raw[doc_name].decode("utf-8"))
    if match is None:
        return None
    text = raw[doc_name].decode("utf-8")
    rendered = {doc_name}
    parts: list[_Part] = []
    for uri in (owner.HEADER_URI, owner.FOOTER_URI):
        for _key, part in owner.get_headers_footers(uri):
            xml = owner.get_part_xml(part)
            if _TAG.search(xml):
                name = part.partname.lstrip("/")
                rendered.add(name)
                parts.append(_Part(_info(name, infos), env.from_string(_source(owner, xml)),
                                   owner.get_headers_footers_encoding(xml)))
    static = io.BytesIO()
    with zipfile.ZipFile(static, "w", zipfile.ZIP_DEFLATED) as package:
        for name in infos:
            if name not in rendered:
                package.writestr(_info(name, infos), raw[name])
    return CompiledTemplate(
        owner=owner, document=_info(doc_name, infos), head=text[: match.start()],
        tail=text[match.end():], body=env.from_string(_source(owner, body_src)), parts=parts,
        static=static.getvalue(),
    )
