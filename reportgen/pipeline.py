"""The monthly batch, top to bottom: check → reconcile → record → render Word → render Excel → PDF.

This is the one place that orders the run's stages (`check` alone is ordered by
reportgen.checking, which loads none of the renderers). Each stage is a call into its own module;
nothing here parses, judges or draws. A failure while rendering one document is logged and
the others are still written; the ledger is changed in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen import duban, intake, replyform
from reportgen.checking import check_file
from reportgen.checkreport import write_check_report
from reportgen.cn import format_date, format_month, unit_lookup
from reportgen.config import Config
from reportgen.distribute import DIST_DIRNAME, Distribution, make_packs
from reportgen.errors import PlanError, ReportgenError, UsageError
from reportgen.forms import FORMS_DIRNAME, build_forms
from reportgen.fsutil import TEMP_PREFIX, deferred_interrupt, printable_name, workspace_lock
from reportgen.ingest import FileRead, IngestResult
from reportgen.ingest.replies import ReplyRead, read_reply
from reportgen.intake import Register
from reportgen.issue_order import merge_issues
from reportgen.ledger import Ledger
from reportgen.loader import TemplateSource
from reportgen.model import DubanRecord, History, PeriodResult, Plan, Prefill, Severity, Status, period_end
from reportgen.numbering import allocate_notice_numbers, bulletin_start
from reportgen.parallel import Background, Later
from reportgen.plan.diff import likely_renames, rename_note
from reportgen.plan.inforce import PlanChoice, plan_in_force
from reportgen.plan.workbook import load_master
from reportgen.publish import is_write_fault, publish, write_faults
from reportgen.received import (
    Stated,
    as_checked_listing,
    carry_standings,
    keep_checked,
    plan_for_check,
    read_period,
    reading_stamp,
    stated_counts,
)
from reportgen.reconcile import reconcile
from reportgen.recovered import recover_history
from reportgen.render.imprint import place_imprints
from reportgen.render.packet import meeting_packet
from reportgen.render.pdf import convert_onto, convert_to_pdf, merge_pdfs
from reportgen.render.wording import notice_recipients
from reportgen.rules import Names, carried_over, earlier_figures, reporting_units
from reportgen.summary import write_summary
from reportgen.template_versions import stale_notes
from reportgen.workspace import Workspace

if TYPE_CHECKING:  # loaded with the renderers, by a run only
    from reportgen.render.replyform_writer import ReplyForms

log = logging.getLogger("reportgen")

# stage label, number of steps in it (0 = unknown) -> advance callback
StageHook = Callable[[str, int], Callable[[int], None]]


def _no_progress(label: str, total: int) -> Callable[[int], None]:
    return lambda n: None


@dataclass
class StageTime:
    """How long a stage took."""

    label: str
    seconds: float


@dataclass
class RunReport:
    """What a run did: the result, the files written and what went wrong along the way."""

    result: PeriodResult
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # documents that could not be written
    warnings: list[str] = field(default_factory=list)  # run-level notes (fonts, LibreOffice)
    times: list[StageTime] = field(default_factory=list)
    log_path: Path | None = None
    plan_note: str = ""  # which plan judged the period, and why (plan.inforce)
    replies_recorded: int = 0  # 督办回复单 found in input/replies/ and recorded by this run
    keep_counts: Callable[[], None] | None = None  # once published: `status` states the 校验报告's counts

    @property
    def has_errors(self) -> bool:
        """Return True when the submissions had errors or a document failed."""
        return bool(self.failures) or any(
            i.severity is Severity.ERROR for i in self.result.issues
        )

    def status_counts(self) -> Counter[Status]:
        """Return how many milestones are in each status."""
        return Counter(m.status for m in self.result.milestones)


def default_as_of(period: str) -> dt.date:
    """Return the as-of date of a period: its last day."""
    return period_end(period)


def _check_as_of(period: str, as_of: dt.date | None) -> dt.date:
    if as_of is None:
        return default_as_of(period)
    start = dt.date(int(period[:4]), int(period[5:7]), 1)
    if as_of < start:
        raise UsageError(f"数据截止日 {format_date(as_of)} 早于报送月份 {period} 的第一天")
    return as_of


@contextmanager
def _run_log(path: Path) -> Iterator[Path]:
    """Send the `reportgen` logger to `path` (UTF-8) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    log.addHandler(handler)
    old_level = log.level
    log.setLevel(logging.INFO)
    try:
        yield path
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)
        handler.close()


