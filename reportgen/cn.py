"""Chinese text readers: dates, amounts, numerals, punctuation and unit lists (pure functions).

Every reader takes arbitrary text and never raises on it: a phrase it cannot read gives None
(or is reported by `find_dates` as unreadable), so the caller decides what a user is told.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from reportgen.model import previous_month

if TYPE_CHECKING:
    from reportgen.config import Config

# Full-width digits, letters and the punctuation people type in numbers and dates.
_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULL_WIDTH.update({"．": ".", "－": "-", "／": "/", "，": "，", "　": " ", "％": "%", "＋": "+"})
_DIGIT_TABLE = str.maketrans(_FULL_WIDTH)

# Half-width brackets and colons as other offices type them, mapped to the full-width forms
# the readers below expect.
_PUNCT = {"(": "（", ")": "）", ":": "：", ";": "；", "﹙": "（", "﹚": "）"}
_PUNCT_TABLE = str.maketrans(_PUNCT)
# str.translate looks every character up in the table: most text has none of them, and a
# search for them is many times faster than translating (a city's plan is read in 1 s less)
_DIGIT_CHARS = re.compile("[" + re.escape("".join(k for k, v in _FULL_WIDTH.items() if k != v)) + "]")
_PUNCT_CHARS = re.compile("[" + re.escape("".join(_PUNCT)) + "]")
_SPACE = re.compile(r"\s")
_SPACE_NOT_WORD = re.compile(r"(?<=[^\w])\s+|\s+(?=[^\w])")
_SPACE_HAN = re.compile(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]|\[(?:footnote|comment|endnote)[^\]]*\]")

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CIRCLED_DIGITS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CN_NUMBER = re.compile(r"^[零〇一二两三四五六七八九十百千万]+$")
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def normalize_digits(text: str) -> str:
    """Return `text` with full-width digits, points, minus and slashes made half-width."""
    return text.translate(_DIGIT_TABLE) if _DIGIT_CHARS.search(text) else text


def normalize_text(text: str) -> str:
    """Return `text` cleaned for reading: half-width digits, full-width brackets and colons,
    conversion artefacts such as `[bookmark: _GoBack]` removed, spaces collapsed."""
    s = _ARTEFACT.sub("", text) if "[" in text else text
    s = normalize_digits(s)
    if _PUNCT_CHARS.search(s):
        s = s.translate(_PUNCT_TABLE)
    s = s.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    s = _CONTROL.sub("", s).strip()
    if _SPACE.search(s):
        # Keep a space only between two Latin letters or digits; elsewhere it is typing noise.
        s = _SPACE_HAN.sub("", _SPACE_NOT_WORD.sub("", s))
    return s


def cn_number(text: str) -> int | None:
    """Return the value of a Chinese numeral such as 十四, 一百零一 or 一千 (or Arabic digits),
    else None."""
    s = normalize_digits(text.strip())
    if s.isdigit() and s.isascii():
        return int(s)
    if not s or not _CN_NUMBER.match(s):
        return None
    total, section, current = 0, 0, 0
    for ch in s:
        if ch == "万":
            total += (section + current or 1) * 10000
            section = current = 0
        elif ch in _CN_UNITS:
            section += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            current = current * 10 + CN_DIGITS[ch]
    return total + section + current


def _cn_below_10000(n: int) -> str:
    digits = "零一二三四五六七八九"
    out: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(digits[d] + unit)
    return "".join(out)


def cn_numeral(n: int) -> str:
    """Return `n` (≥ 0) written in Chinese numerals as headings use them: 十四, 一百零一, 一千."""
    if n < 0:
        raise ValueError(f"no Chinese numeral for {n}")
    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    if high:
        head = cn_numeral(high) + "万"
        if not low:
            return head
        return head + ("零" if low < 1000 else "") + _cn_below_10000(low)
    text = _cn_below_10000(n)
    # 10–19 are written 十, 十四, not 一十四
    return text[1:] if 10 <= n < 20 else text


def cn_count(n: int) -> str:
    """Return a count before a measure word in Chinese numerals: 两个月, 三个月, 十二个月."""
    return "两" if n == 2 else cn_numeral(n)


# ---------------------------------------------------------------- dates

_MONTH_CN = r"(?:十[一二]?|[一二三四五六七八九])"
_MONTH = rf"(?P<m>\d{{1,2}}|{_MONTH_CN})"
def _year(name: str) -> str:
    return rf"(?:(?P<{name}>\d{{4}})\s*年\s*)?"


_DATE_RE = re.compile(
    "|".join(
        [
            # 2024.6.15, 2024-06-15, 2024/6/15
            r"(?P<ny>\d{4})[./-](?P<nm>\d{1,2})[./-](?P<nd>\d{1,2})(?:日)?(?!\d)",
            # 2024年6月20日, 6月20日, 6月20号
            rf"{_year('yd')}(?P<dm>\d{{1,2}}|{_MONTH_CN})\s*月\s*(?P<dd>\d{{1,2}})\s*[日号]",
            # 9月上旬 / 中旬 / 下旬, 9月底 / 月末 / 月初 / 月中, 7月 / 7月份
            rf"{_year('ym')}{_MONTH}\s*月份?\s*(?P<part>上旬|中旬|下旬|底|末|初|中)?",
            # 一季度 / 第三季度 / 前三季度 / 上半年 / 下半年 / 全年 / 年底 / 年内 / 年末
            r"(?P<yq>\d{4}\s*年\s*)?(?P<q>(?:前|第)?[一二三四1-4]\s*季度|上半年|下半年|全年|年底|年末|年内)",
        ]
    )
)
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@dataclass
class DateMatch:
    """A date phrase found in a text: where it is, what it says, and the day it means."""

    start: int
    end: int
    text: str
    due: dt.date | None  # None when the phrase looks like a date but cannot be read


def _month_value(text: str) -> int | None:
    return cn_number(text)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _resolve(m: re.Match[str], year: int) -> dt.date | None:
    g = m.groupdict()
    if g["ny"]:
        return _safe_date(int(g["ny"]), int(g["nm"]), int(g["nd"]))
    if g["dm"]:
        month = _month_value(g["dm"])
        y = int(g["yd"]) if g["yd"] else year
        return _safe_date(y, month, int(g["dd"])) if month else None
    if g["m"]:
        month = _month_value(g["m"])
        y = int(g["ym"]) if g["ym"] else year
        if month is None or not 1 <= month <= 12 or not 1 <= y <= 9999:
            return None
        part = g["part"] or ""
        if part == "上旬":
            return dt.date(y, month, 10)
        if part == "中旬":
            return dt.date(y, month, 20)
        if part in ("", "下旬", "底", "末"):
            return dt.date(y, month, _last_day(y, month))
        return None  # 月初 / 月中 name no day the office would agree on
    q = re.sub(r"\s+", "", g["q"] or "")
    y = int(re.sub(r"\D", "", g["yq"])) if g["yq"] else year
    if not 1 <= y <= 9999:
        return None
    if q == "上半年":
        return dt.date(y, 6, 30)
    if q in ("下半年", "全年", "年底", "年末", "年内"):
        return dt.date(y, 12, 31)
    n = cn_number(q.lstrip("前第").removesuffix("季度"))
    if n in _QUARTER_END:
        month, day = _QUARTER_END[n]
        return dt.date(y, month, day)
    return None


def find_dates(text: str, year: int) -> list[DateMatch]:
    """Return every date phrase in `text` (year from the plan unless written), in order."""
    s = normalize_digits(text)
    out: list[DateMatch] = []
    for m in _DATE_RE.finditer(s):
        # "12个月" / "3个月" are durations; "月" after a measure word is not a date.
        if m.group("m") and m.start("m") > 0 and s[m.start("m") - 1] in "个第每":
            continue
        # A bare Chinese month ("三月") only counts when it is clearly a date phrase.
        if m.group("m") and not m.group("m").isdigit() and not (m.group("part") or m.group("ym")):
            continue
        due = _resolve(m, year)
        out.append(DateMatch(m.start(), m.end(), m.group(0).strip(), due))
    return out


def parse_due(text: str, year: int) -> dt.date | None:
    """Return the first date `text` names (e.g. 9月中旬 → 9-20 of `year`), else None."""
    for found in find_dates(text, year):
        if found.due is not None:
            return found.due
    return None


# A day as people type it in a cell or on the command line (the forms' 完成日期, `--as-of`).
# (15号 is the spoken 15日)
_TYPED_YMD = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?$")
_TYPED_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TYPED_MD = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")


def typed_date(text: str, year: int) -> tuple[int, int, int] | None:
    """Return (year, month, day) of a typed day (2024-7-5, 2024.7.5, 2024年7月5日 or 5号, 7月5日 in `year`,
    20240705), unchecked against the calendar; None when `text` is not written as a day."""
    s = normalize_digits(text.strip())
    if m := _TYPED_YMD.match(s) or _TYPED_COMPACT.match(s):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m := _TYPED_MD.match(s):
        return year, int(m.group(1)), int(m.group(2))
    return None


def format_date(day: dt.date) -> str:
    """Return `day` as the office writes it: 2024年6月20日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------- amounts

