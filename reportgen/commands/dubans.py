"""`reportgen dubans [reply]`: the 督办 register and the units' replies."""

from __future__ import annotations

import datetime as dt

import click

from reportgen.commands.chinese import group
from reportgen.commands.options import as_date, echo, open_workspace, workspace_option
from reportgen.pipeline import duban_ledger, record_duban_reply
from reportgen.terminal import duban_lines
from reportgen.workspace import Workspace


@group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="连同已销号的一并列出")
@click.option("-w", "--workspace", "workspace", default=".", metavar="目录", show_default="当前目录",
              help="工作区目录")
@click.pass_context
def dubans(ctx: click.Context, show_all: bool, workspace: str) -> None:
    """督办台账：已发出的督办通知、所督办的节点、回复情况、是否已销号、同一节点第几次督办。

    \b
    节点全部完成即销号；同一节点第二次被督办的标为“建议升级督办”；过了回复期限未回复的应予催办。
    示例：
      reportgen dubans --all
      reportgen dubans reply "同经开督字〔2024〕1号" --date 2024-7-10
    """
    if ctx.invoked_subcommand is None:
        for line in duban_lines(duban_ledger(open_workspace(workspace)), dt.date.today(), show_all):
            echo(line)


@dubans.command("reply")
@click.argument("doc_no", metavar="文号")
@click.option("--date", "replied_on", callback=as_date, metavar="日期", help="收到回复的日期，默认今天")
@click.option("--note", default="", metavar="说明", help="回复要点，记入台账")
@workspace_option
def dubans_reply(ws: Workspace, doc_no: str, replied_on: dt.date | None, note: str) -> None:
    """记录某单位对督办通知的回复（按文号）。"""
    d = record_duban_reply(ws, doc_no, replied_on or dt.date.today(), note)
    echo(f"已记入台账：{d.doc_no}（{d.unit}）{d.reply_state(dt.date.today())}")
