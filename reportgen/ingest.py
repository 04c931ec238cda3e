"""Submission files → Submissions + Issues: exact where the unit followed the form, forgiving
where the meaning is clear, and loud and specific where it is not.

Files are read into memory once (never opened for writing), checked byte-wise by
`reportgen.safety`, then read with python-calamine, which gets Chinese date formats right and
reads .xlsx/.xlsm/.xls/.ods alike. Layout: `reportgen.formspec`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import html
import io
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from reportgen import formspec as fs
from reportgen.config import Config
from reportgen.errors import WorkspaceError
from reportgen.model import (
    METRIC_LABEL,
    REPORTED_LABEL,
    FigureReport,
    Issue,
    Item,
    Metric,
    Milestone,
    MilestoneReport,
    Plan,
    Reported,
    Severity,
    Submission,
    period_end,
)
from reportgen.safety import (
    Inspection,
    clip_cells,
    dtd_issue,
    far_cells,
    has_dtd,
    inspect_bytes,
    members_of,
    raw_member,
    read_member,
    replace_member,
)

# Files no one submitted: office lock files and system clutter.
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
# Process pool pays off only for a batch this large (files, and bytes read in all).
_POOL_MIN_FILES = 64
_POOL_MIN_BYTES = 4 * 1024 * 1024

# full-width forms to ASCII, and every kind of blank removed, in one str.translate
_NORMALISE: dict[int, int | None] = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {
    ord(c): None for c in " \t\n\r\x0b\x0c\xa0\u3000\u2002\u2003\u2009\u200b\ufeff"
}
_NUMBER = re.compile(r"^(约|大约|约为|近|接近)?([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)(亿元|亿|万元|万|元)?$")
_DATE_YMD = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_MD = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_TITLE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月.*?[（(]\s*(.+?)\s*[）)]\s*$")
_FIGURE_CODE = re.compile(r"^([PT]\d{2,4})(?:/(invest|invoice))?$")
_PERIOD = re.compile(r"^\d{4}-\d{2}$")
_MILESTONE_CODE = re.compile(r"^[PT]\d{2,4}-M\d{2,3}$")
_CELL_WITH_BODY = re.compile(rb'<c\b([^>]*?)(?<!/)>(.*?)</c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_HAS_VALUE = re.compile(rb"<v>[^<]")
_FORMULA_TEXT = re.compile(rb"<f[^>]*>([^<]*)</f>")
_REL = re.compile(rb"<Relationship\b[^>]*>")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')

# Words people type for the dropdown's choices; exact labels first.
STATUS_WORDS: dict[str, Reported] = {
    **{label: r for r, label in REPORTED_LABEL.items()},
    "完成": Reported.DONE, "完成了": Reported.DONE, "已经完成": Reported.DONE,
    "全部完成": Reported.DONE, "已完工": Reported.DONE, "完工": Reported.DONE,
    "已办结": Reported.DONE, "办结": Reported.DONE, "已落实": Reported.DONE, "已到位": Reported.DONE,
    "进行中": Reported.ONGOING, "正在推进": Reported.ONGOING, "正常推进": Reported.ONGOING,
    "推进": Reported.ONGOING, "在推进": Reported.ONGOING, "正在进行": Reported.ONGOING,
    "按计划推进": Reported.ONGOING, "有序推进": Reported.ONGOING, "正在办理": Reported.ONGOING,
    "办理中": Reported.ONGOING, "实施中": Reported.ONGOING, "已启动": Reported.ONGOING,
    "未开始": Reported.NOT_STARTED, "尚未启动": Reported.NOT_STARTED, "没有启动": Reported.NOT_STARTED,
    "未开展": Reported.NOT_STARTED, "尚未开始": Reported.NOT_STARTED, "未开工": Reported.NOT_STARTED,
    "阻滞": Reported.BLOCKED, "受阻滞": Reported.BLOCKED, "停滞": Reported.BLOCKED,
    "暂停": Reported.BLOCKED, "推进受阻": Reported.BLOCKED, "存在困难": Reported.BLOCKED,
}
_NEGATION = ("未", "没", "不", "无", "尚")


@dataclass
class FileRead:
    """One file of the batch as read: its submission (None when nothing was taken) and issues."""

    path: Path
    name: str  # path relative to the batch folder, as shown to people
    submission: Submission | None = None
    issues: list[Issue] = field(default_factory=list)
    used: bool = False  # False when rejected or superseded by a newer file of the unit


@dataclass
class IngestResult:
    """A period's batch: one submission per unit that reported, and every problem found."""

    submissions: list[Submission] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)
    files: list[FileRead] = field(default_factory=list)  # every file looked at, in name order
    expected_units: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- plan index


@dataclass
class _Index:
    """Look-ups over the plan, built once per batch."""

    plan: Plan
    config: Config
    units: list[str]  # units that get a form, in plan order
    items: dict[str, Item]
    milestones: dict[str, Milestone]
    unit_names: dict[str, str]  # normalised name or alias -> canonical name
    figure_keys: dict[str, list[str]]  # unit -> expected figure keys
    figure_leads: dict[str, str]  # figure key -> the unit whose figure counts
    milestone_codes: dict[str, list[str]]  # unit -> expected milestone codes
    item_by_name: dict[str, str]
    milestone_by_text: dict[tuple[str, str], str]  # (item code, normalised clause) -> code

    @classmethod
    def build(cls, plan: Plan, config: Config) -> _Index:
        from reportgen.forms import all_unit_rows

        names: dict[str, str] = {}
        for known in plan.units:
            for n in (known.name, *known.aliases):
                names[_norm(n)] = known.name
        for canon, aliases in config.units.aliases.items():
            for n in (canon, *aliases):
                names.setdefault(_norm(n), canon)
        # every unit's rows in one pass over the plan (per unit it grows as units × plan)
        all_rows = all_unit_rows(plan, config)
        units = [u for u, r in all_rows.items() if not r.empty]
        figure_keys: dict[str, list[str]] = {}
        milestone_codes: dict[str, list[str]] = {}
        leads: dict[str, str] = {}
        for unit in units:
            names.setdefault(_norm(unit), unit)
            rows = all_rows[unit]
            figure_keys[unit] = [fr.key for fr in rows.figures]
            milestone_codes[unit] = [mr.milestone.code for mr in rows.milestones]
            leads.update({fr.key: fr.lead for fr in rows.figures})
        return cls(
            plan=plan,
            config=config,
            units=units,
            items={it.code: it for it in plan.items},
            milestones={m.code: m for m in plan.milestones},
            unit_names=names,
            figure_keys=figure_keys,
            figure_leads=leads,
            milestone_codes=milestone_codes,
            item_by_name={_norm(it.name): it.code for it in plan.items},
            milestone_by_text={
                (m.code.split("-")[0], _norm(m.text)): m.code for m in plan.milestones
            },
        )

    def unit(self, text: str) -> str | None:
        """Return the canonical unit a name or alias stands for."""
        return self.unit_names.get(_norm(text))

    def unit_in(self, text: str) -> str | None:
        """Return the unit whose name or alias is the longest one contained in `text`."""
        t = _norm(text)
        best: tuple[int, str] | None = None
        found: set[str] = set()
        for name, canon in self.unit_names.items():
            if name and name in t:
                found.add(canon)
                if best is None or len(name) > best[0]:
                    best = (len(name), canon)
        if best is None:
            return None
        # two different units named: only trust the longest when it contains the others
        longest = best[1]
        others = {u for u in found if u != longest}
        if any(_norm(o) not in _norm(longest) for o in others):
            return None
        return longest


