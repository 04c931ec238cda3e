"""Safe file handling: outputs replaced atomically, one run per workspace at a time."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from reportgen.errors import BusyError

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
