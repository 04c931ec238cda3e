"""`reportgen plan import|show|diff`: the task breakdown (任务分解) and its master workbook."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reportgen.commands.chinese import group
from reportgen.commands.options import choice, echo, existing_file, rel, workspace_option
from reportgen.ledger import recorded_codes
from reportgen.model import KIND_LABEL, Plan, Section, plan_dict
from reportgen.plan.files import compare_files, import_into
from reportgen.plan.workbook import load_master
from reportgen.workspace import Workspace


@group()
def plan() -> None:
    """任务分解：导入、查看、比较。"""


def _plan_totals(plan: Plan) -> str:
    projects = [it for it in plan.items if it.section is Section.PROJECT]
    others = len(plan.items) - len(projects)
    total = sum(it.target_yi or 0.0 for it in projects)
    return (f"重点项目 {len(projects)} 个（年度投资任务合计 {total:g} 亿元），"
            f"其它重点任务 {others} 项，节点 {len(plan.milestones)} 个，责任单位 {len(plan.units)} 个")


@plan.command("import")
@click.argument("doc", metavar="文件", callback=existing_file)
@click.option("--discard-edits", is_flag=True,
              help="不保留原总表中的人工修改，完全按新文件生成总表（默认保留新文件未改动处的人工修改）")
@workspace_option
def plan_import(ws: Workspace, doc: Path, discard_edits: bool) -> None:
    """导入任务分解（Word、WPS、文本文件或 Excel 任务表），生成或更新 input/plan/ 下的总表。

    已有总表时，按项目名称对应，保留原有编号，原表备份到 input/plan/备份/，并列出变化；
    删去的项目和节点，编号不再给以后新增的使用（台账里有它的历史）；
    原总表中的人工修改（改日期、改单位、增删节点等），新文件未改动的部分默认保留；
    看似单位改名的，指出新旧名称和要在 reportgen.toml [units.aliases] 中写的一行。

    \b
    示例：
      reportgen plan import input/plan/source/2024年重点项目推进任务分解.txt
      reportgen plan import 任务分解（调整）.docx --discard-edits
    """
    done = import_into(doc, ws.plan_dir, ws.config, keep_edits=not discard_edits,
                       recorded=recorded_codes(ws.ledger_path))
    echo(f"已导入“{done.plan.title}”（{done.plan.year}年，版本 {done.plan.version}）")
    echo(_plan_totals(done.plan))
    echo(f"总表：{rel(done.path, ws.root)}")
    if done.diff is not None:
        echo(f"原总表已备份：{rel(done.backup, ws.root)}" if done.backup else "")
        echo("与原总表相比：")
        for line in done.diff.lines():
            echo(f"  {line}")
        for line in done.edit_lines():
            echo(line)
    for warning in done.warnings:
        echo(f"提示：{warning}", err=True)
    echo("请在 Excel/WPS 中核对总表；修改后无需重新导入，后续步骤直接读取总表。")


@plan.command("show")
@click.option("--format", "fmt", default="表格", metavar="表格|json", callback=choice("表格", "json"),
              show_default=True, help="输出格式：表格，或 json（供其他程序读取）")
@workspace_option
def plan_show(ws: Workspace, fmt: str) -> None:
    """显示当前总表中的项目、任务和节点。"""
    current = load_master(ws)
    if fmt == "json":
        echo(json.dumps(plan_dict(current), ensure_ascii=False, indent=2))
        return
    echo(f"{current.title}（{current.year}年，版本 {current.version}）")
    echo(_plan_totals(current))
    for item in current.items:
        target = ""
        if item.target_yi is not None:
            note = f"（{item.target_note}）" if item.target_note else ""
            target = f"  年度投资任务 {item.target_yi:g} 亿元{note}"
        echo("")
        echo(f"{item.code}  {item.name}{target}")
        echo(f"      责任单位：{'、'.join(item.units) or '（未填）'}")
        for requirement in (r for t in item.tasks for r in t.requirements):
            echo(f"      常态化要求：{requirement}")
        for m in item.milestones:
            due = f"{m.due:%Y-%m-%d}" if m.due else "（无时限）"
            amount = f" {m.amount_yi:g}亿元" if m.amount_yi is not None else ""
            echo(f"  {m.code}  {due}  [{KIND_LABEL[m.kind]}{amount}]  {m.text}")


@plan.command("diff")
@click.argument("old", metavar="旧文件", callback=existing_file)
@click.argument("new", metavar="新文件", callback=existing_file)
@workspace_option
def plan_diff(ws: Workspace, old: Path, new: Path) -> None:
    """比较两版任务分解（总表 .xlsx 或文件 .docx/.txt），按项目名称对应，列出增删改。

    \b
    示例：
      reportgen plan diff 备份/旧总表.xlsx 2024年任务分解（调整）.docx
    """
    for line in compare_files(old, new, ws.config).lines():
        echo(line)
