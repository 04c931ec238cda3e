"""What the papers say about the 督办 loop: a repeat 督办 citing the earlier 文号, escalation,
and the bulletin's paragraph chasing overdue replies and naming 销号, 终止督办 and repeated 督办.

Only words: the round, the earlier 文号 and dates, the states (逾期未回复, 已销号, 终止督办) are decided by
`reportgen.duban` and arrive on `PeriodResult.dubans`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportgen.cn import cn_numeral, format_date, format_month
from reportgen.config import Config
from reportgen.duban import DubanEnd, terminated
from reportgen.model import DubanRecord, DubanState, EarlierDuban, PeriodResult


def _dated(e: EarlierDuban) -> str:
    return f"{format_date(e.issued_on)}以{e.doc_no}" if e.issued_on else f"以{e.doc_no}"


def earlier_text(earlier: Sequence[EarlierDuban]) -> str:
    """Return "该节点已于…以…督办，至今仍未完成，本次为第N次督办" ("" for a first 督办)."""
    if not earlier:
        return ""
    return (f"该节点已于{'、'.join(_dated(e) for e in earlier)}督办，至今仍未完成，"
            f"本次为第{cn_numeral(len(earlier) + 1)}次督办")


def current_dubans(result: PeriodResult) -> dict[str, DubanRecord]:
    """Return unit -> the 督办通知 the unit gets this period (as the ledger records it)."""
    return {d.unit: d for d in result.dubans if d.period == result.period}


def _earlier_numbers(d: DubanRecord) -> list[str]:
    return list(dict.fromkeys(e.doc_no for node in d.nodes for e in d.earlier.get(node, [])))


def duban_matters(d: DubanRecord) -> str:
    """Return the 督办台账's 督办事项: the nodes pressed in the plan's words, one a line; of a 督办
    closed with some nodes done and some not, those are marked with why (`ended_text` counts them)."""
    marked = d.closed_in is not None and 0 < len(d.ended) < len(d.nodes)
    return "\n".join((d.node_texts.get(c) or "（节点已不在任务分解中）")
                     + (f"（{_ended_words(d, d.ended[c])}）" if marked and c in d.ended else "") for c in d.nodes)


def _ended_words(d: DubanRecord, why: str) -> str:
    return f"{d.period[:4]}年度结束未完成" if why == DubanEnd.YEAR_END else "任务分解调整已删除"


def ended_text(d: DubanRecord) -> str:
    """Return why a 督办 was closed with nodes undone (终止督办): "任务分解调整，该节点已删除",
    "2024年度结束，节点未完成", "其中1个节点…，其余节点已完成" when others were done; "" when every
    node was done (销号) or it is open."""
    if not terminated(d):
        return ""
    out = []
    for why in DubanEnd:
        n = sum(reason == why for reason in d.ended.values())
        if not n:
            continue
        if n == len(d.nodes) and why is DubanEnd.YEAR_END:
            out.append(f"{d.period[:4]}年度结束，节点未完成")
        elif n == len(d.nodes):
            out.append(f"任务分解调整，{'该' if n == 1 else ''}节点已删除")
        else:
            out.append(f"其中{n}个节点{'因' if why is DubanEnd.REMOVED else ''}{_ended_words(d, why)}")
    if len(d.ended) < len(d.nodes):
        out.append("其余节点已完成")
    return "，".join(out)


def closing_text(d: DubanRecord) -> str:
    """Return how a closed 督办 ended: "2024年7月销号" (every node done) or "2024年7月终止督办（…）"
    with why ("" while open)."""
    if not d.closed_in:
        return ""
    if not terminated(d):
        return f"{format_month(d.closed_in)}销号"
    return f"{format_month(d.closed_in)}终止督办（{ended_text(d)}）"


def duban_note(d: DubanRecord) -> str:
    """Return the 督办台账's 备注: 销号 or 终止督办 month (and why), a late reply, the earlier 文号,
    the reply's gist."""
    notes = [f"{d.carried_from}年度结转"] if d.carried_from else []
    if d.closed_in:
        notes.append(closing_text(d))
    if d.replied_on and d.reply_by and d.replied_on > d.reply_by:
        notes.append("逾期回复")
    earlier = _earlier_numbers(d)
    if earlier:
        notes.append(f"前次督办：{'、'.join(earlier)}")
    if d.reply_note:
        notes.append(d.reply_note)
    return "；".join(notes)


def times_cn(n: int) -> str:
    """Return a count of times as said: 两次, 三次 (not 二次)."""
    return "两" if n == 2 else cn_numeral(n)


def escalation_text(d: DubanRecord | None, config: Config) -> str:
    """Return the 督办通知's escalation paragraph for a repeat 督办 ("" the first time). The earlier
    文号 and dates are cited once, under each node (`earlier_text`); this carries the demand."""
    if d is None or d.round < 2:
        return ""
    repeated = [n for n in d.nodes if d.earlier.get(n)]
    which = "上述节点" if len(repeated) == len(d.nodes) else "上述节点中经督办仍未完成的"
    text = (f"对{which}，现予第{cn_numeral(d.round)}次督办。请你单位主要负责同志亲自过问，逐项查明未按督办要求"
            "推进的原因，压实责任，限期整改，并在书面反馈中逐项说明整改措施和完成时限。")
    if d.round >= config.duban.serious_round:
        text += (f"对经{times_cn(d.round)}次督办仍未完成的节点，{config.office.short_name}将按规定对你单位"
                 f"{config.duban.measures}。")
    return text


