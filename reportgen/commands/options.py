"""What the commands share: option callbacks that check values in Chinese, the `--period` and
`-w` options, opening the workspace, and printing."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reportgen.cn import typed_date
from reportgen.config import Config, sample_identity_left
from reportgen.model import parse_period
from reportgen.workspace import Workspace, find_workspace

F = TypeVar("F", bound=Callable[..., Any])
Callback = Callable[[click.Context, click.Parameter, str | None], Any]

SAMPLE_CONTACT_WARNING = (
    "！！注意：reportgen.toml 中的联系人仍是示例（{person}，{phone}），会印在发给各单位的报送表上。"
    "请在 [office] 下改为本单位的 contact_person 和 contact_phone ！！"
)
SAMPLE_IDENTITY_WARNING = (
    "！！注意：reportgen.toml 中已改为本单位的发文机关，但以下各项仍是示例（大同经开区）的：{keys}，"
    "会印在公文和发文字号上。请一并改为本单位的 ！！"
)


def as_period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Return the period a person typed as YYYY-MM (2024-06, 2024-6, 202406, 2024年6月, 2024.6)."""
    if value is None:
        return None
    try:
        return parse_period(value)
    except ValueError:
        raise click.BadParameter(
            f"“{value}”不是有效的月份，可写作 2024-06、2024-6、202406、2024年6月 或 2024.6"
        ) from None


def as_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Return the day a person typed, read as the forms' date cells are (year from --period)."""
    if value is None:
        return None
    period = ctx.params.get("period")
    parts = typed_date(value, int(period[:4]) if period else dt.date.today().year)
    try:
        if parts is not None:
            return dt.date(*parts)
    except ValueError:
        pass
    raise click.BadParameter(f"“{value}”不是有效的日期，可写作 2024-7-5、2024.7.5、2024年7月5日 或 2024-07-05")


def as_port(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Return a TCP port number (1–65535)."""
    if value is None:
        return None
    if not value.strip().isdigit() or not 1 <= int(value) <= 65535:
        raise click.BadParameter(f"“{value}”不是有效的端口号，应为 1 到 65535 之间的整数")
    return int(value)


def existing_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """Return the path of a file that exists (not a folder)."""
    if value is None:
        return None
    path = Path(value)
    if not path.exists():
        raise click.BadParameter(f"找不到文件“{value}”")
    if path.is_dir():
        raise click.BadParameter(f"“{value}”是文件夹，应为文件")
    return path


def new_folder(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    """Return the path of a folder to make (or an existing folder), never of a file."""
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"“{value}”是文件，应为文件夹")
    return path


def choice(*choices: str, aliases: dict[str, str] | None = None) -> Callback:
    """Return a callback accepting one of `choices` (or an alias of one, given as that one)."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None or value in choices:
            return value
        if aliases and value in aliases:
            return aliases[value]
        raise click.BadParameter(f"“{value}”不在可选范围内，可选：{'、'.join(choices)}")

    return check


def period_option(func: F) -> F:
    """Add the required `--period` option (2024-06, 2024-6, 202406, 2024年6月, 2024.6)."""
    return click.option(
        "--period", "-p", required=True, callback=as_period, metavar="月份",
        help="报送月份，如 2024-06、2024年6月、202406",
    )(func)


def workspace_option(func: F) -> F:
    """Add `-w DIR` and pass the opened workspace as `ws` (found from any subfolder)."""

    @click.option(
        "-w", "--workspace", "workspace", default=".", metavar="目录",
        show_default="当前目录", help="工作区目录（在工作区的子文件夹中运行时自动向上查找）",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, workspace: str, **kwargs: Any) -> Any:
        return func(*args, ws=open_workspace(workspace), **kwargs)

    return wrapper  # type: ignore[return-value]


def open_workspace(workspace: str) -> Workspace:
    """Return the workspace holding `workspace`, warning while the sample contact is configured."""
    ws = find_workspace(Path(workspace))
    office = ws.config.office
    if office.has_sample_contact():
        echo(SAMPLE_CONTACT_WARNING.format(person=office.contact_person, phone=office.contact_phone),
             err=True)
    left = sample_identity_left(ws.config)
    if left:
        echo(SAMPLE_IDENTITY_WARNING.format(
            keys="、".join(f"{key}（{_value(ws.config, key)}）" for key in left)), err=True)
    return ws


def _value(config: Config, key: str) -> str:
    section, name = key.split(".")
    return str(getattr(getattr(config, section), name))


def echo(message: str = "", err: bool = False) -> None:
    """Print a line (to stderr with err=True)."""
    click.echo(message, err=err)


def exit_with(code: int) -> None:
    """Leave the command with exit code `code` (click's way: no sys.exit in commands)."""
    if code:
        raise click.exceptions.Exit(code)


def rel(path: Path, root: Path) -> str:
    """Return `path` relative to the workspace `root` when it lies inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
