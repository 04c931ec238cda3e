"""Plan ↔ master workbook (任务分解总表): the source of truth every later stage reads.

Sheets: 说明 (title, year, version, how to edit), 项目, 任务, 节点, 单位. Staff may edit any
cell, add or delete rows; `load_plan` honours edits and names sheet, row and column of any
edit it cannot take. Rows are matched by their codes, never by position. The workbook is
written by reportgen.plan.master_writer (which loads openpyxl; reading needs only calamine).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.cn import normalize_digits, parse_due, unit_lookup
from reportgen.errors import PlanError
from reportgen.fsutil import write_bytes_atomic
from reportgen.model import (
    KIND_LABEL,
    SECTION_LABEL,
    Item,
    Milestone,
    MilestoneKind,
    Plan,
    Task,
    Unit,
    plan_from_text,
    plan_text,
    version_of,
)
from reportgen.workspace import Workspace

if TYPE_CHECKING:

    from reportgen.config import Config

SHEET_INFO = "说明"
SHEET_ITEMS = "项目"
SHEET_TASKS = "任务"
SHEET_MILESTONES = "节点"
SHEET_UNITS = "单位"
SHEET_IMPORTED = "导入原样"  # hidden: the plan as the last import wrote it

@dataclass(frozen=True)
class Column:
    """One column of a sheet: its field, header, width and whether its text wraps."""

    key: str
    header: str
    width: float
    wrap: bool = False


ITEM_COLUMNS = [
    Column("code", "项目编号", 10), Column("no", "序号", 6), Column("section", "类别", 13),
    Column("name", "项目名称", 36, True), Column("target", "年度投资任务（亿元）", 12),
    Column("note", "口径", 9), Column("text", "原文", 70, True),
]
TASK_COLUMNS = [
    Column("code", "任务编号", 10), Column("item", "项目编号", 10), Column("no", "序号", 6),
    Column("text", "任务内容", 60, True), Column("units", "责任单位", 30, True),
    Column("lead", "牵头单位", 24, True), Column("requirements", "常态化要求（每行一条）", 40, True),
]
MILESTONE_COLUMNS = [
    Column("code", "节点编号", 11), Column("task", "任务编号", 10), Column("due", "完成时限", 12),
    Column("due_text", "时限原文", 17, True), Column("text", "节点要求", 56, True),
    Column("kind", "类型", 10), Column("amount", "金额（亿元）", 10),
    # blank when the milestone's units are its task's: an edit to the task then carries over
    Column("units", "责任单位（空为同任务）", 30, True),
]
UNIT_COLUMNS = [Column("name", "单位名称", 36, True), Column("aliases", "其他名称（用、分隔）", 44, True)]

INFO_KEYS = {"title": "标题", "year": "年度", "version": "版本"}


# ---------------------------------------------------------------- loading


def _sheet_rows(wb: Any, name: str) -> list[list[Any]]:
    """Return a sheet's rows as calamine reads them (an empty cell is "")."""
    if name not in wb.sheet_names:
        raise PlanError(f"总表缺少工作表“{name}”，请勿删除或改名")
    rows: list[list[Any]] = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return rows


def _blank(v: Any) -> bool:
    return v is None or not str(v).strip()


