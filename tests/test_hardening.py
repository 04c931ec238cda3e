"""Nothing lost, same input same output, templates are data (issue 9).

Runs go through the example workspace copied into tmp_path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen import publish
from reportgen.cli import main
from reportgen.errors import BusyError, TemplateError
from reportgen.fsutil import atomic_path, workspace_lock
from reportgen.pipeline import run_period
from reportgen.workspace import open_workspace
from tests.hardening_support import (
    PERIOD,
    check_outputs_open,
    example_workspace,
    ledger_rows,
    output_content,
    tree_hashes,
)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Run the period in workspace A twice and in a copy B (another path) once."""
    a = example_workspace(tmp_path_factory.mktemp("a") / "工作区 A")
    b = example_workspace(tmp_path_factory.mktemp("b") / "ws-b")
    inputs_before = tree_hashes(a / "input")
    ws_a, ws_b = open_workspace(a), open_workspace(b)
    first = run_period(ws_a, PERIOD)
    content_1 = output_content(ws_a.output_dir(PERIOD))
    from tests.hardening_support import zip_parts

    out_a = ws_a.output_dir(PERIOD)
    parts_1 = {p.relative_to(out_a).as_posix(): zip_parts(p) for p in out_a.rglob("*.docx")}
    ledger_1 = ledger_rows(ws_a.ledger_path)
    second = run_period(ws_a, PERIOD)
    run_period(ws_b, PERIOD)
    return {
        "a": a, "first": first, "second": second, "inputs_before": inputs_before,
        "content_1": content_1, "ledger_1": ledger_1, "parts_1": parts_1,
        "content_2": output_content(ws_a.output_dir(PERIOD)),
        "content_b": output_content(ws_b.output_dir(PERIOD)),
        "ledger_2": ledger_rows(ws_a.ledger_path),
    }


@pytest.mark.slow
def test_run_writes_every_document(two_runs: dict) -> None:
    content = two_runs["content_1"]
    assert {"summary.json", "进度通报.docx", "汇总表.xlsx", "校验报告.xlsx"} <= set(content)
    assert any(k.startswith("督办通知/") for k in content)
    assert not two_runs["first"].failures


@pytest.mark.slow
def test_inputs_are_byte_identical_after_runs(two_runs: dict) -> None:
    assert tree_hashes(two_runs["a"] / "input") == two_runs["inputs_before"]


@pytest.mark.slow
def test_inputs_untouched_by_every_command(tmp_path: Path) -> None:
    root = example_workspace(tmp_path / "ws")
    before = tree_hashes(root / "input")
    runner = CliRunner()
    for args in (["forms"], ["check"], ["status"], ["run"], ["forms"], ["run", "--as-of", "2024-06-20"],
                 ["plan", "show"]):
        period = ["--period", PERIOD] if args[0] != "plan" else []
        result = runner.invoke(main, [*args, *period, "-w", str(root)])
        assert result.exit_code == 0, (args, result.output)
        assert result.exception is None, args
        assert tree_hashes(root / "input") == before, args


@pytest.mark.slow
def test_no_staging_or_temporary_files_left(two_runs: dict) -> None:
    a: Path = two_runs["a"]
    leftovers = [p for p in (a / "output").rglob("*") if p.name.startswith(".")]
    assert leftovers == []
    check_outputs_open(a / "output" / PERIOD)


@pytest.mark.slow
def test_same_input_same_summary(two_runs: dict) -> None:
    assert two_runs["content_2"]["summary.json"] == two_runs["content_1"]["summary.json"]
    assert two_runs["content_b"]["summary.json"] == two_runs["content_1"]["summary.json"]


@pytest.mark.slow
def test_same_input_same_documents(two_runs: dict) -> None:
    one, two, other = two_runs["content_1"], two_runs["content_2"], two_runs["content_b"]
    assert sorted(one) == sorted(two) == sorted(other)
    for name in one:
        assert two[name] == one[name], f"{name} differs between two runs"
        assert other[name] == one[name], f"{name} differs in another folder"


