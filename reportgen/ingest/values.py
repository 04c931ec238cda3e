"""Cell values as people type them → numbers, dates and statuses, or the reason they cannot be taken.

Pure functions over one value: no workbook, no plan. Tolerant where the meaning is clear
(`1000万`, `0.6亿元`, `2024.6.18`, `6月28日`), an error at the cell where it is not.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from reportgen import formspec as fs
from reportgen.cn import typed_date
from reportgen.model import REPORTED_LABEL, Reported, Severity

# full-width forms to ASCII, and every kind of blank removed, in one str.translate
_NORMALISE: dict[int, int | None] = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {
    ord(c): None for c in " \t\n\r\x0b\x0c\xa0\u3000\u2002\u2003\u2009\u200b\ufeff"
}
_NUMBER = re.compile(r"^(约|大约|约为|近|接近)?([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)(亿元|亿|万元|万|元)?$")

# The only words taken for the dropdown's four choices: each means exactly one of them (listed in
# README). Anything else -- 部分完成, 基本完成, 拟完成, 完成中 -- is an error at its cell, never a guess.
STATUS_WORDS: dict[str, Reported] = {
    **{label: r for r, label in REPORTED_LABEL.items()},
    "完成": Reported.DONE, "完成了": Reported.DONE, "已经完成": Reported.DONE, "已经完成了": Reported.DONE,
    "全部完成": Reported.DONE, "已全部完成": Reported.DONE, "已完工": Reported.DONE, "已办结": Reported.DONE,
    "进行中": Reported.ONGOING, "正在进行": Reported.ONGOING, "正在推进": Reported.ONGOING,
    "正在推进中": Reported.ONGOING, "正常推进": Reported.ONGOING, "按计划推进": Reported.ONGOING,
    "正在办理": Reported.ONGOING, "办理中": Reported.ONGOING, "实施中": Reported.ONGOING,
    "未开始": Reported.NOT_STARTED, "尚未开始": Reported.NOT_STARTED, "尚未启动": Reported.NOT_STARTED,
    "没有启动": Reported.NOT_STARTED, "未开展": Reported.NOT_STARTED, "未开工": Reported.NOT_STARTED,
    "阻滞": Reported.BLOCKED, "受阻滞": Reported.BLOCKED, "停滞": Reported.BLOCKED, "推进受阻": Reported.BLOCKED,
}
_INFINITE = (float("inf"), float("-inf"))
_UNIT_FACTOR = {"万元": 1e-4, "万": 1e-4, "元": 1e-8}  # -> 亿元
# a full-width comma is a slip of the Chinese keyboard, never a thousands separator
_GROUPED = re.compile(r"^(\D*)(\d{1,3}(?:,\d{3})+)(\.\d+)?(\D*)$")


@functools.lru_cache(maxsize=65536)  # pure: the same labels and codes recur in every file
def _norm_str(text: str) -> str:
    return text.translate(_NORMALISE)


def norm(text: Any) -> str:
    """Return text with full-width characters made half-width and all whitespace removed."""
    return _norm_str(text if isinstance(text, str) else str(text))


def code(value: Any) -> str:
    """Return a row code as written in forms: `P07-M03`, `P07/invest`."""
    return code_str(value) if isinstance(value, str) else code_str(text(value))


@functools.lru_cache(maxsize=65536)  # pure
def code_str(value: str) -> str:
    """Return `code` of a str (called directly where a loop over rows has checked the type)."""
    head, _, tail = norm(value).partition("/")
    return head.upper() + ("/" + tail.lower() if tail else "")


def text(value: Any) -> str:
    """Return a cell's value as the text a person sees."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def col_letter(col: int) -> str:
    """Return the Excel column letters of a 0-based column index."""
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


@functools.lru_cache(maxsize=8192)  # pure
def addr(row: int, col: int) -> str:
    """Return the A1 address of a 0-based cell."""
    return f"{col_letter(col)}{row + 1}"