def expected_units(plan: Plan, config: Config) -> list[str]:
    """Return the units that get a form and so are expected to report, in plan order."""
    from reportgen.forms import form_units

    return form_units(plan, config)


# ---------------------------------------------------------------- small parsers


@functools.lru_cache(maxsize=65536)  # the same labels and codes recur in every file
def _norm_str(text: str) -> str:
    return text.translate(_NORMALISE)


def _norm(text: Any) -> str:
    """Return text with full-width characters made half-width and all whitespace removed."""
    return _norm_str(text if isinstance(text, str) else str(text))


def _code(value: Any) -> str:
    """Return a row code as written in forms: `P07-M03`, `P07/invest`."""
    return _code_str(value) if isinstance(value, str) else _code_str(_text(value))


@functools.lru_cache(maxsize=65536)
def _code_str(value: str) -> str:
    head, _, tail = _norm(value).partition("/")
    return head.upper() + ("/" + tail.lower() if tail else "")


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def col_letter(col: int) -> str:
    """Return the Excel column letters of a 0-based column index."""
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


@functools.lru_cache(maxsize=8192)
def _addr(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def _ref_to_rc(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters) :]) - 1, col - 1


@dataclass
class _Parsed:
    """A value read from a cell, with what to say about it."""

    value: Any = None
    code: str = ""  # issue code when something must be said
    message: str = ""
    severity: Severity = Severity.ERROR


def parse_amount(value: Any, in_wan: bool = False) -> _Parsed:
    """Return a cell's amount in 亿元, or the reason it cannot be taken."""
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        return _Parsed(code="bad_number", message=f"填写的是“{_text(value)}”，应为以亿元计的数字")
    if isinstance(value, (int, float)):
        number = float(value)
        unit = "万元" if in_wan else ""
        approx = False
    else:
        raw = _norm(value).replace(",", "")
        m = _NUMBER.match(raw)
        if not m:
            return _Parsed(
                code="bad_number",
                message=f"填写的“{value}”无法识别为金额，应为以亿元计的数字（如 1.2）",
            )
        number = float(m.group(2))
        unit = m.group(3) or ("万元" if in_wan else "")
        approx = bool(m.group(1))
    if number != number or number in (float("inf"), float("-inf")):
        return _Parsed(code="bad_number", message="填写的数值无效，应为以亿元计的数字")
    if number < 0:
        return _Parsed(code="negative", message=f"累计金额为负数（{_text(value)}），应为不小于0的亿元数")
    factor = {"万元": 1e-4, "万": 1e-4, "元": 1e-8}.get(unit, 1.0)
    result = round(number * factor, 6)
    if approx:
        return _Parsed(
            result, "approximate",
            f"填写的“{value}”是约数，已按 {result:g} 亿元读取；累计完成额应填确数",
            Severity.WARNING,
        )
    return _Parsed(result)


def parse_date(value: Any, year: int) -> _Parsed:
    """Return a cell's date (text, serial or date cell), or the reason it cannot be taken."""
    if isinstance(value, dt.datetime):
        return _Parsed(value.date())
    if isinstance(value, dt.date):
        return _Parsed(value)
    bad = _Parsed(
        code="bad_date",
        message=f"填写的“{_text(value)}”无法识别为日期，应写作 {year}-6-15 或 {year}年6月15日",
    )
    if isinstance(value, bool):
        return bad
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            value = str(int(value))
        elif 20000 < value < 80000:
            return _Parsed(dt.date(1899, 12, 30) + dt.timedelta(days=int(value)))
        else:
            return bad
    text = _norm(value)
    try:
        if m := _DATE_YMD.match(text) or _DATE_COMPACT.match(text):
            return _Parsed(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        if m := _DATE_MD.match(text):
            return _Parsed(dt.date(year, int(m.group(1)), int(m.group(2))))
    except ValueError:
        return _Parsed(code="bad_date", message=f"填写的“{_text(value)}”不是有效日期（该月没有这一天）")
    return bad


def parse_status(value: Any) -> _Parsed:
    """Return what a status cell says as `Reported`, or the reason it cannot be taken."""
    text = _norm(value).strip("。.，,；;")
    if text in STATUS_WORDS:
        return _Parsed(STATUS_WORDS[text])
    from rapidfuzz import fuzz, process

    # a negation word anywhere (完不成, 未完成) never matches a positive choice, nor the reverse
    negated = any(n in text for n in _NEGATION)
    choices = [w for w in STATUS_WORDS if any(n in w for n in _NEGATION) == negated]
    found = process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=75)
    if found is not None:
        status = STATUS_WORDS[found[0]]
        label = REPORTED_LABEL[status]
        return _Parsed(status, "status_mapped", f"填写的“{value}”已按“{label}”读取", Severity.INFO)
    words = "、".join(fs.STATUS_CHOICES)
    return _Parsed(code="bad_status", message=f"填写的“{value}”不是有效的完成状态，应为：{words}")


# ---------------------------------------------------------------- the workbook as grids


@dataclass
class _Sheet:
    name: str
    rows: list[list[Any]]
    # formula cells with no saved result: looked up only when a cell we read comes back empty
    formulas: Callable[[], dict[tuple[int, int], str]] = dict
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    notes: set[int] = field(default_factory=set)  # rows that are one wide merged note
    reported: set[tuple[int, int]] = field(default_factory=set)

    def get(self, r: int, c: int) -> Any:
        row = self.rows[r] if r < len(self.rows) else ()
        return row[c] if c < len(row) else ""

    def blank_formula(self, r: int, c: int, ctx: _Ctx) -> bool:
        """Return True, reporting it once, when an empty cell is a formula with no saved result."""
        if self.get(r, c) != "":
            return False
        formula = self.formulas().get((r, c))
        if formula is None:
            return False
        if (r, c) not in self.reported:
            self.reported.add((r, c))
            ctx.add(
                Severity.ERROR, "formula_no_cache",
                f"单元格是公式（={formula}），但文件中没有保存计算结果，无法读取，未按0计；"
                "请在Excel中打开并保存后重新报送，或直接填写数值",
                self.name, _addr(r, c),
            )
        return True


