"""The two sample months as printed: LibreOffice's PDFs read back (text and positions)."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document

from reportgen.cli import main
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
        assert result.exit_code in (0, 1), result.output
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
            assert len(found) == 1, doc
            numbers[found[0]] = (doc.parent.name, doc.stem)
        assert numbers
        sheet = load_workbook(printed / period / "汇总表.xlsx")["发文登记"]
        listed = {row[1]: (row[2], row[3]) for row in sheet.iter_rows(min_row=4, values_only=True)
                  if row[1]}
        assert listed == numbers
