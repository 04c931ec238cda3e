"""`status` keeps each file's reading until the file changes, and names the file that counts as
`submissions`, `check` and `run` do (the ledger's arrival order, the office's decisions)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.cli import main
from reportgen.ingest.reader import Reader
from reportgen.workspace import init_workspace

PERIOD = "2024-06"
UNIT = "建设管理部"
FILE = f"{UNIT}.xlsx"
SECOND = f"{UNIT}（更正）.xlsx"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="reportgen")


def _status(root: Path) -> dict[str, list[str]]:
    """Return each unit's row of `status` split into its columns."""
    result = invoke("status", "-p", PERIOD, "-w", str(root))
    assert result.exit_code == 0, result.output
    return {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()
            if line.split() and not line.startswith(("单位", "合计", PERIOD))}


def _counted(root: Path) -> dict[str, str]:
    """Return the file `submissions` says counts for each unit."""
    result = invoke("submissions", "-p", PERIOD, "-w", str(root))
    assert result.exit_code == 0, result.output
    out: dict[str, str] = {}
    unit = ""
    for line in result.stdout.splitlines():
        if line and not line.startswith(" "):
            unit = line.split()[0]
        elif line.strip().startswith("✔ "):
            out[unit] = line.strip().split()[1]
    return out


def _break_a_date(path: Path) -> None:
    """Write an unreadable 实际完成日期 into the first milestone row of `path` (a new mtime too)."""
    wb = load_workbook(path)
    sheet = wb[fs.SHEET_MILESTONES]
    header = [c.value for c in sheet[fs.HEADER_ROW]]
    sheet.cell(fs.FIRST_DATA_ROW, header.index(fs.MILESTONE_HEADERS["completed_on"]) + 1).value = "六月某天"
    wb.save(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2 * 10**9))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "ws", sample=True).root


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("status read a file it had read before")

    monkeypatch.setattr(Reader, "read", refuse)


def test_status_after_check_reads_nothing_and_names_what_submissions_names(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = workspace / "input" / "submissions" / PERIOD
    shutil.copy(folder / FILE, folder / SECOND)
    _break_a_date(folder / FILE)  # the faulty one looks newest on disk; the ledger saw both at once
    assert invoke("check", "-p", PERIOD, "-w", str(workspace)).exit_code == 1
    counted = _counted(workspace)
    with monkeypatch.context() as patched:
        _no_reading(patched)
        rows = _status(workspace)
    assert {u for u, r in rows.items() if r[0] == "已报送"} == set(counted)
    for unit, name in counted.items():
        assert rows[unit][-1] == name
    # the office decides after the readings were kept: status follows at once, reading nothing
    assert invoke("submissions", "withdraw", "-p", PERIOD, counted[UNIT], "-w", str(workspace)).exit_code == 0
    exempt = invoke("submissions", "exempt", "-p", PERIOD, "华睿集团", "-w", str(workspace))
    assert exempt.exit_code == 0, exempt.output
    _no_reading(monkeypatch)
    rows = _status(workspace)
    other = ({FILE, SECOND} - {counted[UNIT]}).pop()
    assert rows[UNIT][0] == "已报送" and rows[UNIT][-1] == other
    assert rows["华睿集团"][0] == "本月免报"


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files read from now on (the list fills as the reader is called)."""
    read: list[str] = []
    original = Reader.read

    def counting(self: Reader, p: Path, name: str, *args: object) -> object:
        read.append(name)
        return original(self, p, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Reader, "read", counting)
    return read


def test_a_changed_file_is_read_again_and_the_others_are_not(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _status(workspace)  # first time: every file is read
    assert before[UNIT][:3] == ["已报送", "0", "0"]
    path = workspace / "input" / "submissions" / PERIOD / FILE
    _break_a_date(path)
    read = _count_reads(monkeypatch)
    after = _status(workspace)
    assert read == [FILE]
    assert after[UNIT][:3] == ["已报送", "1", "0"]
    assert {u: r for u, r in after.items() if u != UNIT} == {u: r for u, r in before.items() if u != UNIT}


def test_a_new_plan_or_configuration_reads_the_files_again(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _status(workspace)
    config = workspace / "reportgen.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    read = _count_reads(monkeypatch)
    assert _status(workspace) == first
    folder = workspace / "input" / "submissions" / PERIOD
    assert sorted(read) == sorted(p.name for p in folder.iterdir() if p.is_file())
