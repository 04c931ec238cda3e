"""Bad input at scale: corrupted forms never stop the batch (issue 9).

Hypothesis takes the example workspace's valid June forms and corrupts one to three of them:
a truncated zip, random bytes written into a sheet's XML, or a wrong type in every input
cell. The batch must finish, report a problem for each file it could not take whole, and
read every clean file exactly as it reads it alone. Bytes that leave the sheet well-formed XML
(a space where an "&" was) make a valid file that says something else, which no reader can
tell; the file is then read as it says. Bounded: 25 examples, no deadline.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reportgen import formspec as fs
from reportgen.ingest import read_submissions
from reportgen.model import Severity, Submission
from reportgen.plan.workbook import load_plan
from reportgen.workspace import open_workspace
from tests.hardening_support import PERIOD, ROOT, example_workspace

SOURCE = ROOT / "input" / "submissions" / PERIOD
FILES = sorted(p.name for p in SOURCE.glob("*.xlsx"))

# values of the wrong kind for each input column: none of them is a number, a date or a status
NOT_A_NUMBER = st.one_of(
    st.sampled_from(["不详", "N/A", "一点二", "1.2.3", "#REF!", "约", "亿元", "--"]),
    st.booleans(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1)),
)
NOT_A_STATUS = st.one_of(
    st.integers(min_value=-10**9, max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1)),
    st.text(alphabet="xyz#@!?", min_size=1, max_size=12),
)
NOT_A_DATE = st.one_of(
    st.booleans(),
    st.text(alphabet="abc!?#", min_size=1, max_size=12),
    st.integers(min_value=-10**6, max_value=-1),
)
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=40).map(lambda s: "".join(c for c in s if c.isprintable())),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1)),
    st.just("=1/0"), st.just("=HYPERLINK(\"http://x\")"),
)
COLUMN_VALUES = {"value": NOT_A_NUMBER, "status": NOT_A_STATUS, "completed_on": NOT_A_DATE}


@st.composite
def corruptions(draw: st.DrawFn) -> dict[str, tuple[str, Any]]:
    """Return file name -> (kind, parameters) for one to three victims."""
    victims = draw(st.lists(st.sampled_from(FILES), min_size=1, max_size=3, unique=True))
    out: dict[str, tuple[str, Any]] = {}
    for name in victims:
        kind = draw(st.sampled_from(["truncate", "xml_bytes", "wrong_types"]))
        if kind == "truncate":
            out[name] = (kind, draw(st.floats(min_value=0.0, max_value=0.98)))
        elif kind == "xml_bytes":
            out[name] = (kind, (draw(st.sampled_from([2, 3])),
                                draw(st.floats(min_value=0.0, max_value=1.0)),
                                draw(st.binary(min_size=1, max_size=64))))
        else:
            out[name] = (kind, draw(st.data()))
    return out


def _truncate(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def _xml_bytes(data: bytes, sheet_no: int, where: float, junk: bytes) -> tuple[bytes, bool]:
    """Return the file with `junk` written into a sheet's XML, and whether that is still XML."""
    src = zipfile.ZipFile(io.BytesIO(data))
    still_xml = True
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == f"xl/worksheets/sheet{sheet_no}.xml":
                at = int(len(body) * where)
                body = body[:at] + junk + body[at + len(junk):]
                try:
                    ElementTree.fromstring(body)
                except ElementTree.ParseError:
                    still_xml = False
            dst.writestr(info, body)
    return out.getvalue(), still_xml


