"""What reading a file needs at hand: look-ups over the plan (built once per batch) and the
context of the one file being read, where its issues are collected."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from reportgen.config import Config
from reportgen.forms import all_unit_rows
from reportgen.ingest.values import norm
from reportgen.model import Issue, Item, Milestone, Plan, Severity


@dataclass
class PlanIndex:
    """Look-ups over the plan, built once per batch."""

    plan: Plan
    config: Config
    units: list[str]  # units that get a form, in plan order
    items: dict[str, Item]
    milestones: dict[str, Milestone]
    unit_names: dict[str, str]  # normalised name or alias -> canonical name
    figure_keys: dict[str, list[str]]  # unit -> expected figure keys
    figure_leads: dict[str, str]  # figure key -> the unit whose figure counts
    milestone_codes: dict[str, list[str]]  # unit -> expected milestone codes

    # Only a row that lost its code is matched by name or words: worked out on first need.
    @functools.cached_property
    def item_by_name(self) -> dict[str, str]:
        """Return normalised project name -> item code."""
        return {norm(it.name): it.code for it in self.plan.items}

    @functools.cached_property
    def milestone_by_text(self) -> dict[tuple[str, str], str]:
        """Return (item code, normalised clause) -> milestone code."""
        return {(m.code.split("-")[0], norm(m.text)): m.code for m in self.plan.milestones}

    @classmethod
    def build(cls, plan: Plan, config: Config) -> PlanIndex:
        """Return the index of `plan` under `config`'s unit aliases."""
        names: dict[str, str] = {}
        for known in plan.units:
            for n in (known.name, *known.aliases):
                names[norm(n)] = known.name
        for canon, aliases in config.units.aliases.items():
            for n in (canon, *aliases):
                names.setdefault(norm(n), canon)
        # every unit's rows in one pass over the plan (per unit it grows as units × plan)
        all_rows = all_unit_rows(plan, config)
        units = [u for u, r in all_rows.items() if not r.empty]
        figure_keys: dict[str, list[str]] = {}
        milestone_codes: dict[str, list[str]] = {}
        leads: dict[str, str] = {}
        for unit in units:
            names.setdefault(norm(unit), unit)
            rows = all_rows[unit]
            figure_keys[unit] = [fr.key for fr in rows.figures]
            milestone_codes[unit] = [mr.milestone.code for mr in rows.milestones]
            leads.update({fr.key: fr.lead for fr in rows.figures})
        return cls(
            plan=plan,
            config=config,
            units=units,
            items={it.code: it for it in plan.items},
            milestones={m.code: m for m in plan.milestones},
            unit_names=names,
            figure_keys=figure_keys,
            figure_leads=leads,
            milestone_codes=milestone_codes,
        )

    def unit(self, text: str) -> str | None:
        """Return the canonical unit a name or alias stands for."""
        return self.unit_names.get(norm(text))

    def unit_in(self, text: str) -> str | None:
        """Return the unit whose name or alias is the longest one contained in `text`."""
        t = norm(text)
        best: tuple[int, str] | None = None
        found: set[str] = set()
        for name, canon in self.unit_names.items():
            if name and name in t:
                found.add(canon)
                if best is None or len(name) > best[0]:
                    best = (len(name), canon)
        if best is None:
            return None
        # two different units named: only trust the longest when it contains the others
        longest = best[1]
        others = {u for u in found if u != longest}
        if any(norm(o) not in norm(longest) for o in others):
            return None
        return longest

    def words(self, code: str) -> str:
        """Name a row as its reader knows it: a node by its words, a figure by its project's name
        (the codes are for the program; the 校验反馈 a unit prints must not show them)."""
        item = self.items.get(re.split(r"[/-]", code)[0])
        if code in self.milestones:  # nodes of two projects may read the same: name the project
            text = self.milestones[code].text
            owner = item.name if item is not None else ""
            return f"{owner}节点“{text[:30]}{'…' if len(text) > 30 else ''}”"
        return f"“{item.name}”" if item is not None else code

    def owners(self, code: str) -> list[str]:
        """Return the units whose form has the row `code` (a figure key or a milestone code)."""
        return [
            u for u in self.units
            if code in self.figure_keys.get(u, ()) or code in self.milestone_codes.get(u, ())
        ]


@dataclass
class FileContext:
    """What reading one file needs at hand; its issues are collected here."""

    index: PlanIndex
    period: str
    name: str  # the file's name relative to the batch folder, as shown to people
    issues: list[Issue]
    unit: str = ""

    def add(self, severity: Severity, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        """Record a problem found in this file."""
        self.issues.append(Issue(severity, message, code, self.name, sheet, cell, self.unit))
