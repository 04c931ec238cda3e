"""What the command line prints for the submissions control and the 督办台账: Chinese lines
built from the library's plain data (the CLI only echoes them; no click here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportgen.duban import Duban, open_dubans, terminated
from reportgen.intake import ACTION_LABEL
from reportgen.model import DubanState, PeriodResult, Severity
from reportgen.render.duban_words import ended_text


def submissions_lines(listing: object) -> list[str]:
    """Return the listing of a period's files per unit (pipeline.SubmissionsListing)."""
    out = [f"{listing.period} 收到的报送文件（{listing.folder}）："]  # type: ignore[attr-defined]
    for unit in listing.units:  # type: ignore[attr-defined]
        state = ("" if unit.counted else f"  本月免报（{unit.exempt or '无说明'}）" if unit.exempt is not None
                 else "  未报送" if unit.expected else "")
        out.append(f"{unit.unit}{state}")
        for f in unit.files:
            code = f"  [{f.sha256[:8]}]" if f.sha256 else ""
            errors = f"{f.errors}*" if f.unchecked else str(f.errors)
            out.append(f"  {'✔' if f.counts else '✘'} {f.name}  {f.why}  错误 {errors}  警告 {f.warnings}{code}")
            added = [f"{label} {n} 个" for label, n in zip(("错误", "警告"), f.checked_added, strict=True) if n > 0]
            if added:
                out.append(f"      另有校验时发现的{'、'.join(added)}，详见校验报告")
            for issue in f.issues if f.counts else []:
                if issue.severity is not Severity.INFO:
                    where = f"{issue.sheet}!{issue.cell} " if issue.cell else ""
                    level = "错误" if issue.severity is Severity.ERROR else "警告"
                    out.append(f"      {where}{level}：{issue.message}")
    for d in listing.decisions:  # type: ignore[attr-defined]
        note = f"（{d.note}）" if d.note else ""
        out.append(f"记录：{d.decided_at:%Y-%m-%d %H:%M} {ACTION_LABEL[d.action]} {d.file_name or d.unit}{note}")
    stated = listing.stated  # type: ignore[attr-defined]
    received = any(f.counts for u in listing.units for f in u.files)  # type: ignore[attr-defined]
    return out + [f"注：{n}" for n in count_notes(stated.checked, stated.stale, bool(stated.unchecked), received)]


def count_notes(checked: str, stale: bool, unchecked: bool, received: bool) -> list[str]:
    """Say where the error and warning counts come from when they are not the last 校验报告's:
    `checked` when that check ran ("" never), `stale` when its inputs changed since, `unchecked`
    when some unit's files came or changed since (their counts marked *), `received` any file."""
    if not checked:
        return ["尚未运行 reportgen check，错误、警告数只含读取文件时发现的问题，以校验报告为准。"] if received else []
    notes = []
    if stale:
        notes.append(f"上次校验（{checked}）后计划、配置或往月记录有变化，错误、警告数为上次校验时的结果，"
                     "请重新运行 reportgen check。")
    if unchecked:
        notes.append("错误数带 * 的单位在上次校验后收到或更改了文件，错误、警告数只含读取文件时发现的问题"
                     "（与其填报同一数字或节点的其他单位，错误、警告数也可能随之变化），请重新运行 reportgen check。")
    return notes


def duban_lines(every: Sequence[Duban], today: dt.date, show_all: bool) -> list[str]:
    """Return the 督办台账 as printed: a count line, then one line per 督办 (open ones unless `show_all`)."""
    opened = sum(not d.closed for d in every)
    ended = sum(terminated(d) for d in every)
    late = sum(d.reply_overdue(today) for d in every if not d.closed)
    out = [f"督办通知共 {len(every)} 件，督办中 {opened} 件，已销号 {len(every) - opened - ended} 件"
           + (f"，终止督办 {ended} 件" if ended else "") + (f"；逾期未回复 {late} 件" if late else "")]
    for d in every if show_all else open_dubans(every):
        state = "督办中"
        if d.closed:
            state = f"终止督办（{d.closed_in}，{ended_text(d)}）" if terminated(d) else f"已销号（{d.closed_in}）"
        flag = f"  第{d.round}次督办（通知中已写明前次文号）" if d.escalated else ""
        nodes = "；".join(d.node_texts.get(c) or "（节点已不在任务分解中）" for c in d.nodes) or "（无）"
        out.append(f"  {d.doc_no}  {d.period}  {d.unit}  {state}  {d.reply_state(today)}{flag}")
        out.append(f"      督办事项：{nodes}")
    return out


def duban_summary(result: PeriodResult, replies_recorded: int = 0) -> str:
    """Return the run's 督办 line: issued this month (repeats), replies overdue, 销号, 终止督办,
    replies read."""
    new = [d for d in result.dubans if d.period == result.period]
    again = sum(d.round >= 2 for d in new)
    late = sum(d.state is DubanState.LATE for d in result.dubans)
    closed = sum(d.closed_in == result.period and d.state is DubanState.CLOSED for d in result.dubans)
    ended = sum(d.closed_in == result.period and d.state is DubanState.ENDED for d in result.dubans)
    parts = [f"督办：本月发出 {len(new)} 件" + (f"（其中再次督办 {again} 件）" if again else ""),
             f"逾期未回复 {late} 件", f"本月销号 {closed} 件"] + ([f"本月终止督办 {ended} 件"] if ended else [])
    if replies_recorded:
        parts.append(f"本次读入回复单 {replies_recorded} 份")
    return "，".join(parts) + "（详见 reportgen dubans）"
