"""Render an Excel template: Jinja expressions in cells, and rows that repeat for a list.

Template syntax (the bundled 汇总表.xlsx explains it to staff on its 模板说明 sheet):

- A cell that is exactly ``{{ 表达式 }}`` receives the value itself, so numbers stay numbers and
  dates stay dates and keep the cell's number format (``{{ m.due }}`` → a real date).
- A cell with other text around expressions, e.g. ``截至{{ as_of_label }}``, becomes text.
- A row loop: a cell of the row starts with ``{%row for m in milestones %}``; the row is
  repeated once per element, and the rest of that cell (possibly nothing) is the cell's own
  content. ``{%row for m in milestones if m.status == "overdue" %}`` keeps only some elements;
  ``loop.index`` (1, 2, …), ``loop.first``, ``loop.last`` and ``loop.length`` are available.
  An empty list removes the row. Several loops may sit on one sheet (not inside each other).
- Header and footer texts (页眉/页脚) may hold expressions too.
- Sheets whose name starts with ``模板说明`` are notes for staff and are left out of the output.

Every repeated row copies the loop row's cell styles (font, border, fill, number format,
alignment, protection), merged cells and height (row heights that show wrapped text are set
afterwards, with the print layout: render.xlsx_layout). Everything below a loop moves down, and the
workbook is adjusted the way Excel adjusts it when rows are inserted: formulas (a total
``=SUM(D5:D5)`` under a loop on row 5 grows to cover every generated row), formulas inside the
loop row (translated per row), merged cells, conditional formatting, data validation,
autofilter, print area, print titles, defined names, frozen panes, page breaks, and chart and
picture anchors and chart series references on any sheet. A reference that only pointed into
a loop row whose list is empty becomes ``0`` (so a total over an empty table shows 0).

Values are safe: a string is always written as text, so ``=HYPERLINK(...)`` typed by a unit
never becomes a formula; characters Excel cannot store are dropped; NaN and infinity leave
the cell empty. Expressions run in Jinja's sandbox with undefined names reported as errors
(TemplateError naming the sheet, the cell and its text) rather than printing nothing.

Why not xltpl: checked with xltpl 0.21 (DESIGN §9), it drops conditional formatting and
charts, leaves the print area and formulas unadjusted, writes any ``=…`` string as a
formula, and its documented ``{%- for %}`` form fails in .xlsx. This module is that small
renderer done on openpyxl, which keeps everything it does not touch.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Undefined, meta
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from reportgen.cn import fmt_pct
from reportgen.errors import TemplateError
from reportgen.render.rowshift import (
    RowMap,
    move_row_dimensions,
    move_rows,
    shift_anchor,
    shift_chart_refs,
    shift_formula,
    shift_merges,
    shift_print_setup,
    shift_rules,
)
from reportgen.render.template_tags import excerpt, tag_problem

NOTE_SHEET_PREFIX = "模板说明"

ROW_MARKER = re.compile(
    r"^\s*\{%-?\s*row\s+for\s+(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+in\s+"
    r"(?P<expr>.+?)(?:\s+if\s+(?P<cond>.+?))?\s*-?%\}",
    re.S,
)
_DELIMITER = re.compile(r"\{\{|\{%|\}\}|%\}")
_WHOLE_EXPR = re.compile(r"^\s*\{\{-?(?P<expr>.*?)-?\}\}\s*$", re.S)
_DOTTED = re.compile(r"^\s*(?P<head>[A-Za-z_]\w*)(?P<tail>(?:\.[A-Za-z]\w*)*)\s*$")
_MAX_TEXT = 32767  # Excel's limit on characters in a cell


# ---------------------------------------------------------------- Jinja environment


def _pct(value: Any, digits: int | None = None) -> str:
    """A fraction as a percentage: as every paper prints one (cn.fmt_pct), or with `digits`."""
    if value is None or isinstance(value, Undefined):
        return ""
    if digits is None:
        return fmt_pct(float(value))
    return f"{float(value) * 100:.{digits}f}%"


def _num(value: Any, digits: int = 2) -> str:
    if value is None or isinstance(value, Undefined):
        return ""
    return f"{float(value):.{digits}f}"


def _cn_date(value: Any) -> str:
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    return f"{value.year}年{value.month}月{value.day}日"


def make_environment() -> SandboxedEnvironment:
    """Return the sandboxed Jinja environment templates are rendered in, with our filters."""
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters.update(pct=_pct, num=_num, cn_date=_cn_date)
    return env


@dataclass(slots=True)
class LoopInfo:
    """What `loop` means inside a row loop."""

    index0: int
    length: int

    @property
    def index(self) -> int:
        """Return the 1-based position."""
        return self.index0 + 1

    @property
    def first(self) -> bool:
        """Return True on the first row."""
        return self.index0 == 0

    @property
    def last(self) -> bool:
        """Return True on the last row."""
        return self.index0 == self.length - 1

    @property
    def revindex(self) -> int:
        """Return the 1-based position counted from the end."""
        return self.length - self.index0


Evaluator = Callable[[Mapping[str, Any]], Any]
# what a bad expression or bad data can raise while a cell is evaluated
_EVAL_ERRORS = (JinjaTemplateError, TypeError, ValueError, AttributeError, KeyError,
                IndexError, ZeroDivisionError, OverflowError)


class _Compiler:
    """Turns cell texts into evaluators, once per distinct text."""

    def __init__(self, env: SandboxedEnvironment) -> None:
        self.env = env
        self._cache: dict[str, Evaluator] = {}

    def __call__(self, text: str) -> Evaluator:
        found = self._cache.get(text)
        if found is None:
            found = self._cache[text] = self._compile(text)
        return found

    def _compile(self, text: str) -> Evaluator:
        m = _WHOLE_EXPR.match(text)
        if m and not any(s in m.group("expr") for s in ("{{", "}}", "{%", "%}")):
            return self._expression(m.group("expr"))
        template = self.env.from_string(text)
        return lambda ctx: template.render(ctx)

    def _expression(self, expr: str) -> Evaluator:
        compiled = self.env.compile_expression(expr, undefined_to_none=False)
        env = self.env

        def slow(ctx: Mapping[str, Any]) -> Any:
            value = compiled(**ctx)
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
            return value

        dotted = _DOTTED.match(expr)
        if not dotted:
            return slow
        head = dotted.group("head")
        attrs = [a for a in dotted.group("tail").split(".") if a]

        def fast(ctx: Mapping[str, Any]) -> Any:
            # the common `m.field` case without building a Jinja context per cell; same lookup
            # rules as Jinja's sandbox (attribute first, then item), else the general path
            try:
                obj = ctx[head]
            except KeyError:
                return slow(ctx)
            for a in attrs:
                if type(obj) is dict and a in obj and not hasattr(dict, a):
                    obj = obj[a]
                else:
                    obj = env.getattr(obj, a)
                    if isinstance(obj, Undefined):
                        return slow(ctx)
            return obj

        return fast


# ---------------------------------------------------------------- writing values


def _clean_text(s: str) -> str:
    s = ILLEGAL_CHARACTERS_RE.sub("", s)
    return s[:_MAX_TEXT]


def set_value(cell: Cell, value: Any) -> None:
    """Store `value` in `cell` keeping its type; strings are always text, never formulas."""
    kind = type(value)
    if kind is str:  # the common cases first, as openpyxl would store them
        cell._value = _clean_text(value)
        cell.data_type = "s"
    elif kind is int or (kind is float and math.isfinite(value)):
        cell._value = value
        cell.data_type = "n"
    elif value is None or isinstance(value, Undefined):
        cell._value = None
        cell.data_type = "n"
    elif isinstance(value, bool | int | Decimal):
        cell.value = value
    elif isinstance(value, float):
        cell.value = value if math.isfinite(value) else None
    elif isinstance(value, dt.date | dt.time):
        cell.value = value
    else:
        if isinstance(value, list | tuple):
            value = "、".join("" if v is None else str(v) for v in value)
        cell._value = _clean_text(str(value))
        cell.data_type = "s"


# ---------------------------------------------------------------- row mapping


# ---------------------------------------------------------------- the renderer


@dataclass
class _LoopRow:
    row: int
    names: list[str]
    expr: str
    cond: str | None
    marker_col: int
    marker_rest: str


@dataclass
class _Render:
    wb: Workbook
    context: Mapping[str, Any]
    source: str
    env: SandboxedEnvironment = field(default_factory=make_environment)

    def __post_init__(self) -> None:
        self.compile = _Compiler(self.env)
        self.formulas: dict[str, list[Cell]] = {
            ws.title: [c for c in ws._cells.values() if c.data_type == "f"]
            for ws in self.wb.worksheets
        }

    # -- errors

    def _fail(self, ws: Worksheet, where: str, text: str, exc: Exception) -> TemplateError:
        reason = getattr(exc, "message", None) or str(exc)
        return TemplateError(
            f"Excel 模板 {self.source} 工作表「{ws.title}」{where}的内容有误：{text!r}（{reason}）"
        )

    def _compiled(self, ws: Worksheet, where: str, text: str) -> Evaluator:
        try:
            return self.compile(text)
        except JinjaTemplateError as exc:
            raise self._fail(ws, where, text, exc) from exc

    def _eval(self, ws: Worksheet, where: str, text: str, ctx: Mapping[str, Any]) -> Any:
        evaluator = self._compiled(ws, where, text)
        try:
            return evaluator(ctx)
        except _EVAL_ERRORS as exc:
            raise self._fail(ws, where, text, exc) from exc

    # -- sheet

    def sheet(self, ws: Worksheet) -> None:
        self._header_footer(ws)
        loops: list[_LoopRow] = []
        for cell in list(ws._cells.values()):
            v = cell._value
            if cell.data_type != "s" or not isinstance(v, str) or ("{{" not in v and "{%" not in v):
                continue
            marker = ROW_MARKER.match(v)
            if marker:
                if any(lp.row == cell.row for lp in loops):
                    raise TemplateError(
                        f"Excel 模板 {self.source} 工作表「{ws.title}」第{cell.row}行有两个循环标记"
                    )
                loops.append(
                    _LoopRow(cell.row, [n.strip() for n in marker.group("names").split(",")],
                             marker.group("expr"), marker.group("cond"), cell.column,
                             v[marker.end():])
                )
        loop_rows = {lp.row for lp in loops}
        for cell in list(ws._cells.values()):
            v = cell._value
            if (cell.row in loop_rows or cell.data_type != "s" or not isinstance(v, str)
                    or ("{{" not in v and "{%" not in v)):
                continue
            set_value(cell, self._eval(ws, f"单元格 {cell.coordinate} ", v, self.context))
        for lp in sorted(loops, key=lambda lp: lp.row, reverse=True):
            self._loop(ws, lp)

    def _header_footer(self, ws: Worksheet) -> None:
        for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter,
                   ws.firstHeader, ws.firstFooter):
            for part in (hf.left, hf.center, hf.right):
                if part.text and ("{{" in part.text or "{%" in part.text):
                    part.text = str(self._eval(ws, "页眉页脚", part.text, self.context))

    def _items(self, ws: Worksheet, lp: _LoopRow) -> list[Any]:
        where = f"第{lp.row}行的循环标记"
        seq = self._eval(ws, where, "{{ " + lp.expr + " }}", self.context)
        if seq is None:
            seq = []
        if isinstance(seq, str | bytes) or not isinstance(seq, Iterable):
            raise TemplateError(
                f"Excel 模板 {self.source} 工作表「{ws.title}」{where}：{lp.expr} 不是列表"
            )
        items = list(seq)
        if lp.cond is None:
            return items
        cond = "{{ " + lp.cond + " }}"
        return [x for x in items if self._eval(ws, where, cond, self._row_ctx(lp, x, 0, 0))]

    def _row_ctx(self, lp: _LoopRow, item: Any, i: int, n: int) -> dict[str, Any]:
        ctx = dict(self.context)
        if len(lp.names) == 1:
            ctx[lp.names[0]] = item
        else:
            ctx.update(zip(lp.names, item, strict=True))
        ctx["loop"] = LoopInfo(i, n)
        return ctx

    def _loop(self, ws: Worksheet, lp: _LoopRow) -> None:
        items = self._items(ws, lp)
        m = RowMap(lp.row, len(items))
        r = lp.row
        # taken before shifting: a merge from below may land on this row when the list is empty
        row_merges = [
            mcr for mcr in ws.merged_cells.ranges if mcr.min_row == r and mcr.max_row == r
        ]
        self._shift_everything(ws, m)
        height = ws.row_dimensions[r].height if r in ws.row_dimensions else None
        template = self._take_row(ws, r, row_merges)
        move_rows(ws, r, m.delta)
        move_row_dimensions(ws, r, m.delta)
        plan = self._cell_plan(ws, lp, template)
        n = len(items)
        for i, item in enumerate(items):
            self._write_row(ws, plan, r, i, self._row_ctx(lp, item, i, n))
            if height is not None:
                ws.row_dimensions[r + i].height = height
        merged = ws.merged_cells.ranges  # a set: add directly, MultiCellRange.add is O(n)
        for mcr in row_merges:
            for i in range(n):
                merged.add(MergedCellRange(ws, CellRange(
                    min_col=mcr.min_col, min_row=r + i, max_col=mcr.max_col, max_row=r + i).coord))

    def _take_row(self, ws: Worksheet, r: int, row_merges: list[MergedCellRange]) -> list[Cell]:
        """Remove the loop row's cells and merges from `ws`; return its cells, left to right."""
        template = sorted(
            (c for (row, _), c in ws._cells.items() if row == r), key=lambda c: c.column
        )
        taken = {id(x) for x in row_merges}  # by identity: a moved merge may have equal bounds
        ws.merged_cells.ranges = {x for x in ws.merged_cells.ranges if id(x) not in taken}
        template_ids = {id(c) for c in template}
        self.formulas[ws.title] = [c for c in self.formulas[ws.title] if id(c) not in template_ids]
        for c in template:
            del ws._cells[(r, c.column)]
        return template

    def _cell_plan(self, ws: Worksheet, lp: _LoopRow, template: list[Cell]) -> list[tuple[int, Any, str, Any]]:
        """Return what each column of the loop row does, decided once: (column, style, kind, what)."""
        plan: list[tuple[int, Any, str, Any]] = []
        for c in template:
            text = c._value
            if c.column == lp.marker_col:
                text = lp.marker_rest
            if isinstance(c, MergedCell):
                plan.append((c.column, c._style, "merged", None))
            elif c.data_type == "f" and isinstance(text, str):
                plan.append((c.column, c._style, "formula", Translator(text, c.coordinate)))
            elif isinstance(text, str) and ("{{" in text or "{%" in text):
                where = f"单元格 {get_column_letter(c.column)}{lp.row} "
                plan.append((c.column, c._style, "expr", (text, self._compiled(ws, where, text))))
            else:
                plan.append((c.column, c._style, "static", (text, c.data_type)))
        return plan

    def _write_row(self, ws: Worksheet, plan: list[tuple[int, Any, str, Any]], r: int, i: int,
                   ctx: dict[str, Any]) -> None:
        """Write the `i`-th copy of the loop row (template row `r`) from its context."""
        row = r + i
        cells = ws._cells
        own = self.formulas[ws.title]
        for col, style, kind, what in plan:
            if kind == "merged":
                cell: Cell = MergedCell(ws, row=row, column=col)
                cell._style = copy(style)
                cells[(row, col)] = cell
                continue
            cell = Cell(ws, row=row, column=col, style_array=style)  # a copy of the row's style
            if kind == "expr":
                text, evaluator = what
                try:
                    set_value(cell, evaluator(ctx))
                except _EVAL_ERRORS as exc:
                    where = f"单元格 {get_column_letter(col)}{r}（第{i + 1}条数据）"
                    raise self._fail(ws, where, text, exc) from exc
            elif kind == "formula":
                cell._value = what.translate_formula(row_delta=i, col_delta=0)
                cell.data_type = "f"
                own.append(cell)
            elif what[0] is not None:
                cell._value, cell.data_type = what
            cells[(row, col)] = cell

    # -- adjusting what refers to rows

    def _shift_everything(self, ws: Worksheet, m: RowMap) -> None:
        """Move everything that refers to rows of `ws` below the loop row by the rows it adds."""
        self._shift_formulas(ws, m)
        shift_merges(ws, m)
        shift_rules(ws, m)
        shift_print_setup(ws, m)
        for obj in [*ws._charts, *ws._images]:
            shift_anchor(obj, m)

    def _shift_formulas(self, ws: Worksheet, m: RowMap) -> None:
        """Shift formulas, charts and defined names of every sheet that point at `ws`."""
        title = ws.title
        for other in self.wb.worksheets:
            own = other is ws
            for cell in self.formulas[other.title]:
                if isinstance(cell._value, str):
                    cell._value = shift_formula(cell._value, own, title, m)
            # a chart all of whose series pointed into an emptied table would be a blank box
            other._charts = [c for c in other._charts if shift_chart_refs(c, title, m)]
            for name in other.defined_names.values():
                name.attr_text = shift_formula("=" + name.attr_text, False, title, m)[1:]
        for name in self.wb.defined_names.values():
            name.attr_text = shift_formula("=" + name.attr_text, False, title, m)[1:]


