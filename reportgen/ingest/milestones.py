"""The milestones table (status, date, progress per 节点) and the footer below it (填报人…)."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Callable, Container
from typing import Any

from reportgen import formspec as fs
from reportgen.ingest.grid import Sheet
from reportgen.ingest.index import FileContext
from reportgen.ingest.layout import Table, blank_formula, data_rows, duplicate, not_ours, report_merged
from reportgen.ingest.values import STATUS_WORDS, addr, code, code_str, norm, parse_date, parse_status, text
from reportgen.model import REPORTED_LABEL, MilestoneReport, Reported, Severity, Submission, period_end

_MILESTONE_CODE = re.compile(r"^[PT]\d{2,4}-M\d{2,3}$")
# label as typed (prefix) -> contact key (the form's own label)
_FOOTER_KEYS = {label.split("（")[0]: label for label in fs.FOOTER_LABELS}
_DATE_LABEL = fs.FOOTER_LABELS[-1]
_FOOTER_FIRST = frozenset(label[0] for label in fs.FOOTER_LABELS)
_FOOTER_PREFIXES = tuple(_FOOTER_KEYS)
_INPUT = {k: i for i, k in enumerate(fs.MILESTONE_INPUTS)}  # input column key -> its place in a row's inputs
_LABEL_TAIL = re.compile(r"^(（[^）]*）|\([^)]*\))?[:：]?")  # "（分管领导）：" after a label


def _is_footer(row: list[Any]) -> bool:
    for value in row:
        if isinstance(value, str) and value:
            return value.lstrip()[:1] in _FOOTER_FIRST and norm(value).startswith(_FOOTER_PREFIXES)
    return False


def _footer_start(rows: list[list[Any]], start: int) -> int:
    """Return the first row from `start` on that begins the footer (len(rows) when none does)."""
    for r in range(start, len(rows)):
        for value in rows[r]:  # the row's first text decides, as in _is_footer
            if isinstance(value, str) and value:
                if value.lstrip()[:1] in _FOOTER_FIRST and norm(value).startswith(_FOOTER_PREFIXES):
                    return r
                break
    return len(rows)


@functools.lru_cache(maxsize=65536)  # pure: the same codes recur in every file
def _is_milestone_code(found: str) -> bool:
    return _MILESTONE_CODE.match(found) is not None


def read_milestones(table: Table, sub: Submission, ctx: FileContext) -> int:
    """Read the milestone rows; return the row where the footer starts (or the sheet ends)."""
    sheet, header, cols = table.sheet, table.header, table.cols
    report_merged(table, ctx, [cols[k] for k in fs.MILESTONE_INPUTS if k in cols])
    status_col = cols["status"]
    rows = sheet.rows
    end = _footer_start(rows, header + 1)
    own = set(ctx.index.milestone_codes.get(sub.unit, ()))
    known = ctx.index.milestones
    # 18,000 rows in a city: what every row needs is looked up once per table
    inputs_of = _inputs_reader(cols)
    texts = [(_INPUT[k], cols[k]) for k in ("progress", "problems", "next_steps") if k in cols]
    code_col = cols.get("code")
    done_col = cols.get("completed_on")
    merges = sheet.row_merges()
    formulas = sheet.has_unsaved_formulas()  # else no empty cell can be an unsaved formula
    last_day = period_end(ctx.period)
    reports = sub.milestones
    for r in data_rows(table, end):
        row = rows[r]
        if r in sheet.notes and not _has_code(table, r):
            continue  # a sentence across the table, not a row of the form
        width = len(row)
        inputs = inputs_of(row)
        raw = row[code_col] if code_col is not None and code_col < width else ""
        found = _milestone_of(table, r, raw, known, inputs, ctx)
        if found is None:
            continue
        cell = addr(r, status_col)
        if found in reports:
            duplicate(ctx, table, r, found, reports[found].cell, cell)
            continue
        if found not in own:
            not_ours(ctx, table, r, found, addr(r, cols.get("code", status_col)))
            continue
        if r in merges:
            inputs = _unmerge_inputs(table, r, inputs, ctx)
        status, _done, progress, problems, next_steps = inputs
        report = MilestoneReport(
            found, None, None, progress.strip() if type(progress) is str else text(progress),
            problems.strip() if type(problems) is str else text(problems),
            next_steps.strip() if type(next_steps) is str else text(next_steps), cell,
        )
        reports[found] = report
        if formulas:
            for i, c in texts:
                if inputs[i] == "":
                    blank_formula(sheet, r, c, ctx)
        if not (formulas and blank_formula(sheet, r, status_col, ctx)):
            _take_status(status, report, sheet.name, cell, ctx)
        if done_col is not None:
            value = row[done_col] if done_col < width else ""
            # a date is expected only of a finished milestone: only then can a blank hide a formula
            if value != "" or report.status is Reported.DONE:
                _read_completed(sheet, r, done_col, value, report, ctx, last_day)
    return end


def _milestone_of(table: Table, r: int, raw: Any, known: Container[str], inputs: tuple[Any, ...],
                  ctx: FileContext) -> str | None:
    """Return the node code row `r` whose code cell holds `raw` answers for, or None."""
    raw_code = code_str(raw) if type(raw) is str else code(raw)
    if raw_code and raw_code in known and _is_milestone_code(raw_code):
        return raw_code
    return _row_code(table, r, raw_code, inputs, ctx)


def _take_status(status: Any, report: MilestoneReport, sheet: str, cell: str, ctx: FileContext) -> None:
    """Set the report's status from its cell: a choice of the dropdown as it is (most rows), else
    what _read_status makes of the words."""
    chosen = STATUS_WORDS.get(status) if type(status) is str else None
    if chosen is not None:
        report.status = chosen
    else:
        _read_status(status, report, sheet, cell, ctx)


def _inputs_reader(cols: dict[str, int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """Return the function giving a row's input cells in MILESTONE_INPUTS order ("" for a column
    the table lacks)."""
    present = [(_INPUT[k], cols[k]) for k in fs.MILESTONE_INPUTS if k in cols]
    # a row wide enough to hold every input column (most rows): its inputs taken in one call
    whole = operator.itemgetter(*(c for _i, c in present)) if len(present) == len(_INPUT) else None
    widest = max((c for _i, c in present), default=0)

    def inputs_of(row: list[Any]) -> tuple[Any, ...]:
        width = len(row)
        if whole is not None and widest < width:
            found: tuple[Any, ...] = whole(row)
            return found
        inputs = [""] * len(_INPUT)
        for i, c in present:
            if c < width:
                inputs[i] = row[c]
        return tuple(inputs)

    return inputs_of


def _has_code(table: Table, r: int) -> bool:
    c = table.cols.get("code")
    return c is not None and code(table.sheet.get(r, c)) != ""


def _unmerge_inputs(table: Table, r: int, row: tuple[Any, ...], ctx: FileContext) -> tuple[Any, ...]:
    """Undo what spreading a merged cell did to a row's input columns, naming the merge.

    One text merged across 进展情况 and 需协调解决的问题 (or across all the inputs) belongs to
    the first column only: it is never also printed as a problem, nor read as a status.
    """
    sheet, cols = table.sheet, table.cols
    inputs = list(row)
    for r0, c0, r1, c1 in sheet.row_merges().get(r, ()):
        spanned = [k for k in fs.MILESTONE_INPUTS if k in cols and c0 <= cols[k] <= c1]
        if len(spanned) < 2:
            continue
        value = sheet.get(r0, c0)
        first = "progress" if "progress" in spanned else spanned[0]
        for key in spanned:
            inputs[_INPUT[key]] = value if key == first else ""
        labels = "、".join(f"“{fs.MILESTONE_HEADERS[k]}”" for k in spanned)
        ctx.add(
            Severity.WARNING, "merged_inputs",
            f"{addr(r0, c0)}:{addr(r1, c1)} 把{labels}合并成了一个单元格，内容只作为"
            f"“{fs.MILESTONE_HEADERS[first]}”读取；请分栏填写",
            sheet.name, addr(r0, c0),
        )
    return tuple(inputs)


def _row_code(table: Table, r: int, raw_code: str, inputs: tuple[Any, ...], ctx: FileContext) -> str | None:
    """Return the milestone a row with code `raw_code` reports, or None when it is blank or names
    nothing known."""
    sheet, cols = table.sheet, table.cols
    index = ctx.index
    status_col = cols["status"]
    if not raw_code and all(v == "" for v in inputs):
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
    if not _is_milestone_code(found) or found not in index.milestones:
        ctx.add(
            Severity.ERROR, "unknown_code",
            f"第{r + 1}行的编号“{raw_code}”不在任务分解中，该行未读取；应保留报送表原有的编号",
            sheet.name, addr(r, cols.get("code", status_col)),
        )
        return None
    return found


def _read_status(value: Any, report: MilestoneReport, sheet: str, cell: str, ctx: FileContext) -> None:
    if value == "":
        ctx.add(
            Severity.WARNING, "status_missing",
            f"{ctx.index.words(report.code)}的完成状态未填写，应从下拉选项中选择："
            f"{'、'.join(fs.STATUS_CHOICES)}",
            sheet, cell,
        )
        return
    # a choice of the dropdown as it is (most rows): what parse_status would make of it
    chosen = STATUS_WORDS.get(value) if type(value) is str else None
    if chosen is not None:
        report.status = chosen
        return
    parsed = parse_status(value)
    if parsed.code:
        ctx.add(parsed.severity, parsed.code, parsed.message, sheet, cell)
    report.status = parsed.value


def _read_completed(sheet: Sheet, r: int, c: int, value: Any, report: MilestoneReport, ctx: FileContext,
                    last_day: dt.date) -> None:
    """Read the completion date `value` at (r, c); `last_day` is the period's last day."""
    cell = report.date_cell = addr(r, c)
    year = ctx.index.plan.year
    if value == "":
        # 已完成 without a date: what it is taken as depends on earlier months (reconcile.undated_done
        # says so, at check and run); here only a formula without its value is named
        blank_formula(sheet, r, c, ctx)
        return
    # 已完成 with a date that cannot be used is not taken (reconcile: the node counts as 未报送)
    refused = "；“已完成”本月未采用，该节点视为未报送" if report.status is Reported.DONE else ""
    if type(value) is dt.date:  # a date cell (most rows): what parse_date gives of it
        day: dt.date = value
    elif type(value) is dt.datetime:
        day = value.date()
    else:
        parsed = parse_date(value, year)
        if parsed.code:
            ctx.add(parsed.severity, parsed.code, parsed.message + refused, sheet.name, cell)
            return
        day = parsed.value
    # a node the new year's plan keeps with last year's deadline may have been done last year
    node = ctx.index.milestones.get(report.code)
    first = min(year, node.due.year) if node is not None and node.due is not None else year
    if not first <= day.year <= year:
        years = f"任务年度 {year} 年" if first == year else f"{first} 年至 {year} 年"
        ctx.add(
            Severity.ERROR, "date_out_of_year",
            f"实际完成日期 {day.isoformat()} 不在{years}内，未采用{refused}；请核实年份",
            sheet.name, cell,
        )
        return
    if day > last_day and refused:
        # the form reports the state at the cut-off: by the unit's own date it was not done then
        ctx.add(
            Severity.ERROR, "date_after_period",
            f"实际完成日期 {day.isoformat()} 晚于本期截止日 {last_day.isoformat()}（本表报送截至该日的情况）"
            f"{refused}；如日期填错，请改正后重新报送",
            sheet.name, cell,
        )
    elif day > last_day:
        ctx.add(
            Severity.WARNING, "date_after_period",
            f"实际完成日期 {day.isoformat()} 晚于本期截止日 {last_day.isoformat()}，请核实",
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
