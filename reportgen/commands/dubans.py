"""`reportgen dubans [reply|read]`: the 督办 register and the units' replies."""

from __future__ import annotations

import datetime as dt

import click

from reportgen.commands.chinese import group
from reportgen.commands.options import as_date, echo, exit_with, open_workspace, workspace_option
from reportgen.pipeline import duban_ledger, read_duban_replies, record_duban_reply
from reportgen.terminal import duban_lines
from reportgen.workspace import Workspace


@group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="连同已销号、终止督办的一并列出")
@click.option("-w", "--workspace", "workspace", default=".", metavar="目录", show_default="当前目录",
              help="工作区目录")
@click.pass_context
def dubans(ctx: click.Context, show_all: bool, workspace: str) -> None:
    """督办台账：已发出的督办通知、所督办的节点、回复情况、是否已销号或终止督办、同一节点第几次督办。

    \b
    节点全部完成即销号；节点因任务分解调整删除或年度结束仍未完成而不再督办的，终止督办（不计入销号）；
    同一节点再次督办的，通知写明前次文号并加重措辞，通报点名；
    过了回复期限未回复的，下月通报催办。各单位报回的督办回复单用 reportgen dubans read 读入。
    示例：
      reportgen dubans --all
      reportgen dubans reply "同经开督字〔2024〕1号" --date 2024-7-10
      reportgen dubans read
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


@dubans.command("read")
@workspace_option
def dubans_read(ws: Workspace) -> None:
    """读取各单位报回的督办回复单（放在 input/replies/ 下，可分子文件夹），把回复记入台账。

    \b
    回复单随督办通知生成（output/<月份>/督办回复单/），单位填写回复日期和整改措施后报回。
    同一份回复单重复读取不会重复记录；run 时也会自动读取。
    """
    taken = read_duban_replies(ws)
    if not taken:
        echo(f"{ws.replies_dir} 下没有督办回复单")
        return
    for t in taken:
        echo(f"{'✔' if t.ok else '✘'} {t.name}：{t.message}")
    bad = sum(not t.ok for t in taken)
    echo(f"共 {len(taken)} 份，新记入 {sum(t.recorded for t in taken)} 份" + (f"，{bad} 份未能记入" if bad else ""))
    if bad:
        exit_with(1)