class _Stages:
    """Times each stage and tells the progress hook about it."""

    def __init__(self, report: RunReport, hook: StageHook) -> None:
        self.report = report
        self.hook = hook

    @contextmanager
    def stage(self, label: str, total: int = 0) -> Iterator[Callable[[int], None]]:
        start = time.perf_counter()
        log.info("开始：%s", label)
        yield self.hook(label, total)
        seconds = time.perf_counter() - start
        self.report.times.append(StageTime(label, seconds))
        log.info("完成：%s（%.2f 秒）", label, seconds)


MANAGED_FOLDERS = ("督办通知", "督办回复单", "提醒函", "催报通知", "校验反馈", "pdf")
LOG_NAME = "run.log"


def run_period(
    ws: Workspace,
    period: str,
    as_of: dt.date | None = None,
    pdf: bool = False,
    progress: StageHook = _no_progress,
    plan_choice: PlanChoice = PlanChoice.RECORDED,
) -> RunReport:
    """Run the monthly batch for `period` and return what it did (see `_run_period`).

    A full disk or a read-only output folder stops the run with a Chinese message, and every
    output of an earlier run stays as it was (`reportgen.publish`).
    """
    with write_faults(ws.root / "output"):
        return _run_period(ws, period, as_of, pdf, progress, plan_choice)


def _run_period(
    ws: Workspace,
    period: str,
    as_of: dt.date | None,
    pdf: bool,
    progress: StageHook,
    plan_choice: PlanChoice,
) -> RunReport:
    """Run the monthly batch for `period` and return what it did.

    The period is judged by the plan it was last run with (`plan.inforce`), unless
    `plan_choice` asks for the current master workbook.

    Everything (run.log and the PDFs included) is written to a staging folder and published
    at the end, so a run stopped half-way (Ctrl-C, an error) leaves the previous outputs as
    they were. Raises ReportgenError for what stops the whole batch (no plan, broken
    template, another run in progress); problems in submissions end up in the result's issues.
    """
    as_of = _check_as_of(period, as_of)
    out_dir = ws.output_dir(period)
    staging = ws.root / "output" / f".staging-{period}"
    with workspace_lock(ws.history_dir / "run.lock"):
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            with _run_log(staging / LOG_NAME):
                # the cut-off is 数据截止日 wherever it is printed: 截止日期 on a form is the day to report by
                log.info("报送月份 %s，数据截止日 %s，工作区 %s", period, format_date(as_of), ws.root)
                report = _build_period(ws, period, as_of, staging, progress, plan_choice)
                if pdf:
                    with _Stages(report, progress).stage("转换 PDF"):
                        _guard(report, "PDF", lambda: _export_pdf(staging))
                else:
                    _note_stale_pdfs(report, out_dir)
                # the count and words the terminal gives once they are in place (this log not counted)
                log.info("共写出 %d 个文件，未能生成 %d 个", len(_staged(staging)), len(report.failures))
            with deferred_interrupt():  # Ctrl-C while files move in would leave a mixed folder
                report.written = [p for p in publish(staging, out_dir, MANAGED_FOLDERS)
                                  if p != out_dir / LOG_NAME]
            if report.keep_counts is not None:
                report.keep_counts()
            report.log_path = out_dir / LOG_NAME
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return report