def _wrong_types(path: Path, data: st.DataObject) -> int:
    """Put a value of the wrong kind in every input cell of the form at `path`; return how many."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    n = 0
    for sheet, headers, inputs in ((fs.SHEET_FIGURES, fs.FIGURE_HEADERS, fs.FIGURE_INPUTS),
                                   (fs.SHEET_MILESTONES, fs.MILESTONE_HEADERS, fs.MILESTONE_INPUTS)):
        ws = wb[sheet]
        texts = [c.value for c in ws[fs.HEADER_ROW]]
        cols = {k: texts.index(headers[k]) + 1 for k in inputs}
        for r in range(fs.FIRST_DATA_ROW, ws.max_row + 1):
            if not ws.cell(r, 1).value or ws.cell(r, 1).value in fs.FOOTER_LABELS:
                continue
            for key, c in cols.items():
                ws.cell(r, c).value = data.draw(COLUMN_VALUES.get(key, ANY_VALUE))
                n += 1
    # the footer block: the input cell right of each label (填报日期 wants a date)
    sheet = wb[fs.SHEET_MILESTONES]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value in fs.FOOTER_LABELS:
                wrong = NOT_A_DATE if cell.value == "填报日期" else ANY_VALUE
                sheet.cell(cell.row, cell.column + 1).value = data.draw(wrong)
                n += 1
    wb.save(path)
    return n


def _corrupt(folder: Path, plan: dict[str, tuple[str, Any]]) -> set[str]:
    """Corrupt the files as planned; return the names of those whose sheets are still XML."""
    still_xml = set()
    for name, (kind, param) in plan.items():
        event(kind)
        path = folder / name
        if kind == "truncate":
            path.write_bytes(_truncate(path.read_bytes(), param))
        elif kind == "xml_bytes":
            data, whole = _xml_bytes(path.read_bytes(), *param)
            path.write_bytes(data)
            if whole:
                still_xml.add(name)
        else:
            _wrong_types(path, param)
    return still_xml


def _content(sub: Submission) -> tuple[Any, ...]:
    return (sub.unit, sub.period, sub.figures, sub.milestones, sub.contact, sub.content_date)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The example workspace and what its clean forms read as, file by file."""
    root = example_workspace(tmp_path_factory.mktemp("fuzz") / "ws")
    ws = open_workspace(root)
    plan = load_plan(ws.master_workbook(), ws.config)
    clean = read_submissions(ws.submissions_dir(PERIOD), plan, ws.config, PERIOD)
    by_file = {f.name: _content(f.submission) for f in clean.files if f.submission}
    assert set(by_file) == set(FILES)
    _UNIT_OF.update({f.name: f.submission.unit for f in clean.files if f.submission})
    return {"ws": ws, "plan": plan, "by_file": by_file}


# file -> unit of the example's June forms (each file is one unit's)
_UNIT_OF: dict[str, str] = {}


FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.slow
@FUZZ
@given(plan=corruptions())
def test_corrupted_forms_do_not_stop_the_batch(base: dict[str, Any], tmp_path_factory: Any,
                                              plan: dict[str, tuple[str, Any]]) -> None:
    ws = base["ws"]
    folder = tmp_path_factory.mktemp("batch")
    for name in FILES:
        shutil.copy2(SOURCE / name, folder / name)
    still_xml = _corrupt(folder, plan)

    result = read_submissions(folder, base["plan"], ws.config, PERIOD)

    files = {f.name: f for f in result.files}
    assert set(files) == set(FILES)  # every file accounted for, none dropped silently
    for name in FILES:
        f = files[name]
        if name in plan:
            changed = f.submission is None or _content(f.submission) != base["by_file"][name]
            if changed and name not in still_xml:
                # a file not taken whole says why
                assert f.issues, f"{name} ({plan[name][0]}) changed without an issue"
            if f.submission is None:
                assert any(i.severity is Severity.ERROR for i in f.issues), name
        else:
            assert f.submission is not None, f"clean file {name} not read: {f.issues}"
            assert _content(f.submission) == base["by_file"][name], f"clean file {name} misread"
    assert all(i.message for i in result.issues)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(plan=corruptions())
def test_whole_run_with_corrupted_forms(base: dict[str, Any], tmp_path_factory: Any,
                                        plan: dict[str, tuple[str, Any]]) -> None:
    from reportgen.pipeline import run_period

    root = example_workspace(tmp_path_factory.mktemp("run") / "ws")
    ws = open_workspace(root)
    _corrupt(ws.submissions_dir(PERIOD), plan)
    report = run_period(ws, PERIOD)
    assert not report.failures
    out = ws.output_dir(PERIOD)
    for name in ("summary.json", "进度通报.docx", "汇总表.xlsx", "校验报告.xlsx"):
        assert (out / name).is_file(), name
    reported = {i.file for i in report.result.issues}
    for name, (kind, _) in plan.items():
        if kind == "truncate":  # a zip cut short never opens: it must be named in 校验报告
            assert name in reported, (name, kind)
    submitted = {u.name for u in report.result.units if u.submitted}
    clean_units = {base_unit for name, base_unit in _UNIT_OF.items() if name not in plan}
    assert clean_units <= submitted
