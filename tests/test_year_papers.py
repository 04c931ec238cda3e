"""A year as the office lives it, through forms → filled forms → run: every unit reports what its form
asks; 规划和自然资源分局 never finishes 土地挂牌 (due 2024年6月30日). In July the plan is revised and the
unit renamed 规划和自然资源局 (reportgen.toml lists the old name as the new one's); August is never run;
then December, and January under the 2025 plan (the 2024 document retitled, so nodes naming 2024 keep
their dates), whose forms pre-fill only those nodes: the units leave them as they are, except 建设管理部,
which empties its row of 征拆工作 (done in June) — it stays done, not overdue.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.cli import main
from tests.ingest_support import fill_form
from tests.month_support import ROOT, doc_text, workspace

pytestmark = pytest.mark.slow

OLD, NEW = "规划和自然资源分局", "规划和自然资源局"
STUCK = "P11-M04"  # 2024年6月底在拆迁完成后土地挂牌
CLEARED = "P11-M03"  # 征拆工作于2024年6月下旬全部完成 (建设管理部)
DATE = re.compile(r"(\d{4})年(\d+)月(\d+)日")
SEED = ROOT / "input" / "plan" / "source" / "2024年重点项目推进任务分解.txt"


def _cli(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), prog_name="reportgen")
    assert result.exit_code == 0, result.output


def _rows(path: Path) -> tuple[list[str], dict[str, tuple[dt.date | None, Any]]]:
    """Return a form's figure codes and its node codes -> (due, pre-filled status)."""
    wb = load_workbook(path)
    # the plan's text is written in the lines it prints: read joined
    figures = [str(r[0]) for r in wb[fs.SHEET_FIGURES].iter_rows(min_row=fs.FIRST_DATA_ROW, values_only=True)
               if r[0] and "/" in str(r[0]) and "本单位可不填" not in str(r[-1] or "").replace("\n", "")]
    nodes = {}
    for r in wb[fs.SHEET_MILESTONES].iter_rows(min_row=fs.FIRST_DATA_ROW, values_only=True):
        if r[0] and "-M" in str(r[0]):
            due = DATE.search(str(r[3] or "").replace("\n", ""))
            nodes[str(r[0])] = (dt.date(*map(int, due.groups())) if due else None, r[5])
    return figures, nodes


def _month(root: Path, period: str, cumulative: float, emptied: str = "") -> dict[str, Any]:
    """Forms, filled as a clerk fills them (a node due by the month's end done on its date, except
    STUCK; rows of nodes due in an earlier year left as the form has them, the row `emptied`
    cleared), and the run; return summary.json."""
    _cli("forms", "--period", period, "-w", str(root))
    inbox = root / "input" / "submissions" / period
    inbox.mkdir(parents=True)
    year, month = int(period[:4]), int(period[5:])
    end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    for form in sorted((root / "output" / period / "报送表").glob("*.xlsx")):
        figures, nodes = _rows(form)
        answers = {}
        for code, (due, prefilled) in nodes.items():
            if code == emptied:
                answers[code] = {"status": "", "completed_on": "", "progress": ""}
                continue
            if prefilled == "已完成" or (due is not None and due.year < year):
                continue  # as it stands, or last year's business: left as the form has it
            done = due is not None and due <= end and code != STUCK
            answers[code] = ({"status": "已完成", "completed_on": due} if done
                             else {"status": "推进中", "progress": "正在推进"})
        fill_form(shutil.copy(form, inbox / form.name), dict.fromkeys(figures, cumulative), answers)
    shutil.rmtree(root / "output" / period)
    _cli("run", "--period", period, "-w", str(root))
    return json.loads((root / "output" / period / "summary.json").read_text("utf-8"))


def _import(root: Path, text: str, name: str) -> None:
    doc = root.parent / name
    doc.write_text(text, "utf-8")
    _cli("plan", "import", str(doc), "-w", str(root))


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = workspace(tmp_path_factory.mktemp("year"))
    out: dict[str, Any] = {"root": root, "2024-06": _month(root, "2024-06", 0.2)}
    renamed = SEED.read_text("utf-8").replace(OLD, NEW)
    _import(root, renamed, "2024年重点项目推进任务分解（调整）.txt")
    config = root / "reportgen.toml"
    config.write_text(config.read_text("utf-8").replace(
        f'"{OLD}" = ["规划分局", "自然资源分局"]', f'"{NEW}" = ["规划分局", "自然资源分局", "{OLD}"]'), "utf-8")
    out["2024-09"] = _month(root, "2024-09", 0.5)
    out["2024-12"] = _month(root, "2024-12", 0.9)
    _import(root, renamed.replace("2024年重点项目推进任务分解", "2025年重点项目推进任务分解", 1),
            "2025年重点项目推进任务分解.txt")
    out["forms"] = root / "output" / "2025-01" / "报送表"
    _cli("forms", "--period", "2025-01", "-w", str(root))
    out["land_form"] = _rows(out["forms"] / f"{NEW}.xlsx")[1]
    shutil.rmtree(out["forms"])
    out["2025-01"] = _month(root, "2025-01", 0.1, emptied=CLEARED)
    return out


def _duban(summary: dict[str, Any], unit: str) -> dict[str, Any]:
    return next(d for d in summary["dubans"] if d["unit"] == unit and d["period"] == summary["period"])


def test_a_renamed_unit_is_pressed_again_not_for_the_first_time(year: dict[str, Any]) -> None:
    june, september = _duban(year["2024-06"], OLD), _duban(year["2024-09"], NEW)
    assert STUCK in june["nodes"] and STUCK in september["nodes"]
    assert september["round"] == 2
    notice = doc_text(year["root"] / "output" / "2024-09" / "督办通知" / f"{NEW}.docx")
    assert f"以{june['doc_no']}督办，至今仍未完成，本次为第二次督办" in notice
    bulletin = doc_text(year["root"] / "output" / "2024-09" / "进度通报.docx")
    assert f"节点经两次督办（{june['doc_no']}、{september['doc_no']}）仍未完成" in bulletin


def test_nodes_done_last_year_are_not_pressed_in_january(year: dict[str, Any]) -> None:
    january, december = year["2025-01"], year["2024-12"]
    before = {m["code"]: m for m in december["milestones"]}
    carried = [m for m in january["milestones"] if m["due"] and m["due"] < "2025"]
    assert carried and {m["code"] for m in carried} <= set(before)
    for m in carried:  # standing and date as December left them
        assert (m["status"], m["completed_on"]) == (before[m["code"]]["status"], before[m["code"]]["completed_on"])
    assert [m["code"] for m in carried if m["status"] == "overdue"] == [STUCK]
    pressed = [d for d in january["dubans"] if d["period"] == "2025-01"]
    assert [(d["unit"], d["nodes"]) for d in pressed] == [(NEW, [STUCK])]
    assert [(i["code"], i["unit"]) for i in january["issues"] if i["severity"] != "info"] == [
        ("status_missing", "建设管理部")]  # the emptied row, warned; nothing else to say


def test_januarys_form_shows_last_years_nodes_as_they_stood(year: dict[str, Any]) -> None:
    land = year["land_form"]
    assert land["P07-M02"] == (dt.date(2024, 6, 20), "已完成")  # 用地预审, done in June
    assert land[STUCK] == (dt.date(2024, 6, 30), "推进中")
    assert land["P07-M03"][1] is None  # 8月底完成土地报批: 2025's own, asked afresh
