"""`reportgen run`: a month's papers — check, reconcile, record, bulletin, notices, summary (PDF)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import click

from reportgen import pipeline
from reportgen.cn import format_date
from reportgen.commands.chinese import command
from reportgen.commands.options import as_date, choice, echo, exit_with, period_option, rel, workspace_option
from reportgen.model import STATUS_LABEL, Severity, Status
from reportgen.plan.inforce import PlanChoice
from reportgen.terminal import duban_summary
from reportgen.workspace import Workspace


@command()
@period_option
@click.option("--as-of", callback=as_date, metavar="日期",
              help="数据截止日（各单位报送的是这一天结束时的情况），如 2024-7-15、2024年7月15日；默认为该月最后一天")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换 PDF，并合成会议材料.pdf")
@click.option("--plan", "plan_choice", default="沿用", metavar="沿用|当前", show_default=True,
              callback=choice("沿用", "当前", aliases={"recorded": "沿用", "current": "当前"}),
              help="重新运行已运行过的月份时采用的任务分解：沿用 该月上次运行时的版本；"
                   "当前 按当前总表重新核定")
@workspace_option
def run(ws: Workspace, period: str, as_of: dt.date | None, pdf: bool, plan_choice: str) -> None:
    """生成本月全部材料：校验 → 核对 → 记入台账 → 通报、通知、汇总表（→ PDF）。

    \b
    重新运行以前的月份时，默认沿用该月上次运行时的任务分解，结果与已印发的一致；
    任务分解调整后如需按新版本重新核定，加 --plan 当前。
    示例：
      reportgen run --period 2024-06
      reportgen run --period 2024-07 --as-of 2024-07-15 --pdf
      reportgen run --period 2024-06 --plan 当前
    退出码：0 全部正常；1 已生成，但报送表有错误或有文件未能生成；2 用法错误。
    """
    report = pipeline.run_period(
        ws, period, as_of=as_of, pdf=pdf, progress=_progress_hook,
        plan_choice=PlanChoice.CURRENT if plan_choice == "当前" else PlanChoice.RECORDED)
    _print_run_summary(report, ws.root)
    exit_with(1 if report.has_errors else 0)


def _progress_hook(label: str, total: int) -> Callable[[int], None]:
    """Show one line per stage; a bar when the stage knows how many steps it has."""
    if total <= 0:
        click.echo(f"· {label}……", err=True)
        return lambda n: None
    bar = click.progressbar(length=total, label=f"· {label}", file=sys.stderr)
    bar.render_progress()

    def advance(n: int) -> None:
        bar.update(n)
        if bar.pos >= total:
            bar.render_finish()

    return advance


def _print_run_summary(report: pipeline.RunReport, root: Path) -> None:
    """Print the end-of-run summary: reporting, statuses, issues, files."""
    result = report.result
    sent = [u.name for u in result.units if u.submitted]
    missing = [u.name for u in result.units if u.missing]
    excused = [u.name for u in result.units if u.exempt]
    if report.plan_note:
        echo(report.plan_note)
    echo(f"{result.period} 数据截止日 {format_date(result.as_of)}：应报 {len(result.units)} 个单位，"
         f"已报 {len(sent)} 个，未报 {len(missing)} 个"
         + (f"，本月免报 {len(excused)} 个" if excused else ""))
    if missing:
        echo("  未报送：" + "、".join(missing))
    if excused:
        echo("  本月免报：" + "、".join(excused))
    counts = report.status_counts()
    echo("节点：" + "，".join(f"{STATUS_LABEL[s]} {counts.get(s, 0)}" for s in Status))
    errors = sum(1 for i in result.issues if i.severity is Severity.ERROR)
    warnings = sum(1 for i in result.issues if i.severity is Severity.WARNING)
    echo(f"校验：错误 {errors} 条，警告 {warnings} 条（详见 校验报告.xlsx）")
    if result.dubans:
        echo(duban_summary(result, report.replies_recorded))
    for failure in report.failures:
        echo(f"未能生成：{failure}", err=True)
    for note in report.warnings:
        echo(f"提示：{note}", err=True)
    folders: dict[str, int] = {}
    for path in report.written:
        key = rel(path.parent, root)
        folders[key] = folders.get(key, 0) + 1
    echo(f"共写出 {len(report.written)} 个文件：")
    for folder, n in sorted(folders.items()):
        echo(f"  {folder}/  {n} 个")
    if report.log_path:
        echo(f"运行日志：{rel(report.log_path, root)}")
