"""The plan in force per period: a rerun of June after a July revision reproduces June.

The ledger keeps every period's plan (version and content); a rerun uses it unless the user
asks for the current master workbook (`run --plan current`), and every run says which plan
judged it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document

from reportgen.checking import check_file, check_period
from reportgen.cli import main
from reportgen.config import load_config
from reportgen.errors import PlanError
from reportgen.ledger import Ledger
from reportgen.model import (
    PeriodResult,
    RecordedPlan,
    plan_from_text,
    plan_text,
    plan_version,
)
from reportgen.plan.importer import import_document
from reportgen.plan.inforce import PlanChoice, plan_in_force
from reportgen.plan.workbook import load_plan
from reportgen.workspace import open_workspace
from tests.test_plan_json import json_content

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "input" / "plan" / "source" / "2024年重点项目推进任务分解.txt"
P01_HEAD = "（一）双雁生物医药产业园一期项目，2024年工业投资任务3亿元以上。"
P01_REVISED = "（一）双雁生物医药产业园一期项目，2024年工业投资任务27.6亿元以上。"
NEW_PROJECT = ("（十五）新增示范项目，2024年工业投资任务2亿元以上。6月底前完成投资0.5亿元，"
               "全年完成投资2亿元以上。（责任单位：现代医药产业招商服务中心）")


def _plan(path: Path = SEED) -> Any:
    return import_document(path, load_config(ROOT / "reportgen.toml")).plan


def _revised_text() -> str:
    """The seed as revised in July: P01's target raised, a project added after （十四）."""
    lines = SEED.read_text("utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(P01_HEAD))
    lines[first] = lines[first].replace(P01_HEAD, P01_REVISED)
    last = max(i for i, line in enumerate(lines) if line.startswith("（十四）"))
    end = next(i for i in range(last + 1, len(lines)) if lines[i].startswith("二、"))
    lines.insert(end, NEW_PROJECT)
    return "\n".join(lines) + "\n"


def test_the_kept_text_rebuilds_the_same_plan() -> None:
    plan = _plan()
    again = plan_from_text(plan_text(plan))
    assert again == plan
    assert plan_version(again) == plan.version


def test_the_ledger_keeps_each_periods_plan(tmp_path: Path) -> None:
    june = _plan()
    revised_doc = tmp_path / "调整.txt"
    revised_doc.write_text(_revised_text(), encoding="utf-8")
    july = _plan(revised_doc)
    assert july.version != june.version
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        assert "0003_plan_in_force" in ledger.migrations()
        assert ledger.plan_in_force("2024-06") is None
        for period, plan in (("2024-06", june), ("2024-07", july)):
            result = PeriodResult(period, dt.date(2024, int(period[5:]), 28),
                                  plan.year, plan.title, plan.version, 0.5)
            ledger.record(plan, result)
        kept = ledger.plan_in_force("2024-06")
        assert kept is not None and (kept.version, kept.title) == (june.version, june.title)
        assert kept.plan == june
        kept_july = ledger.plan_in_force("2024-07")
        assert kept_july is not None and kept_july.plan == july
        # the content is not read back when the caller holds that version already
        same = ledger.plan_in_force("2024-07", july.version)
        assert same is not None and same.version == july.version and same.plan is None
        assert plan_in_force("2024-07", july, same).plan is july
        other = ledger.plan_in_force("2024-06", july.version)
        assert other is not None and other.plan == june
    # kept as plan_text (the one text a plan is kept as); a ledger an earlier version wrote keeps
    # one JSON object of every field, and is read the same
    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    assert db.execute("SELECT content FROM plans WHERE version = ?", (june.version,)).fetchone()[0] == plan_text(june)
    with db:
        db.execute("UPDATE plans SET content = ? WHERE version = ?", (json_content(june), june.version))
    db.close()
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        kept = ledger.plan_in_force("2024-06")
        assert kept is not None and kept.plan == june


def test_which_plan_judges_a_period() -> None:
    june = _plan()
    july = _plan()
    july.items[0].target_yi = 27.6
    july.version = plan_version(july)
    recorded = RecordedPlan(june.version, june.title, june)

    first = plan_in_force("2024-06", june, None)
    assert first.plan is june and not first.replanned
    assert first.note == f"任务分解：按当前总表“{june.title}”（版本 {june.version}）核定（本月首次运行）"

    kept = plan_in_force("2024-06", july, recorded)
    assert kept.plan is june and not kept.replanned
    assert kept.note == (f"任务分解：按2024-06上次运行时的“{june.title}”（版本 {june.version}）核定；"
                         f"当前总表已调整为版本 {july.version}，如需按当前总表重新核定该月，请加 --plan 当前")

    again = plan_in_force("2024-06", july, recorded, PlanChoice.CURRENT)
    assert again.plan is july and again.replanned
    assert again.note.startswith(f"任务分解：按当前总表“{july.title}”（版本 {july.version}）重新核定2024-06")

    same = plan_in_force("2024-06", june, recorded, PlanChoice.CURRENT)
    assert same.plan is june and not same.replanned

    # a period recorded before the ledger kept plan content cannot be reproduced: say so
    with pytest.raises(PlanError) as caught:
        plan_in_force("2024-06", july, RecordedPlan(june.version, june.title, None))
    assert f"上次按任务分解“{june.title}”（版本 {june.version}）核定" in str(caught.value)
    assert str(caught.value).endswith("如需按当前总表重新核定该月，请加 --plan 当前")


def test_an_old_ledger_gains_the_column_and_its_periods_say_content_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO plans (version, year, title, items, milestones, first_seen)"
                 " VALUES ('old1', 2024, '旧总表', 1, 1, '2024-06-30T00:00:00')")
    conn.execute("INSERT INTO periods VALUES ('2024-06', 2024, 'old1', '2024-06-30', 0.5, NULL)")
    conn.commit()
    conn.close()
    with Ledger(path) as ledger:
        assert ledger.plan_in_force("2024-06") == RecordedPlan("old1", "旧总表", None)


