"""发文字号 of the notices to units: which series a kind uses, what was published, what to give.

Each notice kind (督办通知, 提醒函, 催报通知) is numbered in the series of its configured prefix
(`[notices]` in reportgen.toml) and year. The ledger keeps every number given (never reused,
stable when a period is run again). Published documents are scanned too, so a workspace whose
history/ was deleted does not give a number that is already on paper this year.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from reportgen.config import Config
from reportgen.fsutil import safe_filename
from reportgen.ledger import Ledger

NOTICE_KINDS = ("督办通知", "提醒函", "催报通知")
BULLETIN_NAME = "进度通报.docx"

_TAG = re.compile(r"<[^>]+>")


def doc_no(prefix: str, year: int, number: int) -> str:
    """Return a 发文字号 as printed: no 第, no zero padding (同经开督字〔2024〕3号)."""
    return f"{prefix}〔{year}〕{number}号"


def number_in(path: Path, prefix: str, year: int) -> int | None:
    """Return the number of the first 发文字号 of the series in a Word document, or None."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("word/document.xml").decode("utf-8", errors="replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    found = re.search(rf"{re.escape(prefix)}〔{year}〕(\d+)号", _TAG.sub("", xml))
    return int(found.group(1)) if found else None


def published_numbers(output_root: Path, prefix: str, year: int,
                      names: Sequence[str] = (*NOTICE_KINDS, BULLETIN_NAME)
                      ) -> dict[tuple[str, str, str], int]:
    """Return (period, kind, file stem) -> number of every published document in the series.

    `names` are notice folders (督办通知) or document names (进度通报.docx) under each period's
    output folder.
    """
    found: dict[tuple[str, str, str], int] = {}
    if not output_root.is_dir():
        return found
    for period_dir in sorted(p for p in output_root.iterdir() if p.is_dir()):
        for name in names:
            target = period_dir / name
            docs = sorted(target.glob("*.docx")) if target.is_dir() else [target]
            for doc in docs:
                if not doc.is_file():
                    continue
                number = number_in(doc, prefix, year)
                if number is not None:
                    found[(period_dir.name, name, doc.stem)] = number
    return found


def allocate_notice_numbers(ledger: Ledger, config: Config, output_root: Path, year: int,
                            period: str, recipients: Mapping[str, Sequence[str]]
                            ) -> dict[str, dict[str, str]]:
    """Return kind -> unit -> 发文字号 for the notices of `period`, numbers kept in the ledger.

    A number found on a published notice of this period and unit is kept; every number found
    on paper this year lifts the start of the series above it.
    """
    out: dict[str, dict[str, str]] = {}
    scans: dict[str, dict[tuple[str, str, str], int]] = {}
    for kind in NOTICE_KINDS:
        units = list(recipients.get(kind, []))
        if not units:
            continue
        prefix = config.notices.prefix_of(kind)
        scan = scans.setdefault(prefix, published_numbers(output_root, prefix, year, NOTICE_KINDS))
        stems = {safe_filename(u): u for u in units}
        own = {stems[stem]: n for (p, k, stem), n in scan.items()
               if p == period and k == kind and stem in stems}
        floor = max([1, *(n + 1 for n in scan.values())])
        numbers = ledger.notice_numbers(kind, prefix, year, period, units, floor, own)
        out[kind] = {u: doc_no(prefix, year, numbers[u]) for u in units}
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