def _staged(staging: Path) -> list[Path]:
    """Return the files a run puts in place: all it staged but its run.log."""
    return [p for p in staging.rglob("*") if p.is_file() and p != staging / LOG_NAME]


def _build_period(ws: Workspace, period: str, as_of: dt.date, staging: Path,
                  progress: StageHook, plan_choice: PlanChoice) -> RunReport:
    """Read, reconcile, record and render `period` into `staging`; return the report."""
    # The renderers load openpyxl, matplotlib, docxtpl and jinja2 at import (about half a second):
    # only a run needs them; `check`, `status` and the web pages start without them.
    from reportgen.render import excel, replyform_writer, word

    current = load_master(ws)
    # Templates are checked before anything is rendered, so a typo in a template
    # stops the batch at once instead of after half the documents.
    checked = word.check_word_templates(ws.templates, ws.config)
    excel.check_excel_template(ws.templates)

    dubans: Later[list[DubanRecord]] = Later()
    with Ledger(ws.ledger_path) as ledger:
        report, plan, history = _open_period(ws, period, as_of, current, plan_choice, ledger)
        for note in stale_notes(ws.root / "templates"):  # an older template prints as it is
            report.warnings.append(note)
            log.warning("%s", note)
        stages = _Stages(report, progress)
        with stages.stage("读取报送表"):
            ingest, register = read_period(ws, plan, current.version, period, earlier_figures(history, period),
                                           ledger)
        with stages.stage("核对进度"):
            result = report.result = _judge(ws, ledger, plan, ingest, register, history, as_of, period)
            if result.dates is not None:
                report.warnings += result.dates.warnings
        stamp = reading_stamp(ws, period, ledger, current.version, plan.version)
        report.keep_counts = functools.partial(keep_checked, ws, period, stamp,
                                               replace(ingest, issues=list(result.issues)))
        # The spreadsheets do not depend on the Word documents: on two cores a forked child
        # (reportgen.parallel) writes them meanwhile, else they are written after them. The child
        # starts now with the 校验报告 and waits for the 督办 as recorded below.
        tables = Background(_write_tables, excel.render_excel, ingest, plan, result, dubans, history, ws,
                            staging, progress)
        with tables:
            with stages.stage("记入台账"):
                _record(ws, ledger, plan, ingest, report)
            dubans.put(result.dubans)
            with stages.stage("生成公文"):
                _guard(report, "公文",
                       lambda: word.render_word(result, ws.templates, ws.config, staging, report.warnings,
                                                checked))
            with stages.stage("生成督办回复单"):
                _guard(report, "督办回复单", lambda: _write_reply_forms(result, ws.config, staging,
                                                            replyform_writer.ReplyForms))
            failures, times = tables.result()
    report.failures += failures
    report.times += times
    return report


def _record(ws: Workspace, ledger: Ledger, plan: Plan, ingest: IngestResult, report: RunReport) -> None:
    """Record the period in the ledger, read the 督办回复单 that came in and set the result's 督办."""
    result = report.result
    ledger.record(plan, result, ingest.received(), ws.archive_dir)
    if result.dates is None:
        return
    # every 督办 so far (earlier years' too: a reply to December's comes in with January's), and
    # those the papers carry as they stand on the papers' date
    every = _dubans(ledger, plan, ws.config, plan.year)
    for taken in take_replies(ws, ledger, every):
        (log.info if taken.ok else report.warnings.append)(f"督办回复单 {taken.name}：{taken.message}")
        report.replies_recorded += taken.recorded
        if taken.recorded:
            every = []  # a reply recorded: read the 督办 again below
    every = every or _dubans(ledger, plan, ws.config, plan.year)
    result.dubans = list(duban.on_papers(every, plan.year, result.period, result.dates.issue))


