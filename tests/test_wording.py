"""How the bulletin words a node's completion: a date is said as what it is."""

from __future__ import annotations

import datetime as dt

from reportgen.calendar import month_calendar
from reportgen.config import Config
from reportgen.model import MilestoneKind, MilestoneResult, Status
from reportgen.render.wording import nodes_text


def _late(code: str, text: str, kind: MilestoneKind, amount: float | None, done: dt.date) -> MilestoneResult:
    return MilestoneResult(code, "P1", "某项目", "P1", text, dt.date(2024, 6, 30), ["甲"], "甲", kind, amount,
                           Status.DONE_LATE, completed_on=done)


def test_an_amount_reached_is_dated_by_the_report_that_showed_it_not_as_a_day_of_completion() -> None:
    """An amount node is done on the cut-off of the first report whose figure reached it: the
    bulletin said 上半年完成投资0.4亿元（2024年7月31日完成）, a day nobody reported."""
    dates = month_calendar("2024-07", dt.date(2024, 7, 31), Config())
    text = nodes_text([
        _late("P1-M1", "上半年完成投资0.4亿元", MilestoneKind.INVESTMENT, 0.4, dt.date(2024, 7, 31)),
        _late("P1-M2", "6月底前取得施工许可", MilestoneKind.STEP, None, dt.date(2024, 7, 12)),
    ], dates)
    assert text == ("逾期完成节点：上半年完成投资0.4亿元（截至2024年7月31日累计已达到）；"
                    "6月底前取得施工许可（2024年7月12日完成）。")
