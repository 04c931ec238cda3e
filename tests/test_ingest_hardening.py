"""Issue-13 corpus: forms filled the way people really fill them, each built by code and read
back; every case either yields the right value or names its cell, and nothing is guessed."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.config import CheckConfig, Config
from reportgen.ingest import FileRead, read_submission
from reportgen.model import Reported, Severity
from tests.ingest_support import LAND, MED, make_form, make_plan, patch_zip

PERIOD = "2024-06"
PLAN = make_plan()
CONFIG = Config(check=CheckConfig(max_file_mb=0.5, max_unzipped_mb=5, max_rows=200, jump_factor=20))
D = dt.date
FOOTER = {"填报人": "王芳", "联系电话": "13900000001", "填报日期": D(2024, 7, 2)}
MED_FIGURES: dict[str, Any] = {"P01/invest": 1.0, "P03/invest": 0.6}
MED_MS: dict[str, dict[str, Any]] = {
    "P03-M01": {"status": "已完成", "completed_on": D(2024, 6, 20), "progress": "已入统"}
}


def read(
    tmp_path: Path,
    figures: dict[str, Any] | None = None,
    milestones: dict[str, dict[str, Any]] | None = None,
    edit: Callable[[Any], None] | None = None,
    previous: dict[str, float] | None = None,
    unit: str = MED,
    name: str = "",
) -> FileRead:
    """Return the unit's form, filled and then edited as a person would, read back."""
    path = tmp_path / (name or f"{unit}.xlsx")
    make_form(PLAN, unit, PERIOD, path, MED_FIGURES if figures is None else figures,
              MED_MS if milestones is None else milestones, FOOTER, config=CONFIG)
    if edit is not None:
        wb = load_workbook(path)
        edit(wb)
        wb.save(path)
    return read_submission(path, PLAN, CONFIG, PERIOD, previous or {})


def issue(f: FileRead, code: str) -> tuple[Severity, str, str, str]:
    """Return (severity, sheet, cell, message) of the one issue with this code."""
    found = [i for i in f.issues if i.code == code]
    assert len(found) == 1, [(i.code, i.message) for i in f.issues]
    return found[0].severity, found[0].sheet, found[0].cell, found[0].message


def figure(f: FileRead, key: str) -> float | None:
    assert f.submission is not None, [i.message for i in f.issues]
    return f.submission.figures[key].value_yi


# ---------------------------------------------------------------- status words


def test_status_not_clearly_one_choice_is_an_error_at_its_cell(tmp_path: Path) -> None:
    f = read(tmp_path, milestones={"P03-M01": {"status": "部分完成", "progress": "已完成一半"}})
    severity, sheet, cell, message = issue(f, "bad_status")
    assert (severity, sheet, cell) == (Severity.ERROR, fs.SHEET_MILESTONES, "F4")
    assert "部分完成" in message and "已完成、推进中、未启动、受阻" in message
    assert f.submission is not None and f.submission.milestones["P03-M01"].status is None


def test_status_with_spaces_and_full_width_punctuation_is_read(tmp_path: Path) -> None:
    f = read(tmp_path, milestones={"P03-M01": {"status": "已 完 成！", "completed_on": D(2024, 6, 20)}})
    assert f.submission is not None and f.submission.milestones["P03-M01"].status is Reported.DONE
    assert not [i for i in f.issues if i.severity is not Severity.INFO]


# ---------------------------------------------------------------- numbers


def test_comma_as_decimal_point_is_an_error_not_nine(tmp_path: Path) -> None:
    f = read(tmp_path, figures={"P01/invest": "0，9", "P03/invest": 0.6})
    severity, sheet, cell, message = issue(f, "ambiguous_separator")
    assert (severity, sheet, cell) == (Severity.ERROR, fs.SHEET_FIGURES, "F4")
    assert "0，9" in message
    assert figure(f, "P01/invest") is None and figure(f, "P03/invest") == 0.6


