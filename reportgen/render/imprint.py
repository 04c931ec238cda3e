"""The 版记 at the foot of the last page, on an even page (GB/T 9704-2012 7.4, 10.1).

Where the last page ends depends on the printed layout, which only a layout engine knows: Word
and LibreOffice both ignore a frame anchored to the foot of the page in a way that survives the
other. So the templates put the 版记 right after the 成文日期, behind an empty spacer paragraph
(style GwImprintSpace), and after LibreOffice has set the documents this module reads where the
版记's last line landed, grows the spacer until the last rule lies on the bottom edge of the 版心,
and, for the 文件格式 (its 版记 ends with 印发), moves the 版记 to a page of its own when the
text ends on an odd page. When the text ends on an even page with no room at its foot, the odd
page after it is left blank and the 版记 set on the even one; both then go without a page number
(GB/T 9704 7.5): they form a section of their own whose footers are empty. The documents are
converted again; Word sets the same fixed line pitch, so the Word file prints the same.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.fsutil import atomic_path

SPACER_STYLE = "GwImprintSpace"
PAGE_HEIGHT_PT = 297 / 25.4 * 72
TEXT_BOTTOM_PT = (37 + 225) / 25.4 * 72  # bottom edge of the 版心, from the page's top
RULE_BELOW_BASELINE_PT = 4.9  # the 版记's last rule below its last line's baseline (measured)
IMPRINT_SIZE_PT = 14.0  # 4号
ROUNDS = 4  # a blank odd page before the 版记 takes one round more
SLACK_PT = 2.5  # aim this far above the edge: 1.7 pt less still pushes it to a new page in LibreOffice

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
FOOTER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
FOOTER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
BLANK_FOOTER = "footer-unnumbered.xml"  # the footer of the blank page and the 版记 page after it
BLANK_FOOTER_ID = "rIdUnnumbered"


@dataclass
class ImprintPlace:
    """Where a document's 版记 was printed: page (1-based) and its last rule from the top."""

    page: int
    bottom_pt: float
    formal: bool  # 文件格式 (ends with 印发): belongs on an even page


def measure(pdf: Path) -> ImprintPlace | None:
    """Return where the 版记 of a converted document lies, or None when it has none."""
    from pypdf import PdfReader  # loaded on use, like the other PDF helpers

    reader = PdfReader(str(pdf))
    for index in range(len(reader.pages) - 1, -1, -1):
        lines: dict[float, str] = {}

        def visit(text: str, cm: Sequence[float], tm: Sequence[float], font: object,
                  size: float, lines: dict[float, str] = lines) -> None:
            if text.strip() and abs(size * tm[3] - IMPRINT_SIZE_PT) < 0.6:
                y = round(cm[5] + tm[5] * cm[3], 1)
                lines[y] = lines.get(y, "") + text

        reader.pages[index].extract_text(visitor_text=visit)
        # the page number is set in 4号 too: it stands below the 版心
        imprint = {y: t for y, t in lines.items() if PAGE_HEIGHT_PT - y < TEXT_BOTTOM_PT}
        if not imprint:
            continue
        if not any(t.lstrip().startswith("抄送") for t in imprint.values()):
            return None
        low = min(imprint)
        return ImprintPlace(page=index + 1, bottom_pt=PAGE_HEIGHT_PT - low + RULE_BELOW_BASELINE_PT,
                            formal=imprint[low].rstrip().endswith("印发"))
    return None


def _spacer(root: Any) -> tuple[Any, Any] | None:
    """The last spacer paragraph of the body and the paragraph before it."""
    body = root.find(f"{_W}body")
    previous = None
    found = None
    for p in body.iter(f"{_W}p"):
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if style is not None and style.get(f"{_W}val") == SPACER_STYLE:
            found = (p, previous)
        previous = p
    return found


def _child(parent: Any, tag: str, before: Sequence[str] = ()) -> Any:
    from lxml import etree

    el = parent.find(f"{_W}{tag}")
    if el is None:
        el = etree.Element(f"{_W}{tag}")
        for name in before:
            anchor = parent.find(f"{_W}{name}")
            if anchor is not None:
                anchor.addprevious(el)
                break
        else:
            parent.append(el)
    return el


