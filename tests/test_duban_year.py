"""A scripted year of the 督办 loop through the real CLI, June to September.

Forms are made by `reportgen forms` and filled as units fill them; `reportgen run` month by month.
June's 督办通知 are answered: 财政运营部 on time and 经济运行与安全监管部 late (回复单 read by
`reportgen dubans read`), 规划和自然资源分局 on time (its 回复单 found by the July run itself),
通航及纺织产业招商服务中心 by telephone (`dubans reply`); 建设管理部 never answers and a 回复单
without a date is refused. 财政运营部's nodes are done in July (销号), 经济运行与安全监管部's in August,
建设管理部's in September after three 督办 (the third states the 约谈). Every month's papers are
read back against summary.json (tests/test_consistency.py's checks) and against the script.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document

from reportgen import formspec as fs
from reportgen.cli import main
from reportgen.render.excel import read_tables
from tests.ingest_support import fill_form
from tests.test_consistency import MONTH_CHECKS
from tests.test_consistency_year import _codes
from tests.test_duban_replies import _fill as fill_reply

ROOT = Path(__file__).resolve().parent.parent
PERIODS = ("2024-06", "2024-07", "2024-08", "2024-09")
CZ, JY, JS = "财政运营部", "经济运行与安全监管部", "建设管理部"
GH, TH, YY = "规划和自然资源分局", "通航及纺织产业招商服务中心", "现代医药产业招商服务中心"
DONE = {"P09-M01": ("2024-07", dt.date(2024, 7, 5)),  # 财政运营部
        "P11-M02": ("2024-07", dt.date(2024, 7, 3)),  # 财政运营部
        "P07-M05": ("2024-08", dt.date(2024, 8, 6)),  # 经济运行与安全监管部
        "P11-M03": ("2024-09", dt.date(2024, 9, 10))}  # 建设管理部

FIGURES = {"P01/invest": {"2024-06": 0.8, "2024-07": 1.3, "2024-08": 1.5, "2024-09": 1.8}}

pytestmark = pytest.mark.slow


def _fill(path: Path, period: str) -> None:
    figures = {k: FIGURES.get(k, {}).get(period, 0.1) for k in _codes(path, fs.SHEET_FIGURES)}
    answers: dict[str, dict[str, Any]] = {}
    for code in _codes(path, fs.SHEET_MILESTONES):
        when = DONE.get(code)
        answers[code] = ({"status": "已完成", "completed_on": when[1], "progress": "已完成"}
                         if when and when[0] <= period else
                         {"status": "推进中", "progress": "正在推进", "problems": "无"})
    fill_form(path, figures, answers)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), prog_name="reportgen")


def _answer_june(root: Path) -> dict[str, Any]:
    """June's 督办通知 answered as the script says; return what the commands printed."""
    forms, inbox = root / "output" / "2024-06" / "督办回复单", root / "input" / "replies"
    (inbox / "7月").mkdir(parents=True)
    fill_reply(forms / f"{CZ}.xlsx", inbox / "7月" / "财政运营部回复.xlsx", 回复日期="2024-7-12",
               整改措施及完成时限=["7月10日前完成评审"])
    fill_reply(forms / f"{JY}.xlsx", inbox / "7月" / "经济运行回复.xlsx", 回复日期="2024年7月18日",
               整改措施及完成时限=["8月上旬完成入库"])
    fill_reply(forms / f"{YY}.xlsx", inbox / "7月" / "医药中心.xlsx", 整改措施及完成时限=["抓紧推进"])
    read = _cli("dubans", "read", "-w", str(root))
    (inbox / "7月" / "医药中心.xlsx").unlink()  # the office sends it back to be dated
    fill_reply(forms / f"{GH}.xlsx", inbox / "规划分局.xlsx", 回复日期="2024-7-15")  # read by July's run
    th = next(d["doc_no"] for d in _summary(root, "2024-06")["dubans"] if d["unit"] == TH)
    phoned = _cli("dubans", "reply", th, "--date", "2024-7-10", "--note", "电话回复", "-w", str(root))
    return {"read": read, "phoned": phoned}


