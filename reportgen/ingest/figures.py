"""The figures table: one cumulative amount per item and metric (完成投资 / 设备开票)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from reportgen import formspec as fs
from reportgen.cn import earlier_month
from reportgen.ingest.grid import Sheet
from reportgen.ingest.index import FileContext
from reportgen.ingest.layout import Table, blank_formula, data_rows, duplicate, not_ours, report_merged
from reportgen.ingest.values import addr, amount_text, code, code_str, norm, parse_amount, text
from reportgen.model import METRIC_LABEL, FigureReport, Item, Metric, Severity, Submission, figure_key
from reportgen.rules import EarlierFigures

_FIGURE_CODE = re.compile(r"^([PT]\d{2,4})(?:/(invest|invoice))?$")
_LABELS = {v: k for k, v in METRIC_LABEL.items()}
_METRICS = {m.value: m for m in Metric}  # Metric(value) is several times slower


def read_figures(table: Table, sub: Submission, ctx: FileContext, previous: Mapping[str, float]) -> None:
    """Read every figure row into `sub.figures`, naming each cell that cannot be taken."""
    sheet, header, cols = table.sheet, table.header, table.cols
    value_col = cols["value"]
    in_wan = "万元" in norm(sheet.get(header, value_col))
    report_merged(table, ctx, [cols[k] for k in fs.FIGURE_INPUTS if k in cols and k != "value"])
    merged = _merged_values(table, ctx)
    own = set(ctx.index.figure_keys.get(sub.unit, ()))
    items = ctx.index.items
    # what every row needs is looked up once per table
    code_col = cols.get("code")
    note_col = cols.get("note")
    previous_col = cols.get("previous")
    formulas = sheet.has_unsaved_formulas()  # else no empty cell can be an unsaved formula
    # what an earlier figure is called: 上月 or 7月 (August never run), or the form's own header
    ledger_words = earlier_month(ctx.period, previous.since if isinstance(previous, EarlierFigures) else "")
    form_words = _column_words(sheet.get(header, previous_col)) if previous_col is not None else ""
    reports = sub.figures
    for r in data_rows(table, len(sheet.rows)):
        if r in sheet.notes:
            continue
        row = sheet.rows[r]
        width = len(row)
        value = row[value_col] if value_col < width else ""
        raw = row[code_col] if code_col is not None and code_col < width else ""
        found = _figure_of(table, r, raw, value, items, ctx)
        if found is None:
            continue
        item_code, metric, fkey = found
        cell = addr(r, value_col)
        if fkey in reports:
            duplicate(ctx, table, r, fkey, reports[fkey].cell, cell)
            continue
        if fkey not in own:
            not_ours(ctx, table, r, fkey, addr(r, cols.get("code", value_col)))
            continue
        note = row[note_col] if note_col is not None and note_col < width else ""
        note = note.strip() if type(note) is str else text(note)
        report = FigureReport(item_code, metric, None, note, cell)
        reports[fkey] = report
        if formulas and blank_formula(sheet, r, value_col, ctx):
            continue  # never counted as 0
        if r in merged:
            continue  # one number over several rows: whose it is, is not guessed
        if value == "":
            _missing(ctx, sub, fkey, metric, sheet.name, cell)
            continue
        prev = previous.get(fkey)
        words = ledger_words
        if prev is None and previous_col is not None:
            prev = _previous(row[previous_col] if previous_col < width else "")
            words = form_words
        if _formatted_away(ctx, value, sheet, r, value_col, cell):
            continue
        earlier = None if prev is None else (prev, words)
        report.value_yi = _amount(ctx, value, in_wan, items[item_code], metric, earlier, sheet.name, cell)


def _figure_of(table: Table, r: int, raw: Any, value: Any, items: Mapping[str, Item],
               ctx: FileContext) -> tuple[str, Metric, str] | None:
    """Return (item, metric, figure key) of row `r` whose code cell holds `raw`, or None."""
    raw_code = code_str(raw) if type(raw) is str else code(raw)
    coded = _coded(raw_code) if raw_code else None
    if coded is not None and coded[0] in items:
        return coded  # the form's own code (most rows)
    key = _row_key(table, r, raw_code, value, ctx)
    return None if key is None else (key[0], key[1], figure_key(*key))


def _merged_values(table: Table, ctx: FileContext) -> set[int]:
    """Return the rows whose 本月累计 lies in a cell merged over several rows, naming each merge: one
    number over two figures (完成投资 and 设备开票, or two projects) is neither's, and is not read."""
    sheet, c = table.sheet, table.cols["value"]
    rows: set[int] = set()
    for r0, c0, r1, c1 in sheet.merged:
        if r1 > r0 and r0 > table.header and c0 <= c <= c1:
            rows.update(range(r0, r1 + 1))
            ctx.add(
                Severity.ERROR, "merged_figures",
                f"{addr(r0, c0)}:{addr(r1, c1)} 把第{r0 + 1}至{r1 + 1}行的“本月累计”合并成了一个单元格"
                f"（{text(sheet.get(r0, c0)) or '空'}），无法确定各行各是多少，这几行均未采用；请拆分单元格、逐行填写",
                sheet.name, addr(r0, c0),
            )
    return rows


