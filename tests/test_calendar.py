"""The calendar of a month: cut-off, issue date, working days with holidays and 调休."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.calendar import Workdays, month_calendar, report_deadline
from reportgen.cn import fmt_pct, fmt_yi
from reportgen.config import Config

D = dt.date


def test_june_2024_as_the_readme_states_it() -> None:
    m = month_calendar("2024-06", None, Config())
    assert (m.cut_off, m.report_deadline, m.issue) == (D(2024, 6, 30), D(2024, 7, 5), D(2024, 7, 8))
    assert (m.reply_by, m.chase_by, m.soon_until) == (D(2024, 7, 15), D(2024, 7, 11), D(2024, 7, 23))
    assert m.warnings == []


def test_holidays_and_makeup_working_days_count() -> None:
    days = Workdays()
    assert days.is_workday(D(2024, 9, 29))  # a Sunday worked in lieu of 国庆
    assert not days.is_workday(D(2024, 10, 3))  # 国庆
    assert days.add(D(2024, 9, 30), 1) == D(2024, 10, 8)
    # reports due 10-5 (a holiday) move to the next working day; the issue date follows them
    cfg = Config()
    assert report_deadline("2024-09", cfg) == D(2024, 10, 8)
    m = month_calendar("2024-09", None, cfg)
    assert m.issue == D(2024, 10, 9) and m.issue > m.report_deadline
    assert "成文日期" in m.warnings[0]


def test_an_issue_day_not_after_the_report_deadline_is_moved_and_said() -> None:
    cfg = Config()
    cfg.schedule.issue_day = 5
    m = month_calendar("2024-06", None, cfg)
    assert m.issue == D(2024, 7, 8) and len(m.warnings) == 1


def test_a_year_the_holiday_calendar_lacks_falls_back_to_weekends_and_says_so() -> None:
    m = month_calendar("2099-06", None, Config())
    assert m.issue.weekday() < 5 and m.reply_by.weekday() < 5
    assert any("2099年" in w and "周一至周五" in w for w in m.warnings)


def test_a_cut_off_after_the_configured_issue_day_moves_the_issue_date() -> None:
    m = month_calendar("2024-06", D(2024, 7, 10), Config())
    assert m.issue == D(2024, 7, 11)


@pytest.mark.parametrize(("rate", "text"), [(0.5625, "56.3%"), (0.45 / 0.8, "56.3%"),
                                            (0.20147, "20.1%"), (2 / 3, "66.7%"), (0.0, "0.0%")])
def test_percentages_round_half_up(rate: float, text: str) -> None:
    assert fmt_pct(rate) == text


def test_amounts_round_half_up_and_never_print_minus_zero() -> None:
    assert (fmt_yi(0.125), fmt_yi(0.09000000000000002), fmt_yi(-0.0001)) == ("0.13", "0.09", "0.00")