_AMOUNT_RE = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>亿元?|万元)(?P<lower>以上)?"
)


@dataclass
class AmountMatch:
    """An amount of money found in a text, in 亿元."""

    start: int
    end: int
    text: str
    yi: float
    lower_bound: bool  # written with 以上


def find_amounts(text: str) -> list[AmountMatch]:
    """Return every amount in 亿元/万元 in `text` (12万吨 and 3个项目 are not amounts)."""
    s = normalize_digits(text)
    out: list[AmountMatch] = []
    for m in _AMOUNT_RE.finditer(s):
        # "2024-2025" or a digit glued to a letter is not a number of money
        if m.start() > 0 and (s[m.start() - 1].isdigit() or s[m.start() - 1] in "-/"):
            continue
        try:
            value = float(m.group("num"))
        except ValueError:  # pragma: no cover - the regex admits only decimals
            continue
        yi = value if m.group("unit").startswith("亿") else value / 10000
        out.append(AmountMatch(m.start(), m.end(), m.group(0), round(yi, 6), bool(m.group("lower"))))
    return out


def parse_amount(text: str) -> float | None:
    """Return the first amount in `text` in 亿元 (3000万元 → 0.3, 3亿元以上 → 3.0), else None."""
    found = find_amounts(text)
    return found[0].yi if found else None