def _unnumbered_tail(parts: dict[str, bytes], root: Any, before: Any) -> None:
    """End a section at `before`; the pages after it get footers without a page number."""
    from lxml import etree

    last = root.find(f"{_W}body/{_W}sectPr")
    if last is None or before is None:
        return
    _child(before, "pPr").append(copy.deepcopy(last))  # sectPr is pPr's last child but one
    for ref in last.findall(f"{_W}footerReference"):
        last.remove(ref)
    for kind in ("even", "default"):  # both: a section without its own footer inherits one
        last.insert(0, etree.fromstring(
            f'<w:footerReference xmlns:w="{_W[1:-1]}" xmlns:r="{_R[1:-1]}" w:type="{kind}" '
            f'r:id="{BLANK_FOOTER_ID}"/>'))
    parts[f"word/{BLANK_FOOTER}"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{_W[1:-1]}">'
        '<w:p><w:pPr><w:pStyle w:val="GwPageNo"/></w:pPr></w:p></w:ftr>').encode()
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    rels.append(etree.Element(f"{_REL}Relationship", Id=BLANK_FOOTER_ID, Type=FOOTER_REL,
                              Target=BLANK_FOOTER))
    parts["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True,
                                                            encoding="UTF-8", standalone=True)
    types = etree.fromstring(parts["[Content_Types].xml"])
    types.append(etree.Element(f"{_TYPES}Override", PartName=f"/word/{BLANK_FOOTER}",
                               ContentType=FOOTER_TYPE))
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                                  standalone=True)


def adjust(docx: Path, grow_pt: float, page_break: bool) -> bool:
    """Grow the spacer before the 版记 by `grow_pt` (or start it on a new page); False if none."""
    from lxml import etree

    data = docx.read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: src.read(info.filename) for info in src.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    found = _spacer(root)
    if found is None:
        return False
    spacer, before = found
    ppr = _child(spacer, "pPr")
    spacing = _child(ppr, "spacing", ("ind", "contextualSpacing", "jc", "rPr"))
    if page_break:
        breaks = _child(ppr, "pageBreakBefore", ("framePr", "widowControl", "numPr", "pBdr", "spacing",
                                                 "ind", "jc", "rPr"))
        if breaks.get(f"{_W}val") == "1":
            # already on a page of its own and still odd: the text ended on an even page whose foot
            # had no room, so leave the odd page blank and set the 版记 on the even one after it;
            # the blank page opens a section of its own (a new page), unnumbered with the 版记 page
            spacer.addprevious(etree.fromstring(f'<w:p xmlns:w="{_W[1:-1]}"/>'))
            _unnumbered_tail(parts, root, before)
        breaks.set(f"{_W}val", "1")
        height = 20
        if before is not None:  # the 成文日期 no longer keeps with the 版记 on its new page
            bppr = _child(before, "pPr")
            _child(bppr, "keepNext", ("keepLines", "pageBreakBefore", "widowControl", "pBdr",
                                      "spacing", "ind", "jc", "rPr", "sectPr")).set(f"{_W}val", "0")
    else:
        height = int(spacing.get(f"{_W}line", "20")) + round(grow_pt * 20)
    spacing.set(f"{_W}line", str(max(20, height)))
    spacing.set(f"{_W}lineRule", "exact")
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, parts.pop(info.filename))
        for name, body in parts.items():  # parts added here
            dst.writestr(name, body)
    with atomic_path(docx) as part:
        part.write_bytes(out.getvalue())
    return True


def place_imprints(pairs: Sequence[tuple[Path, Path]],
                   convert: Callable[[list[tuple[Path, Path]]], None]) -> None:
    """Move each document's 版记 to the foot of its last (even) page, converting again.

    `pairs` are (Word document, its PDF); `convert` converts the given documents again onto
    their PDFs.
    """
    todo = list(pairs)
    pages: dict[Path, int] = {}
    settled: set[Path] = set()
    for _ in range(ROUNDS):
        again = []
        for docx, pdf in todo:
            place = measure(pdf)
            if place is None:
                continue
            grow = TEXT_BOTTOM_PT - SLACK_PT - place.bottom_pt
            if docx in pages and place.page > pages[docx]:
                # grown a hair too far: the 版记 went over to the next page; take some back
                changed = adjust(docx, -2 * SLACK_PT, False)
                settled.add(docx)
            elif place.formal and place.page % 2 == 1:
                changed = adjust(docx, 0, page_break=True)
            elif grow > 0.5 and docx not in settled:
                pages[docx] = place.page
                changed = adjust(docx, grow, page_break=False)
            else:
                changed = False
            if changed:
                again.append((docx, pdf))
        if not again:
            return
        convert(again)
        todo = again
