"""The milestones table (status, date, progress per 节点) and the footer below it (填报人…)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from reportgen import formspec as fs
from reportgen.ingest.grid import Sheet
from reportgen.ingest.index import FileContext
from reportgen.ingest.layout import Table, blank_formula, data_rows, duplicate, not_ours, report_merged
from reportgen.ingest.values import addr, code, norm, parse_date, parse_status, text
from reportgen.model import REPORTED_LABEL, MilestoneReport, Reported, Severity, Submission, period_end

_MILESTONE_CODE = re.compile(r"^[PT]\d{2,4}-M\d{2,3}$")
# label as typed (prefix) -> contact key (the form's own label)
_FOOTER_KEYS = {label.split("（")[0]: label for label in fs.FOOTER_LABELS}
_DATE_LABEL = fs.FOOTER_LABELS[-1]
_FOOTER_FIRST = frozenset(label[0] for label in fs.FOOTER_LABELS)
_LABEL_TAIL = re.compile(r"^(（[^）]*）|\([^)]*\))?[:：]?")  # "（分管领导）：" after a label


def _is_footer(row: list[Any]) -> bool:
    for value in row:
        if isinstance(value, str) and value:
            return value.lstrip()[:1] in _FOOTER_FIRST and norm(value).startswith(tuple(_FOOTER_KEYS))
    return False


def read_milestones(table: Table, sub: Submission, ctx: FileContext) -> int:
    """Read the milestone rows; return the row where the footer starts (or the sheet ends)."""
    sheet, header, cols = table.sheet, table.header, table.cols
    report_merged(table, ctx, [cols[k] for k in fs.MILESTONE_INPUTS if k in cols])
    status_col = cols["status"]
    end = next((r for r in range(header + 1, len(sheet.rows)) if _is_footer(sheet.rows[r])), len(sheet.rows))
    own = set(ctx.index.milestone_codes.get(sub.unit, ()))
    # per row: the input columns looked up once, merges only on rows that have one
    present = [(k, cols[k]) for k in fs.MILESTONE_INPUTS if k in cols]
    blank = dict.fromkeys(fs.MILESTONE_INPUTS, "")
    texts = [(k, cols[k]) for k in ("progress", "problems", "next_steps") if k in cols]
    merges = sheet.row_merges()
    for r in data_rows(table, end):
        row = sheet.rows[r]
        if r in sheet.notes and not _has_code(table, r):
            continue  # a sentence across the table, not a row of the form
        width = len(row)
        inputs = blank.copy()
        for k, c in present:
            if c < width:
                inputs[k] = row[c]
        found = _row_code(table, r, inputs, ctx)
        if found is None:
            continue
        cell = addr(r, status_col)
        if found in sub.milestones:
            duplicate(ctx, table, r, found, sub.milestones[found].cell, cell)
            continue
        if found not in own:
            not_ours(ctx, table, r, found, addr(r, cols.get("code", status_col)))
            continue
        if r in merges:
            _unmerge_inputs(table, r, inputs, ctx)
        report = MilestoneReport(
            code=found, progress=text(inputs["progress"]), problems=text(inputs["problems"]),
            next_steps=text(inputs["next_steps"]), cell=cell,
        )
        sub.milestones[found] = report
        for key, c in texts:
            if inputs[key] == "":
                blank_formula(sheet, r, c, ctx)
        _read_status(sheet, r, status_col, inputs["status"], report, ctx)
        if "completed_on" in cols:
            _read_completed(sheet, r, cols["completed_on"], report, ctx)
    return end


def _has_code(table: Table, r: int) -> bool:
    c = table.cols.get("code")
    return c is not None and code(table.sheet.get(r, c)) != ""


def _unmerge_inputs(table: Table, r: int, inputs: dict[str, Any], ctx: FileContext) -> None:
    """Undo what spreading a merged cell did to a row's input columns, naming the merge.

    One text merged across 进展情况 and 需协调解决的问题 (or across all the inputs) belongs to
    the first column only: it is never also printed as a problem, nor read as a status.
    """
    sheet, cols = table.sheet, table.cols
    for r0, c0, r1, c1 in sheet.row_merges().get(r, ()):
        spanned = [k for k in fs.MILESTONE_INPUTS if k in cols and c0 <= cols[k] <= c1]
        if len(spanned) < 2:
            continue
        value = sheet.get(r0, c0)
        first = "progress" if "progress" in spanned else spanned[0]
        for key in spanned:
            inputs[key] = value if key == first else ""
        labels = "、".join(f"“{fs.MILESTONE_HEADERS[k]}”" for k in spanned)
        ctx.add(
            Severity.WARNING, "merged_inputs",
            f"{addr(r0, c0)}:{addr(r1, c1)} 把{labels}合并成了一个单元格，内容只作为"
            f"“{fs.MILESTONE_HEADERS[first]}”读取；请分栏填写",
            sheet.name, addr(r0, c0),
        )


def _row_code(table: Table, r: int, inputs: dict[str, Any], ctx: FileContext) -> str | None:
    """Return the milestone a row reports, or None when it is blank or names nothing known."""
    sheet, cols = table.sheet, table.cols
    index = ctx.index
    status_col = cols["status"]
    raw_code = code(sheet.get(r, cols["code"])) if "code" in cols else ""
    if not raw_code and all(v == "" for v in inputs.values()):
        return None
    found = raw_code
    if not found:
        item = index.item_by_name.get(norm(sheet.get(r, cols["item"]))) if "item" in cols else None
        clause = norm(sheet.get(r, cols["text"])) if "text" in cols else ""
        found = index.milestone_by_text.get((item or "", clause), "")
        if not found:
            ctx.add(
                Severity.WARNING, "row_unidentified",
                f"第{r + 1}行填写了内容但没有编号，无法对应到任务分解中的节点，未读取；请勿自行插入行",
                sheet.name, addr(r, cols.get("code", status_col)),
            )
            return None
        ctx.add(Severity.INFO, "matched_by_name",
                f"该行没有编号，已按项目名称和节点要求对应到{ctx.index.words(found)}",
                sheet.name, addr(r, cols.get("code", 0)))
    if not _MILESTONE_CODE.match(found) or found not in index.milestones:
        ctx.add(
            Severity.ERROR, "unknown_code",
            f"第{r + 1}行的编号“{raw_code}”不在任务分解中，该行未读取；应保留报送表原有的编号",
            sheet.name, addr(r, cols.get("code", status_col)),
        )
        return None
    return found


def _read_status(sheet: Sheet, r: int, c: int, value: Any, report: MilestoneReport, ctx: FileContext) -> None:
    cell = addr(r, c)
    if blank_formula(sheet, r, c, ctx):
        return
    if value == "":
        ctx.add(
            Severity.WARNING, "status_missing",
            f"{ctx.index.words(report.code)}的完成状态未填写，应从下拉选项中选择："
            f"{'、'.join(fs.STATUS_CHOICES)}",
            sheet.name, cell,
        )
        return
    parsed = parse_status(value)
    if parsed.code:
        ctx.add(parsed.severity, parsed.code, parsed.message, sheet.name, cell)
    report.status = parsed.value


def _read_completed(sheet: Sheet, r: int, c: int, report: MilestoneReport, ctx: FileContext) -> None:
    value = sheet.get(r, c)
    if value == "" and report.status is not Reported.DONE:
        return  # a date is expected only of a finished milestone: only then can a blank hide a formula
    cell = addr(r, c)
    year = ctx.index.plan.year
    if value == "":
        if not blank_formula(sheet, r, c, ctx):
            ctx.add(Severity.WARNING, "date_missing",
                    f"{ctx.index.words(report.code)}填报为已完成，但未填写实际完成日期", sheet.name, cell)
        return
    parsed = parse_date(value, year)
    if parsed.code:
        ctx.add(parsed.severity, parsed.code, parsed.message, sheet.name, cell)
        return
    day: dt.date = parsed.value
    if day.year != year:
        ctx.add(
            Severity.ERROR, "date_out_of_year",
            f"实际完成日期 {day.isoformat()} 不在任务年度 {year} 年内，未采用；请核实年份",
            sheet.name, cell,
        )
        return
    if day > period_end(ctx.period):
        ctx.add(
            Severity.WARNING, "date_after_period",
            f"实际完成日期 {day.isoformat()} 晚于本期截止日 {period_end(ctx.period).isoformat()}，请核实",
            sheet.name, cell,
        )
    if report.status not in (Reported.DONE, None):
        ctx.add(
            Severity.WARNING, "date_without_done",
            f"填写了实际完成日期 {day.isoformat()}，但完成状态为“{REPORTED_LABEL[report.status]}”，请核实",
            sheet.name, cell,
        )
    report.completed_on = day


def read_footer(sheet: Sheet, start: int, sub: Submission, ctx: FileContext) -> None:
    """Read 填报人, 联系电话, 审核人 and 填报日期 from the rows below the table."""
    for r in range(start, len(sheet.rows)):
        row = sheet.rows[r]
        c = 0
        while c < len(row):
            value = row[c]
            if isinstance(value, str) and value and value.lstrip()[:1] in _FOOTER_FIRST:
                c = _footer_entry(sheet, r, c, sub, ctx)
            c += 1


def _footer_entry(sheet: Sheet, r: int, c: int, sub: Submission, ctx: FileContext) -> int:
    """Read the answer to a footer label at (r, c); return the column it was found in."""
    row = sheet.rows[r]
    t = norm(row[c])
    for label, key in _FOOTER_KEYS.items():
        if not t.startswith(label):
            continue
        rest = _LABEL_TAIL.sub("", t[len(label) :])
        answer: Any = rest
        at = c
        if not rest:
            at = next((k for k in range(c + 1, len(row)) if row[k] != ""), c)
            answer = row[at] if at != c and not _is_footer([row[at]]) else ""
        if answer == "":
            return c
        if key == _DATE_LABEL:
            parsed = parse_date(answer, ctx.index.plan.year)
            if parsed.code:
                ctx.add(Severity.WARNING, "bad_date", f"填报日期{parsed.message}", sheet.name, addr(r, at))
                sub.contact[key] = text(answer)
            else:
                sub.content_date = parsed.value
                sub.contact[key] = parsed.value.isoformat()
        else:
            sub.contact[key] = text(answer)
        return at
    return c
