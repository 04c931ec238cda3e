"""One zip per unit to send by 政务微信 or mail (`reportgen forms --分发`): the unit's form, its
填报说明 as plain text (readable on a phone), its upload link when the web pages are set up,
and its notices of the month (with the 督办回复单 of a 督办通知) when the month has been run.

What goes into a unit's pack is read from the files themselves, never inferred from a file
name alone: a form goes to the unit its hidden `_meta` sheet names, a notice only when its 主送
line names that unit, a 督办回复单 only when its hidden identity sheet does. A file that does not
prove whose it is stays out and is named.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from python_calamine import CalamineWorkbook

from reportgen import formspec as fs
from reportgen import replyform
from reportgen.cn import format_month
from reportgen.fsutil import atomic_path, safe_filename
from reportgen.render.wording import NOTICE_KINDS
from reportgen.summary import SUMMARY_NAME

DIST_DIRNAME = "分发"
GUIDE_NAME = "填报说明.txt"


@dataclass
class Pack:
    """One unit's zip: where it is, the names inside it, and what was found but left out."""

    unit: str
    path: Path
    entries: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


@dataclass
class Distribution:
    """The packs of a period and what none of them could hold yet (the month not run)."""

    folder: Path
    packs: list[Pack]
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FormFile:
    """A form as read back: its unit and period (from `_meta`), title and 填报说明 lines."""

    path: Path
    unit: str
    period: str
    title: str
    guide: list[tuple[str, str]]


def read_form(path: Path) -> FormFile:
    """Return whose form `path` is and its 填报说明, as the unit will read them."""
    book = CalamineWorkbook.from_path(str(path))
    meta = {str(r[0]): str(r[1]) for r in book.get_sheet_by_name(fs.SHEET_META).to_python() if len(r) > 1}
    rows = [[str(c).rstrip() for c in r] for r in book.get_sheet_by_name(fs.SHEET_GUIDE).to_python()]
    title = rows[0][0].replace("\n", "") if rows and rows[0] else ""
    # a text is written in the lines it prints (forms); a phone wraps it on its own
    guide = [(r[0], r[1].replace("\n", "")) for r in rows[2:] if len(r) > 1 and r[1]]
    return FormFile(path, meta.get("unit", ""), meta.get("period", ""), title, guide)


