"""The month as a new user lives it, through the CLI: init → plan import → forms → fill → check → run."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from reportgen import formspec as fs
from reportgen.cli import main
from reportgen.forms import FORMS_DIRNAME
from reportgen.fsutil import workspace_lock

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "设备采购合同已签订 & 进场<安装>中"
SEED = ROOT / "input" / "plan" / "source" / "2024年重点项目推进任务分解.txt"


def cli(*args: str) -> Any:
    """Run reportgen with `args`; return click's result."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _columns(sheet: Any) -> dict[str, int]:
    header = [c.value for c in sheet[fs.HEADER_ROW]]
    return {h: i + 1 for i, h in enumerate(header) if h}


def fill_form(path: Path, dest: Path, figures: dict[str, Any], done: dict[str, dt.date],
              progress: str = "") -> None:
    """Fill a generated form as a unit would: cumulative figures, milestones done, a footer."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[fs.SHEET_FIGURES]
    col = _columns(sheet)
    for row in range(fs.FIRST_DATA_ROW, sheet.max_row + 1):
        code = sheet.cell(row, col[fs.FIGURE_HEADERS["code"]]).value
        if code in figures:
            sheet.cell(row, col[fs.FIGURE_HEADERS["value"]]).value = figures[code]
    sheet = wb[fs.SHEET_MILESTONES]
    col = _columns(sheet)
    for row in range(fs.FIRST_DATA_ROW, sheet.max_row + 1):
        code = sheet.cell(row, col[fs.MILESTONE_HEADERS["code"]]).value
        if not isinstance(code, str) or "-M" not in code:
            continue
        status = sheet.cell(row, col[fs.MILESTONE_HEADERS["status"]])
        if code in done:
            status.value = "已完成"
            sheet.cell(row, col[fs.MILESTONE_HEADERS["completed_on"]]).value = done[code]
        else:
            status.value = "推进中"
        sheet.cell(row, col[fs.MILESTONE_HEADERS["progress"]]).value = progress or "按计划推进。"
    wb.save(dest)

pytestmark = pytest.mark.slow  # the whole month through the CLI: ~3 s of CPU


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A new workspace taken through one month by the CLI; returns what each step gave."""
    root = tmp_path_factory.mktemp("e2e") / "督办"
    steps: dict[str, Any] = {"root": root}
    steps["init"] = cli("init", str(root), "--empty")
    steps["import"] = cli("plan", "import", str(SEED), "-w", str(root))
    steps["forms"] = cli("forms", "--period", "2024-06", "-w", str(root))
    forms = root / "output" / "2024-06" / FORMS_DIRNAME
    inbox = root / "input" / "submissions" / "2024-06"
    inbox.mkdir(parents=True)
    # The lead of P01–P05 reports on time and meets P01's half-year amount; the file is renamed.
    fill_form(forms / "现代医药产业招商服务中心.xlsx", inbox / "医药中心6月报表.xlsx",
              {"P01/invest": 1.2, "P02/invest": "0.8亿", "P03/invest": 0.45, "P04/invest": 0.3,
               "P05/invest": 0.2},
              {"P03-M01": dt.date(2024, 6, 20), "P02-M02": dt.date(2024, 6, 28)})
    # 规划和自然资源分局 finished its June land milestone late and the rest not at all.
    fill_form(forms / "规划和自然资源分局.xlsx", inbox / "规划和自然资源分局.xlsx", {},
              {"P07-M02": dt.date(2024, 6, 25)})
    # 通航及纺织 missed both of P12's dates (5月30日立项备案, 6月10日提交入统资料), and types `&<>`.
    fill_form(forms / "通航及纺织产业招商服务中心.xlsx", inbox / "通航及纺织产业招商服务中心.xlsx",
              {"P12/invest": 0.5}, {}, progress=HOSTILE)
    steps["check"] = cli("check", "--period", "2024-06", "-w", str(root))
    steps["run"] = cli("run", "--period", "2024-06", "-w", str(root))
    steps["summary"] = json.loads((root / "output" / "2024-06" / "summary.json").read_text("utf-8"))
    return steps


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


def test_each_step_succeeds_and_says_what_it_did(month: dict[str, Any]) -> None:
    assert month["init"].exit_code == 0 and "已新建工作区" in month["init"].output
    assert month["import"].exit_code == 0, month["import"].output
    assert "重点项目 14 个（年度投资任务合计 27.1 亿元）" in month["import"].output
    assert month["forms"].exit_code == 0 and "已生成 14 份报送表" in month["forms"].output
    # The clerk typed "0.8亿" as text: read, with a warning; the check exits 1 because it found a
    # problem to send back to that unit.
    check = month["check"]
    assert check.exit_code == 1, check.output
    assert "发现问题 1 条" in check.output
    medicine = next(line for line in check.output.splitlines() if line.strip().startswith("现代医药产业招商服务中心"))
    assert medicine.split()[1:] == ["已报送", "错误", "0", "警告", "1"]
    assert "未报送" in month["check"].output
    run = month["run"]
    assert run.exit_code == 0, run.output
    assert "应报 14 个单位，已报 3 个，未报 11 个" in run.output
    assert "运行日志：output/2024-06/run.log" in run.output