# ---------------------------------------------------------------- units

_UNIT_SPLIT = re.compile(r"[、，,；;]+")
_UNIT_PREFIX = re.compile(r"^(?:由|牵头单位|责任单位|配合单位|协同配合单位|主要责任单位)[：:]?")


def _strip_brackets(name: str) -> str:
    """Drop a bracket left over from `（责任单位：A）`, keep a name's own `（筹）`."""
    while name.endswith("）") and name.count("）") > name.count("（"):
        name = name[:-1]
    while name.startswith("（") and name.count("（") > name.count("）"):
        name = name[1:]
    return name.strip()


def unit_lookup(config: Config) -> dict[str, str]:
    """Return a map from every alias (and canonical name) to the canonical unit name."""
    out: dict[str, str] = {}
    for canonical, aliases in config.units.aliases.items():
        out[canonical] = canonical
        for alias in aliases:
            out.setdefault(alias, canonical)
    return out


def split_units(text: str, config: Config) -> list[str]:
    """Return the canonical unit names in a list like `A、B，C` (groups expanded, no repeats)."""
    lookup = unit_lookup(config)
    out: dict[str, None] = {}
    s = normalize_text(text)
    whole = re.fullmatch(r"（([^（）]*)）[。.]?", s)
    for raw in _UNIT_SPLIT.split(whole.group(1) if whole else s):
        name = _UNIT_PREFIX.sub("", _strip_brackets(raw.strip(" 。.：:")))
        if not name or name in ("等", "等单位"):
            continue
        name = name.removesuffix("等")
        if name in config.units.groups:
            for member in config.units.groups[name]:
                out.setdefault(lookup.get(member, member), None)
            continue
        out.setdefault(lookup.get(name, name), None)
    return list(out)