def _open_period(ws: Workspace, period: str, as_of: dt.date, current: Plan, plan_choice: PlanChoice,
                 ledger: Ledger) -> tuple[RunReport, Plan, History]:
    """Return a report for the run (saying which plan judges `period`, and any history recovered
    from published summaries), that plan, and the history before `period`."""
    in_force = plan_in_force(period, current, ledger.plan_in_force(period, current.version), plan_choice)
    plan = in_force.plan
    log.info("%s", in_force.note)
    history = ledger.history(period)
    carry_standings(ledger, plan, history)
    names = Names(plan, ws.config)
    names.rename_history(history)
    recovered = recover_history(history, ws.root / "output", plan.year, period)
    placeholder = PeriodResult(period, as_of, plan.year, plan.title, plan.version, 0.0)
    report = RunReport(result=placeholder, plan_note=in_force.note)
    for note in _renames_to_confirm(ledger, plan, names, period):
        report.warnings.append(note)
        log.warning("%s", note)
    if recovered:  # history/ was deleted or replaced: say so wherever the run is read
        note = (f"注意：历史台账中没有 {'、'.join(recovered)} 的记录（history/ 可能被删除或替换），"
                "已按 output 中这些月份发布的 summary.json 恢复各月累计数和节点完成情况；请核对新增投资和完成日期")
        report.warnings.append(note)
        log.warning("%s", note)
    return report, plan, history


def _renames_to_confirm(ledger: Ledger, plan: Plan, names: Names, period: str) -> list[str]:
    """Return a note for each unit new since the last recorded period that took over every node
    another unit held then (plan.diff.likely_renames): the office says whether it was renamed (an
    alias in reportgen.toml, after which the standings carry) — it is not guessed."""
    last, before = ledger.units_before(period)
    if last is None:
        return []
    held: dict[str, set[str]] = {}
    for unit, codes in before.items():
        held.setdefault(names.canonical.get(unit, unit), set()).update(codes)
    now: dict[str, set[str]] = {}
    for m in plan.milestones:
        for unit in names.expand(m.units):
            now.setdefault(unit, set()).add(m.code)
    return [f"{rename_note(old, new)}（与{format_month(last)}相比；写上后请重新运行 {period}）"
            for old, new in likely_renames(held, now)]


def _carried_prefill(ledger: Ledger, plan: Plan) -> Prefill | None:
    """Return the answers of last year's last period on the nodes the plan keeps with a date of
    an earlier year (继续推进), for the first forms of the year: a node done then shows as done with
    its date. Nothing else is pre-filled: the year's figures and targets start afresh."""
    carried = {m.code for m in plan.milestones if carried_over(m.due, plan.year)}
    earlier = ledger.year_end_answers(plan.year - 1) if carried else None
    if earlier is None:
        return None
    return Prefill(
        period=earlier.period,
        reports={code: rep for code, rep in earlier.reports.items() if code in carried},
        unit_reports={unit: {code: rep for code, rep in reps.items() if code in carried}
                      for unit, reps in earlier.unit_reports.items()})


def _judge(ws: Workspace, ledger: Ledger, plan: Plan, ingest: IngestResult, register: Register,
           history: History, as_of: dt.date, period: str) -> PeriodResult:
    """Return `period` reconciled, its exempt units marked and its 文号 allocated (the ledger
    keeps each 督办通知's reply deadline, date and nodes)."""
    result = reconcile(plan, ingest.submissions, history, as_of, period, ws.config, ingest.expected_units)
    result.issues = merge_issues(ingest.issues, result.issues)
    for u in result.units:
        u.exempt = not u.submitted and u.name in register.exempt
    outputs = ws.root / "output"
    result.doc_number = ledger.doc_number(
        period, plan.year, bulletin_start(ws.config, outputs, plan.year, period))
    result.notice_numbers = allocate_notice_numbers(
        ledger, ws.config, outputs, plan.year, period, notice_recipients(result, ws.config))
    if result.dates is not None:  # the reply deadline, date and nodes of each 督办通知
        numbers = result.notice_numbers.get(duban.NOTICE_KIND, {})
        printed = duban.printed_nodes(result.milestones, numbers)
        ledger.set_reply_deadlines(dict.fromkeys(numbers.values(), result.dates.reply_by),
                                   result.dates.issue,
                                   {no: printed[unit] for unit, no in numbers.items()})
    return result