def _column_words(header: Any) -> str:
    """Return the month a form's earlier-figure column names (上月 of 上月累计（亿元）, 7月 of 7月累计)."""
    return norm(header).split("累计", 1)[0] or "上月"


def _previous(value: Any) -> float | None:
    """Return last month's cumulative as the form shows it, None when it shows none."""
    if value == "" or value is None:
        return None  # what parse_amount says of a blank (no number)
    p = parse_amount(value)
    return None if p.code else p.value


@functools.lru_cache(maxsize=65536)  # pure: a form's codes recur (once in the table, once in _meta)
def _coded(raw_code: str) -> tuple[str, Metric, str] | None:
    """Return (item, metric, figure key) of a code that names both, as the forms write them."""
    m = _FIGURE_CODE.match(raw_code)
    if m is None or not m.group(2):
        return None
    metric = _METRICS[m.group(2)]
    return m.group(1), metric, figure_key(m.group(1), metric)


def _row_key(table: Table, r: int, raw_code: str, value: Any, ctx: FileContext) -> tuple[str, Metric] | None:
    """Return the (item, metric) a row with code `raw_code` reports, or None when it is blank or
    names nothing known."""
    sheet, cols = table.sheet, table.cols
    index = ctx.index
    name = text(sheet.get(r, cols["name"])) if "name" in cols else ""
    metric_text = norm(sheet.get(r, cols["metric"])) if "metric" in cols else ""
    if not raw_code and not name and value == "":
        return None
    m = _FIGURE_CODE.match(raw_code)
    item_code = m.group(1) if m else ""
    metric = _METRICS[m.group(2)] if m and m.group(2) else _LABELS.get(metric_text)
    if metric is None and m and item_code in index.items and len(index.items[item_code].metrics) == 1:
        metric = index.items[item_code].metrics[0]
    if not raw_code and name:
        item_code = index.item_by_name.get(norm(name), "")
        if item_code:
            ctx.add(Severity.INFO, "matched_by_name", f"该行没有编号，已按项目名称“{name}”对应到任务分解中的项目",
                    sheet.name, addr(r, cols.get("code", 0)))
    if not item_code or item_code not in index.items:
        if item_code or value != "" or raw_code:
            where = addr(r, cols.get("code", cols["value"]))
            shown = raw_code or name or "（空）"
            ctx.add(
                Severity.ERROR, "unknown_code",
                f"第{r + 1}行的编号“{shown}”不在任务分解中，该行未读取；应保留报送表原有的编号",
                sheet.name, where,
            )
        return None
    if metric is None:
        ctx.add(
            Severity.ERROR, "unknown_metric",
            f"第{r + 1}行的指标“{metric_text}”无法识别，应为“完成投资”或“设备开票”",
            sheet.name, addr(r, cols.get("metric", cols["value"])),
        )
        return None
    return item_code, metric



