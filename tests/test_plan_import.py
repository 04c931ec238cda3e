"""The seed document imports to the plan read by hand (tests/fixtures/seed_plan_expected.txt)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reportgen.config import Config, load_config
from reportgen.errors import PlanError
from reportgen.model import MilestoneKind, Plan, Section
from reportgen.plan.importer import import_document, import_lines

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "seed_plan_expected.txt"
ABBREV = {
    "医药": "现代医药产业招商服务中心", "装备": "装备制造及大数据产业招商服务中心",
    "新材料": "新材料新能源产业招商服务中心", "服务业": "现代服务业招商服务中心",
    "通航": "通航及纺织产业招商服务中心", "规划": "规划和自然资源分局", "经运": "经济运行与安全监管部",
}


def _units(text: str) -> list[str]:
    return [ABBREV.get(u, u) for u in text.split("、") if u]


def expected_seed() -> list[dict]:
    """Return the hand-read seed as items → tasks → milestones (plain dicts)."""
    items: list[dict] = []
    for raw in FIXTURE.read_text(encoding="utf-8").splitlines():
        if not raw or raw.startswith("#"):
            continue
        tag, rest = raw.split(" ", 1)
        fields = [f.strip() for f in rest.split("|")]
        if tag == "I":
            code, no, section = fields[0].split()
            items.append({
                "code": code, "no": int(no), "section": section, "name": fields[1],
                "target_yi": float(fields[2]) if fields[2] else None, "target_note": fields[3],
                "tasks": [],
            })
        elif tag == "T":
            items[-1]["tasks"].append({
                "code": fields[0], "units": _units(fields[1]), "lead": _units(fields[2]),
                "requirements": [r for r in fields[3].split("；") if r], "milestones": [],
            })
        else:
            task = items[-1]["tasks"][-1]
            task["milestones"].append({
                "code": fields[0], "due": dt.date.fromisoformat(fields[1]), "kind": fields[2],
                "amount_yi": float(fields[3]) if fields[3] else None, "text": fields[4],
                "units": task["units"],
            })
    return items


def actual(plan: Plan) -> list[dict]:
    """Return the imported plan in the fixture's shape."""
    return [
        {
            "code": it.code, "no": it.no, "section": it.section.value, "name": it.name,
            "target_yi": it.target_yi, "target_note": it.target_note,
            "tasks": [
                {
                    "code": t.code, "units": t.units, "lead": t.lead_units,
                    "requirements": t.requirements,
                    "milestones": [
                        {"code": m.code, "due": m.due, "kind": m.kind.value,
                         "amount_yi": m.amount_yi, "text": m.text, "units": m.units}
                        for m in t.milestones
                    ],
                }
                for t in it.tasks
            ],
        }
        for it in plan.items
    ]


@pytest.fixture(scope="module")
def seed_plan() -> Plan:
    config = load_config(ROOT / "reportgen.toml")
    result = import_document(ROOT / "input/plan/source/2024年重点项目推进任务分解.txt", config)
    assert result.warnings == []
    return result.plan


def test_seed_matches_hand_read_fixture_item_by_item(seed_plan: Plan) -> None:
    got, want = actual(seed_plan), expected_seed()
    assert [i["code"] for i in got] == [i["code"] for i in want]
    for g, w in zip(got, want, strict=True):
        assert g == w, g["code"]


def test_seed_totals_title_and_year(seed_plan: Plan) -> None:
    projects = [it for it in seed_plan.items if it.section is Section.PROJECT]
    assert len(projects) == 14
    assert len(seed_plan.items) - len(projects) == 5
    assert sum(it.target_yi or 0 for it in projects) == pytest.approx(27.1)
    assert seed_plan.title == "2024年重点项目推进任务分解"
    assert seed_plan.year == 2024
    assert len(seed_plan.version) == 12


def test_seed_units_and_group_phrase_kept_visible(seed_plan: Plan) -> None:
    names = seed_plan.unit_names()
    assert len(names) == len(set(names)) == 14
    assert "各产业招商服务中心" not in names
    assert seed_plan.item("T04").tasks[0].text.endswith("（责任单位：各产业招商服务中心）")
    units = {u.name: u.aliases for u in seed_plan.units}
    assert units["规划和自然资源分局"] == ["规划分局", "自然资源分局"]


def test_due_text_and_figure_metrics(seed_plan: Plan) -> None:
    m = seed_plan.item("P09").milestones[3]
    assert (m.code, m.due_text, m.due) == ("P09-M04", "9月中旬", dt.date(2024, 9, 20))
    assert [x.value for x in seed_plan.item("P09").metrics] == ["invest", "invoice"]
    assert [x.value for x in seed_plan.item("T01").metrics] == []


def test_no_year_in_target_phrase_still_reads_target(seed_plan: Plan) -> None:
    assert seed_plan.item("P10").target_yi == 1.5  # "2024工业投资任务1.5亿元以上（设备）"