def _note_stale_pdfs(report: RunReport, out_dir: Path) -> None:
    """Say that last run's PDFs go (they would no longer match the documents)."""
    old = [p for p in (out_dir / "pdf").glob("*.pdf")] if (out_dir / "pdf").is_dir() else []
    if old:
        report.warnings.append(
            f"本次未加 --pdf，上次生成的 {len(old)} 个 PDF 与本次文件不再一致，已从 pdf/ 中移除；"
            "需要打印版请加 --pdf 重新运行"
        )


def _write_tables(render_excel: Callable[[PeriodResult, History, TemplateSource, Config, Path], Path],
                  ingest: IngestResult, plan: Plan, result: PeriodResult, dubans: Later[list[DubanRecord]],
                  history: History, ws: Workspace, staging: Path,
                  progress: StageHook) -> tuple[list[str], list[StageTime]]:
    """Write 校验报告, 校验反馈, summary.json and 汇总表 (by `render_excel`, which _build_period
    imports when a run needs it) into `staging`; return failures and times. The 督办 (`dubans`)
    are waited for after the 校验报告, which does not show them."""
    sub = RunReport(result=result)
    stages = _Stages(sub, progress)
    with stages.stage("校验报告"):
        # every issue of the run, reconcile's too: 校验报告, summary.json and the terminal agree
        write_check_report(replace(ingest, issues=result.issues), plan, result.period, staging,
                           ws.config)
    result.dubans = dubans.get()
    with stages.stage("汇总数据"):
        write_summary(result, staging / "summary.json")
    with stages.stage("生成汇总表"):
        _guard(sub, "汇总表", lambda: render_excel(result, history, ws.templates, ws.config, staging / "汇总表.xlsx"))
    return sub.failures, sub.times


def _guard(report: RunReport, what: str, render: Callable[[], object]) -> None:
    """Run one renderer; a failure is recorded and logged, and the batch goes on."""
    try:
        render()
    except ReportgenError as exc:
        report.failures.append(f"{what}：{exc}")
        log.error("%s生成失败：%s", what, exc)
    except Exception as exc:  # a renderer bug must not lose the other documents
        if is_write_fault(exc):
            raise  # a full disk or read-only folder stops the run: nothing is published
        report.failures.append(f"{what}：程序错误 {type(exc).__name__}: {exc}")
        log.exception("%s生成失败", what)


def _export_pdf(folder: Path) -> list[Path]:
    """Convert the documents in `folder` into `folder`/pdf and join the meeting packet."""
    docs = sorted(folder.glob("*.docx")) + sorted(folder.glob("*.xlsx"))
    for sub in ("督办通知", "提醒函", "催报通知"):
        docs += sorted((folder / sub).glob("*.docx"))
    pdf_dir = folder / "pdf"
    pdfs = convert_to_pdf(docs, pdf_dir)
    # the 版记 goes to the foot of the last (even) page, which only the printed layout shows
    place_imprints([(d, p) for d, p in zip(docs, pdfs, strict=True) if d.suffix == ".docx"],
                   convert_onto)
    packet = pdf_dir / "会议材料.pdf"
    bulletin = next((p for p in pdfs if p.stem == "进度通报"), None)
    summary = folder / "汇总表.xlsx"
    if bulletin is not None and summary.exists():  # the 汇总表 bound as 附件, before the 版记
        pdfs.append(meeting_packet(folder / "进度通报.docx", bulletin, summary, packet))
    elif meeting := [p for p in pdfs if p.stem in ("进度通报", "汇总表")]:
        pdfs.append(merge_pdfs(meeting, packet))
    return pdfs


