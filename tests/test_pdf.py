"""PDF export: every document converts with LibreOffice; fonts, names, merging, failures."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.render import pdf
from reportgen.render.pdf import PdfError, convert_to_pdf, fontconfig_file, merge_pdfs
from reportgen.render.word import render_word
from reportgen.workspace import init_workspace
from tests.conftest import needs_libreoffice
from tests.test_word_factory import make_result


def fonts_of(path: Path) -> set[str]:
    names = set()
    for page in PdfReader(str(path)).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def words_mm(path: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """Words on a page with their box in mm from the top-left corner (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path),
                          "-"], capture_output=True, text=True, check=True).stdout
    mm = 25.4 / 72
    return [(float(a) * mm, float(b) * mm, float(c) * mm, float(d) * mm, t)
            for a, b, c, d, t in re.findall(
                r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                out)]


def check_layout(bulletin: Path) -> None:
    """GB/T 9704 positions on the printed first page, measured in mm."""
    words = words_mm(bulletin)
    mark = next(w for w in words if w[4].endswith("文件"))
    assert 71 <= mark[1] <= 73.5  # 标志 top edge 35 mm below the 版心's top (37 mm)
    assert abs((mark[0] + mark[2]) / 2 - (28 + 156 / 2)) < 2  # centred in the 版心
    body = [w for w in words if w[1] > 150 and not w[4].startswith("—")]
    assert min(w[0] for w in body) >= 27.5  # left margin 28 mm
    assert max(w[2] for w in body) <= 184.5  # right margin 26 mm
    number = next(w for w in words if w[4] == "—" and w[1] > 262)
    assert 262 + 6.3 <= number[1] <= 262 + 7.7  # page number 7 mm below the 版心 (262 mm)
    assert abs(max(w[2] for w in words if w[1] > 262) - (184 - 14 * 25.4 / 72)) < 0.6  # 空一字
    even = [w for w in words_mm(bulletin, page=2) if w[1] > 262]
    assert [w[4] for w in even] == ["—", "2", "—"]
    assert abs(min(w[0] for w in even) - (28 + 14 * 25.4 / 72)) < 0.6  # even pages: left, 空一字


@needs_libreoffice
def test_every_document_converts_with_the_cjk_stand_in_fonts(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    ws.config.schedule.due_soon_days = 20
    docs = render_word(make_result(), ws.templates, ws.config, tmp_path / "out")
    pdfs = convert_to_pdf(docs, tmp_path / "pdf", timeout=180)
    assert len(pdfs) == len(docs)
    assert all(p.parent == tmp_path / "pdf" and p.stat().st_size > 1000 for p in pdfs)
    # notices of different kinds to one unit keep apart; the bulletin keeps its name
    names = {p.name for p in pdfs}
    assert "进度通报.pdf" in names
    assert "督办通知-现代服务业招商服务中心.pdf" in names and "提醒函-现代服务业招商服务中心.pdf" in names
    bulletin = tmp_path / "pdf" / "进度通报.pdf"
    reader = PdfReader(str(bulletin))
    first = reader.pages[0].extract_text()
    assert "关于2024年6月份重点项目推进情况的通报" in first.replace(" ", "")
    assert "—1—" in first.replace(" ", "")
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1  # A4
    used = " ".join(fonts_of(bulletin))
    # 仿宋/小标宋 print as Noto Serif CJK and 黑体 as Noto Sans CJK, not a fallback sans face
    assert "NotoSerifCJK" in used and "NotoSansCJK" in used
    if shutil.which("pdftotext"):
        check_layout(bulletin)
    merged = merge_pdfs([bulletin, pdfs[-1]], tmp_path / "pdf" / "会议材料.pdf")
    assert len(PdfReader(str(merged)).pages) == len(reader.pages) + len(
        PdfReader(str(pdfs[-1])).pages)


def test_missing_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"x")
    with pytest.raises(PdfError, match="未安装 LibreOffice"):
        convert_to_pdf([doc], tmp_path / "pdf")


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_a_hanging_conversion_is_stopped_at_the_timeout(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"x")
    with pytest.raises(PdfError, match="超时"):
        convert_to_pdf([doc], tmp_path / "pdf", timeout=1)


def test_a_file_libreoffice_leaves_unconverted_is_named(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    doc = tmp_path / "坏文件.docx"
    doc.write_bytes(b"x")
    with pytest.raises(PdfError, match=r"坏文件\.docx"):
        convert_to_pdf([doc], tmp_path / "pdf")


def test_each_process_gets_its_own_profile(tmp_path, monkeypatch):
    log = tmp_path / "calls.txt"
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    # record the profile argument and FONTCONFIG_FILE, then "convert" by touching the PDFs
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$1 $FONTCONFIG_FILE" >> "{log}"\n'
        'out=""; prev=""\n'
        'for a in "$@"; do\n'
        '  if [ "$prev" = "--outdir" ]; then out="$a"; fi\n'
        '  case "$a" in *.docx) b=$(basename "$a" .docx); touch "$out/$b.pdf";; esac\n'
        '  prev="$a"\n'
        "done\n",
        encoding="utf-8",
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    docs = []
    for i in range(4):
        d = tmp_path / "in" / f"{i}.docx"
        d.parent.mkdir(exist_ok=True)
        d.write_bytes(b"x")
        docs.append(d)
    out = convert_to_pdf(docs, tmp_path / "pdf", workers=2)
    assert [p.name for p in out] == ["0.pdf", "1.pdf", "2.pdf", "3.pdf"]
    calls = log.read_text(encoding="utf-8").splitlines()
    profiles = {c.split()[0] for c in calls}
    assert len(calls) == 2 and len(profiles) == 2
    assert all(p.startswith("-env:UserInstallation=file://") for p in profiles)
    assert all(c.split()[1].endswith("fonts.conf") for c in calls)


def test_fontconfig_maps_official_fonts_to_noto(tmp_path):
    text = fontconfig_file(tmp_path).read_text(encoding="utf-8")
    assert "<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>" in text
    for name, face in (("仿宋_GB2312", "Noto Serif CJK SC"), ("方正小标宋简体", "Noto Serif CJK SC"),
                       ("楷体_GB2312", "Noto Serif CJK SC"), ("宋体", "Noto Serif CJK SC"),
                       ("黑体", "Noto Sans CJK SC")):
        assert (f"<family>{name}</family><prefer><family>{face}</family></prefer>") in text


def test_merge_of_nothing_is_an_error(tmp_path):
    with pytest.raises(PdfError):
        merge_pdfs([], tmp_path / "x.pdf")