def _missing(ctx: FileContext, sub: Submission, key: str, metric: Metric, sheet: str, cell: str) -> None:
    """Say a figure is blank, unless another unit's figure is the one that counts."""
    if ctx.index.figure_leads.get(key, sub.unit) != sub.unit:
        return  # another unit's figure counts; this one may leave it blank
    item = ctx.index.items[key.split("/")[0]]
    ctx.add(
        Severity.WARNING, "figure_missing",
        f"{item.name}的“{METRIC_LABEL[metric]}”本月累计未填写，应填截至本月末的累计数（亿元）",
        sheet, cell,
    )


def _formatted_away(ctx: FileContext, value: Any, sheet: Sheet, r: int, c: int, cell: str) -> bool:
    """Return True, naming the cell, when a number is shown as a percentage or a date."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    kind = sheet.number_format(r, c)  # only a number's format matters (looked up in the sheet's XML)
    if kind not in ("percent", "date"):
        return False
    shown = f"{value * 100:g}%" if kind == "percent" else "日期"
    what = "百分比" if kind == "percent" else "日期"
    ctx.add(
        Severity.ERROR, f"{kind}_format",
        f"单元格格式为{what}（显示为{shown}），无法确定是多少亿元，未采用；"
        "请将单元格格式改为“常规”或“数值”，填写以亿元计的累计数",
        sheet.name, cell,
    )
    return True


def _amount(
    ctx: FileContext, value: Any, in_wan: bool, item: Item, metric: Metric,
    earlier: tuple[float, str] | None, sheet: str, cell: str,
) -> float | None:
    """Return the amount a cell holds in 亿元, or None when it is not to be used. `earlier` is the
    cumulative it is checked against and the month that names it (上月, 7月), if any."""
    parsed = parse_amount(value, in_wan)
    if parsed.code:
        ctx.add(parsed.severity, parsed.code, parsed.message, sheet, cell)
        if parsed.severity is Severity.ERROR:
            return None
    elif in_wan:
        ctx.add(Severity.INFO, "unit_wan",
                f"表头标为万元，已将 {text(value)} 万元换算为 {amount_text(parsed.value)} 亿元", sheet, cell)
    factor = ctx.index.config.check.jump_factor
    prev, month = earlier if earlier is not None else (None, "")
    if _jumped(item, metric, parsed.value, prev, factor):
        grew = "" if prev is None else f"，比{month}累计（{amount_text(prev)}）增加的数额"
        ctx.add(
            Severity.ERROR, "implausible_jump",
            f"本月累计填的是 {amount_text(parsed.value)} 亿元{grew}超过年度目标的"
            f"{factor:g}倍，疑似把万元填成了亿元，未采用；请以亿元填写"
            f"（如 {amount_text(parsed.value)} 万元应填 {amount_text(parsed.value / 10000)}）",
            sheet, cell,
        )
        return None
    if prev is not None and parsed.value < prev - 1e-9:
        # most often this month's increment typed as the cumulative: never used, the earlier stands
        ctx.add(
            Severity.ERROR, "cumulative_decreased",
            f"本月累计 {amount_text(parsed.value)} 亿元低于{month}累计 {amount_text(prev)} 亿元，累计数不应减少"
            "（是否把本月新增填成了累计数？），"
            f"未采用，仍按{month}累计 {amount_text(prev)} 亿元计；请核实后重新报送截至本月末的累计数",
            sheet, cell,
        )
        return None
    value_yi: float = parsed.value
    return value_yi


def _jumped(item: Item, metric: Metric, value: float, prev: float | None, factor: float) -> bool:
    if metric is Metric.INVEST and item.target_yi:
        target = item.target_yi
    else:
        target = max((m.amount_yi for m in item.milestones if m.metric is metric and m.amount_yi), default=0.0)
    if not target:
        return False
    return value - (prev or 0.0) > factor * target
