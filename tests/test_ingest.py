"""Reading cell values people type, byte-level checks, and the two-process reader."""

from __future__ import annotations

import datetime as dt
import multiprocessing.context
import time
from pathlib import Path
from typing import Any

import pytest

from reportgen import formspec as fs
from reportgen.config import CheckConfig, Config
from reportgen.forms import write_form
from reportgen.ingest import batch, parse_amount, parse_date, parse_status, read_submission, read_submissions
from reportgen.model import FileRead, MilestoneReport, Prefill, Reported, Severity
from reportgen.parallel import Background
from reportgen.safety import inspect_bytes
from tests.ingest_support import ECON, LAND, MED, fill_form, good_values, make_form, make_plan

D = dt.date


@pytest.mark.parametrize(("typed", "value"), [
    (1.2, 1.2), (0, 0.0), ("1.2", 1.2), ("１．２", 1.2), ("1.2亿", 1.2), ("1.2亿元", 1.2),
    ("12000万元", 1.2), ("12000万", 1.2), ("120000000元", 1.2), (" 0.35 ", 0.35), ("1,200万元", 0.12),
    (".5", 0.5), ("３０００万元", 0.3),
])
def test_amounts_with_one_meaning_are_taken_silently(typed: object, value: float) -> None:
    parsed = parse_amount(typed)
    assert (parsed.value, parsed.code) == (value, "")


def test_in_wan_header_converts_plain_numbers() -> None:
    assert parse_amount(5000, in_wan=True).value == 0.5
    assert parse_amount("0.5亿", in_wan=True).value == 0.5


@pytest.mark.parametrize(("typed", "code", "words"), [
    ("约1.2亿元", "approximate", "约数"), ("近3000万元", "approximate", "0.3"),
    ("一亿二", "bad_number", "无法识别"), ("1.2亿元（含设备）", "bad_number", "亿元"),
    (-1, "negative", "负数"), ("-0.3", "negative", "负数"), (True, "bad_number", "True"),
    (D(2024, 6, 1), "bad_number", "2024-06-01"), ("", "bad_number", ""),
])
def test_amounts_that_need_a_word(typed: object, code: str, words: str) -> None:
    parsed = parse_amount(typed)
    assert parsed.code == code and words in parsed.message


@pytest.mark.parametrize(("typed", "day"), [
    (D(2024, 6, 15), D(2024, 6, 15)), (dt.datetime(2024, 6, 15, 9, 30), D(2024, 6, 15)),
    ("2024.6.15", D(2024, 6, 15)), ("2024/6/15", D(2024, 6, 15)), ("2024-06-15", D(2024, 6, 15)),
    ("2024年6月15日", D(2024, 6, 15)), ("6月15日", D(2024, 6, 15)), ("6月15", D(2024, 6, 15)),
    ("２０２４年６月１５日", D(2024, 6, 15)), (45458, D(2024, 6, 15)), (45458.0, D(2024, 6, 15)),
    (20240615, D(2024, 6, 15)), ("20240615", D(2024, 6, 15)), (" 2024 年 6 月 15 日 ", D(2024, 6, 15)),
])
def test_dates_people_type(typed: object, day: dt.date) -> None:
    assert parse_date(typed, 2024).value == day


@pytest.mark.parametrize("typed", ["六月中旬", "6月底", "2024年6月", "6.15", 6.15, "2024-13-01", "2024-02-30", True])
def test_dates_never_guessed(typed: object) -> None:
    parsed = parse_date(typed, 2024)
    assert parsed.code == "bad_date" and parsed.value is None


@pytest.mark.parametrize(("typed", "status", "code"), [
    ("已完成", Reported.DONE, ""), ("完成", Reported.DONE, ""), ("完成了", Reported.DONE, ""),
    ("已完成。", Reported.DONE, ""), ("推进中", Reported.ONGOING, ""), ("正在推进", Reported.ONGOING, ""),
    ("进行中", Reported.ONGOING, ""), ("未启动", Reported.NOT_STARTED, ""), ("尚未启动", Reported.NOT_STARTED, ""),
    ("受阻", Reported.BLOCKED, ""), ("已经完成了", Reported.DONE, ""), ("正在推进中", Reported.ONGOING, ""),
    (" 已 完 成 ", Reported.DONE, ""), ("已完成！", Reported.DONE, ""),
])
def test_status_words(typed: str, status: Reported, code: str) -> None:
    parsed = parse_status(typed)
    assert (parsed.value, parsed.code) == (status, code)


