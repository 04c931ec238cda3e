"""A folder of returned files → one submission per unit (the newest file wins) and every problem.

Large batches are read by a few processes when cores stand idle: this process and forked children
(each with the `Reader` it inherited) take the next file from a shared counter as they come free;
a child sends back its readings as the plain data the kept readings store (reportgen.ingest.kept).
"""

from __future__ import annotations

import datetime as dt
import os
import typing
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.config import Config
from reportgen.errors import WorkspaceError
from reportgen.fsutil import list_files
from reportgen.ingest.index import PlanIndex
from reportgen.ingest.kept import Kept, context, decoder, encoder
from reportgen.ingest.reader import Reader
from reportgen.intake import REJECTING
from reportgen.model import FileRead, Issue, Plan, Severity, Submission
from reportgen.parallel import Background

# A second process pays off in wall time for a batch this large (files, and bytes read in all).
# Measured on a 3,000-node city (70 forms, 1.7 MB): this process's CPU 1.43-1.60 s alone,
# 1.09-1.16 s with a child reading beside it (0.33-0.53 s); on 13 forms it neither gains nor
# loses. The two together cost more CPU than one (12,000 nodes: 3.66 s against 3.20 s; the two
# contend for cache and memory), for 0.78x the wall time.
POOL_MIN_FILES = 16
POOL_MIN_BYTES = 256 * 1024


@dataclass
class IngestResult:
    """A period's batch: one submission per unit that reported, and every problem found."""

    submissions: list[Submission] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)
    files: list[FileRead] = field(default_factory=list)  # every file looked at, in name order
    expected_units: list[str] = field(default_factory=list)

    def received(self) -> list[Path]:
        """Return the files that were read (to archive): never a link that was not followed."""
        return [f.path for f in self.files if f.followed]