def test_figures_and_statuses_follow_what_was_filled(month: dict[str, Any]) -> None:
    data = month["summary"]
    items = _by(data["items"], "code")
    assert items["P01"]["cumulative_yi"] == 1.2
    assert items["P02"]["cumulative_yi"] == 0.8
    assert items["P01"]["rate"] == 0.4 and items["P01"]["vs_schedule"] == "behind"
    ms = _by(data["milestones"], "code")
    assert ms["P01-M01"]["status"] == "done"  # 上半年至少完成投资1亿元: 1.2 ≥ 1.0
    # 上半年完成投资0.4亿元 with only 0.3 at the June 30 cut-off: already late
    assert ms["P04-M01"]["status"] == "overdue"
    assert ms["P03-M01"]["status"] == "done" and ms["P03-M01"]["completed_on"] == "2024-06-20"
    assert ms["P07-M02"]["status"] == "done_late"  # 6月20日前完成用地预审, done 06-25
    assert ms["P07-M02"]["completed_on"] == "2024-06-25"
    assert ms["P07-M03"]["status"] == "in_progress"  # 8月底完成土地报批
    assert ms["P07-M01"]["status"] == "not_reported"  # 最迟10月上旬开工: 装备制造中心 silent
    assert ms["P11-M02"]["status"] == "not_reported"  # 6月上旬拨付到位: 财政运营部 sent nothing
    units = _by(data["units"], "name")
    assert units["现代医药产业招商服务中心"]["submitted"] is True
    assert units["现代医药产业招商服务中心"]["files"] == ["医药中心6月报表.xlsx"]
    assert units["华睿集团"]["submitted"] is False


def test_documents_carry_the_numbers(month: dict[str, Any]) -> None:
    out = month["root"] / "output" / "2024-06"
    for name in ("进度通报.docx", "汇总表.xlsx", "校验报告.xlsx", "summary.json", "run.log"):
        assert (out / name).is_file(), name
    text = "\n".join(p.text for p in Document(str(out / "进度通报.docx")).paragraphs)
    assert "关于2024年6月份重点项目推进情况的通报" in text
    assert "双雁生物医药产业园一期项目" in text and "1.20亿元" in text
    overdue = {u for m in month["summary"]["milestones"] for u, own in m["by_unit"].items()
               if own["status"] == "overdue"}
    assert sorted(p.stem for p in (out / "督办通知").iterdir()) == sorted(overdue)
    assert "通航及纺织产业招商服务中心" in overdue
    notice = "\n".join(p.text for p in Document(str(out / "督办通知" / "通航及纺织产业招商服务中心.docx")).paragraphs)
    assert "嘉源生物扩建项目" in notice and HOSTILE in notice
    assert "规划和自然资源分局" not in notice and "用地预审" not in notice
    assert (out / "催报通知" / "华睿集团.docx").is_file()
    wb = openpyxl.load_workbook(out / "汇总表.xlsx")
    assert "汇总表" in wb.sheetnames


def test_second_run_is_refused_while_one_holds_the_lock(month: dict[str, Any]) -> None:
    root = month["root"]
    with workspace_lock(root / "history" / "run.lock"):
        result = CliRunner().invoke(main, ["run", "--period", "2024-06", "-w", str(root)])
    assert result.exit_code == 1
    assert "正有另一个 reportgen 在运行" in result.output


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["run", "--period", "2024-13"], 2, "不是有效的月份"),
        (["run", "--period", "2024-06", "--as-of", "6月31日"], 2, "不是有效的日期"),
        (["run", "--period", "2024-06", "--as-of", "2024-05-31"], 2, "早于报送月份"),
        (["run"], 2, "--period"),
        (["status", "--period", "2024-06", "-w", "/nonexistent/督办"], 1, "工作区目录不存在"),
    ],
)
def test_usage_errors_exit_2_with_chinese_message(month: dict[str, Any], args: list[str], code: int,
                                                  words: str) -> None:
    if "-w" not in args:
        args = [*args, "-w", str(month["root"])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert words in result.output


def test_status_lists_who_reported(month: dict[str, Any]) -> None:
    result = cli("status", "--period", "2024-06", "-w", str(month["root"]))
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:-1] if line.strip()}
    assert "已报送" in lines["现代医药产业招商服务中心"].replace("　", "")
    assert "未报送" in lines["华睿集团"].replace("　", "")
    assert "合计：应报 14 个，已报 3 个，未报 11 个" in result.output


@pytest.mark.slow
def test_example_workspace_from_init_runs_at_once(tmp_path: Path) -> None:
    root = tmp_path / "试用"
    assert cli("init", str(root)).exit_code == 0
    for period in ("2024-06", "2024-07"):
        result = cli("run", "--period", period, "-w", str(root))
        assert result.exit_code == 0, result.output
        assert (root / "output" / period / "进度通报.docx").is_file()
    july = json.loads((root / "output" / "2024-07" / "summary.json").read_text("utf-8"))
    june = json.loads((root / "output" / "2024-06" / "summary.json").read_text("utf-8"))
    p01 = _by(july["items"], "code")["P01"]
    assert p01["previous_yi"] == _by(june["items"], "code")["P01"]["cumulative_yi"]
    assert p01["month_added_yi"] == pytest.approx(p01["cumulative_yi"] - p01["previous_yi"], abs=1e-4)
    shutil.rmtree(root)
