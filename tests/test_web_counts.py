"""The office page and `reportgen status` state the same counts for the same files: the 校验报告's
while a unit's files are as `check` judged them, the readings' marked “*” with the same 注 lines
when they came or changed since; and a unit's upload, judged on the page with the other units'
files as `check` judges them, keeps the counts a check would state (a warning a lone file cannot
show included), so neither says “*” of a file the page has just checked — unless what is said of
another unit changed, which only a check states."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.web.links import unit_link
from reportgen.web.upload import PLACED_SUFFIX
from reportgen.workspace import Workspace, open_workspace
from tests.ingest_support import fill_form
from tests.test_web import _office, _upload
from tests.web_support import PERIOD, filled_form, sample_workspace, units_of

pytestmark = pytest.mark.slow

CHANGED = ("注：错误数带 * 的单位在上次校验后收到或更改了文件，错误、警告数只含读取文件时发现的问题"
           "（与其填报同一数字或节点的其他单位，错误、警告数也可能随之变化），请重新运行 reportgen check。")


def _cli(ws: Workspace, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, [*args, "--period", PERIOD, "-w", str(ws.root)], prog_name="reportgen")
    assert result.exit_code == code, result.output
    return result.output


def _status(ws: Workspace) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Return `reportgen status`'s unit -> (错误, 警告) as printed and its 注 lines."""
    out = _cli(ws, "status")
    rows = {}
    for line in out.splitlines():
        parts = line.replace("\u3000", " ").split()
        if len(parts) >= 4 and parts[1] in ("已报送", "未报送", "本月免报"):
            rows[parts[0]] = (parts[2], parts[3])
    return rows, [line for line in out.splitlines() if line.startswith("注：")]


def _board(client) -> tuple[dict[str, tuple[str, str]], list[str]]:  # type: ignore[no-untyped-def]
    """Return the office page's unit -> (错误, 警告) as shown and its 注 lines."""
    page = client.get(f"/office/{PERIOD}").get_data(as_text=True)
    rows = {}
    for unit, body in re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', page, re.S):
        cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', body)
        rows[html.unescape(unit)] = (cells[0], cells[1])
    notes = [html.unescape(n) for n in re.findall(r'<p class="note count-note">(.*?)</p>', page)]
    return rows, notes


def _as_a_check_states(ws: Workspace, code: int = 0) -> dict[str, tuple[str, str]]:
    """Run `check`; return status's counts before it, having asserted that each unit unmarked then
    (no “*”) was stated what the check states."""
    before, _ = _status(ws)
    _cli(ws, "check", code=code)
    after, notes = _status(ws)
    assert notes == [] and {u: c for u, c in before.items() if not c[0].endswith("*")} == {
        u: c for u, c in after.items() if not before[u][0].endswith("*")}
    return before


def test_the_page_and_status_state_the_same_counts_marks_and_notes(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws", forms=3)
    first, second, third = units_of(ws)[:3]  # all three report 双雁 P06's investment
    inbox = ws.submissions_dir(PERIOD)
    inbox.mkdir(parents=True, exist_ok=True)
    filled_form(ws, first, inbox / f"{first}.xlsx", broken=True)  # sent by mail, saved by the office
    filled_form(ws, second, inbox / f"{second}.xlsx")
    client = _office(ws)
    before = _board(client)
    assert before == _status(ws) and before[1] == [  # no check yet: said so on both
        "注：尚未运行 reportgen check，错误、警告数只含读取文件时发现的问题，以校验报告为准。"]
    _cli(ws, "check", code=1)  # the first unit's form has an error
    checked, notes = _status(ws)
    assert checked[first][0] != "0" and "*" not in checked[first][0] and notes == []
    assert _board(client) == (checked, [])

    # the first unit corrects its form on its own page: judged there as check judges it, kept
    link = unit_link(ws, PERIOD, first)
    good = filled_form(ws, first, tmp_path / "改好的.xlsx").read_bytes()
    assert "第 1 版已采用" in _upload(client, link, good, "改好的.xlsx").get_data(as_text=True)
    assert (inbox / f"{first}{PLACED_SUFFIX}.xlsx").read_bytes() == good
    after, notes = _status(open_workspace(ws.root))
    assert after[first] == ("0", checked[first][1]) and notes == []  # was 0* with a note to check again
    assert _board(client) == (after, [])
    assert _as_a_check_states(ws) == after

    # the second unit's upload puts P06 at 9.9亿元 against the first unit's: alone the form is clean (a
    # lone file's check cannot tell), judged with the others it is warned of, as the check then states
    disagreeing = fill_form(filled_form(ws, second, tmp_path / "乙.xlsx"), {"P06/invest": 9.9}, {}).read_bytes()
    assert "第 1 版已采用" in _upload(client, unit_link(ws, PERIOD, second), disagreeing, "乙.xlsx").get_data(
        as_text=True)
    warned, notes = _status(ws)
    assert warned[second] == ("0", "1") and warned[first] == after[first] and notes == []
    assert _board(client) == (warned, [])
    assert _as_a_check_states(ws, code=1) == warned  # a warning: check exits 1

    # the first unit's second version agrees with it: what is said of the second unit changes, which
    # only a check states — the first unit stays marked until then, on both
    agreeing = fill_form(filled_form(ws, first, tmp_path / "甲2.xlsx"), {"P06/invest": 9.9}, {}).read_bytes()
    assert "第 2 版已采用" in _upload(client, link, agreeing, "甲2.xlsx").get_data(as_text=True)
    stated, notes = _status(ws)
    assert stated[first] == ("0*", "0") and stated[second] == warned[second]
    assert notes == [CHANGED]
    assert _board(client) == (stated, notes)
    _cli(ws, "check")
    stated, _ = _status(ws)
    assert (stated[first], stated[second]) == (("0", "0"), ("0", "0"))

    # a file the office saves for the third unit is not checked yet: * and the note, on both
    filled_form(ws, third, inbox / f"{third}.xlsx", broken=True)
    marked, notes = _status(ws)
    assert marked[third][0].endswith("*") and marked[first] == stated[first]
    assert notes == [CHANGED]
    assert _board(client) == (marked, notes)
