"""A unit's upload: kept as a new version, checked with the batch's own reader, and when
accepted put into `input/submissions/<period>/` exactly as if the office had saved it there.

Every file is first written beside its final place under a temporary name, flushed to disk
and then renamed, so a server killed mid-upload leaves either the whole file or nothing.
The name the browser sends is only shown to people; files are stored under names made here.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import uuid
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO

from reportgen.checking import check_file, recount_unit
from reportgen.errors import ReportgenError
from reportgen.fsutil import TEMP_PREFIX, atomic_path, safe_filename
from reportgen.ingest import FileRead
from reportgen.intake import Action, Decision
from reportgen.ledger import Ledger
from reportgen.model import Plan, Severity
from reportgen.plan.workbook import load_plan
from reportgen.received import plan_for_check
from reportgen.safety import SPREADSHEET_SUFFIXES
from reportgen.web.store import Upload, WebStore
from reportgen.workspace import Workspace

UPLOADS_DIRNAME = "uploads"  # history/uploads/<period>/: every version received
PLACED_SUFFIX = "（网上报送）"  # input/submissions/<period>/<unit>（网上报送）.xlsx
_CHUNK = 1 << 16
_UNSAFE_NAME = re.compile(r"[\\/\x00-\x1f]|^\.\.?$")  # a path, a control character, . or ..


class UploadRefused(ReportgenError):
    """The upload was not taken in at all (nothing stored, no version made)."""


class UploadTooLarge(UploadRefused):
    """The upload is larger than check.max_file_mb."""


def limit_bytes(ws: Workspace) -> int:
    """Return the largest upload taken, in bytes (the batch's own file size limit)."""
    return int(ws.config.check.max_file_mb * 1024 * 1024)


def too_large_message(ws: Workspace) -> str:
    """Return the Chinese message for an upload over the size limit."""
    return (f"文件超过上限 {ws.config.check.max_file_mb:g}MB，未接收。报送表一般不足 1MB，"
            "请删除图片或多余内容后重新上传")


def stored_suffix(name: str) -> str:
    """Return the suffix a file is stored with: the sent name's, when it is a spreadsheet's."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix if suffix in SPREADSHEET_SUFFIXES else ".bin"


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_durably(target: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write `target` through a temporary file in its folder: written, fsynced, then renamed."""
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        write(out)
        out.flush()
        os.fsync(out.fileno())
    _fsync_dir(target.parent)


def _copy_limited(stream: IO[bytes], out: IO[bytes], limit: int, message: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(message)
        digest.update(chunk)
        out.write(chunk)
    return size, digest.hexdigest()


class _PlanCache:
    """The master workbook read once, read again only when the file changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, int, int] | None = None
        self._plan: Plan | None = None

    def get(self, ws: Workspace) -> Plan:
        path = ws.master_workbook()
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._plan is None or key != self._key:
                self._plan = load_plan(path, ws.config)
                self._key = key
            return self._plan


_PLANS = _PlanCache()
_UNIT_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _unit_lock(period: str, unit: str) -> threading.Lock:
    """Return the lock that keeps one unit's uploads for a period in order."""
    with _LOCKS_LOCK:
        return _UNIT_LOCKS.setdefault((period, unit), threading.Lock())


def verdict(read: FileRead, unit: str) -> str:
    """Return why a checked file is not taken as `unit`'s form (empty when it is)."""
    sub = read.submission
    errors = sum(i.severity is Severity.ERROR for i in read.issues)
    if sub is None:
        return "这个文件未能作为报送表读取，未采用，请看下面的问题说明"
    if sub.unit != unit:
        return f"这是“{sub.unit}”的报送表，不是本单位（{unit}）的，未采用。请上传本单位的报送表"
    if not read.used:
        return "这份报送表不能作为本月的报送表采用，请看下面的问题说明"
    if errors:
        return f"发现 {errors} 处错误，未采用。请按下面的说明逐格修改后重新上传"
    return ""


def receive(ws: Workspace, period: str, unit: str, stream: IO[bytes], sent_name: str) -> Upload:
    """Keep, check and (when clean) place a unit's uploaded file; return what was recorded."""
    if _UNSAFE_NAME.search(sent_name) or sent_name.strip(". ") == "":
        raise UploadRefused(f"文件名含有路径或特殊字符（{sent_name[:80]!r}），未接收。"
                            "请把报送表另存为普通文件名后再上传")
    suffix = stored_suffix(sent_name)
    stored = ws.history_dir / UPLOADS_DIRNAME / period / f"{uuid.uuid4().hex}{suffix}"
    shown = sent_name[:120]
    outcome: list[tuple[int, str]] = []
    save_durably(stored, lambda out: outcome.append(
        _copy_limited(stream, out, limit_bytes(ws), too_large_message(ws))))
    size, sha256 = outcome[0]
    read = check_file(ws, _plan_for(ws, period), period, stored, shown)
    reason = verdict(read, unit)
    with _unit_lock(period, unit):
        with WebStore(ws.ledger_path) as store:
            placed = "" if reason else _accept(ws, period, store, unit, stored, sha256)
            upload = store.add_upload(period, unit, shown, stored.relative_to(ws.root).as_posix(), size, sha256,
                                      placed, reason, read.issues)
        if placed:  # judged with the other units' files as `check` judges it: status states its counts unmarked
            recount_unit(ws, period, unit)
        return upload


def _plan_for(ws: Workspace, period: str) -> Plan:
    """Return the plan `check` judges `period`'s files by (received.plan_for_check): a period
    already run keeps the plan it was run with."""
    current = _PLANS.get(ws)
    if not ws.ledger_path.exists():
        return current
    with Ledger(ws.ledger_path) as ledger:
        return plan_for_check(period, current, ledger)


def _accept(ws: Workspace, period: str, store: WebStore, unit: str, stored: Path, sha256: str) -> str:
    """Place an accepted version in the submissions folder and record that it counts; return its name there."""
    placed = safe_filename(unit) + PLACED_SUFFIX + stored.suffix
    _place(ws, period, store, unit, stored, placed)
    # the office's submissions control: this version is the one that counts for the unit
    version = len(store.uploads(period, unit)) + 1
    store.decide(Decision(period, Action.ACCEPT, unit, sha256, placed, f"网上报送第 {version} 版，校验通过"))
    return placed


def _place(ws: Workspace, period: str, store: WebStore, unit: str, stored: Path, placed: str) -> None:
    """Put an accepted version into the submissions folder, replacing the unit's earlier upload."""
    folder = ws.submissions_dir(period)
    folder.mkdir(parents=True, exist_ok=True)
    data = stored.read_bytes()
    save_durably(folder / placed, lambda out: out.write(data))
    for old in store.uploads(period, unit):
        # an earlier accepted upload with another suffix (.xls, then .xlsx) would count twice
        if old.placed_as and old.placed_as != placed and (folder / old.placed_as).is_file():
            (folder / old.placed_as).unlink()
    _fsync_dir(folder)


def sweep_leftovers(ws: Workspace) -> list[Path]:
    """Remove the half-written temporary files a killed server left; return what was removed.

    Only the pages write into input/submissions/ and history/uploads/, so at start-up any
    temporary file there is an upload that never finished (the batch never reads them).
    """
    removed = []
    for root in (ws.root / "input" / "submissions", ws.history_dir / UPLOADS_DIRNAME):
        for leftover in sorted(root.glob(f"*/{TEMP_PREFIX}*")) if root.is_dir() else []:
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed
