"""The two sample months through the real CLI: every figure and status the papers print is the
period result's (summary.json), every total adds up, every notice is the unit's own."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from reportgen.cli import main
from reportgen.cn import cn_numeral, fmt_pct, fmt_yi, format_date
from reportgen.model import STATUS_LABEL, Status
from reportgen.render.excel import read_tables

ROOT = Path(__file__).resolve().parent.parent
PERIODS = ("2024-06", "2024-07")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("consistency") / "ws"
    root.mkdir()
    for name in ("templates", "input"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "reportgen.toml", root / "reportgen.toml")
    out: dict[str, dict[str, Any]] = {}
    for period in PERIODS:
        run = CliRunner().invoke(main, ["run", "--period", period, "-w", str(root)])
        assert run.exit_code == 0, run.output
        folder = root / "output" / period
        out[period] = {"dir": folder, "terminal": run.output,
                       "summary": json.loads((folder / "summary.json").read_text("utf-8"))}
    return out


def _text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def _parts(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"([^，、；。（）\d]+)(\d+)个", text)}


def check_bulletin(month: dict[str, Any]) -> None:
    """Check one month's outputs (dir, terminal, summary) against its summary.json."""
    data = month["summary"]
    t = data["totals"]
    text = _text(month["dir"] / "进度通报.docx")
    rate = t["cumulative_yi"] / t["target_yi"]  # summary.json's rate is rounded to 4 decimals
    assert (f"{t['projects']}个重点项目年度投资目标合计{fmt_yi(t['target_yi'])}亿元，累计完成投资"
            f"{fmt_yi(t['cumulative_yi'])}亿元，完成年度目标的{fmt_pct(rate)}") in text
    if t["month_added_yi"] is not None:
        assert f"本月新增投资{fmt_yi(t['month_added_yi'])}亿元" in text
    assert "新增投资-" not in text
    line = next(p for p in text.splitlines() if p.startswith("《任务分解》共明确"))
    total, due, due_parts, later, later_parts = re.search(
        r"共明确时间节点(\d+)个。.*?应完成(\d+)个，其中(.*?)；尚未到期(\d+)个，其中(.*?)。", line).groups()
    assert int(total) == t["milestones"] == len(data["milestones"])
    assert int(due) == t["due"] == sum(_parts(due_parts).values())
    assert int(later) == t["milestones"] - t["due"] == sum(_parts(later_parts).values())
    labels = {"已按期完成": "done", "逾期完成": "done_late", "逾期未完成": "overdue",
              "未报送进展": "not_reported"}
    assert {labels[k]: v for k, v in _parts(due_parts).items()} == {
        k: v for k, v in t["due_breakdown"].items() if v}
    # the statuses themselves say the same
    due_ms = [m for m in data["milestones"] if m["due"] and m["due"] <= data["as_of"]]
    for key, n in t["due_breakdown"].items():
        assert n == sum(m["status"] == key for m in due_ms)
    missing = [u["name"] for u in data["units"] if not u["submitted"]]
    said = f"应报送单位{t['units']}个，已报送{t['units_submitted']}个"
    assert (f"{said}，未报送{len(missing)}个" if missing else f"{said}。") in text


