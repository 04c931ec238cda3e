"""The layout of a unit's fill-in form (报送表): the one contract between forms.py and reportgen.ingest.

A form is an .xlsx with these sheets, in this order:

1. `填报说明` — instructions (read by people only).
2. `投资完成情况` — one row per item and metric: the cumulative figures.
3. `节点推进情况` — one row per non-amount milestone: status, date, texts; then the footer block.
4. `_meta` — hidden: key/value rows, then the row-code table.

Each data sheet: row 1 title, row 2 sub-title (单位、报送截止日期、计量单位), row 3 headers,
data from row 4. The reader finds the header row and columns by their header text
(the `*_HEADERS` values), so inserted, moved or deleted rows and columns are tolerated;
row codes in the `编号` column identify rows (the hidden sheet repeats them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from reportgen.model import REPORTED_LABEL, Reported

SHEET_GUIDE = "填报说明"
SHEET_FIGURES = "投资完成情况"
SHEET_MILESTONES = "节点推进情况"
SHEET_META = "_meta"

TITLE_ROW = 1
SUBTITLE_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4

# Column key -> header text. Order is the column order in a fresh form.
FIGURE_HEADERS: dict[str, str] = {
    "code": "编号",
    "name": "项目名称",
    "metric": "指标",
    "target": "年度目标（亿元）",
    "previous": "上月累计（亿元）",
    "value": "本月累计（亿元）",
    "note": "情况说明",
}
MILESTONE_HEADERS: dict[str, str] = {
    "code": "编号",
    "item": "项目名称",
    "text": "节点要求",
    "due": "完成时限",
    "units": "责任单位",
    "status": "完成状态",
    "completed_on": "实际完成日期",
    "progress": "进展情况",
    "problems": "需协调解决的问题",
    "next_steps": "下步工作",
}
# Read-only columns after FIGURE_HEADERS (not read back): what the figure is judged against
# (annual target, amount milestones, which unit's figure counts).
FIGURE_EXTRA_HEADERS: dict[str, str] = {"requirement": "考核要求"}
# Columns the unit fills; every other cell is locked.
FIGURE_INPUTS = ("value", "note")
MILESTONE_INPUTS = ("status", "completed_on", "progress", "problems", "next_steps")

# The dropdown's words, in order.
STATUS_CHOICES: list[str] = [REPORTED_LABEL[r] for r in Reported]

# Footer labels, placed below the milestone table as "label" followed by an input cell.
FOOTER_LABELS = ("填报人", "联系电话", "审核人（分管领导）", "填报日期")

# _meta sheet: column A key, column B value, for these keys (rows 1..n) ...
META_KEYS = ("unit", "period", "plan_version", "plan_year", "form_version", "generated_at", "prefill")
FORM_VERSION = "1"
# ... then a blank row, then a header row "sheet | row | code" and one row per data row.
META_ROWS_HEADER = ("sheet", "row", "code")


def prefill_stamp(period: str, rows: Iterable[tuple[str, Sequence[object]]]) -> str:
    """Return the `prefill` value of a form: the period its answers were pre-filled from and a
    digest of the milestone rows' input cells (code, then MILESTONE_INPUTS in order), so a form
    sent back with nothing changed is told from one the unit filled; "" when nothing was pre-filled.
    The writer passes what it wrote, the reader what it read (a date cell as a date either way)."""
    digest = hashlib.sha256()
    filled = False
    for code, values in rows:
        cells = [_stamp_text(v) for v in values]
        filled = filled or any(cells)
        digest.update("\x1f".join([code, *cells]).encode("utf-8") + b"\x1e")
    return f"{period}:{digest.hexdigest()[:32]}" if filled else ""


def _stamp_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)

# Title text: f"{year}年{month}月重点项目推进情况报送表（{unit}）"
TITLE_FORMAT = "{year}年{month}月重点项目推进情况报送表（{unit}）"
