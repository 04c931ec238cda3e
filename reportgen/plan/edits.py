"""Staff's edits to the master workbook, found and carried over when a revised document is
imported.

The master workbook remembers the plan as its last import wrote it (a hidden sheet). What
differs between that and the workbook as it is now are the staff's edits: a date moved, a
unit added, a milestone deleted or added. On re-import each edit is carried over to the new
plan unless the new document changed the same thing (then the document wins, and the edit
is listed as overwritten), or the user asks to drop them all.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from reportgen.model import KIND_LABEL, Item, Milestone, Plan, Task, Unit, plan_version

# (kind of row, code, field) -> value; field "" stands for "the row exists"
_Key = tuple[str, str, str]

_ROW = {"item": "项目", "task": "任务", "milestone": "节点", "unit": "单位"}
_FIELD = {
    "name": "名称", "target_yi": "年度投资任务（亿元）", "target_note": "口径", "text": "内容",
    "units": "责任单位", "lead_units": "牵头单位", "requirements": "常态化要求", "due": "完成时限",
    "kind": "类型", "amount_yi": "金额（亿元）", "aliases": "其他名称",
}
_ITEM_FIELDS = ("name", "target_yi", "target_note")
_TASK_FIELDS = ("text", "units", "lead_units", "requirements")
_MILESTONE_FIELDS = ("due", "text", "kind", "amount_yi", "units")


@dataclass
class Edit:
    """One difference between the plan as imported and the workbook as staff left it."""

    key: _Key
    before: object  # as imported (None when the row was added)
    after: object  # as edited (None when the row was deleted)

    def describe(self) -> str:
        """Return the edit in Chinese, e.g. `节点 P07-M03 完成时限：2024-08-31 → 2024-09-10`."""
        kind, code, name = self.key
        if not name:
            return f"{'新增' if self.before is None else '删除'}{_ROW[kind]} {code}"
        return f"{_ROW[kind]} {code} {_FIELD[name]}：{_fmt(self.before)} → {_fmt(self.after)}"


@dataclass
class CarriedEdits:
    """What became of the staff's edits on re-import."""

    plan: Plan  # the new plan with the kept edits applied
    kept: list[Edit] = field(default_factory=list)
    overwritten: list[Edit] = field(default_factory=list)  # the new document changed the same


def _fmt(value: object) -> str:
    if value is None or value == "" or value == []:
        return "（无）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value in KIND_LABEL:
        return KIND_LABEL[value]  # type: ignore[index]
    return str(value)


def _rows(plan: Plan) -> dict[tuple[str, str], object]:
    """Return (kind, code) -> the row object, for every item, task, milestone and unit."""
    out: dict[tuple[str, str], object] = {}
    for it in plan.items:
        out[("item", it.code)] = it
        for t in it.tasks:
            out[("task", t.code)] = t
            for m in t.milestones:
                out[("milestone", m.code)] = m
    for u in plan.units:
        out[("unit", u.name)] = u
    return out


_FIELDS = {"item": _ITEM_FIELDS, "task": _TASK_FIELDS, "milestone": _MILESTONE_FIELDS,
           "unit": ("aliases",)}


def _fields(plan: Plan) -> dict[_Key, object]:
    out: dict[_Key, object] = {}
    for (kind, code), row in _rows(plan).items():
        out[(kind, code, "")] = True
        for name in _FIELDS[kind]:
            out[(kind, code, name)] = copy.copy(getattr(row, name))
    return out


def find_edits(imported: Plan, edited: Plan) -> list[Edit]:
    """Return the staff's edits: every row added or deleted and every field changed."""
    before, after = _fields(imported), _fields(edited)
    edits: list[Edit] = []
    for key in [*before, *(k for k in after if k not in before)]:
        kind, code, name = key
        gone = (kind, code, "") not in after
        added = (kind, code, "") not in before
        if name and (gone or added):
            continue  # the row's own addition or deletion says it
        if name == "units" and kind == "milestone" and _follows_task(imported, code) and \
                _follows_task(edited, code):
            continue  # the milestone's units are its task's: the task's edit says it
        if before.get(key) != after.get(key):
            edits.append(Edit(key, before.get(key), after.get(key)))
    return edits