def check_project_paragraphs(month: dict[str, Any]) -> None:
    """Check one month's outputs (dir, terminal, summary) against its summary.json."""
    data = month["summary"]
    pars = [p for p in _text(month["dir"] / "进度通报.docx").splitlines()]
    for it in (i for i in data["items"] if i["section"] == "project"):
        at = next(k for k, p in enumerate(pars) if re.fullmatch(rf"\d+\.{re.escape(it['name'])}", p))
        line, nodes = pars[at + 1], pars[at + 2]
        if it["cumulative_yi"] is None:  # the owner has never reported the figure
            assert "本期未报送投资完成情况" in line and "累计完成投资" not in line
            continue
        assert f"累计完成投资{fmt_yi(it['cumulative_yi'])}亿元" in line
        assert f"完成年度目标的{fmt_pct(it['cumulative_yi'] / it['target_yi'])}" in line
        if it["vs_schedule"] in ("ahead", "behind"):
            word = "高于" if it["vs_schedule"] == "ahead" else "低于"
            assert f"{word}序时进度{abs(it['schedule_gap']):.1f}个百分点" in line
        ms = [m for m in data["milestones"] if m["item"] == it["code"]]
        late = [m for m in ms if m["status"] == "done_late"]
        for m in late:  # 逾期完成 is said as such, never as plain 已完成
            day = format_date(_date(m["completed_on"]))
            amount = m["amount_yi"] is not None and m["kind"] in ("investment", "invoice")
            assert (f"（截至{day}累计已达到）" if amount else f"（{day}完成）") in nodes
        if late:
            assert "逾期完成节点：" in nodes


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def check_notices(month: dict[str, Any]) -> None:
    """Check one month's outputs (dir, terminal, summary) against its summary.json."""
    data = month["summary"]
    folder = month["dir"]
    dates = data["dates"]

    def units_with(status: str) -> set[str]:
        return {u for m in data["milestones"] for u, own in m["by_unit"].items()
                if own["status"] == status}

    got = {kind: {p.stem for p in (folder / kind).glob("*.docx")} if (folder / kind).is_dir()
           else set() for kind in ("督办通知", "提醒函", "催报通知")}
    assert got["督办通知"] == units_with("overdue")
    confirm = {u for m in data["milestones"] if m["confirm"] for u, own in m["by_unit"].items()
               if own["status"] == "in_progress"}
    assert got["提醒函"] == units_with("due_soon") | confirm
    assert got["催报通知"] == {u["name"] for u in data["units"] if not u["submitted"]}
    issue = _date(dates["issue"])
    for path in (folder / "提醒函").glob("*.docx"):
        text = _text(path)
        assert "今日到期" not in text
        for due in re.findall(r"完成时限：(\d+年\d+月\d+日)", text):
            y, mth, d = map(int, re.findall(r"\d+", due))
            assert (y, mth, d) > (issue.year, issue.month, issue.day) or "确认" in text
    reply = f"{dates['reply_days']}个工作日内（{format_date(_date(dates['reply_by']))}前）"
    for path in (folder / "督办通知").glob("*.docx"):
        text = _text(path)
        assert reply in text
        unit = path.stem
        own = [m for m in data["milestones"] if m["by_unit"].get(unit, {}).get("status") == "overdue"]
        assert f"以下{len(own)}个节点已超过完成时限" in text
        names = {i["code"]: i["name"] for i in data["items"]}
        lines = text.splitlines()
        named = {(lines[k - 1].split(".", 1)[1], re.match(r"节点要求：(.*?)。完成时限", line).group(1))
                 for k, line in enumerate(lines) if line.startswith("节点要求：")}
        assert named == {(names[m["item"]], m["text"].rstrip("。；")) for m in own}
    assert format_date(issue) in _text(folder / "进度通报.docx")


def check_silence_escalated(before: dict[str, Any], month: dict[str, Any]) -> set[str]:
    """Check units silent in both months are escalated in `month` and not in `before`; return them."""
    june, july = before["summary"], month["summary"]
    silent = {u["name"] for u in june["units"] if not u["submitted"]} & {
        u["name"] for u in july["units"] if not u["submitted"]}
    bulletin = _text(month["dir"] / "进度通报.docx")
    for unit in silent:
        missed = next(u for u in july["units"] if u["name"] == unit)["missed_months"]
        assert missed >= 2
        assert f"{unit}已连续{missed}个月未报送" in bulletin
        assert f"已连续{missed}个月未报送" in _text(month["dir"] / "催报通知" / f"{unit}.docx")
        if next(u for u in june["units"] if u["name"] == unit)["missed_months"] == 1:
            assert "连续" not in _text(before["dir"] / "催报通知" / f"{unit}.docx")
    return silent


def test_a_unit_silent_two_months_running_is_escalated(months: dict) -> None:
    silent = check_silence_escalated(months[PERIODS[0]], months[PERIODS[1]])
    assert silent
    for unit in silent:
        assert next(u for u in months[PERIODS[1]]["summary"]["units"]
                    if u["name"] == unit)["missed_months"] == 2


