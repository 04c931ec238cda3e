"""click in Chinese: the help layout, usage errors, and the command and group classes every
command uses. Imports nothing of the library but its exceptions (the group help loads this).

click writes its own words (headings, usage errors) in English. The classes below give it
Chinese ones: the help layout through a formatter, the errors through one function that
reads the exception's fields. Parameter types that click would judge in English
(paths, choices) are checked in callbacks instead (reportgen.commands.options).
"""

from __future__ import annotations

import gc
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

import click

from reportgen.errors import ReportgenError, UsageError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# A command builds large structures that live to its end (a city's plan of 12,000 nodes, the
# cells of a workbook); at Python's default thresholds (700, 10, 10) the cycle collector walks
# them again and again: 0.5 s CPU of `check` and 1.2 s of `plan import` on a city. Collecting
# after every 50,000 new objects still frees every cycle, a few MB later (peak memory unchanged).
GC_THRESHOLDS = (50_000, 10, 10)
INTERRUPTED = "已中断，输出未更改"

_HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数"}
_EXTRA = (("default: ", "默认："), ("env var: ", "环境变量："), ("required", "必填"))


class _Formatter(click.HelpFormatter):
    """Help text with Chinese headings, usage prefix and option notes."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix or "用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        # click measures characters, not columns: a Chinese metavar would misalign the table
        rows = [(term, _zh_extra(text)) for term, text in rows]
        first = min(max((_columns(term) for term, _ in rows), default=0), col_max)
        indent = " " * self.current_indent
        for term, text in rows:
            gap = first - _columns(term) + col_spacing
            if gap < col_spacing:
                self.write(f"{indent}{term}\n")
                gap = first + col_spacing
                term = ""
            self.write(f"{indent}{term}{' ' * gap}{text}\n" if text else f"{indent}{term}\n")


def _columns(text: str) -> int:
    """Return how many terminal columns `text` takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _zh_extra(text: str) -> str:
    """Return an option's help with click's trailing `[default: …; required]` in Chinese."""
    head, sep, tail = text.rpartition("  [")
    if not sep and text.startswith("["):
        head, tail = "", text[1:]
    elif not sep:
        return text
    parts = tail.removesuffix("]").split("; ")
    for english, chinese in _EXTRA:
        parts = [chinese + p[len(english):] if p.startswith(english) else p for p in parts]
    return f"{head}  [{'；'.join(parts)}]" if head else f"[{'；'.join(parts)}]"


class _Context(click.Context):
    formatter_class = _Formatter


class Command(click.Command):
    """A command whose help and usage line are in Chinese."""

    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出"
        return option


class Group(Command, click.Group):
    """A group in Chinese that turns library errors into messages and exit codes (1 error, 2 usage),
    and Ctrl-C into “已中断，输出未更改” with exit code 130."""

    command_class = Command
    group_class = type  # sub-groups are of this class too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise click.UsageError(str(exc), ctx) from None
        except ReportgenError as exc:
            raise click.ClickException(str(exc)) from None

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo(f"\n{INTERRUPTED}", err=True)
            sys.exit(130)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            _show_usage_error(exc)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"错误：{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def command(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Command]:
    """Return click's command decorator making a Chinese `Command` (-h and --help)."""
    return click.command(name, cls=Command, context_settings=CONTEXT, **kwargs)


def group(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Group]:
    """Return click's group decorator making a Chinese `Group` (-h and --help)."""
    return click.group(name, cls=Group, context_settings=CONTEXT, **kwargs)


def _show_usage_error(exc: click.UsageError) -> None:
    ctx = exc.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"运行“{ctx.command_path} -h”查看帮助。", err=True)
    click.echo(f"错误：{usage_message(exc)}", err=True)


def _hint(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        return f"选项“{' / '.join(param.opts)}”"
    return f"参数“{param.make_metavar(ctx) if ctx else param.human_readable_name}”"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


_ENGLISH_USAGE = (
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), "多余的参数：{0}"),
    (re.compile(r"Missing command\."), "缺少命令"),
    (re.compile(r"Option '(.*)' does not take a value\."), "选项“{0}”不带取值"),
    (re.compile(r"Option '(.*)' requires (?:an argument|\d+ arguments)\."), "选项“{0}”后面缺少取值"),
)


def usage_message(exc: click.UsageError) -> str:
    """Return the Chinese text of a usage error click raised (its own messages are English)."""
    ctx = exc.ctx
    if isinstance(exc, click.MissingParameter):
        return f"缺少必填的{_hint(exc.param, ctx)}"
    if isinstance(exc, click.exceptions.NoSuchOption):
        near = "，是否要用：" + "、".join(sorted(exc.possibilities)) if exc.possibilities else ""
        return f"没有“{exc.option_name}”这个选项{near}"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        near = "，是否要用：" + "、".join(sorted(exc.possibilities)) if exc.possibilities else ""
        return f"没有“{exc.command_name}”这个命令{near}"
    if isinstance(exc, click.BadParameter):
        reason = exc.message if _has_chinese(exc.message) else "取值无效"
        return f"{_hint(exc.param, ctx)}的取值有误：{reason}"
    for pattern, text in _ENGLISH_USAGE:
        if m := pattern.match(exc.message):
            return text.format(*m.groups())
    return exc.message if _has_chinese(exc.message) else "命令用法有误"
