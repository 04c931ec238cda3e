"""Old and other word-processor formats (.doc, .wps, .rtf, .odt) → .docx, by LibreOffice.

Most public task-breakdown attachments are .doc or .wps. LibreOffice converts them headless;
each conversion gets its own profile directory (two LibreOffice processes sharing a profile
fail or wait on each other) and a time limit, and runs in a temporary folder so the user's
file is only read.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportgen.errors import PlanError
from reportgen.soffice import run_soffice

CONVERTED_SUFFIXES = (".doc", ".wps", ".rtf", ".odt")
# Kingsoft WPS writes .wps in Word's binary format; LibreOffice picks its filter by suffix
_STAGED_SUFFIX = {".wps": ".doc"}


def _soffice(path: Path) -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise PlanError(
        f"{path.name} 是 {path.suffix.lower()} 格式，读取它需要 LibreOffice，但本机未安装。"
        "请安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer）后重试，"
        "或在 Word/WPS 中将其另存为 .docx 后再导入"
    )


@contextmanager
def as_docx(path: Path, timeout: float = 120) -> Iterator[Path]:
    """Yield a .docx copy of the document at `path`, converted by LibreOffice in a temporary
    folder that is removed afterwards (PlanError when LibreOffice is absent, fails or times out)."""
    soffice = _soffice(path)
    with tempfile.TemporaryDirectory(prefix="reportgen-doc-") as tmp:
        work = Path(tmp)
        suffix = path.suffix.lower()
        staged = work / "in" / f"{path.stem}{_STAGED_SUFFIX.get(suffix, suffix)}"
        staged.parent.mkdir()
        shutil.copyfile(path, staged)
        out = work / "out"
        done = run_soffice(soffice, work / "profile", "docx:MS Word 2007 XML", out, [str(staged)], timeout)
        if done is None:
            raise PlanError(f"LibreOffice 转换 {path.name} 超时（{timeout:.0f} 秒），"
                            "请在 Word/WPS 中将其另存为 .docx 后再导入")
        returncode, err = done
        result = out / f"{path.stem}.docx"
        if returncode != 0 or not result.is_file():
            detail = err.strip()[:200]
            raise PlanError(f"LibreOffice 无法读取 {path.name}（{detail or '未生成 .docx'}），"
                            "文件可能已损坏或不是 Word 文档；请在 Word/WPS 中打开并另存为 .docx 后再导入")
        yield result
