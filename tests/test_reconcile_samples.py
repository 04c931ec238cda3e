"""The example workspace's two sample months, read, reconciled, recorded and summarised in order.

Runs the whole monthly batch (pipeline.run_period) for June then July on a copy of the
committed workspace, and checks summary.json against the samples' expected.json
and against figures worked out by hand.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from reportgen.pipeline import run_period
from reportgen.workspace import open_workspace

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = json.loads((ROOT / "input" / "submissions" / "expected.json").read_text("utf-8"))
PERIODS = ("2024-06", "2024-07")


def run_months(root: Path) -> dict[str, dict[str, Any]]:
    """Run the sample months in a copy of the example workspace; return each summary.json."""
    (root / "input").mkdir(parents=True)
    shutil.copy(ROOT / "reportgen.toml", root)
    for sub in ("plan", "submissions"):
        shutil.copytree(ROOT / "input" / sub, root / "input" / sub)
    ws = open_workspace(root)
    out: dict[str, dict[str, Any]] = {}
    for period in PERIODS:
        report = run_period(ws, period)
        assert not report.failures
        out[period] = json.loads((ws.output_dir(period) / "summary.json").read_text("utf-8"))
    return out

pytestmark = pytest.mark.slow  # the module fixture runs both sample months (~5 s)


@pytest.fixture(scope="module")
def summaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return run_months(tmp_path_factory.mktemp("ws"))


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


@pytest.mark.parametrize("period", PERIODS)
def test_figures_and_answers_match_the_samples(summaries: dict, period: str) -> None:
    data = summaries[period]
    files = EXPECTED["periods"][period]["files"].values()
    figures: dict[str, set[float]] = {}
    for f in files:
        for key, fig in f["figures"].items():
            if fig["value_yi"] is not None:
                figures.setdefault(key, set()).add(fig["value_yi"])
    items = _by(data["items"], "code")
    for key, values in figures.items():
        code, metric = key.split("/")
        field = "cumulative_yi" if metric == "invest" else "invoice_yi"
        assert [items[code][field]] == sorted(values), key
    milestones = _by(data["milestones"], "code")
    for f in files:
        for code, rep in f["milestones"].items():
            mine = milestones[code]["by_unit"][f["unit"]]
            if rep["status"] == "done" and milestones[code]["lead"] == f["unit"]:
                assert mine["completed_on"] == rep["completed_on"], code
                assert mine["status"] in ("done", "done_late")
    units = _by(data["units"], "name")
    for name in EXPECTED["periods"][period]["missing_units"]:
        assert units[name]["submitted"] is False
    assert data["plan_version"] == EXPECTED["plan_version"]


def test_june_by_hand(summaries: dict) -> None:
    data = summaries["2024-06"]
    assert (data["period"], data["as_of"], data["schedule_rate"], data["doc_number"]) == (
        "2024-06", "2024-06-30", 0.5, 1)
    items = _by(data["items"], "code")
    p01 = items["P01"]
    assert (p01["cumulative_yi"], p01["rate"], p01["vs_schedule"], p01["phased_target_yi"]) == (
        1.15, 0.3833, "behind", 1.0)
    assert p01["month_added_yi"] is None  # the ledger's first month: no last month to compare
    ms = _by(data["milestones"], "code")
    assert (ms["P01-M01"]["status"], ms["P01-M01"]["completed_on"]) == ("done", "2024-06-30")
    assert (ms["P07-M02"]["status"], ms["P07-M02"]["days_overdue"]) == ("overdue", 10)
    assert ms["T02-M01"]["status"] == "not_reported"  # 华睿集团 sent nothing
    assert ms["T04-M01"]["status"] == "overdue"  # 新材料新能源 still open at the cut-off
    assert ms["T04-M01"]["by_unit"]["新材料新能源产业招商服务中心"]["status"] == "overdue"
    units = _by(data["units"], "name")
    assert units["华睿集团"]["submitted"] is False and units["华睿集团"]["rank"] == 9
    assert units["经济运行与安全监管部"]["files"] == ["经济运行与安全监管部6月份重点项目报送表（已审核）.xlsx"]
    assert (units["现代医药产业招商服务中心"]["due"], units["现代医药产业招商服务中心"]["rate"]) == (
        7, 0.7143)


def test_july_by_hand(summaries: dict) -> None:
    data = summaries["2024-07"]
    assert data["doc_number"] == 2
    items = _by(data["items"], "code")
    assert (items["P01"]["previous_yi"], items["P01"]["month_added_yi"]) == (1.15, 0.27)
    assert items["P14"]["month_added_yi"] == 0.3
    ms = _by(data["milestones"], "code")
    assert (ms["P04-M01"]["status"], ms["P04-M01"]["completed_on"]) == ("done_late", "2024-07-31")
    assert (ms["P07-M02"]["status"], ms["P07-M02"]["completed_on"]) == ("done_late", "2024-07-12")
    assert (ms["T04-M01"]["status"], ms["T04-M01"]["completed_on"]) == ("done_late", "2024-07-10")
    assert (ms["P11-M04"]["status"], ms["P11-M04"]["days_overdue"]) == ("overdue", 31)
    assert data["totals"]["status_counts"]["done_late"] == 5
    units = _by(data["units"], "name")
    assert units["通航及纺织产业招商服务中心"]["files"] == ["通航及纺织产业招商服务中心.xls"]
