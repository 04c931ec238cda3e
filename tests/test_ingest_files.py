"""Issue-13 files: odd names and links in the submissions folder never stop `check` or `run`,
and a link is never followed out of the folder (nor archived)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen.cli import main
from reportgen.config import Config
from reportgen.ingest import read_submissions
from tests.ingest_support import ECON, LAND, MED, land_and_econ_forms, make_form, make_plan

PERIOD = "2024-06"
FOOTER = {"填报人": "王芳", "联系电话": "1", "填报日期": dt.date(2024, 7, 2)}
GBK_NAME = os.fsdecode("经济运行与安全监管部".encode("gbk") + b".xlsx")  # a zip unpacked from Chinese Windows


@pytest.fixture
def ws_dir(workspace) -> Path:  # type: ignore[no-untyped-def]
    """A workspace whose June folder holds a good form, a GBK-named form, a loop and links."""
    plan, folder = land_and_econ_forms(workspace, PERIOD, FOOTER, econ_name=GBK_NAME)
    outside = make_form(plan, MED, PERIOD, workspace.root / "私人" / f"{MED}.xlsx", {"P01/invest": 1.0}, {},
                        FOOTER, config=workspace.config)
    os.symlink("环1", folder / "环2")
    os.symlink("环2", folder / "环1")
    os.symlink(outside, folder / f"{MED}.xlsx")
    os.symlink(folder.parent, folder / "上一级")
    return workspace.root


def _report_rows(ws: Path) -> list[tuple[str, str]]:
    wb = load_workbook(ws / "output" / PERIOD / "校验报告.xlsx")
    ws_ = wb.worksheets[0]
    header = next(i for i, row in enumerate(ws_.iter_rows(values_only=True)) if "文件" in row)
    rows = list(ws_.iter_rows(values_only=True))
    col_file, col_msg = rows[header].index("文件"), rows[header].index("问题说明")
    return [(str(r[col_file]), str(r[col_msg])) for r in rows[header + 1:] if r[col_file]]


def test_odd_names_and_links_are_read_or_named_never_a_crash(ws_dir: Path) -> None:
    r = CliRunner().invoke(main, ["check", "--period", PERIOD, "-w", str(ws_dir)])
    assert r.exit_code == 1, r.output  # the links are errors
    rows = _report_rows(ws_dir)
    named = {f: m for f, m in rows}
    assert "循环链接" in named["环1"] and "循环链接" in named["环2"]
    assert "报送文件夹以外" in named[f"{MED}.xlsx"] and "未读取" in named[f"{MED}.xlsx"]
    assert "文件夹" in named["上一级"]
    # the GBK-named file is read (shown decoded) and counts as ECON's submission
    line = next(x for x in r.output.splitlines() if ECON in x)
    assert "已报送" in line
    assert not any(MED in x and "已报送" in x for x in r.output.splitlines())


@pytest.mark.slow
def test_run_with_odd_names_and_links_archives_only_what_it_read(ws_dir: Path) -> None:
    r = CliRunner().invoke(main, ["run", "--period", PERIOD, "-w", str(ws_dir)])
    assert r.exit_code == 1, r.output  # errors found in the batch, results written
    assert (ws_dir / "output" / PERIOD / "进度通报.docx").exists()
    with sqlite3.connect(ws_dir / "history" / "ledger.sqlite") as db:
        names = {row[0] for row in db.execute("SELECT file_name FROM submissions")}
    assert f"{ECON}.xlsx" in names and f"{LAND}.xlsx" in names
    assert f"{MED}.xlsx" not in names  # the link out of the folder was not followed nor archived


def test_gbk_name_is_shown_decoded(tmp_path: Path) -> None:
    plan = make_plan()
    folder = tmp_path / "in"
    make_form(plan, ECON, PERIOD, folder / GBK_NAME, {}, {"P07-M04": {"status": "推进中"}}, FOOTER)
    result = read_submissions(folder, plan, Config(), PERIOD)
    assert [f.name for f in result.files] == [f"{ECON}.xlsx"]
    assert [s.unit for s in result.submissions] == [ECON]


def test_unreadable_sub_folder_is_named_and_the_rest_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan()
    folder = tmp_path / "in"
    make_form(plan, ECON, PERIOD, folder / f"{ECON}.xlsx", {}, {"P07-M04": {"status": "推进中"}}, FOOTER)
    (folder / "锁定的文件夹").mkdir()
    real = os.scandir

    def denied(path: object) -> object:  # tests run as root: chmod would not stop a listing
        if str(path).endswith("锁定的文件夹"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", denied)
    result = read_submissions(folder, plan, Config(), PERIOD)
    assert [s.unit for s in result.submissions] == [ECON]
    locked = next(f for f in result.files if f.name == "锁定的文件夹")
    assert [(i.code, i.severity.value) for i in locked.issues] == [("not_followed", "error")]
    assert "无法打开" in locked.issues[0].message
