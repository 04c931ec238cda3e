"""A workspace's templates against the bundled ones: an older copy is named, updated only when asked,
an edited copy kept as a backup."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from reportgen.cli import main
from reportgen.loader import default_templates
from reportgen.template_versions import (
    RECORD,
    VERSIONS,
    State,
    stale_notes,
    template_states,
    update_templates,
)
from reportgen.workspace import init_workspace


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(path: Path, text: str) -> None:
    """Add a paragraph as staff do in Word."""
    doc = Document(str(path))
    doc.add_paragraph(text)
    doc.save(str(path))


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A program's bundled templates whose 提醒函 changed once: v1 shipped before, v2 now."""
    folder = tmp_path / "bundled"
    folder.mkdir()
    for name in ("提醒函.docx", "督办通知.docx"):
        shutil.copy2(default_templates() / name, folder / name)
    v1 = tmp_path / "提醒函-v1.docx"
    shutil.copy2(folder / "提醒函.docx", v1)
    edit(folder / "提醒函.docx", "（新版加的一段）")
    versions = {"提醒函.docx": [sha(v1), sha(folder / "提醒函.docx")],
                "督办通知.docx": [sha(folder / "督办通知.docx")]}
    (folder / VERSIONS).write_text(json.dumps(versions, ensure_ascii=False), encoding="utf-8")
    return folder


def test_the_committed_list_knows_every_bundled_template_as_it_is():
    # a template regenerated without `python -m tools.template_versions` would look edited in
    # every workspace made from it once the next version ships
    shipped = json.loads((default_templates() / VERSIONS).read_text(encoding="utf-8"))
    for path in default_templates().iterdir():
        if path.suffix in (".docx", ".xlsx"):
            assert sha(path) in shipped[path.name], path.name


def test_a_new_workspace_is_current_and_a_copy_edited_since_is_its_own(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    own = ws.root / "templates"
    assert {t.state for t in template_states(own)} == {State.CURRENT}
    edit(own / "进度通报.docx", "（本单位加的一段）")
    states = {t.name: t.state for t in template_states(own)}
    assert states["进度通报.docx"] is State.OWN and stale_notes(own) == []


def test_an_older_copy_is_named_and_replaced_only_when_asked(tmp_path, bundled):
    own = tmp_path / "ws" / "templates"
    own.mkdir(parents=True)
    shutil.copy2(tmp_path / "提醒函-v1.docx", own / "提醒函.docx")  # made by the earlier program
    shutil.copy2(bundled / "督办通知.docx", own / "督办通知.docx")
    edit(own / "督办通知.docx", "（本单位加的一段）")  # no record: which version it came from is unknown
    states = {t.name: t.state for t in template_states(own, bundled)}
    assert states == {"提醒函.docx": State.OLD, "督办通知.docx": State.EDITED_UNKNOWN}
    notes = stale_notes(own, bundled)
    assert "《提醒函.docx》是程序自带模板的旧版（未修改过）" in notes[0] and "--update" in notes[0]
    assert "《督办通知.docx》是本单位改过的" in notes[1]

    day = dt.date(2024, 7, 8)
    done = update_templates(own, (), day, bundled)  # unnamed: only the unedited old one
    assert [(u.name, u.edited) for u in done] == [("提醒函.docx", False)]
    assert sha(own / "提醒函.docx") == sha(bundled / "提醒函.docx")
    assert sha(own / "备份" / "2024-07-08" / "提醒函.docx") == sha(tmp_path / "提醒函-v1.docx")
    assert "（本单位加的一段）" in [p.text for p in Document(str(own / "督办通知.docx")).paragraphs]

    done = update_templates(own, ("督办通知",), day, bundled)  # named: replaced, the edit kept aside
    assert [(u.name, u.edited) for u in done] == [("督办通知.docx", True)]
    kept = own / "备份" / "2024-07-08" / "督办通知.docx"
    assert "（本单位加的一段）" in [p.text for p in Document(str(kept)).paragraphs]
    assert sha(own / "督办通知.docx") == sha(bundled / "督办通知.docx")
    assert stale_notes(own, bundled) == []


def test_an_edit_of_an_older_version_is_told_until_kept(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    own = ws.root / "templates"
    edit(own / "督办通知.docx", "（本单位加的一段）")
    shipped = json.loads((default_templates() / VERSIONS).read_text(encoding="utf-8"))
    record = json.loads((own / RECORD).read_text(encoding="utf-8"))
    record["督办通知.docx"] = shipped["督办通知.docx"][0]  # copied at init by an earlier program
    (own / RECORD).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")

    listed = CliRunner().invoke(main, ["templates", "-w", str(ws.root)])
    assert listed.exit_code == 0
    assert "！ 督办通知.docx：按旧版修改过，程序自带的已更新" in listed.output
    assert "  进度通报.docx：与程序自带的当前版相同" in listed.output
    kept = CliRunner().invoke(main, ["templates", "--keep", "督办通知.docx", "-w", str(ws.root)])
    assert kept.exit_code == 0 and "不再提示：督办通知.docx" in kept.output
    assert "  督办通知.docx：按当前版修改过（本单位的模板）" in kept.output
    assert stale_notes(own) == []
    assert "（本单位加的一段）" in [p.text for p in Document(str(own / "督办通知.docx")).paragraphs]


def test_a_name_that_is_no_template_is_a_usage_error(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    got = CliRunner().invoke(main, ["templates", "--update", "督办", "-w", str(ws.root)])
    assert got.exit_code == 2 and "没有名为《督办》的模板" in got.output


@pytest.mark.slow  # a check and a run of the sample month
def test_check_and_run_tell_of_an_older_template_and_run_still_prints_it(tmp_path):
    ws = init_workspace(tmp_path / "ws", sample=True)
    own = ws.root / "templates"
    edit(own / "提醒函.docx", "（本单位加的一段）")
    (own / RECORD).unlink()  # a workspace made before the record was kept
    checked = CliRunner().invoke(main, ["check", "--period", "2024-06", "-w", str(ws.root)])
    assert "提示：工作区 templates/ 中的《提醒函.docx》是本单位改过的" in checked.output
    ran = CliRunner().invoke(main, ["run", "--period", "2024-06", "-w", str(ws.root)])
    assert "提示：工作区 templates/ 中的《提醒函.docx》是本单位改过的" in ran.output
    log = next((ws.root / "output" / "2024-06").glob("*.log")).read_text(encoding="utf-8")
    assert "《提醒函.docx》是本单位改过的" in log
    letters = list((ws.root / "output" / "2024-06" / "提醒函").glob("*.docx"))
    assert letters and all("（本单位加的一段）" in [p.text for p in Document(str(f)).paragraphs] for f in letters)