def ref_to_rc(ref: str) -> tuple[int, int]:
    """Return the 0-based (row, column) of an A1 address."""
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters) :]) - 1, col - 1


@dataclass
class Parsed:
    """A value read from a cell, with what to say about it."""

    value: Any = None
    code: str = ""  # issue code when something must be said
    message: str = ""
    severity: Severity = Severity.ERROR


def amount_text(value: float) -> str:
    """Return an amount as a message writes it: 0.00003, never 3e-05 (amounts are read to 6 places)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def parse_amount(value: Any, in_wan: bool = False) -> Parsed:
    """Return a cell's amount in 亿元, or the reason it cannot be taken."""
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        return Parsed(code="bad_number", message=f"填写的是“{text(value)}”，应为以亿元计的数字")
    if isinstance(value, (int, float)):
        number = float(value)
        unit = "万元" if in_wan else ""
        approx = False
    else:
        raw = norm(value)
        # a comma inside a number (1,2 or 0，9) is ambiguous; one between words and numbers is text
        if ("," in raw or "，" in str(value)) and _NUMBER.match(raw.replace(",", "").replace("，", "")):
            grouped = _GROUPED.match(raw) if "，" not in str(value) else None
            if grouped is None:
                return Parsed(
                    code="ambiguous_separator",
                    message=f"填写的“{value}”中的逗号含义不明（小数点还是千位分隔符？），未采用；"
                    "请用“.”作小数点，以亿元填写（如 0.9）",
                )
            raw = raw.replace(",", "")
        m = _NUMBER.match(raw)
        if not m:
            return Parsed(
                code="bad_number",
                message=f"填写的“{value}”无法识别为金额，应为以亿元计的数字（如 1.2）",
            )
        number = float(m.group(2))
        unit = m.group(3) or ("万元" if in_wan else "")
        approx = bool(m.group(1))
    if number != number or number in _INFINITE:
        return Parsed(code="bad_number", message="填写的数值无效，应为以亿元计的数字")
    if number < 0:
        return Parsed(code="negative", message=f"累计金额为负数（{text(value)}），应为不小于0的亿元数")
    factor = _UNIT_FACTOR.get(unit, 1.0)
    result = round(number * factor, 6)
    if approx:
        return Parsed(
            result, "approximate",
            f"填写的“{value}”是约数，已按 {amount_text(result)} 亿元读取；累计完成额应填确数",
            Severity.WARNING,
        )
    return Parsed(result)


def parse_date(value: Any, year: int) -> Parsed:
    """Return a cell's date (text, serial or date cell), or the reason it cannot be taken."""
    if isinstance(value, dt.datetime):
        return Parsed(value.date())
    if isinstance(value, dt.date):
        return Parsed(value)
    bad = Parsed(
        code="bad_date",
        message=f"填写的“{text(value)}”无法识别为日期，应写作 {year}-6-15 或 {year}年6月15日",
    )
    if isinstance(value, bool):
        return bad
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            value = str(int(value))
        elif 20000 < value < 80000:
            return Parsed(dt.date(1899, 12, 30) + dt.timedelta(days=int(value)))
        else:
            return bad
    parts = typed_date(norm(value), year)
    if parts is None:
        return bad
    try:
        return Parsed(dt.date(*parts))
    except ValueError:
        return Parsed(code="bad_date", message=f"填写的“{text(value)}”不是有效日期（该月没有这一天）")


def parse_status(value: Any) -> Parsed:
    """Return what a status cell says as `Reported`, or the reason it cannot be taken."""
    t = norm(value).strip("。.，,；;!！")
    if t in STATUS_WORDS:
        return Parsed(STATUS_WORDS[t])
    words = "、".join(fs.STATUS_CHOICES)
    return Parsed(
        code="bad_status",
        message=f"填写的“{value}”不是有效的完成状态，无法确定是哪一种，未采用（不作推断）；"
        f"请从下拉选项中选择：{words}",
    )
