"""Below 序时进度 months running: one rule (reconcile.months_behind), kept in the ledger, cited in the bulletin."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from reportgen.config import Config
from reportgen.ledger import Ledger
from reportgen.model import History, PeriodResult
from reportgen.reconcile import months_behind, reconcile
from reportgen.render.wording import behind_text, bulletin_context
from tests.test_reconcile import A, make_plan, sub

D = dt.date


def test_months_behind_counts_calendar_months_in_a_row() -> None:
    vs = {"2024-05": "behind", "2024-06": "behind", "2024-07": "behind"}
    assert months_behind(vs, "2024-07") == 3
    assert months_behind({**vs, "2024-06": "on"}, "2024-07") == 1
    assert months_behind({"2024-05": "behind", "2024-07": "behind"}, "2024-07") == 1  # June unrecorded
    assert months_behind({**vs, "2024-07": "ahead"}, "2024-07") == 0
    assert months_behind({"2024-07": ""}, "2024-07") == 0


def _july(history: History) -> PeriodResult:
    # P01: 3亿 target, 0.9 reported by the end of July: 30% against 58.3%, behind
    subs = [sub(A, figures={"P01/invest": 0.9, "P02/invest": 0.9})]
    return reconcile(make_plan(), subs, history, D(2024, 7, 31), "2024-07", Config())


def test_reconcile_carries_the_run_of_months_behind() -> None:
    june_behind = History(figures={"2024-06": {"P01/invest": 0.5}},
                          vs_schedule={"2024-06": {"P01": "behind", "P02": "behind"}})
    result = _july(june_behind)
    p01, p02 = result.items[0], result.items[1]
    assert (p01.vs_schedule, p01.behind_months, p01.behind_trend) == ("behind", 2, True)
    assert (p02.vs_schedule, p02.behind_months, p02.behind_trend) == ("ahead", 0, False)
    june_on = History(figures={"2024-06": {"P01/invest": 0.5}}, vs_schedule={"2024-06": {"P01": "on"}})
    assert (_july(june_on).items[0].behind_months, _july(june_on).items[0].behind_trend) == (1, False)


def test_bulletin_cites_the_trend_only_for_items_behind_months_running() -> None:
    result = _july(History(vs_schedule={"2024-06": {"P01": "behind"}}))
    ctx = bulletin_context(result, Config())
    p01 = next(p for p in ctx["projects"] if p["code"] == "P01")
    p02 = next(p for p in ctx["projects"] if p["code"] == "P02")
    assert "低于序时进度28.3个百分点，已连续两个月低于序时进度" in p01["figures"]
    assert "连续" not in p02["figures"]
    assert ctx["behind_text"] == "甲项目累计完成投资低于序时进度，均已连续两个月低于序时进度，需加快推进。"
    fresh = _july(History())
    assert "连续" not in bulletin_context(fresh, Config())["behind_text"]


def test_behind_text_names_the_runs_when_they_differ() -> None:
    result = _july(History(vs_schedule={"2024-06": {"P01": "behind"}}))
    p01 = result.items[0]
    other = replace(p01, code="P09", name="丙项目", behind_months=1, behind_trend=False)
    assert behind_text([p01, other]) == (
        "甲项目、丙项目累计完成投资低于序时进度，其中甲项目已连续两个月低于序时进度，需加快推进。")
    assert behind_text([]) == ""


def test_the_ledger_keeps_each_months_standing_for_the_next(tmp_path: Path) -> None:
    june = reconcile(make_plan(), [sub(A, figures={"P01/invest": 0.5})], History(), D(2024, 6, 30),
                     "2024-06", Config())
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        ledger.record(make_plan(), replace(june, submissions=[]))  # no file to archive
        history = ledger.history("2024-07")
    assert history.vs_schedule["2024-06"]["P01"] == "behind"
    assert _july(history).items[0].behind_trend