def addressed_to(docx: Path, unit: str) -> bool:
    """Return True when the notice's 主送 line is `unit` (its text is "<unit>：" in one paragraph)."""
    try:
        with zipfile.ZipFile(docx) as z:
            body = z.read("word/document.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return f">{escape(unit, quote=False)}：</w:t>" in body


def pack_name(period: str, unit: str) -> str:
    """Return the zip's name, as it shows in a chat or a mail: 2024年7月_规划和自然资源分局.zip."""
    return f"{format_month(period)}_{safe_filename(unit)}.zip"


def guide_text(form: FormFile, link: str, contents: list[tuple[str, str]]) -> str:
    """Return the pack's 填报说明.txt: the form's own instructions, the upload link, the contents."""
    lines = [form.title, "填报说明", ""]
    lines += [f"{label}：{text}" for label, text in form.guide]
    if link:
        lines += ["", f"网上报送：用浏览器打开本单位专用链接 {link} ，上传填好的报送表，页面会立即给出校验结果。"
                      "此链接只发给本单位，请勿转发。"]
    lines += ["", "本压缩包内容："]
    lines += [f"  {name}　{what}" for name, what in contents]
    return "\r\n".join(lines) + "\r\n"  # CRLF and a BOM: Windows Notepad shows it as written


def _notices(papers: Path, period: str, unit: str, pack: Pack) -> list[tuple[Path, str]]:
    """Return (file, name in the zip) of `unit`'s notices in `papers`; strays are noted in `pack`."""
    found = []
    stem = safe_filename(unit)
    for kind in NOTICE_KINDS:
        # the unit's file name, or that name numbered when two units' names clash on disk
        candidates = [papers / kind / f"{stem}.docx", *sorted((papers / kind).glob(f"{stem}_*.docx"))]
        candidates = [c for c in candidates if c.is_file()]
        mine = next((c for c in candidates if addressed_to(c, unit)), None)
        if mine is not None:
            found.append((mine, f"{format_month(period)}{kind}.docx"))
        elif candidates and candidates[0].stem == stem:
            pack.left_out.append(f"{kind}/{candidates[0].name}：主送不是{unit}，未放入")
    return found


def reply_form_unit(path: Path) -> str:
    """Return the unit a 督办回复单 was made for (its hidden identity sheet), "" when unreadable."""
    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(replyform.SHEET_ID).to_python()
    except Exception:  # calamine raises its own error types for a missing sheet or a broken file
        return ""
    ident = {str(r[0]): str(r[1]) for r in rows if len(r) > 1}
    return ident.get("责任单位", "") if ident.get("类型") == replyform.KIND else ""


def _reply_form(papers: Path, period: str, unit: str, pack: Pack) -> list[tuple[Path, str]]:
    """Return the unit's 督办回复单 of the month (it goes with the 督办通知), if one was written."""
    path = papers / replyform.FOLDER / replyform.reply_form_name(unit)
    if not path.is_file():
        return []
    if reply_form_unit(path) != unit:
        pack.left_out.append(f"{replyform.FOLDER}/{path.name}：不是{unit}的回复单，未放入")
        return []
    return [(path, f"{format_month(period)}督办回复单.xlsx")]


def _what(name: str) -> str:
    if name.endswith("督办回复单.xlsx"):
        return "填写后随书面回复报回"
    return "请阅办"


def _write_pack(form: FormFile, pack: Pack, notices: list[tuple[Path, str]], link: str) -> None:
    form_entry = f"{safe_filename(form.title or form.unit)}.xlsx"
    contents = [(form_entry, "本单位报送表，填好后报回")]
    contents += [(name, _what(name)) for _path, name in notices]
    text = guide_text(form, link, [*contents, (GUIDE_NAME, "本说明")])
    now = dt.datetime.now().timetuple()[:6]
    with atomic_path(pack.path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(form.path, form_entry)
        for path, name in notices:
            z.write(path, name)
        z.writestr(zipfile.ZipInfo(GUIDE_NAME, date_time=now), text.encode("utf-8-sig"),
                   compress_type=zipfile.ZIP_DEFLATED)
    pack.entries = [form_entry, *(name for _path, name in notices), GUIDE_NAME]


def make_packs(period: str, forms: list[Path], papers: Path, dest: Path,
               links: Callable[[list[str]], dict[str, str]] | None = None) -> Distribution:
    """Write one zip per form into `dest` with the unit's notices from `papers` (output/<period>/).

    `links` turns the units into their upload addresses when the web pages are set up. Zips of
    this period for units that no longer get a form are removed.
    """
    run_done = (papers / SUMMARY_NAME).is_file()
    out = Distribution(dest, [])
    if not run_done:
        out.missing.append(f"{format_month(period)}尚未运行 reportgen run，各单位的包中没有本月的督办通知、提醒函、"
                           "催报通知；运行后重新执行 reportgen forms --分发 即可放入")
    read = [read_form(path) for path in forms]
    for form in read:
        if form.period != period or not form.unit:
            out.missing.append(f"{form.path.name} 不是{format_month(period)}的报送表（隐藏页标明"
                               f"{form.unit or '无单位'}、{form.period or '无月份'}），未打包")
    good = [f for f in read if f.period == period and f.unit]
    addresses = links([f.unit for f in good]) if links and good else {}
    dest.mkdir(parents=True, exist_ok=True)
    for form in good:
        pack = Pack(form.unit, dest / pack_name(period, form.unit))
        notices = [*_notices(papers, period, form.unit, pack),
                   *_reply_form(papers, period, form.unit, pack)] if run_done else []
        _write_pack(form, pack, notices, addresses.get(form.unit, ""))
        out.packs.append(pack)
    kept = {p.path.name for p in out.packs}
    for old in dest.glob(f"{format_month(period)}_*.zip"):
        if old.name not in kept:
            old.unlink()
    return out
