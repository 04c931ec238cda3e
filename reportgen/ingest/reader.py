"""One file → one unit's Submission and every problem found in it; never raises for the file."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from reportgen import formspec as fs
from reportgen.cn import earlier_month
from reportgen.config import Config
from reportgen.ingest.figures import read_figures
from reportgen.ingest.grid import Book, PartsCache, Refused
from reportgen.ingest.identify import identify, text_return
from reportgen.ingest.index import FileContext, PlanIndex
from reportgen.ingest.layout import (
    FIGURES,
    MILESTONES,
    Table,
    check_missing_rows,
    find_table,
    headless_table,
    read_meta,
)
from reportgen.ingest.milestones import read_footer, read_milestones
from reportgen.intake import REJECTING
from reportgen.model import FileRead, Plan, Severity, Submission
from reportgen.safety import inspect_bytes


@dataclass
class Reader:
    """Reads the files of one batch against one plan; what it learns of one file helps the next."""

    index: PlanIndex
    parts_cache: PartsCache = field(default_factory=dict)

    def read(self, path: Path, name: str, period: str, previous: Mapping[str, float]) -> FileRead:
        """Return the file read as a unit's submission, with every problem found in it."""
        out = FileRead(path=path, name=name)
        ctx = FileContext(self.index, period, name, out.issues)
        loaded = _load(path, ctx)
        if loaded is None:
            return out
        data, stat = loaded
        check = self.index.config.check
        insp = inspect_bytes(data, name, check)
        if not insp.kind and (unit := text_return(ctx, data)) is not None:
            return _refuse_text(out, ctx, unit, data, stat, period)
        for issue in insp.issues:
            ctx.add(issue.severity, issue.code, issue.message)
        if not insp.kind:
            return out
        try:
            book = Book(insp, check.max_rows, self.parts_cache)
        except Exception as exc:  # calamine raises its own types for broken files
            ctx.add(*_calamine_problem(exc))
            return out
        sub = Submission(
            unit="", period=period, file=str(path), sha256=hashlib.sha256(data).hexdigest(),
            received=dt.datetime.fromtimestamp(stat.st_mtime),
        )
        try:
            _read_book(book, sub, ctx, previous)
        except Refused as refused:
            ctx.add(refused.issue.severity, refused.issue.code, refused.issue.message)
            return out
        except Exception as exc:
            ctx.add(*_calamine_problem(exc))
            return out
        finally:
            book.release()
        for issue in book.issues:
            ctx.add(issue.severity, issue.code, issue.message, issue.sheet, issue.cell)
        if sub.unit:
            for issue in out.issues:
                issue.unit = sub.unit
            sub.issues = out.issues
            out.submission = sub
            out.used = not any(i.code in REJECTING for i in out.issues)
        return out


def read_submission(
    path: Path,
    plan: Plan,
    config: Config,
    period: str,
    previous: Mapping[str, float] | None = None,
    name: str | None = None,
) -> FileRead:
    """Return one file read as a unit's submission, with every problem found in it."""
    return Reader(PlanIndex.build(plan, config)).read(path, name or path.name, period, previous or {})


def read_bytes(path: Path) -> bytes:
    """Return the file's bytes, opened read-only."""
    with open(path, "rb") as fh:
        return fh.read()


def _load(path: Path, ctx: FileContext) -> tuple[bytes, os.stat_result] | None:
    """Return the file's bytes and stat, or None with the reason recorded."""
    check = ctx.index.config.check
    try:
        stat = path.stat()
        size = stat.st_size
        if size > check.max_file_mb * 1024 * 1024:
            ctx.add(
                Severity.ERROR, "too_large",
                f"文件大小{size / 1048576:.1f}MB，超过上限{check.max_file_mb:g}MB，未读取；"
                "报送表一般不足1MB，请删除图片或多余内容后重新报送",
            )
            return None
        return read_bytes(path), stat
    except PermissionError:
        ctx.add(Severity.ERROR, "unreadable", "文件无法打开（没有读取权限或正被其他程序占用），未读取")
    except OSError as exc:
        ctx.add(Severity.ERROR, "unreadable", f"文件无法读取（{exc.strerror or exc}），未读取")
    return None


