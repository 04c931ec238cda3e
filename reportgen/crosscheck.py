"""Which figures and answers `run` can say something of beyond each form's own reading, so that
`check` judges those as `run` does (reconcile.answer_issues) and the 校验报告, 校验反馈 and `status`
state the same issues whichever of the two commands ran last.

Reading a form names what is wrong in it alone. Reconciling a month says more of an answer only when
- another unit reported the same cumulative figure (figure_disagree), or a unit other than the first
  named answered a node (shared_disagree, lead_missing);
- an earlier month had the node done and the answer is not 已完成 (status_reverted), or the answer
  has no status the reading could tell (status_missing: a formula without its value);
- the answer is 已完成 without a date (date_missing) or with a date after the period (date_after_period).
Anything else draws nothing from reconciling, so it is not judged again: a city's forms hold 18,000
answers, a few hundred of them contested. (A figure lower than last month's or out of scale is named
by the reading, which has last month's figures.)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from reportgen import rules
from reportgen.model import History, Item, Metric, Milestone, Plan, Reported, Submission, Task, figure_key, period_end
from reportgen.rules import DONE_STATUSES

# what only another unit's answer shows: a file checked on its own (a web upload) says none of it
BETWEEN_UNITS = frozenset({"figure_disagree", "shared_disagree", "lead_missing"})


@dataclass
class Contested:
    """What reconciling can say something of, in plan order: figures two units reported, and the
    status milestones (with their item and task) whose answers are contested."""

    figures: list[tuple[Item, Metric]]
    milestones: list[tuple[Item, Task, Milestone]]


def contested(plan: Plan, submissions: Sequence[Submission], history: History, period: str) -> Contested:
    """Return the figures and status milestones reconciling `period` can say something of beyond
    each form's own reading (a superset: judging one draws nothing when there is nothing)."""
    picked, said = _answers(submissions, _done_before(history, period), period_end(period))
    reported = Counter(key for s in submissions for key, f in s.figures.items() if f.value_yi is not None)
    twice = {key for key, n in reported.items() if n > 1}
    out = Contested([], [])
    for item in plan.items:
        if twice:
            out.figures += [(item, metric) for metric in Metric if figure_key(item.code, metric) in twice]
        for task in item.tasks:
            leads = task.lead_units
            for m in task.milestones:
                if m.code in picked:
                    out.milestones.append((item, task, m))
                    continue
                units = said.get(m.code)
                # the lead (rules.milestone_units), most often the task's first 牵头 unit
                if units is not None and (
                        leads[0] if leads and leads[0] in (m.units or task.units) else rules.milestone_units(task, m)[1]
                ) not in units:
                    out.milestones.append((item, task, m))  # lead_missing
    return out


def _answers(
    submissions: Sequence[Submission], done_before: set[str], end: dt.date,
) -> tuple[set[str], dict[str, list[str]]]:
    """Return the codes answers alone make contested (units that answered a code differently among
    them: their completion dates, or done and not done), and the units that answered each code (a
    blank status says nothing of the node)."""
    picked: set[str] = set()
    first: dict[str, dt.date | bool] = {}  # code -> what its first answer said: date (True: none), False: open
    said: dict[str, list[str]] = {}
    done, get = Reported.DONE, said.get  # 18,000 answers in a city
    for s in submissions:
        unit = s.unit
        for code, rep in s.milestones.items():
            status, on = rep.status, rep.completed_on
            if status is None:
                picked.add(code)  # status_missing (or done before, kept)
                continue
            if status is not done:
                if code in done_before:
                    picked.add(code)  # status_reverted
                value: dt.date | bool = False
            else:
                if on is None or on > end:
                    picked.add(code)  # date_missing, date_after_period
                value = on or True
            units = get(code)
            if units is None:
                said[code], first[code] = [unit], value
            else:
                units.append(unit)
                if value != first[code]:
                    picked.add(code)  # shared_disagree
    return picked, said


def _done_before(history: History, period: str) -> set[str]:
    """Return the codes any unit had done in a period recorded before `period`."""
    done: set[str] = set()
    for p, standings in history.statuses.items():
        if p < period:
            done.update(code for code, (status, _) in standings.items() if status in DONE_STATUSES)
    for p, by_code in history.by_unit.items():
        if p < period:
            done.update(code for code, units in by_code.items()
                        if any(status in DONE_STATUSES for status, _ in units.values()))
    return done
