"""Task-breakdown document (.txt / .docx) → Plan.

The document is a numbered list: section headings (一、重点项目… / 二、其它重点任务), items
（一）… and, under some items, numbered tasks 1. 2. …, each ending with its units in brackets
（责任单位：A、B）. Other offices number items 1. and tasks （1）, put units on their own
`牵头单位：` / `配合单位：` lines or in table columns; all of these become the same lines here
(`_lines_from_*`) and one parser reads them (`_Parser`).

Within an item or task, the text is cut into clauses at ，。； (never inside brackets).
A clause with a date phrase is a milestone; runs of clauses without one are requirements
(standing duties such as 实际发生投资应报尽报). Dated clauses in the lead paragraph of an item
that has numbered tasks (P07 `最迟2024年10月上旬开工`) become milestones of an extra task
`P07-0`, whose units are those of the numbered task that restates the same step (开工 in P07
task 4), else those of the last task: the lead paragraph names no units of its own.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.cn import (
    CIRCLED_DIGITS,
    DateMatch,
    cn_number,
    cn_numeral,
    find_amounts,
    find_dates,
    group_phrases,
    normalize_text,
    split_units,
)
from reportgen.errors import PlanError
from reportgen.model import (
    Item,
    Milestone,
    MilestoneKind,
    Plan,
    Section,
    Task,
    Unit,
    plan_version,
)
from reportgen.plan.convert import CONVERTED_SUFFIXES, as_docx
from reportgen.plan.docx_reader import lines_from_docx
from reportgen.plan.sheet_reader import SHEET_SUFFIXES, lines_from_sheet

if TYPE_CHECKING:
    import datetime as dt

    from reportgen.config import Config


@dataclass
class ImportResult:
    """A plan read from a document, with what the reader could not take as written."""

    plan: Plan
    warnings: list[str] = field(default_factory=list)
    # how the source was read (a spreadsheet's header mapping), for the master workbook's 说明
    source_notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- line patterns

_CN_NO = "零〇一二三四五六七八九十百千万"
_SECTION = re.compile(rf"^([{_CN_NO}]+)、(.*)$")
_NUMBERED = {
    "paren_cn": re.compile(rf"^（([{_CN_NO}]+)）(.*)$"),
    "paren_num": re.compile(r"^（(\d{1,4})）(.*)$"),
    # "1.2024年6月底前…" and "2.9月中旬…" are tasks 1 and 2; "1.2亿元…" is not numbered
    "dot_num": re.compile(r"^(\d{1,4})[.、](?=\D|\d{4}年|\d{1,2}月)(.*)$"),
    "circled": re.compile(rf"^([{CIRCLED_DIGITS}])(.*)$"),
}
_LEAD_KEYS = ("牵头单位", "主要责任单位", "责任单位", "牵头部门", "责任部门")
_SUPPORT_KEYS = ("协同配合单位", "配合单位", "协助单位", "协同单位", "配合部门")
_UNIT_KEY = "|".join(_LEAD_KEYS + _SUPPORT_KEYS)
_UNIT_LINE = re.compile(rf"^(?:{_UNIT_KEY})：")
_NESTED = r"(?:[^（）]|（[^（）]*）)"  # text with bracketed names inside: 各县（市、区）政府
_UNIT_BRACKET = re.compile(rf"（((?:{_UNIT_KEY})：{_NESTED}*)）")
# people, not units: 责任领导：王某某； before or after the units, or on a line of its own
_PERSON_KEY = "责任领导|分管领导|牵头领导|包联领导|分管负责人|责任人|联系人"
_PERSON_LINE = re.compile(rf"^(?:{_PERSON_KEY})：[^（）]*$")
_PERSON_BEFORE = re.compile(rf"(?:{_PERSON_KEY})：[^（）；。]*[；，]\s*(?=(?:{_UNIT_KEY})：)")
_PERSON_AFTER = re.compile(rf"[；，](?:{_PERSON_KEY})：[^（）；。]*(?=）|[。；]?$)")
# 〔责任单位：…〕 and 【牵头单位：…】 are unit brackets too
_OTHER_BRACKETS = re.compile(rf"[〔【]((?:{_PERSON_KEY}|{_UNIT_KEY})：[^〔〕【】]*)[〕】]")
# a note inside a unit list: （首位单位为牵头单位，下同） says what the default rule says already
_UNIT_NOTE = re.compile(r"（[^（）]*(?:首位|排名第一|排在第一|第一位|第一个)[^（）]*(?:牵头|负总责)[^（）]*）")
# "…年底前投产。责任单位：建设管理部" — units at the end of the text, without brackets
_UNIT_TAIL = re.compile(rf"(?:(?<=[。；，])|^)((?:{_UNIT_KEY})：(?:[^（）。]|（[^（）]*）)*?)[。；]?$")
_ATTACHMENT = re.compile(r"^附件\s*\d*[：]?$")
# sub-headings inside an item written as 一、X: （一）主要目标任务 / （二）具体任务
_SUBHEADING = re.compile(
    r"^(?:主要|工作|总体|具体|年度)?(?:目标任务|目标|任务|工作任务|推进措施|工作措施|保障措施|"
    r"责任分工|时间安排|进度安排|工作要求|推进计划)[：。]?$")
_BRACKET_ONLY = re.compile(r"^（[^（）]*）$")
_TARGET = re.compile(
    r"(?:(?P<year>\d{4})年?度?)?(?:年度)?(?:工业|固定资产)?(?:投资(?:任务|目标|计划)|计划(?:完成)?投资)为?"
    r"(?P<num>\d+(?:\.\d+)?)(?P<unit>亿元?|万元)(?P<lower>以上)?"
    r"(?:（(?P<note>含设备|设备|含土地)）)?"
)
_NOTE = re.compile(r"（(含设备|设备|含土地)）")
_METRIC_BEFORE = re.compile(r"(投资|开票|发票)(?:额|金额|总额)?(?:达到|达|为|至少|不低于)?$")
_FILING = re.compile(r"入统|入库")
_STEP_WORDS = (
    "开工", "拿地", "挂牌", "报批", "预审", "评审", "招标", "合同", "立项", "备案", "验收", "拨付",
    "到位", "征拆", "拆迁", "施工", "改造", "批复", "许可", "手续", "建成", "竣工", "投产", "用地",
    "装修", "安装", "签订", "审批", "供地", "摘牌", "环评", "能评",
)
_CONTINUATION = re.compile(r"^(?:并且|并|且|同时)")
_PURPOSE = re.compile(r"^(?:为了|为使|为确保|为保证)")


# ---------------------------------------------------------------- reading files


def _lines_from_txt(path: Path) -> list[str]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise PlanError(f"{path.name} 不是文本文件，无法作为任务分解读取")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise PlanError(f"{path.name} 的文字编码无法识别，请另存为 UTF-8 文本或 .docx")


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise PlanError(f"找不到任务分解文件：{path}")
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text", ".md"):
        return _lines_from_txt(path)
    if suffix == ".docx":
        return lines_from_docx(path)
    if suffix in CONVERTED_SUFFIXES:
        with as_docx(path) as converted:
            return lines_from_docx(converted)
    raise PlanError(f"不支持的文件类型：{path.name}（可导入 .docx、.doc、.wps、.rtf、.odt、.txt，"
                    "或 .xlsx、.xls、.ods 任务表）")


# ---------------------------------------------------------------- document structure


@dataclass
class _Units:
    units: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)  # the unit text as written

    def merge(self, other: _Units) -> None:
        for u in other.units:
            if u not in self.units:
                self.units.append(u)
        for u in other.lead:
            if u not in self.lead:
                self.lead.append(u)
        self.phrases.extend(other.phrases)


@dataclass
class _Node:
    no: int
    text: str = ""
    units: _Units = field(default_factory=_Units)


@dataclass
class _ItemNode(_Node):
    section: Section = Section.PROJECT
    tasks: list[_Node] = field(default_factory=list)


_KEPT = "\ue000"  # stands for a 、 inside a bracketed name while a list is split


def _units_in(names: str, config: Config) -> list[str]:
    """Split a unit list, keeping 、 inside a bracketed name (各县（市、区）政府) in the name."""
    depth = 0
    chars = []
    for ch in names:
        depth += (ch == "（") - (ch == "）" and depth > 0)
        chars.append(_KEPT if ch == "、" and depth > 0 else ch)
    return [u.replace(_KEPT, "、") for u in split_units("".join(chars), config)]


def _parse_units(spec: str, config: Config) -> _Units:
    """Read `责任单位：A、B` or `牵头单位：A；配合单位：B、C` (the bracket content)."""
    out = _Units(phrases=[spec])
    lead: list[str] = []
    support: list[str] = []
    plain: list[str] = []
    for part in re.split(r"[；;]", spec):
        key, _, names = part.partition("：")
        key = key.strip()
        if not names:
            plain.extend(_units_in(part, config))
        elif key in ("牵头单位", "主要责任单位", "牵头部门"):
            lead.extend(_units_in(names, config))
        elif key in _SUPPORT_KEYS:
            support.extend(_units_in(names, config))
        else:
            plain.extend(_units_in(names, config))
    if not lead and plain:
        # "（责任单位：A、B）": the first named leads; a group phrase (各…中心) leads as a whole
        first = re.split(r"[、，,；;]", spec.partition("：")[2] or spec)[0].strip()
        lead = _units_in(first, config) if first in config.units.groups else plain[:1]
    for u in lead + plain + support:
        if u not in out.units:
            out.units.append(u)
    out.lead = list(dict.fromkeys(lead))
    return out


def _take_units(text: str, config: Config) -> tuple[str, _Units | None]:
    """Return the text without its unit bracket(s) or trailing unit list, and the units named."""
    found = _Units()
    for m in _UNIT_BRACKET.finditer(text):
        found.merge(_parse_units(m.group(1), config))
    text = _UNIT_BRACKET.sub("", text).strip()
    tail = _UNIT_TAIL.search(text)
    if tail:
        found.merge(_parse_units(tail.group(1), config))
        text = text[: tail.start()].strip()
    return text, (found if found.units else None)


class _Parser:
    """Turn normalised lines into a title and item nodes."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._reset()

    def _reset(self) -> None:
        self.title_lines: list[str] = []
        self.items: list[_ItemNode] = []
        self.section = Section.PROJECT
        self.item_style: str | None = None
        self.task_style: str | None = None
        self.started = False
        self.has_sections = False
        self.heading: tuple[int, str] | None = None  # the last 一、 heading with nothing under it
        self.numbered_since_heading = False

    def _numbered(self, line: str) -> tuple[str, int, str] | None:
        for style, pattern in _NUMBERED.items():
            m = pattern.match(line)
            if m:
                raw = m.group(1)
                no = CIRCLED_DIGITS.index(raw) + 1 if style == "circled" else cn_number(raw)
                if no:
                    return style, no, m.group(2).strip()
        return None

    def feed(self, line: str) -> None:
        if not line:
            return
        if _ATTACHMENT.match(line) and (self.items or self.started):
            # a notice with its attachment in one file: the plan is the attachment
            self._reset()
            return
        sec = _SECTION.match(line)
        if sec and len(sec.group(2)) <= 40:
            self._section(cn_number(sec.group(1)) or 0, sec.group(2))
            return
        numbered = self._numbered(line)
        if numbered and self._subheading(numbered[2]):
            return
        if numbered and self._numbered_line(*numbered):
            return
        if not self.started:
            self.title_lines.append(line)
            return
        if not self.items:
            return  # text between a section heading and its first item: a preamble
        if _UNIT_LINE.match(line):
            self._unit_line(_parse_units(line, self.config))
            return
        target = self.items[-1].tasks[-1] if self.items[-1].tasks else self.items[-1]
        target.text = f"{target.text}{line}" if target.text else line

    def _section(self, no: int, heading: str) -> None:
        self.section = Section.TASK if ("其它" in heading or "其他" in heading
                                        or "项目" not in heading) else Section.PROJECT
        self.started = self.has_sections = True
        self.heading = (no, heading)
        self.numbered_since_heading = False

    def _subheading(self, rest: str) -> bool:
        """（一）主要目标任务 / （二）具体任务 right under 一、X: then 一、X is the item itself."""
        if not _SUBHEADING.match(rest):
            return False
        if self.heading is not None and not self.numbered_since_heading:
            no, heading = self.heading
            self.items.append(_ItemNode(no=no, text=f"{heading}。", section=self.section))
            self.heading = None
            self.item_style = "heading"  # numbered lines below are the item's tasks
            self.has_sections = False  # the 一、 lines were items: a target makes a project
        return bool(self.items)

    def _numbered_line(self, style: str, no: int, rest: str) -> bool:
        self.started = True
        self.numbered_since_heading = True
        if self.item_style is None:
            self.item_style = style
        if style == self.item_style:
            self.items.append(_ItemNode(no=no, text=rest, section=self.section))
            return True
        if self.items and (self.task_style is None or style == self.task_style):
            self.task_style = style
            self.items[-1].tasks.append(_Node(no=no, text=rest))
            return True
        return False

    def _unit_line(self, units: _Units) -> None:
        """A unit line under an item heading is the item's; after a run of tasks without units
        (1. 2. 3. then 责任单位：…), it is theirs; right after a task, that task's."""
        item = self.items[-1]
        if not item.tasks:
            if item.units.units:
                item.units.merge(units)
            else:
                item.units = units
            return
        run: list[_Node] = []
        for task in reversed(item.tasks):
            if task.units.units:
                break
            run.append(task)
        if not run:
            item.tasks[-1].units.merge(units)
        for node in run:
            node.units = copy.deepcopy(units)


