"""The program's quick exit (reportgen.cli.console): the same exit code, messages, outputs, kept
readings and ledger as a command that returns normally (click's runner calling `main`)."""

from __future__ import annotations

import base64
import json
import marshal
import pstats
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from tests.hardening_support import PERIOD, example_workspace, ledger_rows, output_content

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _program(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args, "--period", PERIOD, "-w", str(root)],
                          capture_output=True, text=True, check=False)


def _history(root: Path) -> dict[str, object]:
    """Return what history/ keeps (readings, published numbers, plan cache), paths made relative."""
    out: dict[str, object] = {}
    for p in sorted((root / "history").glob("*")):
        if p.suffix == ".json":
            lines = p.read_text("utf-8").splitlines()
            if p.name.startswith("readings-") and len(lines) > 1:  # the readings: marshal in base64
                lines[1] = json.dumps(marshal.loads(base64.b64decode(lines[1])), default=repr)
            text = "\n".join(lines).replace(json.dumps(str(root))[1:-1], "<root>")
            out[p.name] = [json.loads(line) for line in text.splitlines()]  # JSON lines
        elif p.suffix == ".txt":
            out[p.name] = p.read_bytes()
    return out


def _ledger(root: Path) -> dict[str, list[list[object]]]:
    """Return the ledger's rows, the times they were written at left out."""
    rows = ledger_rows(root / "history" / "ledger.sqlite")
    return {t: [[_STAMP.sub("<time>", v) if isinstance(v, str) else v for v in row] for row in got]
            for t, got in rows.items()}


@pytest.mark.slow
def test_program_exits_as_a_returning_command_does(tmp_path: Path) -> None:
    a = example_workspace(tmp_path / "a")
    b = example_workspace(tmp_path / "b")
    for root in (a, b):  # a file no one can read: check exits 1
        (root / "input" / "submissions" / PERIOD / "坏文件.xlsx").write_bytes(b"not a workbook")
    runner = CliRunner()
    for command in ("check", "run"):
        ran = _program(a, command)
        returned = runner.invoke(main, [command, "--period", PERIOD, "-w", str(b)])
        assert ran.returncode == returned.exit_code
        assert command != "check" or ran.returncode == 1
        assert ran.stdout.replace(str(a), "<root>") == returned.stdout.replace(str(b), "<root>")
        assert ran.stdout.count("\n") > 3
        assert output_content(a / "output" / PERIOD) == output_content(b / "output" / PERIOD)
        kept_a, kept_b = _history(a), _history(b)
        assert kept_a.keys() == kept_b.keys() >= {f"readings-{PERIOD}.json", "plan-cache.txt"}
        assert kept_a[f"readings-{PERIOD}.json"][1:] == kept_b[f"readings-{PERIOD}.json"][1:]
    assert _ledger(a) == _ledger(b)
    log = (a / "output" / PERIOD / "run.log").read_text("utf-8")
    assert log.count("\n") == (b / "output" / PERIOD / "run.log").read_text("utf-8").count("\n") > 3


@pytest.mark.slow
def test_program_exit_code_of_a_usage_error_and_a_clean_check(tmp_path: Path) -> None:
    root = example_workspace(tmp_path / "ws")
    bad = subprocess.run([sys.executable, "-m", "reportgen", "check", "--period", "2024-13", "-w", str(root)],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "错误" in bad.stderr
    for p in (root / "input" / "submissions" / PERIOD).iterdir():
        p.unlink()
    empty = _program(root, "check")
    assert empty.returncode == 0, empty.stderr
    assert "已报送 0 个" in empty.stdout and (root / "output" / PERIOD / "校验报告.xlsx").is_file()


@pytest.mark.slow
def test_a_profiled_program_still_writes_its_profile(tmp_path: Path) -> None:
    out = tmp_path / "run.prof"
    ran = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "reportgen", "--version"],
                         capture_output=True, text=True, check=False)
    assert ran.returncode == 0 and ran.stdout.startswith("reportgen ")
    assert any(name == "console" for _file, _line, name in pstats.Stats(str(out)).stats)