def _text(v: Any) -> str:
    """Return a cell that is not a str as text ("" when empty, 3 for 3.0)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


class _Rows:
    """A sheet's rows that hold anything, read a column at a time by header text; names the cell
    of any bad value. Cells are read by column (one list per field): a city has 21,000 rows."""

    def __init__(self, wb: Any, name: str, columns: list[Column]) -> None:
        rows = _sheet_rows(wb, name)
        self.name = name
        header = [str(v).strip() if v is not None else "" for v in (rows[0] if rows else [])]
        self.index: dict[str, int] = {}
        for col in columns:
            if col.header not in header:
                raise PlanError(f"工作表“{name}”缺少“{col.header}”列（第1行为表头），请勿删除或改名")
            self.index[col.key] = header.index(col.header)
        self.headers = {col.key: col.header for col in columns}
        body = [(r, row) for r, row in enumerate(rows[1:], start=2) if not all(map(_blank, row))]
        self.numbers = [r for r, _row in body]
        width = len(header)
        # columns by a transposition, as wide as the header (a short row, none from calamine, is
        # filled with empty cells; cells right of the header are left out)
        self._columns = list(zip(*(row if len(row) >= width else [*row, *[""] * (width - len(row))]
                                   for _r, row in body), strict=False)) or [()] * width

    def values(self, key: str) -> list[Any]:
        """Return the column's cells: text stripped, None when empty."""
        return [(v.strip() or None) if isinstance(v, str) else v for v in self._columns[self.index[key]]]

    def texts(self, key: str) -> list[str]:
        """Return the column's cells as text, stripped ("" when empty)."""
        column = self._columns[self.index[key]]
        try:
            return list(map(str.strip, column))  # every cell text, as in most columns
        except TypeError:  # a number or a date among them
            return [v.strip() if isinstance(v, str) else _text(v) for v in column]

    def error(self, r: int, key: str, message: str) -> PlanError:
        from openpyxl.utils import get_column_letter  # heavy library, only for an error

        col = get_column_letter(self.index[key] + 1)
        return PlanError(
            f"总表工作表“{self.name}”第{r}行“{self.headers[key]}”列（{col}{r}）：{message}"
        )


_NAME_BREAK = re.compile(r"[、，,；;\n]+")


def _split_names(text: str) -> list[str]:
    """Return the names in a cell listing units."""
    return [name for part in _NAME_BREAK.split(text) if (name := part.strip())]


class _UnitNames:
    """Canonical units of a cell's list of names, each distinct list resolved once (the same
    few lists recur on thousands of rows)."""

    def __init__(self, lookup: dict[str, str]) -> None:
        self.lookup = lookup
        self.known: dict[str, tuple[str, ...]] = {}  # cell text -> its units (looked up inline)

    def read(self, rows: _Rows, r: int, key: str, text: str) -> list[str]:
        """Return the units named in `text` (a new list), PlanError naming the cell of an unknown one."""
        found = self.known.get(text)
        if found is None:
            out: list[str] = []
            for name in _split_names(text):
                if name not in self.lookup:
                    raise rows.error(r, key, f"单位“{name}”不在“单位”表中。请先在“单位”表添加该单位，"
                                             "或把它写入某单位的“其他名称”")
                canonical = self.lookup[name]
                if canonical not in out:
                    out.append(canonical)
            found = self.known[text] = tuple(out)
        return list(found)


def _read_date(rows: _Rows, r: int, value: Any, year: int) -> dt.date | None:
    if value is None or type(value) is dt.date:
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial the reader did not convert
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise rows.error(r, "due", f"“{value}”不是日期，请填写如 2024-06-30")
    text = normalize_digits(str(value))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    due = parse_due(text, year)
    if due is None:
        raise rows.error(r, "due", f"“{value}”不是日期，请填写如 2024-06-30")
    return due


