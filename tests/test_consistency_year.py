"""A scripted quarter through the real CLI: forms made by `reportgen forms`, filled as units fill
them, `reportgen run` month by month, and every month's papers read back against summary.json.

The script has a phased amount missed in June and reached in July (逾期完成), a unit silent in
June and July, and a cumulative figure that falls in August (an error, never printed as 新增).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.cli import main
from reportgen.distribute import addressed_to, reply_form_unit
from reportgen.web.links import unit_links
from reportgen.workspace import open_workspace
from tests.ingest_support import fill_form
from tests.test_consistency import MONTH_CHECKS, check_silence_escalated

ROOT = Path(__file__).resolve().parent.parent
PERIODS = ("2024-06", "2024-07", "2024-08")
YY = "现代医药产业招商服务中心"
JS = "建设管理部"
TH = "通航及纺织产业招商服务中心"
SILENT = {"2024-06": {TH}, "2024-07": {TH}, "2024-08": set()}
# Cumulative figures typed, by month; any other figure on a form stays at 0.1 all year.
FIGURES = {
    "P01/invest": {"2024-06": 0.8, "2024-07": 1.3, "2024-08": 1.5},  # 1亿 by 6-30: missed, then reached
    "P14/invest": {"2024-06": 2.4, "2024-07": 2.8, "2024-08": 2.5},  # falls below July's
}
DONE = {("2024-06", "P11-M02"): dt.date(2024, 6, 12), ("2024-07", "P12-M02"): dt.date(2024, 7, 5)}

pytestmark = pytest.mark.slow


def _codes(path: Path, sheet: str) -> list[str]:
    ws = load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(min_row=fs.HEADER_ROW, values_only=True))
    col = list(rows[0]).index(fs.FIGURE_HEADERS["code"])
    return [r[col] for r in rows[1:] if r and re.fullmatch(r"[PT]\d+(/\w+|-M\d+)", str(r[col]))]


def _fill(path: Path, period: str) -> None:
    figures = {k: FIGURES.get(k, {}).get(period, 0.1) for k in _codes(path, fs.SHEET_FIGURES)}
    answers: dict[str, dict[str, Any]] = {}
    for code in _codes(path, fs.SHEET_MILESTONES):
        done = next((d for (p, c), d in DONE.items() if c == code and p <= period), None)
        answers[code] = ({"status": "已完成", "completed_on": done, "progress": "已完成"} if done
                         else {"status": "推进中", "progress": "正在推进", "problems": "无"})
    fill_form(path, figures, answers)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("year") / "ws"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "input" / "plan", root / "input" / "plan")
    shutil.copy(ROOT / "reportgen.toml", root / "reportgen.toml")
    out: dict[str, dict[str, Any]] = {}
    for period in PERIODS:
        made = CliRunner().invoke(main, ["forms", "--period", period, "-w", str(root)])
        assert made.exit_code == 0, made.output
        inbox = root / "input" / "submissions" / period
        inbox.mkdir(parents=True)
        for form in sorted((root / "output" / period).rglob("*.xlsx")):
            if form.stem not in SILENT[period]:
                _fill(shutil.copy(form, inbox / form.name), period)
        shutil.rmtree(root / "output" / period)
        run = CliRunner().invoke(main, ["run", "--period", period, "-w", str(root)])
        folder = root / "output" / period
        summary = json.loads((folder / "summary.json").read_text("utf-8"))
        errors = any(i["severity"] == "error" for i in summary["issues"])
        assert run.exit_code == (1 if errors else 0), run.output  # errors found: exit 1
        out[period] = {"dir": folder, "terminal": run.output, "summary": summary}
    return out


@pytest.mark.parametrize("check", MONTH_CHECKS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("period", PERIODS)
def test_each_month_outputs_are_the_results(year: dict, period: str, check: Any) -> None:
    check(year[period])


def test_the_script_happened(year: dict) -> None:
    july, aug = (year[p]["summary"] for p in PERIODS[1:])
    m01 = {p: next(m for m in year[p]["summary"]["milestones"] if m["code"] == "P01-M01")
           for p in PERIODS}
    assert m01["2024-06"]["status"] == "overdue"
    assert m01["2024-07"]["status"] == "done_late"
    assert check_silence_escalated(year["2024-06"], year["2024-07"]) == {TH}
    assert next(u for u in july["units"] if u["name"] == TH)["missed_months"] == 2
    p14 = next(i for i in aug["items"] if i["code"] == "P14")
    assert p14["month_added_yi"] is None or p14["month_added_yi"] >= 0
    assert [(i["severity"], i["code"], i["unit"]) for i in aug["issues"]] == [
        ("error", "cumulative_decreased", JS)]


# ---------------------------------------------------------------- the quarter month by month (history, 分发)


def _root(year: dict) -> Path:
    return Path(year["2024-06"]["dir"]).parent.parent


def _by_name(ws: Any) -> dict[str, Any]:
    return {r[1].value: r for r in ws.iter_rows(min_row=4) if r[1].value}


def test_history_of_the_quarter(year: dict) -> None:
    result = CliRunner().invoke(main, ["history", "-w", str(_root(year))])
    assert result.exit_code == 0, result.output
    assert "2024-06 至 2024-08，共 3 个月" in result.output
    assert "双雁生物医药产业园一期项目：已连续 3 个月低于序时进度" in result.output
    book = load_workbook(_root(year) / "output" / "历史" / "2024年重点项目逐月进度.xlsx")
    cumulative = _by_name(book["累计完成投资"])
    assert [c.value for c in cumulative["双雁生物医药产业园一期项目"][3:6]] == [0.8, 1.3, 1.5]
    assert [c.value for c in cumulative["蒸汽和供热管道项目"][3:6]] == [2.4, 2.8, 2.8]  # August's 2.5 refused
    rates = _by_name(book["完成率"])
    assert [c.value for c in rates["序时进度"][3:6]] == [0.5, pytest.approx(7 / 12), pytest.approx(8 / 12)]
    p01, p14 = rates["双雁生物医药产业园一期项目"], rates["蒸汽和供热管道项目"]
    assert [c.number_format for c in p01[3:6]] == ['"▼ "0.0%', '"▼▼ "0.0%', '"▼▼ "0.0%']
    assert [c.number_format for c in p14[3:6]] == ["0.0%", "0.0%", '"▼ "0.0%']  # ahead, ahead, behind
    assert (p01[6].value, p14[6].value) == ("3个月", "1个月")
    nodes = {(r[1], r[2]): r[5:8] for r in book["节点状态"].iter_rows(min_row=4, values_only=True)}
    first = next(v for (item, text), v in nodes.items() if item == "双雁生物医药产业园一期项目" and "1亿元" in text)
    assert first == ("● 逾期未完成", "√ 逾期完成", "√ 逾期完成")
    silent = _by_name(book["分单位逾期节点"])[TH]
    assert [c.number_format for c in silent[2:5]] == ['"（未报）"0', '"（未报）"0', "0"]


def test_bulletins_cite_the_run_below_schedule(year: dict) -> None:
    def project_lines(period: str) -> dict[str, str]:
        paragraphs = [p.text for p in Document(str(year[period]["dir"] / "进度通报.docx")).paragraphs]
        return {name: text for name, text in itertools.pairwise(paragraphs)
                if name.split(".", 1)[-1] in ("双雁生物医药产业园一期项目", "蒸汽和供热管道项目")}

    june, july, aug = (project_lines(p) for p in PERIODS)
    assert all("连续" not in text for text in june.values())
    assert "，已连续两个月低于序时进度" in july["1.双雁生物医药产业园一期项目"]
    assert "，已连续三个月低于序时进度" in aug["1.双雁生物医药产业园一期项目"]
    assert "低于序时进度" in aug["14.蒸汽和供热管道项目"] and "连续" not in aug["14.蒸汽和供热管道项目"]
    lagging = next(p.text for p in Document(str(year["2024-08"]["dir"] / "进度通报.docx")).paragraphs
                   if "累计完成投资低于序时进度" in p.text)  # 三、（三）投资进度滞后
    runs = lagging.split("，其中", 1)[1]
    assert "双雁生物医药产业园一期项目" in runs and runs.endswith("已连续三个月低于序时进度，需加快推进。")
    assert "蒸汽和供热管道项目" in lagging.split("，其中", 1)[0] and "蒸汽和供热管道项目" not in runs


def test_each_unit_gets_a_zip_of_its_own_papers(year: dict) -> None:
    root = _root(year)
    result = CliRunner().invoke(main, ["forms", "--period", "2024-07", "--分发", "-w", str(root)])
    assert result.exit_code == 0, result.output
    folder = root / "output" / "2024-07"
    notices = {p for kind in ("督办通知", "提醒函", "催报通知") for p in (folder / kind).glob("*.docx")}
    notices |= set((folder / "督办回复单").glob("*.xlsx"))
    units = {u["name"] for u in year["2024-07"]["summary"]["units"]}
    packed: list[str] = []
    for zipped in sorted((folder / "分发").glob("*.zip")):
        unit = zipped.stem.removeprefix("2024年7月_")
        with zipfile.ZipFile(zipped) as z:
            for name in z.namelist():
                data = z.read(name)
                if name == "2024年7月督办回复单.xlsx":
                    (root / "read.xlsx").write_bytes(data)
                    assert reply_form_unit(root / "read.xlsx") == unit
                    packed.append(hashlib.sha256(data).hexdigest())
                elif name.endswith(".xlsx"):
                    assert name == f"2024年7月重点项目推进情况报送表（{unit}）.xlsx"
                    (root / "read.xlsx").write_bytes(data)
                    meta = dict(load_workbook(root / "read.xlsx", read_only=True)[fs.SHEET_META].iter_rows(
                        max_row=2, max_col=2, values_only=True))
                    assert (meta["unit"], meta["period"]) == (unit, "2024-07")
                elif name.endswith(".docx"):
                    (root / "read.docx").write_bytes(data)
                    assert [u for u in units if addressed_to(root / "read.docx", u)] == [unit]
                    packed.append(hashlib.sha256(data).hexdigest())
    assert sorted(packed) == sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in notices)
    assert "规划和自然资源分局.zip（含2024年7月督办通知、2024年7月督办回复单）" in result.output
    assert f"2024年7月_{TH}.zip（含2024年7月催报通知）" in result.output  # silent in July


def test_a_notice_saved_under_another_units_name_stays_out(year: dict, tmp_path: Path) -> None:
    root = shutil.copytree(_root(year), tmp_path / "ws")
    toml = root / "reportgen.toml"  # the upload pages set up for the intranet: links go in the packs
    toml.write_text(toml.read_text("utf-8").replace('base_url = ""', 'base_url = "http://10.1.2.3:8765"'), "utf-8")
    folder = root / "output" / "2024-07"
    other = next(u for u in sorted(u["name"] for u in year["2024-07"]["summary"]["units"])
                 if not (folder / "督办通知" / f"{u}.docx").exists())
    shutil.copy(folder / "督办通知" / "规划和自然资源分局.docx", folder / "督办通知" / f"{other}.docx")
    result = CliRunner().invoke(main, ["forms", "--period", "2024-07", "--分发", "-w", str(root)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(folder / "分发" / f"2024年7月_{other}.zip") as z:
        assert "2024年7月督办通知.docx" not in z.namelist()
    assert f"督办通知/{other}.docx：主送不是{other}，未放入" in result.output
    links = unit_links(open_workspace(root), "2024-07", [other, "规划和自然资源分局"])
    assert len(set(links.values())) == 2 and all(v.startswith("http://10.1.2.3:8765/u/") for v in links.values())
    for unit, link in links.items():
        with zipfile.ZipFile(folder / "分发" / f"2024年7月_{unit}.zip") as z:
            guide = z.read("填报说明.txt").decode("utf-8-sig")
        assert f"本单位专用链接 {link} " in guide and [u for u, v in links.items() if v in guide] == [unit]
