"""The calendar of a month: cut-off, issue date, 临期 window and Chinese working days.

Two dates govern a period. The **cut-off** (截止日期, the as-of date; by default the month's
last day) is the day whose end the units report. The **issue date** (成文日期) is the day the
papers are signed: `schedule.issue_day` of the next month, moved to the next working day, and
never on or before the day reports are due (a bulletin cannot say who failed to report before
the deadline has passed) nor before the cut-off.

Deadlines count Chinese working days, holidays and 调休 included, from the maintained
`chinese-calendar` library. For a year the library does not know, weekends alone are days
off; the month's `warnings` say so, so the run can tell the office to check the dates.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar

from reportgen.config import Config
from reportgen.model import MonthDates, period_end


@dataclass
class Workdays:
    """Working-day arithmetic that remembers the years it had to guess."""

    guessed_years: set[int] = field(default_factory=set)

    def is_workday(self, day: dt.date) -> bool:
        """Return True when `day` is a working day in China (weekends only for unknown years)."""
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.guessed_years.add(day.year)
            return day.weekday() < 5

    def on_or_after(self, day: dt.date) -> dt.date:
        """Return `day` if it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def add(self, day: dt.date, count: int) -> dt.date:
        """Return the `count`-th working day after `day` (`day` itself is not counted)."""
        for _ in range(count):
            day = self.on_or_after(day + dt.timedelta(days=1))
        return day

    def warnings(self) -> list[str]:
        """Return what the office should know about years without a holiday calendar."""
        if not self.guessed_years:
            return []
        years = "、".join(f"{y}年" for y in sorted(self.guessed_years))
        return [
            f"节假日日历未包含{years}，工作日暂按周一至周五计算（未计法定节假日和调休），"
            "请核对通知中的期限；升级 chinese-calendar 后重新运行即可"
        ]


def _day_of_next_month(period: str, day: int) -> dt.date:
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(year, month, min(day, _stdcal.monthrange(year, month)[1]))


def is_overdue(dates: MonthDates, due: dt.date | None) -> bool:
    """Return True when a node not done and due on `due` is late at the cut-off."""
    return due is not None and due <= dates.cut_off


def is_due_soon(dates: MonthDates, due: dt.date | None) -> bool:
    """Return True when a node not done and due on `due` is 临期 (still ahead of the issue date)."""
    return due is not None and dates.issue < due <= dates.soon_until


def to_confirm(dates: MonthDates, due: dt.date | None) -> bool:
    """Return True when `due` falls after the cut-off but on or before the issue date."""
    return due is not None and dates.cut_off < due <= dates.issue


def report_deadline(period: str, config: Config, workdays: Workdays | None = None) -> dt.date:
    """Return the day units return the period's form: report_day of the next month, or the
    next working day when that is a day off."""
    days = workdays or Workdays()
    return days.on_or_after(_day_of_next_month(period, config.schedule.report_day))


def month_calendar(period: str, cut_off: dt.date | None, config: Config) -> MonthDates:
    """Return the calendar of `period` (cut-off defaults to the month's last day)."""
    days = Workdays()
    sched = config.schedule
    cut = cut_off or period_end(period)
    deadline = report_deadline(period, config, days)
    notes: list[str] = []
    configured = days.on_or_after(_day_of_next_month(period, sched.issue_day))
    issue = configured
    if issue <= deadline:
        issue = days.add(deadline, 1)
        notes.append(
            f"成文日期（次月{sched.issue_day}日）不晚于报送截止日期 {deadline:%Y-%m-%d}，"
            f"已改为其后第一个工作日 {issue:%Y-%m-%d}；可在 reportgen.toml 的 "
            "schedule.issue_day 中设置"
        )
    if issue <= cut:
        issue = days.add(cut, 1)
    return MonthDates(
        cut_off=cut, issue=issue, report_deadline=deadline,
        due_soon_days=sched.due_soon_days,
        reply_days=sched.reply_days, reply_by=days.add(issue, sched.reply_days),
        chase_days=sched.chase_days, chase_by=days.add(issue, sched.chase_days),
        warnings=notes + days.warnings(),
    )
