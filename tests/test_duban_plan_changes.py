"""The plan changing under the 督办 loop, through forms → filled forms → run: a July revision deletes
土地挂牌 (P11-M04, pressed on 规划和自然资源分局 in June) and renames 通航及纺织产业招商服务中心 通航产业招商服务中心
(reportgen.toml not told: its group 各产业招商服务中心 still lists the old name); December's 督办 on the year's
targets meet a 2025 plan that dates those targets in 2025 (the year's own, not carried).

Neither 督办 is chased for ever: June's ends in July (任务分解调整，该节点已删除), December's in January
(2024年度结束，节点未完成), each as 终止督办, not 销号 (said only of work done), and counted apart from
销号 in the 台账, the bulletin, summary.json and `reportgen dubans`. The rename is not guessed:
plan import and the July run name both units and the alias to write; written, July run again keeps the
old name's standing (立项备案, done in June, its row emptied by the new name in July), and the 督办通知 the
first July run wrote on it is off the 台账 (its number stays taken).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reportgen.cli import main
from reportgen.render.excel import read_tables
from reportgen.workspace import open_workspace
from tests.month_support import doc_text, workspace
from tests.test_web_dubans import _client, _rows
from tests.test_year_papers import SEED, STUCK, _import, _month

pytestmark = pytest.mark.slow

GH = "规划和自然资源分局"
DELETED = "3.2024年6月底在拆迁完成后土地挂牌。（责任单位：规划和自然资源分局）\n"
TH, TH_NEW = "通航及纺织产业招商服务中心", "通航产业招商服务中心"
FILED = "P12-M01"  # 督促和帮助企业于2024年5月30日前完成项目立项备案 (done in June)
ALIAS = f'"{TH_NEW}" = ["{TH}"]'
ADDED_BEFORE = "5.督促项目方拿地后"
ADDED = "5.2024年10月底前完成项目配套电网接入方案。（责任单位：现代服务业招商服务中心）\n"


def _cli(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, [*args, "-w", str(root)], prog_name="reportgen")


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = workspace(tmp_path_factory.mktemp("changes"))
    out: dict[str, Any] = {"root": root, "2024-06": _month(root, "2024-06", 0.2)}
    text = SEED.read_text("utf-8")
    assert DELETED in text
    revised = text.replace(DELETED, "").replace(TH, TH_NEW)
    doc = root.parent / "2024年重点项目推进任务分解（调整）.txt"
    doc.write_text(revised, "utf-8")
    out["import"] = _cli(root, "plan", "import", str(doc))
    out["2024-07 told nothing"] = _month(root, "2024-07", 0.3, emptied=FILED)
    out["run.log"] = (root / "output" / "2024-07" / "run.log").read_text("utf-8")
    config = root / "reportgen.toml"
    config.write_text(config.read_text("utf-8").replace("[units.aliases]\n", f"[units.aliases]\n{ALIAS}\n"), "utf-8")
    out["rerun"] = _cli(root, "run", "--period", "2024-07")
    out["2024-07"] = json.loads((root / "output" / "2024-07" / "summary.json").read_text("utf-8"))
    # August: another revision adds a node to the project whose 土地挂牌 was deleted
    (root.parent / "8月调整.txt").write_text(revised.replace(ADDED_BEFORE, ADDED + ADDED_BEFORE), "utf-8")
    assert _cli(root, "plan", "import", str(root.parent / "8月调整.txt")).exit_code == 0
    shown = _cli(root, "plan", "show", "--format", "json").stdout
    out["august plan"] = json.loads(shown[shown.index("{"):])
    out["2024-12"] = _month(root, "2024-12", 0.9)
    _import(root, revised.replace("2024年重点项目推进任务分解", "2025年重点项目推进任务分解", 1),
            "2025年重点项目推进任务分解.txt")
    out["2025-01"] = _month(root, "2025-01", 0.1)
    out["2025-02"] = _month(root, "2025-02", 0.2)
    out["dubans"] = CliRunner().invoke(main, ["dubans", "--all", "-w", str(root)], prog_name="reportgen")
    return out


def _book(root: Path, period: str) -> dict[str, dict[str, Any]]:
    """Return the 汇总表's 督办台账 rows by 文号."""
    return {r["督办文号"]: r for r in read_tables(root / "output" / period / "汇总表.xlsx")["督办台账"]}


