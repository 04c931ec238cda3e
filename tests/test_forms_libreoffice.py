"""Forms opened by LibreOffice: printed to PDF, and saved again as .xlsx and .xls."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from reportgen import formspec as fs
from reportgen.config import Config
from tests.conftest import needs_libreoffice
from tests.test_forms import EXPECTED_ROWS, LAND, WHEN, small_plan


def soffice(src: Path, fmt: str, out_dir: Path, profile: Path) -> Path:
    """Convert `src` with LibreOffice headless (own profile) and return the new file."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    assert binary
    subprocess.run(
        [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", fmt, "--outdir", str(out_dir), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    out = out_dir / (src.stem + "." + fmt.split(":")[0])
    assert out.is_file(), f"LibreOffice did not write {out.name}"
    return out


def form(tmp_path: Path) -> Path:
    from reportgen.forms import write_form

    return write_form(small_plan(), Config(), "2024-06", LAND, tmp_path / f"{LAND}.xlsx",
                      generated_at=WHEN)


@needs_libreoffice
def test_form_prints_to_pdf_with_title_and_table(tmp_path: Path) -> None:
    from pypdf import PdfReader

    pdf = soffice(form(tmp_path), "pdf", tmp_path / "pdf", tmp_path / "profile")
    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = "".join(text.split())
    assert "2024年6月重点项目推进情况报送表（规划和自然资源分局）" in flat
    assert "填报说明" in flat and "节点要求" in flat and "2024年6月20日前完成用地预审" in flat
    assert "填报人" in flat and "审核人（分管领导）" in flat
    assert "_meta" not in flat and "plan_version" not in flat  # the hidden sheet is not printed
    # guide, figures, milestones: one page each, landscape for the data sheets
    assert len(reader.pages) == 3
    box = reader.pages[2].mediabox
    assert float(box.width) > float(box.height)


@needs_libreoffice
def test_hidden_metadata_survives_libreoffice_resave(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    src = form(tmp_path)
    profile = tmp_path / "profile"
    again = [
        soffice(src, 'xlsx:Calc MS Excel 2007 XML', tmp_path / "xlsx", profile),
        soffice(src, "xls:MS Excel 97", tmp_path / "xls", profile),
    ]
    for path in again:
        wb = CalamineWorkbook.from_path(str(path))
        assert wb.sheet_names == [fs.SHEET_GUIDE, fs.SHEET_FIGURES, fs.SHEET_MILESTONES,
                                  fs.SHEET_META], path.name
        visible = {s.name: str(s.visible) for s in wb.sheets_metadata}
        assert "hidden" in visible[fs.SHEET_META].lower(), (path.name, visible)
        rows = wb.get_sheet_by_name(fs.SHEET_META).to_python(skip_empty_area=False)
        keys = {r[0]: r[1] for r in rows[: len(fs.META_KEYS)]}
        assert keys["unit"] == LAND and keys["period"] == "2024-06"
        assert keys["plan_version"] == "v-test-1" and keys["form_version"] == fs.FORM_VERSION
        table = [r[:3] for r in rows[len(fs.META_KEYS) + 2:] if r[0]]
        assert [r[2] for r in table] == [*EXPECTED_ROWS[LAND][0], *EXPECTED_ROWS[LAND][1]]
        assert [r[1] for r in table] == ["4", "4", "5"]
        # the data sheets still carry the title and the codes
        ms = wb.get_sheet_by_name(fs.SHEET_MILESTONES).to_python(skip_empty_area=False)
        assert ms[0][0] == "2024年6月重点项目推进情况报送表（规划和自然资源分局）"
        assert [r[0] for r in ms[3:5]] == EXPECTED_ROWS[LAND][1]
