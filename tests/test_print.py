"""The two sample months as printed: LibreOffice's PDFs read back (text and positions)."""

from __future__ import annotations

import difflib
import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from pypdf import PdfReader

from reportgen.cli import main
from reportgen.cn import doc_no_pattern
from tests.conftest import ROOT, has_libreoffice

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice,
              pytest.mark.skipif(not has_libreoffice(), reason="LibreOffice 未安装"),
              pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext 未安装")]

PERIODS = ("2024-06", "2024-07")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace with both sample months run with --pdf; returns its output/."""
    ws = tmp_path_factory.mktemp("print") / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "reportgen.toml", ws / "reportgen.toml")
    shutil.copytree(ROOT / "templates", ws / "templates")
    shutil.copytree(ROOT / "input", ws / "input")
    for period in PERIODS:
        result = CliRunner().invoke(main, ["run", "-w", str(ws), "--period", period, "--pdf"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return ws / "output"


def pdf_of(doc: Path, out: Path) -> Path:
    """The PDF `run --pdf` wrote for a document (notices as 督办通知-单位.pdf)."""
    stem = doc.stem if doc.parent == out else f"{doc.parent.name}-{doc.stem}"
    return out / "pdf" / f"{stem}.pdf"


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """The text of a PDF as pdftotext reads it."""
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _squash(text: str) -> str:
    """Text without line breaks, spaces and page numbers, for comparing document with print."""
    return re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", text))


def word_documents(out: Path) -> list[Path]:
    """Every Word document of both months."""
    return sorted(p for period in PERIODS for p in (out / period).rglob("*.docx"))


def docx_text(path: Path) -> str:
    """The text of a Word document: paragraphs and table cells, in order."""
    doc = Document(str(path))
    body: list[Any] = [*doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            body += [p for cell in row.cells for p in cell.paragraphs]
    return "".join(p.text for p in body)


def test_no_character_is_lost_between_document_and_print(printed: Path) -> None:
    docs = word_documents(printed)
    assert len(docs) >= 6
    for doc in docs:
        words = _squash(docx_text(doc))
        printed_text = _squash(pdf_text(pdf_of(doc, doc.parent if doc.parent.name in PERIODS
                                               else doc.parent.parent)))
        lost = [words[a:b] for op, a, b, _, _ in
                difflib.SequenceMatcher(None, words, printed_text, autojunk=False).get_opcodes()
                if op in ("delete", "replace")]
        assert lost == [], f"{doc.name}: {lost}"


def test_every_notice_has_a_number_listed_in_the_summary(printed: Path) -> None:
    from openpyxl import load_workbook

    for period in PERIODS:
        numbers = {}
        for doc in sorted((printed / period).glob("*/*.docx")):
            found = re.findall(r"同经开督[字函]〔2024〕\d+号", docx_text(doc))
            # its own 发文字号 first; a repeat 督办 then cites the earlier one(s) in its text
            assert found and found[0] not in found[1:], doc
            numbers[found[0]] = (doc.parent.name, doc.stem)
        assert numbers
        sheet = load_workbook(printed / period / "汇总表.xlsx")["发文登记"]
        listed = {row[1]: (row[2], row[3]) for row in sheet.iter_rows(min_row=4, values_only=True)
                  if row[1]}
        assert listed == numbers


def _rules_mm(pdf: Path, page: int) -> list[float]:
    """Heights (mm from the top) of the dark lines spanning the 版心's width on a page."""
    from PIL import Image

    png = pdf.with_name(f"{pdf.stem}-rules")
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "144", "-gray", "-png",
                    "-singlefile", str(pdf), str(png)], check=True)
    image = Image.open(png.with_suffix(".png")).convert("L")
    pixels = image.load()
    per_mm = 144 / 25.4
    left, right = int(29 * per_mm), int(183 * per_mm)
    rows = []
    for y in range(image.height):
        dark = sum(1 for x in range(left, right, 2) if pixels[x, y] < 160)
        if dark > 0.95 * (right - left) / 2:
            rows.append(y / per_mm)
    return rows


