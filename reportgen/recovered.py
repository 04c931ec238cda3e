"""Earlier months recovered from their published summary.json when the ledger lost them.

With history/ deleted between months the ledger knows nothing of May, so June's 本月新增 would
go blank and a node reached on time in May would turn 逾期完成 in June. Each published month's
summary.json carries its figures and milestone standings: they fill the gaps, and the run says
loudly that it used them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from reportgen.model import History, Status
from reportgen.summary import SUMMARY_NAME


def _date(text: Any) -> dt.date | None:
    return dt.date.fromisoformat(text) if isinstance(text, str) and text else None


def _month(summary: dict[str, Any], history: History, period: str) -> None:
    """Copy one month's figures and standings from its summary into `history`."""
    figures: dict[str, float] = {}
    for item in summary.get("items", []):
        if item.get("cumulative_yi") is not None:
            figures[f"{item['code']}/invest"] = float(item["cumulative_yi"])
        if item.get("invoice_yi") is not None:
            figures[f"{item['code']}/invoice"] = float(item["invoice_yi"])
    history.figures[period] = figures
    history.statuses[period] = {
        m["code"]: (Status(m["status"]), _date(m.get("completed_on"))) for m in summary.get("milestones", [])
    }
    history.vs_schedule[period] = {
        item["code"]: str(item.get("vs_schedule") or "") for item in summary.get("items", [])
    }
    history.by_unit[period] = {
        m["code"]: {u: (Status(s["status"]), _date(s.get("completed_on"))) for u, s in m.get("by_unit", {}).items()}
        for m in summary.get("milestones", [])
    }


def recover_history(history: History, outputs: Path, year: int, period: str) -> list[str]:
    """Fill `history` with the published months of `year` before `period` that it lacks.

    Return the months recovered (empty when the ledger knew them all). A summary that cannot
    be read is left out; it is not guessed at.
    """
    known = history.figures.keys() | history.statuses.keys()
    found = []
    for month in range(1, int(period[5:7])):
        earlier = f"{year:04d}-{month:02d}"
        path = outputs / earlier / SUMMARY_NAME
        if earlier in known or not path.is_file():
            continue
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            if summary.get("period") != earlier:
                continue
            _month(summary, history, earlier)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.append(earlier)
    return found