@pytest.mark.parametrize("typed", ["部分完成", "待完成", "已完成一半", "已基本完成", "拟完成", "完成中",
                                   "基本完成", "即将完成", "未完成", "看情况", "是", "完不成", "已完成80%"])
def test_status_words_that_are_not_clearly_one_choice_are_errors(typed: str) -> None:
    parsed = parse_status(typed)
    assert (parsed.value, parsed.code, parsed.severity) == (None, "bad_status", Severity.ERROR)
    assert typed in parsed.message and "已完成、推进中、未启动、受阻" in parsed.message


@pytest.mark.parametrize(("typed", "value", "code"), [
    ("0，9", None, "ambiguous_separator"), ("0,9", None, "ambiguous_separator"), ("1,2", None, "ambiguous_separator"),
    ("1，200", None, "ambiguous_separator"), ("1,200.5", 1200.5, ""), ("12,000万元", 1.2, ""),
    ("1000万", 0.1, ""), ("0.6亿元", 0.6, ""), ("１．２", 1.2, ""),
])
def test_amount_separators(typed: str, value: float | None, code: str) -> None:
    parsed = parse_amount(typed)
    assert (parsed.value, parsed.code) == (value, code)
    if code:
        assert typed in parsed.message and "小数点" in parsed.message


@pytest.mark.parametrize("typed", ["未完成", "看情况", "是", "完不成"])
def test_status_negations_and_noise_are_not_guessed_as_done(typed: str) -> None:
    parsed = parse_status(typed)
    assert parsed.value is not Reported.DONE
    assert parsed.code == "bad_status" or parsed.severity is Severity.INFO


def test_inspect_names_what_a_file_really_is() -> None:
    check = CheckConfig()
    assert inspect_bytes(b"%PDF-1.7", "a.xlsx", check).issues[0].code == "not_spreadsheet"
    assert inspect_bytes(b"", "a.xlsx", check).issues[0].code == "empty_file"
    bad = inspect_bytes(b"PK\x03\x04garbage", "a.xlsx", check).issues[0]
    assert bad.code == "corrupt_file" and bad.severity is Severity.ERROR


def test_read_submission_reads_one_file(tmp_path: Path) -> None:
    plan = make_plan()
    figures, answers = good_values(MED)
    path = make_form(plan, MED, "2024-06", tmp_path / "x.xlsx", figures, answers)
    read = read_submission(path, plan, Config(), "2024-06")
    assert read.used and read.submission is not None
    assert {k: f.value_yi for k, f in read.submission.figures.items()} == figures
    assert read.submission.milestones["P03-M01"].completed_on == answers["P03-M01"]["completed_on"]


