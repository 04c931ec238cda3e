"""Issue-13 faults: a full disk or a read-only output folder during a rerun stops it with a
Chinese message and exit 1, and every output of the earlier run stays byte for byte."""

from __future__ import annotations

import datetime as dt
import errno
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from tests.ingest_support import LAND, land_and_econ_forms, make_form

pytestmark = pytest.mark.slow  # each runs the month twice

PERIOD = "2024-06"
FOOTER = {"填报人": "王芳", "联系电话": "1", "填报日期": dt.date(2024, 7, 2)}


@pytest.fixture
def ran(workspace) -> Path:  # type: ignore[no-untyped-def]
    """A workspace whose June has been run once (so there are outputs to keep)."""
    plan, folder = land_and_econ_forms(workspace, PERIOD, FOOTER)
    r = CliRunner().invoke(main, ["run", "--period", PERIOD, "-w", str(workspace.root)])
    assert r.exit_code == 0 and (workspace.root / "output" / PERIOD / "进度通报.docx").exists(), r.output
    # a second unit's form arrives: the rerun would change the outputs
    make_form(plan, LAND, PERIOD, folder / f"{LAND}-补报.xlsx", {},
              {c: {"status": "已完成", "completed_on": dt.date(2024, 6, 5)} for c in ("P07-M01", "P07-M02")},
              {**FOOTER, "填报日期": dt.date(2024, 7, 3)}, config=workspace.config)
    return Path(workspace.root)


def outputs(ws: Path) -> dict[str, bytes]:
    """Every output file of the period but the run log (which records each attempt)."""
    out = ws / "output" / PERIOD
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "run.log"}


def rerun(ws: Path) -> Any:
    return CliRunner().invoke(main, ["run", "--period", PERIOD, "-w", str(ws)])


def assert_untouched(ws: Path, before: dict[str, bytes], r: Any, words: str) -> None:
    assert r.exit_code == 1, r.output
    assert words in r.output and "上次生成的文件均保持不变" in r.output, r.output
    assert "Traceback" not in r.output
    assert outputs(ws) == before
    assert not [p.name for p in (ws / "output").iterdir() if p.name.startswith(".staging")]


def test_disk_full_while_writing_documents(ran: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = outputs(ran)
    assert "进度通报.docx" in before and "汇总表.xlsx" in before
    real = zipfile.ZipFile.writestr
    calls = {"n": 0}

    def full(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 25:  # some documents were written, then the disk filled
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", full)
    assert_untouched(ran, before, rerun(ran), "磁盘空间不足")


def test_half_written_document_is_never_published(ran: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reportgen.render.word as word

    before = outputs(ran)
    real: Callable[..., Any] = word.render_word

    def truncating(*args: Any) -> Any:
        written = real(*args)
        doc = next(p for p in written if p.name == "进度通报.docx")
        doc.write_bytes(doc.read_bytes()[: doc.stat().st_size // 2])  # the disk filled mid-file
        return written

    monkeypatch.setattr(word, "render_word", truncating)
    r = rerun(ran)
    assert_untouched(ran, before, r, "不完整")
    assert "进度通报.docx" in r.output


def test_read_only_output_folder_midway(ran: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # tests run as root, for whom chmod does not stop a write: the folder refuses the second file
    before = outputs(ran)
    real = os.replace
    moved = {"n": 0}

    def read_only(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if f".staging-{PERIOD}" in Path(src).parts and f".staging-{PERIOD}" not in Path(dst).parts:
            moved["n"] += 1
            if moved["n"] > 1:
                raise OSError(errno.EROFS, "Read-only file system", str(dst))
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", read_only)
    r = rerun(ran)
    assert moved["n"] == 2  # one file had been replaced, and was put back
    assert_untouched(ran, before, r, "不可写")


def test_check_into_a_read_only_folder_is_a_clear_message(ran: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = outputs(ran)
    real = os.replace
    out = ran / "output" / PERIOD

    def denied(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if out in Path(dst).parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", denied)
    r = CliRunner().invoke(main, ["check", "--period", PERIOD, "-w", str(ran)])
    assert r.exit_code == 1 and "不可写" in r.output and "Traceback" not in r.output, r.output
    assert outputs(ran) == before
