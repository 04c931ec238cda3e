"""The command line speaks Chinese: help, usage errors, periods and dates as people type them,
the workspace from a subfolder, the sample-contact warning, and Ctrl-C."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from reportgen import cli
from reportgen.cli import main
from reportgen.workspace import init_workspace

# ASCII words a user may meet: the program, its commands and options, folder and file names,
# formats and the products the office uses.
_ALLOWED = {
    "reportgen", "input", "output", "history", "plan", "submissions", "templates", "toml",
    "xlsx", "xls", "docx", "txt", "zip", "json", "pdf", "PDF", "LibreOffice", "Excel", "WPS", "Word",
    "h", "p", "w", "run", "log", "cd",
}


def _subcommands(group: click.Group) -> list[tuple[str, click.Command]]:
    """Return a group's commands as click finds them (the top group imports each one by name)."""
    ctx = click.Context(group)
    return [(name, cmd) for name in group.list_commands(ctx) if (cmd := group.get_command(ctx, name))]


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    for name, cmd in _subcommands(group):
        if isinstance(cmd, click.Group):
            out += _commands(cmd, (*path, name))
        else:
            out.append((*path, name))
    return out


def _names(group: click.Group) -> set[str]:
    names: set[str] = set()
    for name, cmd in _subcommands(group):
        names.add(name)
        if isinstance(cmd, click.Group):
            names |= _names(cmd)
    return names


def english_words(text: str) -> list[str]:
    """Return the ASCII words of `text` that are neither options nor allowed names."""
    allowed = _ALLOWED | _names(main)
    text = re.sub(r"--?[a-z][a-z-]*", " ", text)  # option names
    text = re.sub(r"https?://\S+", " ", text)  # addresses
    text = re.sub(r"[\w.]*/[\w./]*", " ", text)  # paths such as input/plan/source/
    text = re.sub(r"\b[a-z_]+\.[a-z_]+\b", " ", text)  # configuration keys such as web.port
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in allowed]


COMMANDS = _commands(main)


