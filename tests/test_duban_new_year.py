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
from tests.test_consistency_year import _codes

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
    return {"root": root, "2024-12": december, "2025-01": _month(root, "2025-01")}


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
    assert {d["period"] for d in january["dubans"]} == {"2025-01"}  # the year's own 督办 only
    folder = new_year["root"] / "output" / "2025-01"
    book = {r["督办文号"]: r for r in read_tables(folder / "汇总表.xlsx")["督办台账"]}
    assert set(book) == {d["doc_no"] for d in january["dubans"]}
    row = book[_of(january, JS)["doc_no"]]
    assert row["督办次数"] == 2
    assert f"前次督办：{_of(new_year['2024-12'], JS)['doc_no']}" in row["备注"]
