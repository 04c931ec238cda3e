"""Whose file is this, and for which month: the hidden sheet first, then the title, the file
name, and at last the codes of the rows. Separate from reading figures, so that a quick look
at a folder can ask only this."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from itertools import pairwise

from reportgen import formspec as fs
from reportgen.ingest.index import FileContext, PlanIndex
from reportgen.ingest.layout import Table
from reportgen.ingest.values import code, norm, text
from reportgen.model import Severity
from reportgen.safety import text_head

_TITLE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月.*?[（(]\s*(.+?)\s*[）)]\s*$")
_PERIOD = re.compile(r"^\d{4}-\d{2}$")
_HOW = {"title": "表格标题", "filename": "文件名", "rows": "各行的编号和名称"}


@dataclass
class Identity:
    """Who sent a file, for which month, how that was found, and whether the file is taken."""

    unit: str
    period: str
    by: str  # meta | title | filename | rows
    plan_version: str = ""
    accepted: bool = True  # False: another unit's or month's form (the issue says which)


def identify(ctx: FileContext, meta: dict[str, str] | None, tables: list[Table]) -> Identity | None:
    """Return who sent the file (None when no one can be told), naming every doubt in ctx."""
    index = ctx.index
    from_path = index.unit_in(posixpath.splitext(ctx.name)[0])
    claimed = _claimed(ctx, meta, tables, from_path)
    if claimed is None:
        return None
    unit, period, by = claimed
    ctx.unit = unit
    found = Identity(unit, _settle_period(ctx, by, unit, period, tables), by, (meta or {}).get("plan_version", ""))
    if from_path and from_path != unit:
        ctx.add(
            Severity.ERROR, "unit_mismatch",
            f"文件名（或所在文件夹）表明是“{from_path}”的报送表，但表内为“{unit}”的报送表，未采用；"
            "请确认是否误报了其他单位的表格",
        )
        found.accepted = False
    elif found.period != ctx.period:
        ctx.add(
            Severity.ERROR, "wrong_period",
            f"这是 {found.period} 的报送表，本次校验的是 {ctx.period}，未采用；请使用本月下发的报送表填报",
        )
        found.accepted = False
    return found


def _claimed(
    ctx: FileContext, meta: dict[str, str] | None, tables: list[Table], from_path: str | None
) -> tuple[str, str, str] | None:
    """Return (unit, period as written, how found), or None with the reason recorded."""
    index = ctx.index
    if meta and meta.get("unit"):
        unit = index.unit(meta["unit"])
        if not unit:
            ctx.add(
                Severity.ERROR, "unknown_unit",
                f"报送表标明的单位“{meta['unit']}”不在任务分解的责任单位中",
                fs.SHEET_META, "B1",
            )
            return None
        return unit, meta.get("period", ""), "meta"
    titled = _from_title(tables, index)
    if titled:
        return titled[0], titled[1], "title"
    if from_path:
        return from_path, period_in(ctx.name, index.plan.year), "filename"
    unit = unit_from_rows(tables, index)
    if unit:
        return unit, "", "rows"
    ctx.add(
        Severity.ERROR, "unidentified",
        "无法确定报送单位：隐藏的标识表、标题、文件名和行编号都不能对应到责任单位；"
        "请使用下发的报送表填报，文件名写明单位名称",
    )
    return None


def _from_title(tables: list[Table], index: PlanIndex) -> tuple[str, str] | None:
    """Return (unit, period) from a title such as 2024年6月…报送表（单位） in the top rows."""
    for table in tables:
        rows = table.sheet.rows
        for r in range(min(3, len(rows))):
            for value in rows[r]:
                m = _TITLE.search(norm(value)) if isinstance(value, str) else None
                if m and (unit := index.unit(m.group(3))):
                    return unit, f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    return None


def _settle_period(ctx: FileContext, by: str, unit: str, period: str, tables: list[Table]) -> str:
    """Return the file's month, saying how it was worked out when the hidden sheet did not say."""
    if by != "meta":
        guessed = "" if period else f"；未能确定报送月份，按本批次 {ctx.period} 处理"
        ctx.add(
            Severity.INFO, f"identified_by_{by}",
            f"文件中没有隐藏的标识表（{fs.SHEET_META}），已根据{_HOW[by]}识别为“{unit}”的报送表{guessed}",
        )
        return period or ctx.period
    if _PERIOD.match(period):
        return period
    # the hidden sheet lost its month (edited by hand): the title or file name may say it
    titles = " ".join(text(t.sheet.get(0, 0)) for t in tables)
    period = period_in(titles + ctx.name, ctx.index.plan.year)
    source = f"标题或文件名中的 {period}" if period else f"本批次 {ctx.period}"
    ctx.add(Severity.INFO, "period_assumed", f"隐藏的标识表中没有有效的报送月份，按{source}处理",
            fs.SHEET_META, "B2")
    return period or ctx.period


def period_in(name: str, year: int) -> str:
    """Return the month a text (title, file name) names, as YYYY-MM, or ""."""
    t = norm(name)
    for pattern in (r"(20\d{2})[-_.年/](\d{1,2})(?!\d)", r"(20\d{2})(\d{2})(?!\d)"):
        if (m := re.search(pattern, t)) and 1 <= int(m.group(2)) <= 12:
            return f"{m.group(1)}-{int(m.group(2)):02d}"
    if (m := re.search(r"(?<!\d)(\d{1,2})月", t)) and 1 <= int(m.group(1)) <= 12:
        return f"{year:04d}-{int(m.group(1)):02d}"
    return ""


def unit_from_rows(tables: list[Table], index: PlanIndex) -> str:
    """Return the unit whose form's row codes best match the file's (at least half), or ""."""
    codes: set[str] = set()
    for table in tables:
        c = table.cols.get("code")
        if c is None:
            continue
        for r in range(table.header + 1, len(table.sheet.rows)):
            found = code(table.sheet.get(r, c))
            if found:
                codes.add(found.split("/")[0])
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


def text_return(ctx: FileContext, data: bytes) -> str | None:
    """Return the unit a plain-text return (a form saved as CSV) is of, by the form's title in its
    first lines, else by the file name; "" when neither names a unit. None when `data` is not such a
    file (not text, or neither named .csv nor holding a form's title or headers)."""
    content = text_head(data, 8192)
    if content is None:
        return None
    lines = [norm(line.replace(",", " ").replace('"', "")) for line in content.splitlines()[:5]]
    # a long title is written in two lines (forms): in a CSV, a quoted cell over two lines
    joined = [a + b for a, b in pairwise(lines)]
    titled = next((m for line in lines + joined if (m := _TITLE.search(line))), None)
    headed = any(fs.MILESTONE_HEADERS["status"] in line or fs.FIGURE_HEADERS["value"] in line for line in lines)
    if not (ctx.name.lower().endswith(".csv") or titled or headed):
        return None
    unit = ctx.index.unit(titled.group(3)) if titled else None
    return unit or ctx.index.unit_in(posixpath.splitext(ctx.name)[0]) or ""
