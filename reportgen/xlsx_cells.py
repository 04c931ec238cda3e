"""A worksheet's cells as the XML openpyxl writes them, without openpyxl.

Shared by the writers that write a sheet's XML as text: `xlsx_save` (an openpyxl workbook saved
with its cell tables written here), `xlsx_package` (a whole package from plain data, for commands
that should not pay for importing openpyxl) and the 督办回复单. Text is written as an inline string,
in UTF-8, never as a formula.
"""

from __future__ import annotations

import math

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class _Letters(dict[int, str]):
    """Column number -> its letters, each worked out on first use."""

    def __missing__(self, column: int) -> str:
        if not 1 <= column <= 18278:
            raise ValueError(f"no column {column}")
        letters = ""
        n = column
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        self[column] = letters
        return letters


LETTERS = _Letters()


def column_letter(column: int) -> str:
    """Return the letters of column number `column` (1 -> A, 27 -> AA)."""
    return LETTERS[column]


def xml_text(s: str) -> str:
    """Return `s` escaped as XML text the way lxml escapes it (a bare CR kept as &#13;: a parser
    reads it as a LF)."""
    if "&" in s or "<" in s or ">" in s or "\r" in s:
        return s.translate(_ESCAPE)
    return s


def number_text(value: float) -> str:
    """A number as openpyxl writes it: 16 significant digits, nothing for an infinity or NaN."""
    return f"{value:.16g}" if math.isfinite(value) else ""


def cell_element(ref: str, style: str, kind: str, inner: str) -> str:
    """A <c> element as lxml writes it (an empty one closed in itself)."""
    if inner:
        return f'<c r="{ref}"{style}{kind}>{inner}</c>'
    return f'<c r="{ref}"{style}{kind}/>'


def plain_cell(ref: str, style: str, value: str | int | float | None) -> str:
    """Return the cell `ref` holding a plain value as openpyxl writes it: text as an inline
    string (never a formula), a number, or nothing; `style` is its ' s="…"' attribute or ""."""
    if isinstance(value, str):  # most cells of a 汇总表: written in one step
        if not value:
            return f'<c r="{ref}"{style} t="inlineStr"/>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{xml_text(value)}</t></is></c>'
    if type(value) is bool:
        return cell_element(ref, style, ' t="b"', f"<v>{int(value)}</v>")
    return cell_element(ref, style, ' t="n"', "" if value is None else f"<v>{number_text(value)}</v>")
