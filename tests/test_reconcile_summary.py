"""summary.json: DESIGN §6 fields, rounding, dates, codes, order, atomic and deterministic writes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from reportgen.config import Config
from reportgen.model import History, Issue, Reported, Severity
from reportgen.reconcile import reconcile
from reportgen.summary import summary_dict, summary_text, write_summary
from tests.test_reconcile import C1, C2, A, B, make_plan, sub

D = dt.date


def _result():
    subs = [
        sub(A, figures={"P01/invest": 0.98765432, "P02/invest": 0.1},
            P01_M02=(Reported.DONE, D(2024, 6, 22)), P02_M01=(Reported.ONGOING, None)),
        sub(C1, T01_M01=(Reported.DONE, D(2024, 6, 20))),
    ]
    subs[0].issues.append(Issue(Severity.ERROR, "公式无缓存值 <&>", "formula_no_cache",
                                f"{A}.xlsx", "投资完成情况", "F9", A))
    history = History(figures={"2024-05": {"P01/invest": 0.9, "P02/invest": 0.3}})
    result = reconcile(make_plan(), subs, history, D(2024, 7, 3), "2024-07", Config())
    result.doc_number = 7
    return result


def test_fields_and_values() -> None:
    data = summary_dict(_result())
    assert (data["period"], data["as_of"], data["plan_version"], data["plan_year"]) == (
        "2024-07", "2024-07-03", "v1", 2024)
    assert data["doc_number"] == 7
    assert data["schedule_rate"] == round(185 / 366, 4)
    p01 = data["items"][0]
    assert p01 == {
        "code": "P01", "name": "甲项目", "section": "project", "target_yi": 3.0,
        "cumulative_yi": 0.9877, "previous_yi": 0.9, "month_added_yi": 0.0877,
        "rate": 0.3292, "schedule_rate": 0.5055, "vs_schedule": "behind",
        "phased_target_yi": 1.0, "invoice_yi": None, "units": [A], "reported_by": A,
        "schedule_gap": -17.6, "first_figure": False, "fell_from_yi": None, "behind_months": 1,
        "rejected": False,
    }
    assert data["items"][1]["month_added_yi"] == -0.2  # went down: reported, flagged
    m02 = next(m for m in data["milestones"] if m["code"] == "P01-M02")
    assert (m02["status"], m02["completed_on"], m02["due"], m02["days_overdue"]) == (
        "done_late", "2024-06-22", "2024-06-20", 0)
    m01 = next(m for m in data["milestones"] if m["code"] == "P01-M01")
    assert (m01["status"], m01["days_overdue"], m01["kind"], m01["amount_yi"]) == (
        "overdue", 3, "investment", 1.0)
    t01 = next(m for m in data["milestones"] if m["code"] == "T01-M01")
    assert t01["by_unit"][C2] == {"status": "not_reported", "completed_on": None}
    assert t01["by_unit"][C1] == {"status": "done", "completed_on": "2024-06-20"}
    units = {u["name"]: u for u in data["units"]}
    assert [u["name"] for u in data["units"]] == [A, B, C1, C2]
    assert units[A]["files"] == [f"{A}.xlsx"] and units[B] == {
        "name": B, "submitted": False, "exempt": False, "files": [],
        "counts": {"done": 0, "done_late": 0, "in_progress": 1, "due_soon": 0, "overdue": 0,
                   "not_reported": 0},  # B supports A on P02-M01: A's answer decides
        "due": 0, "rate": None, "rank": None, "missed_months": 1,
    }
    assert (units[C1]["rate"], units[C1]["rank"]) == (1.0, 1)
    assert data["issues"][0] == {
        "severity": "error", "code": "formula_no_cache", "unit": A, "file": f"{A}.xlsx",
        "sheet": "投资完成情况", "cell": "F9", "message": "公式无缓存值 <&>",
    }
    assert {"cumulative_decreased"} <= {i["code"] for i in data["issues"]}
    assert data["totals"]["status_counts"]["overdue"] == sum(
        1 for m in data["milestones"] if m["status"] == "overdue")


def test_written_file_is_utf8_deterministic_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "output" / "2024-07" / "summary.json"
    assert write_summary(_result(), path) == path
    first = path.read_bytes()
    assert "甲项目".encode() in first and b"\\u" not in first  # Chinese as is
    assert first.endswith(b"}\n") and b'\n"period": "2024-07",\n' in first
    assert json.loads(first) == summary_dict(_result())
    path.write_text("old", encoding="utf-8")
    write_summary(_result(), path)
    assert path.read_bytes() == first  # same result, same bytes; old file replaced
    assert [p.name for p in path.parent.iterdir()] == ["summary.json"]  # no temp file left
    assert summary_text(_result()).encode() == first