def _subtitle(root: Path, period: str) -> str:
    """Return the 汇总表's 督办台账 subtitle (its counts) as printed."""
    return str(load_workbook(root / "output" / period / "汇总表.xlsx")["督办台账"]["A2"].value)


def _duban_part(root: Path, period: str) -> str:
    text = doc_text(root / "output" / period / "进度通报.docx")
    return text[text.index("督办落实情况"):text.index("下步工作要求")]


def test_a_duban_on_a_node_the_revision_deleted_closes_that_month(year: dict[str, Any]) -> None:
    june = next(d for d in year["2024-06"]["dubans"] if d["unit"] == GH)
    assert june["nodes"] == [STUCK]
    july = next(d for d in year["2024-07"]["dubans"] if d["doc_no"] == june["doc_no"])
    assert (july["state"], july["closed_in"]) == ("终止督办", "2024-07")
    assert july["ended"] == {STUCK: "任务分解调整，节点已删除"}
    row = _book(year["root"], "2024-07")[june["doc_no"]]
    assert (row["状态"], row["备注"]) == ("终止督办", "2024年7月终止督办（任务分解调整，该节点已删除）")
    bulletin = _duban_part(year["root"], "2024-07")
    assert f"本月因任务分解调整终止督办1件：{june['doc_no']}（{GH}，任务分解调整，该节点已删除）。" in bulletin
    done = [d for d in year["2024-07"]["dubans"] if d["state"] == "已销号"]
    ended = [d for d in year["2024-07"]["dubans"] if d["state"] == "终止督办"]
    assert ended == [july] and f"已销号{len(done)}件，终止督办1件，" in bulletin
    said_done = bulletin[bulletin.index("本月销号"):bulletin.index("本月因")] if "本月销号" in bulletin else ""
    assert june["doc_no"] not in said_done
    subtitle = _subtitle(year["root"], "2024-07")
    assert f"已销号{len(done)}件，终止督办1件，" in subtitle
    chased = bulletin[bulletin.index("逾期未书面反馈"):] if "逾期未书面反馈" in bulletin else ""
    assert june["doc_no"] not in chased
    assert not any(d["unit"] == GH for d in year["2024-07"]["dubans"] if d["period"] == "2024-07")


def test_decembers_duban_on_the_years_targets_ends_with_the_year(year: dict[str, Any]) -> None:
    december = [d for d in year["2024-12"]["dubans"] if d["period"] == "2024-12"]
    assert len(december) >= 3
    january = {d["doc_no"]: d for d in year["2025-01"]["dubans"]}
    for d in december:  # on January's papers (no silent drop), closed as the year's end, not chased
        got = january[d["doc_no"]]
        assert (got["carried_from"], got["state"], got["closed_in"]) == (2024, "终止督办", "2025-01")
        assert set(got["ended"].values()) == {"年度结束未完成"}
        row = _book(year["root"], "2025-01")[d["doc_no"]]
        assert row["备注"] == got["note"]
        assert row["备注"].startswith("2024年度结转；2025年1月终止督办（2024年度结束，节点未完成）")
        assert (row["状态"], row["回复日期"]) == ("终止督办", None)
    bulletin = _duban_part(year["root"], "2025-01")
    assert "逾期未书面反馈" not in bulletin and "督办中0件" in bulletin and "本月销号" not in bulletin
    carried = [d for d in january.values() if d["carried_from"]]
    assert {d["state"] for d in carried} == {"终止督办"}
    assert f"2024年度结转督办通知{len(carried)}件，已销号0件，终止督办{len(carried)}件，督办中0件" in bulletin
    assert f"本月因年度结束终止督办{len(carried)}件：" in bulletin
    assert (f"{december[0]['doc_no']}（{december[0]['unit']}，"
            "2024年度结束，节点未完成）") in bulletin


