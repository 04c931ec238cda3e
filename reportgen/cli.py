"""Command line: thin commands over the library. The only module that imports click.

Heavy libraries are imported inside commands so that `--help` and `status` start fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reportgen.errors import ReportgenError, UsageError
from reportgen.model import parse_period

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_period(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是有效的月份，应写作 YYYY-MM，如 2024-06") from None


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"“{value}”不是有效的日期，应写作 YYYY-MM-DD，如 2024-06-30") from None


def period_option(func: F) -> F:
    """Add the required `--period YYYY-MM` option."""
    return click.option(
        "--period", "-p", required=True, callback=_period, metavar="YYYY-MM",
        help="报送月份，如 2024-06",
    )(func)


def workspace_option(func: F) -> F:
    """Add `-w DIR` and pass the opened workspace as `ws`."""

    @click.option(
        "-w", "--workspace", "workspace", type=click.Path(file_okay=False, path_type=Path),
        default=Path("."), show_default="当前目录", help="工作区目录",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, workspace: Path, **kwargs: Any) -> Any:
        from reportgen.workspace import open_workspace

        return func(*args, ws=open_workspace(workspace), **kwargs)

    return wrapper  # type: ignore[return-value]


class _Group(click.Group):
    """Turns library errors into Chinese messages and exit codes (1 error, 2 usage)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise click.UsageError(str(exc), ctx) from None
        except ReportgenError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="reportgen", message="reportgen %(version)s")
def main() -> None:
    """重点项目督查督办月度报表工具。

    \b
    每月流程：
      reportgen forms --period 2024-06     生成各单位报送表
      reportgen check --period 2024-06     校验各单位报回的表格
      reportgen run   --period 2024-06     生成通报、督办通知和汇总表
    """


@main.group(context_settings=CONTEXT)
def plan() -> None:
    """任务分解：导入、查看、比较。"""


def echo(message: str = "", err: bool = False) -> None:
    """Print a line (to stderr with err=True)."""
    click.echo(message, err=err)


# ---------------------------------------------------------------- run (integrator)


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


@main.command(context_settings=CONTEXT)
@period_option
@click.option("--as-of", callback=_date, metavar="YYYY-MM-DD", help="截止日期，默认为该月最后一天")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换 PDF，并合成会议材料.pdf")
@workspace_option
def run(ws: Any, period: str, as_of: dt.date | None, pdf: bool) -> None:
    """生成本月全部材料：校验 → 核对 → 记入台账 → 通报、通知、汇总表（→ PDF）。

    \b
    示例：
      reportgen run --period 2024-06
      reportgen run --period 2024-07 --as-of 2024-07-15 --pdf
    退出码：0 全部正常；1 已生成，但报送表有错误或有文件未能生成；2 用法错误。
    """
    from reportgen.pipeline import run_period

    report = run_period(ws, period, as_of=as_of, pdf=pdf, progress=_progress_hook)
    _print_run_summary(report, ws.root)
    if report.has_errors:
        sys.exit(1)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _print_run_summary(report: Any, root: Path) -> None:
    """Print the end-of-run summary: reporting, statuses, issues, files."""
    from reportgen.model import STATUS_LABEL, Severity, Status

    result = report.result
    sent = [u.name for u in result.units if u.submitted]
    missing = [u.name for u in result.units if not u.submitted]
    echo(f"{result.period} 截止 {result.as_of:%Y-%m-%d}：应报 {len(result.units)} 个单位，"
         f"已报 {len(sent)} 个，未报 {len(missing)} 个")
    if missing:
        echo("  未报送：" + "、".join(missing))
    counts = report.status_counts()
    echo("节点：" + "，".join(f"{STATUS_LABEL[s]} {counts.get(s, 0)}" for s in Status))
    errors = sum(1 for i in result.issues if i.severity is Severity.ERROR)
    warnings = sum(1 for i in result.issues if i.severity is Severity.WARNING)
    echo(f"校验：错误 {errors} 条，警告 {warnings} 条（详见 校验报告.xlsx）")
    for failure in report.failures:
        echo(f"未能生成：{failure}", err=True)
    for note in report.warnings:
        echo(f"提示：{note}", err=True)
    folders: dict[str, int] = {}
    for path in report.written:
        key = _rel(path.parent, root)
        folders[key] = folders.get(key, 0) + 1
    echo(f"共写出 {len(report.written)} 个文件：")
    for folder, n in sorted(folders.items()):
        echo(f"  {folder}/  {n} 个")
    if report.log_path:
        echo(f"运行日志：{_rel(report.log_path, root)}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