# ---------------------------------------------------------------- entry points


def render_template(template: Path, context: Mapping[str, Any]) -> Workbook:
    """Return the workbook of `template` rendered with `context` (not saved)."""
    try:
        wb = load_workbook(template)
    except Exception as exc:
        raise TemplateError(f"无法打开 Excel 模板 {template}：{exc}") from exc
    for ws in list(wb.worksheets):
        if ws.title.startswith(NOTE_SHEET_PREFIX):
            wb.remove(ws)
    if not wb.worksheets:
        raise TemplateError(f"Excel 模板 {template.name} 中没有可用的工作表")
    job = _Render(wb, context, template.name)
    for ws in wb.worksheets:
        job.sheet(ws)
    return wb


def template_names(template: Path) -> set[str]:
    """Return the top-level names the template's expressions use (syntax errors raise)."""
    wb = load_workbook(template)
    env = make_environment()
    names: set[str] = set()
    for ws in wb.worksheets:
        if ws.title.startswith(NOTE_SHEET_PREFIX):
            continue
        texts = [c for c in ws._cells.values()
                 if isinstance(c._value, str) and _DELIMITER.search(c._value)]
        for cell in texts:
            problem = tag_problem(cell._value)
            if problem is not None:
                raise TemplateError(
                    f"Excel 模板《{template.name}》工作表「{ws.title}」单元格 {cell.coordinate}"
                    f"“{excerpt(cell._value, problem[0])}”：{problem[1]}")
        loop_names: dict[int, set[str]] = {}  # row -> names its loop defines
        for cell in texts:
            marker = ROW_MARKER.match(cell._value)
            if marker:
                defined = {n.strip() for n in marker.group("names").split(",")} | {"loop"}
                loop_names[cell.row] = defined
        for cell in texts:
            v = cell._value
            marker = ROW_MARKER.match(v)
            parts = [v]
            if marker:
                parts = ["{{ " + marker.group("expr") + " }}", v[marker.end():]]
                if marker.group("cond"):
                    parts.append("{{ " + marker.group("cond") + " }}")
            elif v.lstrip().startswith("{%row"):
                raise TemplateError(
                    f"Excel 模板 {template.name} 工作表「{ws.title}」单元格 {cell.coordinate} "
                    f"的循环标记无法识别：{v!r}；应写作 {{%row for 变量 in 列表 %}}"
                )
            local = loop_names.get(cell.row, set())
            for i, text in enumerate(parts):
                try:
                    found = meta.find_undeclared_variables(env.parse(text))
                except JinjaTemplateError as exc:
                    raise TemplateError(
                        f"Excel 模板 {template.name} 工作表「{ws.title}」单元格 "
                        f"{cell.coordinate} 的内容有误：{v!r}（{exc}）"
                    ) from exc
                # the list expression itself is evaluated outside the loop
                names |= found if (marker and i == 0) else found - local
    return names


def check_template(template: Path, available: Collection[str]) -> None:
    """Raise TemplateError when the template uses a name that the data does not provide."""
    missing = sorted(template_names(template) - set(available))
    if missing:
        raise TemplateError(
            f"Excel 模板 {template.name} 使用了数据中没有的名称：{'、'.join(missing)}；"
            f"可用的有：{'、'.join(sorted(available))}"
        )