@dataclass
class FormsMade:
    """The forms written for a period, and where their pre-filled answers came from."""

    plan_file: Path
    paths: list[Path]
    prefilled_from: str | None  # the period whose answers were pre-filled, if any


def make_forms(ws: Workspace, period: str) -> FormsMade:
    """Write every unit's form for `period`, pre-filled from the ledger's latest earlier period."""
    plan_file = ws.master_workbook()
    plan = load_master(ws)
    prefill = None
    if ws.ledger_path.exists():
        with Ledger(ws.ledger_path) as ledger:
            prefill = ledger.prefill(period) or _carried_prefill(ledger, plan)
    paths = build_forms(plan, ws.config, period, ws.output_dir(period) / FORMS_DIRNAME, prefill)
    return FormsMade(plan_file, paths, prefill.period if prefill else None)


@dataclass
class SubmissionsListing:
    """Every file received for a period per unit, which counts and why, and the decisions."""

    period: str
    folder: Path
    units: list[intake.UnitEntry]
    decisions: list[intake.Decision]
    stated: Stated = field(default_factory=Stated)  # the last check's counts, as status states them


def list_submissions(ws: Workspace, period: str) -> SubmissionsListing:
    """Return every file received for `period` per unit: which one counts and why, its issues."""
    current = load_master(ws)
    folder = ws.submissions_dir(period)
    with Ledger(ws.ledger_path) as ledger:
        plan = plan_for_check(period, current, ledger)  # as check and status read the files
        if not folder.is_dir():
            register = ledger.submission_register(period)
            units = [intake.UnitEntry(u, True, register.exempt.get(u)) for u in reporting_units(plan, ws.config)]
            return SubmissionsListing(period, folder, units, ledger.decisions(period))
        previous = earlier_figures(ledger.history(period), period)
        ingest, register = read_period(ws, plan, current.version, period, previous, ledger)
        units = intake.listing(ingest, register)
        # the counts the 校验报告 stated, as status states them (check adds issues after the reading)
        stated = stated_counts(ws, period, reading_stamp(ws, period, ledger, current.version, plan.version),
                               ingest.files)
        as_checked_listing(units, stated, ingest.files)
        return SubmissionsListing(period, folder, units, ledger.decisions(period), stated)


def decide_submission(ws: Workspace, period: str, action: intake.Action, target: str,
                      note: str = "") -> intake.Decision:
    """Record the office's decision and return it. `target` is a file of the period's folder
    (accept, withdraw, reinstate a file) or a unit (exempt, reinstate a unit).

    Raises UsageError when the file or unit does not exist or the file cannot count.
    """
    plan = load_master(ws)
    folder = ws.submissions_dir(period)
    path = folder / target
    if action is intake.Action.EXEMPT or (action is intake.Action.REINSTATE and not path.is_file()):
        decision = intake.Decision(period, action, _unit_named(target, plan, ws), note=note)
    else:
        if not path.is_file():
            raise UsageError(f"{folder} 下没有文件“{target}”（请写 reportgen submissions 列出的文件名）")
        read = check_file(ws, plan, period, path, target)
        sub = read.submission
        if sub is None or not sub.unit:
            raise UsageError(f"“{target}”无法识别所属单位，本来就不会被采用：{_first_error(read)}")
        if action is intake.Action.ACCEPT and not read.used:
            raise UsageError(f"“{target}”不能采用：{_first_error(read)}")
        decision = intake.Decision(period, action, sub.unit, sub.sha256, target, note)
    with Ledger(ws.ledger_path) as ledger:
        ledger.decide(decision)
    return decision


def _first_error(read: FileRead) -> str:
    return next((i.message for i in read.issues if i.severity is Severity.ERROR), "文件无法读取")