def test_imprint_at_the_foot_of_an_even_last_page(printed: Path) -> None:
    from pypdf import PdfReader

    from reportgen.render.imprint import measure

    for doc in word_documents(printed):
        pdf = pdf_of(doc, doc.parent if doc.parent.name in PERIODS else doc.parent.parent)
        pages = len(PdfReader(str(pdf)).pages)
        place = measure(pdf)
        assert place is not None and place.page == pages, doc
        if place.formal:  # 文件格式: three rules, the last on the 版心's bottom edge (262 mm)
            assert pages % 2 == 0, doc
            rules = _rules_mm(pdf, pages)
            assert rules and abs(max(rules) - 262) < 1.2, (doc, rules)
        else:  # 信函格式: the 抄送 line is the last line of the 版心
            assert abs(place.bottom_pt * 25.4 / 72 - 262) < 1.2, doc


def test_signature_centred_over_the_date(printed: Path) -> None:
    from pypdf import PdfReader

    from tests.test_pdf import words_mm

    for doc in word_documents(printed):
        pdf = pdf_of(doc, doc.parent if doc.parent.name in PERIODS else doc.parent.parent)
        for page in range(1, len(PdfReader(str(pdf)).pages) + 1):
            words = words_mm(pdf, page)
            sign = [w for w in words if w[4] == "大同经济技术开发区重点项目督查督办办公室" and w[3] < 262]
            sign = [w for w in sign if abs(w[0] - 28) > 3]  # not the 印发 line of the 版记
            if not sign:
                continue
            date_top = next(w[1] for w in words if w[1] > sign[0][3] and w[4] == "年")
            date = [w for w in words if abs(w[1] - date_top) < 1]
            left, right = min(w[0] for w in date), max(w[2] for w in date)
            assert abs((sign[0][0] + sign[0][2]) / 2 - (left + right) / 2) < 3, doc
            # the date 右空四字, or, under a 署名 too long for that, the 署名 ends at the margin
            assert (abs(right - (184 - 4 * 16 * 25.4 / 72)) < 3
                    or abs(sign[0][2] - 184) < 1), doc
            break
        else:
            pytest.fail(f"{doc.name}: no 署名")


def test_run_pdf_writes_every_document_and_the_meeting_packet(printed: Path) -> None:
    for period in PERIODS:
        folder = printed / period
        documents = [*folder.glob("*.docx"), *folder.glob("*.xlsx"), *folder.glob("*/*.docx")]
        documents = [d for d in documents if d.parent.name != "报送表"]
        assert {pdf_of(d, folder).name for d in documents} <= {p.name for p in (folder / "pdf").glob("*.pdf")}
        summary = folder / "pdf" / "汇总表.pdf"
        packet = PdfReader(str(folder / "pdf" / "会议材料.pdf"))
        first, last = _attachment_pages(folder / "pdf" / "会议材料.pdf")
        assert last - first + 1 == len(PdfReader(str(summary)).pages)
        month = int(period[5:])
        assert f"关于2024年{month}月份重点项目推进情况的通报" in _squash(packet.pages[0].extract_text())
        # the 汇总表 as printed alone, but numbered on from the bulletin's pages
        alone = re.sub(r"第\d+页共\d+页", "", _squash(PdfReader(str(summary)).pages[0].extract_text()))
        assert _squash(packet.pages[first - 1].extract_text()) == alone


def _attachment_pages(packet: Path) -> tuple[int, int]:
    """The first and last page of the 汇总表 (the landscape pages) in a meeting packet."""
    wide = [n for n, page in enumerate(PdfReader(str(packet)).pages, start=1)
            if page.mediabox.width > page.mediabox.height]
    assert wide and wide == list(range(wide[0], wide[-1] + 1)), wide
    return wide[0], wide[-1]


