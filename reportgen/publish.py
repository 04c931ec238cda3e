"""Putting a run's staged outputs in place: all of them or none.

Every staged Word/Excel file is checked to be a whole zip package (its central directory at the
end, each part's local header and data inside the file before it) and every JSON to parse before
anything is replaced. Files are then moved in one by one; the previous version of each is
kept (as a hard link, which costs no space) until the last one is in, so a fault half-way
(disk full, read-only folder) puts every previous output back byte for byte.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import struct
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportgen.errors import ReportgenError, WorkspaceError

# Windows refuses to replace or delete a file open in Word/Excel/WPS (PermissionError); elsewhere that
# error means a folder without write permission, which is a fault of the whole output folder.
OPEN_FILES_BLOCK = sys.platform == "win32"

_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
_UNCHANGED = "上次生成的文件均保持不变"


def is_write_fault(exc: BaseException) -> bool:
    """Return True for a fault of the machine (disk full, read-only), not of the data or the code."""
    if isinstance(exc, OSError):
        return exc.errno in _DISK_FULL or exc.errno in _NOT_WRITABLE
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


def fault_error(exc: BaseException, where: Path) -> ReportgenError:
    """Return the Chinese message for a write fault met while writing under `where`."""
    if isinstance(exc, sqlite3.OperationalError) or getattr(exc, "errno", None) in _DISK_FULL:
        return WorkspaceError(f"磁盘空间不足，本次运行未能完成，{_UNCHANGED}；请清理磁盘（{where}）后重新运行")
    target = getattr(exc, "filename", None) or where
    return WorkspaceError(
        f"输出文件夹不可写（只读或没有写入权限）：{target}，本次运行未能完成，{_UNCHANGED}；"
        "请检查文件夹权限后重新运行"
    )


def verify_staged(staging: Path) -> None:
    """Raise WorkspaceError naming the first staged file that does not open."""
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        try:
            if suffix in (".docx", ".xlsx", ".xlsm"):
                check_zip(path)
            elif suffix == ".json":
                json.loads(path.read_bytes())
        except (OSError, zipfile.BadZipFile, ValueError) as exc:
            rel = path.relative_to(staging).as_posix()
            raise WorkspaceError(
                f"生成的文件“{rel}”不完整，无法打开（可能磁盘空间不足），{_UNCHANGED}；"
                "请清理磁盘后重新运行"
            ) from exc


_LOCAL_HEADER = struct.Struct("<4s22x2H")  # signature, …, file name length, extra field length
_LOCAL_SIGNATURE = b"PK\x03\x04"


def check_zip(path: Path) -> None:
    """Raise zipfile.BadZipFile unless `path` is a whole zip package.

    A file cut short (a full disk) loses the central directory at its end; a part whose local
    header is not where the directory says, or whose data runs into the directory, is broken.
    The parts are not decompressed: they were compressed from bytes in memory by zipfile, and
    reading them back would read the same page cache (the old `testzip` cost a second a run).
    """
    with zipfile.ZipFile(path) as zf:
        assert zf.fp is not None  # an open archive
        end = zf.start_dir
        for info in zf.infolist():
            if info.header_offset < 0:  # bytes missing before the directory (zipfile shifts by them)
                raise zipfile.BadZipFile(f"{info.filename}: 数据不完整")
            zf.fp.seek(info.header_offset)
            head = zf.fp.read(_LOCAL_HEADER.size)
            if len(head) != _LOCAL_HEADER.size:
                raise zipfile.BadZipFile(f"{info.filename}: 本地文件头不完整")
            signature, name_len, extra_len = _LOCAL_HEADER.unpack(head)
            stop = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len + info.compress_size
            if signature != _LOCAL_SIGNATURE or stop > end:
                raise zipfile.BadZipFile(f"{info.filename}: 数据不完整")


def publish(staging: Path, out_dir: Path, managed: tuple[str, ...]) -> list[Path]:
    """Move every file from `staging` into `out_dir`; return the files put in place.

    Files left in the managed sub-folders by an earlier run of the period (a notice to a
    unit that has since caught up) are removed, so the folder shows this run only. On a write
    fault every previous file is put back and the fault raised.
    """
    verify_staged(staging)
    fresh = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    written = set(fresh)
    stale = [
        old for sub in managed if (out_dir / sub).is_dir()
        for old in sorted((out_dir / sub).rglob("*")) if old.is_file() and old.relative_to(out_dir) not in written
    ]
    keep = staging.with_name(staging.name + "-previous")
    shutil.rmtree(keep, ignore_errors=True)
    done: list[tuple[Path, Path | None]] = []  # (target, its previous version kept aside)
    blocked: list[str] = []  # Windows: a file open in Word, Excel or WPS cannot be replaced
    try:
        for rel in fresh:
            target = out_dir / rel
            saved = _keep(target, keep / rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _move(staging / rel, target, blocked, rel.as_posix()):
                continue
            done.append((target, saved))
        for old in stale:
            saved = _keep(old, keep / old.relative_to(out_dir))
            if _remove(old, blocked, old.relative_to(out_dir).as_posix()):
                done.append((old, saved))
    except OSError:
        _roll_back(done)
        raise
    finally:
        shutil.rmtree(keep, ignore_errors=True)
    if blocked:
        raise WorkspaceError(
            f"以下文件可能正在 Word、Excel 或 WPS 中打开，未能更新（其余文件已更新）：{'、'.join(blocked)}。"
            "请关闭这些文件后重新运行"
        )
    return [target for target, _saved in done if target.exists()]


def _keep(target: Path, aside: Path) -> Path | None:
    """Keep the current version of `target` aside (a hard link when possible); None if it has none."""
    if not target.is_file():
        return None
    aside.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(target, aside)
    except OSError:  # no hard links here (FAT, some network shares): a copy
        shutil.copy2(target, aside)
    return aside


def _move(source: Path, target: Path, blocked: list[str], shown: str) -> bool:
    try:
        os.replace(source, target)
    except PermissionError:
        if not OPEN_FILES_BLOCK:
            raise  # a folder without write permission, not a file open in another program
        blocked.append(shown)
        return False
    return True


def _remove(path: Path, blocked: list[str], shown: str) -> bool:
    try:
        path.unlink()
    except PermissionError:
        if not OPEN_FILES_BLOCK:
            raise
        blocked.append(shown)
        return False
    return True


def _roll_back(done: list[tuple[Path, Path | None]]) -> None:
    """Put back the previous version of every file already replaced or removed."""
    for target, saved in reversed(done):
        try:
            if saved is not None:
                os.replace(saved, target)
            elif target.exists():
                target.unlink()
        except OSError:
            continue  # the next ones may still come back


@contextmanager
def write_faults(where: Path) -> Iterator[None]:
    """Turn a disk-full or read-only fault met in the block into a clear Chinese error."""
    try:
        yield
    except ReportgenError:
        raise
    except Exception as exc:
        if is_write_fault(exc):
            raise fault_error(exc, where) from exc
        raise
