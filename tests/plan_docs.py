"""Build task-breakdown .docx files in tests: automatic list numbering and task tables."""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

NUM_ID = 90
_LEVELS = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]


def _add_list(document: Document) -> None:
    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, text) in enumerate(_LEVELS)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{NUM_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/></w:num>'))


def _number(paragraph, level: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{NUM_ID}"/></w:numPr>'))


_PATTERNS = [
    (0, re.compile(r"^[一二三四五六七八九十]+、")),
    (1, re.compile(r"^（[一二三四五六七八九十]+）")),
    (2, re.compile(r"^\d{1,2}\.")),
]


def seed_as_docx(text: str, path: Path) -> Path:
    """Write `text` as a .docx whose 一、/（一）/1. numbers are automatic, not in the text."""
    document = Document()
    _add_list(document)
    for raw in text.splitlines():
        line = raw.strip()
        bookmark = "[bookmark: _GoBack]" in line
        line = line.replace("[bookmark: _GoBack]", "")
        level = None
        for lvl, pattern in _PATTERNS:
            m = pattern.match(line)
            if m:
                level, line = lvl, line[m.end():]
                break
        paragraph = document.add_paragraph()
        if bookmark:  # a real bookmark, as Word leaves it where the cursor was
            paragraph._p.append(parse_xml(
                f'<w:bookmarkStart {nsdecls("w")} w:id="0" w:name="_GoBack"/>'))
            paragraph._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="0"/>'))
        paragraph.add_run(line)
        if level is not None:
            _number(paragraph, level)
    document.save(str(path))
    return path


def table_docx(path: Path, title: str, header: list[str], rows: list[list[str]]) -> Path:
    """Write a document whose items are the rows of one table (a cell may hold several lines)."""
    document = Document()
    document.add_paragraph(title)
    document.add_paragraph("一、重点项目")
    table = document.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            lines = text.split("\n")
            cell.text = lines[0]
            for more in lines[1:]:
                cell.add_paragraph(more)
    document.save(str(path))
    return path
