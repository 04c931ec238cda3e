"""plan import / show / diff and init through the command line; re-import keeps codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reportgen.cli import main
from reportgen.plan.workbook import load_plan

REVISION = [
    # a new project inserted first: positions shift, codes must not
    ("一、重点项目推进任务分解\n",
     "一、重点项目推进任务分解\n（一）新增示范项目，2024年工业投资任务2亿元以上。全年完成投资2亿元以上。"
     "（责任单位：建设管理部）\n"),
    # renumber the rest by hand is not needed: the parser reads numbers, codes come from order
    ("2024年6月20日前完成用地预审", "2024年7月15日前完成用地预审"),
    ("（十三）御东污水厂改扩建二期项目，2024年工业投资任务1亿元以上。于2024年5月30日前完成立项备案，"
     "于2024年6月10日前按要求提交投资入统资料。（责任单位：大同市御东污水处理有限责任公司）\n", ""),
]


def _revised(seed: Path, tmp_path: Path) -> Path:
    text = seed.read_text(encoding="utf-8")
    for old, new in REVISION:
        assert old in text
        text = text.replace(old, new, 1)
    out = tmp_path / "2024年重点项目推进任务分解（调整）.txt"
    out.write_text(text, encoding="utf-8")
    return out


def test_init_creates_workspace_and_says_what_next(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "新工作区")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "新工作区" / "reportgen.toml").is_file()
    assert (tmp_path / "新工作区" / "input" / "plan").is_dir()
    assert "plan import" in result.output and "下一步" in result.output
    again = CliRunner().invoke(main, ["init", str(tmp_path / "新工作区")])
    assert again.exit_code == 1 and "已经是工作区" in again.output


def test_import_show_and_reimport_keeps_codes(workspace, seed_txt: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["-w", str(workspace.root)]
    first = runner.invoke(main, ["plan", "import", str(seed_txt), *ws])
    assert first.exit_code == 0, first.output
    assert "重点项目 14 个（年度投资任务合计 27.1 亿元），其它重点任务 5 项" in first.output
    book = workspace.plan_dir / "2024年重点项目推进任务分解.xlsx"
    assert book.is_file()

    shown = runner.invoke(main, ["plan", "show", "--format", "json", *ws])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert set(data) == {"year", "title", "version", "items"}
    item = data["items"][6]
    assert set(item) == {"code", "no", "section", "name", "target_yi", "target_note", "units", "tasks"}
    task = item["tasks"][0]
    assert set(task) == {"code", "units", "text", "requirements", "milestones"}
    m = task["milestones"][0]
    assert set(m) == {"code", "due", "text", "kind", "amount_yi", "units"}
    assert (item["code"], m["code"], m["due"], m["kind"]) == ("P07", "P07-M01", "2024-10-10", "step")

    table = runner.invoke(main, ["plan", "show", *ws])
    assert "P09-M04  2024-09-20  [入统入库]" in table.output

    again = runner.invoke(main, ["plan", "import", str(_revised(seed_txt, tmp_path)), *ws])
    assert again.exit_code == 0, again.output
    plan = load_plan(book, workspace.config)
    names = {it.name: it.code for it in plan.items}
    assert names["新增示范项目"] == "P15"
    assert names["双雁生物医药产业园一期项目"] == "P01"
    assert names["蒸汽和供热管道项目"] == "P14"
    assert "御东污水厂改扩建二期项目" not in names
    assert plan.item("P07").milestones[1].code == "P07-M02"
    assert "新增项目（1）" in again.output and "P15 新增示范项目" in again.output
    assert "删除项目（1）" in again.output and "P13 御东污水厂改扩建二期项目" in again.output
    assert "完成时限：2024-06-20 → 2024-07-15" in again.output
    assert list((workspace.plan_dir / "备份").glob("*.xlsx"))
    assert [p.name for p in workspace.plan_dir.glob("*.xlsx")] == [book.name]


def test_plan_diff_between_a_workbook_and_a_document(workspace, seed_txt: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["-w", str(workspace.root)]
    runner.invoke(main, ["plan", "import", str(seed_txt), *ws])
    book = next(workspace.plan_dir.glob("*.xlsx"))
    same = runner.invoke(main, ["plan", "diff", str(book), str(seed_txt), *ws])
    assert same.exit_code == 0 and "没有变化" in same.output
    changed = runner.invoke(main, ["plan", "diff", str(book), str(_revised(seed_txt, tmp_path)), *ws])
    assert changed.exit_code == 0, changed.output
    assert "修改节点（1）" in changed.output and "P07-M02" in changed.output


def test_errors_are_messages_not_tracebacks(workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    letter = tmp_path / "通知.txt"
    letter.write_text("关于召开会议的通知", encoding="utf-8")
    bad = runner.invoke(main, ["plan", "import", str(letter), "-w", str(workspace.root)])
    assert bad.exit_code == 1
    assert "没有找到任务条目" in bad.output and "Traceback" not in bad.output
    none = runner.invoke(main, ["plan", "show", "-w", str(workspace.root)])
    assert none.exit_code == 1 and "reportgen plan import" in none.output
    missing = runner.invoke(main, ["plan", "import", str(tmp_path / "无.docx"), "-w", str(workspace.root)])
    assert missing.exit_code == 2