def test_variants_half_width_numbered_items_and_unit_lines() -> None:
    config = Config()
    text = """2025年重点工作任务
一、重点项目
1. 甲项目，2025年工业投资任务2亿元以上(含设备)。上半年完成投资1亿元。\
(牵头单位:创新发展部;配合单位:财政运营部、建设管理部)
2. 乙项目，2025年工业投资任务5000万元。
(1)3月底前完成立项备案。
牵头单位：建设管理部
配合单位：财政运营部
(2)全年完成投资0.5亿元以上。
责任单位：各产业招商服务中心
"""
    plan = import_lines(text.splitlines(), config, "x.txt").plan
    a, b = plan.items
    assert (a.code, a.name, a.target_yi, a.target_note) == ("P01", "甲项目", 2.0, "含设备")
    assert a.tasks[0].units == ["创新发展部", "财政运营部", "建设管理部"]
    assert a.tasks[0].lead_units == ["创新发展部"]
    assert a.milestones[0].amount_yi == 1.0
    assert (b.target_yi, [t.code for t in b.tasks]) == (0.5, ["P02-1", "P02-2"])
    assert b.tasks[0].units == ["建设管理部", "财政运营部"]
    assert b.tasks[0].lead_units == ["建设管理部"]
    assert b.tasks[0].milestones[0].due == dt.date(2025, 3, 31)
    assert len(b.tasks[1].units) == 5
    assert b.tasks[1].milestones[0].kind is MilestoneKind.INVESTMENT


def test_unreadable_date_kept_as_text_with_warning_and_missing_units_warned() -> None:
    text = "2024年任务\n（一）丙项目，2024年工业投资任务1亿元。6月初完成立项。"
    result = import_lines(text.splitlines(), Config(), "y.txt")
    task = result.plan.items[0].tasks[0]
    assert task.milestones == []
    assert task.requirements == ["6月初完成立项"]
    assert any("6月初" in w for w in result.warnings)
    assert any("未写明责任单位" in w for w in result.warnings)


def test_not_a_plan_is_a_clear_error(tmp_path: Path) -> None:
    letter = tmp_path / "通知.txt"
    letter.write_text("关于召开会议的通知\n请各单位准时参加。", encoding="utf-8")
    with pytest.raises(PlanError, match="没有找到任务条目"):
        import_document(letter, Config())
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(PlanError, match="不是文本文件"):
        import_document(binary, Config())
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(PlanError, match="不支持的文件类型"):
        import_document(pdf, Config())
    # .doc/.wps are read through LibreOffice: tests/test_plan_convert.py


def test_gb18030_text_is_read(tmp_path: Path, seed_txt: Path) -> None:
    gbk = tmp_path / "seed.txt"
    gbk.write_bytes(seed_txt.read_text(encoding="utf-8").encode("gb18030"))
    assert len(import_document(gbk, load_config(ROOT / "reportgen.toml")).plan.items) == 19


def test_without_section_headings_a_target_makes_a_project_and_preamble_is_not_title() -> None:
    text = """附件：2025年重点任务清单（试行）
为确保全年目标完成，现将任务分解如下：
1、丁项目，2025年投资任务8000万元以上。6月1日至6月30日开展设备调试，年底前投产。责任单位：建设管理部
2、编制园区规划，三季度完成。责任单位：规划分局
"""
    result = import_lines(text.splitlines(), load_config(ROOT / "reportgen.toml"), "z.txt")
    plan = result.plan
    assert (plan.title, plan.year) == ("2025年重点任务清单", 2025)
    d, e = plan.items
    assert (d.code, d.section, d.target_yi) == ("P01", Section.PROJECT, 0.8)
    assert [(m.due, m.due_text) for m in d.milestones] == [
        (dt.date(2025, 6, 30), "6月1日至6月30日"), (dt.date(2025, 12, 31), "年底")]
    assert (e.code, e.section, e.tasks[0].units) == ("T01", Section.TASK, ["规划和自然资源分局"])
    assert result.warnings == []


def test_project_without_a_target_is_warned() -> None:
    text = "2024年任务\n一、重点项目\n（一）戊项目。6月底前开工。（责任单位：建设管理部）"
    result = import_lines(text.splitlines(), Config(), "w.txt")
    assert result.plan.items[0].target_yi is None
    assert any("未找到年度投资任务" in w for w in result.warnings)


def test_item_numbers_and_year_gone_from_names(seed_plan: Plan) -> None:
    assert all(not it.name.endswith(("2024", "2024年")) for it in seed_plan.items)
    assert [it.no for it in seed_plan.items] == list(range(1, 15)) + list(range(1, 6))


_TOKENS = st.sampled_from([
    "一、", "二、其它重点任务", "（一）", "（十四）", "1.", "2、", "(3)", "①", "项目", "，", "。", "；",
    "2024年", "工业投资任务", "3亿元以上", "3000万元", "（含设备）", "6月底前", "9月中旬", "上半年",
    "完成投资", "累计开票", "入统", "开工", "并", "为使", "（责任单位：", "牵头单位：", "配合单位:",
    "建设管理部", "、", "各产业招商服务中心", "）", "[bookmark: _GoBack]", "6月初", "2月30日", "至",
])


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@example(["2024年", "（一）。"])  # found by this test: an item whose text is only "。"
@given(st.lists(st.lists(_TOKENS, max_size=12).map("".join) | st.text(max_size=30), max_size=12))
def test_importer_never_crashes_on_odd_documents(lines: list[str]) -> None:
    try:
        result = import_lines(lines, load_config(ROOT / "reportgen.toml"), "h.txt")
    except PlanError as exc:
        assert str(exc)
        return
    for item in result.plan.items:
        assert item.code[0] in "PT" and item.tasks
        codes = [m.code for m in item.milestones]
        assert len(codes) == len(set(codes))


def test_item_with_a_number_and_no_name_is_named_in_the_error() -> None:
    with pytest.raises(PlanError) as caught:
        import_lines(["2024年", "（一）。", "（二）某项目。6月底前开工。（责任单位：甲）", "（三）"],
                     load_config(ROOT / "reportgen.toml"), "h.txt")
    assert str(caught.value) == ("以下条目只有编号、没有名称：其它重点任务（一）、其它重点任务（三）。"
                                 "请在文件中补写名称（或删去空条目）后重新导入")