def _unit_named(name: str, plan: Plan, ws: Workspace) -> str:
    """Return the unit `name` stands for (its full name, an alias or a unique part of it)."""
    units = reporting_units(plan, ws.config)
    name = name.strip()
    if name in units:
        return name
    alias = unit_lookup(ws.config).get(name)
    if alias in units:
        return alias
    near = [u for u in units if name and name in u]
    if len(near) == 1:
        return near[0]
    hint = f"，可能是：{'、'.join(near)}" if near else ""
    raise UsageError(f"本月应报单位中没有“{name}”{hint}")


def duban_ledger(ws: Workspace) -> list[duban.Duban]:
    """Return every 督办通知 issued in the workspace with its nodes, 销号 and round (oldest first)."""
    if not ws.ledger_path.exists():
        return []
    try:
        plan = load_master(ws)
    except PlanError:
        plan = None  # nodes the ledger kept no words of are then named "not in the plan"
    with Ledger(ws.ledger_path) as ledger:
        return _dubans(ledger, plan, ws.config)


def _dubans(ledger: Ledger, plan: Plan | None, config: Config, year: int | None = None) -> list[duban.Duban]:
    """Return the 督办 the ledger knows (of `year` and the years before, or of every year), nodes
    the ledger kept no words of worded from `plan` (`duban.on_papers` picks a period's).

    A node the plan carried into a new year keeps its code and its date: December's 督办 on it is
    the one January's cites (and counts in its round), so the 督办 of earlier years are built too
    (reportgen.duban tells a carried node from a new year's target by its date in `plan`). An
    earlier year's statuses are read from its first 督办 that may still be open on the new year's
    papers (no reply recorded before the year began: its 销号 decides) or whose nodes the ledger
    did not keep, and every later year's (a node the next year's plan does not carry ends with the
    year it was pressed in); the closing of the others, replied to within their year, is not
    looked for."""
    issued = [n for n in ledger.issued_notices() if year is None or n.year <= year]
    kept, replies = ledger.duban_records()
    since: dict[int, str] = {}  # plan year -> the first period whose statuses are read
    for n in issued:
        if year is None or n.year == year:
            since[n.year] = ""
        elif n.kind == duban.NOTICE_KIND and (
                n.doc_no not in kept or kept[n.doc_no][2] is None
                or n.doc_no not in replies or replies[n.doc_no][0] >= dt.date(year, 1, 1)):
            since[n.year] = min(since.get(n.year, n.period), n.period)
    if since:  # the years after: their plans decide whether a node was carried, deleted or ended
        for y in {int(p[:4]) for p in ledger.periods()}:
            if min(since) < y and (year is None or y <= year):
                since.setdefault(y, "")
    statuses: dict[str, dict[str, dict[str, tuple[Status, dt.date | None]]]] = {}
    for y, first in sorted(since.items()):
        statuses.update(ledger.year_history(y, first).by_unit)
    notices = [duban.Notice(n.doc_no, n.kind, n.period, n.unit, n.year) for n in issued]
    return duban.build_dubans(
        notices, statuses,
        issued={no: duban.Issued(on, by, nodes) for no, (on, by, nodes) in kept.items()},
        replies={no: duban.Reply(day, note) for no, (day, note) in replies.items()},
        texts=duban.plan_words(plan) if plan else {},
        dues={m.code: m.due for item in plan.items for m in item.milestones} if plan else {},
        renamed=Names(plan, config).canonical if plan else {
            old: name for name, others in config.units.aliases.items() for old in others})


def record_duban_reply(ws: Workspace, doc_no: str, replied_on: dt.date, note: str = "") -> duban.Duban:
    """Record a unit's reply to the 督办通知 `doc_no` and return that 督办 (UsageError if unknown)."""
    doc_no = doc_no.strip()
    found = [d for d in duban_ledger(ws) if d.doc_no == doc_no]
    if not found:
        raise UsageError(f"台账中没有文号为“{doc_no}”的督办通知（可用 reportgen dubans --all 查看）")
    with Ledger(ws.ledger_path) as ledger:
        ledger.record_reply(doc_no, replied_on, note)
    found[0].replied_on = found[0].replied_on or replied_on
    return found[0]


