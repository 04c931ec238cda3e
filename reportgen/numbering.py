"""发文字号 of the notices to units: which series a kind uses, what was published, what to give.

Each notice kind (督办通知, 提醒函, 催报通知) is numbered in the series of its configured prefix
(`[notices]` in reportgen.toml) and year. The ledger keeps every number given (never reused,
stable when a period is run again). Published documents are scanned too, so a workspace whose
history/ was deleted does not give a number that is already on paper this year; what a document
was found to hold is kept beside the ledger (by its size and modification time), so the months
already published are not opened again on every run.
"""

from __future__ import annotations

import contextlib
import json
import re
import zipfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from reportgen.cn import doc_no_pattern
from reportgen.config import Config
from reportgen.fsutil import safe_filename, write_text_atomic
from reportgen.ledger import Ledger

NOTICE_KINDS = ("督办通知", "提醒函", "催报通知")
BULLETIN_NAME = "进度通报.docx"
SCAN_NAME = "published-numbers.json"  # beside the ledger: what each published notice holds

_TAG = re.compile(r"<[^>]+>")


def doc_no(prefix: str, year: int, number: int) -> str:
    """Return a 发文字号 as printed: no 第, no zero padding (同经开督字〔2024〕3号)."""
    return f"{prefix}〔{year}〕{number}号"


def number_in(path: Path, prefix: str, year: int) -> int | None:
    """Return the number of the first 发文字号 of the series in a Word document, or None."""
    return _numbers_in(path, (prefix,), year).get(prefix)


def _numbers_in(path: Path, prefixes: Collection[str], year: int) -> dict[str, int]:
    """Return prefix -> the number of the first 发文字号 of that series in a Word document."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("word/document.xml").decode("utf-8", errors="replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return {}
    text = _TAG.sub("", xml)
    found = {p: doc_no_pattern(p, year).search(text) for p in prefixes}
    return {p: int(m["number"]) for p, m in found.items() if m}


class _Kept:
    """What each published document was found to hold, by its size and modification time."""

    def __init__(self, path: Path | None, prefixes: Collection[str], year: int) -> None:
        self.path = path
        self.prefixes, self.year = sorted(prefixes), year
        self.key = [self.prefixes, year]
        self.files: dict[str, Any] = {}
        self.changed = False
        if path is None:
            return
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("key") == self.key and isinstance(data.get("files"), dict):
                self.files = data["files"]

    def numbers(self, doc: Path, name: str) -> dict[str, int]:
        st = doc.stat()
        entry = self.files.get(name)
        if isinstance(entry, list) and entry[:2] == [st.st_size, st.st_mtime_ns]:
            return dict(entry[2])
        found = _numbers_in(doc, self.prefixes, self.year)
        self.files[name] = [st.st_size, st.st_mtime_ns, found]
        self.changed = True
        return found

    def save(self, seen: Collection[str]) -> None:
        if self.path is None or not (self.changed or self.files.keys() - seen):
            return
        files = {name: entry for name, entry in self.files.items() if name in seen}
        with contextlib.suppress(OSError):  # only a saving: the documents are opened next time
            write_text_atomic(self.path, json.dumps({"key": self.key, "files": files}))


def published_numbers(output_root: Path, prefix: str, year: int,
                      names: Sequence[str] = (*NOTICE_KINDS, BULLETIN_NAME)
                      ) -> dict[tuple[str, str, str], int]:
    """Return (period, kind, file stem) -> number of every published document in the series.

    `names` are notice folders (督办通知) or document names (进度通报.docx) under each period's
    output folder.
    """
    return published_series(output_root, (prefix,), year, names)[prefix]


def published_series(output_root: Path, prefixes: Collection[str], year: int, names: Sequence[str],
                     kept: Path | None = None) -> dict[str, dict[tuple[str, str, str], int]]:
    """Return prefix -> `published_numbers` of that series, every document opened once (or
    not at all when `kept` says what it held at its present size and modification time)."""
    found: dict[str, dict[tuple[str, str, str], int]] = {p: {} for p in prefixes}
    if not output_root.is_dir():
        return found
    scan = _Kept(kept, prefixes, year)
    seen: list[str] = []
    for period_dir in sorted(p for p in output_root.iterdir() if p.is_dir()):
        for name in names:
            target = period_dir / name
            docs = sorted(target.glob("*.docx")) if target.is_dir() else [target]
            for doc in docs:
                if not doc.is_file():
                    continue
                seen.append(doc.relative_to(output_root).as_posix())
                for prefix, number in scan.numbers(doc, seen[-1]).items():
                    found[prefix][(period_dir.name, name, doc.stem)] = number
    scan.save(set(seen))
    return found


def allocate_notice_numbers(ledger: Ledger, config: Config, output_root: Path, year: int,
                            period: str, recipients: Mapping[str, Sequence[str]]
                            ) -> dict[str, dict[str, str]]:
    """Return kind -> unit -> 发文字号 for the notices of `period`, numbers kept in the ledger.

    A number found on a published notice of this period and unit is kept; every number found
    on paper this year lifts the start of the series above it.
    """
    out: dict[str, dict[str, str]] = {}
    kinds = [kind for kind in NOTICE_KINDS if recipients.get(kind)]
    # every series of the configuration, whichever kinds this period needs: one key for what is kept
    scans = published_series(output_root, {config.notices.prefix_of(k) for k in NOTICE_KINDS}, year,
                             NOTICE_KINDS, kept=ledger.path.parent / SCAN_NAME)
    for kind in kinds:
        units = list(recipients[kind])
        prefix = config.notices.prefix_of(kind)
        scan = scans[prefix]
        stems = {safe_filename(u): u for u in units}
        own = {stems[stem]: n for (p, k, stem), n in scan.items()
               if p == period and k == kind and stem in stems}
        floor = max([1, *(n + 1 for n in scan.values())])
        numbers = ledger.notice_numbers(kind, prefix, year, period, units, floor, own)
        out[kind] = {u: doc_no(prefix, year, numbers[u]) for u in units}
    ledger.keep_issued(period, out)  # a notice an earlier run of the period wrote and this one does not
    return out


def bulletin_start(config: Config, output_root: Path, year: int, period: str) -> int:
    """Return the least number the bulletin of `period` may take (Ledger.doc_number's start).

    The number printed on this period's published bulletin when there is one (the ledger was
    lost), else one above every bulletin number published this year.
    """
    scan = published_numbers(output_root, config.office.doc_prefix, year, (BULLETIN_NAME,))
    own = [n for (p, _, _), n in scan.items() if p == period]
    others = [n for (p, _, _), n in scan.items() if p != period]
    if own and own[0] not in others:
        return own[0]
    return max([config.office.next_doc_no, *(n + 1 for n in others)])
