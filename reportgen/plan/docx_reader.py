"""Read a .docx task-breakdown document as plain lines, list numbers and tables included.

Word keeps automatic list numbers (（一）, 1.) out of the paragraph text: they live in
numbering.xml and are drawn when the document is shown. This module computes them the way
Word does (counter per list and level, deeper levels restarting, %1/%2 in the level text)
and puts them back in front of the text, so the same lines reach the parser as from a .txt.
Table rows become an item line, its unit lines, then its task lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.cn import CIRCLED_DIGITS, cn_numeral, find_dates
from reportgen.errors import PlanError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(el: Any, tag: str) -> str | None:
    child = el.find(f"{_W}{tag}") if el is not None else None
    return child.get(f"{_W}val") if child is not None else None


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Numbering:
    """Level definitions and running counters of every list in the document."""

    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, str] = field(default_factory=dict)  # numId -> abstractNumId
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId -> level -> start
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # abstractNumId -> counts
    seen: set[str] = field(default_factory=set)
    # paragraph style id -> the numPr it (or a style it is based on) gives, found once per style:
    # python-docx looks the default paragraph style up by scanning every style of the document
    style_num_pr: dict[str | None, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Any) -> _Numbering:
        out = cls()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return out
        for absnum in root.findall(f"{_W}abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in absnum.findall(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                start = _val(lvl, "start")
                levels[ilvl] = _Level(
                    fmt=_val(lvl, "numFmt") or "decimal",
                    text=_val(lvl, "lvlText") or "",
                    start=int(start) if start and start.isdigit() else 1,
                )
            out.abstract[absnum.get(f"{_W}abstractNumId", "")] = levels
        for num in root.findall(f"{_W}num"):
            num_id = num.get(f"{_W}numId", "")
            out.nums[num_id] = _val(num, "abstractNumId") or ""
            for override in num.findall(f"{_W}lvlOverride"):
                start = _val(override, "startOverride")
                if start and start.isdigit():
                    ilvl = int(override.get(f"{_W}ilvl", "0"))
                    out.overrides.setdefault(num_id, {})[ilvl] = int(start)
        return out

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance the list `num_id` at level `ilvl` and return the number as drawn."""
        abs_id = self.nums.get(num_id)
        if abs_id is None or abs_id not in self.abstract:
            return ""
        levels = self.abstract[abs_id]
        counts = self.counters.setdefault(abs_id, {})
        if num_id not in self.seen:
            self.seen.add(num_id)
            # a list instance with a start override begins afresh (Word's "restart numbering")
            for lvl, start in self.overrides.get(num_id, {}).items():
                counts[lvl] = start - 1
        level = levels.get(ilvl, _Level())
        counts[ilvl] = counts.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        if level.fmt in ("bullet", "none"):
            return ""

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, _Level())
            return _format(counts.get(k, lv.start), lv.fmt)

        return re.sub(r"%([1-9])", number, level.text)


_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def _format(n: int, fmt: str) -> str:
    if fmt.startswith("chinese") or fmt in ("ideographDigital", "japaneseCounting",
                                            "taiwaneseCounting", "taiwaneseCountingThousand"):
        return cn_numeral(n) if n >= 0 else str(n)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= len(CIRCLED_DIGITS):
        return CIRCLED_DIGITS[n - 1]
    if fmt == "ideographTraditional" and 1 <= n <= len(_TIANGAN):
        return _TIANGAN[n - 1]
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    return str(n)


def _style_num_pr(paragraph: Any) -> Any:
    """Return the numPr a paragraph's style (or a style it is based on) gives, else None."""
    style = paragraph.style
    while style is not None:
        s_ppr = style.element.pPr
        if s_ppr is not None and s_ppr.numPr is not None:
            return s_ppr.numPr
        style = style.base_style
    return None


