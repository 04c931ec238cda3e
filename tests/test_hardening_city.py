"""A small synthetic city through the whole run (issue 9): four-digit item codes, typed numbers.

benchmarks/city.py writes the plan as a Word document (here 1,300 items, so projects are numbered
（一千零四十） and P1040), imports it with `reportgen plan import`, writes the forms with
`reportgen forms` and fills every unit's form the way units do: numbers and dates typed as
text, late and blocked milestones, a unit or two silent, a renamed file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.city import PERIOD, Size, make_city
from reportgen.model import Severity, Status
from reportgen.pipeline import run_period
from reportgen.workspace import open_workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def city_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = make_city(Size(units=8, items=1300, milestones=1300, seed=3),
                     root=tmp_path_factory.mktemp("city") / "city", workers=2)
    ws = open_workspace(root)
    return root, run_period(ws, PERIOD)


def test_every_document_written(city_run: tuple[Path, object]) -> None:
    root, report = city_run
    assert not report.failures
    out = root / "output" / PERIOD
    assert {"summary.json", "进度通报.docx", "汇总表.xlsx", "校验报告.xlsx"} <= {
        p.name for p in out.iterdir()}


def test_four_digit_codes_are_read(city_run: tuple[Path, object]) -> None:
    _root, report = city_run
    result = report.result
    submitted = {u.name for u in result.units if u.submitted}
    late = [m for m in result.milestones if int(m.item[1:]) >= 1000 and m.lead in submitted]
    assert late, "the plan should have projects numbered P1000 and above"
    assert all(m.status is not Status.NOT_REPORTED for m in late)
    assert any(it.code == "P1040" and it.cumulative_yi is not None for it in result.items)


def test_typed_numbers_and_dates_are_taken_without_errors(city_run: tuple[Path, object]) -> None:
    root, report = city_run
    errors = [i for i in report.result.issues if i.severity is Severity.ERROR]
    assert errors == []
    data = json.loads((root / "output" / PERIOD / "summary.json").read_text("utf-8"))
    assert len(data["milestones"]) == 1300
    statuses = {m["status"] for m in data["milestones"]}
    assert {"done", "done_late", "overdue", "in_progress"} <= statuses


def test_a_third_of_a_city_broken_still_runs(tmp_path: Path) -> None:
    """Truncated, garbled and mistyped forms in a batch of ~60: issues, and the rest read."""
    import random

    from tests.test_hardening_fuzz import _truncate, _xml_bytes

    root = make_city(Size(units=60, items=600, milestones=2400, seed=5), root=tmp_path / "city",
                     workers=2)
    ws = open_workspace(root)
    folder = ws.submissions_dir(PERIOD)
    files = sorted(p for p in folder.iterdir() if p.suffix == ".xlsx")
    rng = random.Random(7)
    broken: dict[str, str] = {}
    for i, path in enumerate(files[::3]):
        kind = ("truncate", "xml", "types")[i % 3]
        sent = path.stat()
        broken[path.name] = kind
        if kind == "truncate":
            path.write_bytes(_truncate(path.read_bytes(), rng.uniform(0.1, 0.9)))
        elif kind == "xml":
            path.write_bytes(_xml_bytes(path.read_bytes(), 3, rng.uniform(0.3, 0.7), b"<<\x00&")[0])
        else:
            from openpyxl import load_workbook

            from reportgen import formspec as fs

            wb = load_workbook(path)
            sheet = wb[fs.SHEET_FIGURES]
            col = [c.value for c in sheet[fs.HEADER_ROW]].index(fs.FIGURE_HEADERS["value"]) + 1
            for r in range(fs.FIRST_DATA_ROW, sheet.max_row + 1):
                if sheet.cell(r, 1).value:
                    sheet.cell(r, col).value = rng.choice(["不详", "1.2.3", "#REF!", True, "约"])
            wb.save(path)
        # the file keeps the time the unit sent it: which of a unit's two files is newer stays
        os.utime(path, (sent.st_atime, sent.st_mtime))
    report = run_period(ws, PERIOD)
    assert not report.failures
    by_file: dict[str, list[str]] = {}
    for issue in report.result.issues:
        by_file.setdefault(issue.file, []).append(issue.code)
    for name, kind in broken.items():
        assert by_file.get(name), (name, kind)  # every broken file is named in 校验报告
    # an earlier draft (初稿) is superseded by its unit's newer file, unless that one is broken
    clean = {p.name for p in files if "（初稿）" not in p.name} - set(broken)
    read = {Path(s.file).name for s in report.result.submissions}
    assert clean <= read
    assert (root / "output" / PERIOD / "校验报告.xlsx").is_file()