def _percent(wb: Any) -> None:
    wb[fs.SHEET_FIGURES]["F4"].value = 0.8
    wb[fs.SHEET_FIGURES]["F4"].number_format = "0%"


def _date_number(wb: Any) -> None:
    wb[fs.SHEET_FIGURES]["F5"].number_format = "yyyy\"年\"m\"月\"d\"日\""


def test_cell_formatted_as_percentage_is_an_error_using_the_cells_format(tmp_path: Path) -> None:
    f = read(tmp_path, edit=_percent)
    severity, sheet, cell, message = issue(f, "percent_format")
    assert (severity, sheet, cell) == (Severity.ERROR, fs.SHEET_FIGURES, "F4")
    assert "80%" in message and "百分比" in message
    assert figure(f, "P01/invest") is None and figure(f, "P03/invest") == 0.6


def test_percent_style_written_with_leading_zeros_is_still_a_percentage(tmp_path: Path) -> None:
    # s="0012" is style 12 to a reader: looking for s="12" alone would miss it
    path = tmp_path / f"{MED}.xlsx"
    make_form(PLAN, MED, PERIOD, path, MED_FIGURES, MED_MS, FOOTER, config=CONFIG)
    wb = load_workbook(path)
    _percent(wb)
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
    pad = re.compile(rb'(<c r="F4" s=")(\d+)"')
    patch_zip(path, {n: lambda xml: pad.sub(rb'\g<1>00\2"', xml) for n in sheets})
    with zipfile.ZipFile(path) as z:
        assert any(b'<c r="F4" s="00' in z.read(n) for n in sheets)
    f = read_submission(path, PLAN, CONFIG, PERIOD, {})
    severity, sheet, cell, message = issue(f, "percent_format")
    assert (severity, sheet, cell) == (Severity.ERROR, fs.SHEET_FIGURES, "F4") and "80%" in message
    assert figure(f, "P01/invest") is None and figure(f, "P03/invest") == 0.6


def test_cell_formatted_as_date_is_an_error(tmp_path: Path) -> None:
    f = read(tmp_path, figures={"P01/invest": 1.0, "P03/invest": 45000}, edit=_date_number)
    codes = {i.code: i for i in f.issues if i.severity is Severity.ERROR}
    found = codes.get("date_format") or codes.get("bad_number")
    assert found is not None and (found.sheet, found.cell) == (fs.SHEET_FIGURES, "F5"), list(codes)
    assert figure(f, "P03/invest") is None and figure(f, "P01/invest") == 1.0


def test_tolerant_reading_of_what_is_unambiguous_stays(tmp_path: Path) -> None:
    f = read(tmp_path, figures={"P01/invest": "1000万", "P03/invest": "0.6亿元"},
             milestones={"P03-M01": {"status": "已完成", "completed_on": "2024.6.18"}})
    assert (figure(f, "P01/invest"), figure(f, "P03/invest")) == (0.1, 0.6)
    assert f.submission is not None and f.submission.milestones["P03-M01"].completed_on == D(2024, 6, 18)


# ---------------------------------------------------------------- cumulative below last month's


def test_cumulative_below_last_months_is_an_error_and_not_used(tmp_path: Path) -> None:
    f = read(tmp_path, figures={"P01/invest": 0.1, "P03/invest": 0.6}, previous={"P01/invest": 0.8})
    severity, sheet, cell, message = issue(f, "cumulative_decreased")
    assert (severity, sheet, cell) == (Severity.ERROR, fs.SHEET_FIGURES, "F4")
    assert "0.1" in message and "0.8" in message and "未采用" in message
    assert figure(f, "P01/invest") is None  # reconcile carries last month's 0.8


# ---------------------------------------------------------------- layout changes people make


