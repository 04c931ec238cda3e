"""Word documents from the templates: the 进度通报 and one notice per unit (督办/提醒/催报).

Templates are docxtpl (Jinja) documents asked by name from a `TemplateSource` (the workspace's
own first, then the packaged ones).
Rendering always escapes values (`autoescape=True`) and strips control characters from text
units typed, so `&`, `<`, `>` survive and nothing corrupts the XML. Every template is checked
(syntax, unknown variables, a trial render) before a batch writes anything.

Fonts: the template's own styles are authoritative, so staff can restyle a template in Word.
A font set in reportgen.toml that differs from the default is written into the matching styles
at render time, so a workspace can switch fonts without editing the templates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reportgen.config import Config, FontConfig
from reportgen.errors import TemplateError
from reportgen.fsutil import safe_filename
from reportgen.loader import TemplateSource
from reportgen.model import (
    REPORTED_LABEL,
    STATUS_LABEL,
    ItemResult,
    MilestoneKind,
    MilestoneReport,
    MilestoneResult,
    PeriodResult,
    Reported,
    Section,
    Status,
    UnitResult,
)
from reportgen.render.chart import completion_chart
from reportgen.render.docx_package import CompiledTemplate, compile_template, finish_body

log = logging.getLogger(__name__)

BULLETIN = "进度通报.docx"
NOTICES = {"督办通知": "督办通知.docx", "提醒函": "提醒函.docx", "催报通知": "催报通知.docx"}
TEMPLATES = (BULLETIN, *NOTICES.values())

DONE = (Status.DONE, Status.DONE_LATE)
OPEN = (Status.IN_PROGRESS, Status.DUE_SOON, Status.OVERDUE, Status.NOT_REPORTED)

# style id (as written by tools/make_word_templates.py) -> FontConfig field
STYLE_FONTS = {
    "Normal": "body", "GwDocNo": "body", "GwTo": "body", "GwH3": "body", "GwFigure": "body",
    "GwAttach": "body", "GwAttachMore": "body", "GwSign": "body", "GwDate": "body",
    "GwImprint": "body", "GwMark": "title", "GwTitle": "title", "GwH1": "heading1",
    "GwH2": "heading2", "GwPageNo": "number", "GwLetterMark": "title", "GwLetterNo": "body",
    "GwImprintSpace": "body",
}

# ---------------------------------------------------------------- formatting (one rounding)


def fmt_yi(value: float | None) -> str:
    """Return an amount in 亿元 with two decimals ("" for None)."""
    return "" if value is None else f"{value:.2f}"


def fmt_pct(rate: float | None) -> str:
    """Return a rate as a percentage with one decimal ("" for None)."""
    return "" if rate is None else f"{rate * 100:.1f}%"


def cn_date(day: dt.date) -> str:
    """Return a date as 公文 writes it: Arabic numerals, no leading zeros (2024年7月5日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_cn(period: str) -> str:
    """Return `2024-06` as 2024年6月份."""
    return f"{int(period[:4])}年{int(period[5:7])}月份"


_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """Return 1..99 in Chinese numerals as headings use them (十四, 二十一)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


def _next_month_day(period: str, day: int) -> dt.date:
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def issue_date(result: PeriodResult, config: Config) -> dt.date:
    """Return the 成文日期: schedule.issue_day of the next month, never before the as-of date."""
    return max(_next_month_day(result.period, config.schedule.issue_day), result.as_of)


def doc_number_text(config: Config, year: int, number: int | None) -> str:
    """Return the 发文字号 (同经开督办〔2024〕5号); a blank to fill by hand when unnumbered."""
    return f"{config.office.doc_prefix}〔{year}〕{number if number is not None else '　'}号"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile(r"[\t\r\n]+")


def clean(text: str) -> str:
    """Return `text` without control characters (tabs and line breaks become one space)."""
    return _CONTROL.sub("", _BREAKS.sub(" ", text)).strip()


def _clean_all(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: _clean_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_all(v) for v in value]
    return value


def _clause(text: str) -> str:
    return text.strip().rstrip("。；;，,、 ")


_HAS_DATE = re.compile(r"\d+月|季度|半年|全年|年底|年内")


def _with_due(m: MilestoneResult) -> str:
    """The clause, with its due date added when the clause itself names none."""
    text = _clause(m.text)
    if m.due is None or _HAS_DATE.search(text):
        return text
    return f"{text}（{cn_date(m.due)}前）"


def _vs_text(rate: float | None, schedule: float, tolerance: float) -> str:
    if rate is None:
        return ""
    # compare the rounded figures the reader sees, so the text never contradicts them
    gap = round(rate * 100, 1) - round(schedule * 100, 1)
    if abs(gap) <= tolerance * 100 or abs(gap) < 0.05:
        return "与序时进度持平"
    return f"{'高于' if gap > 0 else '低于'}序时进度{abs(gap):.1f}个百分点"


def _reported(m: MilestoneResult, items: dict[str, ItemResult]) -> str:
    """What the deciding unit reported on a milestone, in one phrase."""
    parts: list[str] = []
    item = items.get(m.item)
    if m.kind in (MilestoneKind.INVESTMENT, MilestoneKind.INVOICE) and item is not None:
        value = item.invoice_yi if m.kind is MilestoneKind.INVOICE else item.cumulative_yi
        label = "累计开具设备发票" if m.kind is MilestoneKind.INVOICE else "累计完成投资"
        if value is not None:
            target = f"（节点要求{fmt_yi(m.amount_yi)}亿元）" if m.amount_yi is not None else ""
            parts.append(f"{label}{fmt_yi(value)}亿元{target}")
    rep = m.report
    if rep is not None:
        if rep.status is not None:
            parts.append(REPORTED_LABEL[rep.status])
        if rep.progress:
            parts.append(f"进展：{rep.progress}")
        if rep.problems:
            parts.append(f"需协调解决的问题：{rep.problems}")
    if not parts:
        return "未报送" if m.status is Status.NOT_REPORTED else "未填报该节点进展"
    return "；".join(_clause(p) for p in parts)


# ---------------------------------------------------------------- contexts


def _unit_order(result: PeriodResult) -> list[str]:
    order = dict.fromkeys(u.name for u in result.units)  # a dict: `in` on a list is units × milestones
    for m in result.milestones:
        for u in m.units:
            order.setdefault(u, None)
    return list(order)


def _by_unit(result: PeriodResult) -> dict[str, list[MilestoneResult]]:
    """Return unit -> the milestones naming it, in plan order (one pass, not one per unit)."""
    out: dict[str, list[MilestoneResult]] = {}
    for m in result.milestones:
        for u in dict.fromkeys(m.units):
            out.setdefault(u, []).append(m)
    return out


def _totals(result: PeriodResult, config: Config) -> dict[str, Any]:
    # the same items and sums as summary.json's totals, so the two never disagree
    projects = [it for it in result.items if it.target_yi]
    target = sum(it.target_yi or 0.0 for it in projects)
    cumulative = sum(it.cumulative_yi or 0.0 for it in projects)
    added = [it.month_added_yi for it in projects if it.month_added_yi is not None]
    rate = cumulative / target if target else None
    return {
        "projects": len(projects),
        "target": fmt_yi(target),
        "cumulative": fmt_yi(cumulative),
        "rate": fmt_pct(rate),
        "vs_text": _vs_text(rate, result.schedule_rate, config.check.schedule_tolerance),
        "month_added": fmt_yi(sum(added)) if added else "",
    }


def _milestone_counts(result: PeriodResult, config: Config) -> dict[str, Any]:
    due = [m for m in result.milestones if m.due is not None and m.due <= result.as_of]
    return {
        "total": len(result.milestones),
        "due": len(due),
        "done": sum(m.status in DONE for m in due),
        "done_late": sum(m.status is Status.DONE_LATE for m in due),
        "overdue": sum(m.status is Status.OVERDUE for m in due),
        "not_reported": sum(m.status is Status.NOT_REPORTED for m in due),
        # not `m not in due`: list membership compares dataclasses field by field (n² at scale)
        "early": sum(m.status in DONE for m in result.milestones
                     if m.due is None or m.due > result.as_of),
        "due_soon": sum(m.status is Status.DUE_SOON for m in result.milestones),
        "window": config.schedule.due_soon_days,
    }


def _project(it: ItemResult, ms: list[MilestoneResult], result: PeriodResult,
             config: Config) -> dict[str, Any]:
    ahead = sorted((m for m in ms if m.status in OPEN and m.status is not Status.OVERDUE
                    and m.due is not None and m.due >= result.as_of),
                   key=lambda m: m.due or dt.date.max)
    nxt = ""
    if ahead:
        m = ahead[0]
        days = (m.due - result.as_of).days if m.due else 0
        soon = "，今日到期" if days == 0 else f"，距完成时限还有{days}天"
        nxt = _with_due(m) + (soon if m.status is Status.DUE_SOON else "")
    return {
        "code": it.code,
        "name": it.name,
        "target": fmt_yi(it.target_yi),
        "reported": it.cumulative_yi is not None,
        "cumulative": fmt_yi(it.cumulative_yi),
        # a figure nobody reported this month is last month's, carried over
        "carried": it.cumulative_yi is not None and not it.reported_by,
        "rate": fmt_pct(it.rate),
        "vs_text": _vs_text(it.rate, result.schedule_rate, config.check.schedule_tolerance),
        "month_added": fmt_yi(it.month_added_yi) if it.month_added_yi else "",
        "invoice": fmt_yi(it.invoice_yi),
        "passed": "；".join(_clause(m.text) for m in ms if m.status in DONE),
        "overdue": "；".join(_with_due(m) for m in ms if m.status is Status.OVERDUE),
        "next": nxt,
    }


def bulletin_context(result: PeriodResult, config: Config) -> dict[str, Any]:
    """Return the 进度通报 template's context (every key always present; `chart` is "")."""
    office = config.office
    issued = issue_date(result, config)
    by_item: dict[str, list[MilestoneResult]] = {}
    for m in result.milestones:
        by_item.setdefault(m.item, []).append(m)
    items = {it.code: it for it in result.items}
    projects = [it for it in result.items if it.section is Section.PROJECT]
    tasks = [it for it in result.items if it.section is Section.TASK]
    overdue_units = []
    overdue_by_lead: dict[str, list[MilestoneResult]] = {}
    for m in result.milestones:
        if m.status is Status.OVERDUE:
            overdue_by_lead.setdefault(m.lead, []).append(m)
    for unit in _unit_order(result):
        mine = overdue_by_lead.get(unit, [])
        if mine:
            overdue_units.append({
                "name": unit,
                "count": len(mine),
                "matters": [_matter(m, unit, items, result.as_of) for m in mine],
            })
    ctx: dict[str, Any] = {
        "issuer_mark": office.issuer_mark,
        # the year the ledger numbers this document in (Ledger.doc_number(period, plan_year))
        "doc_no": doc_number_text(config, result.plan_year, result.doc_number),
        "recipients": office.recipients,
        "period_cn": period_cn(result.period),
        "as_of_cn": cn_date(result.as_of),
        "plan_title": _plan_title(result),
        "schedule": fmt_pct(result.schedule_rate),
        "total": _totals(result, config),
        "ms": _milestone_counts(result, config),
        "units": {
            "total": len(result.units),
            "submitted": sum(u.submitted for u in result.units),
            "missing": sum(u.missing for u in result.units),
        },
        "projects": [_project(it, by_item.get(it.code, []), result, config) for it in projects],
        "tasks": [{"name": _clause(it.name),
                   "status_text": _task_status(it.name, by_item.get(it.code, []))}
                  for it in tasks],
        "overdue_units": overdue_units,
        "missing_units": "、".join(u.name for u in result.units if u.missing),
        "behind": "、".join(it.name for it in projects if it.vs_schedule == "behind"),
        "requirements": [{"no_cn": cn_number(i), "text": t}
                         for i, t in enumerate(config.text.requirements, 1)],
        "attachments": list(config.text.attachments),
        "signature": office.signature,
        "issue_date": cn_date(issued),
        "printer": office.printer,
        "printed_date": cn_date(issued),
        "cc": "，".join(office.cc) + "。" if office.cc else "",
        "chart": "",
    }
    return _clean_all(ctx)


def _plan_title(result: PeriodResult) -> str:
    # the document's title names an attachment number and a revision note, not the plan
    title = re.sub(r"^附件\s*\d+\s*", "", result.plan_title or "").strip()
    title = re.sub(r"[（(]动态调整[)）]\s*$", "", title).strip()
    return title or f"{result.plan_year}年重点项目推进任务分解"


def _task_status(name: str, ms: list[MilestoneResult]) -> str:
    """Where an other key task stands; a clause its name already quotes is not repeated."""
    if not ms:
        return "持续推进"
    parts = []
    for m in ms:
        label = STATUS_LABEL[m.status]
        if _clause(m.text) in name:
            parts.append(f"{label}（完成时限{cn_date(m.due)}）" if m.due else label)
        else:
            parts.append(f"{_with_due(m)}，{label}")
    return "；".join(parts)


def _matter(m: MilestoneResult, unit: str, items: dict[str, ItemResult],
            as_of: dt.date) -> dict[str, Any]:
    gap = (as_of - m.due).days if m.due else 0
    if unit_status(m, unit) is Status.OVERDUE:
        days = m.days_overdue or gap
    else:
        days = m.days_left if m.days_left is not None else -gap
    role = ""
    if len(m.units) > 1:
        role = "牵头" if m.lead == unit else "配合"
    return {
        "code": m.code,
        "item_name": m.item_name,
        "text": _clause(m.text),
        "due": cn_date(m.due) if m.due else "",
        "days": days,
        "role": role,
        "partners": "、".join(u for u in m.units if u != unit),
        "reported": _reported(m, items),
    }


def unit_status(m: MilestoneResult, unit: str) -> Status:
    """Return where `unit` itself stands on a milestone (a group member's own standing)."""
    own = m.by_unit.get(unit)
    return own[0] if own is not None else m.status


def notice_recipients(result: PeriodResult, config: Config) -> dict[str, list[str]]:
    """Return, per notice kind, the units that get one (in the order they are written)."""
    return {kind: [ctx["unit"] for ctx in ctxs]
            for kind, ctxs in notice_contexts(result, config).items()}


def notice_contexts(result: PeriodResult, config: Config) -> dict[str, list[dict[str, Any]]]:
    """Return, per notice kind (督办通知/提醒函/催报通知), one context per unit that gets one."""
    items = {it.code: it for it in result.items}
    order = _unit_order(result)
    by_unit = _by_unit(result)
    out: dict[str, list[dict[str, Any]]] = {kind: [] for kind in NOTICES}
    for status, kind in ((Status.OVERDUE, "督办通知"), (Status.DUE_SOON, "提醒函")):
        for unit in order:
            mine = [m for m in by_unit.get(unit, []) if unit_status(m, unit) is status]
            if mine:
                matters = [_matter(m, unit, items, result.as_of) for m in mine]
                out[kind].append(_notice_context(result, config, kind, unit, matters))
    for u in result.units:
        if u.missing:
            ctx = _notice_context(result, config, "催报通知", u.name, [])
            names: dict[str, None] = {}
            for m in by_unit.get(u.name, []):
                names.setdefault(m.item_name, None)
            for it in result.items:
                if u.name in it.units:
                    names.setdefault(it.name, None)
            ctx["items"] = clean("、".join(names))
            ctx["due_count"] = sum(
                1 for m in by_unit.get(u.name, []) if m.due is not None and m.due <= result.as_of
            )
            out["催报通知"].append(ctx)
    return out


def _notice_context(result: PeriodResult, config: Config, kind: str, unit: str,
                    matters: list[dict[str, Any]]) -> dict[str, Any]:
    office = config.office
    issued = issue_date(result, config)
    number = result.notice_numbers.get(kind, {}).get(unit)
    ctx = {
        "unit": unit,
        # a notice the ledger has not numbered (a trial render) shows a blank to fill by hand
        "doc_no": number or f"{config.notices.prefix_of(kind)}〔{result.plan_year}〕　号",
        "issuer_mark": office.issuer_mark,
        "issuer": office.issuer,
        "letter": config.notices.letter_format and kind != "督办通知",  # 信函格式
        "cc": "，".join(office.cc) + "。" if office.cc else "",
        "printer": office.printer,
        "printed_date": cn_date(issued),
        "period_cn": period_cn(result.period),
        "as_of_cn": cn_date(result.as_of),
        "plan_title": _plan_title(result),
        "matters": matters,
        "window": config.schedule.due_soon_days,
        "reply_by": cn_date(issued + dt.timedelta(days=config.schedule.reply_days)),
        "report_deadline": cn_date(_next_month_day(result.period, config.schedule.report_day)),
        "items": "",
        "due_count": 0,
        "short_name": office.short_name,
        "contact_person": office.contact_person,
        "contact_phone": office.contact_phone,
        "signature": office.signature,
        "issue_date": cn_date(issued),
    }
    return _clean_all(ctx)


# ---------------------------------------------------------------- templates


@dataclass
class _Template:
    """A template's bytes (fonts from config applied) and name, loaded once per batch."""

    name: str
    data: bytes


def _env() -> Any:
    """A sandboxed Jinja environment for one batch: strict names, escaping, parts reused.

    Templates are files staff edit, so they are data, not code: the sandbox refuses
    `__class__`, `__globals__` and the like (a SecurityError, reported as a TemplateError).

    docxtpl compiles the document, footers and properties of every notice from source; the
    source is the same for every notice of a kind, so caching the compiled template removes
    about 40 % of the time a notice takes.
    """
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class _Cached(ImmutableSandboxedEnvironment):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.compiled: dict[tuple[str, Any], Any] = {}

        def from_string(self, source: Any, globals: Any = None,
                        template_class: Any = None) -> Any:
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            key = (source, self.autoescape)
            found = self.compiled.get(key)
            if found is None:
                found = self.compiled[key] = super().from_string(source)
            return found

    env = _Cached(undefined=StrictUndefined, autoescape=True)
    return env


def _font_overrides(config: Config) -> dict[str, str]:
    default = FontConfig()
    changed = {f.name: getattr(config.fonts, f.name) for f in fields(FontConfig)
               if getattr(config.fonts, f.name) != getattr(default, f.name)}
    return {sid: changed[key] for sid, key in STYLE_FONTS.items() if key in changed}


def _apply_fonts(data: bytes, overrides: dict[str, str]) -> bytes:
    """Return the template with the East-Asian (and Latin) font of some styles replaced."""
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    src = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(src.read("word/styles.xml"))
    for style in root.iter(f"{w}style"):
        font = overrides.get(style.get(f"{w}styleId", ""))
        if font is None:
            continue
        rpr = style.find(f"{w}rPr")
        if rpr is None:
            rpr = etree.SubElement(style, f"{w}rPr")
        rfonts = rpr.find(f"{w}rFonts")
        if rfonts is None:
            rfonts = etree.Element(f"{w}rFonts")
            rpr.insert(0, rfonts)
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(f"{w}{attr}", None)
        for attr in ("ascii", "hAnsi", "eastAsia"):
            rfonts.set(f"{w}{attr}", font)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/styles.xml":
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            dst.writestr(info, body)
    return out.getvalue()


def _load(templates: TemplateSource, config: Config, name: str) -> _Template:
    path = templates.template(name)
    try:
        data = path.read_bytes()
        zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise TemplateError(f"模板 {path} 不是有效的 Word 文档（.docx）：{exc}") from exc
    overrides = _font_overrides(config)
    if overrides:
        data = _apply_fonts(data, overrides)
    return _Template(name=name, data=data)


def _paragraph_lines(tpl: Any) -> list[str]:
    """The template's paragraphs as plain text, one per line as docxtpl numbers them."""
    xml = tpl.patch_xml(tpl.get_xml())
    xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
    return [re.sub(r"<[^>]+>", "", line) for line in xml.splitlines()]


def _around(lines: list[str], index: int) -> str:
    shown = []
    for i in range(max(0, index - 2), min(len(lines), index + 3)):
        text = lines[i].strip()
        if text or i == index:
            shown.append(f"{'→' if i == index else ' '} {text}")
    return "\n".join(shown)


def _find_line(lines: list[str], needle: str) -> int | None:
    for i, line in enumerate(lines):
        if needle in line:
            return i
    return None


def _broken_line(lines: list[str]) -> int | None:
    """The first paragraph whose tag delimiters do not pair up (a split or unfinished tag)."""
    for i, line in enumerate(lines):
        if line.count("{{") != line.count("}}") or line.count("{%") != line.count("%}"):
            return i
    return None


def _template_error(name: str, what: str, lines: list[str], index: int | None) -> TemplateError:
    where = f"\n出错位置附近的文字：\n{_around(lines, index)}" if index is not None else ""
    return TemplateError(f"模板 {name} 有误：{what}{where}")


def _docx(data: bytes) -> Any:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    tpl.init_docx()
    return tpl


def _check(template: _Template, known: Iterable[str], sample: dict[str, Any]) -> None:
    """Raise TemplateError for broken tags, unknown variables or a failing trial render."""
    from jinja2 import TemplateSyntaxError, meta

    tpl = _docx(template.data)
    lines = _paragraph_lines(tpl)
    env = _env()
    try:
        ast = env.parse("\n".join(lines))
    except TemplateSyntaxError as exc:
        index = _broken_line(lines)
        if index is None and exc.lineno:
            index = exc.lineno - 1
        raise _template_error(template.name, f"标记写法不对（{exc.message}）", lines,
                              index) from None
    unknown = sorted(meta.find_undeclared_variables(ast) - set(known))
    if unknown:
        index = None
        for var in unknown:
            index = _find_line_var(lines, var)
            if index is not None:
                break
        raise _template_error(
            template.name,
            f"用到了没有的数据项 {'、'.join(unknown)}（可用的有：{'、'.join(sorted(known))}）",
            lines, index,
        )
    _render(template, sample, lines)


def _find_line_var(lines: list[str], var: str) -> int | None:
    pattern = re.compile(rf"(?<!\w){re.escape(var)}(?!\w)")
    for i, line in enumerate(lines):
        if ("{{" in line or "{%" in line) and pattern.search(line):
            return i
    return None


def _render(template: _Template, ctx: dict[str, Any], lines: list[str] | None = None,
            chart: bytes | None = None, env: Any = None) -> Any:
    """Render `ctx` into a fresh copy of the template; return the docxtpl document."""
    from jinja2 import TemplateError as JinjaError
    from jinja2 import UndefinedError

    tpl = _docx(template.data)
    if chart is not None:
        from docx.shared import Mm
        from docxtpl import InlineImage

        ctx = {**ctx, "chart": InlineImage(tpl, io.BytesIO(chart), width=Mm(150))}
    try:
        tpl.render(ctx, jinja_env=env or _env(), autoescape=True)
    except UndefinedError as exc:
        lines = lines or _paragraph_lines(_docx(template.data))
        names = re.findall(r"'([^']+)'", exc.message or "")
        name = names[-1] if names else str(exc.message)
        raise _template_error(template.name, f"用到了没有的数据项 {name}", lines,
                              _find_line_var(lines, name)) from None
    except JinjaError as exc:
        lines = lines or _paragraph_lines(_docx(template.data))
        lineno = getattr(exc, "lineno", None) or _template_lineno(exc)
        raise _template_error(template.name, f"填充时出错（{exc}）", lines,
                              lineno - 1 if lineno else None) from None
    return tpl


def _template_lineno(exc: BaseException) -> int | None:
    """The template line a runtime error happened on (Jinja rewrites tracebacks to it)."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def check_word_templates(templates: TemplateSource, config: Config) -> None:
    """Check every Word template `templates` finds; raise TemplateError naming the bad text."""
    _load_checked(templates, config)


def _load_checked(templates: TemplateSource, config: Config) -> dict[str, _Template]:
    sample = sample_result()
    bulletin = bulletin_context(sample, config)
    notices = notice_contexts(sample, config)
    loaded: dict[str, _Template] = {}
    for name in TEMPLATES:
        template = _load(templates, config, name)
        if name == BULLETIN:
            _check(template, bulletin, bulletin)
        else:
            kind = next(k for k, v in NOTICES.items() if v == name)
            ctx = notices[kind][0]
            _check(template, ctx, ctx)
        loaded[name] = template
    return loaded


# ---------------------------------------------------------------- entry


def render_word(result: PeriodResult, templates: TemplateSource, config: Config, out_dir: Path,
                notes: list[str] | None = None) -> list[Path]:
    """Write 进度通报.docx and the notices under out_dir; return the files written.

    Notes for the run log (a chart without a Chinese font) are appended to `notes`.
    """
    loaded = _load_checked(templates, config)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    chart = completion_chart(result)
    if chart.warning:
        log.warning(chart.warning)
        if notes is not None:
            notes.append(chart.warning)
    env = _env()
    bulletin = _render(loaded[BULLETIN], bulletin_context(result, config), chart=chart.png,
                       env=env)
    finish_body(bulletin.element.body, bulletin)
    path = out_dir / BULLETIN
    bulletin.save(str(path))
    written.append(path)

    for kind, contexts in notice_contexts(result, config).items():
        folder = out_dir / kind
        # a re-run must not leave last run's notice to a unit that no longer needs one
        if folder.is_dir():
            for old in folder.glob("*.docx"):
                old.unlink()
        if not contexts:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        template = loaded[NOTICES[kind]]
        compiled = compile_template(template.data, env)
        used: set[str] = set()
        for ctx in contexts:
            path = folder / f"{_unique(safe_filename(ctx['unit']), used)}.docx"
            written.append(_write_notice(template, compiled, ctx, env, path))
    return written


def _write_notice(template: _Template, compiled: CompiledTemplate | None, ctx: dict[str, Any],
                  env: Any, path: Path) -> Path:
    """Write one notice: from the compiled template, or through docxtpl (which also names
    the template line of a rendering error)."""
    from jinja2 import TemplateError as JinjaError

    if compiled is not None:
        try:
            return compiled.write(ctx, path)
        except JinjaError:
            pass  # rendered again below, to report it with the template's text around it
    doc = _render(template, ctx, env=env)
    finish_body(doc.element.body, doc)
    doc.save(str(path))
    return path


def _unique(stem: str, used: set[str]) -> str:
    """Keep two units whose names clean to the same file name apart."""
    name, n = stem, 2
    while name.lower() in used:
        name = f"{stem}_{n}"
        n += 1
    used.add(name.lower())
    return name


# ---------------------------------------------------------------- sample for the pre-batch check


def sample_result() -> PeriodResult:
    """Return a small PeriodResult with every list non-empty, for trial-rendering templates."""
    def ms(code: str, status: Status, due: dt.date, unit: str) -> MilestoneResult:
        return MilestoneResult(
            code=code, item="P01", item_name="示例项目", task="P01-0", text="完成示例节点",
            due=due, units=[unit, "乙单位"], lead=unit, kind=MilestoneKind.STEP, amount_yi=None,
            status=status, days_overdue=3 if status is Status.OVERDUE else 0,
            days_left=5 if status is Status.DUE_SOON else None,
            report=MilestoneReport(code=code, status=Reported.ONGOING, progress="推进中"),
        )

    as_of = dt.date(2024, 6, 30)
    return PeriodResult(
        period="2024-06", as_of=as_of, plan_year=2024, plan_title="示例任务分解",
        plan_version="sample", schedule_rate=0.5,
        items=[
            ItemResult(code="P01", name="示例项目", section=Section.PROJECT, target_yi=1.0,
                       cumulative_yi=0.4, month_added_yi=0.1, rate=0.4, schedule_rate=0.5,
                       vs_schedule="behind", invoice_yi=0.1, units=["甲单位"],
                       reported_by="甲单位"),
            ItemResult(code="T01", name="示例任务", section=Section.TASK, target_yi=None,
                       cumulative_yi=None, units=["甲单位"]),
        ],
        milestones=[
            ms("P01-M01", Status.DONE, dt.date(2024, 5, 31), "甲单位"),
            ms("P01-M02", Status.OVERDUE, dt.date(2024, 6, 20), "甲单位"),
            ms("P01-M03", Status.DUE_SOON, dt.date(2024, 7, 10), "甲单位"),
            ms("P01-M04", Status.IN_PROGRESS, dt.date(2024, 9, 30), "甲单位"),
        ],
        units=[UnitResult(name="甲单位", submitted=True), UnitResult(name="乙单位", submitted=False)],
        doc_number=1,
    )