class _Refused(Exception):
    """A part of the file, opened only now, must not be read at all."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


# Forms from one generator share workbook.xml and its rels byte for byte (compressed).
_PARTS_CACHE: dict[tuple[bytes, ...], dict[str, str]] = {}


class _Book:
    """Sheets of one workbook, loaded on first use."""

    def __init__(self, insp: Inspection, max_rows: int) -> None:
        self.wb = CalamineWorkbook.from_filelike(io.BytesIO(insp.payload))
        self.insp = insp
        self.max_rows = max_rows
        self.visible: list[str] = []
        self.names = list(self.wb.sheet_names)
        for meta in self.wb.sheets_metadata:
            if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
                self.visible.append(meta.name)
        self._cache: dict[str, _Sheet] = {}
        self._formulas: dict[str, dict[tuple[int, int], str]] = {}
        self._xml_cache: dict[str, bytes] = {}
        self._part_names: dict[str, str] | None = None
        self.issues: list[Issue] = []

    def sheet(self, name: str) -> _Sheet:
        if name in self._cache:
            return self._cache[name]
        if self.insp.kind == "xlsx":
            self._guard(name)
        cs = self.wb.get_sheet_by_name(name)
        rows = cs.to_python(skip_empty_area=False, nrows=self.max_rows + 1)
        truncated = self._truncated_rows(name)
        if len(rows) > self.max_rows or truncated:
            rows = rows[: self.max_rows]
            total = f"{truncated}行" if truncated else f"超过{self.max_rows}行"
            self.issues.append(
                Issue(
                    Severity.ERROR,
                    f"工作表有{total}，远超报送表应有的行数；只读取了前{self.max_rows}行，"
                    "请删除多余的行后重新报送",
                    "too_many_rows", sheet=name, cell=f"A{self.max_rows + 1}",
                )
            )
        sheet = _Sheet(name, rows, functools.partial(self._formula_cells, name))
        try:
            sheet.merged = [(a[0], a[1], b[0], b[1]) for a, b in cs.merged_cell_ranges or []]
        except Exception:  # merged ranges are unsupported for some formats
            sheet.merged = []
        _fill_merged(sheet)
        self._cache[name] = sheet
        return sheet

    def _xml(self, part: str) -> bytes:
        """Return a worksheet part's XML, inflated once."""
        if part not in self._xml_cache:
            self._xml_cache[part] = self._part(part) if part in self.insp.members else b""
        return self._xml_cache[part]

    def _guard(self, name: str) -> None:
        """Drop cells far outside any form before calamine sees them (it would allocate them all)."""
        part = self._parts().get(name, "")
        xml = self._xml(part) if part else b""
        if has_dtd(xml):
            raise _Refused(dtd_issue(part))
        far = far_cells(xml, self.max_rows)
        if not far:
            return
        clipped = clip_cells(self._xml(part), self.max_rows)
        payload = replace_member(self.insp.payload, part, clipped)
        self.insp = dataclasses.replace(self.insp, payload=payload, members=members_of(payload))
        self.wb = CalamineWorkbook.from_filelike(io.BytesIO(payload))
        self._xml_cache[part] = clipped
        if part not in self.insp.truncated_parts:  # else too_many_rows says it already
            more = f"等{len(far)}个" if len(far) > 1 else ""
            self.issues.append(
                Issue(
                    Severity.WARNING,
                    f"工作表在 {far[0]}{more}远离表格的单元格中有内容（超出第{self.max_rows}行或第ZZ列），"
                    "已忽略这些单元格；请删除多余内容后重新报送",
                    "far_cells", sheet=name, cell=far[0],
                )
            )

    def _truncated_rows(self, name: str) -> int:
        if not self.insp.truncated_parts:
            return 0
        part = self._parts().get(name, "")
        return self.insp.truncated_parts.get(part, 0)

    def _part(self, name: str) -> bytes:
        return read_member(self.insp.payload, self.insp.members[name])

    def _parts(self) -> dict[str, str]:
        """Return sheet name -> worksheet part of an .xlsx (both XML parts were checked for DTDs)."""
        if self._part_names is not None:
            return self._part_names
        members = self.insp.members
        if "xl/_rels/workbook.xml.rels" not in members or "xl/workbook.xml" not in members:
            self._part_names = {}  # .xlsb keeps these in binary parts
            return self._part_names
        key = tuple(
            raw_member(self.insp.payload, members[n]) for n in ("xl/_rels/workbook.xml.rels", "xl/workbook.xml")
        )
        cached = _PARTS_CACHE.get(key)
        if cached is not None:
            self._part_names = cached
            return cached
        targets = {}
        for rel in _REL.finditer(self._part("xl/_rels/workbook.xml.rels")):
            attrs = dict(_ATTR.findall(rel.group(0)))
            target = attrs.get(b"Target", b"").decode()
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[attrs.get(b"Id", b"")] = posixpath.normpath(target)
        out = {}
        for sheet in _SHEET_TAG.finditer(self._part("xl/workbook.xml")):
            attrs = dict(_ATTR.findall(sheet.group(0)))
            name = html.unescape(attrs.get(b"name", b"").decode())
            out[name] = targets.get(attrs.get(b"r:id", b""), "")
        if len(_PARTS_CACHE) > 1024:
            _PARTS_CACHE.clear()
        _PARTS_CACHE[key] = self._part_names = out
        return out

    def _formula_cells(self, name: str) -> dict[tuple[int, int], str]:
        """Return the sheet's formula cells that carry no cached value (xlsx only)."""
        if name in self._formulas:
            return self._formulas[name]
        found: dict[tuple[int, int], str] = {}
        part = self._parts().get(name, "") if self.insp.kind == "xlsx" else ""
        data = self._xml(part) if part else b""
        if b"<f>" in data or b"<f " in data:  # not <formula1> of a validation
            for m in _CELL_WITH_BODY.finditer(data):
                body = m.group(2)
                if b"<f" in body and not _HAS_VALUE.search(body):
                    ref = _CELL_REF.search(m.group(1))
                    if ref:
                        f = _FORMULA_TEXT.search(body)
                        text = html.unescape(f.group(1).decode("utf-8", "replace")) if f else ""
                        found[_ref_to_rc(ref.group(1).decode())] = text
        self._formulas[name] = found
        return found