def _read_amount(rows: _Rows, r: int, key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise rows.error(r, key, f"“{value}”不是数字")
    # 6 decimals of 亿元 is 1 元: more is binary noise from Excel or arithmetic
    if isinstance(value, (int, float)):
        return round(float(value), 6)
    text = normalize_digits(str(value)).removesuffix("亿元").removesuffix("亿").strip()
    try:
        return round(float(text), 6)
    except ValueError:
        raise rows.error(r, key, f"“{value}”不是数字，请填写以亿元计的金额，如 1.5") from None


def _read_int(rows: _Rows, r: int, key: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if type(value) is float and value.is_integer():  # as calamine reads a number cell
        return int(value)
    try:
        number = float(normalize_digits(str(value)))
    except ValueError:
        raise rows.error(r, key, f"“{value}”不是整数") from None
    if not number.is_integer():
        raise rows.error(r, key, f"“{value}”不是整数")
    return int(number)


def _check_code(rows: _Rows, r: int, key: str, code: str, seen: set[str]) -> None:
    if not code:
        raise rows.error(r, key, "编号不能为空")
    if code in seen:
        raise rows.error(r, key, f"编号“{code}”重复，每个编号只能出现一次")
    seen.add(code)


def _open_book(path: Path) -> Any:
    from python_calamine import CalamineWorkbook  # heavy native reader, loaded when needed

    if not path.is_file():
        raise PlanError(f"找不到任务分解总表：{path}")
    try:
        # calamine: a tenth of openpyxl's time, and it reads dates in Chinese formats as dates
        wb = CalamineWorkbook.from_path(str(path))
    except PermissionError as exc:
        raise PlanError(f"无法读取 {path.name}：文件可能正在 Excel/WPS 中打开") from exc
    except Exception as exc:  # calamine raises its own error kinds for a file that is not a workbook
        raise PlanError(f"{path.name} 不是有效的 Excel 工作簿（.xlsx）：{exc}") from exc
    return wb


def _open(path: Path) -> Any:
    wb = _open_book(path)
    if SHEET_INFO not in wb.sheet_names:
        raise PlanError(f"{path.name} 不是任务分解总表：缺少工作表“{SHEET_INFO}”")
    return wb


def _read_info(wb: Any, path: Path) -> tuple[str, int]:
    """Return the title and year written on the 说明 sheet."""
    info: dict[str, Any] = {}
    for row in _sheet_rows(wb, SHEET_INFO):
        a, b = [*row, None, None][:2]
        for key, label in INFO_KEYS.items():
            if isinstance(a, str) and a.strip() == label:
                info[key] = b
    try:
        year = int(float(normalize_digits(str(info.get("year")))))
    except ValueError:
        raise PlanError(f"总表工作表“{SHEET_INFO}”中“年度”应为年份，如 2024") from None
    return str(info.get("title") or path.stem), year


def _read_units_sheet(wb: Any, config: Config) -> tuple[list[Unit], dict[str, str]]:
    """Return the units and a map from every name and alias to the canonical name."""
    rows = _Rows(wb, SHEET_UNITS, UNIT_COLUMNS)
    units: list[Unit] = []
    lookup: dict[str, str] = {}
    for r, name, aliases_text in zip(rows.numbers, rows.texts("name"), rows.texts("aliases"), strict=True):
        if not name:
            raise rows.error(r, "name", "单位名称不能为空")
        if name in lookup:
            raise rows.error(r, "name", f"单位“{name}”重复（或已是其他单位的别名）")
        aliases = _split_names(aliases_text)
        lookup[name] = name
        for alias in aliases:
            if alias in lookup and lookup[alias] != name:
                raise rows.error(r, "aliases", f"其他名称“{alias}”已属于“{lookup[alias]}”")
            lookup[alias] = name
        units.append(Unit(name=name, aliases=aliases))
    for alias, canonical in unit_lookup(config).items():
        if canonical in lookup:
            lookup.setdefault(alias, lookup[canonical])
    return units, lookup


def _read_items(wb: Any) -> dict[str, Item]:
    rows = _Rows(wb, SHEET_ITEMS, ITEM_COLUMNS)
    items: dict[str, Item] = {}
    codes: set[str] = set()
    sections = {v: k for k, v in SECTION_LABEL.items()}
    t = rows.texts
    for r, code, label, name, no, target, note, text in zip(
        rows.numbers, t("code"), t("section"), t("name"), rows.values("no"), rows.values("target"),
        t("note"), t("text"), strict=True,
    ):
        _check_code(rows, r, "code", code, codes)
        if label not in sections:
            raise rows.error(r, "section", f"类别应为“重点项目”或“其它重点任务”，实际为“{label}”")
        if not name:
            raise rows.error(r, "name", "项目名称不能为空")
        items[code] = Item(
            code=code, no=_read_int(rows, r, "no", no, len(items) + 1),
            section=sections[label], name=name, target_yi=_read_amount(rows, r, "target", target),
            target_note=note, text=text,
        )
    return items


def _read_tasks(wb: Any, items: dict[str, Item], names: _UnitNames) -> dict[str, Task]:
    """Return the tasks by code, each also appended to its item."""
    rows = _Rows(wb, SHEET_TASKS, TASK_COLUMNS)
    tasks: dict[str, Task] = {}
    codes: set[str] = set()
    t = rows.texts
    for r, code, item_code, units, leads, requirements, no, text in zip(
        rows.numbers, t("code"), t("item"), t("units"), t("lead"), t("requirements"), rows.values("no"),
        t("text"), strict=True,
    ):
        _check_code(rows, r, "code", code, codes)
        item = items.get(item_code)
        if item is None:
            raise rows.error(r, "item", f"项目编号“{item_code}”不在“项目”表中")
        task_units = names.read(rows, r, "units", units)
        lead = names.read(rows, r, "lead", leads) or task_units[:1]
        for u in lead:
            if u not in task_units:
                task_units.insert(0, u)
        task = Task(code=code, no=int(no) if type(no) is float and no.is_integer() else _read_int(rows, r, "no", no, 0),
                    text=text, units=task_units, lead_units=lead,
                    requirements=[s.strip() for s in requirements.splitlines() if s.strip()] if requirements else [])
        tasks[code] = task
        item.tasks.append(task)
    return tasks


def _read_milestones(wb: Any, tasks: dict[str, Task], names: _UnitNames, year: int) -> set[str]:
    """Append every milestone row to its task; return the codes written in the sheet."""
    rows = _Rows(wb, SHEET_MILESTONES, MILESTONE_COLUMNS)
    kinds = {v: k for k, v in KIND_LABEL.items()} | {k.value: k for k in MilestoneKind}
    other = KIND_LABEL[MilestoneKind.OTHER]
    seen: set[str] = set()
    t = rows.texts
    known = names.known
    # a city has 12,000 rows: the common cases (a date cell, no amount, a list of units read
    # before) are taken inline, the others read by the functions that name a bad cell
    for r, code, task_code, label, text, due, amount, units, due_text in zip(
        rows.numbers, t("code"), t("task"), t("kind"), t("text"), rows.values("due"), rows.values("amount"),
        t("units"), t("due_text"), strict=True,
    ):
        if code in seen:
            _check_code(rows, r, "code", code, seen)
        elif code:
            seen.add(code)
        task = tasks.get(task_code)
        if task is None:
            raise rows.error(r, "task", f"任务编号“{task_code}”不在“任务”表中"
                                        "（删除任务时请一并删除其节点行）")
        label = label or other
        if label not in kinds:
            raise rows.error(r, "kind", f"类型“{label}”无法识别，应为{'、'.join(KIND_LABEL.values())}之一")
        if not text:
            raise rows.error(r, "text", "节点要求不能为空")
        found = known.get(units)
        task.milestones.append(Milestone(
            code=code, due=due if type(due) is dt.date or due is None else _read_date(rows, r, due, year),
            text=text, kind=kinds[label],
            amount_yi=None if amount is None else _read_amount(rows, r, "amount", amount),
            units=(list(found) if found is not None else names.read(rows, r, "units", units)) or list(task.units),
            due_text=due_text,
        ))
    return seen


def is_master_workbook(path: Path) -> bool:
    """Return True when the workbook at `path` is a master workbook (has the 说明 sheet)."""
    try:
        return SHEET_INFO in _open_book(path).sheet_names
    except PlanError:
        return True  # not readable at all: reading it as a master workbook says why


def load_imported(path: Path) -> Plan | None:
    """Return the plan as the last import wrote it into the workbook at `path`, or None when
    the workbook does not say (written by an earlier version, or the sheet was damaged)."""
    wb = _open(path)
    if SHEET_IMPORTED not in wb.sheet_names:
        return None
    rows = wb.get_sheet_by_name(SHEET_IMPORTED).to_python(skip_empty_area=False)
    content = "".join(str(row[0]) for row in rows[1:] if row and row[0] not in (None, ""))
    try:
        return plan_from_text(content)  # an earlier version's plan_content as well
    except (ValueError, KeyError, TypeError):
        return None


def load_plan(path: Path, config: Config) -> Plan:
    """Return the plan in the master workbook at `path` (PlanError naming the bad cell)."""
    return _read_plan(path, config)[0]


def _read_plan(path: Path, config: Config) -> tuple[Plan, bytes]:
    """Return the plan in the master workbook at `path` and its `plan_text` in UTF-8."""
    wb = _open(path)
    title, year = _read_info(wb, path)
    units, lookup = _read_units_sheet(wb, config)
    names = _UnitNames(lookup)
    items = _read_items(wb)
    tasks = _read_tasks(wb, items, names)
    seen = _read_milestones(wb, tasks, names, year)
    _number_new_milestones(items, seen)
    plan = Plan(year=year, title=title, version="", items=list(items.values()), units=units)
    data = plan_text(plan).encode("utf-8")  # hashed and kept as they are (5 MB for a city)
    plan.version = version_of(data)
    return plan, data


PLAN_CACHE = "plan-cache.txt"
_PACKAGE = Path(__file__).resolve().parent.parent
# besides the workbook and the configuration, how a plan is read depends on this code
_READING_CODE = (Path(__file__).resolve(), _PACKAGE / "model.py", _PACKAGE / "cn.py", _PACKAGE / "config.py")


@functools.cache
def _code_stamp() -> str:
    digest = hashlib.sha256()
    for source in _READING_CODE:
        with contextlib.suppress(OSError):
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def load_master(ws: Workspace) -> Plan:
    """Return the plan in the workspace's master workbook, as `load_plan` reads it.

    Every command reads the master workbook, about a second for a city's plan; the plan read is
    kept in history/plan-cache.txt (its `plan_text`, which its version hashes) under the
    workbook's SHA-256, the configuration and this code, and read back from there (a third of
    the time) while none of them has changed.
    """
    path = ws.master_workbook()
    try:
        workbook = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return load_plan(path, ws.config)  # says why the workbook cannot be read
    key = json.dumps([path.name, workbook, hashlib.sha256(repr(ws.config).encode()).hexdigest(), _code_stamp()],
                     ensure_ascii=False).encode("utf-8")
    cache = ws.history_dir / PLAN_CACHE
    try:
        head, _, body = cache.read_bytes().partition(b"\n")
        if head == key:
            return plan_from_text(body)
    except (OSError, ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
        pass  # none kept yet, or not readable by this code: the workbook is read
    plan, data = _read_plan(path, ws.config)
    with contextlib.suppress(OSError):  # a read-only workspace reads the workbook every time
        ws.history_dir.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(cache, key + b"\n" + data)
    return plan


def _number_new_milestones(items: dict[str, Item], seen: set[str]) -> None:
    """Give rows that staff added without a code the next free code of their item."""
    if all(m.code for item in items.values() for task in item.tasks for m in task.milestones):
        return
    for item in items.values():
        used = [int(m.code.rsplit("-M", 1)[1]) for m in item.milestones
                if m.code.startswith(f"{item.code}-M") and m.code.rsplit("-M", 1)[1].isdigit()]
        nxt = max(used, default=0) + 1
        for m in item.milestones:
            if not m.code:
                while f"{item.code}-M{nxt:02d}" in seen:
                    nxt += 1
                m.code = f"{item.code}-M{nxt:02d}"
                seen.add(m.code)
                nxt += 1