def _title(lines: list[str], fallback: str) -> str:
    """Return the document's title: the first line before the list that is not 附件N or a note
    in brackets (a preamble paragraph after the title is not part of it)."""
    for line in lines:
        if _ATTACHMENT.match(line) or _BRACKET_ONLY.match(line):
            continue
        title = re.sub(r"^附件\s*\d*[：]?", "", line)
        title = re.sub(r"（(?:动态调整|调整稿|修订稿|修订|征求意见稿|草案|试行)）$", "", title).strip()
        if title:
            return title
    return fallback


# ---------------------------------------------------------------- clauses


_BRACKET = re.compile(r"[（()）]")


@functools.cache
def _marks(marks: str, brackets: bool) -> re.Pattern[str]:
    return re.compile("[" + re.escape(marks + ("（()）" if brackets else "")) + "]")


def _split_outside_brackets(text: str, marks: str) -> list[str]:
    """Return the pieces of `text` between the `marks` that are not inside brackets."""
    if _BRACKET.search(text) is None:
        out = _marks(marks, False).split(text)
    else:
        out, depth, start = [], 0, 0
        for m in _marks(marks, True).finditer(text):
            ch = m.group()
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth = max(0, depth - 1)
            elif depth == 0:
                out.append(text[start : m.start()])
                start = m.end()
        out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


