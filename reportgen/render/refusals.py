"""Why what a unit sent was not taken, in the words the 催报通知, the bulletin's 未按时报送 and the
汇总表 share: a whole file (saved as CSV, returned untouched, another period's form) or the unit's
answer on a node's row (已完成 without a date that cannot be told on time, or with a date that cannot
be used; a 完成状态 word that cannot be read, such as 基本完成: done or not cannot be told).

A node standing 未报送 because the unit's own answer on it was not taken is chased as a silent unit's
nodes are (DESIGN: 未报送 → 催报通知): the unit reported, so it is not counted among those that did
not, but it gets a 催报通知 naming the node and why, and the bulletin says so under 未按时报送.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgen.model import MilestoneResult, PeriodResult, Status

# why a file a unit sent was not taken (reader codes of intake.REJECTING)
FILE_NOT_TAKEN = {"csv_file": "另存为CSV格式，无法核对", "no_data": "未填写本月情况",
                  "wrong_period": "不是本期的报送表"}
# why a unit's 已完成 on a node's row was not taken (reader and reconcile codes on that row)
ANSWER_NOT_TAKEN = {
    "date_missing": "报“已完成”但未填实际完成日期", "bad_date": "报“已完成”但实际完成日期无法识别",
    "date_out_of_year": "报“已完成”但实际完成日期不在本年度",
    "date_after_period": "报“已完成”但实际完成日期晚于本期截止日",
}
_DONE_BUT = "报“已完成”但"  # how every ANSWER_NOT_TAKEN starts
# a 完成状态 the reader could not take (values.parse_status: 填写的“基本完成”不是有效的完成状态…)
STATUS_NOT_TAKEN, _STATUS_WORD = "bad_status", re.compile(r"填写的“(.*)”不是有效的完成状态")
_STATUS_UNREAD = "完成状态无法识别"
ROW = re.compile(r"\d+$")


@dataclass
class Refused:
    """A node a unit answered whose answer was not taken: the node stands 未报送 for the unit."""

    node: MilestoneResult
    why: str  # ANSWER_NOT_TAKEN's words
    file: str  # the file it was read from, as the 校验报告 names it


def answer_refusals(result: PeriodResult) -> dict[tuple[str, str], tuple[str, str]]:
    """Return (unit, row) -> (why, file) for each row an issue doubts the 已完成 or the 完成状态 of
    (whether it was taken is the node's standing for the unit: 未报送 when it was not)."""
    return {(i.unit, found.group()): (_why(i.code, i.message), i.file) for i in result.issues
            if (i.code in ANSWER_NOT_TAKEN or i.code == STATUS_NOT_TAKEN) and (found := ROW.search(i.cell))}


def _why(code: str, message: str) -> str:
    """Return why an answer was not taken: 报“已完成”但…, or 完成状态填写“基本完成”，无法识别."""
    if code != STATUS_NOT_TAKEN:
        return ANSWER_NOT_TAKEN[code]
    word = _STATUS_WORD.match(message)
    return f"完成状态填写“{word.group(1)}”，无法识别" if word else _STATUS_UNREAD


def refused_answers(result: PeriodResult) -> dict[str, list[Refused]]:
    """Return, per unit that reported, the nodes standing 未报送 for it because its own answer on
    them was not taken, in plan order (units in the order of `result.units`)."""
    rows = answer_refusals(result)
    submitted = [u.name for u in result.units if u.submitted]
    found: dict[str, list[Refused]] = {}
    for m in result.milestones:
        for unit, rep in m.unit_reports.items():
            row = ROW.search(rep.cell)
            why = rows.get((unit, row.group())) if row else None
            if why is not None and m.by_unit.get(unit, (m.status, None))[0] is Status.NOT_REPORTED:
                found.setdefault(unit, []).append(Refused(m, *why))
    return {u: found[u] for u in submitted if u in found}


def node_words(m: MilestoneResult) -> str:
    """Return how a refusal names a node: with its project (two projects of a unit may both ask
    “上半年完成项目入统”), once when the task's name already holds the clause."""
    return f"“{m.item_name}”节点" if m.text in m.item_name else f"{m.item_name}“{m.text}”节点"


def received_text(result: PeriodResult, unit: str, office: str, refused: list[Refused] | None = None) -> str:
    """Return what a 催报通知 says of the unit's material: not received; received and not taken (a
    unit that sent a file must not be told nothing arrived); or taken but for the nodes `refused`."""
    if refused:
        said = "；".join(f"{node_words(r.node)}{r.why}" for r in refused)
        files = "、".join(dict.fromkeys(f"《{r.file}》" for r in refused))
        return (f"{office}收到你单位报送的材料，但{files}中{said}，{'均' if len(refused) > 1 else ''}未予采用，"
                f"{'这些节点' if len(refused) > 1 else '该节点'}视为未报送。")
    files_refused = {name: why for name, why in files_not_taken(result).get(unit, {}).items() if name}
    if not files_refused:
        return f"截至目前，{office}尚未收到你单位报送的材料。"
    files = "；".join(f"《{name}》{why}" for name, why in files_refused.items())
    return f"{office}收到你单位报送的材料，但{files}，未予采用，视为未报送。"


def files_not_taken(result: PeriodResult) -> dict[str, dict[str, str]]:
    """Return, per unit, each file it sent that was not taken and why (FILE_NOT_TAKEN's words)."""
    found: dict[str, dict[str, str]] = {}
    for i in result.issues:
        if i.code in FILE_NOT_TAKEN and i.unit:
            found.setdefault(i.unit, {})[i.file] = FILE_NOT_TAKEN[i.code]
    return found


def refused_text(refused: dict[str, list[Refused]]) -> str:
    """Return the bulletin's words on the units whose answers were not taken ("" when none):
    华睿集团“…”节点报“已完成”但未填实际完成日期；建设管理部3个节点报“已完成”但未填实际完成日期、实际完成日期无法识别，
    或完成状态无法识别."""
    said = []
    for unit, nodes in refused.items():
        if len(nodes) == 1:
            said.append(f"{unit}{node_words(nodes[0].node)}{nodes[0].why}")
        else:
            done = dict.fromkeys(r.why.removeprefix(_DONE_BUT) for r in nodes if r.why.startswith(_DONE_BUT))
            whys = ([f"{_DONE_BUT}{'、'.join(done)}"] if done else []) + (
                [_STATUS_UNREAD] if any(not r.why.startswith(_DONE_BUT) for r in nodes) else [])
            said.append(f"{unit}{len(nodes)}个节点{'，或'.join(whys)}")
    return "；".join(said)
