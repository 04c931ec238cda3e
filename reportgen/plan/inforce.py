"""Which plan judges a period: the one in force when the period was first run, unless asked.

The task breakdown is revised during the year (动态调整). June, once issued, must come out
the same when it is run again after a July revision: same targets, same milestones, same
codes. So a period recorded in the ledger is judged by the plan recorded with it; the
current master workbook judges it only on request (`run --plan current`), and the run says
which plan it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reportgen.errors import PlanError
from reportgen.model import Plan, RecordedPlan


class PlanChoice(StrEnum):
    """Which plan a run of a period uses."""

    RECORDED = "recorded"  # the plan the period was last run with (the current one at first)
    CURRENT = "current"  # the current master workbook: re-judges an earlier period


@dataclass
class PlanInForce:
    """The plan a run uses, and a sentence saying which it is and why."""

    plan: Plan
    note: str  # Chinese, for the terminal, run.log and the web page
    replanned: bool = False  # an earlier period re-judged by a different plan


def _name(plan: Plan | RecordedPlan) -> str:
    return f"“{plan.title}”（版本 {plan.version}）"


def plan_in_force(period: str, current: Plan, recorded: RecordedPlan | None,
                  choice: PlanChoice = PlanChoice.RECORDED) -> PlanInForce:
    """Return the plan that judges `period`: the recorded one, or `current` when the period was
    never run, the two are the same, or `choice` asks for it (PlanError when the recorded one
    is needed but the ledger does not hold its content)."""
    if recorded is None:
        return PlanInForce(current, f"任务分解：按当前总表{_name(current)}核定（本月首次运行）")
    if recorded.version == current.version:
        return PlanInForce(current, f"任务分解：按当前总表{_name(current)}核定（与本月上次运行相同）")
    if choice is PlanChoice.CURRENT:
        return PlanInForce(
            current,
            f"任务分解：按当前总表{_name(current)}重新核定{period}（上次运行按{_name(recorded)}），"
            "本月结果以本次为准",
            replanned=True,
        )
    if recorded.plan is None:
        raise PlanError(
            f"{period} 上次按任务分解{_name(recorded)}核定，当前总表已调整为版本 {current.version}，"
            "但历史台账中没有保存旧版本的内容（由早期版本的程序记录），无法按原任务分解重现该月。"
            "如需按当前总表重新核定该月，请加 --plan 当前"
        )
    return PlanInForce(
        recorded.plan,
        f"任务分解：按{period}上次运行时的{_name(recorded)}核定；当前总表已调整为版本 "
        f"{current.version}，如需按当前总表重新核定该月，请加 --plan 当前",
    )