@dataclass
class _Draft:
    text: str
    due: dt.date | None
    due_text: str
    kind: MilestoneKind
    amount_yi: float | None
    key: str = ""  # the clause from its date on, to find the task that restates it


def _kind_and_amount(text: str) -> tuple[MilestoneKind, float | None]:
    for a in find_amounts(text):
        m = _METRIC_BEFORE.search(text[: a.start])
        if m:
            kind = MilestoneKind.INVOICE if m.group(1) in ("开票", "发票") else MilestoneKind.INVESTMENT
            return kind, a.yi
    if _FILING.search(text):
        return MilestoneKind.FILING, None
    if any(w in text for w in _STEP_WORDS):
        return MilestoneKind.STEP, None
    return MilestoneKind.OTHER, None


def _merge_ranges(clause: str, dates: list[DateMatch]) -> list[DateMatch]:
    """Read `6月1日至6月30日` as one period due at its end, not as two milestones."""
    out: list[DateMatch] = []
    for d in dates:
        if out and re.fullmatch(r"\s*(?:至|到|—|-|~|～)\s*", clause[out[-1].end : d.start]):
            last = out[-1]
            due = d.due if last.due and d.due else None
            out[-1] = DateMatch(last.start, d.end, clause[last.start : d.end], due)
        else:
            out.append(d)
    return out