@pytest.mark.slow
def test_same_input_same_document_parts(two_runs: dict) -> None:
    # beyond text and values: every part of every document (images, styles) is the same bytes
    from tests.hardening_support import zip_parts

    out: Path = two_runs["a"] / "output" / PERIOD
    docs = sorted(out.rglob("*.docx"))
    assert {p.relative_to(out).as_posix() for p in docs} == set(two_runs["parts_1"])
    for p in docs:
        rel = p.relative_to(out).as_posix()
        assert zip_parts(p) == two_runs["parts_1"][rel], rel


@pytest.mark.slow
def test_rerun_replaces_the_period_in_the_ledger(two_runs: dict) -> None:
    # the second run of a period replaces its rows; nothing is added or lost
    assert two_runs["ledger_2"] == two_runs["ledger_1"]


def test_second_run_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    root = example_workspace(tmp_path / "ws")
    ws = open_workspace(root)
    before = tree_hashes(root)
    with workspace_lock(ws.history_dir / "run.lock"):
        with pytest.raises(BusyError):
            run_period(ws, PERIOD)
        result = CliRunner().invoke(main, ["run", "--period", PERIOD, "-w", str(root)])
    assert result.exit_code == 1
    assert "另一个 reportgen 在运行" in result.output
    assert "请等其结束后再试" in result.output
    # refused before touching anything (the lock file aside)
    after = {k: v for k, v in tree_hashes(root).items() if k != "history/run.lock"}
    assert after == before
    assert not (root / "output" / PERIOD).exists()


def test_atomic_path_keeps_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("旧内容", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("写了一半", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "旧内容"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


# ---------------------------------------------------------------- templates are data

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'].popen('echo pwned').read() }}",
]


@pytest.mark.parametrize("expr", ESCAPES)
def test_excel_template_cannot_reach_python(tmp_path: Path, expr: str) -> None:
    from openpyxl import Workbook

    from reportgen.render.xlsx_template import render_template

    wb = Workbook()
    wb.active["A1"] = "标题"
    wb.active["A2"] = expr
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with pytest.raises(TemplateError):
        render_template(path, {})


def _word_template_with(ws_root: Path, name: str, text: str) -> Path:
    from docx import Document

    from reportgen.workspace import default_templates

    doc = Document(str(default_templates() / name))
    doc.add_paragraph(text)
    path = ws_root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


@pytest.mark.parametrize("expr", ESCAPES)
def test_word_template_cannot_reach_python(tmp_path: Path, expr: str) -> None:
    from reportgen.render.word import check_word_templates

    root = example_workspace(tmp_path / "ws")
    _word_template_with(root, "催报通知.docx", expr)
    source = open_workspace(root)
    with pytest.raises(TemplateError):
        check_word_templates(source.templates, source.config)


def test_run_with_hostile_template_stops_before_writing(tmp_path: Path) -> None:
    root = example_workspace(tmp_path / "ws")
    _word_template_with(root, "进度通报.docx", ESCAPES[0])
    result = CliRunner().invoke(main, ["run", "--period", PERIOD, "-w", str(root)])
    assert result.exit_code == 1
    assert "进度通报.docx" in result.output
    assert "__subclasses__" not in "".join(
        p.read_text("utf-8", "replace") for p in (root / "output").rglob("*.json"))


# ---------------------------------------------------------------- quick commands start quickly

HEAVY = ("openpyxl", "docx", "docxtpl", "matplotlib", "pandas", "jinja2", "numpy", "PIL", "lxml")


def _imported(args: list[str], exit_code: int = 0) -> set[str]:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "reportgen", *args],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == exit_code, proc.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def test_help_imports_no_heavy_library() -> None:
    loaded = _imported(["--help"])
    assert "click" in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_status_imports_no_heavy_library(tmp_path: Path) -> None:
    root = example_workspace(tmp_path / "ws")
    loaded = _imported(["status", "--period", PERIOD, "-w", str(root)])
    assert "reportgen.ingest" in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


