"""The 督办 ledger: nodes of each 督办通知, 销号 when they are done, repeats escalated."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.duban import Notice, build_dubans, open_dubans
from reportgen.model import Status
from reportgen.workspace import init_workspace

A, B = "甲单位", "乙单位"
OVER, DONE, LATE, ON = Status.OVERDUE, Status.DONE, Status.DONE_LATE, Status.IN_PROGRESS


def _month(**nodes: dict[str, Status]) -> dict[str, dict[str, tuple[Status, dt.date | None]]]:
    return {code: {unit: (status, None) for unit, status in units.items()} for code, units in nodes.items()}


# A scripted year: 甲 is pressed on M1 in March and again in April (escalated), finishes it late in
# May (销号); 乙 is pressed on M2 in April and never finishes; 甲's M3 is done the month after.
YEAR = {
    "2024-03": _month(M1={A: OVER}, M2={B: ON}, M3={A: ON}),
    "2024-04": _month(M1={A: OVER}, M2={B: OVER}, M3={A: OVER}),
    "2024-05": _month(M1={A: LATE}, M2={B: OVER}, M3={A: DONE}),
    "2024-06": _month(M1={A: LATE}, M2={B: OVER}, M3={A: DONE}),
}
NOTICES = [
    Notice("督字〔2024〕1号", "督办通知", "2024-03", A),
    Notice("函〔2024〕1号", "提醒函", "2024-03", B),  # not a 督办
    Notice("督字〔2024〕2号", "督办通知", "2024-04", A),
    Notice("督字〔2024〕3号", "督办通知", "2024-04", B),
    Notice("督字〔2024〕4号", "督办通知", "2024-05", B),
]


def test_a_scripted_year_of_dubans() -> None:
    dubans = build_dubans(NOTICES, YEAR)
    got = [(d.doc_no, d.unit, d.nodes, d.closed_in, d.round, d.escalated) for d in dubans]
    assert got == [
        ("督字〔2024〕1号", A, ["M1"], "2024-05", 1, False),
        ("督字〔2024〕2号", A, ["M1", "M3"], "2024-05", 2, False),  # closed: no longer escalated
        ("督字〔2024〕3号", B, ["M2"], None, 1, False),
        ("督字〔2024〕4号", B, ["M2"], None, 2, True),
    ]
    assert [d.doc_no for d in open_dubans(dubans)] == ["督字〔2024〕4号", "督字〔2024〕3号"]


def test_replies_on_time_late_and_missing() -> None:
    deadlines = {"督字〔2024〕1号": dt.date(2024, 4, 10), "督字〔2024〕2号": dt.date(2024, 5, 13),
                 "督字〔2024〕3号": dt.date(2024, 5, 13), "督字〔2024〕4号": dt.date(2024, 6, 12)}
    replies = {"督字〔2024〕1号": dt.date(2024, 4, 8), "督字〔2024〕2号": dt.date(2024, 5, 20)}
    dubans = {d.doc_no: d for d in build_dubans(NOTICES, YEAR, deadlines, replies)}
    today = dt.date(2024, 6, 1)
    states = {no: d.reply_state(today) for no, d in dubans.items()}
    assert states == {
        "督字〔2024〕1号": "已回复（2024年4月8日）",
        "督字〔2024〕2号": "逾期回复（2024年5月20日）",
        "督字〔2024〕3号": "逾期未回复（应于2024年5月13日前）",
        "督字〔2024〕4号": "待回复（2024年6月12日前）",
    }
    assert [no for no, d in dubans.items() if d.reply_overdue(today)] == ["督字〔2024〕3号"]


def test_a_duban_whose_nodes_are_not_in_the_ledger_stays_open() -> None:
    dubans = build_dubans([Notice("督字〔2024〕9号", "督办通知", "2024-07", A)], YEAR)
    assert (dubans[0].nodes, dubans[0].closed) == ([], False)


@pytest.mark.slow
def test_dubans_command_on_the_sample_months(tmp_path: Path) -> None:
    root = init_workspace(tmp_path / "ws", sample=True).root
    runner = CliRunner()
    ws = ["-w", str(root)]
    for period in ("2024-06", "2024-07"):
        result = runner.invoke(main, ["run", "-p", period, *ws])
        assert result.exit_code == 0, result.output
    months = {p: json.loads((root / "output" / p / "summary.json").read_text("utf-8")) for p in ("2024-06", "2024-07")}
    expected = []
    for period, data in months.items():
        overdue: dict[str, list[str]] = {}
        for m in data["milestones"]:
            for unit, state in m["by_unit"].items():
                if state["status"] == "overdue":
                    overdue.setdefault(unit, []).append(m["code"])
        for unit, codes in sorted(overdue.items()):
            later = [p for p in months if p >= period and all(
                next(x for x in months[p]["milestones"] if x["code"] == c)["by_unit"][unit]["status"]
                in ("done", "done_late") for c in codes)]
            expected.append((period, unit, "、".join(sorted(codes)), later[0] if later else None))
    assert expected  # the sample has 督办 to show
    result = runner.invoke(main, ["dubans", "--all", *ws], prog_name="reportgen")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.stdout.splitlines()[1:]]
    got = [(f[1], f[2], f[4], f[5][4:-1] if f[5].startswith("已销号") else None) for f in lines]
    assert sorted(got) == sorted(expected)
    assert f"督办通知共 {len(expected)} 件" in result.stdout

    first = lines[0][0]
    replied = runner.invoke(main, ["dubans", "reply", first, "--date", "2024年7月8日", *ws], prog_name="reportgen")
    assert replied.exit_code == 0, replied.output
    assert f"已记入台账：{first}" in replied.stdout and "已回复（2024年7月8日）" in replied.stdout
    listed = runner.invoke(main, ["dubans", "--all", *ws], prog_name="reportgen")
    assert f"{first}  2024-06" in listed.stdout and "已回复（2024年7月8日）" in listed.stdout
    unknown = runner.invoke(main, ["dubans", "reply", "不存在〔2024〕9号", *ws], prog_name="reportgen")
    assert unknown.exit_code == 2 and "台账中没有文号为“不存在〔2024〕9号”的督办通知" in unknown.output