def _num_pr(paragraph: Any, numbering: _Numbering) -> tuple[str, int] | None:
    """Return (numId, level) of a paragraph's list numbering, from it or from its style."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    if num_pr is None:
        style_id = paragraph._p.style
        if style_id not in numbering.style_num_pr:
            numbering.style_num_pr[style_id] = _style_num_pr(paragraph)
        num_pr = numbering.style_num_pr[style_id]
    if num_pr is None or num_pr.numId is None:
        return None
    num_id = str(num_pr.numId.val)
    if num_id == "0":
        return None
    ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return num_id, int(ilvl)


def _paragraph_lines(paragraph: Any, numbering: _Numbering) -> list[str]:
    """Return a paragraph as lines (a manual line break starts a new one), numbered first."""
    lines = paragraph.text.split("\n")
    found = _num_pr(paragraph, numbering)
    if found and paragraph.text.strip():
        lines[0] = numbering.label(*found) + lines[0].strip()
    return lines


# ---------------------------------------------------------------- tables

_LEAD_HEAD = ("牵头单位", "主要责任单位", "牵头部门", "责任单位", "责任部门")
_SUPPORT_HEAD = ("配合", "协同", "协助")
# people, not units: 责任领导 / 分管领导 / 牵头领导 / 责任人 / 联系人 columns are not read
_PERSON_HEAD = ("领导", "责任人", "联系人", "负责人", "联系电话", "电话")
_DUE_HEAD = ("完成时限", "时间节点", "完成时间", "时限", "截止时间", "计划完成时间")
_CONTENT_HEAD = ("措施", "内容", "任务", "进度安排", "目标")  # 推进措施及时间节点 is content
ROLE_LABEL = {"no": "序号", "name": "名称", "target": "年度投资任务", "lead": "牵头（责任）单位",
              "support": "配合单位", "content": "任务内容", "due": "完成时限", "person": "（不读取）"}


def column_roles(header: list[str]) -> dict[str, list[int]]:
    """Return role → column indexes of a task table's header (序号, 名称, units, content …)."""
    roles: dict[str, list[int]] = {k: [] for k in ROLE_LABEL}
    for i, h in enumerate(header):
        h = re.sub(r"\s+", "", h)
        if not h:
            roles["content"].append(i)
        elif h in ("序号", "编号") or h.startswith("序号"):
            roles["no"].append(i)
        elif any(k in h for k in _PERSON_HEAD):
            roles["person"].append(i)
        elif any(k in h for k in _SUPPORT_HEAD):
            roles["support"].append(i)
        elif any(k in h for k in _LEAD_HEAD):
            roles["lead"].append(i)
        elif any(k in h for k in _DUE_HEAD) and not any(k in h for k in _CONTENT_HEAD):
            roles["due"].append(i)
        elif "投资" in h and any(k in h for k in ("任务", "目标", "计划")):
            roles["target"].append(i)
        elif "名称" in h or h in ("项目", "重点项目", "重点任务"):
            roles["name"].append(i)
        else:
            roles["content"].append(i)
    return roles


def _cell_lines(cell: Any, numbering: _Numbering) -> list[str]:
    return [line.strip() for p in cell.paragraphs for line in _paragraph_lines(p, numbering)
            if line.strip()]


def is_task_table(header: list[str]) -> bool:
    """Return True when a header names units (a task table), not just any table."""
    roles = column_roles(header)
    return bool(roles["lead"] or roles["support"])


def _table_lines(table: Any, numbering: _Numbering) -> list[str]:
    """Return the lines of a task table (or its plain text when it is not one)."""
    rows = table.rows
    if not rows:
        return []
    header = [re.sub(r"\s+", "", c.text) for c in rows[0].cells]
    cells = [[_cell_lines(c, numbering) for c in row.cells] for row in rows[1:]]
    if not is_task_table(header):
        # not a task table: read its text as paragraphs
        return [line for row in [[_cell_lines(c, numbering) for c in rows[0].cells], *cells]
                for c in row for line in c]
    return table_lines(header, cells)


def _join_units(lines: list[str]) -> str:
    """One unit per line or paragraph in a cell: join them as a list, not glued together."""
    return "、".join(line.strip("、，,；; ") for line in lines if line.strip("、，,；; "))


def _record(header: list[str], roles: dict[str, list[int]], cells: list[list[str]]) -> _Row | None:
    def lines(key: str) -> list[str]:
        return [line for i in roles[key] if i < len(cells) for line in cells[i]]

    def joined(key: str, sep: str) -> str:
        return sep.join("".join(cells[i]) for i in roles[key] if i < len(cells) and cells[i])

    content = lines("content")
    due = joined("due", "")
    if due and content and not find_dates("".join(content), 2000):
        content[0] = f"{due.removesuffix('前')}前{content[0]}"
    name = joined("name", "，")
    if not name and not content:
        return None
    units = []
    lead_key = "牵头单位" if any(
        "牵头" in header[i] or "主要" in header[i] for i in roles["lead"]) else "责任单位"
    if lead := "、".join(_join_units(cells[i]) for i in roles["lead"] if i < len(cells) and cells[i]):
        units.append(f"{lead_key}：{lead}")
    if support := "、".join(_join_units(cells[i]) for i in roles["support"]
                           if i < len(cells) and cells[i]):
        units.append(f"配合单位：{support}")
    return _Row(joined("no", ""), name, joined("target", ""), content, units)


