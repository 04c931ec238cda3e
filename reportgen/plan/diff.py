"""Plan × Plan → changes, and keeping codes when a revised document is imported.

The document is revised during the year (动态调整): items are inserted, dropped or reworded,
so items are matched by name (exact, then fuzzy), never by position, and milestones within a
matched item by their text. A re-imported plan keeps the codes of everything matched, so
submissions, the ledger and last month's forms keep pointing at the same rows.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from reportgen.cn import find_dates
from reportgen.model import KIND_LABEL, Item, Milestone, Plan, Section, plan_version

# Below these similarity scores (0–100) two names or texts are different things.
ITEM_MATCH = 75.0
TASK_MATCH = 50.0
MILESTONE_MATCH = 60.0  # on the wording without dates


@dataclass
class Change:
    """One added, removed or changed item or milestone, described for people."""

    code: str
    name: str
    details: list[str] = field(default_factory=list)  # Chinese, one per changed field


@dataclass
class PlanDiff:
    """What changed between two plans (codes of `new` as kept by `keep_codes`)."""

    items_added: list[Change] = field(default_factory=list)
    items_removed: list[Change] = field(default_factory=list)
    items_changed: list[Change] = field(default_factory=list)
    milestones_added: list[Change] = field(default_factory=list)
    milestones_removed: list[Change] = field(default_factory=list)
    milestones_changed: list[Change] = field(default_factory=list)
    # (old name, new name): a unit gone whose every place (items, tasks, nodes) another took
    renamed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Return True when the two plans have the same items and milestones."""
        return not any(getattr(self, f) for f in (
            "items_added", "items_removed", "items_changed",
            "milestones_added", "milestones_removed", "milestones_changed"))

    def lines(self) -> list[str]:
        """Return the diff as Chinese lines for the terminal."""
        if self.empty:
            return ["两版任务分解的项目和节点没有变化"]
        out: list[str] = []
        groups = [
            ("新增项目", self.items_added), ("删除项目", self.items_removed),
            ("修改项目", self.items_changed), ("新增节点", self.milestones_added),
            ("删除节点", self.milestones_removed), ("修改节点", self.milestones_changed),
        ]
        for label, changes in groups:
            if not changes:
                continue
            out.append(f"{label}（{len(changes)}）：")
            for c in changes:
                out.append(f"  {c.code} {c.name}")
                out.extend(f"      {d}" for d in c.details)
        out.extend(rename_note(before, after) + "（已写的可忽略）" for before, after in self.renamed)
        return out


def rename_note(before: str, after: str) -> str:
    """Return what to do when `after` took over every place of `before` (plan import, run)."""
    alias = f'"{after}" = ["{before}"]'
    return (f"单位“{after}”是新出现的，它负责的项目和节点原来都由“{before}”负责。"
            f"如是单位改名，请在 reportgen.toml 的 [units.aliases] 中写 {alias}：写上之后“{before}”以前各月的报送情况和"
            f"督办都算“{after}”的（再次督办照常累计次数、引用前次文号，节点完成时旧名下的督办照常销号）；不写则“{after}”"
            "按新单位计，以前的都不计入。如是改由新单位负责，不必理会")


def _score(a: str, b: str) -> float:
    return float(fuzz.ratio(a, b))


def _pair_by(old_keys: list[str], new_keys: list[str], score: Callable[[int, int], float],
             threshold: float) -> dict[int, int]:
    """Return new index → old index: equal keys first (in order), then the best-scoring pairs."""
    n_old, n_new = len(old_keys), len(new_keys)
    free: dict[str, list[int]] = {}
    for i, key in enumerate(old_keys):
        free.setdefault(key, []).append(i)
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for j, key in enumerate(new_keys):
        if free.get(key):
            i = free[key].pop(0)
            pairs[j] = i
            used.add(i)
    candidates = sorted(
        ((score(i, j), j, i) for j in range(n_new) if j not in pairs
         for i in range(n_old) if i not in used),
        reverse=True,
    )
    for value, j, i in candidates:
        if value < threshold:
            break
        if j in pairs or i in used:
            continue
        pairs[j] = i
        used.add(i)
    return pairs