def _check_packet(packet: Path, bulletin: Path) -> bool:
    """A 会议材料.pdf read back against the bulletin printed alone (GB/T 9704 7.4, 7.5, 8): its text,
    the 汇总表 as 附件, the 版记 last on an even page; True when a blank page stands before the 版记."""
    from reportgen.render.imprint import measure

    total = len(PdfReader(str(packet)).pages)
    first, last = _attachment_pages(packet)
    assert total % 2 == 0, total
    # the bulletin's text pages as printed alone, down to its 署名 and 成文日期, without the 版记
    alone = _squash(pdf_text(bulletin))
    assert _squash(pdf_text(packet, 1, first - 1)) == alone[:alone.index("抄送：")]
    assert pdf_text(packet, first, first).lstrip().startswith("附件")
    # the 版记 on the last page only, after every 汇总表 page, its last rule on the 版心's foot
    place = measure(packet)
    assert place is not None and place.formal and place.page == total
    assert [p for p in range(1, total) if "抄送" in pdf_text(packet, p, p)] == []
    assert abs(max(_rules_mm(packet, total)) - 262) < 1.2
    blank = total == last + 2
    assert blank or total == last + 1, (last, total)
    if blank:
        assert pdf_text(packet, last + 1, last + 1).strip() == ""
    # page numbers run on over text and 附件; a blank page and the 版记 page after it go without
    for page in range(1, total + 1):
        expected = None if blank and page > last else str(page)
        assert _page_number(packet, page) == expected, (packet, page)
    if not blank:  # the 版记 page is even: its number one character in from the left
        number = [w for w in _words(packet, total) if w[4] == str(total)]
        assert number and number[0][0] < 200, number
    return blank


