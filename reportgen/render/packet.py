"""会议材料.pdf: the bulletin with its 汇总表 bound as 附件 before the 版记 (GB/T 9704-2012 7.4, 8).

An attachment bound with the 公文 follows the 正文 (附件说明, 署名, 成文日期), and the 版记 comes
last, at the foot of an even page. The bulletin's Word file, sent alone, keeps its 版记 at the
foot of its own last page; the packet is set from two copies of it instead: the text without the
版记, and the 版记 alone, pushed to the foot of a page of its own as render/imprint.py does.
Pages: text 1…T, 汇总表 T+1…T+A (its footers numbered on), then the 版记: on page T+A+1 when
that page is even, numbered like the others; else after a blank page, the two unnumbered
(GB/T 9704 7.5). Two rounds of LibreOffice: text, 版记 and 汇总表 side by side, then the 版记 page.
"""

from __future__ import annotations

import copy
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.render.imprint import IMPRINT_SIZE_PT, SLACK_PT, SPACER_STYLE, TEXT_BOTTOM_PT, adjust, measure
from reportgen.render.pdf import PdfError, convert_to_pdf, merge_pdfs

PACKET_PAGE_NUMBER = "— &P —"  # the 汇总表's pages in the packet, numbered on from the bulletin's

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_SECT = f"{_W}sectPr"


@dataclass
class BulletinParts:
    """The bulletin as two Word documents (the bytes of .docx files)."""

    text: bytes  # up to the 成文日期, numbered as the bulletin is
    imprint: bytes | None  # the 版记 at the top of a page of its own; None: the bulletin has none


def _is_spacer(el: Any) -> bool:
    style = el.find(f"{_W}pPr/{_W}pStyle")
    return el.tag == f"{_W}p" and style is not None and style.get(f"{_W}val") == SPACER_STYLE


def _is_empty(el: Any) -> bool:
    """An empty paragraph (no text, no section end): the blank page's, before a 版记 page."""
    return (el.tag == f"{_W}p" and not "".join(el.itertext()).strip()
            and el.find(f"{_W}pPr/{_SECT}") is None and el.find(f".//{_W}drawing") is None)


def _text_part(root: Any, spacer_at: int) -> Any:
    """The document up to the 成文日期: the 版记 and its spacer left out."""
    body = root.find(f"{_W}body")
    for el in list(body)[spacer_at:]:
        if el.tag != _SECT:
            body.remove(el)
    kept = [el for el in body if el.tag != _SECT]
    while kept and _is_empty(kept[-1]):
        body.remove(kept.pop())
    inner = kept[-1].find(f"{_W}pPr/{_SECT}") if kept else None
    if inner is not None:  # the 版记's placement ended the text's section here: it is the last one
        inner.getparent().remove(inner)
        body.replace(body.find(_SECT), inner)
    return root


def _imprint_part(root: Any, spacer_at: int, section: Any) -> Any:
    """The 版记 alone, its spacer back to nothing, in the text's section (footers numbered)."""
    body = root.find(f"{_W}body")
    for el in list(body)[:spacer_at]:
        body.remove(el)
    spacing = body[0].find(f"{_W}pPr/{_W}spacing")
    breaks = body[0].find(f"{_W}pPr/{_W}pageBreakBefore")
    if breaks is not None:
        breaks.getparent().remove(breaks)
    if spacing is not None:
        spacing.set(f"{_W}line", "20")
    body.replace(body.find(_SECT), copy.deepcopy(section))
    return root


def _with_document(data: bytes, root: Any) -> bytes:
    """The .docx `data` with its word/document.xml replaced by `root`."""
    from lxml import etree  # loaded on use, like the other Word helpers of the PDF stage

    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, xml if info.filename == "word/document.xml" else src.read(info.filename))
    return out.getvalue()


def split_bulletin(docx: Path) -> BulletinParts:
    """The bulletin's text and its 版记 as two documents (before or after render/imprint.py
    placed the 版记); a bulletin without a 版记 spacer is all text."""
    from lxml import etree

    data = docx.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        root = etree.fromstring(src.read("word/document.xml"))
    children = list(root.find(f"{_W}body"))
    spacer_at = next((i for i in range(len(children) - 1, -1, -1) if _is_spacer(children[i])), None)
    if spacer_at is None or root.find(f"{_W}body/{_SECT}") is None:
        return BulletinParts(data, None)
    text = _text_part(copy.deepcopy(root), spacer_at)
    imprint = _imprint_part(root, spacer_at, text.find(f"{_W}body/{_SECT}"))
    return BulletinParts(_with_document(data, text), _with_document(data, imprint))


