"""Plan diff: items matched by name (not position), codes kept on re-import."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from reportgen.config import load_config
from reportgen.model import Plan
from reportgen.plan.diff import diff_plans, keep_codes
from reportgen.plan.importer import import_document, import_lines

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "reportgen.toml")
SEED = ROOT / "input/plan/source/2024年重点项目推进任务分解.txt"


@pytest.fixture(scope="module")
def seed() -> Plan:
    return import_document(SEED, CONFIG).plan


def test_same_plan_has_no_changes(seed: Plan) -> None:
    diff = diff_plans(seed, copy.deepcopy(seed))
    assert diff.empty
    assert diff.lines() == ["两版任务分解的项目和节点没有变化"]


def test_reordered_renamed_and_changed_items_keep_their_codes(seed: Plan) -> None:
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    p01 = next(i for i, line in enumerate(lines) if line.startswith("（一）双雁"))
    p02 = p01 + 1
    # swap the first two projects, rename P07, raise P14's target and move one of its dates
    lines[p01], lines[p02] = lines[p02], lines[p01]
    revised = "\n".join(lines)
    revised = revised.replace("（七）海博思创储能项目", "（七）海博思创储能电站项目")
    revised = revised.replace("2024年工业投资任务4.5亿元以上", "2024年工业投资任务5亿元以上")
    revised = revised.replace("确保10月底前完成投资3.5亿元", "确保11月底前完成投资3.5亿元")
    new = keep_codes(seed, import_lines(revised.splitlines(), CONFIG, "r.txt").plan)
    assert [it.code for it in new.items[:2]] == ["P02", "P01"]
    assert new.items[0].name == "国药集团威奇达药业新建、续建技改项目"
    assert new.item("P07").name == "海博思创储能电站项目"
    assert [t.code for t in new.item("P07").tasks] == ["P07-0", "P07-1", "P07-2", "P07-3", "P07-4"]
    assert new.item("P14").milestones[0].due == dt.date(2024, 11, 30)

    diff = diff_plans(seed, new)
    assert not diff.items_added and not diff.items_removed
    changed = {c.code: c.details for c in diff.items_changed}
    assert changed == {
        "P07": ["名称：海博思创储能项目 → 海博思创储能电站项目"],
        "P14": ["年度投资任务（亿元）：4.5 → 5"],
    }
    [m] = diff.milestones_changed
    assert m.code == "P14-M01"
    assert "完成时限：2024-10-31 → 2024-11-30" in m.details


def test_new_milestone_gets_next_free_code_and_removed_codes_are_not_reused(seed: Plan) -> None:
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("上半年至少完成投资1亿元，", "")  # P01-M01 dropped
    text = text.replace("前三季度完成投资2亿元，", "前三季度完成投资2亿元，11月底完成设备安装，")
    new = keep_codes(seed, import_lines(text.splitlines(), CONFIG, "r.txt").plan)
    assert [m.code for m in new.item("P01").milestones] == ["P01-M02", "P01-M04", "P01-M03"]
    diff = diff_plans(seed, new)
    assert [c.code for c in diff.milestones_added] == ["P01-M04"]
    assert [c.code for c in diff.milestones_removed] == ["P01-M01"]
    assert any("新增节点（1）" in line for line in diff.lines())