def test_meeting_packet_binds_the_summary_before_the_imprint(printed: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from reportgen.render.packet import meeting_packet

    blanks = set()
    for period in PERIODS:
        folder = printed / period
        blanks.add(_check_packet(folder / "pdf" / "会议材料.pdf", folder / "pdf" / "进度通报.pdf"))
    # the 汇总表 one page shorter (a template without the 督办台账 sheet): the other parity
    folder = printed / PERIODS[-1]
    book = load_workbook(folder / "汇总表.xlsx")
    book.remove(book["督办台账"])
    book.save(tmp_path / "汇总表.xlsx")
    # and the text's page count first guessed from a print of something else (the 校验报告):
    # the 汇总表 is numbered again from the text's real count
    packet = meeting_packet(folder / "进度通报.docx", folder / "pdf" / "校验报告.pdf", tmp_path / "汇总表.xlsx",
                            tmp_path / "会议材料.pdf")
    blanks.add(_check_packet(packet, folder / "pdf" / "进度通报.pdf"))
    assert blanks == {True, False}


def test_no_internal_codes_or_english_words_on_paper(printed: Path) -> None:
    codes = re.compile(r"\b[PT]\d{2}(?:-M\d+|/[a-z]+)\b|\b[a-z]+_[a-z_]+\b|/invest")
    pdfs = sorted(p for period in PERIODS for p in (printed / period / "pdf").glob("*.pdf"))
    assert any(p.stem == "汇总表" for p in pdfs) and any(p.stem == "校验报告" for p in pdfs)
    for pdf in pdfs:
        found = codes.findall(pdf_text(pdf))
        assert found == [], f"{pdf.name}: {found[:5]}"


def _page_number(pdf: Path, page: int) -> str | None:
    """The page number printed on a page ("3" of "— 3 —"), or None."""
    found = re.search(r"—\s*(\d+)\s*—", pdf_text(pdf, page, page))
    return found.group(1) if found else None


def test_blank_page_before_the_imprint_and_the_imprint_page_go_unnumbered(printed: Path) -> None:
    from reportgen.render.imprint import measure

    seen = []
    for doc in word_documents(printed):
        pdf = pdf_of(doc, doc.parent if doc.parent.name in PERIODS else doc.parent.parent)
        pages = len(PdfReader(str(pdf)).pages)
        place = measure(pdf)
        assert place is not None
        blank_before = place.page > 1 and not pdf_text(pdf, place.page - 1, place.page - 1).strip()
        unnumbered = {place.page - 1, place.page} if blank_before else set()
        if not place.formal:  # 信函格式: no page number on the first page (GB/T 9704 10.1)
            unnumbered.add(1)
        for page in range(1, pages + 1):  # GB/T 9704 7.5
            expected = None if page in unnumbered else str(page)
            assert _page_number(pdf, page) == expected, (doc, page)
        if blank_before:
            seen.append(doc)
    # June's 督办通知 to 规划和自然资源分局 ends its text on page 2 with no room for the 版记
    assert any(d.parent.parent.name == "2024-06" and d.stem == "规划和自然资源分局" for d in seen), seen


# ---------------------------------------------------------------- 汇总表 as printed for the meeting

FOOTER_PT = 40  # the sheet's footer (月份 表名 / 第 N 页 / 简称) stands this close to the paper's foot


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(x0, y0, x1, y1, text) of each word on a page, in points from the top left."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


def _summary_pages(printed: Path) -> list[tuple[Path, int, float, float]]:
    """(汇总表.pdf, page, width, height) for every page of both months."""
    out = []
    for period in PERIODS:
        pdf = printed / period / "pdf" / "汇总表.pdf"
        for i, page in enumerate(PdfReader(str(pdf)).pages, start=1):
            out.append((pdf, i, float(page.mediabox.width), float(page.mediabox.height)))
    return out


def _sheet_of(words: list[tuple[float, float, float, float, str]], height: float) -> str:
    """The sheet a page prints, from its footer's left part (2024年7月　分单位统计)."""
    foot = sorted((w for w in words if w[1] > height - FOOTER_PT), key=lambda w: w[0])
    return foot[1][4] if len(foot) > 1 else ""


def test_summary_pages_hold_rows_not_only_a_header(printed: Path) -> None:
    by_sheet: dict[tuple[Path, str], list[list[tuple[float, float, float, float, str]]]] = {}
    for pdf, page, _, height in _summary_pages(printed):
        words = _words(pdf, page)
        by_sheet.setdefault((pdf, _sheet_of(words, height)), []).append(
            [w for w in words if w[1] < height - FOOTER_PT])
    assert len(by_sheet) >= 2 * 9
    for (pdf, sheet), pages in by_sheet.items():
        if len(pages) < 2:
            continue
        # what every page of the sheet repeats is its title and header
        repeated = set.intersection(*({(w[4], round(w[0]), round(w[1])) for w in p} for p in pages))
        for n, words in enumerate(pages, start=1):
            rest = [w for w in words if (w[4], round(w[0]), round(w[1])) not in repeated]
            note = min((w[1] for w in rest if w[4].startswith("注：")), default=1e9)
            rows = [w for w in rest if w[1] < note and w[4] != "合计"]
            assert rows, f"{pdf.parent.parent.name} {sheet} 第{n}页只有标题和表头"


def test_summary_text_is_10_pt_or_more_and_no_line_starts_with_punctuation(printed: Path) -> None:
    for pdf, page, _, _ in _summary_pages(printed):
        sizes: list[float] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float,
                  sizes: list[float] = sizes) -> None:
            if text.strip():
                sizes.append(abs(size * tm[3] * cm[3]) or abs(size * tm[0] * cm[0]))

        PdfReader(str(pdf)).pages[page - 1].extract_text(visitor_text=visit)
        assert sizes and min(sizes) >= 9.95, (pdf, page, min(sizes))
        words = _words(pdf, page)
        for w in words:  # pdftotext puts each printed line of a cell into words of its own
            assert w[4][0] not in "、，。；：？！）", (pdf, page, w)
        alone = [w for w in words if len(core := w[4].rstrip("、，。；：？！）")) == 1
                 and "\u4e00" <= core <= "\u9fff"
                 and any(abs(v[0] - w[0]) < 1 and 0 < w[1] - v[1] < 1.8 * (w[3] - w[1])
                         for v in words if v is not w)]
        # no character alone under the rest of its name or sentence (中。)
        assert alone == [], (pdf, page, alone)