def _closed_now(every: Sequence[DubanRecord], period: str) -> str:
    """Return "本月销号N件：…。" (work done) and "本月因任务分解调整或年度结束终止督办M件：…。" (each
    with why), either left out when none."""
    now = [d for d in every if d.closed_in == period and d.state in (DubanState.CLOSED, DubanState.ENDED)]
    done = [f"{d.doc_no}（{d.unit}）" for d in now if d.state is DubanState.CLOSED]
    ended = [d for d in now if d.state is DubanState.ENDED]
    text = f"本月销号{len(done)}件：{'；'.join(done)}。" if done else ""
    if ended:
        why = "或".join(w for e, w in ((DubanEnd.REMOVED, "任务分解调整"), (DubanEnd.YEAR_END, "年度结束"))
                       if any(e in d.ended.values() for d in ended))
        text += (f"本月因{why}终止督办{len(ended)}件："
                 f"{'；'.join(f'{d.doc_no}（{d.unit}，{ended_text(d)}）' for d in ended)}。")
    return text


def _chased(d: DubanRecord) -> str:
    return f"{d.doc_no}（{d.unit}，回复期限{format_date(d.reply_by)}）" if d.reply_by else f"{d.doc_no}（{d.unit}）"


def _escalated(d: DubanRecord, config: Config) -> str:
    numbers = [*_earlier_numbers(d), d.doc_no]
    repeated = [d.node_texts.get(n, "") for n in d.nodes if d.earlier.get(n)]
    what = f"“{repeated[0]}”" + (f"等{len(repeated)}个节点" if len(repeated) > 1 else "节点")
    text = f"{d.unit}负责的{what}经{times_cn(d.round)}次督办（{'、'.join(numbers)}）仍未完成，予以通报"
    if d.round >= config.duban.serious_round:
        text += f"，{config.office.short_name}将对其{config.duban.measures}"
    return text


def duban_paragraph(result: PeriodResult, config: Config) -> str:
    """Return the bulletin's 督办落实情况 paragraph ("" before the first 督办通知).

    It counts the year's 督办通知 so far (已销号 + 终止督办 + 督办中 = 累计) and those an earlier year carried
    over, chases the replies past their deadline, names the 督办 closed this month and the
    repeated ones, each as decided on the papers' date.
    """
    every = result.dubans
    if not every:
        return ""
    new = [d for d in every if d.period == result.period]
    text = f"{'截至' + format_date(result.dates.issue) + '，' if result.dates else ''}{_counts(every, len(new))}。"
    text += _closed_now(every, result.period)
    late = [d for d in every if d.state is DubanState.LATE]
    if late:
        text += (f"逾期未书面反馈{len(late)}件：{'；'.join(_chased(d) for d in late)}，"
                 "请相关单位立即书面反馈整改落实情况。")
    slow = [d for d in every if d.state is DubanState.REPLIED and d.reply_by and d.replied_on
            and d.replied_on > d.reply_by and d.period == _previous(every, result.period)]
    if slow:
        text += "逾期反馈" + "；".join(
            f"{d.doc_no}（{d.unit}，应于{format_date(d.reply_by)}前，{format_date(d.replied_on)}反馈）"
            for d in slow if d.reply_by and d.replied_on) + "。"
    again = [d for d in new if d.round >= 2]
    if again:
        text += "；".join(_escalated(d, config) for d in again) + "。"
    return text


def _counts(every: Sequence[DubanRecord], new: int) -> str:
    """Return "累计发出督办通知N件（其中本月M件），已销号…，终止督办…，督办中…" and "2024年度结转督办通知K件，…"."""
    def closed(ds: Sequence[DubanRecord]) -> str:
        shut = sum(d.state is DubanState.CLOSED for d in ds)
        ended = sum(d.state is DubanState.ENDED for d in ds)
        return f"已销号{shut}件，{f'终止督办{ended}件，' if ended else ''}督办中{len(ds) - shut - ended}件"

    own = [d for d in every if not d.carried_from]
    carried = [d for d in every if d.carried_from]
    parts = [f"累计发出督办通知{len(own)}件（其中本月{new}件），{closed(own)}"] if own else []
    if carried:
        years = "、".join(str(y) for y in sorted({d.carried_from for d in carried}))
        parts.append(f"{years}年度结转督办通知{len(carried)}件，{closed(carried)}")
    return "；".join(parts)


def _previous(every: Sequence[DubanRecord], period: str) -> str:
    """Return the latest period before `period` that had 督办 (whose replies fell due this month)."""
    earlier = [d.period for d in every if d.period < period]
    return max(earlier) if earlier else ""


def bulletin_duban(result: PeriodResult, config: Config, behind: bool) -> dict[str, Any]:
    """Return the bulletin's 督办 context: the paragraph and its heading's number under 三、."""
    return {"text": duban_paragraph(result, config), "no_cn": cn_numeral(4 if behind else 3)}