def test_in_february_they_are_no_longer_the_years_business(year: dict[str, Any]) -> None:
    """Reported closed in January, December's 督办 leave the 2025 papers from February (they were
    listed as 终止督办/结转 every month of the year); the register of every year keeps them."""
    december = {d["doc_no"] for d in year["2024-12"]["dubans"] if d["period"] == "2024-12"}
    february = year["2025-02"]
    assert not december & {d["doc_no"] for d in february["dubans"]}
    assert not [d for d in february["dubans"] if d["carried_from"]]
    assert not december & set(_book(year["root"], "2025-02"))
    assert "结转" not in _subtitle(year["root"], "2025-02")
    bulletin = doc_text(year["root"] / "output" / "2025-02" / "进度通报.docx")
    assert "结转" not in bulletin and "终止督办" not in bulletin
    page = _client(open_workspace(year["root"])).get("/office/2025-02/dubans").get_data(as_text=True)
    assert "本年度至本月没有发出督办通知" in page and not [n for n in december if n in page]
    assert {d["doc_no"] for d in year["2025-01"]["dubans"]} >= december  # January's papers keep them
    listing = year["dubans"].output
    assert all(f"{doc_no}  2024-12  " in listing for doc_no in december)


def test_the_office_page_counts_them_apart(year: dict[str, Any]) -> None:
    page = _client(open_workspace(year["root"])).get("/office/2025-01/dubans").get_data(as_text=True)
    rows = _rows(page)
    ended = sum(r["状态"] == "终止督办" for r in rows)
    assert ended == sum(d["state"] == "终止督办" for d in year["2025-01"]["dubans"]) > 0
    assert f"已销号 {sum(r['状态'] == '已销号' for r in rows)} 件，终止督办 {ended} 件，" in page


def test_the_dubans_command_lists_them_closed_with_why(year: dict[str, Any]) -> None:
    listing = year["dubans"]
    assert listing.exit_code == 0, listing.output
    june = next(d for d in year["2024-06"]["dubans"] if d["unit"] == GH)
    assert f"{june['doc_no']}  2024-06  {GH}  终止督办（2024-07，任务分解调整，该节点已删除）" in listing.output
    count = next(line for line in listing.output.splitlines() if line.startswith("督办通知共"))
    assert re.fullmatch(r"督办通知共 (\d+) 件，督办中 0 件，已销号 \d+ 件，终止督办 [1-9]\d* 件", count), count


def test_a_unit_renamed_without_alias_is_pointed_out_not_guessed(year: dict[str, Any]) -> None:
    imported = year["import"]
    assert imported.exit_code == 0, imported.output
    assert f"单位“{TH_NEW}”是新出现的，它负责的项目和节点原来都由“{TH}”负责" in imported.output
    assert f"请在 reportgen.toml 的 [units.aliases] 中写 {ALIAS}" in imported.output
    # the first run under the revised plan says it too (run.log keeps it), and judged TH_NEW as a new unit
    assert f"单位“{TH_NEW}”是新出现的" in year["run.log"] and "与2024年6月相比" in year["run.log"]
    before = {m["code"]: m for m in year["2024-07 told nothing"]["milestones"]}
    assert before[FILED]["status"] != "done"


def test_once_the_alias_is_written_the_old_names_standing_carries(year: dict[str, Any]) -> None:
    rerun = year["rerun"]
    assert rerun.exit_code == 0, rerun.output
    assert "是新出现的" not in rerun.output
    july = {m["code"]: m for m in year["2024-07"]["milestones"]}
    assert (july[FILED]["status"], july[FILED]["completed_on"]) == ("done", "2024-05-30")
    assert not (year["root"] / "output" / "2024-07" / "督办通知" / f"{TH_NEW}.docx").exists()  # not pressed
    # the 督办通知 the first July run wrote to TH_NEW on it is not on paper now: not in the 台账, not counted
    first = next(d for d in year["2024-07 told nothing"]["dubans"] if d["unit"] == TH_NEW)
    assert FILED in first["nodes"]
    assert first["doc_no"] not in _book(year["root"], "2024-07")
    assert "累计发出督办通知3件（其中本月1件）" in _duban_part(year["root"], "2024-07")


def test_a_node_added_later_does_not_take_the_deleted_nodes_code(year: dict[str, Any]) -> None:
    """P11-M04 (土地挂牌) has a history (June's status, its 督办): a node the August revision adds to P11
    gets a code of its own, or it would inherit that past (done then: done; pressed then: pressed again)."""
    nodes = {m["text"]: m["code"] for item in year["august plan"]["items"] if item["code"] == "P11"
             for task in item["tasks"] for m in task["milestones"]}
    added = nodes["2024年10月底前完成项目配套电网接入方案"]
    assert added.startswith("P11-M") and added != STUCK
    assert STUCK not in nodes.values()
