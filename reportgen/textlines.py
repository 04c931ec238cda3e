"""Text set in a spreadsheet cell as it prints: Chinese line-breaking rules and widths.

Neither Excel nor LibreOffice applies Chinese line-breaking rules in a cell, and neither fits a
row to its wrapped text when it opens a file, so the writers break the text of wrapping cells
here and size the rows: a line never starts with closing punctuation (、，。；：）…) nor ends with
an opening one, digits and Latin words stay whole, a 发文字号 stays whole on a line where it fits,
a list of names joined by 、 breaks between names when each fits on a line, and the last line of
a paragraph never holds one character alone, punctuation aside ("中。"). Lines are measured for
the narrowest of the applications that print the file (Excel and WPS: a width unit of 宋体 11 is
7 px = 5.25 pt; LibreOffice's is 6.15 pt), so each line fits wherever it is printed.

Plain text and numbers only (no openpyxl): `check` lays out its 校验反馈 with it.
"""

from __future__ import annotations

import functools
import unicodedata

from reportgen.cn import doc_no_pattern

UNIT_PT = 5.25  # one column-width unit in Excel/WPS (7 px of 宋体 11); LibreOffice's is wider
CELL_PAD_PT = 4.0  # room a cell keeps left and right of its text (5 px in Excel)
LINE_PITCH = 1.45  # line height per point of font size (the CJK faces LibreOffice prints with)
ROW_PAD_PT = 5.0
LATIN_EM = 0.56  # width of a digit or Latin letter, in ems (a CJK character is one em)
# 避头尾: characters that may not start a line, and those that may not end one
NO_LINE_START = frozenset("、，。；：？！）》」』”’】〕〉…—%·,.;:?!)]}")
NO_LINE_END = frozenset("（《「『“‘【〔〈([{")
PUNCTUATION = NO_LINE_START | NO_LINE_END
DOC_NO = doc_no_pattern()  # a 发文字号 is read as one unit: never broken where it fits a line


_EMS: dict[str, float] = {}  # a piece of text -> its width in ems, measured once per piece


def ems(piece: str) -> float:
    """Width of `piece` in ems (a CJK character is one em)."""
    found = _EMS.get(piece)
    if found is None:
        # ambiguous ones (●, ○, √, “”) are full width in the Chinese fonts these sheets use
        found = _EMS[piece] = sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else LATIN_EM
                                  for ch in piece)
    return found


def char_width(ch: str, size: float) -> float:
    """Width of a character in points at `size` points."""
    return size * ems(ch)


def _tokens(text: str) -> list[str]:
    """Pieces that are never split across lines: a CJK character, a run of digits/Latin letters."""
    out: list[str] = []
    for ch in text:
        glued = out and ch.isascii() and ch.isalnum() and out[-1][-1].isascii() \
            and (out[-1][-1].isalnum() or out[-1][-1] in ".%")
        glued = glued or (out and ch in ".%" and out[-1][-1].isascii() and out[-1][-1].isdigit())
        if glued:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _pieces(text: str, room: float, size: float) -> list[str]:
    """`_tokens` of `text`, but each 发文字号 with the closing punctuation after it (a 、 may not
    start a line) is one piece when it fits in `room`; when it does not, it breaks only between
    its 机关代字 and 〔年份〕序号号 (同经开督字 / 〔2024〕12号、)."""
    if "〔" not in text:
        return _tokens(text)
    out: list[str] = []
    at = 0
    for m in DOC_NO.finditer(text):
        end = m.end()
        while end < len(text) and text[end] in NO_LINE_START:
            end += 1
        parts = [text[m.start():end]]
        if size * ems(parts[0]) > room:
            parts = [m["prefix"], text[m.end("prefix"):end]]
            if size * ems(parts[1]) > room:
                continue  # wider than the line however it is cut: broken as any text
        out += _tokens(text[at:m.start()]) + parts
        at = end
    return out + _tokens(text[at:])


def _width(tokens: list[str], size: float) -> float:
    return size * sum(ems(t) for t in tokens)


def _fill(tokens: list[str], room: float, size: float) -> list[list[str]]:
    """Greedy lines of tokens within `room` points, with the line-start/line-end rules."""
    lines: list[list[str]] = [[]]
    used = 0.0  # the last line's width in ems, kept as tokens join it
    for tok in tokens:
        line = lines[-1]
        wide = ems(tok)
        if not line or size * (used + wide) <= room:
            line.append(tok)
            used += wide
            continue
        carry: list[str] = []
        # take the line's last pieces along to the new line, as many as it takes for the new line
        # not to start with closing punctuation either (“旬）：” — not “）：”)
        while tok[0] in NO_LINE_START and len(line) > 1 and (not carry or carry[0][0] in NO_LINE_START):
            carry.insert(0, line.pop())
        while len(line) > 1 and line[-1][-1] in NO_LINE_END:
            carry.insert(0, line.pop())
        lines.append([*carry, tok])
        used = sum(ems(t) for t in lines[-1])
    return lines


def break_paragraph(text: str, room: float, size: float) -> list[str]:
    """Lines of one paragraph set in `room` points at `size` points, by the rules above."""
    if not text or size * ems(text) <= room:  # fits on one line (pieces add up to the whole)
        return [text]
    names = text.split("、")
    if len(names) > 1 and all(_width(_tokens(n + "、"), size) <= room for n in names):
        # a list of names: break between names, each name whole on its line
        lines = _fill([n + "、" for n in names[:-1]] + [names[-1]], room, size)
    else:
        lines = _fill(_pieces(text, room, size), room, size)
    _fill_last_line(lines, room, size)
    return ["".join(line) for line in lines if line]


def _fill_last_line(lines: list[list[str]], room: float, size: float) -> None:
    """When a paragraph's last line holds one character, its punctuation aside ("中。"), take
    pieces of the line before down to it, as many as the line-start/line-end rules need, if
    they fit."""
    if len(lines) < 2 or sum(ch not in PUNCTUATION for ch in "".join(lines[-1])) > 1:
        return
    before, moved = list(lines[-2]), list(lines[-1])
    while len(before) > 1:
        moved.insert(0, before.pop())
        if moved[0][0] not in NO_LINE_START and before[-1][-1] not in NO_LINE_END:
            if _width(moved, size) <= room:
                lines[-2:] = [before, moved]
            return


@functools.lru_cache(maxsize=1 << 16)
def break_text(text: str, room: float, size: float) -> str:
    """`text` with line breaks where it wraps in `room` points at `size` points (remembered:
    a 汇总表 sets the same text in the same width on several sheets)."""
    return "\n".join(line for para in text.split("\n")
                     for line in break_paragraph(para, room, size))


def lines_height(lines: int, size: float) -> float:
    """The height in points a row needs to show `lines` lines of text at `size` points."""
    return lines * size * LINE_PITCH + ROW_PAD_PT