def _summary(root: Path, period: str) -> dict[str, Any]:
    return json.loads((root / "output" / period / "summary.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("duban-year") / "ws"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "input" / "plan", root / "input" / "plan")
    shutil.copy(ROOT / "reportgen.toml", root / "reportgen.toml")
    out: dict[str, Any] = {"root": root}
    for period in PERIODS:
        made = _cli("forms", "--period", period, "-w", str(root))
        assert made.exit_code == 0, made.output
        inbox = root / "input" / "submissions" / period
        inbox.mkdir(parents=True)
        for form in sorted((root / "output" / period / "报送表").glob("*.xlsx")):
            _fill(shutil.copy(form, inbox / form.name), period)
        shutil.rmtree(root / "output" / period)
        run = _cli("run", "--period", period, "-w", str(root))
        assert run.exit_code == 0, run.output
        folder = root / "output" / period
        out[period] = {"dir": folder, "terminal": run.output, "summary": _summary(root, period)}
        if period == "2024-06":
            out.update(_answer_june(root))
    out["open"] = _cli("dubans", "-w", str(root))
    out["all"] = _cli("dubans", "--all", "-w", str(root))
    return out


def _text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def _of(year: dict, period: str, unit: str) -> dict[str, Any]:
    return next(d for d in year[period]["summary"]["dubans"] if d["unit"] == unit and d["period"] == period)


@pytest.mark.parametrize("check", MONTH_CHECKS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("period", PERIODS)
def test_each_month_outputs_are_the_results(year: dict, period: str, check: Any) -> None:
    check(year[period])


def test_replies_are_read_from_the_forms_and_the_command(year: dict) -> None:
    cz, jy = _of(year, "2024-06", CZ), _of(year, "2024-06", JY)
    read = year["read"]
    assert read.exit_code == 1  # one reply form could not be taken
    assert (f"✔ 7月/财政运营部回复.xlsx：{cz['doc_no']}（{CZ}）2024年7月12日按期回复，已记入台账"
            in read.stdout)
    assert (f"✔ 7月/经济运行回复.xlsx：{jy['doc_no']}（{JY}）2024年7月18日逾期回复（回复期限2024年7月15日），"
            "已记入台账") in read.stdout
    assert "✘ 7月/医药中心.xlsx：回复单未填写回复日期（督办回复单!B" in read.stdout
    assert "共 3 份，新记入 2 份，1 份未能记入" in read.stdout
    assert year["phoned"].exit_code == 0 and "已回复（2024年7月10日）" in year["phoned"].stdout
    july = {d["doc_no"]: d for d in year["2024-07"]["summary"]["dubans"]}
    assert july[_of(year, "2024-06", GH)["doc_no"]]["replied_on"] == "2024-07-15"  # found by the run
    assert july[jy["doc_no"]]["replied_on"] == "2024-07-18"
    assert july[_of(year, "2024-06", JS)["doc_no"]]["state"] == "逾期未回复"
    assert july[_of(year, "2024-06", YY)["doc_no"]]["state"] == "逾期未回复"


def test_july_closes_one_chases_the_silent_and_presses_again(year: dict) -> None:
    cz, jy, js = (_of(year, "2024-06", u) for u in (CZ, JY, JS))
    text = _text(year["2024-07"]["dir"] / "进度通报.docx")
    assert f"本月销号1件：{cz['doc_no']}（{CZ}）。" in text
    assert f"{js['doc_no']}（{JS}，回复期限2024年7月15日）" in text.split("逾期未书面反馈")[1]
    assert f"逾期反馈{jy['doc_no']}（{JY}，应于2024年7月15日前，2024年7月18日反馈）" in text
    js7 = _of(year, "2024-07", JS)
    assert js7["round"] == 2 and js7["earlier"] == {"P11-M03": [js["doc_no"]]}
    assert (f"{JS}负责的“云州电力智慧能源调控中心项目：征拆工作于2024年6月下旬全部完成”节点经两次督办"
            f"（{js['doc_no']}、{js7['doc_no']}）仍未完成，予以通报") in text
    notice = _text(year["2024-07"]["dir"] / "督办通知" / f"{JS}.docx")
    assert f"该节点已于2024年7月8日以{js['doc_no']}督办，至今仍未完成，本次为第二次督办" in notice
    assert "现予第二次督办" in notice and "约谈" not in notice
    assert not (year["2024-07"]["dir"] / "督办通知" / f"{CZ}.docx").exists()
    dubans = year["2024-07"]["summary"]["dubans"]
    new = [d for d in dubans if d["period"] == "2024-07"]
    late = sum(d["state"] == "逾期未回复" for d in dubans)
    assert (f"督办：本月发出 {len(new)} 件（其中再次督办 {sum(d['round'] >= 2 for d in new)} 件），"
            f"逾期未回复 {late} 件，本月销号 1 件，本次读入回复单 1 份") in year["2024-07"]["terminal"]


def test_the_third_duban_states_the_interview(year: dict) -> None:
    js6, js7, js8 = (_of(year, p, JS) for p in PERIODS[:3])
    assert js8["round"] == 3 and js8["earlier"] == {"P11-M03": [js6["doc_no"], js7["doc_no"]]}
    notice = _text(year["2024-08"]["dir"] / "督办通知" / f"{JS}.docx")
    assert (f"该节点已于2024年7月8日以{js6['doc_no']}、2024年8月8日以{js7['doc_no']}督办，至今仍未完成，"
            "本次为第三次督办") in notice
    assert ("对经三次督办仍未完成的节点，经开区督查办将按规定对你单位主要负责同志进行约谈，"
            "并在全区范围内通报。") in notice
    text = _text(year["2024-08"]["dir"] / "进度通报.docx")
    assert (f"节点经三次督办（{js6['doc_no']}、{js7['doc_no']}、{js8['doc_no']}）仍未完成，予以通报，"
            "经开区督查办将对其主要负责同志进行约谈，并在全区范围内通报") in text
    jy6 = _of(year, "2024-06", JY)
    assert f"本月销号2件：{jy6['doc_no']}（{JY}）；{_of(year, '2024-07', JY)['doc_no']}（{JY}）。" in text


def test_september_closes_the_long_one_everywhere(year: dict) -> None:
    sep = year["2024-09"]
    numbers = [_of(year, p, JS)["doc_no"] for p in PERIODS[:3]]
    text = _text(sep["dir"] / "进度通报.docx")
    assert "；".join(f"{n}（{JS}）" for n in numbers) in text.split("本月销号")[1]
    assert not (sep["dir"] / "督办通知" / f"{JS}.docx").exists()
    book = {r["督办文号"]: r for r in read_tables(sep["dir"] / "汇总表.xlsx")["督办台账"]}
    for n in numbers:
        assert (book[n]["责任单位"], book[n]["状态"]) == (JS, "已销号")
        assert book[n]["督办事项（节点）"] == "云州电力智慧能源调控中心项目：征拆工作于2024年6月下旬全部完成"
        assert book[n]["备注"].startswith("2024年9月销号")
    jy = book[_of(year, "2024-06", JY)["doc_no"]]
    assert jy["回复日期"].date() == dt.date(2024, 7, 18) and "逾期回复" in jy["备注"]
    assert "回复单“7月/经济运行回复.xlsx”：8月上旬完成入库" in jy["备注"]
    assert book[numbers[1]]["备注"].startswith(f"2024年9月销号；前次督办：{numbers[0]}")
    assert JS not in year["open"].stdout  # the open 督办 no longer list it
    for n in numbers:
        assert f"{n}  " in year["all"].stdout
    assert year["all"].stdout.count("已销号（2024-09）") == 3