# ---------------------------------------------------------------- through the CLI


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _bulletin(root: Path, period: str) -> list[str]:
    doc = Document(str(root / "output" / period / "进度通报.docx"))
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return texts


def _summary(root: Path, period: str) -> str:
    return (root / "output" / period / "summary.json").read_text("utf-8")


@pytest.mark.slow
def test_rerun_of_june_after_a_revision_reproduces_june(tmp_path: Path) -> None:
    root = tmp_path / "督办"
    (root / "input").mkdir(parents=True)
    shutil.copy(ROOT / "reportgen.toml", root)
    for sub in ("plan", "submissions"):
        shutil.copytree(ROOT / "input" / sub, root / "input" / sub)
    ws = ["-w", str(root)]

    june = _cli("run", "--period", "2024-06", *ws)
    summary, bulletin = _summary(root, "2024-06"), _bulletin(root, "2024-06")
    first_version = json.loads(summary)["plan_version"]
    assert f"（版本 {first_version}）核定（本月首次运行）" in june.output
    assert _cli("run", "--period", "2024-07", *ws).exit_code == june.exit_code

    revised = tmp_path / "2024年重点项目推进任务分解（调整）.txt"
    revised.write_text(_revised_text(), encoding="utf-8")
    imported = _cli("plan", "import", str(revised), *ws)
    assert imported.exit_code == 0, imported.output
    assert "新增项目（1）" in imported.output

    # check of June reads June's forms against June's plan: no "other plan version" warnings
    june_check = check_period(open_workspace(root), "2024-06")
    assert not [i for i in june_check.ingest.issues if i.code == "plan_version"]
    # the same forms read against the revised master workbook are flagged
    workspace = open_workspace(root)
    current = load_plan(workspace.master_workbook(), workspace.config)
    form = sorted((root / "input" / "submissions" / "2024-06").glob("*.xlsx"))[0]
    read = check_file(workspace, current, "2024-06", form, form.name)
    assert [i.code for i in read.issues if i.code == "plan_version"] == ["plan_version"]

    rerun = _cli("run", "--period", "2024-06", *ws)
    assert rerun.exit_code == june.exit_code
    assert "任务分解：按2024-06上次运行时的" in rerun.output
    assert f"（版本 {first_version}）核定；当前总表已调整为版本" in rerun.output
    assert _summary(root, "2024-06") == summary
    assert _bulletin(root, "2024-06") == bulletin
    log = (root / "output" / "2024-06" / "run.log").read_text("utf-8")
    assert f"（版本 {first_version}）核定；当前总表已调整为版本" in log

    rejudged = _cli("run", "--period", "2024-06", "--plan", "current", *ws)
    data = json.loads(_summary(root, "2024-06"))
    assert data["plan_version"] != first_version
    assert "重新核定2024-06（上次运行按" in rejudged.output
    items = {it["code"]: it for it in data["items"]}
    assert items["P01"]["target_yi"] == 27.6 and items["P15"]["name"] == "新增示范项目"
    assert _bulletin(root, "2024-06") != bulletin

    # the re-judged plan is now June's: a plain rerun keeps it
    again = _cli("run", "--period", "2024-06", *ws)
    assert f"（版本 {data['plan_version']}）核定（与本月上次运行相同）" in again.output
