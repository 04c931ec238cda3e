"""`reportgen history`: the year month by month, from the ledger (loads pandas: this command only)."""

from __future__ import annotations

import click

from reportgen.commands.chinese import command
from reportgen.commands.options import echo, rel, workspace_option
from reportgen.history import write_year_history
from reportgen.workspace import Workspace


def as_year(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Return the year a person typed (2024 or 2024年)."""
    if value is None:
        return None
    text = value.strip().removesuffix("年")
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        raise click.BadParameter(f"“{value}”不是有效的年度，可写作 2024 或 2024年")
    return int(text)


@command()
@click.option("--year", "-y", callback=as_year, metavar="年度", help="年度，如 2024；默认为台账中最近运行的年度")
@workspace_option
def history(ws: Workspace, year: int | None) -> None:
    """逐月进度：各项目累计完成投资、完成率与序时进度、节点状态、各单位逾期节点，逐月成表并附图。

    \b
    按台账中已运行的月份汇总（至少两个月），写入 output/历史/<年度>年重点项目逐月进度.xlsx：
    每个项目一张完成率与序时进度对比图，每个单位一张逾期节点图。
    “连续两个月低于序时进度”与进度通报的判断相同。
    示例：
      reportgen history
      reportgen history --year 2024
    """
    made = write_year_history(ws, year)
    echo(f"已生成逐月进度（{made.periods[0]} 至 {made.periods[-1]}，共 {len(made.periods)} 个月；"
         f"项目 {made.projects} 个，节点 {made.milestones} 个，单位 {made.units} 个）：{rel(made.path, ws.root)}")
    for name, months in made.trend:
        echo(f"  {name}：已连续 {months} 个月低于序时进度")