def _segments(clause: str, year: int) -> list[tuple[str, list[tuple[int, int, str, dt.date | None]]]]:
    """Cut a clause before each date phrase after the first: one segment per date."""
    dates = _merge_ranges(clause, find_dates(clause, year))
    if len(dates) <= 1:
        return [(clause, [(d.start, d.end, d.text, d.due) for d in dates])]
    cuts = [0] + [d.start for d in dates[1:]] + [len(clause)]
    out = []
    for i, d in enumerate(dates):
        seg = clause[cuts[i] : cuts[i + 1]].strip("，、 ")
        out.append((seg, [(d.start - cuts[i], d.end - cuts[i], d.text, d.due)]))
    return out


def _drafts_of(segment: str, due: dt.date | None, due_text: str, start: int) -> list[_Draft]:
    """One milestone per segment, or two when `A并完成投资X亿元` joins a step and an amount."""
    key = segment[start:]
    kind, amount = _kind_and_amount(segment)
    if "并" in segment[start:]:
        head, _, tail = segment.partition("并")
        head_kind, head_amount = _kind_and_amount(head)
        tail_kind, tail_amount = _kind_and_amount(tail)
        if (head_amount is None) != (tail_amount is None) and head_kind != tail_kind:
            tail_text = tail if find_dates(tail, 2000) else f"{due_text}{tail}"
            return [
                _Draft(head, due, due_text, head_kind, head_amount, head[start:]),
                _Draft(tail_text, due, due_text, tail_kind, tail_amount, tail),
            ]
    return [_Draft(segment, due, due_text, kind, amount, key)]