def _refuse_text(out: FileRead, ctx: FileContext, unit: str, data: bytes, stat: os.stat_result,
                 period: str) -> FileRead:
    """Return a plain-text return (a form saved as CSV) refused, with the unit it names when one does:
    its 校验反馈 then says why nothing of it was taken, and the unit is chased like one that sent nothing."""
    what = f"“{unit}”的报送表另存成的CSV纯文本文件" if unit else "CSV纯文本文件，文件名和内容中都没有可识别的单位名称"
    lost = "另存为CSV后只剩一张表，隐藏的标识页、其余工作表、下拉选项和日期格式都已丢失，无法核对"
    if unit:
        ctx.unit = unit
        out.submission = Submission(unit=unit, period=period, file=str(out.path),
                                    sha256=hashlib.sha256(data).hexdigest(),
                                    received=dt.datetime.fromtimestamp(stat.st_mtime))
    ctx.add(Severity.ERROR, "csv_file",
            f"文件“{ctx.name}”是{what}（{lost}），未读取、未采用；请在下发的报送表（.xlsx）中直接填写、保存后报送，不要另存为CSV")
    return out


def _calamine_problem(exc: Exception) -> tuple[Severity, str, str]:
    kind = type(exc).__name__
    message = str(exc)
    if kind == "PasswordError" or "password" in message.lower() or "encrypt" in message.lower():
        return Severity.ERROR, "encrypted", "文件设置了密码（已加密），无法读取；请取消密码后重新报送"
    broken = (ValueError, OSError, EOFError, ParseError)
    if type(exc).__module__.startswith("python_calamine") or isinstance(exc, broken):
        return (
            Severity.ERROR,
            "corrupt_file",
            f"文件已损坏或格式异常，无法读取（{kind}）；请用Excel打开后另存为.xlsx再报送",
        )
    # not the file's fault: say so, so that it is reported rather than blamed on the unit
    detail = f"{kind}: {message[:200]}"
    return Severity.ERROR, "read_failed", f"读取本文件时程序出错（{detail}），请将此文件提供给系统维护人员"


def _read_book(book: Book, sub: Submission, ctx: FileContext, previous: Mapping[str, float]) -> None:
    index = ctx.index
    meta, expected_rows = read_meta(book) if fs.SHEET_META in book.names else (None, {})
    fig = find_table(book, FIGURES)
    ms = find_table(book, MILESTONES)
    if fig is None and ms is None:
        ctx.add(
            Severity.ERROR, "no_data",
            f"文件中找不到“{fs.SHEET_FIGURES}”或“{fs.SHEET_MILESTONES}”表（按表头识别亦未找到），"
            "不是本系统下发的报送表；请使用下发的报送表填报",
        )
        return
    who = identify(ctx, meta, [t for t in (fig, ms) if t is not None])
    if who is None:
        return
    sub.unit, sub.identified_by, sub.plan_version = who.unit, who.by, who.plan_version
    if not who.accepted:
        return
    # both tables found and nothing typed on any row (a table not found is named below instead)
    if fig is not None and ms is not None and not (fig.answered(FIGURES.inputs) or ms.answered(MILESTONES.inputs)):
        ctx.add(
            Severity.ERROR, "no_data",
            "报送表中没有填写任何内容（本月累计、完成状态等各栏均为空），未采用，本月视为未报送；请填写后重新报送",
        )
        return
    typed = len(ctx.issues)  # what reading finds of a form returned as distributed is not said
    if meta and meta.get("plan_version") and meta["plan_version"] != index.plan.version:
        ctx.add(
            Severity.WARNING, "plan_version",
            f"报送表依据的任务分解版本（{meta['plan_version']}）与当前版本（{index.plan.version}）不同，"
            "已按编号读取；任务分解调整后请使用新下发的报送表",
            fs.SHEET_META,
        )
    for table in (fig, ms):
        if table is not None and table.copied_from:
            ctx.add(
                Severity.WARNING, "copied_sheet",
                f"“{table.copied_from}”表未填写，数据填在了复制出来的“{table.sheet.name}”表中，已按该表读取；"
                f"请在原表“{table.copied_from}”中填写",
                table.sheet.name,
            )
        elif table is not None and table.other_copy:
            ctx.add(
                Severity.WARNING, "other_copy",
                f"另有工作表“{table.other_copy}”与“{table.sheet.name}”表头相同、填写内容不同，未读取（已按"
                f"“{table.sheet.name}”读取）；如本月情况填在了“{table.other_copy}”中，请改填到“{table.sheet.name}”后重新报送",
                table.other_copy,
            )
    if fig is not None:
        read_figures(fig, sub, ctx, previous)
    if ms is not None:
        footer = read_milestones(ms, sub, ctx)
        read_footer(ms.sheet, footer, sub, ctx)
    if ms is not None and _as_distributed((meta or {}).get("prefill", ""), sub, ctx, typed, fig, ms, expected_rows):
        return
    unread = _missing_columns(book, ctx, fig, ms)
    check_missing_rows(sub, ctx, expected_rows, fig, ms, unread)


