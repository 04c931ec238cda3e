"""The check made before a run's outputs are put in place: a broken package is never published."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from reportgen.errors import WorkspaceError
from reportgen.publish import check_zip, publish, verify_staged


def _package() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>" * 50)
        zf.writestr("word/document.xml", "<w:document>正文</w:document>" * 400)
        zf.writestr("word/styles.xml", "<w:styles/>" * 80)
    return buf.getvalue()


def _without_data_of(data: bytes, member: str, cut: int) -> bytes:
    """Return the package with `cut` bytes of `member`'s compressed data dropped and the central
    directory kept as it was (a part not fully written, the rest whole)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    return data[:start] + data[start + cut:]


def test_a_whole_package_passes(tmp_path: Path) -> None:
    path = tmp_path / "通知.docx"
    path.write_bytes(_package())
    check_zip(path)


@pytest.mark.parametrize("broken", [
    lambda d: d[: len(d) // 2],  # cut short: the central directory is gone
    lambda d: d[:-10],  # the end record cut
    lambda d: _without_data_of(d, "word/document.xml", 20),  # a part's data shorter than recorded
    lambda d: _without_data_of(d, "[Content_Types].xml", 5),
])
def test_a_broken_package_is_named(tmp_path: Path, broken) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "通知.docx"
    path.write_bytes(broken(_package()))
    with pytest.raises(zipfile.BadZipFile):
        check_zip(path)


def test_nothing_is_published_when_one_file_is_broken(tmp_path: Path) -> None:
    staging, out = tmp_path / "staging", tmp_path / "out"
    (staging / "督办通知").mkdir(parents=True)
    (staging / "进度通报.docx").write_bytes(_package())
    (staging / "督办通知" / "甲单位.docx").write_bytes(_without_data_of(_package(), "word/styles.xml", 3))
    out.mkdir()
    (out / "进度通报.docx").write_bytes(b"previous")
    with pytest.raises(WorkspaceError, match=r"督办通知/甲单位\.docx"):
        publish(staging, out, ("督办通知",))
    assert (out / "进度通报.docx").read_bytes() == b"previous"
    assert not (out / "督办通知").exists()


def test_stale_notices_are_removed_and_fresh_ones_kept(tmp_path: Path) -> None:
    staging, out = tmp_path / "staging", tmp_path / "out"
    (staging / "督办通知").mkdir(parents=True)
    (out / "督办通知").mkdir(parents=True)
    for name in ("甲单位", "乙单位"):
        (staging / "督办通知" / f"{name}.docx").write_bytes(_package())
    (out / "督办通知" / "乙单位.docx").write_bytes(b"old")
    (out / "督办通知" / "丙单位.docx").write_bytes(b"caught up since")
    verify_staged(staging)
    written = publish(staging, out, ("督办通知",))
    assert sorted(p.name for p in (out / "督办通知").iterdir()) == ["乙单位.docx", "甲单位.docx"]
    assert sorted(p.name for p in written) == ["乙单位.docx", "甲单位.docx"]
    assert (out / "督办通知" / "乙单位.docx").read_bytes() == _package()