def _analyse(body: str, year: int, where: str, warnings: list[str]) -> tuple[list[_Draft], list[str]]:
    """Return the dated milestones and the undated requirements of a task's text."""
    drafts: list[_Draft] = []
    requirements: list[str] = []
    for sentence in _split_outside_brackets(body, "。；"):
        clauses = _split_outside_brackets(sentence, "，")
        run: list[str] = []
        prefix = ""
        last_dated = False
        for index, clause in enumerate(clauses):
            if prefix:
                clause = f"{prefix}，{clause}"
                prefix = ""
            dates = find_dates(clause, year)
            if not dates:
                if _PURPOSE.match(clause) and index < len(clauses) - 1:
                    prefix = clause
                    continue
                if last_dated and _CONTINUATION.match(clause):
                    drafts[-1].text = f"{drafts[-1].text}，{clause}"
                    continue
                run.append(clause)
                last_dated = False
                continue
            unreadable = [d for d in dates if d.due is None]
            if unreadable:
                for d in unreadable:
                    warnings.append(
                        f"{where}：无法识别时间表述“{d.text}”，该句已作为常态化要求保留：{clause}"
                    )
                run.append(clause)
                last_dated = False
                continue
            if run:
                requirements.append("，".join(run))
                run = []
            for segment, found in _segments(clause, year):
                start, _end, text, due = found[0]
                drafts.extend(_drafts_of(segment, due, text, start))
            last_dated = True
        if prefix:
            run.append(prefix)
        if run:
            requirements.append("，".join(run))
    return drafts, requirements


# ---------------------------------------------------------------- building the plan


def _item_label(node: _ItemNode) -> str:
    section = "重点项目" if node.section is Section.PROJECT else "其它重点任务"
    return f"{section}（{cn_numeral(node.no)}）"


def _name_and_target(lead: str) -> tuple[str, float | None, str, str]:
    """Return the item's name, target (亿元), target note and the lead text after the target."""
    m = _TARGET.search(lead)
    # "。" alone splits into nothing: the item then has no name in its text
    first_sentence = next(iter(_split_outside_brackets(lead, "。")), "")
    if m is None:
        return first_sentence.rstrip("，；："), None, "", lead
    before = lead[: m.start()]
    name = _split_outside_brackets(before, "，。；")[0] if before.strip("，。； ") else first_sentence
    if m.group("year") and name.endswith(m.group("year")):
        name = name[: -len(m.group("year"))]
    name = re.sub(r"\d{4}年?$", "", name).rstrip("，；：,")
    value = float(m.group("num"))
    target = value if m.group("unit").startswith("亿") else round(value / 10000, 6)
    rest = lead[m.end() :].lstrip("，。；")
    return name or first_sentence, target, m.group("note") or "", rest


