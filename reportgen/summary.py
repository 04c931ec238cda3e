"""summary.json: the one machine-readable result of a period (DESIGN §6).

Dates are `YYYY-MM-DD`, amounts 亿元 rounded to 4 decimals, rates fractions rounded to 4
decimals, statuses their JSON codes. Items and milestones follow the plan's code order,
units the plan's unit order, issues `issue_order.issue_sort_key`; the same result always gives
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from reportgen.fsutil import write_text_atomic
from reportgen.issue_order import issue_sort_key
from reportgen.model import (
    DubanRecord,
    Issue,
    ItemResult,
    MilestoneResult,
    MonthDates,
    PeriodResult,
    Status,
    UnitResult,
)
from reportgen.render.duban_words import duban_matters, duban_note

SUMMARY_NAME = "summary.json"
FORMAT_VERSION = 1


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4) + 0.0  # + 0.0 turns -0.0 into 0.0


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _milestone(m: MilestoneResult) -> dict[str, Any]:
    return {
        "code": m.code,
        "item": m.item,
        "task": m.task,
        "text": m.text,
        "kind": m.kind.value,
        "amount_yi": _r(m.amount_yi),
        "due": _d(m.due),
        "units": list(m.units),
        "lead": m.lead,
        "status": m.status.value,
        "completed_on": _d(m.completed_on),
        "days_overdue": m.days_overdue,
        "days_left": m.days_left,
        "by_unit": {
            u: {"status": s.value, "completed_on": _d(d)} for u, (s, d) in m.by_unit.items()
        },
        "decided_by": m.decided_by,
        "group": m.group,
        "confirm": m.confirm,
    }


def _dates(dates: MonthDates | None) -> dict[str, Any] | None:
    if dates is None:
        return None
    return {
        "cut_off": _d(dates.cut_off), "issue": _d(dates.issue),
        "report_deadline": _d(dates.report_deadline), "soon_until": _d(dates.soon_until),
        "due_soon_days": dates.due_soon_days, "reply_days": dates.reply_days,
        "reply_by": _d(dates.reply_by), "chase_days": dates.chase_days,
        "chase_by": _d(dates.chase_by),
    }


def _issue(i: Issue) -> dict[str, str]:
    return {
        "severity": i.severity.value, "code": i.code, "unit": i.unit, "file": i.file,
        "sheet": i.sheet, "cell": i.cell, "message": i.message,
    }


def summary_dict(result: PeriodResult) -> dict[str, Any]:
    """Return the period's result as plain JSON-ready data (the content of summary.json)."""
    return {
        "format": FORMAT_VERSION,
        "period": result.period,
        "as_of": result.as_of.isoformat(),
        "plan_year": result.plan_year,
        "plan_title": result.plan_title,
        "plan_version": result.plan_version,
        "doc_number": result.doc_number,
        "schedule_rate": _r(result.schedule_rate),
        "dates": _dates(result.dates),
        "totals": _totals(result),
        "items": [_item(it) for it in result.items],
        "milestones": [_milestone(m) for m in result.milestones],
        "units": [_unit(u) for u in result.units],
        "issues": [_issue(i) for i in sorted(result.issues, key=issue_sort_key)],
        "dubans": [_duban(d) for d in result.dubans],
    }


def _duban(d: DubanRecord) -> dict[str, Any]:
    """One 督办通知 as it stood on the papers' date (reportgen.duban)."""
    def day(v: dt.date | None) -> str | None:
        return v.isoformat() if v else None

    return {
        "doc_no": d.doc_no, "period": d.period, "unit": d.unit, "nodes": list(d.nodes),
        "issued_on": day(d.issued_on), "reply_by": day(d.reply_by), "replied_on": day(d.replied_on),
        "closed_in": d.closed_in, "round": d.round, "state": d.state.value,
        "ended": {code: str(why) for code, why in d.ended.items()},  # nodes closed undone: why
        "carried_from": d.carried_from or None,  # an earlier year's 督办 still open: that year
        "earlier": {code: [e.doc_no for e in es] for code, es in d.earlier.items()},
        # the 督办台账's words (汇总表, web pages): one wording for every place that shows it
        "matters": duban_matters(d), "note": duban_note(d),
    }


def _totals(result: PeriodResult) -> dict[str, Any]:
    t = result.totals
    counts = {s.value: 0 for s in Status}
    for m in result.milestones:
        counts[m.status.value] += 1
    return {
        "projects": t.projects,
        "target_yi": _r(t.target_yi),
        "cumulative_yi": _r(t.cumulative_yi),
        "month_added_yi": _r(t.month_added_yi),
        "first_figures": list(t.first_figures),
        "fell": list(t.fell),
        "rate": _r(t.rate),
        "vs_schedule": t.vs_schedule,
        "schedule_gap": t.schedule_gap,
        "milestones": t.milestones,
        "due": t.due,
        "due_done": t.done + t.done_late,
        "due_breakdown": {"done": t.done, "done_late": t.done_late, "overdue": t.overdue,
                          "not_reported": t.not_reported},
        "later_breakdown": {"early": t.early, "due_soon": t.due_soon, "confirm": t.confirm,
                            "in_progress": t.open, "not_reported": t.not_reported_later},
        "status_counts": counts,
        "units": len(result.units),
        "units_submitted": sum(1 for u in result.units if u.submitted),
    }


def _item(it: ItemResult) -> dict[str, Any]:
    return {
        "code": it.code,
        "name": it.name,
        "section": it.section.value,
        "target_yi": _r(it.target_yi),
        "cumulative_yi": _r(it.cumulative_yi),
        "previous_yi": _r(it.previous_yi),
        "month_added_yi": _r(it.month_added_yi),
        "rate": _r(it.rate),
        "schedule_rate": _r(it.schedule_rate),
        "vs_schedule": it.vs_schedule,
        "phased_target_yi": _r(it.phased_target_yi),
        "invoice_yi": _r(it.invoice_yi),
        "units": list(it.units),
        "reported_by": it.reported_by,
        "schedule_gap": it.schedule_gap,
        "first_figure": it.first_figure,
        "fell_from_yi": _r(it.fell_from),
        "behind_months": it.behind_months,
        "rejected": it.rejected,
    }


def _unit(u: UnitResult) -> dict[str, Any]:
    return {
        "name": u.name,
        "submitted": u.submitted,
        "exempt": u.exempt,
        "files": sorted(u.files),
        "counts": {s.value: u.counts.get(s.value, 0) for s in Status},
        "due": u.due,
        "rate": _r(u.rate),
        "rank": u.rank,
        "missed_months": u.missed_months,
    }


def summary_text(result: PeriodResult) -> str:
    """Return summary.json's text: UTF-8 JSON, Chinese as is, one key or record per line.

    Indented JSON goes through the json module's pure-Python encoder (about 1.4 s for a city);
    each record is written compact by the C encoder instead, one per line, so the file still
    reads and diffs line by line.
    """
    compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    lines = ["{"]
    data = summary_dict(result)
    for n, (key, value) in enumerate(data.items()):
        end = "," if n < len(data) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"{compact(key)}: [")
            lines += [f"  {compact(v)}," for v in value[:-1]]
            lines += [f"  {compact(value[-1])}", f"]{end}"]
        else:
            lines.append(f"{compact(key)}: {compact(value)}{end}")
    return "\n".join(lines) + "\n}\n"


def write_summary(result: PeriodResult, path: Path) -> Path:
    """Write summary.json to `path` atomically (temporary file, then rename) and return it."""
    return write_text_atomic(path, summary_text(result))