def pool_workers() -> int:
    """Return how many processes to read with: more than one only when cores stand idle (max 4).

    On a busy machine a second process queues behind other work and adds the pickling of
    results (measured on 2 cores: 1.65-2x the single-process time when other work kept the
    cores busy, 0.7x when idle). Idle means: no other thread runnable right now (Linux's
    /proc/loadavg) and a 1-minute load that leaves a core free beyond this process's own.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
        with open("/proc/loadavg", encoding="ascii") as fh:
            others = int(fh.read().split()[3].split("/")[0]) - 1  # this process is runnable
    except (OSError, AttributeError, ValueError, IndexError):  # not Linux: stay with one
        return 1
    if others > 0 or load > cores - 0.5:
        return 1
    return max(1, min(4, cores))


def read_all(
    files: list[tuple[Path, str, int]], reader: Reader | Callable[[], Reader], period: str,
    previous: Mapping[str, float], kept: Kept | None = None, meanwhile: Callable[[], object] | None = None,
) -> list[FileRead]:
    """Return every file read, in the order given; in a few processes when the batch is large.
    Readings `kept` of files unchanged since are taken back, the others kept for next time
    (`reader` may be a function making the reader: called only when a file must be read).
    `meanwhile` is called once, while forked children read if any do."""
    taken = {n: got for p, n, _size in files if kept and (got := kept.take(p, n)) is not None}
    fresh = [f for f in files if f[1] not in taken]
    encoded: dict[int, list[Any]] = {}
    read = _read_fresh(fresh, reader, period, previous, encoded, meanwhile) if fresh else []
    if not fresh and meanwhile is not None:
        meanwhile()
    new = iter(read)
    out = [taken[n] if n in taken else next(new) for _p, n, _size in files]
    if kept is not None:
        kept.keep(out, encoded)
    return out


def _read_fresh(files: list[tuple[Path, str, int]], reader: Reader | Callable[[], Reader], period: str,
                previous: Mapping[str, float], encoded: dict[int, list[Any]],
                meanwhile: Callable[[], object] | None = None) -> list[FileRead]:
    """Return `files` read, in order; of those a child read, `encoded` gets the plain data it
    sent (by id of the reading), which the kept readings take as they are."""
    reader = reader if isinstance(reader, Reader) else reader()
    total = sum(size for _p, _n, size in files)
    workers = pool_workers() if len(files) >= POOL_MIN_FILES and total >= POOL_MIN_BYTES else 1
    args = [(p, n, period, previous) for p, n, _size in files]
    following = _counter() if workers > 1 else None
    if following is None:
        if meanwhile is not None:
            meanwhile()
        return [reader.read(*a) for a in args]
    # whoever is free reads the next file: the children while this process does `meanwhile`,
    # then all of them, so that no process waits for a larger share
    out: list[FileRead] = [None] * len(args)  # type: ignore[list-item]
    with ExitStack() as children:  # a failure here stops the children still reading
        started = [children.enter_context(Background(_read_share, reader, args, following, fork=True))
                   for _ in range(workers - 1)]
        if meanwhile is not None:
            meanwhile()
        while (i := _next_file(following)) < len(args):
            out[i] = reader.read(*args[i])
        decode = decoder(FileRead)
        for child in started:
            for i, plain in child.result():
                out[i] = typing.cast(FileRead, decode(plain))
                encoded[id(out[i])] = plain
    return out


def _counter() -> Any:
    """Return a counter shared with forked children, or None where the system gives none (no
    POSIX semaphores, as in some containers): the batch is then read by this process alone."""
    import multiprocessing  # a tenth of a check's start-up: loaded only to read in several processes

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        return multiprocessing.get_context("fork").Value("i", 0)
    except (ImportError, OSError):
        return None


def _next_file(following: Any) -> int:
    """Return the index of the next file to read (shared by the processes reading a batch)."""
    with following.get_lock():
        i: int = following.value
        following.value = i + 1
    return i


def _read_share(reader: Reader, args: list[tuple[Path, str, str, Mapping[str, float]]],
                following: Any) -> list[tuple[int, list[Any]]]:
    """Read the next file not yet taken until none is left; return (index, reading as plain data)
    of each (in a forked child: a list of plain values is sent back several times faster than
    the dataclasses, and the kept readings store it as it is)."""
    encode = encoder(FileRead)
    read = []
    while (i := _next_file(following)) < len(args):
        read.append((i, encode(reader.read(*args[i]))))
    return read


def read_files(files: list[tuple[Path, str, int]], plan: Plan, config: Config, period: str,
               previous: Mapping[str, float]) -> list[FileRead]:
    """Return `files` read against `plan`, in the order given (see `read_all`)."""
    return read_all(files, Reader(PlanIndex.build(plan, config)), period, previous)


def read_submissions(
    folder: Path,
    plan: Plan,
    config: Config,
    period: str,
    previous: dict[str, float] | None = None,
    choose: Chooser | None = None,
    kept: Path | None = None,
    stamp: Any = None,
    meanwhile: Callable[[], object] | None = None,
) -> IngestResult:
    """Return every unit's submission in `folder` (one file per unit) and every problem found.

    `choose` picks the file that counts for each unit and marks the others (reportgen.intake
    decides from the ledger); without it the newer file by 填报日期, then modification time, wins.
    Readings are `kept` in that file for the next reading of the folder (reportgen.ingest.kept),
    with the caller's `stamp` of the inputs (reportgen.received). `meanwhile` (the caller's next
    step, when it needs nothing read) is called once, while other processes read if any do.
    """
    if not folder.is_dir():
        raise WorkspaceError(f"报送文件夹不存在：{folder}（应将各单位报回的表格放在此处）")
    listing = list_files(folder)
    previous = previous or {}
    keeping = Kept(kept, context(plan, config, period, previous), stamp) if kept is not None else None
    indexes: list[PlanIndex] = []  # built when a file must be read, or the units are not kept

    def index() -> PlanIndex:
        if not indexes:
            indexes.append(PlanIndex.build(plan, config))
        return indexes[0]

    files = sorted(read_all(listing.files, lambda: Reader(index()), period, previous, keeping, meanwhile)
                   + listing.skipped,
                   key=lambda f: f.name)
    chosen = (choose or _choose)(files)  # marks the files not taken
    # rules.reporting_units, worked out once with the index (and kept with the readings)
    expected = keeping.units if keeping and keeping.units is not None and not indexes else list(index().units)
    if keeping is not None:
        keeping.save(expected)
    result = IngestResult(files=files, expected_units=expected)
    result.submissions = [chosen[u].submission for u in expected if u in chosen]  # type: ignore[misc]
    result.submissions += [f.submission for u, f in chosen.items() if u not in expected and f.submission]
    result.missing_units = [u for u in expected if u not in chosen]
    result.issues = [
        i for f in files for i in f.issues
        if f.used or f.submission is None or i.code in ("superseded", "withdrawn", *REJECTING)
    ]
    return result


def _newest_first(f: FileRead) -> tuple[dt.date, dt.datetime, str]:
    s = f.submission
    assert s is not None
    return (s.content_date or dt.date.min, s.received or dt.datetime.min, f.name)


# Picks the file that counts per unit from every file read, marking the others unused.
Chooser = Callable[[list[FileRead]], dict[str, FileRead]]


def _choose(files: Iterable[FileRead]) -> dict[str, FileRead]:
    """Return the file taken for each unit: the newer by 填报日期, then by modification time."""
    by_unit: dict[str, list[FileRead]] = {}
    for f in files:
        if f.used and f.submission is not None:
            by_unit.setdefault(f.submission.unit, []).append(f)
    chosen: dict[str, FileRead] = {}
    for unit, group in by_unit.items():
        group.sort(key=_newest_first, reverse=True)
        winner = group[0]
        chosen[unit] = winner
        for other in group[1:]:
            other.used = False
            # the file keeps its own findings; the batch reports only that it was not taken
            other.issues.append(
                Issue(
                    Severity.INFO, f"“{unit}”报送了多份文件，已采用较新的“{winner.name}”，本文件未采用"
                    "（按填报日期、其次按文件修改时间判断）",
                    "superseded", other.name, unit=unit,
                )
            )
    return chosen