def test_summary_prints_each_doc_number_on_one_line(printed: Path) -> None:
    from openpyxl import load_workbook

    pattern = doc_no_pattern()
    for period in PERIODS:
        pdf = printed / period / "pdf" / "汇总表.pdf"
        ws = load_workbook(printed / period / "汇总表.xlsx")["督办台账"]
        numbers = [n for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)
                   for n in pattern.findall(v.replace("\n", ""))]
        lines: list[str] = []  # pdftotext puts each printed line of a cell into words of its own
        for q, page, _, height in _summary_pages(printed):
            words = _words(pdf, page) if q == pdf else []
            if words and _sheet_of(words, height).endswith("督办台账"):
                lines += [w[4] for w in words]
        printed_whole = [n for line in lines for n in pattern.findall(line)]
        assert numbers and sorted(printed_whole) == sorted(numbers), lines


def test_every_summary_page_names_its_projects(printed: Path) -> None:
    from openpyxl import load_workbook

    continued = []
    for period in PERIODS:
        ws = load_workbook(printed / period / "汇总表.xlsx")["汇总表"]
        assert ws.print_title_rows == "$1:$3" and ws.cell(3, 2).value.replace("\n", "") == "项目（任务）名称"
        starts = [4, *(b.id + 1 for b in ws.row_breaks.brk)]
        # the first row of every page names its project: its own first row, or the name with （续）
        for r in starts:
            assert ws.cell(r, 1).value == "合计" or ws.cell(r, 2).value, (period, r)
        names = {r: ws.cell(r, 2).value.replace("\n", "") for r in range(4, ws.max_row + 1)
                 if isinstance(ws.cell(r, 2).value, str)}
        assert {r for r, v in names.items() if v.endswith("（续）")} <= set(starts)
        # merges of the sheet are its title, subtitle and note rows, none overlapping another
        cells = [(r, c) for m in ws.merged_cells.ranges for r, c in m.cells]
        assert len(cells) == len(set(cells))
        # as printed: the page starting inside a project shows the name (pdftotext words of the 名称 column)
        pdf = printed / period / "pdf" / "汇总表.pdf"
        for page, r in enumerate(starts, start=1):
            if not names.get(r, "").endswith("（续）"):
                continue
            continued.append((period, page))
            words = _words(pdf, page)
            left = next(w[2] for w in words if w[4] == "序号")
            right = next(w[0] for w in words if w[4] == "年度目标")
            below = next(w[3] for w in words if w[4] == "名称")  # the header's last line
            column = "".join(w[4] for w in sorted(words, key=lambda w: w[1])
                             if left < w[0] < right and w[1] > below)
            assert column.startswith(names[r]), (period, page, column)
    assert continued  # the samples have a project longer than a page (海博思创储能项目)


