"""Command line: the `reportgen` group and its table of commands.

Each command lives in a module of `reportgen.commands` that imports the library at its top. The
group imports a command's module only when that command runs or its help is asked for (click's
lazy group), so `reportgen --help` loads click and none of the library: the stages pull in
openpyxl, docxtpl, calamine and a process pool, and `serve` the web server (flask).
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from typing import Any

import click

from reportgen.commands.chinese import CONTEXT, Group

# name → ("module:command", its one-line help for `reportgen --help`, kept equal to the first line
# of the command's docstring by tests/test_cli_chinese.py). Listed in the order of a month's work.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("reportgen.commands.init:init", "新建工作区：配置文件、模板和 input/ output/ history/ 目录。"),
    "plan": ("reportgen.commands.plan:plan", "任务分解：导入、查看、比较。"),
    "forms": ("reportgen.commands.forms:forms", "生成各责任单位的报送表（每个单位一个 Excel 文件）。"),
    "status": ("reportgen.commands.status:status", "查看某月报送情况：哪些单位已报、未报，距报送截止还有几天。"),
    "check": ("reportgen.commands.check:check", "校验各单位报回的报送表，生成校验报告和退回各单位的校验反馈。"),
    "submissions": ("reportgen.commands.submissions:submissions",
                    "各单位报来的文件：采用哪一份及原因；指定采用、撤回，或本月免报某单位。"),
    "run": ("reportgen.commands.run:run", "生成本月全部材料：校验 → 核对 → 记入台账 → 通报、通知、汇总表（→ PDF）。"),
    "history": ("reportgen.commands.history:history",
                "逐月进度：各项目累计完成投资、完成率与序时进度、节点状态、各单位逾期节点，逐月成表并附图。"),
    "dubans": ("reportgen.commands.dubans:dubans",
               "督办台账：已发出的督办通知、所督办的节点、回复情况、是否已销号或终止督办、同一节点第几次督办。"),
    "templates": ("reportgen.commands.templates:templates",
                  "模板：工作区的模板与程序自带的比较；换成新版，或保留本单位改过的。"),
    "serve": ("reportgen.commands.serve:serve",
              "启动报送网页：各单位凭专用链接上传报送表，督查办登录查看报送情况、生成材料。"),
}


class LazyGroup(Group):
    """A group whose commands are imported by name when they are used (click's documented
    lazy-loading pattern); its own help lists them from the table without importing them."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, _, name = self.lazy[cmd_name][0].partition(":")
        found = getattr(importlib.import_module(module), name)
        if not isinstance(found, click.Command):
            raise TypeError(f"{module}:{name} is not a click command")
        return found

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                             list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:  # click suggests from the loaded commands only
            raise click.exceptions.NoSuchCommand(
                exc.command_name, exc.message, self.list_commands(ctx), ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, summary) for name, (_, summary) in self.lazy.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT)
@click.version_option(package_name="reportgen", message="reportgen %(version)s", help="显示版本号并退出")
def main() -> None:
    """重点项目督查督办月度报表工具。

    \b
    每月流程：
      reportgen forms --period 2024-06     生成各单位报送表
      reportgen check --period 2024-06     校验各单位报回的表格
      reportgen run   --period 2024-06     生成通报、督办通知和汇总表
    """


def console() -> None:
    """The `reportgen` program (console script, `python -m reportgen`): the command, then an exit
    that skips freeing every object one by one (a tenth of a second or more after a city's check,
    for memory the system takes back whole).

    What an ordinary exit does first is done here too: the exit handlers (logging's flush and
    close, temporary folders, child processes) and the flushing of standard output and error. A
    thread still running, output that cannot be flushed, a profiler or tracer watching (`python -m
    cProfile` writes its file when the program returns) or a command that raised keep the
    ordinary exit. Only the program does this: a test calling `main` (click's runner) returns.
    """
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click's standalone main always exits
        code = 0
    if (not (code is None or type(code) is int) or threading.active_count() > 1
            or sys.getprofile() is not None or sys.gettrace() is not None):  # a profiler saves on return
        sys.exit(code)
    atexit._run_exitfuncs()  # what the interpreter runs at exit, before it frees everything
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed pipe: the ordinary exit reports it as Python does
        sys.exit(code)
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    console()