def number_imprint(docx: Path, number: int | None) -> None:
    """Number the 版记 page `number` (even: the number one character in from the left), or
    leave it without a page number (None)."""
    from lxml import etree

    data = docx.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        root = etree.fromstring(src.read("word/document.xml"))
    section = root.find(f"{_W}body/{_SECT}")
    refs = section.findall(f"{_W}footerReference")
    even = next((r.get(f"{_R}id") for r in refs if r.get(f"{_W}type") == "even"), None)
    for ref in refs:
        if number is None:
            section.remove(ref)
        elif even is not None:  # LibreOffice sets a document's only page as a right-hand page
            ref.set(f"{_R}id", even)
    if number is not None:
        start = section.find(f"{_W}pgNumType")
        if start is None:
            start = etree.Element(f"{_W}pgNumType")
            anchor = next((section.find(f"{_W}{t}") for t in ("cols", "formProt", "vAlign", "noEndnote",
                                                                "titlePg", "docGrid")
                           if section.find(f"{_W}{t}") is not None), None)
            if anchor is not None:
                anchor.addprevious(start)
            else:
                section.append(start)
        start.set(f"{_W}start", str(number))
    docx.write_bytes(_with_document(data, root))


def number_sheets_from(xlsx: Path, first: int, out: Path) -> Path:
    """Copy a workbook to `out` with its printed pages numbered "— N —" from `first` on."""
    from openpyxl import load_workbook  # loaded on use, like pypdf below

    book = load_workbook(xlsx)
    for sheet in book.worksheets:
        for footer in (sheet.oddFooter, sheet.firstFooter):
            footer.center.text = PACKET_PAGE_NUMBER
    # the first sheet starts at `first`; the others go on from it, as they do from 1
    setup = book.worksheets[0].page_setup
    setup.firstPageNumber, setup.useFirstPageNumber = first, True
    book.save(out)
    return out


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def _blank_like(pdf: Path, out: Path) -> Path:
    """A one-page PDF with a blank page the size of `pdf`'s first page."""
    from pypdf import PdfReader, PdfWriter

    box = PdfReader(str(pdf)).pages[0].mediabox
    writer = PdfWriter()
    writer.add_blank_page(float(box.width), float(box.height))
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def text_pages(pdf: Path) -> int:
    """How many pages of a printed bulletin hold its text: the last page with anything set in
    another size than the 4号 of the 版记 and the page number."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    for index in range(len(reader.pages) - 1, -1, -1):
        sizes: list[float] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, sizes: list[float] = sizes) -> None:
            if text.strip():
                sizes.append(abs(size * tm[3]))

        reader.pages[index].extract_text(visitor_text=visit)
        if any(abs(size - IMPRINT_SIZE_PT) >= 0.6 for size in sizes):
            return index + 1
    return len(reader.pages)


def _imprint_pages(docx: Path, draft: Path, number: int, work: Path, timeout: float) -> list[Path]:
    """The 版记 at the foot of page `number` when even, else after a blank page, both unnumbered."""
    place = measure(draft)
    if place is None or place.page != 1:
        raise PdfError("会议材料：进度通报的版记未能单独排成一页")
    adjust(docx, TEXT_BOTTOM_PT - SLACK_PT - place.bottom_pt, page_break=False)
    blank = number % 2 == 1
    number_imprint(docx, None if blank else number)
    for attempt in range(2):
        (pdf,) = convert_to_pdf([docx], work / f"imprint{attempt}", timeout)
        if _pages(pdf) == 1:
            return [_blank_like(pdf, work / "blank.pdf"), pdf] if blank else [pdf]
        adjust(docx, -2 * SLACK_PT, page_break=False)  # grown a hair too far: take some back
    raise PdfError("会议材料：进度通报的版记未能排在一页的末尾")


def meeting_packet(bulletin: Path, printed: Path, summary: Path, out: Path, timeout: float = 120) -> Path:
    """Join the bulletin (its Word file, `printed` its PDF), its attached 汇总表 (the workbook) and
    its 版记 into one packet for the meeting, in that order, numbered on (GB/T 9704 7.4, 7.5).

    The text, the 版记 (to measure) and the 汇总表 numbered on from the pages of text the printed
    bulletin shows are converted side by side; then the 版记 page, whose number and place follow
    from them. Returns `out`.
    """
    parts = split_bulletin(bulletin)
    with tempfile.TemporaryDirectory(prefix="reportgen-packet-") as tmp:
        work = Path(tmp)
        text, imprint = work / "正文.docx", work / "版记.docx"
        text.write_bytes(parts.text)
        guess = text_pages(printed) + 1
        docs = [number_sheets_from(summary, guess, work / summary.name), text]
        if parts.imprint is not None:
            imprint.write_bytes(parts.imprint)
            docs.append(imprint)
        made = convert_to_pdf(docs, work / "draft", timeout)
        first = _pages(made[1]) + 1
        if first != guess:  # the text alone took another number of pages: number the 汇总表 again
            (made[0],) = convert_to_pdf([number_sheets_from(summary, first, docs[0])], work / "again", timeout)
        pages = [made[1], made[0]]
        if parts.imprint is not None:
            pages += _imprint_pages(imprint, made[2], first + _pages(made[0]), work, timeout)
        return merge_pdfs(pages, out)