def check_summary_workbook(month: dict[str, Any]) -> None:
    """Check one month's outputs (dir, terminal, summary) against its summary.json."""
    data = month["summary"]
    tables = read_tables(month["dir"] / "汇总表.xlsx")
    by_code = {m["code"]: m for m in data["milestones"]}
    rows = [r for r in tables["汇总表"] if r.get("节点编号")]
    assert {r["节点编号"] for r in rows} == set(by_code)
    for r in rows:
        assert STATUS_LABEL[Status(by_code[r["节点编号"]]["status"])] in r["状态"]
    items = {i["code"]: i for i in data["items"]}
    for r in tables["投资完成"]:
        it = next(i for i in items.values() if i["name"] == r["项目名称"])
        if it["cumulative_yi"] is None:
            assert r["累计完成（亿元）"] is None
        else:
            assert r["累计完成（亿元）"] == pytest.approx(it["cumulative_yi"], abs=1e-9)
        added = r["本月新增（亿元）"]
        assert (added is None) == (it["month_added_yi"] is None)
        if added is not None:
            assert added == pytest.approx(it["month_added_yi"], abs=1e-4)
    units = {u["name"]: u for u in data["units"]}
    for r in tables["分单位统计"]:
        u = units[r["责任单位"]]
        for label, code in (("已完成", "done"), ("逾期完成", "done_late"), ("逾期未完成", "overdue"),
                            ("临期", "due_soon"), ("未报送", "not_reported")):
            assert r[label] == u["counts"][code], (u["name"], label)
    overdue = {r["节点编号"] for r in tables["逾期清单"]}
    assert overdue == {c for c, m in by_code.items() if m["status"] == "overdue"}
    # the month's 当月新增 in the history block is the bulletin's 本月新增
    book = load_workbook(month["dir"] / "汇总表.xlsx", data_only=False)
    inv = book["各月投资"]
    at = next(r for r in range(1, inv.max_row + 1) if inv.cell(r, 1).value == "月份")
    last = max(r for r in range(at + 1, inv.max_row + 1) if inv.cell(r, 1).value)
    added = inv.cell(last, 3).value
    expected = data["totals"]["month_added_yi"]
    assert (added is None) == (expected is None)
    if added is not None:
        assert added == pytest.approx(expected, abs=1e-4)


def check_issues(month: dict[str, Any]) -> None:
    """Check one month's outputs (dir, terminal, summary) against its summary.json."""
    data = month["summary"]
    book = load_workbook(month["dir"] / "校验报告.xlsx", read_only=True)
    rows = [r for r in book["校验问题"].iter_rows(min_row=4, values_only=True)
            if isinstance(r[0], int)]
    assert len(rows) == len(data["issues"])
    assert sorted((r[1] or "", r[4] or "", r[7] or "") for r in rows) == sorted(
        (i["unit"] or "", i["cell"] or "", i["message"]) for i in data["issues"])
    warnings = sum(i["severity"] == "warning" for i in data["issues"])
    errors = sum(i["severity"] == "error" for i in data["issues"])
    assert f"错误 {errors} 条，警告 {warnings} 条" in month["terminal"]


# Every read-back check of one month's outputs, for the sample months here and the scripted year.
def check_dubans(month: dict[str, Any]) -> None:
    """The 督办落实情况 paragraph, each 督办通知, its 回复单 and the 督办台账 sheet say what summary.json says."""
    data = month["summary"]
    dubans, folder = data["dubans"], month["dir"]
    text = _text(folder / "进度通报.docx")
    new = [d for d in dubans if d["period"] == data["period"]]
    assert {d["unit"] for d in new} == {p.stem for p in (folder / "督办通知").glob("*.docx")}
    assert {d["unit"] for d in new} == {p.stem for p in (folder / "督办回复单").glob("*.xlsx")}
    if not dubans:
        assert "督办落实情况" not in text
        return
    own = [d for d in dubans if not d.get("carried_from")]
    closed = sum(d["state"] == "已销号" for d in own)
    if own:  # an earlier year's 督办 carried over are counted apart (tests/test_duban_new_year.py)
        assert (f"累计发出督办通知{len(own)}件（其中本月{len(new)}件），已销号{closed}件，"
                f"督办中{len(own) - closed}件") in text
    late = [d for d in dubans if d["state"] == "逾期未回复"]
    assert (f"逾期未书面反馈{len(late)}件：" in text) == bool(late)
    for d in late:
        assert f"{d['doc_no']}（{d['unit']}，回复期限{format_date(_date(d['reply_by']))}）" in text
    for d in new:
        notice = _text(folder / "督办通知" / f"{d['unit']}.docx")
        assert d["doc_no"] in notice
        assert (f"现予第{cn_numeral(d['round'])}次督办" in notice) == (d["round"] >= 2)
        for numbers in d["earlier"].values():
            assert f"以{numbers[-1]}督办，至今仍未完成" in notice
        for number in {n for numbers in d["earlier"].values() for n in numbers}:  # cited once per node
            assert notice.count(number) == sum(number in ns for ns in d["earlier"].values())
    book = read_tables(folder / "汇总表.xlsx")["督办台账"]
    assert [(r["督办文号"], r["状态"], r["督办次数"]) for r in book] == [
        (d["doc_no"], d["state"], d["round"]) for d in dubans]


MONTH_CHECKS = (check_bulletin, check_project_paragraphs, check_notices, check_summary_workbook,
                check_issues, check_dubans)


@pytest.mark.parametrize("check", MONTH_CHECKS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("period", PERIODS)
def test_month_outputs_are_the_results(months: dict, period: str, check: Any) -> None:
    check(months[period])