def _pair(old: list[str], new: list[str], threshold: float) -> dict[int, int]:
    """Return new index → old index of two lists of names: exact, then most similar."""
    return _pair_by(old, new, lambda i, j: _score(old[i], new[j]), threshold)


def _match_items(old: Plan, new: Plan) -> dict[int, int]:
    pairs: dict[int, int] = {}
    for section in Section:
        o = [i for i, it in enumerate(old.items) if it.section is section]
        n = [j for j, it in enumerate(new.items) if it.section is section]
        found = _pair([old.items[i].name for i in o], [new.items[j].name for j in n], ITEM_MATCH)
        pairs.update({n[j]: o[i] for j, i in found.items()})
    return pairs


_BEFORE_DATE = re.compile(r"(?:最迟|于|在|截至|截止|到|至|—|-|~|～)$")
_AFTER_DATE = re.compile(r"^(?:之前|以前|前|起)")


def wording(text: str, year: int) -> str:
    """Return a clause without its date phrases (`2024年9月15日前完成土地报批` → `完成土地报批`):
    what stays the same when only a deadline is edited."""
    parts: list[str] = []
    last = 0
    for found in find_dates(text, year):
        segment = text[last:found.start]
        if last:
            segment = _AFTER_DATE.sub("", segment)
        parts.append(_BEFORE_DATE.sub("", segment))
        last = found.end
    parts.append(_AFTER_DATE.sub("", text[last:]) if last else text)
    return "".join(parts).strip("，、；。 ")


def _match_milestone_lists(old: list[Milestone], new: list[Milestone], year: int) -> dict[int, int]:
    """Pair milestones by their wording without dates; the whole clause breaks ties between
    clauses that differ only in their dates or amounts."""
    old_words = [wording(m.text, year) for m in old]
    new_words = [wording(m.text, year) for m in new]
    return _pair_by(
        [m.text for m in old], [m.text for m in new],
        lambda i, j: _score(old_words[i], new_words[j]) + _score(old[i].text, new[j].text) / 1000,
        MILESTONE_MATCH,
    )


def _match_milestones(old: Item, new: Item, year: int) -> dict[int, int]:
    """Return new milestone index → old milestone index (over the items' milestones): first
    within matched tasks, then what is left across the item (a clause moved to another task)."""
    old_ms, new_ms = old.milestones, new.milestones
    old_index = {id(m): i for i, m in enumerate(old_ms)}
    new_index = {id(m): j for j, m in enumerate(new_ms)}
    tasks = _pair([wording(t.text, year) for t in old.tasks],
                  [wording(t.text, year) for t in new.tasks], TASK_MATCH)
    pairs: dict[int, int] = {}
    for tj, ti in tasks.items():
        before, after = old.tasks[ti].milestones, new.tasks[tj].milestones
        for j, i in _match_milestone_lists(before, after, year).items():
            pairs[new_index[id(after[j])]] = old_index[id(before[i])]
    rest_old = [i for i in range(len(old_ms)) if i not in pairs.values()]
    rest_new = [j for j in range(len(new_ms)) if j not in pairs]
    found = _match_milestone_lists([old_ms[i] for i in rest_old], [new_ms[j] for j in rest_new], year)
    pairs.update({rest_new[j]: rest_old[i] for j, i in found.items()})
    return pairs


def _next_code(prefix: str, used: set[str], width: int = 2) -> str:
    n = 1
    while f"{prefix}{n:0{width}d}" in used:
        n += 1
    code = f"{prefix}{n:0{width}d}"
    used.add(code)
    return code


def keep_codes(old: Plan, new: Plan, reserved: Iterable[str] = ()) -> Plan:
    """Return `new` with the codes of the items and milestones it shares with `old`; codes in
    `reserved` (rows staff added to the workbook) are not given to new rows."""
    plan = copy.deepcopy(new)
    pairs = _match_items(old, plan)
    taken = set(reserved)
    # codes of removed items are not given to new ones: the ledger may still hold them
    used = {it.code for it in old.items} | taken
    for j, item in enumerate(plan.items):
        old_item = old.items[pairs[j]] if j in pairs else None
        code = old_item.code if old_item else _next_code(
            "P" if item.section is Section.PROJECT else "T", used)
        ms_pairs = _match_milestones(old_item, item, plan.year) if old_item else {}
        ms_used = ({m.code for m in old_item.milestones} if old_item else set()) | taken
        old_ms = old_item.milestones if old_item else []
        for k, m in enumerate(item.milestones):
            if k in ms_pairs:
                m.code = old_ms[ms_pairs[k]].code
        for k, m in enumerate(item.milestones):
            if k not in ms_pairs:
                m.code = _next_code(f"{code}-M", ms_used)
        item.code = code
        for task in item.tasks:
            task.code = f"{code}-{task.no}"
    plan.version = plan_version(plan)
    return plan