def _hidden_last_month(wb: Any) -> None:
    """Last month's row kept, hidden, above the updated one (P01: 0.5 hidden, 1.0 below)."""
    ws = wb[fs.SHEET_FIGURES]
    ws.insert_rows(4)
    for c in range(1, ws.max_column + 1):
        ws.cell(4, c).value = ws.cell(5, c).value
    ws["F4"] = 0.5
    ws.row_dimensions[4].hidden = True


def test_hidden_row_with_last_months_figures_never_wins(tmp_path: Path) -> None:
    f = read(tmp_path, edit=_hidden_last_month)
    assert figure(f, "P01/invest") == 1.0
    severity, sheet, cell, message = issue(f, "hidden_row")
    assert (severity, sheet, cell) == (Severity.INFO, fs.SHEET_FIGURES, "F4") and "隐藏" in message
    assert not [i for i in f.issues if i.severity is not Severity.INFO]


def _typed_into_copy(wb: Any) -> None:
    original = wb[fs.SHEET_FIGURES]
    copy = wb.copy_worksheet(original)
    copy.title = f"{fs.SHEET_FIGURES} (2)"
    original["F4"] = None
    original["F5"] = None


def test_figures_typed_into_a_copy_of_the_sheet_are_read_and_named(tmp_path: Path) -> None:
    f = read(tmp_path, edit=_typed_into_copy)
    assert (figure(f, "P01/invest"), figure(f, "P03/invest")) == (1.0, 0.6)
    severity, sheet, _cell, message = issue(f, "copied_sheet")
    assert (severity, sheet) == (Severity.WARNING, f"{fs.SHEET_FIGURES} (2)")
    assert fs.SHEET_FIGURES in message and "未填写" in message


def _merge_progress_and_problems(wb: Any) -> None:
    ws = wb[fs.SHEET_MILESTONES]
    ws["H4"] = "已入统，无需协调"
    ws.merge_cells("H4:I4")


def test_one_cell_across_progress_and_problems_is_not_printed_as_a_problem(tmp_path: Path) -> None:
    f = read(tmp_path, edit=_merge_progress_and_problems)
    assert f.submission is not None
    rep = f.submission.milestones["P03-M01"]
    assert (rep.progress, rep.problems) == ("已入统，无需协调", "")
    severity, sheet, cell, message = issue(f, "merged_inputs")
    assert (severity, sheet, cell) == (Severity.WARNING, fs.SHEET_MILESTONES, "H4")
    assert "进展情况" in message and "需协调解决的问题" in message


def _note_across_inputs(wb: Any) -> None:
    ws = wb[fs.SHEET_MILESTONES]
    for c in "GHIJ":
        ws[f"{c}4"] = None
    ws["F4"] = "该项工作由市里统一安排，本单位配合"
    ws.merge_cells("F4:J4")


def test_note_merged_across_all_inputs_keeps_the_row_and_names_it(tmp_path: Path) -> None:
    f = read(tmp_path, edit=_note_across_inputs)
    assert f.submission is not None and "P03-M01" in f.submission.milestones  # not dropped
    rep = f.submission.milestones["P03-M01"]
    assert (rep.status, rep.progress, rep.problems) == (None, "该项工作由市里统一安排，本单位配合", "")
    assert issue(f, "merged_inputs")[2] == "F4"
    assert issue(f, "status_missing")[2] == "F4"
    assert not [i for i in f.issues if i.code == "row_missing"]


def _paste_other_units_row(wb: Any) -> None:
    ws = wb[fs.SHEET_MILESTONES]
    ws.insert_rows(5)
    ws["A5"] = "P07-M01"
    ws["F5"] = "已完成"
    ws["G5"] = D(2024, 6, 1)


def test_another_units_row_pasted_in_is_named_not_used(tmp_path: Path) -> None:
    f = read(tmp_path, edit=_paste_other_units_row)
    assert f.submission is not None and "P07-M01" not in f.submission.milestones
    severity, sheet, cell, message = issue(f, "other_unit_row")
    assert (severity, sheet, cell) == (Severity.WARNING, fs.SHEET_MILESTONES, "A5")
    assert LAND in message and "2024年6月20日前完成用地预审" in message  # the node in its words