def _follows_task(plan: Plan, code: str) -> bool:
    for t in (t for it in plan.items for t in it.tasks):
        for m in t.milestones:
            if m.code == code:
                return m.units == t.units
    return False


def carry_edits(edits: list[Edit], imported: Plan, edited: Plan, new: Plan) -> CarriedEdits:
    """Return `new` with each edit applied where the new document left that thing as it was
    imported; the others are listed as overwritten."""
    plan = copy.deepcopy(new)
    base, now = _fields(imported), _fields(plan)
    out = CarriedEdits(plan)
    for edit in edits:
        kind, code, name = edit.key
        if not name and edit.after is None and edit.key not in now:
            out.kept.append(edit)  # the new document dropped it too
        elif now.get(edit.key) != base.get(edit.key) or (
            not name and edit.after is None and _changed(kind, code, base, now)
        ):
            out.overwritten.append(edit)
        elif _apply(plan, edited, edit):
            out.kept.append(edit)
        else:
            out.overwritten.append(edit)
    _add_units(plan, edited)
    plan.version = plan_version(plan)
    return out


def _changed(kind: str, code: str, base: dict[_Key, object], now: dict[_Key, object]) -> bool:
    return any(now.get((kind, code, n)) != base.get((kind, code, n)) for n in _FIELDS[kind])


def _apply(plan: Plan, edited: Plan, edit: Edit) -> bool:
    """Apply one edit to `plan`; return False when there is nothing left to apply it to."""
    kind, code, name = edit.key
    rows = _rows(plan)
    if name:
        row = rows.get((kind, code))
        if row is None:
            return False
        if isinstance(row, Task) and name == "units":
            for m in row.milestones:
                if m.units == row.units:  # milestones that follow their task keep following it
                    m.units = list(edit.after)  # type: ignore[call-overload]
        setattr(row, name, copy.copy(edit.after))
        return True
    if edit.after is None:  # deleted by staff
        return _delete(plan, kind, code)
    return _add(plan, _rows(edited)[(kind, code)], edited, kind, code)


def _delete(plan: Plan, kind: str, code: str) -> bool:
    if kind == "item":
        plan.items = [it for it in plan.items if it.code != code]
    elif kind == "unit":
        if any(code in t.units or any(code in m.units for m in t.milestones)
               for it in plan.items for t in it.tasks):
            return False  # the new document still names it
        plan.units = [u for u in plan.units if u.name != code]
    for it in plan.items:
        if kind == "task":
            it.tasks = [t for t in it.tasks if t.code != code]
        for t in it.tasks:
            if kind == "milestone":
                t.milestones = [m for m in t.milestones if m.code != code]
    return True


def _parent(edited: Plan, kind: str, code: str) -> str:
    for it in edited.items:
        for t in it.tasks:
            if kind == "task" and t.code == code:
                return it.code
            if kind == "milestone" and any(m.code == code for m in t.milestones):
                return t.code
    return ""


def _add(plan: Plan, row: object, edited: Plan, kind: str, code: str) -> bool:
    rows = _rows(plan)
    if (kind, code) in rows:
        return False  # the new document has a row of that code already
    if kind == "item":
        assert isinstance(row, Item)
        plan.items.append(copy.deepcopy(row))
        return True
    if kind == "unit":
        assert isinstance(row, Unit)
        plan.units.append(copy.deepcopy(row))
        return True
    parent = rows.get(("item" if kind == "task" else "task", _parent(edited, kind, code)))
    if isinstance(parent, Item) and isinstance(row, Task):
        parent.tasks.append(copy.deepcopy(row))
        return True
    if isinstance(parent, Task) and isinstance(row, Milestone):
        parent.milestones.append(copy.deepcopy(row))
        return True
    return False


def _add_units(plan: Plan, edited: Plan) -> None:
    """Keep in the 单位 sheet every unit a kept edit names."""
    known = {u.name for u in plan.units}
    named = {u for it in plan.items for t in it.tasks
             for u in [*t.units, *(x for m in t.milestones for x in m.units)]}
    for unit in edited.units:
        if unit.name not in known and unit.name in named:
            plan.units.append(copy.deepcopy(unit))
