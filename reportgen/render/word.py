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

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reportgen.calendar import month_calendar
from reportgen.config import Config, FontConfig
from reportgen.errors import TemplateError
from reportgen.fsutil import safe_filename
from reportgen.loader import TemplateSource
from reportgen.model import (
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
from reportgen.render.template_tags import Paragraph, check_tags, find, where
from reportgen.render.wording import (  # noqa: F401 - the contexts are part of this module's API
    bulletin_context,
    clean,
    doc_number_text,
    issue_date_of,
    notice_contexts,
    notice_recipients,
    unit_status,
)

log = logging.getLogger(__name__)

BULLETIN = "进度通报.docx"
NOTICES = {"督办通知": "督办通知.docx", "提醒函": "提醒函.docx", "催报通知": "催报通知.docx"}
TEMPLATES = (BULLETIN, *NOTICES.values())

TEXT_WIDTH_PT = 156 / 25.4 * 72  # 版心 width
BODY_PT = 16.0

# style id (as written by tools/make_word_templates.py) -> FontConfig field
STYLE_FONTS = {
    "Normal": "body", "GwDocNo": "body", "GwTo": "body", "GwH3": "body", "GwFigure": "body",
    "GwAttach": "body", "GwAttachMore": "body", "GwSign": "body", "GwDate": "body",
    "GwImprint": "body", "GwMark": "title", "GwTitle": "title", "GwH1": "heading1",
    "GwH2": "heading2", "GwPageNo": "number", "GwLetterMark": "title", "GwLetterNo": "body",
    "GwImprintSpace": "body",
}

def issue_date(result: PeriodResult, config: Config) -> dt.date:
    """Return the 成文日期 of the period's papers (the calendar's, see reportgen.calendar)."""
    return issue_date_of(result, config)


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


def _broken_line(lines: list[str]) -> int | None:
    """The first paragraph whose tag delimiters do not pair up (a split or unfinished tag)."""
    for i, line in enumerate(lines):
        if line.count("{{") != line.count("}}") or line.count("{%") != line.count("%}"):
            return i
    return None


def _template_error(name: str, what: str, lines: list[str], index: int | None,
                    raw: tuple[Paragraph, int] | None = None) -> TemplateError:
    """The error naming the template's paragraph (when found) and the text around it."""
    around = f"\n出错位置附近的文字：\n{_around(lines, index)}" if index is not None else ""
    head = f"{where(name, *raw)}：" if raw is not None else f"模板《{name}》有误："
    return TemplateError(f"{head}{what}{around}")


def _docx(data: bytes) -> Any:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    tpl.init_docx()
    return tpl


def _check(template: _Template, known: Iterable[str], sample: dict[str, Any],
           fields: set[str]) -> None:
    """Raise TemplateError for broken tags, unknown variables or fields, or a failing trial
    render, naming the template's paragraph as staff see it in Word."""
    from jinja2 import TemplateSyntaxError, meta

    pars = check_tags(template.name, template.data)
    tpl = _docx(template.data)
    lines = _paragraph_lines(tpl)
    env = _env()
    try:
        ast = env.parse("\n".join(lines))
    except TemplateSyntaxError as exc:
        index = _broken_line(lines)
        if index is None and exc.lineno:
            index = exc.lineno - 1
        raise _template_error(template.name, f"标记写法不对（{exc.message}）", lines, index,
                              _raw_paragraph(pars, lines, index)) from None
    unknown = sorted(meta.find_undeclared_variables(ast) - set(known))
    if unknown:
        raise _unknown_error(template.name, unknown, "、".join(sorted(known)), lines, pars)
    strays = sorted(_fields_used(ast) - fields - _LOOP_FIELDS)
    if strays:
        raise _unknown_error(template.name, [f".{f}" for f in strays], "、".join(sorted(fields)),
                             lines, pars)
    _render(template, sample, lines)


_LOOP_FIELDS = {"index", "index0", "revindex", "revindex0", "first", "last", "length", "cycle",
                "depth", "depth0", "previtem", "nextitem", "changed"}


def _fields_used(ast: Any) -> set[str]:
    """The field names a template reads with `x.name` or `x['name']` (not methods it calls)."""
    from jinja2 import nodes

    called = {id(call.node) for call in ast.find_all(nodes.Call)}
    # `_x` names are left to the sandbox, which refuses them as unsafe
    used = {n.attr for n in ast.find_all(nodes.Getattr)
            if id(n) not in called and not n.attr.startswith("_")}
    used |= {n.arg.value for n in ast.find_all(nodes.Getitem)
             if isinstance(n.arg, nodes.Const) and isinstance(n.arg.value, str)}
    return used


def _fields_of(value: Any, out: set[str]) -> set[str]:
    """Every key of every dict in `value` (the data a template may read fields of)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            out.add(str(key))
            _fields_of(inner, out)
    elif isinstance(value, list | tuple):
        for inner in value:
            _fields_of(inner, out)
    return out


def _unknown_error(name: str, unknown: list[str], available: str, lines: list[str],
                   pars: list[Paragraph]) -> TemplateError:
    what = f"用到了没有的数据项 {'、'.join(u.lstrip('.') for u in unknown)}（可用的有：{available}）"
    for var in unknown:
        pattern = _var_pattern(var)
        index = next((i for i, line in enumerate(lines)
                      if ("{{" in line or "{%" in line) and pattern.search(line)), None)
        raw = find(pars, pattern)
        if index is not None or raw is not None:
            return _template_error(name, what, lines, index, raw)
    return _template_error(name, what, lines, None)


def _var_pattern(var: str) -> re.Pattern[str]:
    """A name (`unit`) or a field (`.unit`, also read as `['unit']`) as written in a tag."""
    if var.startswith("."):
        field = re.escape(var[1:])
        return re.compile(rf"\.\s*{field}(?!\w)|\[\s*['\"‘“]{field}['\"’”]\s*\]")
    return re.compile(rf"(?<![\w.]){re.escape(var)}(?!\w)")


def _raw_paragraph(pars: list[Paragraph], lines: list[str],
                   index: int | None) -> tuple[Paragraph, int] | None:
    """The template paragraph a line of docxtpl's source starts with: the source joins a
    `{%p %}` paragraph's tag onto the line before, and writes `{%p x %}` as `{% x %}`."""
    if index is None or not 0 <= index < len(lines):
        return None
    line = lines[index].strip()
    for par in pars:
        text = _WHOLE_TAG.sub(r"\1", par.text).strip()
        if text and line.startswith(text):
            return par, 0
    return None


_WHOLE_TAG = re.compile(r"(\{[%{#])(?:p|tr|tc|r) ")


def _find_line_var(lines: list[str], var: str) -> int | None:
    pattern = _var_pattern(var)
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
        pars = check_tags(template.name, template.data)
        index = _find_line_var(lines, name)
        raise _template_error(template.name, f"用到了没有的数据项 {name}", lines, index,
                              find(pars, _var_pattern(name)) or _raw_paragraph(pars, lines, index)
                              ) from None
    except JinjaError as exc:
        lines = lines or _paragraph_lines(_docx(template.data))
        lineno = getattr(exc, "lineno", None) or _template_lineno(exc)
        index = lineno - 1 if lineno else None
        raise _template_error(template.name, f"填充时出错（{exc}）", lines, index,
                              _raw_paragraph(check_tags(template.name, template.data), lines,
                                             index)) from None
    return tpl


def _template_lineno(exc: BaseException) -> int | None:
    """The template line a runtime error happened on (Jinja rewrites tracebacks to it)."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def check_word_templates(templates: TemplateSource, config: Config) -> dict[str, _Template]:
    """Check every Word template `templates` finds; raise TemplateError naming the bad text.
    Return the templates checked (for `render_word`, which then does not check them again)."""
    return _load_checked(templates, config)


def _load_checked(templates: TemplateSource, config: Config) -> dict[str, _Template]:
    sample = sample_result()
    bulletin = bulletin_context(sample, config)
    notices = notice_contexts(sample, config)
    # a field may be read where the sample's list is empty or its branch not taken
    fields = _fields_of([bulletin, *(c for kind in notices.values() for c in kind)], set())
    loaded: dict[str, _Template] = {}
    for name in TEMPLATES:
        template = _load(templates, config, name)
        if name == BULLETIN:
            _check(template, bulletin, bulletin, fields)
        else:
            kind = next(k for k, v in NOTICES.items() if v == name)
            ctx = notices[kind][0]
            _check(template, ctx, ctx, fields)
        loaded[name] = template
    return loaded


# ---------------------------------------------------------------- entry


def render_word(result: PeriodResult, templates: TemplateSource, config: Config, out_dir: Path,
                notes: list[str] | None = None, checked: dict[str, _Template] | None = None) -> list[Path]:
    """Write 进度通报.docx and the notices under out_dir; return the files written.

    Notes for the run log (a chart without a Chinese font) are appended to `notes`. The
    templates are loaded and checked here unless `checked` (by `check_word_templates`) is given.
    """
    loaded = checked if checked is not None else _load_checked(templates, config)
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
    confirm = ms("P01-M05", Status.IN_PROGRESS, dt.date(2024, 7, 3), "甲单位")
    confirm.confirm = True
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
            confirm,
        ],
        units=[UnitResult(name="甲单位", submitted=True),
               UnitResult(name="乙单位", submitted=False, missed_months=2)],
        doc_number=1,
        dates=month_calendar("2024-06", as_of, Config()),
    )
