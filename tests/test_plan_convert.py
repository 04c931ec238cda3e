""".doc, .wps, .rtf and .odt task breakdowns are read through LibreOffice, or a clear message."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from reportgen.config import load_config
from reportgen.errors import PlanError
from reportgen.plan.importer import import_document
from tests.conftest import SEED_TXT, needs_libreoffice

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "reportgen.toml")


def _seed_docx(path: Path) -> Path:
    document = Document()
    for line in SEED_TXT.read_text("utf-8").splitlines():
        document.add_paragraph(line.replace("[bookmark: _GoBack]", ""))
    document.save(str(path))
    return path


def _save_as(docx: Path, fmt: str, out: Path) -> Path:
    """Save `docx` in another format as an office would, with LibreOffice."""
    profile = out / f"profile-{fmt}"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", fmt, "--outdir", str(out), str(docx)],
                   check=True, capture_output=True, timeout=180)
    return out / f"{docx.stem}.{fmt.split(':')[0]}"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    docx = _seed_docx(folder / "2024年重点项目推进任务分解.docx")
    out = {fmt: _save_as(docx, fmt, folder) for fmt in ("doc", "rtf", "odt")}
    wps = folder / "2024年重点项目推进任务分解（WPS）.wps"
    shutil.copyfile(out["doc"], wps)  # Kingsoft WPS writes .wps in Word's binary format
    out["wps"] = wps
    return out


@needs_libreoffice
@pytest.mark.parametrize("fmt", ["doc", "wps", "rtf", "odt"])
def test_other_formats_import_to_the_seed_plan(saved: dict[str, Path], fmt: str) -> None:
    expected = import_document(SEED_TXT, CONFIG)
    got = import_document(saved[fmt], CONFIG)
    assert got.warnings == expected.warnings
    assert got.plan == expected.plan


def test_without_libreoffice_the_message_says_what_to_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "任务分解.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 508)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PlanError) as caught:
        import_document(doc, CONFIG)
    assert str(caught.value) == (
        "任务分解.doc 是 .doc 格式，读取它需要 LibreOffice，但本机未安装。请安装 LibreOffice"
        "（Debian/Ubuntu：apt-get install libreoffice-writer）后重试，或在 Word/WPS 中将其另存为 "
        ".docx 后再导入")


@needs_libreoffice
def test_a_damaged_doc_is_a_plan_error_naming_the_file(tmp_path: Path) -> None:
    doc = tmp_path / "损坏的任务分解.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 508)
    with pytest.raises(PlanError) as caught:
        import_document(doc, CONFIG)
    assert "损坏的任务分解.doc" in str(caught.value)
