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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
