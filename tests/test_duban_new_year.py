"""A node still overdue across the new year: December's 督办 (2024 plan) is cited by January's
(the 2025 plan, imported over the 2024 master so its nodes keep their codes), through the real CLI.

December and January forms are made by `reportgen forms` and filled with every node 推进中; the
2025 document is the seed plan under a 2025 title, so 建设管理部's node with its own year
(征拆工作于2024年6月下旬全部完成) stays overdue while the undated ones move to 2025.
"""

from __future__ import annotations

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
from tests.test_consistency import _text
from tests.test_consistency_year import _codes
from tests.test_duban_replies import _fill as fill_reply

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "input" / "plan" / "source" / "2024年重点项目推进任务分解.txt"
JS = "建设管理部"
NODE = "P11-M03"  # 征拆工作于2024年6月下旬全部完成

pytestmark = pytest.mark.slow


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), prog_name="reportgen")
    assert result.exit_code == 0, result.output
    return result


def _month(root: Path, period: str) -> dict[str, Any]:
    """Make, fill (every node 推进中) and run `period`; return its summary.json."""
    _cli("forms", "--period", period, "-w", str(root))
    inbox = root / "input" / "submissions" / period
    inbox.mkdir(parents=True)
    for form in sorted((root / "output" / period / "报送表").glob("*.xlsx")):
        path = shutil.copy(form, inbox / form.name)
        fill_form(path, {k: 0.1 for k in _codes(path, fs.SHEET_FIGURES)},
                  {c: {"status": "推进中", "progress": "正在推进", "problems": "无"}
                   for c in _codes(path, fs.SHEET_MILESTONES)})
    shutil.rmtree(root / "output" / period)
    _cli("run", "--period", period, "-w", str(root))
    return json.loads((root / "output" / period / "summary.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def new_year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("new-year") / "ws"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "input" / "plan", root / "input" / "plan")
    shutil.copy(ROOT / "reportgen.toml", root / "reportgen.toml")
    december = _month(root, "2024-12")
    doc = root / "2025年重点项目推进任务分解.txt"
    doc.write_text(SEED.read_text("utf-8").replace("2024年重点项目推进任务分解", "2025年重点项目推进任务分解", 1),
                   "utf-8")
    _cli("plan", "import", str(doc), "-w", str(root))
    # another unit answers December's 督办 before its deadline; January's run reads its 回复单
    replied = next(d for d in december["dubans"] if d["unit"] != JS and d["period"] == "2024-12")
    inbox = root / "input" / "replies"
    inbox.mkdir(parents=True)
    fill_reply(root / "output" / "2024-12" / "督办回复单" / f"{replied['unit']}.xlsx", inbox / "回复.xlsx",
               回复日期=replied["issued_on"], 整改措施及完成时限=["抓紧推进"])
    return {"root": root, "2024-12": december, "2025-01": _month(root, "2025-01"), "replied": replied}


def _of(summary: dict[str, Any], unit: str) -> dict[str, Any]:
    return next(d for d in summary["dubans"] if d["unit"] == unit and d["period"] == summary["period"])


def test_january_cites_decembers_duban_on_the_same_node(new_year: dict[str, Any]) -> None:
    december, january = _of(new_year["2024-12"], JS), _of(new_year["2025-01"], JS)
    assert NODE in december["nodes"] and NODE in january["nodes"]
    assert "〔2024〕" in december["doc_no"] and "〔2025〕" in january["doc_no"]
    assert january["earlier"] == {NODE: [december["doc_no"]]} and january["round"] == 2
    notice = new_year["root"] / "output" / "2025-01" / "督办通知" / f"{JS}.docx"
    text = "\n".join(p.text for p in Document(str(notice)).paragraphs)
    issued = december["issued_on"].split("-")
    assert (f"该节点已于{int(issued[0])}年{int(issued[1])}月{int(issued[2])}日以{december['doc_no']}督办，"
            "至今仍未完成，本次为第二次督办") in text
    assert "现予第二次督办" in text


def test_the_new_years_duban_book_names_the_earlier_one(new_year: dict[str, Any]) -> None:
    january = new_year["2025-01"]
    folder = new_year["root"] / "output" / "2025-01"
    book = {r["督办文号"]: r for r in read_tables(folder / "汇总表.xlsx")["督办台账"]}
    assert set(book) == {d["doc_no"] for d in january["dubans"]}
    row = book[_of(january, JS)["doc_no"]]
    assert row["督办次数"] == 2
    assert f"前次督办：{_of(new_year['2024-12'], JS)['doc_no']}" in row["备注"]


def _day(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def test_januarys_papers_chase_decembers_duban_left_unanswered(new_year: dict[str, Any]) -> None:
    """December's 督办 falls due in January: January's bulletin chases it and its 督办台账 lists it."""
    december, january = _of(new_year["2024-12"], JS), new_year["2025-01"]
    assert december["reply_by"] > "2025-01-01" and december["state"] == "未到期"  # December could not chase it
    carried = [d for d in january["dubans"] if d["period"] == "2024-12"]
    assert {d["doc_no"] for d in carried} == {d["doc_no"] for d in new_year["2024-12"]["dubans"]}
    assert all(d["carried_from"] == 2024 for d in carried)
    bulletin = _text(new_year["root"] / "output" / "2025-01" / "进度通报.docx")
    own = [d for d in january["dubans"] if d["period"] == "2025-01"]
    assert (f"累计发出督办通知{len(own)}件（其中本月{len(own)}件），已销号0件，督办中{len(own)}件；"
            f"2024年度结转督办通知{len(carried)}件，已销号0件，督办中{len(carried)}件。") in bulletin
    chased = bulletin.split("逾期未书面反馈")[1].split("请相关单位立即书面反馈")[0]
    assert f"{december['doc_no']}（{JS}，回复期限{_day(december['reply_by'])}）" in chased
    book = {r["督办文号"]: r for r in read_tables(new_year["root"] / "output" / "2025-01" / "汇总表.xlsx")["督办台账"]}
    row = book[december["doc_no"]]
    assert (row["责任单位"], row["状态"], row["备注"].split("；")[0]) == (JS, "逾期未回复", "2024年度结转")
    assert str(row["回复期限"])[:10] == december["reply_by"]


def test_januarys_papers_list_decembers_duban_answered_in_time_as_replied(new_year: dict[str, Any]) -> None:
    """A reply to December's 督办 read by January's run before its deadline: listed 已回复, not chased."""
    replied, january = new_year["replied"], new_year["2025-01"]
    now = next(d for d in january["dubans"] if d["doc_no"] == replied["doc_no"])
    assert (now["replied_on"], now["state"]) == (replied["issued_on"], "已回复")
    bulletin = _text(new_year["root"] / "output" / "2025-01" / "进度通报.docx")
    chased = bulletin.split("逾期未书面反馈")[1].split("请相关单位立即书面反馈")[0]
    assert f"{replied['doc_no']}（" not in chased and _of(new_year["2024-12"], JS)["doc_no"] in chased
    book = {r["督办文号"]: r for r in read_tables(new_year["root"] / "output" / "2025-01" / "汇总表.xlsx")["督办台账"]}
    assert book[replied["doc_no"]]["状态"] == "已回复"
    assert str(book[replied["doc_no"]]["回复日期"])[:10] == replied["issued_on"]
