"""A file `check` read is not read again by `run` while it and everything its reading depended on
stay as they were; anything changed is read again (reportgen.ingest.kept)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.ingest import read_submissions
from reportgen.ingest.index import PlanIndex
from reportgen.ingest.kept import Kept, context, decoder, encode, encoder
from reportgen.model import FileRead, Issue, Severity, Submission
from reportgen.plan.workbook import load_master
from reportgen.rules import reporting_units
from reportgen.workspace import Workspace, init_workspace
from tests.test_received import FILE, PERIOD, _break_a_date, _count_reads


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The sample workspace, June checked once (its readings kept)."""
    ws = init_workspace(tmp_path_factory.mktemp("kept") / "ws", sample=True)
    _break_a_date(ws.submissions_dir(PERIOD) / FILE)  # one file with an error and a cell named
    assert CliRunner().invoke(main, ["check", "-p", PERIOD, "-w", str(ws.root)]).exit_code == 1
    return ws


def _kept_at(ws: Workspace) -> Path:
    return ws.history_dir / f"readings-{PERIOD}.json"


def _read(ws: Workspace, previous: dict[str, float] | None = None) -> list[FileRead]:
    plan = load_master(ws)
    return read_submissions(ws.submissions_dir(PERIOD), plan, ws.config, PERIOD, previous,
                            kept=_kept_at(ws)).files


def test_a_reading_comes_back_as_it_was_read(checked: Workspace) -> None:
    fresh = read_submissions(checked.submissions_dir(PERIOD), load_master(checked), checked.config, PERIOD).files
    assert any(f.issues for f in fresh) and any(f.submission and f.submission.milestones for f in fresh)
    back = [decoder(FileRead)(json.loads(json.dumps(encode(f), ensure_ascii=False))) for f in fresh]
    assert back == fresh  # every field of every report, figure, date and issue


def test_the_encoder_made_per_class_writes_what_encode_writes(checked: Workspace) -> None:
    fresh = read_submissions(checked.submissions_dir(PERIOD), load_master(checked), checked.config, PERIOD).files
    assert [encoder(FileRead)(f) for f in fresh] == [encode(f) for f in fresh]
    # values of another type than declared (a str subclass, a datetime where a date is declared,
    # a tuple where a list is) are written as encode writes them
    odd = dataclasses.replace(fresh[0], name=Severity.ERROR, issues=tuple(fresh[0].issues))  # type: ignore[arg-type]
    sub = odd.submission
    assert sub is not None
    odd.submission = dataclasses.replace(sub, content_date=dt.datetime(2024, 7, 2, 9, 30), contact={"填报人": 1})
    got = encoder(FileRead)(odd)
    assert got == encode(odd) and got[1] == "error" and got[2][5] == "2024-07-02T09:30:00"
    assert json.dumps(got, ensure_ascii=False) == json.dumps(encode(odd), ensure_ascii=False)


def test_check_then_read_again_reads_nothing_and_gets_the_same(checked: Workspace,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = read_submissions(checked.submissions_dir(PERIOD), load_master(checked), checked.config, PERIOD).files
    read = _count_reads(monkeypatch)
    built = []
    real = PlanIndex.build
    monkeypatch.setattr(PlanIndex, "build", classmethod(lambda cls, *a: built.append(1) or real(*a)))
    again = read_submissions(checked.submissions_dir(PERIOD), load_master(checked), checked.config, PERIOD,
                             kept=_kept_at(checked))
    assert read == [] and built == []  # nothing read, and the units expected were kept too
    assert again.files == fresh
    assert again.expected_units == [u for u in reporting_units(load_master(checked), checked.config)]


def test_anything_the_reading_depended_on_changed_reads_again(checked: Workspace,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    saved = _kept_at(checked).read_bytes()
    read = _count_reads(monkeypatch)
    try:
        _read(checked, {"P01/invest": 1.0})  # last month's figures differ: every file again
        assert len(read) == len([p for p in checked.submissions_dir(PERIOD).iterdir() if p.is_file()])
    finally:
        _kept_at(checked).write_bytes(saved)


def test_a_file_changed_in_place_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "甲单位.xlsx"
    path.write_bytes(b"A" * 100)
    st = path.stat()
    sub = Submission(unit="甲单位", period=PERIOD, file=str(path), sha256=hashlib.sha256(b"A" * 100).hexdigest(),
                     received=dt.datetime.fromtimestamp(st.st_mtime))
    read = FileRead(path, path.name, sub, [Issue(Severity.WARNING, "说明", "x", path.name)], used=True)
    kept = Kept(tmp_path / "kept.json", "k")
    kept.keep([read])
    kept.save(["甲单位"])
    assert Kept(tmp_path / "kept.json", "k").take(path, path.name) == read
    assert Kept(tmp_path / "kept.json", "other context").take(path, path.name) is None
    # the readings' line cut short, or one character changed: not taken (nor unmarshalled)
    saved = (tmp_path / "kept.json").read_bytes()
    head, body = saved.split(b"\n")
    for damaged in (body[:-8], body[:40] + (b"A" if body[40:41] != b"A" else b"B") + body[41:]):
        (tmp_path / "kept.json").write_bytes(head + b"\n" + damaged)
        assert Kept(tmp_path / "kept.json", "k").take(path, path.name) is None
    (tmp_path / "kept.json").write_bytes(saved)
    assert Kept(tmp_path / "kept.json", "k").take(path, path.name) == read
    # the same size and modification time, other bytes (a copy that kept the time stamp)
    path.write_bytes(b"B" * 100)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert Kept(tmp_path / "kept.json", "k").take(path, path.name) is None


def test_an_unreadable_kept_file_is_read_again(checked: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _kept_at(checked)
    saved = kept.read_bytes()
    try:
        kept.write_text("{", encoding="utf-8")
        read = _count_reads(monkeypatch)
        again = _read(checked)
        assert read and all(dataclasses.is_dataclass(f) for f in again)
    finally:
        kept.write_bytes(saved)


def test_plans_without_a_version_are_told_apart_by_their_content(checked: Workspace) -> None:
    plan = load_master(checked)
    one = dataclasses.replace(plan, version="")
    other = dataclasses.replace(plan, version="", title=plan.title + "（修订）")
    assert context(one, checked.config, PERIOD, {}) != context(other, checked.config, PERIOD, {})
    assert context(one, checked.config, PERIOD, {}) == context(dataclasses.replace(one), checked.config, PERIOD, {})
