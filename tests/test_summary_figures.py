"""The 汇总表 states the figures reconcile decided, as the bulletin does (a cut-off before the
month's end: 序时进度 counts days, on every sheet; January counts from the year's start)."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.config import Config
from reportgen.model import History
from reportgen.reconcile import reconcile
from reportgen.render.excel import excel_context
from tests.test_word_factory import NOT_SUBMITTED, make_result, seed_plan, submissions, year_history


def test_a_mid_month_cut_off_gives_every_sheet_the_bulletins_schedule() -> None:
    result = make_result(as_of=dt.date(2024, 6, 20), history=year_history())
    assert result.schedule_rate == pytest.approx(172 / 366)  # 47.0%, not 6/12
    context = excel_context(result, year_history(), Config())
    months = {row["period"]: row["schedule"] for row in context["months"]}
    assert months["2024-06"] == result.schedule_rate == context["schedule"]
    assert {p: s for p, s in months.items() if p != "2024-06"} == {
        f"2024-{m:02d}": pytest.approx(m / 12) for m in range(1, 6)}
    assert {row["schedule"] for row in context["projects"]} == {result.schedule_rate}


def test_januarys_earlier_column_is_the_years_start_not_last_month() -> None:
    december = History(figures={"2023-12": {"P01/invest": 2.9}})  # last year's: not January's 上月
    result = reconcile(seed_plan(), submissions(NOT_SUBMITTED, "2024-01"), december, dt.date(2024, 1, 31),
                       "2024-01", Config())
    context = excel_context(result, december, Config())
    assert context["previous_label"] == "年初累计"
    first = next(p for p in context["projects"] if p["code"] == "P01")
    assert (first["previous"], first["added"]) == (0.0, first["cumulative"])