def group_phrases(text: str, config: Config) -> list[str]:
    """Return the group phrases (e.g. 各产业招商服务中心) named in a unit list."""
    return [g for g in config.units.groups if g in text]


# ---------------------------------------------------------------- writing (every renderer)


def doc_no_pattern(prefix: str | None = None, year: int | None = None) -> re.Pattern[str]:
    """The 发文字号 as the notices print it (numbering.doc_no): 机关代字〔年份〕序号号, e.g.
    同经开督字〔2024〕3号 — of the series `prefix` and `year` when given, else any 机关代字 (letters,
    no digits or punctuation) and year. Groups: prefix, year, number."""
    code = re.escape(prefix) if prefix is not None else r"[^\W\d_]+"
    years = str(year) if year is not None else r"\d{4}"
    return re.compile(rf"(?P<prefix>{code})〔(?P<year>{years})〕(?P<number>\d+)号")


def round_half_up(value: float, places: int) -> Decimal:
    """Return `value` rounded 四舍五入 to `places` decimals (56.25 → 56.3, not 56.2).

    The float is first read at 12 significant decimals, so 0.45 / 0.8 × 100, stored as
    56.249999…, is taken as the 56.25 it means."""
    exact = Decimal(repr(round(value, 12)))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_yi(value: float | None) -> str:
    """Return an amount in 亿元 with two decimals, rounded half up ("" for None)."""
    return "" if value is None else f"{round_half_up(value, 2) + 0:.2f}"


def fmt_pct(rate: float | None) -> str:
    """Return a fraction as a percentage with one decimal, rounded half up ("" for None)."""
    return "" if rate is None else f"{round_half_up(rate * 100, 1) + 0:.1f}%"


# fmt_pct as a spreadsheet's number format: a table, its chart's labels and the bulletin all print
# 56.3% (not 56.25%), so the points 低于序时进度 the bulletin states are the printed figures' difference
PCT_FORMAT = "0.0%"


def fmt_points(points: float) -> str:
    """Return a difference in percentage points with one decimal (no sign)."""
    return f"{round_half_up(abs(points), 1):.1f}"


def format_period(period: str) -> str:
    """Return `2024-06` as 2024年6月份 (the bulletin's title)."""
    return f"{int(period[:4])}年{int(period[5:7])}月份"


def format_month(period: str) -> str:
    """Return `2024-06` as 2024年6月 (table titles)."""
    return f"{int(period[:4])}年{int(period[5:7])}月"


def _gap(period: str, earlier: str) -> bool:
    """Return True when `earlier` is a recorded period before `period` other than the month before."""
    return bool(earlier) and earlier != previous_month(period)


def month_span(period: str, since: str) -> str:
    """Return the months a change of `period` holds: 9月, or 8—9月 when the last period recorded
    before it (`since`, PeriodResult.since / reconcile.changes_since) is July."""
    month = int(period[5:7])
    return f"{int(since[5:7]) + 1}—{month}月" if _gap(period, since) else f"{month}月"


def change_words(period: str, since: str) -> str:
    """Return what a change of `period` against the figures of `since` is called: 本月新增, or
    8—9月新增 when `since` is July (August never run, so the change holds both months)."""
    return f"{month_span(period, since)}新增" if _gap(period, since) else "本月新增"


# a completion date the unit did not give, where the papers would print it (never a guessed day)
UNDATED = "未填"


def earlier_month(period: str, earlier: str) -> str:
    """Return how `period`'s papers and messages name the month `earlier`: 上月 when it is the
    month before ("" means that too, as PeriodResult.since and ItemResult.carried_from say),
    else 7月 (August never run), or 2024年11月 when it is of another year (a node kept from last
    year's plan, whose latest standing is older than December)."""
    if not _gap(period, earlier):
        return "上月"
    return f"{int(earlier[5:7])}月" if earlier[:4] == period[:4] else format_month(earlier)