def _fmt(value: object) -> str:
    if value is None or value == "":
        return "（无）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（无）"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _field_changes(pairs: list[tuple[str, object, object]]) -> list[str]:
    return [f"{label}：{_fmt(a)} → {_fmt(b)}" for label, a, b in pairs if a != b]


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """Return the items and milestones added, removed and changed from `old` to `new`."""
    diff = PlanDiff()
    pairs = _match_items(old, new)
    matched_old = set(pairs.values())
    for j, item in enumerate(new.items):
        if j not in pairs:
            diff.items_added.append(Change(item.code, item.name, [
                f"{len(item.milestones)} 个节点" + (f"，年度投资任务 {item.target_yi:g} 亿元"
                                                  if item.target_yi is not None else "")]))
            continue
        before = old.items[pairs[j]]
        details = _field_changes([
            ("编号", before.code, item.code), ("名称", before.name, item.name),
            ("年度投资任务（亿元）", before.target_yi, item.target_yi),
            ("口径", before.target_note, item.target_note), ("责任单位", before.units, item.units),
        ])
        if details:
            diff.items_changed.append(Change(item.code, item.name, details))
        ms_pairs = _match_milestones(before, item, new.year)
        for k, m in enumerate(item.milestones):
            if k not in ms_pairs:
                diff.milestones_added.append(Change(m.code, m.text, [f"完成时限：{_fmt(m.due)}"]))
                continue
            b = before.milestones[ms_pairs[k]]
            details = _field_changes([
                ("编号", b.code, m.code), ("完成时限", b.due, m.due), ("内容", b.text, m.text),
                ("类型", KIND_LABEL[b.kind], KIND_LABEL[m.kind]),
                ("金额（亿元）", b.amount_yi, m.amount_yi), ("责任单位", b.units, m.units),
            ])
            if details:
                diff.milestones_changed.append(Change(m.code, m.text, details))
        kept = set(ms_pairs.values())
        for i, b in enumerate(before.milestones):
            if i not in kept:
                diff.milestones_removed.append(Change(b.code, b.text, []))
    for i, item in enumerate(old.items):
        if i not in matched_old:
            diff.items_removed.append(Change(item.code, item.name, [f"{len(item.milestones)} 个节点"]))
    diff.renamed = _renamed_units(old, new)
    return diff


def _places(plan: Plan) -> dict[str, set[str]]:
    """Return unit -> the codes of the items, tasks and nodes naming it."""
    out: dict[str, set[str]] = {}
    for item in plan.items:
        for task in item.tasks:
            for unit in task.units:
                out.setdefault(unit, set()).update((item.code, task.code))
            for m in task.milestones:
                for unit in m.units:
                    out.setdefault(unit, set()).add(m.code)
    return out


def _renamed_units(old: Plan, new: Plan) -> list[tuple[str, str]]:
    """Return (old name, new name) of each unit new to `new` that took over the places (codes as kept
    by keep_codes) of one unit of `old`: most likely a unit renamed (`likely_renames`)."""
    return likely_renames(_places(old), _places(new))


def likely_renames(before: Mapping[str, set[str]], after: Mapping[str, set[str]]) -> list[tuple[str, str]]:
    """Return (old name, new name) for each unit named in `after` only (unit -> the codes of its
    items, tasks or nodes) whose every place `before` knew was held there by one unit that holds none
    of them in `after`: that unit renamed, or its work handed to a new one — the office says which.
    A unit that still shares those places, or two that held them, is not a rename."""
    known = set().union(*before.values()) if before else set()
    out = []
    for unit, places in after.items():
        shared = places & known
        if unit in before or not shared:
            continue
        held = [u for u, had in before.items() if shared <= had and not shared & after.get(u, set())]
        if len(held) == 1:
            out.append((held[0], unit))
    return out