def _fill_merged(sheet: _Sheet) -> None:
    """Give every cell of a merged range the value of its top-left cell, as people see it."""
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(sheet.rows) or (r0 == r1 and c0 == c1):
            continue
        if r0 == r1 and c1 - c0 >= 3:
            sheet.notes.add(r0)  # a sentence across the table, not data
            continue
        value = sheet.get(r0, c0)
        if value == "":
            continue
        for r in range(r0, min(r1, len(sheet.rows) - 1) + 1):
            row = sheet.rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


# ---------------------------------------------------------------- reading one file


@dataclass
class _Ctx:
    """What reading one file needs at hand."""

    index: _Index
    period: str
    name: str
    issues: list[Issue]
    unit: str = ""

    def add(self, severity: Severity, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        self.issues.append(Issue(severity, message, code, self.name, sheet, cell, self.unit))


def read_submission(
    path: Path,
    plan: Plan,
    config: Config,
    period: str,
    previous: Mapping[str, float] | None = None,
    name: str | None = None,
) -> FileRead:
    """Return one file read as a unit's submission, with every problem found in it."""
    return _read_one(path, name or path.name, _Index.build(plan, config), period, previous or {})


def _read_one(
    path: Path, name: str, index: _Index, period: str, previous: Mapping[str, float]
) -> FileRead:
    check = index.config.check
    out = FileRead(path=path, name=name)
    ctx = _Ctx(index, period, name, out.issues)
    try:
        stat = path.stat()
        size = stat.st_size
        if size > check.max_file_mb * 1024 * 1024:
            ctx.add(
                Severity.ERROR, "too_large",
                f"文件大小{size / 1048576:.1f}MB，超过上限{check.max_file_mb:g}MB，未读取；"
                "报送表一般不足1MB，请删除图片或多余内容后重新报送",
            )
            return out
        data = _read_bytes(path)
    except PermissionError:
        ctx.add(Severity.ERROR, "unreadable", "文件无法打开（没有读取权限或正被其他程序占用），未读取")
        return out
    except OSError as exc:
        ctx.add(Severity.ERROR, "unreadable", f"文件无法读取（{exc.strerror or exc}），未读取")
        return out
    insp = inspect_bytes(data, name, check)
    for issue in insp.issues:
        ctx.add(issue.severity, issue.code, issue.message)
    if not insp.kind:
        return out
    try:
        book = _Book(insp, check.max_rows)
    except Exception as exc:  # calamine raises its own types for broken files
        ctx.add(*_calamine_problem(exc))
        return out
    sub = Submission(
        unit="", period=period, file=str(path), sha256=hashlib.sha256(data).hexdigest(),
        received=dt.datetime.fromtimestamp(stat.st_mtime),
    )
    try:
        _read_book(book, sub, ctx, previous)
    except _Refused as refused:
        ctx.add(refused.issue.severity, refused.issue.code, refused.issue.message)
        return out
    except Exception as exc:
        ctx.add(*_calamine_problem(exc))
        return out
    for issue in book.issues:
        ctx.add(issue.severity, issue.code, issue.message, issue.sheet, issue.cell)
    if sub.unit:
        for issue in out.issues:
            issue.unit = sub.unit
        sub.issues = out.issues
        out.submission = sub
        out.used = not any(i.code in _REJECTING for i in out.issues)
    return out


# A file with one of these is not taken as the unit's submission.
_REJECTING = frozenset({"wrong_period", "unit_mismatch", "unidentified", "no_data"})


def _read_bytes(path: Path) -> bytes:
    """Return the file's bytes, opened read-only."""
    with open(path, "rb") as fh:
        return fh.read()


def _calamine_problem(exc: Exception) -> tuple[Severity, str, str]:
    kind = type(exc).__name__
    text = str(exc)
    if kind == "PasswordError" or "password" in text.lower() or "encrypt" in text.lower():
        return Severity.ERROR, "encrypted", "文件设置了密码（已加密），无法读取；请取消密码后重新报送"
    if type(exc).__module__.startswith("python_calamine") or isinstance(exc, (ValueError, OSError, EOFError)):
        return (
            Severity.ERROR,
            "corrupt_file",
            f"文件已损坏或格式异常，无法读取（{kind}）；请用Excel打开后另存为.xlsx再报送",
        )
    # not the file's fault: say so, so that it is reported rather than blamed on the unit
    return Severity.ERROR, "read_failed", f"读取本文件时程序出错（{kind}: {text[:200]}），请将此文件提供给系统维护人员"


def _read_book(book: _Book, sub: Submission, ctx: _Ctx, previous: Mapping[str, float]) -> None:
    index = ctx.index
    meta, expected_rows = _read_meta(book) if fs.SHEET_META in book.names else (None, {})
    fig_sheet = _find_sheet(book, fs.SHEET_FIGURES, fs.FIGURE_HEADERS, ("value",))
    ms_sheet = _find_sheet(book, fs.SHEET_MILESTONES, fs.MILESTONE_HEADERS, ("status",))
    if fig_sheet is None and ms_sheet is None:
        ctx.add(
            Severity.ERROR, "no_data",
            f"文件中找不到“{fs.SHEET_FIGURES}”或“{fs.SHEET_MILESTONES}”表（按表头识别亦未找到），"
            "不是本系统下发的报送表；请使用下发的报送表填报",
        )
        return
    if not _identify(book, sub, ctx, meta, fig_sheet, ms_sheet):
        return
    if meta and meta.get("plan_version") and meta["plan_version"] != index.plan.version:
        ctx.add(
            Severity.WARNING, "plan_version",
            f"报送表依据的任务分解版本（{meta['plan_version']}）与当前版本（{index.plan.version}）不同，"
            "已按编号读取；任务分解调整后请使用新下发的报送表",
            fs.SHEET_META,
        )
    if fig_sheet is not None:
        _read_figures(fig_sheet, sub, ctx, previous)
    if ms_sheet is not None:
        footer = _read_milestones(ms_sheet, sub, ctx)
        _read_footer(ms_sheet[0], footer, sub, ctx)
    _check_missing_rows(sub, ctx, expected_rows, fig_sheet, ms_sheet)


def _read_meta(book: _Book) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Return the hidden sheet's key/values and its row codes per sheet."""
    rows = book.sheet(fs.SHEET_META).rows
    meta: dict[str, str] = {}
    r = 0
    while r < len(rows) and rows[r] and rows[r][0] != "":
        if len(rows[r]) > 1 and rows[r][0] in fs.META_KEYS:
            meta[rows[r][0]] = _text(rows[r][1])
        r += 1
    codes: dict[str, set[str]] = {}
    for row in rows[r + 1 :]:
        if len(row) > 2 and row[2] != "" and row[2] != fs.META_ROWS_HEADER[2]:
            codes.setdefault(_text(row[0]), set()).add(_code(row[2]))
    return meta, codes


@functools.lru_cache(maxsize=4096)
def _header_key(text: str) -> str:
    """Return the part of a header before its bracketed unit, normalised."""
    t = _norm(text)
    return t.split("(", 1)[0]


_WANTED: dict[int, dict[str, str]] = {}  # header texts normalised, per headers dict
# the form's own header row first, then the top of the sheet (rows inserted above it)
_HEADER_SEARCH = (fs.HEADER_ROW - 1, *(r for r in range(30) if r != fs.HEADER_ROW - 1))


def _find_header(
    sheet: _Sheet, headers: dict[str, str], required: tuple[str, ...]
) -> tuple[int, dict[str, int]] | None:
    wanted = _WANTED.get(id(headers)) or _WANTED.setdefault(
        id(headers), {_header_key(v): k for k, v in headers.items()}
    )
    for r in (r for r in _HEADER_SEARCH if r < len(sheet.rows)):
        cols: dict[str, int] = {}
        for c, value in enumerate(sheet.rows[r]):
            if isinstance(value, str) and value:
                key = wanted.get(_header_key(value))
                if key and key not in cols:
                    cols[key] = c
        if all(k in cols for k in required) and ("code" in cols or len(cols) >= 3):
            return r, cols
    return None


def _find_sheet(
    book: _Book, name: str, headers: dict[str, str], required: tuple[str, ...]
) -> tuple[_Sheet, int, dict[str, int]] | None:
    candidates = [name] if name in book.names else []
    own = (name, fs.SHEET_GUIDE, fs.SHEET_META, fs.SHEET_FIGURES, fs.SHEET_MILESTONES)
    candidates += [n for n in book.visible if n not in own]
    for cand in candidates:
        sheet = book.sheet(cand)
        found = _find_header(sheet, headers, required)
        if found:
            return sheet, found[0], found[1]
    return None


# ---------------------------------------------------------------- identification


def _identify(
    book: _Book,
    sub: Submission,
    ctx: _Ctx,
    meta: dict[str, str] | None,
    fig: tuple[_Sheet, int, dict[str, int]] | None,
    ms: tuple[_Sheet, int, dict[str, int]] | None,
) -> bool:
    """Set the submission's unit and period; return False when the file must not be taken."""
    index = ctx.index
    sheets = [s for s in (fig, ms) if s is not None]
    from_path = index.unit_in(posixpath.splitext(ctx.name)[0])
    unit = period = ""
    by = ""
    if meta and meta.get("unit"):
        unit = index.unit(meta["unit"]) or ""
        if not unit:
            ctx.add(
                Severity.ERROR, "unknown_unit",
                f"报送表标明的单位“{meta['unit']}”不在任务分解的责任单位中",
                fs.SHEET_META, "B1",
            )
            return False
        period = meta.get("period", "")
        by = "meta"
    if not by:
        for sheet, _h, _c in sheets:
            for r in range(min(3, len(sheet.rows))):
                for value in sheet.rows[r]:
                    m = _TITLE.search(_norm(value)) if isinstance(value, str) else None
                    if m and index.unit(m.group(3)):
                        unit = index.unit(m.group(3)) or ""
                        period = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
                        by = "title"
                        break
                if by:
                    break
            if by:
                break
    if not by and from_path:
        unit, by = from_path, "filename"
        period = _period_in(ctx.name, index.plan.year)
    if not by:
        unit = _unit_from_rows(sheets, index)
        by = "rows" if unit else ""
    if not by:
        ctx.add(
            Severity.ERROR, "unidentified",
            "无法确定报送单位：隐藏的标识表、标题、文件名和行编号都不能对应到责任单位；"
            "请使用下发的报送表填报，文件名写明单位名称",
        )
        return False
    sub.unit = ctx.unit = unit
    sub.identified_by = by
    sub.plan_version = (meta or {}).get("plan_version", "")
    how = {"title": "表格标题", "filename": "文件名", "rows": "各行的编号和名称"}
    if by != "meta":
        guessed = "" if period else f"；未能确定报送月份，按本批次 {ctx.period} 处理"
        ctx.add(
            Severity.INFO, f"identified_by_{by}",
            f"文件中没有隐藏的标识表（{fs.SHEET_META}），已根据{how[by]}识别为“{unit}”的报送表{guessed}",
        )
        period = period or ctx.period
    elif not _PERIOD.match(period):
        # the hidden sheet lost its month (edited by hand): the title or file name may say it
        period = _period_in(" ".join(_text(s.get(0, 0)) for s, _h, _c in sheets) + ctx.name, index.plan.year)
        source = f"标题或文件名中的 {period}" if period else f"本批次 {ctx.period}"
        ctx.add(Severity.INFO, "period_assumed", f"隐藏的标识表中没有有效的报送月份，按{source}处理",
                fs.SHEET_META, "B2")
        period = period or ctx.period
    if from_path and from_path != unit:
        ctx.add(
            Severity.ERROR, "unit_mismatch",
            f"文件名（或所在文件夹）表明是“{from_path}”的报送表，但表内为“{unit}”的报送表，未采用；"
            "请确认是否误报了其他单位的表格",
        )
        return False
    if period != ctx.period:
        ctx.add(
            Severity.ERROR, "wrong_period",
            f"这是 {period} 的报送表，本次校验的是 {ctx.period}，未采用；请使用本月下发的报送表填报",
        )
        return False
    return True


def _period_in(text: str, year: int) -> str:
    t = _norm(text)
    for pattern in (r"(20\d{2})[-_.年/](\d{1,2})(?!\d)", r"(20\d{2})(\d{2})(?!\d)"):
        if (m := re.search(pattern, t)) and 1 <= int(m.group(2)) <= 12:
            return f"{m.group(1)}-{int(m.group(2)):02d}"
    if (m := re.search(r"(?<!\d)(\d{1,2})月", t)) and 1 <= int(m.group(1)) <= 12:
        return f"{year:04d}-{int(m.group(1)):02d}"
    return ""


def _unit_from_rows(sheets: list[tuple[_Sheet, int, dict[str, int]]], index: _Index) -> str:
    codes: set[str] = set()
    for sheet, header, cols in sheets:
        c = cols.get("code")
        if c is None:
            continue
        for r in range(header + 1, len(sheet.rows)):
            code = _code(sheet.get(r, c))
            if code:
                codes.add(code.split("/")[0])
    if not codes:
        return ""
    scores: list[tuple[float, str]] = []
    for unit in set(index.figure_keys) | set(index.milestone_codes):
        own = {k.split("/")[0] for k in index.figure_keys.get(unit, [])}
        own |= set(index.milestone_codes.get(unit, []))
        scores.append((len(codes & own) / len(codes | own), unit))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < 0.5 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return ""
    return scores[0][1]


# ---------------------------------------------------------------- figures


def _read_figures(
    found: tuple[_Sheet, int, dict[str, int]], sub: Submission, ctx: _Ctx, previous: Mapping[str, float]
) -> None:
    sheet, header, cols = found
    index = ctx.index
    value_col = cols["value"]
    in_wan = "万元" in _norm(sheet.get(header, value_col))
    labels = {v: k for k, v in METRIC_LABEL.items()}
    _report_merged(sheet, ctx, header, [cols[k] for k in fs.FIGURE_INPUTS if k in cols])
    for r in range(header + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if r in sheet.notes:
            continue
        raw_code = _code(sheet.get(r, cols["code"])) if "code" in cols else ""
        name = _text(sheet.get(r, cols["name"])) if "name" in cols else ""
        metric_text = _norm(sheet.get(r, cols["metric"])) if "metric" in cols else ""
        value = row[value_col] if value_col < len(row) else ""
        if not raw_code and not name and value == "":
            continue
        m = _FIGURE_CODE.match(raw_code)
        item_code = m.group(1) if m else ""
        metric = Metric(m.group(2)) if m and m.group(2) else labels.get(metric_text)
        if metric is None and m and item_code in index.items and len(index.items[item_code].metrics) == 1:
            metric = index.items[item_code].metrics[0]
        if not raw_code and name:
            item_code = index.item_by_name.get(_norm(name), "")
            if item_code:
                ctx.add(Severity.INFO, "matched_by_name", f"该行没有编号，已按项目名称“{name}”对应到 {item_code}",
                        sheet.name, _addr(r, cols.get("code", 0)))
        where = _addr(r, cols.get("code", value_col))
        if not item_code:
            if value != "" or raw_code:
                shown = raw_code or name or "（空）"
                ctx.add(
                    Severity.ERROR, "unknown_code",
                    f"第{r + 1}行的编号“{shown}”不在任务分解中，该行未读取；应保留报送表原有的编号",
                    sheet.name, where,
                )
            continue
        if item_code not in index.items:
            ctx.add(
                Severity.ERROR, "unknown_code",
                f"第{r + 1}行的编号“{raw_code}”不在任务分解中，该行未读取；应保留报送表原有的编号",
                sheet.name, where,
            )
            continue
        if metric is None:
            ctx.add(
                Severity.ERROR, "unknown_metric",
                f"第{r + 1}行的指标“{metric_text}”无法识别，应为“完成投资”或“设备开票”",
                sheet.name, _addr(r, cols.get("metric", value_col)),
            )
            continue
        key = f"{item_code}/{metric.value}"
        cell = _addr(r, value_col)
        if key in sub.figures:
            ctx.add(Severity.WARNING, "duplicate_row", f"{key} 出现了不止一行，已采用第一行（{sub.figures[key].cell}）",
                    sheet.name, cell)
            continue
        note = _text(row[cols["note"]]) if "note" in cols and cols["note"] < len(row) else ""
        report = FigureReport(item_code, metric, None, note, cell)
        sub.figures[key] = report
        if sheet.blank_formula(r, value_col, ctx):
            continue  # never counted as 0
        if value == "":
            if index.figure_leads.get(key, sub.unit) != sub.unit:
                continue  # another unit's figure counts; this one may leave it blank
            ctx.add(
                Severity.WARNING, "figure_missing",
                f"{index.items[item_code].name}的“{METRIC_LABEL[metric]}”本月累计未填写，应填截至本月末的累计数（亿元）",
                sheet.name, cell,
            )
            continue
        parsed = parse_amount(value, in_wan)
        if parsed.code:
            ctx.add(parsed.severity, parsed.code, parsed.message, sheet.name, cell)
            if parsed.severity is Severity.ERROR:
                continue
        elif in_wan:
            ctx.add(Severity.INFO, "unit_wan", f"表头标为万元，已将 {_text(value)} 万元换算为 {parsed.value:g} 亿元",
                    sheet.name, cell)
        prev = previous.get(key)
        if prev is None and "previous" in cols:
            p = parse_amount(sheet.get(r, cols["previous"]))
            prev = p.value if not p.code else None
        if _jumped(index.items[item_code], metric, parsed.value, prev, index.config.check.jump_factor):
            ctx.add(
                Severity.ERROR, "implausible_jump",
                f"本月累计填的是 {parsed.value:g} 亿元，比上月（{prev or 0:g}）增加的数额超过年度目标的"
                f"{index.config.check.jump_factor:g}倍，疑似把万元填成了亿元，未采用；请以亿元填写"
                f"（如 {parsed.value:g} 万元应填 {parsed.value / 10000:g}）",
                sheet.name, cell,
            )
            continue
        if prev is not None and parsed.value < prev - 1e-9:
            ctx.add(
                Severity.WARNING, "cumulative_decreased",
                f"本月累计 {parsed.value:g} 亿元低于上月累计 {prev:g} 亿元；累计数不应减少，请核实",
                sheet.name, cell,
            )
        report.value_yi = parsed.value


def _jumped(item: Item, metric: Metric, value: float, prev: float | None, factor: float) -> bool:
    amounts = [m.amount_yi for m in item.milestones if m.metric is metric and m.amount_yi]
    target = item.target_yi if metric is Metric.INVEST and item.target_yi else max(amounts, default=0.0)
    if not target:
        return False
    return value - (prev or 0.0) > factor * target


# ---------------------------------------------------------------- milestones and footer


def _is_footer(row: list[Any]) -> bool:
    for value in row:
        if isinstance(value, str) and value:
            return value.lstrip()[:1] in _FOOTER_FIRST and _norm(value).startswith(tuple(_FOOTER_KEYS))
    return False


def _read_milestones(found: tuple[_Sheet, int, dict[str, int]], sub: Submission, ctx: _Ctx) -> int:
    """Read the milestone rows; return the row where the footer starts (or the sheet ends)."""
    sheet, header, cols = found
    index = ctx.index
    year = index.plan.year
    _report_merged(sheet, ctx, header, [cols[k] for k in fs.MILESTONE_INPUTS if k in cols])
    status_col = cols["status"]
    for r in range(header + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if _is_footer(row):
            return r
        if r in sheet.notes:
            continue
        inputs = {k: (row[cols[k]] if k in cols and cols[k] < len(row) else "") for k in fs.MILESTONE_INPUTS}
        raw_code = _code(sheet.get(r, cols["code"])) if "code" in cols else ""
        if not raw_code and all(v == "" for v in inputs.values()):
            continue
        code = raw_code
        if not code:
            item = index.item_by_name.get(_norm(sheet.get(r, cols["item"]))) if "item" in cols else None
            clause = _norm(sheet.get(r, cols["text"])) if "text" in cols else ""
            code = index.milestone_by_text.get((item or "", clause), "")
            if code:
                ctx.add(Severity.INFO, "matched_by_name", f"该行没有编号，已按项目名称和节点要求对应到 {code}",
                        sheet.name, _addr(r, cols.get("code", 0)))
            else:
                ctx.add(
                    Severity.WARNING, "row_unidentified",
                    f"第{r + 1}行填写了内容但没有编号，无法对应到任务分解中的节点，未读取；请勿自行插入行",
                    sheet.name, _addr(r, cols.get("code", status_col)),
                )
                continue
        cell = _addr(r, status_col)
        if not _MILESTONE_CODE.match(code) or code not in index.milestones:
            ctx.add(
                Severity.ERROR, "unknown_code",
                f"第{r + 1}行的编号“{raw_code}”不在任务分解中，该行未读取；应保留报送表原有的编号",
                sheet.name, _addr(r, cols.get("code", status_col)),
            )
            continue
        if code in sub.milestones:
            ctx.add(Severity.WARNING, "duplicate_row", f"节点 {code} 出现了不止一行，已采用第一行",
                    sheet.name, cell)
            continue
        report = MilestoneReport(
            code=code, progress=_text(inputs["progress"]), problems=_text(inputs["problems"]),
            next_steps=_text(inputs["next_steps"]), cell=cell,
        )
        sub.milestones[code] = report
        for key in ("progress", "problems", "next_steps"):
            if inputs[key] == "" and key in cols:
                sheet.blank_formula(r, cols[key], ctx)
        status_value = inputs["status"]
        if sheet.blank_formula(r, status_col, ctx):
            pass
        elif status_value == "":
            ctx.add(
                Severity.WARNING, "status_missing",
                f"节点 {code} 的完成状态未填写，应从下拉选项中选择：{'、'.join(fs.STATUS_CHOICES)}",
                sheet.name, cell,
            )
        else:
            parsed = parse_status(status_value)
            if parsed.code:
                ctx.add(parsed.severity, parsed.code, parsed.message, sheet.name, cell)
            report.status = parsed.value
        if "completed_on" in cols:
            _read_completed(sheet, r, cols["completed_on"], report, ctx, year)
    return len(sheet.rows)


def _read_completed(sheet: _Sheet, r: int, c: int, report: MilestoneReport, ctx: _Ctx, year: int) -> None:
    value = sheet.get(r, c)
    cell = _addr(r, c)
    if value == "":
        # a date is expected only of a finished milestone: only then can a blank hide a formula
        if report.status is Reported.DONE and not sheet.blank_formula(r, c, ctx):
            ctx.add(Severity.WARNING, "date_missing",
                    f"节点 {report.code} 填报为已完成，但未填写实际完成日期", sheet.name, cell)
        return
    parsed = parse_date(value, year)
    if parsed.code:
        ctx.add(parsed.severity, parsed.code, parsed.message, sheet.name, cell)
        return
    day: dt.date = parsed.value
    if day.year != year:
        ctx.add(
            Severity.ERROR, "date_out_of_year",
            f"实际完成日期 {day.isoformat()} 不在任务年度 {year} 年内，未采用；请核实年份",
            sheet.name, cell,
        )
        return
    if day > period_end(ctx.period):
        ctx.add(
            Severity.WARNING, "date_after_period",
            f"实际完成日期 {day.isoformat()} 晚于本期截止日 {period_end(ctx.period).isoformat()}，请核实",
            sheet.name, cell,
        )
    if report.status not in (Reported.DONE, None):
        ctx.add(
            Severity.WARNING, "date_without_done",
            f"填写了实际完成日期 {day.isoformat()}，但完成状态为“{REPORTED_LABEL[report.status]}”，请核实",
            sheet.name, cell,
        )
    report.completed_on = day


# label as typed (prefix) -> contact key (the form's own label)
_FOOTER_KEYS = {label.split("（")[0]: label for label in fs.FOOTER_LABELS}
_DATE_LABEL = fs.FOOTER_LABELS[-1]
_FOOTER_FIRST = frozenset(label[0] for label in fs.FOOTER_LABELS)
_LABEL_TAIL = re.compile(r"^(（[^）]*）|\([^)]*\))?[:：]?")  # "（分管领导）：" after a label


def _read_footer(sheet: _Sheet, start: int, sub: Submission, ctx: _Ctx) -> None:
    for r in range(start, len(sheet.rows)):
        row = sheet.rows[r]
        c = 0
        while c < len(row):
            value = row[c]
            if isinstance(value, str) and value and value.lstrip()[:1] in _FOOTER_FIRST:
                t = _norm(value)
                for label, key in _FOOTER_KEYS.items():
                    if not t.startswith(label):
                        continue
                    rest = t[len(label) :]
                    rest = _LABEL_TAIL.sub("", rest)
                    answer: Any = rest
                    at = c
                    if not rest:
                        at = next((k for k in range(c + 1, len(row)) if row[k] != ""), c)
                        answer = row[at] if at != c and not _is_footer([row[at]]) else ""
                    if answer == "":
                        break
                    if key == _DATE_LABEL:
                        parsed = parse_date(answer, ctx.index.plan.year)
                        if parsed.code:
                            ctx.add(Severity.WARNING, "bad_date", f"填报日期{parsed.message}", sheet.name, _addr(r, at))
                            sub.contact[key] = _text(answer)
                        else:
                            sub.content_date = parsed.value
                            sub.contact[key] = parsed.value.isoformat()
                    else:
                        sub.contact[key] = _text(answer)
                    c = at
                    break
            c += 1


def _report_merged(sheet: _Sheet, ctx: _Ctx, header: int, input_cols: list[int]) -> None:
    for r0, c0, r1, c1 in sheet.merged:
        if r1 > r0 and r0 > header and any(c0 <= c <= c1 for c in input_cols):
            ctx.add(
                Severity.INFO, "merged_cells",
                f"{_addr(r0, c0)}:{_addr(r1, c1)} 为合并单元格，已将其中的内容用于所含的每一行",
                sheet.name, _addr(r0, c0),
            )


def _check_missing_rows(
    sub: Submission,
    ctx: _Ctx,
    expected: dict[str, set[str]],
    fig: tuple[_Sheet, int, dict[str, int]] | None,
    ms: tuple[_Sheet, int, dict[str, int]] | None,
) -> None:
    index = ctx.index
    want_ms = expected.get(fs.SHEET_MILESTONES, set(index.milestone_codes.get(sub.unit, [])))
    for code in sorted(want_ms - set(sub.milestones)):
        if code in index.milestones:
            ctx.add(
                Severity.WARNING, "row_missing",
                f"缺少节点 {code}（{index.milestones[code].text[:30]}）所在的行，该节点视为未报送；请勿删除行",
                ms[0].name if ms else fs.SHEET_MILESTONES,
            )
    want_fig = {k.split("/")[0] for k in expected.get(fs.SHEET_FIGURES, set())}
    if not expected:
        want_fig = {k.split("/")[0] for k in index.figure_keys.get(sub.unit, [])}
    have = {k.split("/")[0] for k in sub.figures}
    for code in sorted(want_fig - have):
        if code in index.items:
            ctx.add(
                Severity.WARNING, "row_missing",
                f"缺少项目 {code}（{index.items[code].name}）的累计数所在的行，视为未报送；请勿删除行",
                fig[0].name if fig else fs.SHEET_FIGURES,
            )


# ---------------------------------------------------------------- the batch


def _files(folder: Path) -> list[tuple[Path, str, int]]:
    """Return (path, name relative to the batch folder, size) of every file to read, in name order."""
    out: list[tuple[Path, str, int]] = []

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            if e.name.startswith(("~$", ".~lock", ".", "__MACOSX")) or e.name.lower() in _IGNORED_NAMES:
                continue
            if e.is_dir():
                walk(e.path, f"{prefix}{e.name}/")
            elif e.is_file():
                out.append((Path(e.path), prefix + e.name, e.stat().st_size))

    walk(str(folder), "")
    return out


_POOL_INDEX: _Index | None = None


def _pool_init(plan: Plan, config: Config) -> None:
    global _POOL_INDEX
    _POOL_INDEX = _Index.build(plan, config)


def _pool_read(args: tuple[Path, str, str, Mapping[str, float]]) -> FileRead:
    assert _POOL_INDEX is not None
    path, name, period, previous = args
    return _read_one(path, name, _POOL_INDEX, period, previous)


def _pool_workers() -> int:
    """Return how many processes to read with: more than one only when cores stand idle (max 4).

    On a busy machine a second process queues behind other work and adds the pickling of
    results (measured on 2 cores: 1.65-2x the single-process time when other work kept the
    cores busy, 0.7x when idle). Idle means: no other thread runnable right now (Linux's
    /proc/loadavg) and a 1-minute load that leaves a core free beyond this process's own.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
        with open("/proc/loadavg", encoding="ascii") as fh:
            others = int(fh.read().split()[3].split("/")[0]) - 1  # this process is runnable
    except (OSError, AttributeError, ValueError, IndexError):  # not Linux: stay with one
        return 1
    if others > 0 or load > cores - 0.5:
        return 1
    return max(1, min(4, cores))


def _read_all(
    files: list[tuple[Path, str, int]], plan: Plan, config: Config, period: str, previous: Mapping[str, float]
) -> list[FileRead]:
    total = sum(size for _p, _n, size in files)
    workers = _pool_workers() if len(files) >= _POOL_MIN_FILES and total >= _POOL_MIN_BYTES else 1
    if workers > 1:
        import multiprocessing

        global _POOL_INDEX
        fork = "fork" in multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if fork else "spawn")
        # forked workers inherit the index; spawned ones build their own
        _POOL_INDEX = _Index.build(plan, config) if fork else None
        init: Any = None if fork else _pool_init
        initargs: Any = () if fork else (plan, config)
        try:
            with ProcessPoolExecutor(workers, ctx, initializer=init, initargs=initargs) as pool:
                args = [(p, n, period, previous) for p, n, _size in files]
                return list(pool.map(_pool_read, args, chunksize=max(1, len(args) // (workers * 2))))
        finally:
            _POOL_INDEX = None
    index = _Index.build(plan, config)
    return [_read_one(p, n, index, period, previous) for p, n, _size in files]


def read_submissions(
    folder: Path,
    plan: Plan,
    config: Config,
    period: str,
    previous: dict[str, float] | None = None,
) -> IngestResult:
    """Return every unit's submission in `folder` (newest file per unit) and every problem found."""
    if not folder.is_dir():
        raise WorkspaceError(f"报送文件夹不存在：{folder}（应将各单位报回的表格放在此处）")
    files = _read_all(_files(folder), plan, config, period, previous or {})
    chosen = _choose(files)  # marks the superseded files
    expected = expected_units(plan, config)
    result = IngestResult(files=files, expected_units=expected)
    result.submissions = [chosen[u].submission for u in expected if u in chosen]  # type: ignore[misc]
    result.submissions += [f.submission for u, f in chosen.items() if u not in expected and f.submission]
    result.missing_units = [u for u in expected if u not in chosen]
    result.issues = [
        i for f in files for i in f.issues
        if f.used or f.submission is None or i.code in ("superseded", *_REJECTING)
    ]
    return result


def _choose(files: Iterable[FileRead]) -> dict[str, FileRead]:
    """Return the file taken for each unit: the newer by 填报日期, then by modification time."""
    by_unit: dict[str, list[FileRead]] = {}
    for f in files:
        if f.used and f.submission is not None:
            by_unit.setdefault(f.submission.unit, []).append(f)
    chosen: dict[str, FileRead] = {}
    for unit, group in by_unit.items():
        def key(f: FileRead) -> tuple[dt.date, dt.datetime, str]:
            s = f.submission
            assert s is not None
            return (s.content_date or dt.date.min, s.received or dt.datetime.min, f.name)

        group.sort(key=key, reverse=True)
        winner = group[0]
        chosen[unit] = winner
        for other in group[1:]:
            other.used = False
            # the file keeps its own findings; the batch reports only that it was not taken
            other.issues.append(
                Issue(
                    Severity.INFO, f"“{unit}”报送了多份文件，已采用较新的“{winner.name}”，本文件未采用"
                    "（按填报日期、其次按文件修改时间判断）",
                    "superseded", other.name, unit=unit,
                )
            )
    return chosen


__all__ = [
    "STATUS_WORDS",
    "FileRead",
    "IngestResult",
    "expected_units",
    "parse_amount",
    "parse_date",
    "parse_status",
    "read_submission",
    "read_submissions",
]
