"""Chinese text readers: the DESIGN table of dates, amounts, units, and arbitrary text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.cn import (
    cn_number,
    cn_numeral,
    find_dates,
    format_date,
    normalize_digits,
    normalize_text,
    parse_amount,
    parse_due,
    split_units,
)
from reportgen.config import Config, UnitsConfig


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2024年6月20日前", "2024-06-20"), ("6月20日前", "2024-06-20"),
        ("于2024年5月30日前", "2024-05-30"), ("8月底", "2024-08-31"), ("8月底前", "2024-08-31"),
        ("2月底", "2024-02-29"), ("2024年7月到位", "2024-07-31"), ("9月上旬", "2024-09-10"),
        ("9月中旬", "2024-09-20"), ("9月下旬", "2024-09-30"), ("一季度", "2024-03-31"),
        ("上半年", "2024-06-30"), ("三季度", "2024-09-30"), ("前三季度", "2024-09-30"),
        ("第三季度", "2024-09-30"), ("全年", "2024-12-31"), ("年底", "2024-12-31"),
        ("12月底", "2024-12-31"), ("最迟2024年10月上旬开工", "2024-10-10"),
        ("２０２４年６月２０日", "2024-06-20"), ("2024.6.15", "2024-06-15"),
        ("2024-06-15", "2024-06-15"), ("六月底", "2024-06-30"), ("2025年3月底", "2025-03-31"),
    ],
)
def test_due_dates_of_the_design_table(text: str, due: str) -> None:
    assert parse_due(text, 2024) == dt.date.fromisoformat(due)


@pytest.mark.parametrize(
    "text",
    ["项目建设周期3个月", "2024-2025年建设屋顶光伏", "2024年工业投资任务3亿元", "明确企业今年的计划",
     "12万吨", "1/3以上", "每月5日", ""],
)
def test_not_dates(text: str) -> None:
    assert [d.due for d in find_dates(text, 2024) if d.due] == []


@pytest.mark.parametrize("text", ["2月30日", "13月底", "6月初"])
def test_date_like_but_unreadable_is_reported_not_guessed(text: str) -> None:
    found = find_dates(text, 2024)
    assert len(found) == 1 and found[0].due is None and found[0].text == text


@pytest.mark.parametrize(
    ("text", "yi"),
    [("3亿元以上", 3.0), ("3000万元", 0.3), ("1.2亿", 1.2), ("１．２亿元", 1.2), ("12000万元", 1.2),
     ("约1.2亿元", 1.2), ("12万吨", None), ("3个项目", None), ("1/3以上", None), ("2024-2025年", None),
     ("投资能力", None)],
)
def test_amounts(text: str, yi: float | None) -> None:
    assert parse_amount(text) == (pytest.approx(yi) if yi is not None else None)


def test_units_split_aliases_and_groups() -> None:
    config = Config(units=UnitsConfig(
        aliases={"规划和自然资源分局": ["规划分局"]},
        groups={"各中心": ["甲中心", "乙中心"]},
    ))
    assert split_units("规划分局、建设管理部，财政运营部;各中心；甲中心", config) == [
        "规划和自然资源分局", "建设管理部", "财政运营部", "甲中心", "乙中心"]
    assert split_units("规划和自然资源分局", config) == ["规划和自然资源分局"]  # 和 is part of a name
    assert split_units("（责任单位：建设管理部等）", config) == ["建设管理部"]


def test_numerals_and_normalising() -> None:
    assert [cn_number(s) for s in ("十四", "二十", "十", "一百零五", "7", "甲")] == [14, 20, 10, 105, 7, None]
    assert [cn_numeral(n) for n in (1, 10, 14, 20, 99)] == ["一", "十", "十四", "二十", "九十九"]
    big = {100: "一百", 101: "一百零一", 110: "一百一十", 119: "一百一十九", 1000: "一千",
           1001: "一千零一", 1010: "一千零一十", 2305: "二千三百零五", 3000: "三千",
           10000: "一万", 10001: "一万零一", 12000: "一万二千", 100000: "十万"}
    assert {n: cn_numeral(n) for n in big} == big
    assert {text: cn_number(text) for text in big.values()} == {t: n for n, t in big.items()}
    assert [cn_number(s) for s in ("两千", "一〇一", "零")] == [2000, 101, 0]


def test_every_numeral_up_to_ten_thousand_reads_back() -> None:
    assert [cn_number(cn_numeral(n)) for n in range(10001)] == list(range(10001))
    assert normalize_digits("１２．５") == "12.5"
    assert normalize_text("[bookmark: _GoBack]2.征拆 工作(责任单位:甲)") == "2.征拆工作（责任单位：甲）"


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text())
def test_readers_never_crash_on_arbitrary_text(text: str) -> None:
    config = Config()
    parse_due(text, 2024)
    find_dates(text, 2024)
    parse_amount(text)
    split_units(text, config)
    normalize_text(text)
    cn_number(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789年月日上中下旬底前季度半全一二三四五六七八九十.-/以上亿万元", max_size=30))
def test_readers_never_crash_on_date_like_text(text: str) -> None:
    for found in find_dates(text, 2024):
        assert found.due is None or isinstance(found.due, dt.date)
    parse_amount(text)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
       st.sampled_from(["", "前", "之前", "完成"]))
def test_formatted_dates_read_back(day: dt.date, suffix: str) -> None:
    assert parse_due(format_date(day) + suffix, 2024) == day
    assert parse_due(day.isoformat(), 2024) == day
