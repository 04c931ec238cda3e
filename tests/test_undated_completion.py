"""已完成 with the 实际完成日期 left blank, as a clerk returns it, through forms → check → run:
no completion date nobody reported reaches the bulletin, the 汇总表, summary.json or the ledger.

- due after the cut-off (P11-M05, 9-30, in July): done by the cut-off is on time — 已完成, date 未填;
- 逾期未完成 at June's cut-off (P10-M01, due 6-30): late for certain — 逾期完成, date 未填;
- due in July before the cut-off, open in June (P10-M02, 7-20): on time or late cannot be told —
  the 已完成 is not taken, the node is 未报送进展 and the unit is told to fill the date.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen.cli import main
from tests.ingest_support import fill_form
from tests.month_support import doc_text, workspace

pytestmark = pytest.mark.slow

FW = "现代服务业招商服务中心"
LATE, UNTOLD, AHEAD = "P10-M01", "P10-M02", "P11-M05"


def _month(root: Path, period: str, answers: dict[str, dict[str, object]], command: str = "run",
           code: int = 1) -> Path:
    """Write `period`'s forms, fill FW's as a clerk does, run `command` (exit `code`); return the
    period's output."""
    made = CliRunner().invoke(main, ["forms", "--period", period, "-w", str(root)])
    assert made.exit_code == 0, made.output
    inbox = root / "input" / "submissions" / period
    inbox.mkdir(parents=True, exist_ok=True)
    fill_form(shutil.copy(root / "output" / period / "报送表" / f"{FW}.xlsx", inbox / "服务业中心.xlsx"),
              {"P10/invest": 0.2}, answers)
    shutil.rmtree(root / "output" / period)
    done = CliRunner().invoke(main, [command, "--period", period, "-w", str(root)])
    assert done.exit_code == code, done.output
    return root / "output" / period


def _cells(path: Path, sheet: str) -> list[list[str]]:
    ws = load_workbook(path)[sheet]
    return [[str(c.value).replace("\n", "") for c in row if c.value is not None] for row in ws.iter_rows()]


def test_done_without_a_date_prints_no_guessed_date(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    _month(root, "2024-06", {code: {"status": "推进中"} for code in (LATE, UNTOLD, AHEAD)}, code=0)
    undated = {code: {"status": "已完成"} for code in (LATE, UNTOLD, AHEAD)}

    # check: the unit's 校验反馈 says what each blank date means and what to fill
    out = _month(root, "2024-07", undated, "check")
    feedback = [" ".join(r) for r in _cells(out / "校验反馈" / f"{FW}.xlsx", "校验反馈")]
    said = {code: next(r for r in feedback if text in r) for code, text in (
        (LATE, "督促项目方在2024年6月底前"), (UNTOLD, "指导项目方在7月20日前"), (AHEAD, "最迟于2024年9月下旬开工"))}
    assert "按“逾期完成”计，完成日期记为“未填”" in said[LATE] and "“实际完成日期”栏补填" in said[LATE]
    assert "按“已完成”计，完成日期记为“未填”" in said[AHEAD]
    assert "错误" in said[UNTOLD] and "“已完成”本月未采用，该节点视为未报送" in said[UNTOLD]
    assert "“实际完成日期”栏填写后重新报送" in said[UNTOLD]
    assert not any("暂按" in r or "2024-07-31 计" in r for r in feedback)

    shutil.rmtree(root / "input" / "submissions" / "2024-07")
    out = _month(root, "2024-07", undated)
    rows, notes = _status_rows(root, "2024-07")  # the run's 校验报告 and status state the same counts
    assert {u: (r[1], r[2]) for u, r in rows.items()} == _report_counts(out / "校验报告.xlsx")
    assert notes == [] and rows[FW][1] != "0"
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    ms = {m["code"]: (m["status"], m["completed_on"]) for m in summary["milestones"]}
    assert ms[LATE] == ("done_late", None)
    assert ms[UNTOLD] == ("not_reported", None)
    assert ms[AHEAD] == ("done", None)
    with sqlite3.connect(root / "history" / "ledger.sqlite") as db:
        kept = dict((c, (s, d)) for c, s, d in db.execute(
            "SELECT code, status, completed_on FROM milestone_statuses WHERE period = '2024-07'"))
    assert (kept[LATE], kept[UNTOLD], kept[AHEAD]) == (
        ("done_late", None), ("not_reported", None), ("done", None))

    # the answer not taken leaves the node 未报送: the unit is chased for it, naming the node and why
    chase = doc_text(out / "催报通知" / f"{FW}.docx")
    assert ("收到你单位报送的材料，但《服务业中心.xlsx》中中科同德项目“指导项目方在7月20日前提交投资入统资料”节点"
            "报“已完成”但未填实际完成日期，未予采用，该节点视为未报送。") in chase
    bulletin = doc_text(out / "进度通报.docx")
    assert (f"另有{FW}中科同德项目“指导项目方在7月20日前提交投资入统资料”节点报“已完成”但未填实际完成日期，"
            "未予采用，视为未报送，同样已发催报通知。") in bulletin
    assert "：未报送（" not in bulletin  # a task's node whose answer was not taken is 未报送进展, as a project's
    p10 = bulletin.split("中科同德项目")[1].split("11.")[0]
    assert "逾期完成节点：督促项目方在2024年6月底前达到投资入统条件（完成日期未填）" in p10
    assert "未报送进展：指导项目方在7月20日前提交投资入统资料" in p10
    assert "2024年7月31日" not in bulletin.replace("截至2024年7月31日", "")
    rows = [r for r in _cells(out / "汇总表.xlsx", "汇总表") if any("督促项目方在2024年6月底前" in c for c in r)]
    assert len(rows) == 1 and "√ 逾期完成" in rows[0] and not any("2024-07-31" in c for c in rows[0]), rows


def _report_counts(path: Path) -> dict[str, tuple[str, str]]:
    """Each unit's 错误 and 警告 as the 校验报告's 报送情况 sheet states them."""
    sheet = load_workbook(path)["报送情况"]
    head = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "序号")
    at = {name: n for n, name in enumerate(head)}
    return {r[at["单位"]]: (str(r[at["错误"]]), str(r[at["警告"]])) for r in sheet.iter_rows(values_only=True)
            if isinstance(r[0], int)}


