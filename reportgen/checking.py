"""`check` and the web page's upload, in order: the plan, the ledger's last figures, the forms
read, then the 校验报告 and 校验反馈 written aside and published together.

Apart from reportgen.pipeline (the monthly batch) so that checking loads none of what the run
renders with: a check is asked often while forms come in, and its start-up is a good part of
its time at the size of a district.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.checkreport import FEEDBACK_DIRNAME, write_check_report
from reportgen.crosscheck import BETWEEN_UNITS
from reportgen.fsutil import deferred_interrupt
from reportgen.ingest import FileRead, IngestResult, read_submission
from reportgen.issue_order import merge_issues
from reportgen.ledger import Ledger
from reportgen.model import History, Plan
from reportgen.plan.workbook import load_master
from reportgen.publish import publish, write_faults
from reportgen.received import (
    carry_standings,
    checked_path,
    keep_checked,
    keep_unit_checked,
    plan_for_check,
    read_period,
    reading_stamp,
)
from reportgen.reconcile import answer_issues
from reportgen.rules import EarlierFigures, Names, earlier_figures
from reportgen.workspace import Workspace


@dataclass
class CheckOutcome:
    """What `check` read and the report files it wrote."""

    ingest: IngestResult
    paths: list[Path]


def check_period(ws: Workspace, period: str) -> CheckOutcome:
    """Read `period`'s submissions, write 校验报告 and 校验反馈, and return what was found.

    Last month's figures come from the ledger when there is one, so a cumulative that went
    down or jumped is caught before the run. What the run says of the answers beyond each form's
    reading (reconcile.answer_issues: units that disagree, a node done before now reported open, an
    已完成 without its date) is said here in the same words, so the 校验报告 and 校验反馈 are the same
    whichever of check and run wrote them last.
    """
    ingest, plan, stamp = _judged(ws, period)
    out_dir = ws.output_dir(period)
    with write_faults(out_dir):
        (ws.root / "output").mkdir(parents=True, exist_ok=True)
        # Written aside and published together: 校验反馈 of a unit that has since corrected its
        # file is removed, and an interrupted check leaves the last report whole.
        staging = Path(tempfile.mkdtemp(prefix=f".staging-check-{period}-", dir=ws.root / "output"))
        try:
            written = write_check_report(ingest, plan, period, staging, ws.config)
            with deferred_interrupt():
                publish(staging, out_dir, (FEEDBACK_DIRNAME,))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    keep_checked(ws, period, stamp, ingest)  # `status` states the counts this report states
    return CheckOutcome(ingest, [out_dir / p.relative_to(staging) for p in written])


def _judged(ws: Workspace, period: str) -> tuple[IngestResult, Plan, dict[str, Any]]:
    """Return `period`'s submissions read and judged as `check` states them (each form's reading,
    then reconcile.answer_issues), the plan that judged them and the readings' stamp."""
    current = load_master(ws)
    with Ledger(ws.ledger_path) as ledger:
        plan = plan_for_check(period, current, ledger)
        history = ledger.history(period)
        previous = earlier_figures(history, period)
        ingest, _register = read_period(ws, plan, current.version, period, previous, ledger)
        stamp = reading_stamp(ws, period, ledger, current.version, plan.version)
        _as_run_judges(ledger, plan, ws, history)
    ingest.issues = merge_issues(ingest.issues, answer_issues(plan, ingest.submissions, history, period, ws.config))
    return ingest, plan, stamp


def recount_unit(ws: Workspace, period: str, unit: str) -> bool:
    """After a file of `unit` came in, checked on its own (the web page's upload: check_file, which
    cannot see what other units' files say against it), keep what a check would now state of the
    unit as the 校验报告's counts, so `status` and the office page state them unmarked: the period
    is judged as `check` judges it (the other files taken back from the kept readings), and the
    counts are kept only while the last check's still hold for every other unit
    (received.keep_unit_checked). Return True when kept."""
    if not checked_path(ws, period).exists():
        return False  # no check yet: status says its counts are the readings'
    ingest, _plan, stamp = _judged(ws, period)
    return keep_unit_checked(ws, period, unit, stamp, ingest)


def check_file(ws: Workspace, plan: Plan, period: str, path: Path, name: str) -> FileRead:
    """Return one received file read against `plan` as `check` reads it, shown under `name`.

    Last month's figures come from the ledger, so a cumulative that went down or jumped is
    caught at once, as in the batch.
    """
    previous, history = EarlierFigures(), History()
    if ws.ledger_path.exists():
        with Ledger(ws.ledger_path) as ledger:
            history = ledger.history(period)
            previous = earlier_figures(history, period)
            _as_run_judges(ledger, plan, ws, history)
    read = read_submission(path, plan, ws.config, period, previous, name=name)
    if read.submission is not None:
        # alone, it cannot be told whether another unit agrees (the lead's file is not here)
        read.issues.extend(i for i in answer_issues(plan, [read.submission], history, period, ws.config)
                           if i.code not in BETWEEN_UNITS)
    return read


def _as_run_judges(ledger: Ledger, plan: Plan, ws: Workspace, history: History) -> None:
    """Complete `history` as `run` reads earlier standings: nodes carried from last year, units
    under the names they are known by now."""
    carry_standings(ledger, plan, history)
    Names(plan, ws.config).rename_history(history)