def distribute_forms(ws: Workspace, period: str, forms: list[Path],
                     links: Callable[[list[str]], dict[str, str]] | None = None) -> Distribution:
    """Pack each unit's form (from `forms`), 填报说明 and notices of `period` into
    output/<period>/分发/<月份>_<单位>.zip; `links` gives units' upload addresses (web pages set up)."""
    return make_packs(period, forms, ws.output_dir(period), ws.output_dir(period) / DIST_DIRNAME, links)


def _write_reply_forms(result: PeriodResult, config: Config, staging: Path,
                       writer: Callable[[Config, dt.datetime], ReplyForms]) -> list[Path]:
    """Write a 督办回复单 for each 督办通知 of the period (dated the notice's 成文日期) with
    `writer` (reportgen.render.replyform_writer.ReplyForms, loaded with the renderers)."""
    folder = staging / replyform.FOLDER
    when = dt.datetime.combine(result.dates.issue if result.dates else result.as_of, dt.time())
    dubans = [d for d in result.dubans if d.period == result.period]
    if not dubans:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    forms = writer(config, when)  # the template, once for the batch
    return [forms.write(d, folder / replyform.reply_form_name(d.unit)) for d in dubans]


@dataclass
class ReplyTaken:
    """What became of one file of input/replies/."""

    name: str
    message: str  # one Chinese sentence
    ok: bool = False  # a reply of a known 督办 (recorded now or before)
    recorded: bool = False  # recorded by this reading


def take_replies(ws: Workspace, ledger: Ledger, every: list[duban.Duban]) -> list[ReplyTaken]:
    """Read every 督办回复单 in input/replies/ and record the new replies in the ledger."""
    folder = ws.replies_dir
    if not folder.is_dir():
        return []
    by_no = {d.doc_no: d for d in every}
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.startswith((".", "~$", TEMP_PREFIX)):
            continue  # hidden, Office lock and half-written files
        got = read_reply(path, ws.config, printable_name(str(path.relative_to(folder))))
        out.append(_take_reply(got, by_no.get(got.doc_no), ledger))
    return out


def _take_reply(got: ReplyRead, d: duban.Duban | None, ledger: Ledger) -> ReplyTaken:
    if not got.ok:
        return ReplyTaken(got.name, "；".join(got.errors) or "无法读取")
    if d is None:
        return ReplyTaken(got.name, f"督办文号“{got.doc_no}”在督办台账中不存在，未记入；请核对是否用错了回复单")
    if got.unit and got.unit != d.unit:
        return ReplyTaken(got.name, f"回复单的责任单位“{got.unit}”与督办通知{d.doc_no}的主送单位"
                                    f"“{d.unit}”不一致，未记入")
    assert got.replied_on is not None  # got.ok
    if d.issued_on and got.replied_on < d.issued_on:
        return ReplyTaken(got.name, f"回复日期{format_date(got.replied_on)}早于督办通知{d.doc_no}的成文日期"
                                    f"{format_date(d.issued_on)}，未记入；请核对回复日期")
    recorded = ledger.record_reply(d.doc_no, got.replied_on, got.note(), once=True)
    late = d.reply_by is not None and got.replied_on > d.reply_by
    when = f"逾期回复（回复期限{format_date(d.reply_by)}）" if late and d.reply_by else "按期回复"
    return ReplyTaken(got.name, f"{d.doc_no}（{d.unit}）{format_date(got.replied_on)}{when}，"
                                f"{'已记入台账' if recorded else '此前已记入台账'}", True, recorded)


def read_duban_replies(ws: Workspace) -> list[ReplyTaken]:
    """Read input/replies/ and record the new replies (`reportgen dubans read`)."""
    try:
        plan = load_master(ws)
    except PlanError:
        plan = None
    with Ledger(ws.ledger_path) as ledger:
        return take_replies(ws, ledger, _dubans(ledger, plan, ws.config))