def _status_rows(root: Path, period: str) -> tuple[dict[str, list[str]], list[str]]:
    """Each unit's row of `status` as [状态, 错误, 警告], and its notes (注：…)."""
    done = CliRunner().invoke(main, ["status", "--period", period, "-w", str(root)])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("单位")) + 1
    end = next(n for n, line in enumerate(lines) if line.startswith("合计"))
    return ({line.split()[0]: line.split()[1:4] for line in lines[start:end]},
            [line for line in lines if line.startswith("注：")])


def _submission_rows(root: Path, period: str) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """The 错误 and 警告 `submissions` states on each unit's counted file (✔), and its notes."""
    done = CliRunner().invoke(main, ["submissions", "--period", period, "-w", str(root)])
    assert done.exit_code == 0, done.output
    rows, unit = {}, ""
    for line in done.stdout.splitlines():
        if not line.startswith(" "):
            unit = line.split()[0]
        elif line.strip().startswith("✔"):
            words = line.split()
            rows[unit] = (words[words.index("错误") + 1], words[words.index("警告") + 1])
    return rows, [line for line in done.stdout.splitlines() if line.startswith("注：")]


def test_status_states_the_counts_the_check_report_states(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    _month(root, "2024-06", {code: {"status": "推进中"} for code in (LATE, UNTOLD, AHEAD)}, code=0)
    # an 已完成 without a date that cannot be told on time: an error check adds after the reading
    out = _month(root, "2024-07", {UNTOLD: {"status": "已完成"}}, "check")
    report = _report_counts(out / "校验报告.xlsx")
    assert int(report[FW][0]) >= 1
    rows, notes = _status_rows(root, "2024-07")
    assert {u: (r[1], r[2]) for u, r in rows.items()} == report and notes == []
    # submissions states the same counts on the file the check judged, and says what check added
    listed, notes = _submission_rows(root, "2024-07")
    assert listed == {u: c for u, c in report.items() if u in listed} and FW in listed and notes == []
    shown = CliRunner().invoke(main, ["submissions", "--period", "2024-07", "-w", str(root)]).stdout
    assert "另有校验时发现的错误 1 个，详见校验报告" in shown

    # the configuration changes after the check: the counts are the check's, and status says so
    config = root / "reportgen.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# 更改\n", encoding="utf-8")
    rows, notes = _status_rows(root, "2024-07")
    assert {u: (r[1], r[2]) for u, r in rows.items()} == report
    assert len(notes) == 1 and "为上次校验时的结果" in notes[0]
    listed, notes = _submission_rows(root, "2024-07")
    assert listed[FW] == report[FW] and len(notes) == 1 and "为上次校验时的结果" in notes[0]

    # the unit sends its form again: its counts are not a check's, and status marks them
    form = root / "input" / "submissions" / "2024-07" / "服务业中心.xlsx"
    form.write_bytes(form.read_bytes())
    assert CliRunner().invoke(main, ["check", "--period", "2024-07", "-w", str(root)]).exit_code == 1
    (root / "input" / "submissions" / "2024-07" / "服务业中心（重报）.xlsx").write_bytes(form.read_bytes())
    rows, notes = _status_rows(root, "2024-07")
    assert rows[FW][1].endswith("*") and any("带 * 的单位" in n for n in notes)
    assert all(not r[1].endswith("*") for u, r in rows.items() if u != FW)
    listed, notes = _submission_rows(root, "2024-07")
    assert listed[FW][0].endswith("*") and any("带 * 的单位" in n for n in notes)