def _restating_task(draft: _Draft, tasks: list[Task]) -> Task | None:
    words = [w for w in _STEP_WORDS if w in draft.key] or [w for w in ("入统", "入库") if w in draft.key]
    for word in words:
        for task in tasks:
            if word in task.text:
                return task
    return None


def _visible_text(text: str, units: _Units, config: Config) -> str:
    """Keep a group phrase (各产业招商服务中心) visible on the task, as the document wrote it."""
    groups = [p for p in units.phrases if group_phrases(p, config)]
    return text + "".join(f"（{p}）" for p in groups)


_Drafted = list[tuple[Task, list[_Draft]]]


def _numbered_tasks(node: _ItemNode, code: str, where: str, item_units: _Units, year: int,
                    config: Config, warnings: list[str]) -> _Drafted:
    out: _Drafted = []
    for seq, tnode in enumerate(node.tasks, start=1):
        ttext, tunits = _take_units(tnode.text, config)
        units = tunits or (tnode.units if tnode.units.units else item_units)
        if tunits and tnode.units.units:
            units.merge(tnode.units)
        drafts, reqs = _analyse(ttext, year, f"{where}第{seq}项", warnings)
        task = Task(code=f"{code}-{seq}", no=seq, text=_visible_text(ttext, units, config),
                    units=list(units.units), lead_units=list(units.lead), requirements=reqs)
        out.append((task, drafts))
    return out


def _tasks_of(node: _ItemNode, code: str, where: str, lead_text: str, rest: str, item_units: _Units,
              year: int, config: Config, warnings: list[str]) -> _Drafted:
    """Return the item's tasks with their draft milestones: its body as task 0 when it has no
    numbered tasks; else the numbered tasks, after a task 0 for dated clauses of the lead."""
    if not node.tasks:
        drafts, reqs = _analyse(rest, year, where, warnings)
        task = Task(code=f"{code}-0", no=0, text=_visible_text(lead_text, item_units, config),
                    units=list(item_units.units), lead_units=list(item_units.lead),
                    requirements=reqs)
        return [(task, drafts)]
    numbered = _numbered_tasks(node, code, where, item_units, year, config, warnings)
    lead_drafts, lead_reqs = _analyse(rest, year, where, warnings)
    if not lead_drafts:
        return numbered
    tasks = [t for t, _ in numbered]
    source = _restating_task(lead_drafts[0], tasks) or tasks[-1]
    task0 = Task(code=f"{code}-0", no=0, text=rest, units=list(source.units),
                 lead_units=list(source.lead_units), requirements=lead_reqs)
    return [(task0, lead_drafts), *numbered]


def _add_tasks(item: Item, drafted: _Drafted, where: str, warnings: list[str]) -> None:
    """Number the milestones within the item in document order and attach the tasks."""
    seq = 0
    for task, drafts in drafted:
        for d in drafts:
            seq += 1
            task.milestones.append(Milestone(
                code=f"{item.code}-M{seq:02d}", due=d.due, text=d.text, kind=d.kind,
                amount_yi=d.amount_yi, units=list(task.units), due_text=d.due_text,
            ))
        if not task.units:
            label = where if task.no == 0 else f"{where}第{task.no}项"
            warnings.append(f"{label}：未写明责任单位，请在总表“任务”表中补填")
        item.tasks.append(task)


