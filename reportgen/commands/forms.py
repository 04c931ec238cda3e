"""`reportgen forms`: one report form (报送表) per responsible unit."""

from __future__ import annotations

from reportgen.calendar import report_deadline
from reportgen.commands.chinese import command
from reportgen.commands.options import echo, period_option, rel, workspace_option
from reportgen.pipeline import make_forms
from reportgen.workspace import Workspace


@command()
@period_option
@workspace_option
def forms(ws: Workspace, period: str) -> None:
    """生成各责任单位的报送表（每个单位一个 Excel 文件）。

    \b
    按任务分解总表，为每个责任单位生成本月报送表，只列该单位承担的项目和节点，
    写入 output/<月份>/报送表/，发给各单位填报。
    示例：
      reportgen forms --period 2024-06
    """
    made = make_forms(ws, period)
    paths = made.paths
    if not paths:
        echo(f"总表 {made.plan_file.name} 中没有需要报送的单位，未生成报送表")
        return
    folder = paths[0].parent
    deadline = report_deadline(period, ws.config)
    echo(f"已生成 {len(paths)} 份报送表（{period}，报送截止 {deadline.year}年{deadline.month}月"
         f"{deadline.day}日）：{rel(folder, ws.root)}/")
    for path in paths:
        echo(f"  {path.name}")
    if made.prefilled_from:
        echo(f"已按台账中 {made.prefilled_from} 的报送数据预填“上月累计”和各节点情况")
    others = sorted(p.name for p in folder.iterdir() if p.is_file() and p not in paths)
    if others:
        echo(f"注意：该文件夹中另有 {len(others)} 个文件不是本次生成的（{'、'.join(others)}），"
             "请勿一并发出", err=True)
