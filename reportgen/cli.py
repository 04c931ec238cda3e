"""Command line: thin commands over the library. The only module that imports click.

Each command imports the library it calls when it runs, so `--help` answers in about a tenth
of a second: the stages pull in openpyxl, docxtpl, calamine and a process pool, and the web
server (flask) is imported only by `serve`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reportgen.errors import ReportgenError, UsageError
from reportgen.intake import ACTION_LABEL, Action
from reportgen.model import KIND_LABEL, STATUS_LABEL, Section, Severity, Status, parse_period, plan_dict
from reportgen.terminal import duban_lines, submissions_lines
from reportgen.workspace import find_workspace, init_workspace

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# ---------------------------------------------------------------- click, in Chinese
#
# click writes its own words (headings, usage errors) in English. The classes below give it
# Chinese ones: the help layout through a formatter, the errors through one function that
# reads the exception's fields. Parameter types that click would judge in English
# (paths, choices) are checked in callbacks here instead.

_HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数"}
_EXTRA = (("default: ", "默认："), ("env var: ", "环境变量："), ("required", "必填"))
INTERRUPTED = "已中断，输出未更改"


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


class _Command(click.Command):
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


class _Group(_Command, click.Group):
    """A group in Chinese that turns library errors into messages and exit codes (1 error, 2 usage),
    and Ctrl-C into “已中断，输出未更改” with exit code 130."""

    command_class = _Command
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


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_period(value)
    except ValueError:
        raise click.BadParameter(
            f"“{value}”不是有效的月份，可写作 2024-06、2024-6、202406、2024年6月 或 2024.6"
        ) from None


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None

    period = ctx.params.get("period")
    year = int(period[:4]) if period else dt.date.today().year
    from reportgen.ingest import parse_date  # calamine: see the module docstring

    parsed = parse_date(value.strip(), year)
    if parsed.value is None:
        raise click.BadParameter(
            f"“{value}”不是有效的日期，可写作 2024-7-5、2024.7.5、2024年7月5日 或 2024-07-05"
        )
    return parsed.value


def _port(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.strip().isdigit() or not 1 <= int(value) <= 65535:
        raise click.BadParameter(f"“{value}”不是有效的端口号，应为 1 到 65535 之间的整数")
    return int(value)


def _existing_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.exists():
        raise click.BadParameter(f"找不到文件“{value}”")
    if path.is_dir():
        raise click.BadParameter(f"“{value}”是文件夹，应为文件")
    return path


def _new_folder(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"“{value}”是文件，应为文件夹")
    return path


def choice(*choices: str, aliases: dict[str, str] | None = None
           ) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
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
        "--period", "-p", required=True, callback=_period, metavar="月份",
        help="报送月份，如 2024-06、2024年6月、202406",
    )(func)


SAMPLE_CONTACT_WARNING = (
    "！！注意：reportgen.toml 中的联系人仍是示例（{person}，{phone}），会印在发给各单位的报送表上。"
    "请在 [office] 下改为本单位的 contact_person 和 contact_phone ！！"
)


def workspace_option(func: F) -> F:
    """Add `-w DIR` and pass the opened workspace as `ws` (found from any subfolder)."""

    @click.option(
        "-w", "--workspace", "workspace", default=".", metavar="目录",
        show_default="当前目录", help="工作区目录（在工作区的子文件夹中运行时自动向上查找）",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, workspace: str, **kwargs: Any) -> Any:
        return func(*args, ws=_open(workspace), **kwargs)

    return wrapper  # type: ignore[return-value]


def _open(workspace: str) -> Any:
    """Return the workspace holding `workspace`, warning while the sample contact is configured."""
    ws = find_workspace(Path(workspace))
    office = ws.config.office
    if office.has_sample_contact():
        echo(SAMPLE_CONTACT_WARNING.format(person=office.contact_person, phone=office.contact_phone),
             err=True)
    return ws


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="reportgen", message="reportgen %(version)s", help="显示版本号并退出")
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


# ---------------------------------------------------------------- init and plan (issue 2)


@main.command(context_settings=CONTEXT)
@click.argument("directory", metavar="目录", callback=_new_folder)
@click.option("--empty", is_flag=True, help="不带示例数据（任务分解和两个月的报送表）")
def init(directory: Path, empty: bool) -> None:
    """新建工作区：配置文件、模板和 input/ output/ history/ 目录。

    默认带上示例任务分解和 2024年6月、7月的示例报送表，可立即试运行；
    正式使用时加 --empty，或删去 input/ 下的示例文件。

    \b
    示例：
      reportgen init 2025年督办 --empty
      reportgen init 试用 && cd 试用 && reportgen run --period 2024-06
    """
    ws = init_workspace(directory, sample=not empty)
    echo(f"已新建工作区：{ws.root}")
    if not empty:
        echo("已放入示例数据，可先试运行：")
        echo(f"  cd {directory} && reportgen run --period 2024-06 && reportgen run --period 2024-07")
    echo("下一步（正式使用）：")
    echo(f"  1. 进入工作区：cd {directory}")
    echo("  2. 按本单位情况修改 reportgen.toml（发文机关、发文字号、责任单位别名等）；")
    echo("  3. 导入任务分解：reportgen plan import 任务分解.docx")
    echo("  4. 在 Excel/WPS 中核对 input/plan/ 下生成的总表；")
    echo("  5. 生成报送表：reportgen forms --period 2024-06")


def _plan_totals(plan: Any) -> str:

    projects = [it for it in plan.items if it.section is Section.PROJECT]
    others = len(plan.items) - len(projects)
    total = sum(it.target_yi or 0.0 for it in projects)
    return (f"重点项目 {len(projects)} 个（年度投资任务合计 {total:g} 亿元），"
            f"其它重点任务 {others} 项，节点 {len(plan.milestones)} 个，责任单位 {len(plan.units)} 个")


@plan.command("import", context_settings=CONTEXT)
@click.argument("doc", metavar="文件", callback=_existing_file)
@click.option("--discard-edits", is_flag=True,
              help="不保留原总表中的人工修改，完全按新文件生成总表（默认保留新文件未改动处的人工修改）")
@workspace_option
def plan_import(ws: Any, doc: Path, discard_edits: bool) -> None:
    """导入任务分解文件（.docx 或 .txt），生成或更新 input/plan/ 下的总表。

    已有总表时，按项目名称对应，保留原有编号，原表备份到 input/plan/备份/，并列出变化；
    原总表中的人工修改（改日期、改单位、增删节点等），新文件未改动的部分默认保留。

    \b
    示例：
      reportgen plan import input/plan/source/2024年重点项目推进任务分解.txt
      reportgen plan import 任务分解（调整）.docx --discard-edits
    """
    from reportgen.plan.files import import_into

    done = import_into(doc, ws.plan_dir, ws.config, keep_edits=not discard_edits)
    echo(f"已导入“{done.plan.title}”（{done.plan.year}年，版本 {done.plan.version}）")
    echo(_plan_totals(done.plan))
    echo(f"总表：{_rel(done.path, ws.root)}")
    if done.diff is not None:
        echo(f"原总表已备份：{_rel(done.backup, ws.root)}" if done.backup else "")
        echo("与原总表相比：")
        for line in done.diff.lines():
            echo(f"  {line}")
        for line in done.edit_lines():
            echo(line)
    for warning in done.warnings:
        echo(f"提示：{warning}", err=True)
    echo("请在 Excel/WPS 中核对总表；修改后无需重新导入，后续步骤直接读取总表。")


@plan.command("show", context_settings=CONTEXT)
@click.option("--format", "fmt", default="表格", metavar="表格|json", callback=choice("表格", "json"),
              show_default=True, help="输出格式：表格，或 json（供其他程序读取）")
@workspace_option
def plan_show(ws: Any, fmt: str) -> None:
    """显示当前总表中的项目、任务和节点。"""
    from reportgen.plan.workbook import load_plan
    current = load_plan(ws.master_workbook(), ws.config)
    if fmt == "json":

        echo(json.dumps(plan_dict(current), ensure_ascii=False, indent=2))
        return

    echo(f"{current.title}（{current.year}年，版本 {current.version}）")
    echo(_plan_totals(current))
    for item in current.items:
        target = ""
        if item.target_yi is not None:
            note = f"（{item.target_note}）" if item.target_note else ""
            target = f"  年度投资任务 {item.target_yi:g} 亿元{note}"
        echo("")
        echo(f"{item.code}  {item.name}{target}")
        echo(f"      责任单位：{'、'.join(item.units) or '（未填）'}")
        for requirement in (r for t in item.tasks for r in t.requirements):
            echo(f"      常态化要求：{requirement}")
        for m in item.milestones:
            due = f"{m.due:%Y-%m-%d}" if m.due else "（无时限）"
            amount = f" {m.amount_yi:g}亿元" if m.amount_yi is not None else ""
            echo(f"  {m.code}  {due}  [{KIND_LABEL[m.kind]}{amount}]  {m.text}")


@plan.command("diff", context_settings=CONTEXT)
@click.argument("old", metavar="旧文件", callback=_existing_file)
@click.argument("new", metavar="新文件", callback=_existing_file)
@workspace_option
def plan_diff(ws: Any, old: Path, new: Path) -> None:
    """比较两版任务分解（总表 .xlsx 或文件 .docx/.txt），按项目名称对应，列出增删改。

    \b
    示例：
      reportgen plan diff 备份/旧总表.xlsx 2024年任务分解（调整）.docx
    """
    from reportgen.plan.files import compare_files

    for line in compare_files(old, new, ws.config).lines():
        echo(line)


# ---------------------------------------------------------------- forms


@main.command(context_settings=CONTEXT)
@period_option
@workspace_option
def forms(ws: Any, period: str) -> None:
    """生成各责任单位的报送表（每个单位一个 Excel 文件）。

    \b
    按任务分解总表，为每个责任单位生成本月报送表，只列该单位承担的项目和节点，
    写入 output/<月份>/报送表/，发给各单位填报。
    示例：
      reportgen forms --period 2024-06
    """
    from reportgen.forms import report_deadline
    from reportgen.pipeline import make_forms

    made = make_forms(ws, period)
    paths = made.paths
    if not paths:
        echo(f"总表 {made.plan_file.name} 中没有需要报送的单位，未生成报送表")
        return
    folder = paths[0].parent
    deadline = report_deadline(period, ws.config)
    echo(f"已生成 {len(paths)} 份报送表（{period}，报送截止 {deadline.year}年{deadline.month}月"
         f"{deadline.day}日）：{_rel(folder, ws.root)}/")
    for path in paths:
        echo(f"  {path.name}")
    if made.prefilled_from:
        echo(f"已按台账中 {made.prefilled_from} 的报送数据预填“上月累计”和各节点情况")
    others = sorted(p.name for p in folder.iterdir() if p.is_file() and p not in paths)
    if others:
        echo(f"注意：该文件夹中另有 {len(others)} 个文件不是本次生成的（{'、'.join(others)}），"
             "请勿一并发出", err=True)


# ---------------------------------------------------------------- check (issue 4)


def exit_with(code: int) -> None:
    """Leave the command with exit code `code` (click's way: no sys.exit in commands)."""
    if code:
        raise click.exceptions.Exit(code)


@main.command(context_settings=CONTEXT)
@period_option
@workspace_option
def check(ws: Any, period: str) -> None:
    """校验各单位报回的报送表，生成校验报告和退回各单位的校验反馈。

    \b
    读取 input/submissions/<月份>/ 下的全部文件（原文件只读不改），
    写入 output/<月份>/校验报告.xlsx 和 output/<月份>/校验反馈/<单位>.xlsx。
    示例：
      reportgen check --period 2024-06
    退出码：0 全部文件无错误和警告；1 发现问题（见校验报告）；2 用法错误。
    """
    from reportgen.pipeline import check_period
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
    echo(f"校验报告：{_rel(paths[0], ws.root)}")
    if len(paths) > 1:
        echo(f"校验反馈（{len(paths) - 1} 个单位）：{_rel(paths[1].parent, ws.root)}/")
    bad = [i for i in result.issues if i.severity is not Severity.INFO]
    if bad:
        echo(f"发现问题 {len(bad)} 条，请查看校验报告，并将校验反馈发给有关单位修改")
    else:
        echo("全部文件校验通过")
    exit_with(1 if bad else 0)


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
@click.option("--as-of", callback=_date, metavar="日期",
              help="截止日期，如 2024-7-15、2024年7月15日；默认为该月最后一天")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换 PDF，并合成会议材料.pdf")
@click.option("--plan", "plan_choice", default="沿用", metavar="沿用|当前", show_default=True,
              callback=choice("沿用", "当前", aliases={"recorded": "沿用", "current": "当前"}),
              help="重新运行已运行过的月份时采用的任务分解：沿用 该月上次运行时的版本；"
                   "当前 按当前总表重新核定")
@workspace_option
def run(ws: Any, period: str, as_of: dt.date | None, pdf: bool, plan_choice: str) -> None:
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
    from reportgen.pipeline import run_period
    from reportgen.plan.inforce import PlanChoice

    report = run_period(ws, period, as_of=as_of, pdf=pdf, progress=_progress_hook,
                        plan_choice=PlanChoice.CURRENT if plan_choice == "当前" else PlanChoice.RECORDED)
    _print_run_summary(report, ws.root)
    exit_with(1 if report.has_errors else 0)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _print_run_summary(report: Any, root: Path) -> None:
    """Print the end-of-run summary: reporting, statuses, issues, files."""
    result = report.result
    sent = [u.name for u in result.units if u.submitted]
    missing = [u.name for u in result.units if u.missing]
    excused = [u.name for u in result.units if u.exempt]
    if report.plan_note:
        echo(report.plan_note)
    echo(f"{result.period} 截止 {result.as_of:%Y-%m-%d}：应报 {len(result.units)} 个单位，"
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


@main.command(context_settings=CONTEXT)
@period_option
@workspace_option
def status(ws: Any, period: str) -> None:
    """查看某月报送情况：哪些单位已报、未报，距报送截止还有几天。

    \b
    示例：
      reportgen status --period 2024-06
    """
    from reportgen.received import period_status

    st = period_status(ws, period)
    when = (f"还有 {st.days_left} 天" if st.days_left > 0
            else "今天截止" if st.days_left == 0 else f"已过 {-st.days_left} 天")
    echo(f"{period} 报送截止日期 {st.deadline.year}年{st.deadline.month}月{st.deadline.day}日（{when}）")
    width = max((len(u.unit) for u in st.units), default=4)
    echo("单位" + "　" * (width - 2) + "  状态    错误  警告  文件")
    for u in st.units:
        mark = "已报送" if u.received else "本月免报" if u.exempt is not None else "未报送"
        name = u.unit + "　" * (width - len(u.unit))
        echo(f"{name}  {mark}  {u.errors:>4}  {u.warnings:>4}  {'、'.join(u.files)}")
    got = sum(u.received for u in st.units)
    excused = sum(not u.received and u.exempt is not None for u in st.units)
    echo(f"合计：应报 {len(st.units)} 个，已报 {got} 个，未报 {len(st.units) - got - excused} 个"
         + (f"，本月免报 {excused} 个" if excused else ""))
    for name in st.unidentified:
        echo(f"无法识别所属单位的文件：{name}（请用 reportgen check 查看原因）")


# ---------------------------------------------------------------- submissions control (issue 18)


@main.group(context_settings=CONTEXT, invoke_without_command=True)
@click.option("--period", "-p", callback=_period, metavar="月份", help="报送月份，如 2024-06")
@click.option("-w", "--workspace", "workspace", default=".", metavar="目录",
              show_default="当前目录", help="工作区目录")
@click.pass_context
def submissions(ctx: click.Context, period: str | None, workspace: str) -> None:
    """各单位报来的文件：列出每个单位收到的全部文件、采用哪一份及原因、各自的问题；
    指定采用、撤回某份文件，或本月免报某单位（记入台账，check、status、run 都按此办理）。

    \b
    哪一份被采用，按台账中记录的收到先后（按文件内容识别，复制、备份工作区不会改变），
    不看文件修改时间；督查办指定采用或撤回的，以指定为准。
    示例：
      reportgen submissions --period 2024-06
      reportgen submissions accept --period 2024-06 "建设管理部（更正）.xlsx" --note "6月8日电话确认"
      reportgen submissions withdraw --period 2024-06 "建设管理部.xlsx"
      reportgen submissions exempt --period 2024-06 华睿集团 --note "项目暂停，经领导同意本月免报"
      reportgen submissions reinstate --period 2024-06 华睿集团
    """
    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        raise click.UsageError("请用 --period 指定月份，如 reportgen submissions --period 2024-06", ctx)
    from reportgen.pipeline import list_submissions

    listing = list_submissions(_open(workspace), period)
    for line in submissions_lines(listing):
        echo(line)


def _decision_command(action: Action, argument: str, summary: str) -> None:
    """Add `reportgen submissions <action>` recording one decision about a file or a unit."""

    @submissions.command(action.value, context_settings=CONTEXT, help=summary)
    @period_option
    @click.argument("target", metavar=argument)
    @click.option("--note", default="", metavar="说明", help="说明（如经谁同意、何时电话确认），记入台账")
    @workspace_option
    def decide(ws: Any, period: str, target: str, note: str) -> None:
        from reportgen.pipeline import decide_submission

        d = decide_submission(ws, period, action, target, note)
        what = f"“{d.file_name}”（{d.unit}）" if d.file_name else f"“{d.unit}”"
        echo(f"已记入台账：{period} {ACTION_LABEL[action]} {what}" + (f"，说明：{note}" if note else ""))
        echo("请重新运行 check 或 run，使结果按此办理")


_decision_command(Action.ACCEPT, "文件", "指定采用某份文件（该单位本月以此为准）。")
_decision_command(Action.WITHDRAW, "文件", "撤回某份文件（不再采用，如报错了单位、报错了月份）。")
_decision_command(Action.EXEMPT, "单位", "本月免报某单位（不催报，不计入未报送）。")
_decision_command(Action.REINSTATE, "文件或单位", "恢复：取消对某份文件的撤回，或取消某单位的本月免报。")


# ---------------------------------------------------------------- 督办台账 (issue 18)


@main.group(context_settings=CONTEXT, invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="连同已销号的一并列出")
@click.option("-w", "--workspace", "workspace", default=".", metavar="目录", show_default="当前目录",
              help="工作区目录")
@click.pass_context
def dubans(ctx: click.Context, show_all: bool, workspace: str) -> None:
    """督办台账：已发出的督办通知、所督办的节点、回复情况、是否已销号、同一节点第几次督办。

    \b
    节点全部完成即销号；同一节点第二次被督办的标为“建议升级督办”；过了回复期限未回复的应予催办。
    示例：
      reportgen dubans --all
      reportgen dubans reply "同经开督字〔2024〕1号" --date 2024-7-10
    """
    from reportgen.pipeline import duban_ledger

    if ctx.invoked_subcommand is None:
        for line in duban_lines(duban_ledger(_open(workspace)), dt.date.today(), show_all):
            echo(line)


@dubans.command("reply", context_settings=CONTEXT)
@click.argument("doc_no", metavar="文号")
@click.option("--date", "replied_on", callback=_date, metavar="日期", help="收到回复的日期，默认今天")
@click.option("--note", default="", metavar="说明", help="回复要点，记入台账")
@workspace_option
def dubans_reply(ws: Any, doc_no: str, replied_on: dt.date | None, note: str) -> None:
    """记录某单位对督办通知的回复（按文号）。"""
    from reportgen.pipeline import record_duban_reply

    d = record_duban_reply(ws, doc_no, replied_on or dt.date.today(), note)
    echo(f"已记入台账：{d.doc_no}（{d.unit}）{d.reply_state(dt.date.today())}")


# ---------------------------------------------------------------- serve (issue 19)


@main.command(context_settings=CONTEXT)
@click.option("--host", metavar="地址", help="监听地址，默认取 reportgen.toml 的 web.host（127.0.0.1，只允许本机访问）")
@click.option("--port", metavar="端口", callback=_port, help="端口，默认取 web.port（8765）")
@click.option("--period", "-p", callback=_period, metavar="月份", help="督查办页面默认显示的月份")
@click.option("--set-password", is_flag=True, help="设置督查办登录密码（保存为加盐哈希），然后退出")
@workspace_option
def serve(ws: Any, host: str | None, port: int | None, period: str | None, set_password: bool) -> None:
    """启动报送网页：各单位凭专用链接上传报送表，督查办登录查看报送情况、生成材料。

    \b
    示例：
      reportgen serve --set-password      先设置督查办登录密码
      reportgen serve                     然后启动，浏览器打开 http://127.0.0.1:8765/office/
    """
    from reportgen.web.auth import set_office_password  # the web modules load flask: only for serve

    if set_password:
        first = click.prompt("督查办登录密码（至少 8 位）", hide_input=True)
        # click's own confirmation prompt answers a mismatch in English: compare here instead
        if click.prompt("再输入一次", hide_input=True) != first:
            raise click.ClickException("两次输入的密码不一致，密码未更改")
        set_office_password(ws, first)
        echo("已设置督查办登录密码")
        return
    from reportgen.web.server import serve_forever  # flask: only for serve

    serve_forever(ws, host, port, period, echo)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
