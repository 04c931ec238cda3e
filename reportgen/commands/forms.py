"""`reportgen forms`: one report form (报送表) per responsible unit."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from reportgen.calendar import report_deadline
from reportgen.cn import earlier_month
from reportgen.commands.chinese import command
from reportgen.commands.options import echo, period_option, rel, workspace_option
from reportgen.pipeline import distribute_forms, make_forms
from reportgen.web.links import unit_links
from reportgen.workspace import Workspace


@command()
@period_option
@click.option("--分发", "--distribute", "distribute", is_flag=True,
              help="同时为每个单位打一个压缩包（报送表、填报说明、本月发给它的通知），便于政务微信或邮件发送")
@workspace_option
def forms(ws: Workspace, period: str, distribute: bool) -> None:
    """生成各责任单位的报送表（每个单位一个 Excel 文件）。

    \b
    按任务分解总表，为每个责任单位生成本月报送表，只列该单位承担的项目和节点，
    写入 output/<月份>/报送表/，发给各单位填报。
    加 --分发，另在 output/<月份>/分发/ 下为每个单位打一个压缩包（如“2024年7月_规划和自然资源分局.zip”），
    内有本单位报送表、填报说明.txt 和本月已生成的督办通知、提醒函、催报通知；
    reportgen.toml 设了 web.base_url（网上报送）时，填报说明中附本单位的上传链接。
    示例：
      reportgen forms --period 2024-06
      reportgen forms --period 2024-07 --分发
    """
    made = make_forms(ws, period)
    paths = made.paths
    if not paths:
        echo(f"总表 {made.plan_file.name} 中没有需要报送的单位，未生成报送表")
        return
    folder = paths[0].parent
    deadline = report_deadline(period, ws.config)
    echo(f"已生成 {len(paths)} 份报送表（{period}，报送截止日期 {deadline.year}年{deadline.month}月"
         f"{deadline.day}日）：{rel(folder, ws.root)}/")
    for path in paths:
        echo(f"  {path.name}")
    if made.prefilled_from and made.prefilled_from[:4] != period[:4]:
        echo(f"已按台账中 {made.prefilled_from} 的报送数据预填完成时限在上一年、今年继续推进的节点")
    elif made.prefilled_from:
        words = earlier_month(period, made.prefilled_from)
        echo(f"已按台账中 {made.prefilled_from} 的报送数据预填“{words}累计”和各节点情况")
    others = sorted(p.name for p in folder.iterdir() if p.is_file() and p not in paths)
    if others:
        echo(f"注意：该文件夹中另有 {len(others)} 个文件不是本次生成的（{'、'.join(others)}），"
             "请勿一并发出", err=True)
    if distribute:
        _distribute(ws, period, paths)


def _distribute(ws: Workspace, period: str, paths: list[Path]) -> None:
    """Pack and list each unit's zip; the upload links only when the pages have an address units can reach."""
    links = functools.partial(unit_links, ws, period) if ws.config.web.base_url else None
    made = distribute_forms(ws, period, paths, links)
    echo(f"已为 {len(made.packs)} 个单位打包（可通过政务微信或邮件分别发送）：{rel(made.folder, ws.root)}/")
    for pack in made.packs:
        extra = [Path(name).stem for name in pack.entries[1:-1]]  # between the form and the 填报说明
        echo(f"  {pack.path.name}" + (f"（含{'、'.join(extra)}）" if extra else ""))
        for note in pack.left_out:
            echo(f"    注意：{note}", err=True)
    for note in made.missing:
        echo(f"注意：{note}", err=True)
    if not links:
        echo("未附网上报送链接（reportgen.toml 的 web.base_url 未设置）")
