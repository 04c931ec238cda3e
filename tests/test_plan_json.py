"""A plan's version and kept text: the same as json.dumps wrote them before they were written by
hand, since versions are kept in ledgers, forms and readings (a changed hash would tell every
workspace its plan had changed); and a plan as ledgers and 导入原样 sheets kept it before they kept
`plan_text` (one JSON object of every field) still reads back the same."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.city import Size, plan_lines
from reportgen.config import Config, load_config
from reportgen.model import (
    Item,
    Milestone,
    MilestoneKind,
    Plan,
    Section,
    Task,
    Unit,
    plan_dict,
    plan_from_text,
    plan_text,
    plan_version,
)
from reportgen.plan.importer import import_lines
from reportgen.plan.workbook import load_imported, load_plan

ROOT = Path(__file__).resolve().parent.parent


def json_version(plan: Plan) -> str:
    """plan_version as it was first written (json.dumps of dicts): the hash ledgers hold."""
    data = plan_dict(plan)
    data.pop("version")
    extra = {
        "items": [
            [it.text, [[t.no, t.lead_units, [m.due_text for m in t.milestones]] for t in it.tasks]]
            for it in plan.items
        ],
        "units": [[u.name, u.aliases] for u in plan.units],
    }
    blob = json.dumps([data, extra], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def json_content(plan: Plan) -> str:
    """A plan as ledgers and 导入原样 sheets kept it before they kept `plan_text` (json.dumps of dicts)."""
    data = {
        "year": plan.year, "title": plan.title, "version": plan.version,
        "units": [{"name": u.name, "aliases": u.aliases} for u in plan.units],
        "items": [
            {"code": it.code, "no": it.no, "section": it.section.value, "name": it.name,
             "target_yi": it.target_yi, "target_note": it.target_note, "text": it.text,
             "tasks": [
                 {"code": t.code, "no": t.no, "text": t.text, "units": t.units,
                  "lead_units": t.lead_units, "requirements": t.requirements,
                  "milestones": [
                      {"code": m.code, "due": m.due.isoformat() if m.due else None,
                       "text": m.text, "kind": m.kind.value, "amount_yi": m.amount_yi,
                       "units": m.units, "due_text": m.due_text}
                      for m in t.milestones
                  ]}
                 for t in it.tasks
             ]}
            for it in plan.items
        ],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def assert_as_json_wrote(plan: Plan) -> None:
    assert plan_version(plan) == json_version(plan)
    assert_text_round_trips(plan)
    assert_old_content_reads(plan)


def assert_old_content_reads(plan: Plan) -> None:
    """A ledger or 导入原样 sheet written before plan_text kept plans reads back the same plan."""
    old = plan_from_text(json_content(plan))
    assert old.version == plan.version and json_content(old) == json_content(plan)
    assert plan_text(old) == plan_text(plan) and plan_version(old) == plan_version(plan)


def assert_text_round_trips(plan: Plan) -> None:
    """The text the version hashes is the plan cache's: every field comes back, and the version."""
    back = plan_from_text(plan_text(plan))
    assert back.version == plan_version(plan) == json_version(plan)
    assert plan_text(back) == plan_text(plan)
    assert json_content(back) == json_content(Plan(plan.year, plan.title, back.version, plan.items, plan.units))


def test_the_sample_plan_keeps_its_version_and_content() -> None:
    plan = load_plan(ROOT / "input/plan/2024年重点项目推进任务分解.xlsx", load_config(ROOT / "reportgen.toml"))
    assert_as_json_wrote(plan)
    assert plan_from_text(plan_text(plan)) == plan == plan_from_text(plan_text(plan).encode("utf-8"))
    # the version the committed sample forms carry (their hidden 填报信息 sheet)
    expected = json.loads((ROOT / "input/submissions/expected.json").read_text("utf-8"))
    assert plan.version == expected["plan_version"]
    # its 导入原样 sheet was written before plan_text kept plans (one JSON object): read the same
    assert load_imported(ROOT / "input/plan/2024年重点项目推进任务分解.xlsx") == plan


@pytest.mark.slow
def test_a_small_city_keeps_its_version_and_content() -> None:
    plan = import_lines(plan_lines(Size(units=30, items=300, milestones=1200)), Config()).plan
    assert len(plan.milestones) >= 1000
    assert_as_json_wrote(plan)
    assert plan_from_text(plan_text(plan)) == plan


@pytest.mark.slow
def test_a_city_of_12000_milestones_keeps_its_version_and_content() -> None:
    plan = import_lines(plan_lines(Size()), Config()).plan
    assert len(plan.milestones) == 12000
    assert_as_json_wrote(plan)


_TEXT = st.text(max_size=12) | st.sampled_from(['"', "\\", "\n\t\r", "\x00\x1f\x7f", "\u2028中文\u00e9", "😀"])
_FLOAT = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([-0.0, 1e-7, 1e22, 0.1 + 0.2])


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    names = st.lists(_TEXT, max_size=3)
    milestones = st.builds(
        Milestone, code=_TEXT, due=st.none() | st.dates(), text=_TEXT,
        kind=st.sampled_from(list(MilestoneKind)), amount_yi=_FLOAT, units=names, due_text=_TEXT)
    tasks = st.builds(Task, code=_TEXT, no=st.integers(-5, 10**20), text=_TEXT, units=names, lead_units=names,
                      requirements=names, milestones=st.lists(milestones, max_size=3))
    items = st.builds(Item, code=_TEXT, no=st.integers(), section=st.sampled_from(list(Section)), name=_TEXT,
                      target_yi=_FLOAT, target_note=_TEXT, text=_TEXT, tasks=st.lists(tasks, max_size=3))
    units = st.lists(st.builds(Unit, name=_TEXT, aliases=names), max_size=3)
    return Plan(year=draw(st.integers()), title=draw(_TEXT), version=draw(_TEXT),
                items=draw(st.lists(items, max_size=3)), units=draw(units))


@pytest.mark.slow  # over half a second: the default lane keeps under a minute
@settings(max_examples=50, deadline=None)
@given(plan=plans())
def test_any_plan_is_written_as_json_wrote_it(plan: Plan) -> None:
    assert plan_version(plan) == json_version(plan)
    assert_text_round_trips(plan)
    assert_old_content_reads(plan)


def test_values_of_other_types_are_written_as_json_writes_them() -> None:
    """A hand-edited ledger's plan may hold a number where a name was, or a list in a list of names."""
    odd: Any = {"code": 7, "no": True, "units": [["规划分局"], {"b": 1, "a": None}], "amount": math.nan}
    plan = Plan(year=2024, title="计划", version="v", units=[Unit(name="规划分局", aliases=odd["units"])], items=[
        Item(code=odd["code"], no=odd["no"], section=Section.PROJECT, name="项目", target_yi=odd["amount"],
             tasks=[Task(code="P1-1", no=1.5, text="任务", units=["规划分局", 3], lead_units=[],  # type: ignore[arg-type]
                         milestones=[Milestone(code="P1-M01", due=dt.datetime(2024, 6, 30, 12), text="节点",
                                               amount_yi=2, units=odd["units"])])])])
    assert plan_version(plan) == json_version(plan)
