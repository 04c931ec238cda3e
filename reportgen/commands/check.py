"""`reportgen check`: the returned forms checked, with a 校验报告 and feedback for each unit."""

from __future__ import annotations

from reportgen.checking import check_period
from reportgen.commands.chinese import command
from reportgen.commands.options import echo, exit_with, period_option, rel, workspace_option
from reportgen.model import Severity
from reportgen.template_versions import stale_notes
from reportgen.workspace import Workspace


@command()
@period_option
@workspace_option
def check(ws: Workspace, period: str) -> None:
    """校验各单位报回的报送表，生成校验报告和退回各单位的校验反馈。

    \b
    读取 input/submissions/<月份>/ 下的全部文件（原文件只读不改），
    写入 output/<月份>/校验报告.xlsx 和 output/<月份>/校验反馈/<单位>.xlsx。
    示例：
      reportgen check --period 2024-06
    退出码：0 全部文件无错误和警告；1 发现问题（见校验报告）；2 用法错误。
    """
    outcome = check_period(ws, period)
    result, paths = outcome.ingest, outcome.paths
    subs = {s.unit: s for s in result.submissions}
    echo(f"{period} 报送校验：应报 {len(result.expected_units)} 个单位，已报送 {len(subs)} 个，"
         f"未报送 {len(result.missing_units)} 个；共读取 {len(result.files)} 个文件")
    width = max((len(u) for u in [*result.expected_units, *subs]), default=8)
    for unit in [*result.expected_units, *(u for u in subs if u not in result.expected_units)]:
        own = [i for i in result.issues if i.unit == unit]
        errors = sum(i.severity is Severity.ERROR for i in own)
        warnings = sum(i.severity is Severity.WARNING for i in own)
        state = "已报送" if unit in subs else "未报送"
        echo(f"  {unit}{'　' * (width - len(unit))}  {state}  错误 {errors}  警告 {warnings}")
    stray = [f for f in result.files if f.submission is None]
    for f in stray:
        echo(f"  未能识别或未读取的文件：{f.name}（{f.issues[0].message if f.issues else ''}）")
    echo(f"校验报告：{rel(paths[0], ws.root)}")
    if len(paths) > 1:
        echo(f"校验反馈（{len(paths) - 1} 个单位）：{rel(paths[1].parent, ws.root)}/")
    bad = [i for i in result.issues if i.severity is not Severity.INFO]
    if bad:
        echo(f"发现问题 {len(bad)} 条，请查看校验报告，并将校验反馈发给有关单位修改")
    else:
        echo("全部文件校验通过")
    for note in stale_notes(ws.root / "templates"):
        echo(f"提示：{note}", err=True)
    exit_with(1 if bad else 0)
