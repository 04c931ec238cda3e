"""`status` keeps each file's reading until the file changes, and names the file that counts as
`submissions`, `check` and `run` do (the ledger's arrival order, the office's decisions)."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
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
            if line.split() and not line.startswith(("单位", "合计", "无法识别", "注：", PERIOD))}


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


def test_a_new_configuration_reads_the_files_again(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _status(workspace)
    config = workspace / "reportgen.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "\n", encoding="utf-8")  # saved again, nothing changed: nothing read
    read = _count_reads(monkeypatch)
    assert _status(workspace) == first and read == []
    config.write_text(text.replace("max_file_mb = 20 ", "max_file_mb = 21 "), encoding="utf-8")
    assert _status(workspace) == first
    folder = workspace / "input" / "submissions" / PERIOD
    assert sorted(read) == sorted(p.name for p in folder.iterdir() if p.is_file())


def _same_size_and_time(path: Path, other: Path) -> None:
    """Put `other`'s content into `path` keeping `path`'s size and modification time (as a copy
    that keeps time stamps can): `other` is padded to the size with a zip comment."""
    room = path.stat().st_size - other.stat().st_size
    assert 0 < room < 65535
    with zipfile.ZipFile(other, "a") as z:
        z.comment = b" " * room
    st = path.stat()
    path.write_bytes(other.read_bytes())
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


@pytest.mark.slow  # over half a second: the default lane keeps under a minute
def test_a_file_changed_after_check_is_not_shown_as_it_was(workspace: Path, tmp_path: Path) -> None:
    path = workspace / "input" / "submissions" / PERIOD / FILE
    with zipfile.ZipFile(path, "a") as z:  # room for the changed file to take the same size
        z.comment = b" " * 4096
    assert invoke("check", "-p", PERIOD, "-w", str(workspace)).exit_code == 0
    assert _status(workspace)[UNIT] == ["已报送", "0", "0", FILE]
    changed = tmp_path / FILE
    shutil.copy(path, changed)
    _break_a_date(changed)
    _same_size_and_time(path, changed)
    assert _status(workspace)[UNIT] == ["已报送", "1*", "0", FILE]  # * changed since the check
    result = invoke("run", "-p", PERIOD, "-w", str(workspace))
    assert result.exit_code == 1, result.output  # run reads it the same: one error in that file
    summary = json.loads((workspace / "output" / PERIOD / "summary.json").read_text(encoding="utf-8"))
    assert [i["cell"] for i in summary["issues"] if i["file"] == FILE and i["severity"] == "error"] != []


def _units_as_run_read(root: Path) -> dict[str, list[str]]:
    """Return each unit as run's summary.json has it: reported or not, the errors found in its
    files (run's judgement adds warnings of its own, such as a completion date taken as the
    month's end, that a reading cannot know), and the file that counts."""
    summary = json.loads((root / "output" / PERIOD / "summary.json").read_text(encoding="utf-8"))
    rows: dict[str, list[str]] = {}
    for u in summary["units"]:
        errors = sum(i["unit"] == u["name"] and i["file"] != "" and i["severity"] == "error" for i in summary["issues"])
        mark = "已报送" if u["submitted"] else "本月免报" if u["exempt"] else "未报送"
        rows[u["name"]] = [mark, str(errors), "、".join(u["files"])]
    return rows


@pytest.mark.slow  # over half a second: the default lane keeps under a minute
def test_status_after_check_shows_each_unit_as_run_reads_it(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = workspace / "input" / "submissions" / PERIOD
    shutil.copy(folder / FILE, folder / SECOND)
    _break_a_date(folder / SECOND)  # the later one has an error
    _break_a_date(folder / "规划和自然资源分局.xlsx")
    (folder / "说明.txt").write_text("不是报送表", encoding="utf-8")
    assert invoke("check", "-p", PERIOD, "-w", str(workspace)).exit_code == 1
    with monkeypatch.context() as patched:
        _no_reading(patched)
        before = _status(workspace)
    assert before[UNIT] == ["已报送", "1", "0", SECOND]
    assert invoke("run", "-p", PERIOD, "-w", str(workspace)).exit_code == 1
    assert _units_as_run_read(workspace) == {u: [r[0], r[1], r[3] if len(r) > 3 else ""] for u, r in before.items()}
    _no_reading(monkeypatch)
    assert _status(workspace) == before  # after the run too, from the same readings