def _build(parser: _Parser, title: str, year: int, config: Config) -> ImportResult:
    warnings: list[str] = []
    items: list[Item] = []
    counters = {Section.PROJECT: 0, Section.TASK: 0}
    nameless: list[str] = []
    for node in parser.items:
        lead_text, lead_units = _take_units(node.text, config)
        item_units = node.units if node.units.units else (lead_units or _Units())
        if lead_units and node.units.units:
            item_units.merge(lead_units)
        name, target, note, rest = _name_and_target(lead_text)
        if not parser.has_sections:
            # no 一、重点项目 / 二、其它重点任务 headings: an item with a target is a project
            node.section = Section.PROJECT if target is not None else Section.TASK
        counters[node.section] += 1
        code = f"{'P' if node.section is Section.PROJECT else 'T'}{counters[node.section]:02d}"
        where = f"{_item_label(node)}{name[:20]}"
        if not name:
            nameless.append(_item_label(node))
        if node.section is Section.PROJECT and target is None:
            warnings.append(f"{where}：未找到年度投资任务（如“2024年工业投资任务3亿元以上”），"
                            "请在总表“项目”表中补填")
        if not note:
            found = _NOTE.search(node.text + "".join(t.text for t in node.tasks))
            note = found.group(1) if found else ""
        item = Item(code=code, no=node.no, section=node.section, name=name,
                    target_yi=target, target_note=note, text=lead_text)
        drafted = _tasks_of(node, code, where, lead_text, rest, item_units, year, config, warnings)
        _add_tasks(item, drafted, where, warnings)
        items.append(item)
    if nameless:
        raise PlanError(f"以下条目只有编号、没有名称：{'、'.join(nameless)}。"
                        "请在文件中补写名称（或删去空条目）后重新导入")
    plan = Plan(year=year, title=title, version="", items=items, units=_plan_units(items, config))
    plan.version = plan_version(plan)
    return ImportResult(plan=plan, warnings=warnings)


def _plan_units(items: list[Item], config: Config) -> list[Unit]:
    names: dict[str, None] = {}
    for item in items:
        for task in item.tasks:
            for u in task.units:
                names.setdefault(u, None)
            for m in task.milestones:
                for u in m.units:
                    names.setdefault(u, None)
    return [Unit(name=n, aliases=list(config.units.aliases.get(n, []))) for n in names]


def _year_of(title: str, lines: list[str]) -> int | None:
    m = re.search(r"(\d{4})\s*年", title) or re.search(r"(20\d{2})", title)
    if m:
        return int(m.group(1))
    for line in lines:
        m = re.search(r"(20\d{2})\s*年?", line)
        if m:
            return int(m.group(1))
    return None


def import_lines(raw_lines: list[str], config: Config, name: str = "") -> ImportResult:
    """Return the plan read from the lines of a task-breakdown document."""
    # "（首位单位为牵头单位，下同）": in every 牵头单位 list of the document only the first leads
    normalized = [normalize_text(line) for line in raw_lines]
    first_leads = any(_UNIT_NOTE.search(line) for line in normalized)
    lines = [_normalize_line(line, first_leads) for line in normalized]
    parser = _Parser(config)
    for line in lines:
        parser.feed(line)
    if not parser.items:
        raise PlanError(
            f"{name or '该文件'} 中没有找到任务条目（如“（一）……”或“1.……”），"
            "请确认这是任务分解文件"
        )
    title = _title(parser.title_lines, Path(name).stem if name else "任务分解")
    year = _year_of(title, lines)
    if year is None:
        raise PlanError(f"{name or '该文件'} 的标题和正文中都没有年份（如“2024年”），无法确定计划年度")
    return _build(parser, title, year, config)


def _normalize_line(s: str, first_leads: bool = False) -> str:
    """Return a line (as `normalize_text` left it) ready for the parser."""
    # a half-width comma between Chinese words is a 逗号; between digits it is a thousands mark
    if "," in s:
        s = re.sub(r",(?!\d)|(?<!\d),", "，", s)
    if _PERSON_LINE.match(s):
        return ""
    s = _OTHER_BRACKETS.sub(r"（\1）", s)
    s = _UNIT_NOTE.sub("", s)
    if first_leads:
        s = s.replace("牵头单位：", "责任单位：")
    s = _PERSON_BEFORE.sub("", s)
    return _PERSON_AFTER.sub("", s)


def import_document(path: Path, config: Config) -> ImportResult:
    """Return the plan read from a task-breakdown document (.docx, .doc, .wps, .rtf, .odt,
    .txt) or a spreadsheet task table (.xlsx, .xls, .ods), and its warnings."""
    if path.is_file() and path.suffix.lower() in SHEET_SUFFIXES:
        lines, notes = lines_from_sheet(path)
        result = import_lines(lines, config, path.name)
        result.source_notes = notes
        return result
    return import_lines(_read_lines(path), config, path.name)