def _as_distributed(stamp: str, sub: Submission, ctx: FileContext, typed: int, fig: Table | None, ms: Table,
                   expected: dict[str, set[str]]) -> bool:
    """Return True, having refused the file as no report, when a pre-filled form came back as it
    was written (nothing of this month typed); what reading it found (from `typed` on) is unsaid."""
    if not _untouched(stamp, sub, fig, ms, expected):
        return False
    del ctx.issues[typed:]
    sub.figures.clear()
    sub.milestones.clear()
    ctx.add(
        Severity.ERROR, "no_data",
        f"报送表与下发时相同：只有预填的{earlier_month(ctx.period, stamp.split(':')[0])}内容，"
        "本月没有填写任何内容（本月累计、完成状态、进展情况、填报人等均未改动），不作为本月报送，未采用，"
        "本月视为未报送；请逐项更新本月情况后重新报送",
    )
    return True


def _untouched(stamp: str, sub: Submission, fig: Table | None, ms: Table, expected: dict[str, set[str]]) -> bool:
    """Return True when a pre-filled form came back as it was written: no figure, no footer, and
    the milestone rows' input cells exactly as pre-filled (formspec.prefill_stamp)."""
    if not stamp or sub.contact or (fig is not None and fig.answered(FIGURES.inputs)):
        return False
    code_col, own = ms.cols.get("code"), expected.get(ms.sheet.name) or expected.get(fs.SHEET_MILESTONES, set())
    cols = [ms.cols.get(k) for k in fs.MILESTONE_INPUTS]
    if code_col is None or None in cols:
        return False
    rows = []
    for r in range(ms.header + 1, len(ms.sheet.rows)):
        code = ms.sheet.get(r, code_col)
        if isinstance(code, str) and code in own:
            rows.append((code, [ms.sheet.get(r, c) for c in cols if c is not None]))
    return fs.prefill_stamp(stamp.split(":")[0], rows) == stamp


_UNREAD = {  # a table whose required column is gone: what is not read
    fs.SHEET_FIGURES: ("value", fs.FIGURE_HEADERS, "各项目的累计数"),
    fs.SHEET_MILESTONES: ("status", fs.MILESTONE_HEADERS, "各节点的完成情况"),
}


def _missing_columns(book: Book, ctx: FileContext, fig: Table | None, ms: Table | None) -> frozenset[str]:
    """Name the column a table was not read for (its header changed or deleted, e.g. 本月累计 renamed
    累计完成投资): the table's rows are there, and are not called deleted. Return those tables."""
    unread = set()
    for spec, table in ((FIGURES, fig), (MILESTONES, ms)):
        headless = headless_table(book, spec) if table is None else None
        if headless is None:
            continue
        key, headers, what = _UNREAD[spec.sheet]
        ctx.add(
            Severity.ERROR, "column_missing",
            f"“{headless.sheet.name}”表第{headless.header + 1}行的表头中找不到“{headers[key]}”列"
            f"（表头被改动或删除），{what}未读取；请恢复原表头“{headers[key]}”后重新报送",
            headless.sheet.name, f"A{headless.header + 1}",
        )
        unread.add(spec.sheet)
    return frozenset(unread)