def invoke(args: list[str]) -> Result:
    """Run `reportgen args` as a user would, stdout and stderr kept apart."""
    return CliRunner().invoke(main, args, prog_name="reportgen")


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "reportgen")
def test_every_help_is_chinese(path: tuple[str, ...]) -> None:
    result = invoke([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "用法：" in result.output and "选项：" in result.output
    assert "显示本帮助并退出" in result.output
    assert english_words(result.output) == [], result.output


@pytest.mark.parametrize("path", [p for p in COMMANDS if p and p != ("plan",)],
                         ids=lambda p: " ".join(p))
def test_every_usage_error_is_chinese(path: tuple[str, ...], tmp_path: Path) -> None:
    for args in ([*path, "--no-such-option"], [*path, "多余", "参数", "很多"],
                 [*path, "--period", "2024-13"], [*path, "--period"], [*path, "-w"]):
        result = invoke(args)
        assert result.exit_code == 2, (args, result.output)
        assert "错误：" in result.output, (args, result.output)
        assert english_words(result.output) == [], (args, result.output)
        assert "Traceback" not in result.output


def test_the_command_table_says_what_each_command_says() -> None:
    """`reportgen --help` lists the commands from cli.COMMANDS without importing them: each line
    there is the first line of that command's own help, and every listed command exists."""
    ctx = click.Context(main)
    for name, (_target, summary) in cli.COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None and command.help is not None, name
        assert command.help.splitlines()[0] == summary, name
    listed = invoke(["--help"]).output
    assert [line.split()[0] for line in listed.split("命令：\n")[1].splitlines()] == list(cli.COMMANDS)


def test_group_help_loads_none_of_the_library() -> None:
    """`reportgen --help` imports click and reportgen's click layer, nothing of the library."""
    code = ("import sys; from reportgen.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('reportgen'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.strip().splitlines()[-1].split()
    assert loaded == ["reportgen", "reportgen.cli", "reportgen.commands", "reportgen.commands.chinese",
                      "reportgen.errors"]


def test_named_usage_errors() -> None:
    cases = [
        (["run"], "缺少必填的选项“--period / -p”"),
        (["run", "--period", "六月"], "“六月”不是有效的月份"),
        (["run", "-p", "2024-06", "--as-of", "7月32日"], "“7月32日”不是有效的日期"),
        (["runn"], "没有“runn”这个命令，是否要用：run"),
        (["plan", "import", "没有这个文件.docx"], "找不到文件“没有这个文件.docx”"),
        (["plan", "show", "--format", "xml"], "可选：表格、json"),
        (["run", "--perio", "2024-06"], "没有“--perio”这个选项"),
    ]
    for args, message in cases:
        result = invoke(args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "运行“reportgen" in result.output


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws", sample=True).root


@pytest.mark.parametrize("text", ["2024-06", "2024-6", "202406", "2024年6月", "2024.6", "２０２４年６月"])
def test_periods_as_people_type_them(workspace: Path, text: str) -> None:
    result = invoke(["status", "--period", text, "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "2024-06 报送截止日期 2024年7月5日" in result.stdout


def test_workspace_found_from_a_subfolder(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace / "input" / "submissions" / "2024-06")
    result = invoke(["status", "-p", "2024-06"])
    assert result.exit_code == 0, result.output
    assert "合计：应报 14 个，已报 13 个" in result.stdout
    monkeypatch.chdir(workspace.parent)
    result = invoke(["status", "-p", "2024-06"])
    assert result.exit_code == 1
    assert "不是 reportgen 工作区" in result.output


def test_sample_contact_is_warned_until_changed(workspace: Path) -> None:
    result = invoke(["status", "-p", "2024-06", "-w", str(workspace)])
    assert "联系人仍是示例（张明，0352-1234567）" in result.stderr
    config = workspace / "reportgen.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("张明", "李华").replace("0352-1234567", "0352-7654321"), encoding="utf-8")
    result = invoke(["status", "-p", "2024-06", "-w", str(workspace)])
    assert result.exit_code == 0
    assert "联系人仍是示例" not in result.output


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_ctrl_c_leaves_outputs_and_pdfs_untouched(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = ["-w", str(workspace)]
    first = invoke(["run", "-p", "2024年6月", "--as-of", "2024-6-30", *ws])
    assert first.exit_code == 0, first.output
    out = workspace / "output" / "2024-06"
    (out / "pdf").mkdir()
    (out / "pdf" / "进度通报.pdf").write_bytes(b"%PDF-1.4 last run")
    before = _hashes(out)

    def pressed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("reportgen.pipeline.convert_to_pdf", pressed)
    stopped = invoke(["run", "-p", "2024-06", "--as-of", "2024.6.30", "--pdf", *ws])
    assert stopped.exit_code == 130, stopped.output
    assert "已中断，输出未更改" in stopped.stderr
    assert "Aborted" not in stopped.output
    assert _hashes(out) == before
    assert not [p for p in (workspace / "output").iterdir() if p.name.startswith(".staging")]

    again = invoke(["run", "-p", "2024-06", *ws])
    assert again.exit_code == 0, again.output
    assert "上次生成的 1 个 PDF 与本次文件不再一致，已从 pdf/ 中移除" in again.stderr
    assert not (out / "pdf" / "进度通报.pdf").exists()
    log = (out / "run.log").read_text(encoding="utf-8")
    assert "报送月份 2024-06，数据截止日 2024年6月30日" in log
    # the cut-off and the files written are one figure each, in the same words on the terminal and in the log
    assert "2024-06 数据截止日 2024年6月30日：应报" in again.stdout and " 截止 " not in again.stdout
    written = re.search(r"共写出 (\d+) 个文件", again.stdout)
    assert written is not None and f"共写出 {written[1]} 个文件，未能生成 0 个" in log
    assert int(written[1]) == sum(1 for p in out.rglob("*") if p.is_file() and p.name != "run.log")


def test_as_of_as_the_forms_accept_it(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def fake_run(ws: object, period: str, as_of: object = None, **kwargs: object) -> None:
        seen.append((period, as_of))
        raise KeyboardInterrupt  # stop before any work: the parsing is what is tested here

    monkeypatch.setattr("reportgen.pipeline.run_period", fake_run)  # `run` calls pipeline.run_period
    for text in ("2024-7-5", "2024.7.5", "2024年7月5日", "7月5日", "20240705"):
        result = invoke(["run", "-p", "2024-07", "--as-of", text, "-w", str(workspace)])
        assert result.exit_code == 130, result.output
    assert [str(a) for _p, a in seen] == ["2024-07-05"] * 5


def test_check_removes_feedback_of_units_that_corrected(workspace: Path) -> None:
    feedback = workspace / "output" / "2024-06" / "校验反馈"
    feedback.mkdir(parents=True)
    stale = feedback / "建设管理部.xlsx"  # left by an earlier check, before the unit corrected
    stale.write_bytes(b"old")
    result = invoke(["check", "-p", "2024-06", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert (workspace / "output" / "2024-06" / "校验报告.xlsx").is_file()
    assert not [p for p in (workspace / "output").iterdir() if p.name.startswith(".staging")]


def test_example_office_left_beside_the_own_is_warned(workspace: Path) -> None:
    """An office that put its own name in the red header but kept the example's 落款 and 代字 would
    print 同经开督字 and 大同经济技术开发区… under 某市…文件: every command says which keys are left."""
    config = workspace / "reportgen.toml"
    text = config.read_text(encoding="utf-8")
    result = invoke(["status", "-p", "2024-06", "-w", str(workspace)])
    assert "仍是示例（大同经开区）" not in result.stderr  # the example as shipped is one office
    own = text.replace('issuer = "大同经济技术开发区重点项目督查督办办公室"', 'issuer = "某市重点项目督查督办办公室"')
    own = own.replace('issuer_mark = "大同经开区重点项目督查督办办公室文件"',
                      'issuer_mark = "某市重点项目督查督办办公室文件"')
    config.write_text(own.replace('doc_prefix = "同经开督办"', 'doc_prefix = "市督办"'), encoding="utf-8")
    result = invoke(["status", "-p", "2024-06", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.stderr.splitlines() if "仍是示例（大同经开区）" in line)
    for key in ("office.org_name", "office.signature", "office.printer", "notices.supervision_prefix",
                "notices.reminder_prefix", "notices.chase_prefix"):
        assert key in warning
    assert "office.issuer（" not in warning and "office.doc_prefix" not in warning
    assert "notices.supervision_prefix（同经开督字）" in warning
    for old, new in (("大同经济技术开发区管理委员会", "某市人民政府"), ("大同经济技术开发区", "某市"),
                     ("同经开", "市")):
        own = own.replace(old, new)
    config.write_text(own, encoding="utf-8")
    result = invoke(["status", "-p", "2024-06", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "仍是示例（大同经开区）" not in result.stderr