def test_summary_chart_inside_the_page_readable_in_black_and_white(printed: Path) -> None:
    from PIL import Image

    for period in PERIODS:
        pdf = printed / period / "pdf" / "汇总表.pdf"
        pages = [(p, w, h) for q, p, w, h in _summary_pages(printed) if q == pdf]
        page, width, height = next((p, w, h) for p, w, h in pages
                                   if _sheet_of(_words(pdf, p), h).endswith("投资图表"))
        words = _words(pdf, page)
        chart = [w for w in words if w[1] < height - FOOTER_PT]
        # every word inside the paper's printable part (0.4 in margins), none cut at an edge
        assert all(w[0] >= 0.4 * 72 - 1 and w[2] <= width - 0.4 * 72 + 1 for w in chart)
        ticks = [w for w in chart if re.fullmatch(r"\d+%", w[4])]
        names = [w for w in chart if w[4].endswith("项目")]
        assert len(ticks) >= 3 and len(names) >= 10
        # the value axis is at the foot of the bars, its labels below every project name
        assert min(t[1] for t in ticks) > max(n[3] for n in names)
        assert max(int(t[4][:-1]) for t in ticks) >= max(
            float(w[4][:-1]) for w in chart if re.fullmatch(r"\d+\.\d+%", w[4]))
        # two series in two clearly different greys on a black-and-white print
        png = tmp = pdf.with_name(f"chart-{period}")
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "72", "-gray", "-png",
                        "-singlefile", str(pdf), str(tmp)], check=True)
        image = Image.open(png.with_suffix(".png"))
        top, bottom = int(min(n[1] for n in names)), int(max(n[3] for n in names))
        left = int(max(n[2] for n in names)) + 2
        counts = image.crop((left, top, int(width - 0.4 * 72), bottom)).histogram()
        dark, light = sum(counts[:100]), sum(counts[180:240])
        assert dark > 500 and light > 500, (period, dark, light)


def test_summary_is_the_bulletins_attachment_numbered_on_in_the_packet(printed: Path) -> None:
    from openpyxl import load_workbook

    for period in PERIODS:
        folder = printed / period
        listed = [p.text for p in Document(str(folder / "进度通报.docx")).paragraphs
                  if p.text.startswith("附件：")]
        assert len(listed) == 1, listed
        title = listed[0].removeprefix("附件：")
        assert title == f"2024年{int(period[5:])}月重点项目推进情况汇总表"
        assert load_workbook(folder / "汇总表.xlsx")["汇总表"]["A1"].value == title
        # 附件 at the top left of the first page, above the title the 附件说明 lists
        pdf = folder / "pdf" / "汇总表.pdf"
        words = _words(pdf, 1)
        mark = min(words, key=lambda w: w[1])
        assert mark[4] == "附件" and mark[0] < 50, mark
        line = sorted((w for w in words if abs(w[1] - min(v[1] for v in words if v is not mark)) < 2),
                      key=lambda w: w[0])
        assert "".join(w[4] for w in line) == title
        assert "附件" not in pdf_text(pdf, 2, 2)
        # in the packet, the 汇总表's pages are numbered on from the bulletin's
        packet = folder / "pdf" / "会议材料.pdf"
        first, last = _attachment_pages(packet)
        assert pdf_text(packet, first, first).lstrip().startswith("附件")
        for page in range(first, last + 1):
            assert _page_number(packet, page) == str(page), page


def _printed_sizes(pdf: Path, page: int) -> list[float]:
    """The size in points at which each piece of text on a page prints (its font size as scaled)."""
    sizes: list[float] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            sizes.append(abs(size * tm[3] * cm[3]) or abs(size * tm[0] * cm[0]))

    PdfReader(str(pdf)).pages[page - 1].extract_text(visitor_text=visit)
    return sizes


