"""The committed sample submissions read back to exactly what tools/make_samples.py wrote,
and forms re-saved by LibreOffice (.ods, .xls, .xlsx) read back like the original."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.config import Config, load_config
from reportgen.ingest import read_submissions
from reportgen.model import Reported
from tests.conftest import ROOT, needs_libreoffice
from tests.ingest_support import LAND, MED, make_form, make_plan

SAMPLES = ROOT / "input" / "submissions"
EXPECTED = SAMPLES / "expected.json"


@pytest.fixture(scope="module")
def seed() -> tuple:
    if not EXPECTED.exists():
        pytest.skip("样例报送文件（input/submissions/expected.json）尚未生成")
    from reportgen.plan.workbook import load_plan
    from reportgen.workspace import open_workspace

    ws = open_workspace(ROOT)
    config = load_config(ROOT / "reportgen.toml")
    return load_plan(ws.master_workbook(), config), config, json.loads(EXPECTED.read_text("utf-8"))


@pytest.mark.parametrize("period", ["2024-06", "2024-07"])
def test_samples_read_back_exactly(seed: tuple, period: str) -> None:
    plan, config, expected = seed
    assert expected["plan_version"] == plan.version
    want = expected["periods"][period]
    result = read_submissions(SAMPLES / period, plan, config, period)
    assert result.missing_units == want["missing_units"]
    subs = {Path(s.file).name: s for s in result.submissions}
    assert set(subs) == set(want["files"])
    for name, exp in want["files"].items():
        sub = subs[name]
        assert sub.unit == exp["unit"] and sub.identified_by == "meta"
        assert {k: (f.value_yi, f.note) for k, f in sub.figures.items()} == {
            k: (f["value_yi"], f["note"] or "") for k, f in exp["figures"].items()
        }, name
        got = {
            code: (r.status.value if r.status else None,
                   r.completed_on.isoformat() if r.completed_on else None,
                   r.progress, r.problems, r.next_steps)
            for code, r in sub.milestones.items()
        }
        assert got == {
            code: (m["status"], m["completed_on"], m["progress"], m["problems"], m["next_steps"])
            for code, m in exp["milestones"].items()
        }, name
        assert sub.contact == exp["contact"], name
    # the samples are clean: text amounts, full-width digits and text dates read without a word
    assert [i for i in result.issues if i.severity.value != "info"] == []


def test_samples_are_never_modified(seed: tuple, tmp_path: Path) -> None:
    plan, config, _ = seed
    folder = SAMPLES / "2024-07"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    read_submissions(folder, plan, config, "2024-07")
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before


def _soffice(sources: list[Path], fmt: str, out: Path, profile: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
         "--outdir", str(out), *map(str, sources)],
        check=True, capture_output=True, timeout=180,
    )


@needs_libreoffice
def test_forms_resaved_by_libreoffice_read_back_the_same(tmp_path: Path) -> None:
    import datetime as dt

    plan = make_plan()
    src = make_form(plan, LAND, "2024-06", tmp_path / "src" / f"{LAND}.xlsx", {},
                    {"P07-M01": {"status": "已完成", "completed_on": dt.date(2024, 6, 18), "progress": "预审通过"},
                     "P07-M02": {"status": "推进中"}, "P07-M03": {"status": "未启动"},
                     "T01-M01": {"status": "推进中", "problems": "需市局支持"}},
                    {"填报人": "赵敏", "联系电话": "0352-7654321", "填报日期": dt.date(2024, 7, 3)})
    med = make_form(plan, MED, "2024-06", tmp_path / "src" / f"{MED}.xlsx",
                    {"P01/invest": 1.25, "P03/invest": "3000万元"},
                    {"P03-M01": {"status": "完成", "completed_on": "2024.6.15"}})
    results = {}
    for fmt in ("ods", "xls", "xlsx"):
        folder = tmp_path / fmt
        _soffice([src, med], fmt if fmt != "xls" else "xls:MS Excel 97", folder, tmp_path / "profile")
        assert len(list(folder.glob(f"*.{fmt}"))) == 2
        results[fmt] = read_submissions(folder, plan, Config(), "2024-06")
    for fmt, result in results.items():
        subs = {s.unit: s for s in result.submissions}
        assert set(subs) == {LAND, MED}, (fmt, [i.message for i in result.issues])
        land = subs[LAND]
        assert land.identified_by == "meta", fmt
        assert land.milestones["P07-M01"].status is Reported.DONE
        assert land.milestones["P07-M01"].completed_on == dt.date(2024, 6, 18), fmt
        assert land.milestones["T01-M01"].problems == "需市局支持"
        assert land.content_date == dt.date(2024, 7, 3)
        assert land.contact["联系电话"] == "0352-7654321"
        assert subs[MED].figures["P01/invest"].value_yi == 1.25
        assert subs[MED].figures["P03/invest"].value_yi == 0.3
        assert subs[MED].milestones["P03-M01"].completed_on == dt.date(2024, 6, 15)
        assert [i.code for i in result.issues if i.severity.value != "info"] == [], fmt
