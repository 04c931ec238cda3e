"""PDF export with LibreOffice headless, and merging PDFs into one print packet.

Each LibreOffice process gets its own profile directory: processes sharing one profile fail or
wait on each other. Files are converted in up to two parallel processes (one per core on the
2-core machines this runs on), each converting a batch of files in one start-up, since starting
LibreOffice costs more than converting a notice.

Chinese 公文 fonts (仿宋_GB2312, 方正小标宋简体, 黑体 …) are not installed on Linux; LibreOffice then
sets everything in a sans face. A private fontconfig file (FONTCONFIG_FILE) includes the system
configuration and maps them to Noto Serif CJK SC / Noto Sans CJK SC (DESIGN §9).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.fsutil import atomic_path
from reportgen.soffice import run_soffice

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
# font name in documents -> installed family that stands in for it
FONT_ALIASES: dict[str, str] = {
    "仿宋_GB2312": SERIF,
    "仿宋": SERIF,
    "FangSong": SERIF,
    "FangSong_GB2312": SERIF,
    "宋体": SERIF,
    "SimSun": SERIF,
    "方正小标宋简体": SERIF,
    "方正小标宋_GBK": SERIF,
    "小标宋": SERIF,
    "楷体_GB2312": SERIF,
    "楷体": SERIF,
    "KaiTi": SERIF,
    "KaiTi_GB2312": SERIF,
    "黑体": SANS,
    "SimHei": SANS,
    "微软雅黑": SANS,
    "Microsoft YaHei": SANS,
}


class PdfError(ReportgenError):
    """LibreOffice is missing, timed out or did not produce a PDF."""


def find_soffice() -> str:
    """Return the LibreOffice executable (PdfError with install advice when absent)."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "未安装 LibreOffice，无法转换 PDF。请安装后重试（Debian/Ubuntu：apt-get install "
        "libreoffice-writer libreoffice-calc fonts-noto-cjk），或去掉 --pdf 只生成 Word/Excel 文件"
    )


def fontconfig_file(folder: Path, extra: dict[str, str] | None = None) -> Path:
    """Write a fontconfig file mapping the 公文 font names to installed CJK faces; return it."""
    aliases = {**FONT_ALIASES, **(extra or {})}
    rules = "\n".join(
        f'  <alias binding="same"><family>{escape(name, quote=False)}</family>'
        f"<prefer><family>{escape(face, quote=False)}</family></prefer></alias>"
        for name, face in aliases.items()
    )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"{rules}\n</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def _batches(items: list[tuple[Path, str]], n: int) -> list[list[tuple[Path, str]]]:
    groups: list[list[tuple[Path, str]]] = [[] for _ in range(n)]
    for i, item in enumerate(items):
        groups[i % n].append(item)
    return [g for g in groups if g]


def _target_names(paths: Sequence[Path]) -> list[str]:
    """PDF stems: a file below the inputs' common folder is prefixed by its own folder's name
    (督办通知/甲.docx → 督办通知-甲), so notices of different kinds to one unit stay apart."""
    parents = [p.resolve().parent for p in paths]
    common = Path(os.path.commonpath(parents))
    out = [p.stem if parent == common else f"{parent.name}-{p.stem}"
           for p, parent in zip(paths, parents, strict=True)]
    seen: dict[str, int] = {}
    for i, name in enumerate(out):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            out[i] = f"{name}_{seen[name]}"
    return out


def _convert_batch(soffice: str, batch: list[tuple[Path, str]], work: Path, index: int,
                   env: dict[str, str], timeout: float) -> None:
    """Run one LibreOffice process over a batch of staged files."""
    stage = work / f"in{index}"
    outdir = work / f"out{index}"
    profile = work / f"profile{index}"
    stage.mkdir()
    outdir.mkdir()
    files = []
    for src, stem in batch:
        link = stage / f"{stem}{src.suffix.lower()}"
        shutil.copyfile(src, link)
        files.append(str(link))
    done = run_soffice(soffice, profile, "pdf", outdir, files, timeout, env)
    if done is None:
        names = "、".join(src.name for src, _ in batch)
        raise PdfError(f"LibreOffice 转换超时（{timeout:.0f} 秒）：{names}")
    returncode, err = done
    if returncode != 0:
        raise PdfError(f"LibreOffice 转换失败（退出码 {returncode}）：{err[:300]}")


PER_EXTRA_FILE = 10.0  # seconds more a process gets for each further file in its batch


def convert_to_pdf(paths: Sequence[Path], out_dir: Path, timeout: float = 120,
                   workers: int = 2) -> list[Path]:
    """Convert Word/Excel files to PDF in out_dir; return the PDFs in the order given.

    `timeout` is for a process converting one file; a process given n files may take
    timeout + 10 s × (n − 1), so a city's few hundred notices are not cut off.
    """
    if not paths:
        return []
    soffice = find_soffice()
    for p in paths:
        if not p.is_file():
            raise PdfError(f"要转换的文件不存在：{p}")
    out_dir.mkdir(parents=True, exist_ok=True)
    stems = _target_names(paths)
    items = list(zip(paths, stems, strict=True))
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(work))}
        n = max(1, min(workers, os.cpu_count() or 1, len(items)))
        batches = _batches(items, n)
        with ThreadPoolExecutor(max_workers=n) as pool:
            futures = [pool.submit(_convert_batch, soffice, b, work, i, env,
                                   timeout + PER_EXTRA_FILE * (len(b) - 1))
                       for i, b in enumerate(batches)]
            for f in futures:
                f.result()
        results: list[Path] = []
        missing: list[str] = []
        produced = {p.name: p for i in range(len(batches)) for p in (work / f"out{i}").glob("*.pdf")}
        for src, stem in items:
            made = produced.get(f"{stem}.pdf")
            if made is None:
                missing.append(src.name)
                continue
            target = out_dir / f"{stem}.pdf"
            with atomic_path(target) as part:  # the temporary folder may be on another disk
                shutil.move(str(made), part)
            results.append(target)
    if missing:
        raise PdfError(f"LibreOffice 未能转换以下文件（文件可能已损坏或被占用）：{'、'.join(missing)}")
    return results


def convert_onto(pairs: Sequence[tuple[Path, Path]], timeout: float = 120) -> None:
    """Convert each (document, PDF) pair's document again, replacing that PDF."""
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-again-") as tmp:
        made = convert_to_pdf([doc for doc, _ in pairs], Path(tmp), timeout)
        for new, (_, target) in zip(made, pairs, strict=True):
            with atomic_path(target) as part:
                shutil.move(str(new), part)


def merge_pdfs(paths: Sequence[Path], out: Path) -> Path:
    """Join PDFs in the order given into `out` and return it."""
    from pypdf import PdfWriter
    from pypdf.errors import PyPdfError

    if not paths:
        raise PdfError("没有可合并的 PDF 文件")
    writer = PdfWriter()
    try:
        for p in paths:
            writer.append(str(p))
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(out) as part, part.open("wb") as fh:
            writer.write(fh)
    except (OSError, PyPdfError) as exc:
        raise PdfError(f"合并 PDF 失败：{exc}") from exc
    finally:
        writer.close()
    return out