def test_unit_forms_print_their_11_pt_text_at_10_pt_or_more(tmp_path: Path) -> None:
    """A unit's form printed as it comes: the columns fit the paper, so fit-to-width does not
    shrink the text (it printed at 8.5 pt); the footer's labels print whole; no printed line of
    the guide or the plan's text starts with closing punctuation (LibreOffice wrapped ，供对照)."""
    from reportgen.render.pdf import convert_to_pdf

    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "reportgen.toml", ws / "reportgen.toml")
    shutil.copytree(ROOT / "input", ws / "input")
    made = CliRunner().invoke(main, ["forms", "-w", str(ws), "--period", "2024-07"])
    assert made.exit_code == 0, made.output
    folder = ws / "output" / "2024-07" / "报送表"
    # the unit with the most rows and the one whose shared nodes name the most units
    forms = [folder / "现代医药产业招商服务中心.xlsx", folder / "装备制造及大数据产业招商服务中心.xlsx"]
    for pdf in convert_to_pdf(forms, tmp_path / "pdf"):
        pages = len(PdfReader(str(pdf)).pages)
        assert pages >= 3  # the guide, the figures, the nodes
        for page in range(1, pages + 1):
            sizes = _printed_sizes(pdf, page)
            body = max(set(sizes), key=sizes.count)
            assert body >= 10, (pdf.name, page, body)
            assert min(sizes) >= 9.8, (pdf.name, page, min(sizes))  # the 10 pt page footer
            # each printed line of a cell is a word of its own (what units type aside: none here)
            assert not [w for w in _words(pdf, page) if w[4][0] in "、，。；：？！）"], (pdf.name, page)
        assert "审核人（分管领导）" in pdf_text(pdf), pdf.name


def test_forms_and_feedback_print_no_internal_codes(tmp_path: Path) -> None:
    """The unit forms and a 校验反馈, printed through LibreOffice: no row codes, no English."""
    import datetime as dt

    from reportgen.config import Config
    from reportgen.plan.workbook import load_plan
    from reportgen.render.pdf import convert_to_pdf
    from tests.ingest_support import make_form

    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "reportgen.toml", ws / "reportgen.toml")
    shutil.copytree(ROOT / "templates", ws / "templates")
    shutil.copytree(ROOT / "input", ws / "input")
    made = CliRunner().invoke(main, ["forms", "-w", str(ws), "--period", "2024-07"])
    assert made.exit_code == 0, made.output
    # one unit sends June's form back with words where a figure belongs and a bad date
    plan = load_plan(next((ws / "input" / "plan").glob("*.xlsx")), Config())
    unit = "现代医药产业招商服务中心"
    code = next(m.code for it in plan.items for t in it.tasks for m in t.milestones
                if unit in t.units)
    make_form(plan, unit, "2024-06", ws / "input" / "submissions" / "2024-06" / f"{unit}.xlsx",
              {f"{code[:3]}/invest": "很多"}, {code: {"status": "已完成", "completed_on": "去年"}},
              {"填报人": "王芳", "联系电话": "1", "填报日期": dt.date(2024, 7, 2)})
    checked = CliRunner().invoke(main, ["check", "-w", str(ws), "--period", "2024-06"])
    assert checked.exit_code == 1, checked.output
    forms = sorted((ws / "output" / "2024-07" / "报送表").glob("*.xlsx"))
    feedback = sorted((ws / "output" / "2024-06" / "校验反馈").glob("*.xlsx"))
    assert len(forms) >= 10 and [f.stem for f in feedback] == [unit]
    codes = re.compile(r"\b[PT]\d{2}(?:-M\d+|/[a-z]+)\b|\b[a-z]+_[a-z_]+\b|/invest")
    for pdf in convert_to_pdf([*forms, *feedback], tmp_path / "pdf"):
        text = pdf_text(pdf)
        assert unit in text or "报送表" in text, pdf
        found = codes.findall(text)
        assert found == [], f"{pdf.name}: {found[:5]}"
        if pdf.stem.startswith("校验反馈"):
            continue
        # the form's 填报人 block and room to sign and seal stand under rows of the table
        pages = len(PdfReader(str(pdf)).pages)
        page = next(p for p in range(1, pages + 1) if "单位（盖章）" in pdf_text(pdf, p, p))
        words = _words(pdf, page)
        head = max(w[3] for w in words if w[4] == "节点要求")
        foot = min(w[1] for w in words if w[4] == "填报人")
        assert any(head < w[1] and w[3] < foot for w in words), (pdf.name, page)
