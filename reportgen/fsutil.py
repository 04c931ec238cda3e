"""Safe file handling: outputs replaced atomically, one run per workspace at a time, and which
files of a folder are read (links followed only inside it)."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from reportgen.errors import BusyError, WorkspaceError
from reportgen.model import FileRead, Issue, Severity

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, default: str = "未命名") -> str:
    """Return `name` made safe as a file name on Windows and Linux (no extension added)."""
    s = _UNSAFE.sub("_", name).strip().rstrip(". ")
    if not s or set(s) <= {"_", "."}:
        s = default
    if s.split(".")[0].upper() in _RESERVED:
        s = "_" + s
    # 80 characters leaves room for the folder in Windows' 260-character path limit
    return s[:80]


TEMP_PREFIX = ".~tmp-"  # a file being written; hidden, so no reader of a folder takes it


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds.

    A run killed half-way leaves the previous file in place, never a truncated one.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file owner-only; give it the permissions a plain save would
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    """Write `data` to `target` atomically and return `target`."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def write_text_atomic(target: Path, text: str) -> Path:
    """Write UTF-8 `text` to `target` atomically and return `target`."""
    return write_bytes_atomic(target, text.encode("utf-8"))


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def workspace_lock(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` for the block (BusyError when another run holds it).

    The operating system releases the lock when the process dies, so a killed run never
    leaves a stale lock behind.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_file, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip()
            raise BusyError(
                "该工作区正有另一个 reportgen 在运行"
                + (f"（{holder}）" if holder else "")
                + "，请等其结束后再试"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"进程 {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) until the block ends, then raise KeyboardInterrupt.

    Used while a run's files are moved into place: stopped half-way, the output folder would
    mix this run's files with the last one's.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def printable_name(name: str) -> str:
    """Return a file name as people should see it: a name that was not UTF-8 on disk (a zip made on
    Chinese Windows and unpacked here) decoded as GBK, else with its undecodable bytes replaced."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


# Files no one submitted: office lock files and system clutter.
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


@dataclass
class Listing:
    """The files of a batch folder: those to read (path, name shown, size), and those skipped with why."""

    files: list[tuple[Path, str, int]] = field(default_factory=list)
    skipped: list[FileRead] = field(default_factory=list)

    def skip(self, path: Path, name: str, message: str) -> None:
        """Record a file that is named in the report but not read."""
        issue = Issue(Severity.ERROR, message, "not_followed", name)
        self.skipped.append(FileRead(path, name, issues=[issue], followed=False))


def list_files(folder: Path) -> Listing:
    """Return every file to read in `folder`, in name order, and the entries not followed.

    Links are followed only to files inside the folder; a link leading out of it, a loop or a
    dangling link is named and not read. A name that is not UTF-8 is shown decoded (GBK first).
    """
    out = Listing()
    root = os.path.realpath(folder)

    def walk(directory: str, prefix: str) -> None:
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:  # a sub-folder without read permission, or gone meanwhile
            if not prefix:
                raise WorkspaceError(f"报送文件夹无法打开：{folder}（{exc.strerror or exc}）") from exc
            out.skip(Path(directory), prefix.rstrip("/"), f"文件夹无法打开（{exc.strerror or exc}），其中的文件未读取")
            return
        for e in entries:
            if e.name.startswith(("~$", ".~lock", ".", "__MACOSX")) or e.name.lower() in _IGNORED_NAMES:
                continue
            name = prefix + printable_name(e.name)
            if e.is_symlink():
                _linked(e, name, root, out)
            elif e.is_dir(follow_symlinks=False):
                walk(e.path, f"{name}/")
            elif e.is_file(follow_symlinks=False):
                try:
                    out.files.append((Path(e.path), name, e.stat(follow_symlinks=False).st_size))
                except OSError:  # gone between listing and looking: the reader names it
                    out.files.append((Path(e.path), name, 0))

    walk(str(folder), "")
    return out


def _linked(e: os.DirEntry[str], name: str, root: str, out: Listing) -> None:
    """Take a link to a file inside the folder; name any other link and leave it."""
    try:
        target = os.path.realpath(e.path, strict=True)
        is_file = os.path.isfile(target)
    except OSError as exc:  # a loop, or a link to nothing
        why = "链接指向自身（循环链接）" if exc.errno == errno.ELOOP else "链接指向的文件不存在"
        out.skip(Path(e.path), name, f"这是一个快捷方式（符号链接），{why}，未读取；请放入报送表文件本身")
        return
    if os.path.commonpath([root, target]) != root:
        out.skip(Path(e.path), name, "这是一个指向报送文件夹以外的快捷方式（符号链接），出于安全考虑未读取、未归档；"
                 "请把报送表文件本身放入报送文件夹")
    elif not is_file:
        out.skip(Path(e.path), name, "这是一个指向文件夹的快捷方式（符号链接），未读取；"
                 "请把报送表文件本身放入报送文件夹")
    else:
        out.files.append((Path(e.path), name, os.stat(target).st_size))
