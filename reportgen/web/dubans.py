"""The office's read-only 督办台账 page: a period's 督办 as its run published them.

The rows are those of the period's summary.json, written by the run from the same records
and with the same words (reportgen.render.duban_words) as the 汇总表's 督办台账 sheet: the page
shows what was printed, on the papers' date, and computes nothing of its own. A reply recorded
after the run shows from the next run of a period, as on paper.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from reportgen.model import DubanState
from reportgen.workspace import Workspace

# a summary.json written before it kept the 台账's words: the run of the period is to be repeated
_OLDER = "（本月材料由旧版本生成，重新生成后显示）"


@dataclass
class DubanRow:
    """One 督办通知 on the 督办台账."""

    doc_no: str
    unit: str
    matters: str  # the nodes pressed, one a line
    issued_on: dt.date | None
    reply_by: dt.date | None
    replied_on: dt.date | None
    state: str
    round: int
    note: str


@dataclass
class DubanBook:
    """A period's 督办台账: the 督办 of the year up to the period, as they stood on `as_of`."""

    period: str
    as_of: dt.date | None  # the papers' date (成文日期) the states hold on
    rows: list[DubanRow]

    def count(self, state: DubanState) -> int:
        """Return how many 督办 stand in `state`."""
        return sum(r.state == state.value for r in self.rows)


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def duban_book(ws: Workspace, period: str) -> DubanBook | None:
    """Return `period`'s 督办台账 as its last run published it, or None before the first run
    (or when its summary.json cannot be read)."""
    try:
        data = json.loads((ws.output_dir(period) / "summary.json").read_text(encoding="utf-8"))
        rows = [DubanRow(d["doc_no"], d["unit"], d.get("matters", _OLDER), _day(d.get("issued_on")),
                         _day(d.get("reply_by")), _day(d.get("replied_on")), d["state"], int(d["round"]),
                         d.get("note", ""))
                for d in data.get("dubans", [])]
        dates = data.get("dates") or {}
        return DubanBook(period, _day(dates.get("issue")) or _day(data.get("as_of")), rows)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