@pytest.mark.slow
def test_check_loads_no_renderer_nor_openpyxl(tmp_path: Path) -> None:
    """`check` writes its 校验报告 and 校验反馈 as packages: no openpyxl (nor numpy, which it loads)."""
    from tests.test_checkreport_package import CARELESS, _fill_carelessly

    root = example_workspace(tmp_path / "ws")
    _fill_carelessly(root / "input" / "submissions" / PERIOD / f"{CARELESS[0]}.xlsx")
    loaded = _imported(["check", "--period", PERIOD, "-w", str(root)], exit_code=1)
    assert (root / "output" / PERIOD / "校验反馈" / f"{CARELESS[0]}.xlsx").is_file()  # both were written
    assert {"reportgen.checking", "reportgen.xlsx_package"} <= loaded
    assert not [m for m in loaded if m.startswith(("reportgen.pipeline", "reportgen.render", "reportgen.duban",
                                                   "reportgen.xlsx_save"))
                or m.split(".")[0] in HEAVY]


# ---------------------------------------------------------------- work on the other core


def _double(x: int) -> tuple[int, int]:
    import os

    return x * 2, os.getpid()


def _fail() -> None:
    raise TemplateError("模板有误")


@pytest.mark.parametrize("fork", [True, False])
def test_background_returns_and_raises_as_the_call_did(fork: bool) -> None:
    import os

    from reportgen.parallel import Background

    job = Background(_double, 21, fork=fork)
    assert job.forked is fork
    value, pid = job.result()
    assert value == 42 and (pid != os.getpid()) is fork
    with pytest.raises(TemplateError, match="模板有误"):
        Background(_fail, fork=fork).result()


def _first_then_later(first: list[int], later, wait: float = 0.0) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    import time

    time.sleep(wait)  # busy with its own work before it needs the value
    return sum(first), len(later.get())


@pytest.mark.slow  # over half a second: the default lane keeps under a minute
@pytest.mark.parametrize("fork", [True, False])
def test_background_waits_for_a_value_given_after_it_started(fork: bool) -> None:
    import time

    from reportgen.parallel import Background, Later

    later: Later[list[str]] = Later()
    job = Background(_first_then_later, [1, 2, 3], later, 1.0 if fork else 0.0, fork=fork)
    big = ["督办" * 50] * 20_000  # far more than a pipe holds: the parent must not wait for the child
    start = time.perf_counter()
    later.put(big)
    assert time.perf_counter() - start < 0.8  # the child takes a second before it reads
    assert job.result() == (6, 20_000)


def test_background_waiting_for_a_value_never_given_is_stopped() -> None:
    from reportgen.parallel import Background, Later

    later: Later[list[str]] = Later()
    with pytest.raises(ValueError, match="台账"), Background(_first_then_later, [1], later, fork=True) as job:
        assert job.forked
        raise ValueError("台账写入失败")  # the parent gives up before giving the value
    assert not job._proc.is_alive()


def test_background_child_that_dies_is_an_error() -> None:
    import os

    from reportgen.parallel import Background

    job = Background(os._exit, 3, fork=True)
    with pytest.raises(RuntimeError, match="退出码 3"):
        job.result()


@pytest.mark.slow
def test_output_open_in_excel_is_named_and_the_rest_published(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = example_workspace(tmp_path / "ws")
    assert CliRunner().invoke(main, ["run", "--period", PERIOD, "-w", str(root)]).exit_code == 0
    out = root / "output" / PERIOD
    old_table = (out / "汇总表.xlsx").read_bytes()
    old_bulletin = (out / "进度通报.docx").stat().st_mtime_ns
    real_replace = os.replace

    def replace(source: Path, target: Path) -> None:  # Windows refuses to replace an open file
        if Path(target) == out / "汇总表.xlsx":
            raise PermissionError(13, "被占用", str(target))
        real_replace(source, target)

    monkeypatch.setattr(publish, "OPEN_FILES_BLOCK", True)  # as on Windows
    monkeypatch.setattr(os, "replace", replace)
    result = CliRunner().invoke(main, ["run", "--period", PERIOD, "-w", str(root)])
    assert result.exit_code == 1
    assert "汇总表.xlsx" in result.output and "请关闭这些文件后重新运行" in result.output
    assert (out / "汇总表.xlsx").read_bytes() == old_table  # the open file is left whole
    assert (out / "进度通报.docx").stat().st_mtime_ns != old_bulletin  # the others were updated
    assert not [p for p in (root / "output").iterdir() if p.name.startswith(".")]
