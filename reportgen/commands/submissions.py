"""`reportgen submissions [accept|withdraw|exempt|reinstate]`: the files each unit sent and the
office's decisions about them (recorded in the ledger)."""

from __future__ import annotations

import click

from reportgen.commands.chinese import group
from reportgen.commands.options import as_period, echo, open_workspace, period_option, workspace_option
from reportgen.intake import ACTION_LABEL, Action
from reportgen.pipeline import decide_submission, list_submissions
from reportgen.terminal import submissions_lines
from reportgen.workspace import Workspace


@group(invoke_without_command=True)
@click.option("--period", "-p", callback=as_period, metavar="月份", help="报送月份，如 2024-06")
@click.option("-w", "--workspace", "workspace", default=".", metavar="目录",
              show_default="当前目录", help="工作区目录")
@click.pass_context
def submissions(ctx: click.Context, period: str | None, workspace: str) -> None:
    """各单位报来的文件：采用哪一份及原因；指定采用、撤回，或本月免报某单位。

    \b
    列出每个单位收到的全部文件、采用哪一份及原因、各自的问题；指定采用、撤回某份文件，
    或本月免报某单位（记入台账，check、status、run 都按此办理）。
    哪一份被采用，按台账中记录的收到先后（按文件内容识别，复制、备份工作区不会改变），
    不看文件修改时间；督查办指定采用或撤回的，以指定为准。
    示例：
      reportgen submissions --period 2024-06
      reportgen submissions accept --period 2024-06 "建设管理部（更正）.xlsx" --note "6月8日电话确认"
      reportgen submissions withdraw --period 2024-06 "建设管理部.xlsx"
      reportgen submissions exempt --period 2024-06 华睿集团 --note "项目暂停，经领导同意本月免报"
      reportgen submissions reinstate --period 2024-06 华睿集团
    """
    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        raise click.UsageError("请用 --period 指定月份，如 reportgen submissions --period 2024-06", ctx)
    for line in submissions_lines(list_submissions(open_workspace(workspace), period)):
        echo(line)


def _decision_command(action: Action, argument: str, summary: str) -> None:
    """Add `reportgen submissions <action>` recording one decision about a file or a unit."""

    @submissions.command(action.value, help=summary)
    @period_option
    @click.argument("target", metavar=argument)
    @click.option("--note", default="", metavar="说明", help="说明（如经谁同意、何时电话确认），记入台账")
    @workspace_option
    def decide(ws: Workspace, period: str, target: str, note: str) -> None:
        d = decide_submission(ws, period, action, target, note)
        what = f"“{d.file_name}”（{d.unit}）" if d.file_name else f"“{d.unit}”"
        echo(f"已记入台账：{period} {ACTION_LABEL[action]} {what}" + (f"，说明：{note}" if note else ""))
        echo("请重新运行 check 或 run，使结果按此办理")


_decision_command(Action.ACCEPT, "文件", "指定采用某份文件（该单位本月以此为准）。")
_decision_command(Action.WITHDRAW, "文件", "撤回某份文件（不再采用，如报错了单位、报错了月份）。")
_decision_command(Action.EXEMPT, "单位", "本月免报某单位（不催报，不计入未报送）。")
_decision_command(Action.REINSTATE, "文件或单位", "恢复：取消对某份文件的撤回，或取消某单位的本月免报。")
