"""A returned 督办回复单 read back: which 督办 it answers, the reply date and what the unit said.

Read with the same machinery as the unit forms (size and zip-bomb checks, calamine for .xlsx,
.xls and .ods, merged cells spread), and as tolerant: cells are found by their labels, dates as
the forms accept them. What cannot be taken is said in one Chinese sentence naming the cell.
Whether the 文号 exists and belongs to the unit is for the caller, who knows the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen import replyform as rf
from reportgen.config import Config
from reportgen.ingest.grid import Book, Sheet
from reportgen.ingest.reader import _calamine_problem, read_bytes
from reportgen.ingest.values import addr, norm, parse_date, text
from reportgen.safety import inspect_bytes


@dataclass
class ReplyRead:
    """One returned reply form: what it says, or why it cannot be taken."""

    name: str
    doc_no: str = ""
    unit: str = ""
    replied_on: dt.date | None = None
    measures: list[str] = field(default_factory=list)  # 整改措施, one per node filled
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when the reply can be recorded."""
        return not self.errors and self.replied_on is not None and bool(self.doc_no)

    def note(self) -> str:
        """Return what goes into the ledger with the reply."""
        said = "；".join(self.measures)
        return f"回复单“{self.name}”" + (f"：{said[:80]}{'…' if len(said) > 80 else ''}" if said else "")


def read_reply(path: Path, config: Config, name: str | None = None) -> ReplyRead:
    """Return the reply form at `path` read back (never raises for the file)."""
    out = ReplyRead(name or path.name)
    try:
        data = read_bytes(path)
    except OSError as exc:
        out.errors.append(f"文件无法读取（{exc.strerror or exc}）")
        return out
    insp = inspect_bytes(data, out.name, config.check)
    if not insp.kind:
        out.errors += [i.message for i in insp.issues] or ["文件不是 Excel 表格，无法读取"]
        return out
    try:
        book = Book(insp, config.check.max_rows, {})
        _read(book, out)
    except Exception as exc:  # calamine raises its own types for broken files
        out.errors.append(_calamine_problem(exc)[2])
    return out


def _read(book: Book, out: ReplyRead) -> None:
    if rf.SHEET_ID not in book.names:
        out.errors.append(f"不是督办回复单（缺少标识工作表“{rf.SHEET_ID}”）：请使用随督办通知下发的回复单填写，"
                          "不要另建表格或复制内容到新文件")
        return
    ident = {text(r[0]): text(r[1]) for r in book.sheet(rf.SHEET_ID).rows if len(r) > 1}
    out.doc_no, out.unit = ident.get("文号", ""), ident.get("责任单位", "")
    if ident.get("类型") != rf.KIND or not out.doc_no:
        out.errors.append(f"标识工作表“{rf.SHEET_ID}”中没有督办文号，无法确定回复的是哪件督办通知")
        return
    sheet = book.sheet(rf.SHEET if rf.SHEET in book.names else book.visible[0])
    shown = _beside(sheet, rf.LABEL_DOC_NO)
    if shown is not None and text(shown[1]) and text(shown[1]) != out.doc_no:
        out.errors.append(f"{sheet.name}!{addr(*shown[0])} 的督办文号“{text(shown[1])}”与本回复单所属的"
                          f"督办通知（{out.doc_no}）不一致，请使用该督办通知所附的回复单")
    out.measures = _column(sheet, rf.HEAD_MEASURES)
    found = _beside(sheet, rf.LABEL_DATE)
    if found is None:
        out.errors.append(f"回复单中找不到“{rf.LABEL_DATE}”一栏，请使用随督办通知下发的回复单")
        return
    where, value = found
    cell = f"{sheet.name}!{addr(*where)}"
    if text(value) == "":
        out.errors.append(f"回复单未填写回复日期（{cell}），未记入台账；请填写后重新报回")
        return
    parsed = parse_date(value, int(ident.get("督办月份", "2000")[:4] or 2000))
    if parsed.value is None:
        out.errors.append(f"{cell} 的回复日期{parsed.message.removeprefix('填写的')}")
        return
    out.replied_on = parsed.value


def _beside(sheet: Sheet, label: str) -> tuple[tuple[int, int], Any] | None:
    """Return ((row, col), value) of the cell right of `label` (past the label's own merged
    cells), or None when the label is nowhere."""
    want = norm(label)
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if norm(text(value)) == want:
                right = next((c2 for c2 in range(c + 1, len(row)) if norm(text(row[c2])) != want), None)
                return ((r, right), row[right]) if right is not None else ((r, c + 1), "")
    return None


def _column(sheet: Sheet, head: str) -> list[str]:
    """Return the filled cells under the header `head`, down to the first label row."""
    want = norm(head)
    for r, row in enumerate(sheet.rows):
        cols = [c for c, v in enumerate(row) if norm(text(v)) == want]
        if cols:
            out = []
            for below in sheet.rows[r + 1:]:
                if norm(text(below[0] if below else "")) in (norm(rf.LABEL_DATE), norm(rf.LABEL_PHONE)):
                    break
                value = text(below[cols[0]]) if cols[0] < len(below) else ""
                if value:
                    out.append(value)
            return out
    return []
