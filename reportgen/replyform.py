"""The 督办回复单: the form a unit fills to answer a 督办通知 -- what it holds and where.

One visible sheet, protected like the unit forms (only the answer cells open): the 文号, unit and
dates as labels and values, one row per node pressed (进展, 整改措施及完成时限, 是否已完成), then
回复日期, 填报人, 联系电话 and a place to sign. A hidden sheet holds the 文号 and unit, so the
reader (`reportgen.ingest.replies`) knows which 督办 a returned file answers whatever its name.
Cells are found back by their label text, so a unit that inserts a row or widens a column
does not break the reading.

This module is the form's layout as plain data (`layout`, `ident_rows`) and the names the reader
and the distribution look for; it loads nothing heavy. The writer is
`reportgen.render.replyform_writer` (openpyxl), which only `run` loads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from reportgen.cn import format_date, format_month
from reportgen.fsutil import safe_filename
from reportgen.model import DubanRecord

SHEET = "督办回复单"
SHEET_ID = "_督办标识"  # hidden: what the form answers
KIND = "督办回复单"
FOLDER = "督办回复单"  # output/<period>/督办回复单/<unit>.xlsx
# labels the reader looks for (the value is the first filled cell to their right)
LABEL_DOC_NO = "督办文号"
LABEL_UNIT = "责任单位"
LABEL_DATE = "回复日期"
LABEL_PERSON = "填报人"
LABEL_PHONE = "联系电话"
HEAD_MEASURES = "整改措施及完成时限"
HEAD_PROGRESS = "目前进展"
HEAD_DONE = "是否已完成"
HEADERS = ("序号", "督办事项（节点）", HEAD_PROGRESS, HEAD_MEASURES, HEAD_DONE)
WIDTHS = (12, 40, 30, 30, 12)
TITLE_ROWS = 4  # the title, 文号, unit and column heads: repeated on every printed page
NODE_HEIGHT = 60.0  # a node's row leaves room for a few lines of answer; taller for long words
FONT_PT = 11.0
ID_KEYS = ("类型", "文号", "责任单位", "督办月份", "回复期限")
COLUMNS = "ABCDE"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
# a cell's role decides its style; the cells right of a boxed merged cell take the box's edges
BOXED = ("label", "text", "number", "open", "open_date")
EDGES = ("edge", "open_edge")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what openpyxl refuses in a cell
_MAX_TEXT = 32767  # characters a cell holds
# the prototype 督办 the writer renders its template for: every role appears in its form
PROTOTYPE = DubanRecord("督办文号", "2000-01", "责任单位", ["节点"], {"节点": "节点"},
                        issued_on=dt.date(2000, 2, 1), reply_by=dt.date(2000, 2, 8))


def reply_form_name(unit: str) -> str:
    """Return the file name of `unit`'s reply form."""
    return f"{safe_filename(unit)}.xlsx"


# ---------------------------------------------------------------- what a form holds


@dataclass
class Layout:
    """One form's visible sheet as plain data: cells with their roles, heights, merges, and
    the cells the two drop-downs check."""

    year: int
    cells: list[tuple[int, int, Any, str]] = field(default_factory=list)  # row, column, value, role
    heights: dict[int, float] = field(default_factory=dict)
    merges: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # 是否已完成: 是/否
    date_cell: str = ""  # 回复日期
    nodes: list[tuple[int, str]] = field(default_factory=list)  # each node's row and words
    breaks: list[int] = field(default_factory=list)  # rows a printed page ends on (the writer's)

    def put(self, row: int, col: int, value: Any, role: str, span: int = 1) -> None:
        self.cells.append((row, col, clean(value), role))
        if span > 1:
            if role in BOXED:
                edge = "open_edge" if role.startswith("open") else "edge"
                self.cells += [(row, c, None, edge) for c in range(col + 1, col + span)]
            self.merges.append(f"{COLUMNS[col - 1]}{row}:{COLUMNS[col + span - 2]}{row}")


def clean(value: Any) -> Any:
    """Return `value` without what a cell cannot hold (control characters, text past its size)."""
    return _ILLEGAL.sub("", value)[:_MAX_TEXT] if isinstance(value, str) else value


def layout(d: DubanRecord) -> Layout:
    """Return what the form of `d` holds."""
    out = Layout(int(d.period[:4]))
    out.put(1, 1, "督办通知回复单", "title", span=5)
    out.heights[1] = 36
    out.put(2, 1, LABEL_DOC_NO, "label")
    out.put(2, 2, d.doc_no, "text")
    out.put(2, 3, "回复期限", "label")
    out.put(2, 4, format_date(d.reply_by) if d.reply_by else "", "text", span=2)
    out.put(3, 1, LABEL_UNIT, "label")
    out.put(3, 2, d.unit, "text")
    out.put(3, 3, "督办日期", "label")
    out.put(3, 4, format_date(d.issued_on) if d.issued_on else format_month(d.period), "text", span=2)
    for col, head in enumerate(HEADERS, start=1):
        out.put(4, col, head, "label")
    out.heights.update(dict.fromkeys((2, 3, 4), 24))
    row = TITLE_ROWS + 1
    for i, code in enumerate(d.nodes, start=1):
        out.put(row, 1, i, "number")
        out.put(row, 2, d.node_texts.get(code, ""), "text")
        out.nodes.append((row, clean(d.node_texts.get(code, ""))))
        for col in (3, 4, 5):
            out.put(row, col, None, "open")
        out.choices.append(f"E{row}")
        out.heights[row] = NODE_HEIGHT
        row += 1
    out.put(row, 1, LABEL_DATE, "label")
    out.put(row, 2, None, "open_date")
    out.date_cell = f"B{row}"
    out.put(row, 3, LABEL_PERSON, "label")
    out.put(row, 4, None, "open", span=2)
    out.put(row + 1, 1, LABEL_PHONE, "label")
    out.put(row + 1, 2, None, "open")
    out.put(row + 1, 3, "单位负责人（签字）", "label")
    out.put(row + 1, 4, None, "open", span=2)
    out.heights.update(dict.fromkeys((row, row + 1), 30))
    by = format_date(d.reply_by) if d.reply_by else "回复期限"
    out.put(row + 3, 1, f"说明：请逐项填写目前进展和整改措施，于{by}前将本表（Excel 文件，勿改文件格式）"
                        "报回督查办，纸质件由单位负责人签字并加盖公章后另行报送。", "note", span=5)
    out.heights[row + 3] = 45
    return out


def ident_rows(d: DubanRecord) -> list[tuple[str, str]]:
    """Return the hidden sheet's rows: what the form answers."""
    values = (KIND, d.doc_no, d.unit, d.period, d.reply_by.isoformat() if d.reply_by else "")
    return [(k, clean(v)) for k, v in zip(ID_KEYS, values, strict=True)]
