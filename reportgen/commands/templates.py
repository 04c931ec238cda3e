"""`reportgen templates`: the workspace's templates against the bundled ones; update or keep them."""

from __future__ import annotations

import click

from reportgen.commands.chinese import command
from reportgen.commands.options import echo, open_workspace, rel
from reportgen.errors import UsageError
from reportgen.template_versions import STALE, State, keep_templates, template_states, update_templates


@command()
@click.argument("names", nargs=-1, metavar="[模板名称…]")
@click.option("--update", is_flag=True,
              help="换成程序自带的新版：不写名称时只换未修改过的旧版；"
                   "改过的要写出名称才换，原文件另存到 templates/备份/")
@click.option("--keep", is_flag=True, help="保留所列的本单位改过的模板，记为已对照新版（不再提示）")
@click.option("-w", "--workspace", "workspace", default=".", metavar="目录", show_default="当前目录",
              help="工作区目录（在工作区的子文件夹中运行时自动向上查找）")
def templates(names: tuple[str, ...], update: bool, keep: bool, workspace: str) -> None:
    """模板：工作区的模板与程序自带的比较；换成新版，或保留本单位改过的。

    \b
    工作区建立时复制了一份程序自带的模板；程序更新后，自带模板的改进不会自动进入这份。
    示例：
      reportgen templates
      reportgen templates --update
      reportgen templates --update 督办通知.docx
      reportgen templates --keep 进度通报.docx
    """
    if update and keep:
        raise UsageError("--update 和 --keep 只能用一个")
    if keep and not names:
        raise UsageError("--keep 要写出保留的模板名称，例如 reportgen templates --keep 进度通报.docx")
    if names and not (update or keep):
        raise UsageError("写了模板名称时要加 --update（换成新版）或 --keep（保留）")
    ws = open_workspace(workspace)  # after the options are checked: its warnings are not the answer
    own = ws.root / "templates"
    if update:
        done = update_templates(own, names)
        for u in done:
            redo = "；这是本单位改过的，请对照备份把需要的改动补到新版中" if u.edited else ""
            echo(f"已换成新版：{u.name}，原文件已另存为 {rel(u.backup, ws.root)}{redo}")
        if not done:
            echo("没有需要更换的模板")
    elif keep:
        kept = keep_templates(own, names)
        echo(f"已记为对照过新版，不再提示：{'、'.join(kept)}" if kept else "所列模板没有改过，无需保留")
    for t in template_states(own):
        mark = "！" if t.state in STALE else " "
        echo(f"{mark} {t.name}：{t.state.value}")
    stale = [t for t in template_states(own) if t.state in STALE]
    if any(t.state is State.OLD for t in stale):
        echo("未修改过的旧版可用 reportgen templates --update 换成新版")
    if any(t.state is not State.OLD for t in stale):
        echo("改过的：对照新版后 --update 名称 换成新版（原文件另存备份），或 --keep 名称 保留")