@pytest.mark.slow  # over half a second: the default lane keeps under a minute
def test_two_processes_read_the_same_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan()
    for unit in (MED, LAND, ECON):
        figures, answers = good_values(unit)
        make_form(plan, unit, "2024-06", tmp_path / "in" / f"{unit}.xlsx", figures, answers,
                  {"填报人": "甲", "填报日期": D(2024, 7, 2)})
    (tmp_path / "in" / "坏.xlsx").write_bytes(b"x")
    one = read_submissions(tmp_path / "in", plan, Config(), "2024-06", kept=tmp_path / "kept-one.json")
    monkeypatch.setattr(batch, "POOL_MIN_FILES", 0)
    monkeypatch.setattr(batch, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(batch, "pool_workers", lambda: 2)
    children: list[batch.Background[Any]] = []
    monkeypatch.setattr(batch, "Background", lambda *a, **k: children.append(Background(*a, **k)) or children[-1])
    from_child: list[object] = []  # readings the child sent, as the parent rebuilds them
    decode = batch.decoder(FileRead)
    monkeypatch.setattr(batch, "decoder", lambda tp: lambda v: from_child.append(v) or decode(v))
    waited: list[int] = []  # this process is busy elsewhere for a while: the child reads
    two = read_submissions(tmp_path / "in", plan, Config(), "2024-06", kept=tmp_path / "kept-two.json",
                           meanwhile=lambda: waited.append(1) or time.sleep(0.5))
    assert len(children) == 1 and children[0].forked and waited == [1]
    assert from_child  # files read by the forked child, sent back as plain data
    assert two.files == one.files  # every field of every reading, in the same order
    # the child's readings are kept as it sent them: the same file as one process writes
    assert (tmp_path / "kept-two.json").read_bytes() == (tmp_path / "kept-one.json").read_bytes()
    assert [s.unit for s in two.submissions] == [s.unit for s in one.submissions] == [MED, LAND, ECON]
    assert [(s.figures, s.milestones, s.contact) for s in two.submissions] == [
        (s.figures, s.milestones, s.contact) for s in one.submissions
    ]
    assert [(i.code, i.file) for i in two.issues] == [(i.code, i.file) for i in one.issues] == [
        ("not_spreadsheet", "坏.xlsx")
    ]


def test_without_shared_memory_one_process_reads_everything(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan()
    for unit in (MED, LAND):
        figures, answers = good_values(unit)
        make_form(plan, unit, "2024-06", tmp_path / "in" / f"{unit}.xlsx", figures, answers)
    one = read_submissions(tmp_path / "in", plan, Config(), "2024-06")
    monkeypatch.setattr(batch, "POOL_MIN_FILES", 0)
    monkeypatch.setattr(batch, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(batch, "pool_workers", lambda: 2)

    def no_semaphores(*_a: object) -> None:
        raise OSError(38, "Function not implemented")  # what sem_open says without /dev/shm

    monkeypatch.setattr(multiprocessing.context.ForkContext, "Value", no_semaphores)
    forked: list[object] = []
    monkeypatch.setattr(batch, "Background", lambda *a, **k: forked.append(a))
    called: list[int] = []
    alone = read_submissions(tmp_path / "in", plan, Config(), "2024-06", meanwhile=lambda: called.append(1))
    assert forked == [] and called == [1]
    assert alone.files == one.files and [s.unit for s in alone.submissions] == [MED, LAND]


def test_pool_uses_only_idle_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins
    import io

    real_open = builtins.open
    state = {"runnable": 1, "load": 0.9}

    def fake_open(path: object, *args: object, **kwargs: object) -> object:
        if path == "/proc/loadavg":
            return io.StringIO(f"{state['load']} 0.40 0.30 {state['runnable']}/300 4242\n")
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(batch.os, "getloadavg", lambda: (state["load"], 0.0, 0.0))
    monkeypatch.setattr(builtins, "open", fake_open)
    assert batch.pool_workers() == 2  # only this process is running
    state["runnable"] = 2
    assert batch.pool_workers() == 1  # another process holds the other core
    state["runnable"], state["load"] = 1, 1.8
    assert batch.pool_workers() == 1  # others were busy over the last minute


def test_same_date_two_files_the_later_saved_wins(tmp_path: Path) -> None:
    import os

    plan = make_plan()
    figures, answers = good_values(MED)
    foot = {"填报人": "甲", "填报日期": D(2024, 7, 2)}
    old = make_form(plan, MED, "2024-06", tmp_path / "in" / "b-初稿.xlsx", {**figures, "P01/invest": 0.1},
                    answers, foot)
    new = make_form(plan, MED, "2024-06", tmp_path / "in" / "a-定稿.xlsx", figures, answers, foot)
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_000_600, 1_700_000_600))
    result = read_submissions(tmp_path / "in", plan, Config(), "2024-06")
    assert [Path(s.file).name for s in result.submissions] == ["a-定稿.xlsx"]
    notice = next(i for i in result.issues if i.code == "superseded")
    assert notice.file == "b-初稿.xlsx" and "a-定稿.xlsx" in notice.message and notice.unit == MED


@pytest.mark.parametrize("fmt_id", [27, 28, 30, 31, 36, 50, 52, 55, 57, 58])
def test_chinese_builtin_date_formats_read_as_dates(tmp_path: Path, fmt_id: int) -> None:
    """Excel's Chinese built-in date formats (ids 27-36, 50-58) store a serial; openpyxl sees a number."""
    import re
    import zipfile

    from tests.ingest_support import patch_zip

    plan = make_plan()
    path = make_form(plan, MED, "2024-06", tmp_path / "f.xlsx", {"P01/invest": 1.0, "P03/invest": 0.5},
                     {"P03-M01": {"status": "已完成", "completed_on": 45458}})
    with zipfile.ZipFile(path) as z:
        sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/") and b"P03-M01" in z.read(n))
        style = int(re.search(rb'<c r="G4" s="(\d+)"', z.read(sheet)).group(1))  # type: ignore[union-attr]

    def set_format(data: bytes) -> bytes:
        text = data.decode()
        block = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", text, re.S).group(1)  # type: ignore[union-attr]
        xfs = re.findall(r"<xf [^>]*/>|<xf [^>]*>.*?</xf>", block, re.S)
        xfs[style] = re.sub(r'numFmtId="\d+"', f'numFmtId="{fmt_id}"', xfs[style])
        return text.replace(block, "".join(xfs)).encode()

    patch_zip(path, {"xl/styles.xml": set_format})
    from openpyxl import load_workbook

    assert isinstance(load_workbook(path)["节点推进情况"]["G4"].value, int | float)  # the trap
    read = read_submission(path, plan, Config(), "2024-06")
    assert read.submission is not None
    assert read.submission.milestones["P03-M01"].completed_on == D(2024, 6, 15)
    assert not [i for i in read.issues if i.severity is not Severity.INFO]


def test_a_prefilled_form_sent_back_unchanged_is_not_a_report(tmp_path: Path) -> None:
    # last month's answers, written into this month's form as `forms` does
    earlier = MilestoneReport("P03-M01", Reported.ONGOING, None, "设备进场", "用地指标", "月底前完成入统")
    plan, config = make_plan(), Config()
    sent = write_form(plan, config, "2024-06", MED, tmp_path / "下发.xlsx",
                      Prefill(period="2024-05", figures={"P01/invest": 0.5}, reports={"P03-M01": earlier}))
    read = read_submission(sent, plan, config, "2024-06")
    assert [(i.severity, i.code) for i in read.issues] == [(Severity.ERROR, "no_data")]
    assert "只有预填的上月内容" in read.issues[0].message and "视为未报送" in read.issues[0].message
    assert read.submission is not None and read.submission.unit == MED and not read.submission.milestones
    # one answer of this month typed over the pre-fill: read as the unit's report
    fill_form(sent, milestones={"P03-M01": {"progress": "已入统"}}, footer={})
    read = read_submission(sent, plan, config, "2024-06")
    assert "no_data" not in [i.code for i in read.issues]
    assert read.submission is not None
    got = read.submission.milestones["P03-M01"]
    assert (got.status, got.progress, got.problems) == (Reported.ONGOING, "已入统", "用地指标")



def test_a_form_saved_as_csv_is_refused_for_its_unit(tmp_path: Path) -> None:
    plan, config = make_plan(), Config()
    title = f"2024年6月重点项目推进情况报送表（{LAND}）,,,,"
    table = ",".join(fs.MILESTONE_HEADERS.values()) + (
        "\nP07-M01,海博思创储能项目,完成用地预审,6月20日,规划和自然资源分局,已完成,2024-06-18")
    for name, content, encoding, unit in (
        ("报表.csv", f"{title}\n\n{table}", "gb18030", LAND),  # Excel's CSV: the title row names the unit
        # a long title is written in two lines (a unit's name in its brackets on the second)
        ("报表.csv", f'"{title[:18]}\n{title[18:-4]}",,,,\n\n{table}', "utf-8", LAND),
        (f"{LAND}.csv", table, "utf-8-sig", LAND),  # no title: the file name does
        ("报表.csv", table, "utf-8", ""),  # neither: named, and counted for no unit
    ):
        path = tmp_path / name
        path.write_bytes(content.encode(encoding))
        read = read_submission(path, plan, config, "2024-06")
        assert [(i.severity, i.code, i.unit) for i in read.issues] == [(Severity.ERROR, "csv_file", unit)]
        assert (f"文件“{name}”" in read.issues[0].message and "另存成的CSV" in read.issues[0].message) or not unit
        assert "未采用" in read.issues[0].message and "报送表（.xlsx）" in read.issues[0].message
        assert (read.submission.unit if read.submission else "") == unit
        assert read.submission is None or not (read.submission.milestones or read.submission.figures)
    # a text file that is no form (a cover note) is only named, as before
    note = tmp_path / "说明.txt"
    note.write_text("附件为我单位6月报送表", "utf-8")
    assert [(i.severity, i.code) for i in read_submission(note, plan, config, "2024-06").issues] == [
        (Severity.WARNING, "not_spreadsheet")]
