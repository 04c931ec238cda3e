"""The 汇总表 states the figures reconcile decided, as the bulletin does (a cut-off before the
month's end: 序时进度 counts days, on every sheet)."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.config import Config
from reportgen.render.excel import excel_context
from tests.test_word_factory import make_result, year_history


def test_a_mid_month_cut_off_gives_every_sheet_the_bulletins_schedule() -> None:
    result = make_result(as_of=dt.date(2024, 6, 20), history=year_history())
    assert result.schedule_rate == pytest.approx(172 / 366)  # 47.0%, not 6/12
    context = excel_context(result, year_history(), Config())
    months = {row["period"]: row["schedule"] for row in context["months"]}
    assert months["2024-06"] == result.schedule_rate == context["schedule"]
    assert {p: s for p, s in months.items() if p != "2024-06"} == {
        f"2024-{m:02d}": pytest.approx(m / 12) for m in range(1, 6)}
    assert {row["schedule"] for row in context["projects"]} == {result.schedule_rate}
