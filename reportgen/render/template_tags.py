"""Template tags checked as staff typed them: a Word template paragraph by paragraph, an
Excel template cell by cell.

docxtpl joins a tag's text across runs before Jinja reads it: from an opening `{{` it strips
every XML tag up to the next `}}`, wherever that is. An unclosed `{{` typed by hand therefore
swallows the rest of its paragraph, the paragraphs after it and the next tag's paragraph; when
that next tag is a `{%p … %}`, docxtpl then replaces the whole run of text by the bare tag,
Jinja finds nothing wrong, and the printed notice silently lacks a paragraph. Likewise a `{%p`
paragraph (or a `{%tr` row, a `{%tc` cell) loses any other text typed beside the tag.

So each paragraph's visible text (the runs joined, as Word shows it) is checked here before
docxtpl patches anything, and a problem is named by the template, the paragraph's number and
its text: 模板《提醒函.docx》第24段“截至{{ as_of_cn 各单位”：“{{”未闭合.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from reportgen.errors import TemplateError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PAIRS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_DELIMITER = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
# docxtpl's tags that stand for their whole paragraph, table row or cell
_WHOLE = re.compile(r"(\{%|\{\{|\{#)(p|tr|tc) [^}%#]*(%\}|\}\}|#\})")
_CONTAINER = {"p": ("一段", "段"), "tr": ("表格的一行", "行"), "tc": ("一个单元格", "单元格")}
_SHOWN = 40  # characters of a paragraph quoted in a message


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a template part as Word shows it."""

    part: str  # 正文 / 页眉 / 页脚
    number: int  # 1-based, in document order within the part (empty paragraphs count)
    text: str


def _part_name(name: str) -> str | None:
    if name == "word/document.xml":
        return "正文"
    if re.fullmatch(r"word/header\d*\.xml", name):
        return "页眉"
    if re.fullmatch(r"word/footer\d*\.xml", name):
        return "页脚"
    return None


def _own_text(element: etree._Element, inner: str) -> str:
    """The text of `element`'s w:t, leaving out those of a nested `inner` (a text box's
    paragraph inside a paragraph, a nested table's row inside a row)."""
    out = []
    for t in element.iter(f"{_W}t"):
        up = t.getparent()
        while up is not None and up is not element and up.tag != f"{_W}{inner}":
            up = up.getparent()
        if up is element:
            out.append(t.text or "")
    return "".join(out)


def _parts(data: bytes) -> list[tuple[str, etree._Element]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = sorted(n for n in package.namelist() if _part_name(n))
        names.sort(key=lambda n: n != "word/document.xml")
        return [(_part_name(n) or "", etree.fromstring(package.read(n))) for n in names]


def tag_problem(text: str) -> tuple[int, str] | None:
    """Return where in `text` (one paragraph) a tag is unfinished or stray, and what is wrong."""
    opened: str | None = None
    at = 0
    for match in _DELIMITER.finditer(text):
        token = match.group()
        if opened is None:
            if token in _PAIRS:
                opened, at = token, match.start()
            else:
                return match.start(), f"多余的“{token}”（它前面没有“{_CLOSERS[token]}”）"
        elif token == _PAIRS[opened]:
            opened = None
        elif token in _PAIRS:
            return at, f"“{opened}”未闭合（在“{_PAIRS[opened]}”之前又出现了“{token}”）"
    if opened is not None:
        return at, f"“{opened}”未闭合（它后面没有对应的“{_PAIRS[opened]}”）"
    return None


def excerpt(text: str, at: int = 0) -> str:
    """`text` shortened to about 40 characters around position `at`, for a message."""
    text = text.replace("\t", " ")
    if len(text) <= _SHOWN:
        return text
    start = max(0, min(at - _SHOWN // 3, len(text) - _SHOWN))
    return ("……" if start else "") + text[start:start + _SHOWN] + \
        ("……" if start + _SHOWN < len(text) else "")


def where(template: str, par: Paragraph, at: int = 0) -> str:
    """Name a paragraph of a template as staff find it: 模板《x.docx》第N段“…”."""
    part = "" if par.part == "正文" else par.part
    return f"模板《{template}》{part}第{par.number}段“{excerpt(par.text, at)}”"


def _whole_tag_problem(p: etree._Element, text: str) -> tuple[int, str] | None:
    """Where a `{%p`/`{%tr`/`{%tc` tag shares its paragraph, row or cell with other text,
    which docxtpl would drop, and what is wrong."""
    tag = _WHOLE.search(text)
    if tag is None:
        return None
    kind = tag.group(2)
    rest = text
    if kind != "p":
        container = next(p.iterancestors(f"{_W}{kind}"), None)
        rest = _own_text(container, kind) if container is not None else text
    rest = _WHOLE.sub("", rest).strip()
    if not rest:
        return None
    whole, same = _CONTAINER[kind]
    return tag.start(), (f"“{tag.group(1)}{kind} … {tag.group(3)}”这样的标记要单独占{whole}，"
                         f"同一{same}里的其他文字“{excerpt(rest)}”不会印出；请把这些文字移到另一段")


def check_tags(template: str, data: bytes) -> list[Paragraph]:
    """Raise TemplateError naming the first paragraph whose tags are unfinished or stray, or
    whose other text a whole-paragraph tag would drop; return the template's paragraphs."""
    found = [(Paragraph(part, number, _own_text(p, "p")), p) for part, root in _parts(data)
             for number, p in enumerate(root.iter(f"{_W}p"), 1)]
    pars = [par for par, _ in found]
    for i, (par, p) in enumerate(found):
        problem = tag_problem(par.text) or _whole_tag_problem(p, par.text)
        if problem is not None:
            at, what = problem
            raise TemplateError(f"{where(template, par, at)}：{what}\n出错位置附近的文字：\n"
                                f"{around(pars, i)}")
    return pars


def around(pars: list[Paragraph], index: int) -> str:
    """The paragraph at `index` marked →, between the nearest non-empty ones of its part."""
    part = pars[index].part
    before = [p for p in pars[:index] if p.text.strip() and p.part == part][-2:]
    after = [p for p in pars[index + 1:] if p.text.strip() and p.part == part][:2]
    lines = [f"  {excerpt(p.text)}" for p in before]
    lines.append(f"→ {excerpt(pars[index].text)}")
    lines += [f"  {excerpt(p.text)}" for p in after]
    return "\n".join(lines)


def find(pars: list[Paragraph], pattern: re.Pattern[str]) -> tuple[Paragraph, int] | None:
    """The first paragraph holding a tag in which `pattern` occurs, and where."""
    for par in pars:
        if "{{" not in par.text and "{%" not in par.text:
            continue
        match = pattern.search(par.text)
        if match is not None:
            return par, match.start()
    return None