def table_lines(header: list[str], rows: list[list[list[str]]]) -> list[str]:
    """Return the lines of a task table given its header and, per row, each cell's lines."""
    roles = column_roles(header)
    target_unit = "万元" if any("万" in header[i] for i in roles["target"]) else "亿元"
    records: list[_Row] = []
    previous: tuple[tuple[str, ...], ...] = ()
    for cells in rows:
        key = tuple(tuple(c) for c in cells)
        if not any(cells) or key == previous:  # blank row, or a row fully merged with the last
            continue
        previous = key
        if ["".join(c).replace(" ", "") for c in cells] == header:
            continue  # the header repeated at the top of each printed page
        section = _section_row(cells)
        if section:
            records.append(_Row("", section, "", [], [], section=True))
            continue
        record = _record(header, roles, cells)
        if record is None:
            continue
        last = records[-1] if records and not records[-1].section else None
        if last and not (record.no or record.name or record.target) and record.content:
            # a sub-row under merged 序号/名称 cells (a spreadsheet leaves them empty): a task of
            # the row above, with its units unless it names its own
            record.no, record.name, record.target = last.no, last.name, last.target
            record.units = record.units or list(last.units)
        records.append(record)
    return _records_lines(records, target_unit)


_SECTION_ROW = re.compile(r"^[一二三四五六七八九十]+、\S")


def _section_row(cells: list[list[str]]) -> str:
    """Return the text of a row spanning the table (merged across: every filled cell says the
    same, or only one is filled) that heads a section such as 一、产业项目; else ""."""
    texts = {"".join(c) for c in cells if c}
    if len(texts) != 1:
        return ""
    text = texts.pop()
    return text if _SECTION_ROW.match(text) and len(text) <= 40 else ""


def _records_lines(records: list[_Row], target_unit: str) -> list[str]:
    out: list[str] = []
    count = 0
    i = 0
    while i < len(records):
        first = records[i]
        if first.section:
            out.append(first.name)
            count = 0  # numbering restarts in each section
            i += 1
            continue
        # rows of one item merged vertically (序号 and 名称 repeat): each row is one of its tasks
        group = [first]
        while (first.name and i + len(group) < len(records)
               and records[i + len(group)].key == first.key):
            group.append(records[i + len(group)])
        i += len(group)
        content = list(first.content)
        head = first.name or content.pop(0)
        target = first.target
        if target:
            if re.fullmatch(r"[\d.．]+", target):
                target += target_unit
            head = f"{head}，年度投资任务{target}。"
        elif content and not head.endswith(("。", "；")):
            head = f"{head}。"  # the name cell ends where the content cell begins
        count = int(first.no) if first.no.isdigit() else count + 1
        out.append(f"（{cn_numeral(count)}）{head}")
        if len(group) == 1:
            # unit lines before the task lines, so that they apply to the whole row
            out.extend(first.units)
            out.extend(content)
            continue
        for k, row in enumerate(group, start=1):
            lines = list(row.content) or [""]
            if not re.match(r"^\d{1,2}[.、]", lines[0]):
                lines[0] = f"{k}.{lines[0]}"
            out.extend(lines)
            out.extend(row.units)  # after the task line: they are that task's units
    return out


@dataclass
class _Row:
    no: str
    name: str
    target: str
    content: list[str]
    units: list[str]
    section: bool = False  # a row spanning the table that heads a section (一、产业项目)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.no, self.name, self.target)


def lines_from_docx(path: Path) -> list[str]:
    """Return the document's paragraphs and table rows as lines, list numbers included."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise PlanError(f"{path.name} 不是有效的 Word 文件（.docx）：{exc}") from exc
    numbering = _Numbering.of(document)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block, numbering))
        else:
            lines.extend(_paragraph_lines(block, numbering))
    return lines