def _answers_in_a_copy(wb: Any) -> None:
    copy = wb.copy_worksheet(wb[fs.SHEET_MILESTONES])
    copy.title = "节点推进情况（本月）"
    copy["F4"] = "推进中"


def test_a_differing_filled_copy_of_the_milestones_is_named(tmp_path: Path) -> None:
    f = read(tmp_path, edit=_answers_in_a_copy)
    assert f.submission is not None and f.submission.milestones["P03-M01"].status is Reported.DONE
    severity, sheet, _cell, message = issue(f, "other_copy")
    assert (severity, sheet) == (Severity.WARNING, "节点推进情况（本月）") and "未读取" in message


def _paste_other_units_figure(wb: Any) -> None:
    ws = wb[fs.SHEET_FIGURES]
    ws.insert_rows(6)
    ws["A6"] = "P07/invest"
    ws["F6"] = 2.5


def test_another_units_figure_row_is_named_not_used(tmp_path: Path) -> None:
    f = read(tmp_path, edit=_paste_other_units_figure)
    assert f.submission is not None and "P07/invest" not in f.submission.figures
    severity, sheet, cell, message = issue(f, "other_unit_row")
    assert (severity, sheet, cell) == (Severity.WARNING, fs.SHEET_FIGURES, "A6")
    assert "海博思创储能项目" in message and "P07" not in message


def _damage(path: Path, part: str, before: bytes) -> None:
    """Overwrite the byte just before `before`'s first occurrence in `part` with a NUL, as a
    damaged disk or a cut transfer leaves it."""
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                at = body.index(before) - 1
                body = body[:at] + b"\x00" + body[at + 1:]
            dst.writestr(info, body)
    path.write_bytes(out.getvalue())


def test_a_nul_byte_in_a_sheet_refuses_the_file_rather_than_reading_it_into_a_name(tmp_path: Path) -> None:
    path = tmp_path / f"{MED}.xlsx"
    make_form(PLAN, MED, PERIOD, path, MED_FIGURES, MED_MS, FOOTER, config=CONFIG)
    name = b"#29579;&#33459;"  # 王芳 as openpyxl writes it ("&#29579;&#33459;"), less its first "&"
    part = next(m for m in _members(path) if m.startswith("xl/worksheets/") and name in _part(path, m))
    _damage(path, part, name)  # the "&" before it: calamine would read "\x00#29579;芳"

    f = read_submission(path, PLAN, CONFIG, PERIOD, {})

    assert f.submission is None
    severity, _, _, message = issue(f, "corrupt_file")
    assert severity is Severity.ERROR
    assert part in message and "非法字符" in message and "重新保存" in message


def test_a_nul_byte_in_the_shared_strings_refuses_the_file(tmp_path: Path) -> None:
    import zipfile

    from reportgen.ingest.grid import Book, Refused
    from reportgen.safety import inspect_bytes

    path = tmp_path / "shared.xlsx"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName='
        '"/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'sharedStrings+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><sheets><sheet name="节点" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'
        '</worksheet>',
        "xl/sharedStrings.xml": '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>分管领导\x00王芳</t></si></sst>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode())
    insp = inspect_bytes(path.read_bytes(), path.name, CONFIG.check)
    assert insp.kind == "xlsx" and not insp.issues
    book = Book(insp, CONFIG.check.max_rows, {})

    try:
        book.sheet("节点")
    except Refused as refused:
        assert refused.issue.code == "corrupt_file" and "xl/sharedStrings.xml" in refused.issue.message
    else:
        raise AssertionError("a shared string holding a NUL was read")


def _members(path: Path) -> list[str]:
    import zipfile

    return zipfile.ZipFile(path).namelist()


def _part(path: Path, name: str) -> bytes:
    import zipfile

    return zipfile.ZipFile(path).read(name)
