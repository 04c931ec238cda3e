"""A batch of bad and odd files, each made by code: every one raises exactly the issue expected,
and the clean files of the same batch are still read in full."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from reportgen import formspec as fs
from reportgen.config import CheckConfig, Config
from reportgen.forms import write_form
from reportgen.ingest import FileRead, IngestResult, read_submissions, reader
from reportgen.model import Metric, Prefill, Reported, Severity
from reportgen.rules import EarlierFigures
from tests.ingest_support import (
    ECON,
    EQUIP,
    LAND,
    MED,
    encrypted_ooxml,
    fill_form,
    make_form,
    make_plan,
    patch_zip,
)

PERIOD = "2024-06"
PLAN = make_plan()
CONFIG = Config(check=CheckConfig(max_file_mb=0.5, max_unzipped_mb=5, max_rows=200, jump_factor=20))
PREVIOUS = {"P01/invest": 0.8}
D = dt.date

MED_FIGURES = {"P01/invest": 1.0, "P03/invest": 0.6}
MED_MS = {"P03-M01": {"status": "已完成", "completed_on": D(2024, 6, 20), "progress": "已入统"}}
FOOTER = {"填报人": "王芳", "联系电话": "13900000001", "填报日期": D(2024, 7, 2)}


@dataclass
class Expect:
    """One issue a file must raise."""

    code: str
    severity: Severity
    words: tuple[str, ...] = ()
    cell: str | None = None  # None: do not check; "" : no cell
    sheet: str | None = None


@dataclass
class Case:
    """One file of the corpus and what reading it must say."""

    name: str
    build: Callable[[Path], Any]
    expect: list[Expect] = field(default_factory=list)
    check: Callable[[FileRead], None] | None = None
    clean: bool = False  # odd but fine: no error or warning at all


def form(
    unit: str = MED,
    figures: dict[str, Any] | None = None,
    milestones: dict[str, dict[str, Any]] | None = None,
    footer: dict[str, Any] | None = None,
    meta: bool = True,
    period: str = PERIOD,
    edit: Callable[[Any], None] | None = None,
    zedit: Callable[[Path], Any] | None = None,
) -> Callable[[Path], None]:
    """Return a builder: the unit's real form, filled, then edited with openpyxl and/or at zip level."""

    def build(path: Path) -> None:
        figs = MED_FIGURES if figures is None and unit == MED else figures
        ms = MED_MS if milestones is None and unit == MED else milestones
        make_form(PLAN, unit, period, path, figs, ms, FOOTER if footer is None else footer,
                  meta=meta, config=CONFIG)
        if edit is not None:
            from openpyxl import load_workbook

            wb = load_workbook(path)
            edit(wb)
            wb.save(path)
        if zedit is not None:
            zedit(path)

    return build


def fig_cell(row: int = 4) -> str:
    return f"F{row}"


def figures_of(f: FileRead) -> dict[str, float | None]:
    assert f.submission is not None, [i.message for i in f.issues]
    return {k: v.value_yi for k, v in f.submission.figures.items()}


def has_figures(**want: float | None) -> Callable[[FileRead], None]:
    def check(f: FileRead) -> None:
        got = figures_of(f)
        for key, value in want.items():
            assert got[key.replace("_", "/")] == value, (key, got)
    return check


def no_figures(f: FileRead) -> None:
    assert f.submission is not None and not f.submission.figures, figures_of(f)


def status_is(code: str, status: Reported | None, on: dt.date | None = None) -> Callable[[FileRead], None]:
    def check(f: FileRead) -> None:
        assert f.submission is not None
        rep = f.submission.milestones[code]
        assert (rep.status, rep.completed_on) == (status, on)
    return check


def content_date_is(day: dt.date) -> Callable[[FileRead], None]:
    def check(f: FileRead) -> None:
        assert f.submission is not None and f.submission.content_date == day
    return check


def set_cell(sheet: str, ref: str, value: Any, fmt: str | None = None) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        wb[sheet][ref] = value
        if fmt:
            wb[sheet][ref].number_format = fmt
    return edit


def zip_member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def sheet_part(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet [^>]*name="([^"]+)"', book)
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


# ---------------------------------------------------------------- builders of broken files


def raw(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


def truncated(path: Path) -> None:
    form()(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def bad_deflate(path: Path) -> None:
    """Damage the compressed bytes of the figures sheet, keeping the zip's directory intact."""
    form()(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(sheet_part(path, fs.SHEET_FIGURES))
    start = info.header_offset + 30 + len(info.filename.encode()) + 20
    for k in range(start, start + 40):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))


def docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


def plain_zip(path: Path) -> None:
    inner = io.BytesIO()
    form()(Path(str(path) + ".inner.xlsx"))
    with zipfile.ZipFile(path, "w") as z:
        z.write(Path(str(path) + ".inner.xlsx"), "现代医药.xlsx")
    Path(str(path) + ".inner.xlsx").unlink()
    del inner


def oversized(path: Path) -> None:
    import os

    form(zedit=lambda p: patch_zip(p, {}, {"xl/media/image1.png": os.urandom(600_000)}))(path)


def bomb_declared(path: Path) -> None:
    form(zedit=lambda p: patch_zip(p, {}, {"xl/media/blob.bin": bytes(6 * 1024 * 1024)}))(path)


def bomb_lying(path: Path) -> None:
    """A member whose headers declare 1 KB but that inflates to 6 MB."""
    form(zedit=lambda p: patch_zip(p, {}, {"xl/media/blob.bin": bytes(6 * 1024 * 1024)}))(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/media/blob.bin")
    real = info.file_size.to_bytes(4, "little")
    fake = (1024).to_bytes(4, "little")
    data = bytearray(bytes(data).replace(real, fake))
    path.write_bytes(bytes(data))


XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


def xxe(path: Path, padding: int = 0) -> None:
    def add_dtd(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        comment = b"<!--" + b" " * padding + b"-->" if padding else b""
        return XXE.replace(b"?>", b"?>" + comment, 1) + body

    form(zedit=lambda p: patch_zip(p, {"xl/workbook.xml": add_dtd}))(path)


def xxe_sheet(path: Path) -> None:
    """The DTD in the worksheet the reader opens, not in workbook.xml."""
    def add_dtd(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return XXE + body

    form(zedit=lambda p: patch_zip(p, {sheet_part(p, fs.SHEET_FIGURES): add_dtd}))(path)


def many_rows(path: Path) -> None:
    def add_rows(data: bytes) -> bytes:
        rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r)
                        for r in range(300, 10_300))
        return data.replace(b"</sheetData>", rows + b"</sheetData>")

    form(zedit=lambda p: patch_zip(p, {sheet_part(p, fs.SHEET_MILESTONES): add_rows}))(path)


def ods_repeated_row(path: Path) -> None:
    """An .ods whose one data row is set to repeat a million times (expands when read)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="投资完成情况"><table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)


def far_cell(path: Path) -> None:
    """One stray cell at XFD1048576: a reader building a dense grid would ask for 17 billion cells."""
    def add(data: bytes) -> bytes:
        return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')

    form(zedit=lambda p: patch_zip(p, {sheet_part(p, fs.SHEET_FIGURES): add}))(path)


def ods_far_row(path: Path) -> None:
    """An .ods with a value a million rows down, below one empty repeated row."""
    ods_repeated_row(path)
    content = zip_member(path, "content.xml").replace(
        b'table:number-rows-repeated="1000000"><table:table-cell',
        b'table:number-rows-repeated="1000000"/><table:table-row><table:table-cell',
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)


def ods_far_column(path: Path) -> None:
    """An .ods with a value 20,000 columns out, after one empty repeated cell."""
    ods_repeated_row(path)
    content = zip_member(path, "content.xml").replace(
        b'table:number-rows-repeated="1000000">',
        b'><table:table-cell table:number-columns-repeated="20000"/>',
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)


def formula_cached(path: Path) -> None:
    """A formula with its cached result, as Excel saves it."""
    def add_value(data: bytes) -> bytes:
        return re.sub(rb"<f>0\.5\+0\.3</f><v\s*/?>(</v>)?", b"<f>0.5+0.3</f><v>0.8</v>", data)

    form(edit=set_cell(fs.SHEET_FIGURES, "F4", "=0.5+0.3"),
         zedit=lambda p: patch_zip(p, {sheet_part(p, fs.SHEET_FIGURES): add_value}))(path)


def cn_date_format(path: Path) -> None:
    """A date cell in Excel's built-in Chinese date format 31 (yyyy年m月d日), stored as a serial."""
    form(milestones={"P03-M01": {"status": "已完成", "completed_on": 45463}})(path)

    part = sheet_part(path, fs.SHEET_MILESTONES)
    style = re.search(rb'<c r="G4" s="(\d+)"', zip_member(path, part))
    assert style
    index = int(style.group(1))

    def use_31(data: bytes) -> bytes:
        text = data.decode()
        xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", text, re.S)
        assert xfs
        parts = re.findall(r"<xf [^>]*/>|<xf [^>]*>.*?</xf>", xfs.group(1), re.S)
        parts[index] = re.sub(r'numFmtId="\d+"', 'numFmtId="31"', parts[index])
        return text.replace(xfs.group(1), "".join(parts)).encode()

    patch_zip(path, {"xl/styles.xml": use_31})


def wrong_dimension(path: Path) -> None:
    def shrink(data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1"/>', data)

    form(zedit=lambda p: patch_zip(p, {sheet_part(p, fs.SHEET_FIGURES): shrink}))(path)


def xlsm(path: Path) -> None:
    form(zedit=lambda p: patch_zip(p, {}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}))(path)


def xls_form(path: Path) -> None:
    """An .xls written by xlwt following the form layout (unit, figures, dates, hidden _meta)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    wb.add_sheet(fs.SHEET_GUIDE).write(0, 0, "填报说明")
    ws = wb.add_sheet(fs.SHEET_FIGURES)
    ws.write(0, 0, fs.TITLE_FORMAT.format(year=2024, month=6, unit=MED))
    for c, text in enumerate(fs.FIGURE_HEADERS.values()):
        ws.write(2, c, text)
    for r, (key, value) in enumerate([("P01/invest", 1.0), ("P03/invest", "3000万元")], start=3):
        ws.write(r, 0, key)
        ws.write(r, 2, "完成投资")
        ws.write(r, 5, value)
    ws = wb.add_sheet(fs.SHEET_MILESTONES)
    for c, text in enumerate(fs.MILESTONE_HEADERS.values()):
        ws.write(2, c, text)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ws.write(3, 0, "P03-M01")
    ws.write(3, 5, "已完成")
    ws.write(3, 6, dt.datetime(2024, 6, 20), date_style)
    ws.write(6, 1, "填报日期")
    ws.write(6, 2, dt.datetime(2024, 7, 1), date_style)
    meta = wb.add_sheet(fs.SHEET_META)
    for r, (k, v) in enumerate([("unit", MED), ("period", PERIOD), ("plan_version", PLAN.version)]):
        meta.write(r, 0, k)
        meta.write(r, 1, v)
    meta.visibility = 1  # hidden
    wb.save(str(path))


def swap_value_and_note(wb: Any) -> None:
    ws = wb[fs.SHEET_FIGURES]
    for r in range(fs.HEADER_ROW, ws.max_row + 1):
        f, g = ws.cell(r, 6), ws.cell(r, 7)
        f.value, g.value = g.value, f.value


def swap_rows(wb: Any) -> None:
    ws = wb[fs.SHEET_FIGURES]
    for c in range(1, ws.max_column + 1):
        a, b = ws.cell(4, c), ws.cell(5, c)
        a.value, b.value = b.value, a.value


def insert_rows(wb: Any) -> None:
    wb[fs.SHEET_FIGURES].insert_rows(5, 2)


def insert_note_row(wb: Any) -> None:
    ws = wb[fs.SHEET_MILESTONES]
    ws.insert_rows(5)
    ws["H5"] = "补充说明：企业已提交全部资料"


def delete_milestone_row(wb: Any) -> None:
    wb[fs.SHEET_MILESTONES].delete_rows(4)


def rename_sheets(wb: Any) -> None:
    wb[fs.SHEET_FIGURES].title = "Sheet1"
    wb[fs.SHEET_MILESTONES].title = "进展"


def drop_title(wb: Any) -> None:
    for name in (fs.SHEET_FIGURES, fs.SHEET_MILESTONES):
        wb[name]["A1"] = "重点项目推进情况"
        wb[name]["A2"] = ""


def drop_title_and_codes(wb: Any) -> None:
    drop_title(wb)
    for name in (fs.SHEET_FIGURES, fs.SHEET_MILESTONES):
        ws = wb[name]
        for r in range(fs.FIRST_DATA_ROW, ws.max_row + 1):
            if ws.cell(r, 1).value and re.match(r"[PT]\d\d", str(ws.cell(r, 1).value)):
                ws.cell(r, 1).value = None
                ws.cell(r, 2).value = "某项目"


def merge_values(wb: Any) -> None:
    wb[fs.SHEET_FIGURES].merge_cells("F4:F5")  # one number over two projects' 本月累计


def merge_status(wb: Any) -> None:
    ws = wb[fs.SHEET_MILESTONES]
    ws["F5"] = None
    ws.merge_cells("F4:F5")


def extra_sheet(wb: Any) -> None:
    ws = wb.create_sheet("说明")
    ws["A1"] = "本单位补充说明"


def meta_value(key: str, value: str) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        ws = wb[fs.SHEET_META]
        for r in range(1, 10):
            if ws.cell(r, 1).value == key:
                ws.cell(r, 2).value = value
    return edit


def land(**answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    base = {c: {"status": "推进中", "progress": "推进中"} for c in ("P07-M01", "P07-M02", "P07-M03", "T01-M01")}
    base.update(answers)
    return base


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
FIG, MS = fs.SHEET_FIGURES, fs.SHEET_MILESTONES

CASES: list[Case] = [
    # ---- not a spreadsheet, broken, hostile
    Case("纯文本.xlsx", raw("单位,投资\n现代医药,1.2\n".encode()), [Expect("not_spreadsheet", E, ("纯文本",), "")]),
    Case("扫描件.xlsx", raw(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj"), [Expect("not_spreadsheet", E, ("PDF",))]),
    Case("网页导出.xls", raw(b"<html><table><tr><td>1</td></tr></table></html>"),
         [Expect("not_spreadsheet", E, ("网页",))]),
    Case("改名的Word.xlsx", docx, [Expect("not_spreadsheet", E, ("Word文档",))]),
    Case("说明函.docx", docx, [Expect("not_spreadsheet", W, ("Word文档",))]),
    Case("打包.zip", plain_zip, [Expect("not_spreadsheet", W, ("压缩包",))]),
    Case("照片.jpg", raw(b"\xff\xd8\xff\xe0JFIF"), [Expect("not_spreadsheet", W, ("图片",))]),
    Case("空文件.xlsx", raw(b""), [Expect("empty_file", E, ("0字节",))]),
    Case("传了一半.xlsx", truncated, [Expect("corrupt_file", E, ("损坏",))]),
    Case("数据损坏.xlsx", bad_deflate, [Expect("corrupt_file", E, ("损坏",))]),
    Case("加密.xlsx", encrypted_ooxml, [Expect("encrypted", E, ("密码",))]),
    Case("超大.xlsx", oversized, [Expect("too_large", E, ("超过上限0.5MB",))]),
    Case("压缩炸弹.xlsx", bomb_declared, [Expect("zip_bomb", E, ("超过5MB",))]),
    Case("虚报大小.xlsx", bomb_lying, [Expect("zip_bomb", E, ("超过5MB",))]),
    Case("外部实体.xlsx", xxe, [Expect("xml_entities", E, ("外部实体", "xl/workbook.xml"))]),
    Case("表内外部实体.xlsx", lambda p: xxe_sheet(p), [Expect("xml_entities", E, ("外部实体", "xl/worksheets/"))]),
    Case("外部实体长注释.xlsx", lambda p: xxe(p, padding=5000),
         [Expect("xml_entities", E, ("外部实体",))]),
    Case("无权限.xlsx", form(), [Expect("unreadable", E, ("无法打开",))]),
    Case("重复行.ods", ods_repeated_row, [Expect("too_many_rows", E, ("重复1000000次",), "")]),
    Case("远处单元格.xlsx", far_cell, [Expect("far_cells", W, ("XFD1048576",), "XFD1048576", FIG)],
         check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    Case("远处数据行.ods", ods_far_row, [Expect("too_many_rows", E, ("第1000001行有内容",), "")]),
    Case("远处数据列.ods", ods_far_column, [Expect("too_many_rows", E, ("第20001列以后",), "")]),
    Case("百万行.xlsx", many_rows, [Expect("too_many_rows", E, ("只读取了前200行",), "A201", MS)],
         check=status_is("P03-M01", Reported.DONE, D(2024, 6, 20))),
    # ---- identification
    Case("无标识表.xlsx", form(meta=False), [Expect("identified_by_title", INFO, ("表格标题", MED))],
         check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    Case("医药招商中心报表.xlsx", form(meta=False, edit=drop_title),
         [Expect("identified_by_filename", INFO, ("文件名", MED, "按本批次 2024-06"))],
         check=has_figures(P01_invest=1.0)),
    Case("报表(1).xlsx", form(meta=False, edit=drop_title),
         [Expect("identified_by_rows", INFO, ("编号", MED))], check=has_figures(P03_invest=0.6)),
    Case("无从识别.xlsx", form(meta=False, edit=drop_title_and_codes),
         [Expect("unidentified", E, ("无法确定报送单位",))]),
    Case("五月的表.xlsx", form(period="2024-05"), [Expect("wrong_period", E, ("2024-05", "2024-06"))]),
    Case(f"{ECON}（错发）.xlsx", form(), [Expect("unit_mismatch", E, (ECON, MED))]),
    Case("单位不明.xlsx", form(edit=meta_value("unit", "某某局")), [Expect("unknown_unit", E, ("某某局",), "B1")]),
    Case("标识表缺月份.xlsx", form(edit=meta_value("period", "")),
         [Expect("period_assumed", INFO, ("2024-06",), "B2")], check=has_figures(P01_invest=1.0)),
    Case("旧版任务分解.xlsx", form(edit=meta_value("plan_version", "oldversion")),
         [Expect("plan_version", W, ("oldversion", "v1test"))], check=has_figures(P01_invest=1.0)),
    # ---- figures
    Case("公式无缓存.xlsx", form(edit=set_cell(FIG, "F4", "=0.5+0.3")),
         [Expect("formula_no_cache", E, ("=0.5+0.3", "未按0计"), "F4", FIG)],
         check=has_figures(P01_invest=None, P03_invest=0.6)),
    Case("日期是公式.xlsx", form(milestones={"P03-M01": {"status": "已完成"}},
                             edit=set_cell(MS, "G4", "=DATE(2024,6,5)")),
         [Expect("formula_no_cache", E, ("=DATE(2024,6,5)",), "G4", MS)],
         check=status_is("P03-M01", Reported.DONE, None)),
    Case("公式有缓存.xlsx", formula_cached, clean=True, check=has_figures(P01_invest=0.8)),
    Case("文本数字.xlsx", form(figures={"P01/invest": "1.2", "P03/invest": "１．５"}), clean=True,
         check=has_figures(P01_invest=1.2, P03_invest=1.5)),
    Case("带单位.xlsx", form(figures={"P01/invest": "1.2亿", "P03/invest": "12000万元"}), clean=True,
         check=has_figures(P01_invest=1.2, P03_invest=1.2)),
    Case("约数.xlsx", form(figures={"P01/invest": "约1.2亿元", "P03/invest": 0.6}),
         [Expect("approximate", W, ("约1.2亿元", "1.2"), "F4", FIG)], check=has_figures(P01_invest=1.2)),
    Case("看不懂的数.xlsx", form(figures={"P01/invest": "见附件", "P03/invest": 0.6}),
         [Expect("bad_number", E, ("见附件", "亿元"), "F4", FIG)], check=has_figures(P01_invest=None)),
    Case("负数.xlsx", form(figures={"P01/invest": -0.5, "P03/invest": 0.6}),
         [Expect("negative", E, ("负数",), "F4", FIG)]),
    Case("金额填了日期.xlsx", form(figures={"P01/invest": D(2024, 6, 1), "P03/invest": 0.6}),
         [Expect("bad_number", E, ("2024-06-01",), "F4", FIG)]),
    Case("金额带说明.xlsx", form(figures={"P01/invest": "1.2亿元，其中设备0.3亿元", "P03/invest": 0.6}),
         [Expect("bad_number", E, ("无法识别为金额",), "F4", FIG)], check=has_figures(P01_invest=None)),
    Case("万写成亿的零头.xlsx", form(figures={"P01/invest": "0.3万", "P03/invest": 0.6}),
         [Expect("cumulative_decreased", E, ("本月累计 0.00003 亿元低于",), "F4", FIG)],
         check=has_figures(P01_invest=None)),
    Case("原样退回.xlsx", form(figures={}, milestones={}, footer={}),  # the form sent back blank
         [Expect("no_data", E, ("没有填写任何内容", "本月视为未报送"), "")],
         check=lambda f: None if not f.used else pytest.fail("a blank form counted as reported")),
    Case("累计数合并单元格.xlsx", form(edit=merge_values),
         [Expect("merged_figures", E, ("F4:F5", "第4至5行", "无法确定各行各是多少"), "F4", FIG)],
         check=has_figures(P01_invest=None, P03_invest=None)),
    Case("漏填累计.xlsx", form(figures={"P03/invest": 0.6}),
         [Expect("figure_missing", W, ("本月累计未填写",), "F4", FIG)]),
    Case("累计减少.xlsx", form(figures={"P01/invest": 0.5, "P03/invest": 0.6}),
         [Expect("cumulative_decreased", E, ("0.5", "0.8", "未采用"), "F4", FIG)], check=has_figures(P01_invest=None)),
    Case("万元当亿元.xlsx", form(figures={"P01/invest": 12000, "P03/invest": 0.6}),
         [Expect("implausible_jump", E, ("万元", "12000"), "F4", FIG)], check=has_figures(P01_invest=None)),
    Case("表头改万元.xlsx", form(figures={"P01/invest": 10000, "P03/invest": 6000},
                             edit=set_cell(FIG, "F3", "本月累计（万元）")),
         [Expect("unit_wan", INFO, ("万元",), "F4", FIG)], check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    Case("编号不在计划.xlsx", form(edit=set_cell(FIG, "A4", "P99/invest")),
         [Expect("unknown_code", E, ("P99/invest",), "A4", FIG),
          Expect("row_missing", W, ("双雁生物医药产业园一期项目",), "", FIG)],
         check=has_figures(P03_invest=0.6)),
    Case("行顺序调换.xlsx", form(edit=swap_rows), clean=True, check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    Case("列顺序调换.xlsx", form(edit=swap_value_and_note), clean=True,
         check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    Case("插入空行.xlsx", form(edit=insert_rows), clean=True, check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    Case("表名改了.xlsx", form(edit=rename_sheets), clean=True, check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    # the 本月累计 header typed over: the column is named, not every row called deleted
    Case("改了列名.xlsx", form(edit=set_cell(FIG, "F3", "累计完成投资（亿元）")),
         [Expect("column_missing", E, ("“投资完成情况”表第3行", "找不到“本月累计（亿元）”列", "累计数未读取"),
                 "A3", FIG)],
         check=lambda f: no_figures(f)),
    Case("维度错误.xlsx", wrong_dimension, clean=True, check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    Case("多了一张表.xlsx", form(edit=extra_sheet), clean=True, check=has_figures(P01_invest=1.0)),
    Case("宏文件.xlsm", xlsm, clean=True, check=has_figures(P01_invest=1.0, P03_invest=0.6)),
    Case("旧格式.xls", xls_form, check=has_figures(P01_invest=1.0, P03_invest=0.3)),
    # ---- milestones and dates
    Case("点分日期.xlsx", form(milestones={"P03-M01": {"status": "已完成", "completed_on": "2024.6.15"}}),
         clean=True, check=status_is("P03-M01", Reported.DONE, D(2024, 6, 15))),
    Case("只写月日.xlsx", form(milestones={"P03-M01": {"status": "完成", "completed_on": "6月15日"}}),
         clean=True, check=status_is("P03-M01", Reported.DONE, D(2024, 6, 15))),
    Case("几号.xlsx", form(milestones={"P03-M01": {"status": "已完成", "completed_on": "2024年6月15号"}}),
         clean=True, check=status_is("P03-M01", Reported.DONE, D(2024, 6, 15))),
    Case("斜杠日期.xlsx", form(milestones={"P03-M01": {"status": "完成了", "completed_on": "2024/6/15"}}),
         clean=True, check=status_is("P03-M01", Reported.DONE, D(2024, 6, 15))),
    Case("日期序号.xlsx", form(milestones={"P03-M01": {"status": "已完成", "completed_on": 45458}}),
         clean=True, check=status_is("P03-M01", Reported.DONE, D(2024, 6, 15))),
    Case("中文日期格式.xlsx", cn_date_format, clean=True, check=status_is("P03-M01", Reported.DONE, D(2024, 6, 20))),
    Case("往年日期.xlsx", form(milestones={"P03-M01": {"status": "已完成", "completed_on": "2023-12-20"}}),
         [Expect("date_out_of_year", E, ("2023-12-20", "2024"), "G4", MS)],
         check=status_is("P03-M01", Reported.DONE, None)),
    Case("日期看不懂.xlsx", form(milestones={"P03-M01": {"status": "已完成", "completed_on": "六月中旬"}}),
         [Expect("bad_date", E, ("六月中旬", "“已完成”本月未采用，该节点视为未报送"), "G4", MS)]),
    Case("没有这天.xlsx", form(milestones={"P03-M01": {"status": "已完成", "completed_on": "2024-02-30"}}),
         [Expect("bad_date", E, ("不是有效日期",), "G4", MS)]),
    Case("未来日期.xlsx", form(milestones={"P03-M01": {"status": "已完成", "completed_on": D(2024, 8, 1)}}),
         [Expect("date_after_period", E, ("2024-08-01", "2024-06-30", "“已完成”本月未采用"), "G4", MS)]),
    Case("状态口语.xlsx", form(milestones={"P03-M01": {"status": "正在推进", "progress": "在办"}}), clean=True,
         check=status_is("P03-M01", Reported.ONGOING)),
    Case("状态近似.xlsx", form(milestones={"P03-M01": {"status": "已经完成了", "completed_on": D(2024, 6, 3)}}),
         clean=True, check=status_is("P03-M01", Reported.DONE, D(2024, 6, 3))),
    Case("状态含糊.xlsx", form(milestones={"P03-M01": {"status": "已基本完成", "completed_on": D(2024, 6, 3)}}),
         [Expect("bad_status", E, ("已基本完成", "不作推断"), "F4", MS)],
         check=status_is("P03-M01", None, D(2024, 6, 3))),
    Case("状态乱填.xlsx", form(milestones={"P03-M01": {"status": "看情况"}}),
         [Expect("bad_status", E, ("看情况", "已完成、推进中、未启动、受阻"), "F4", MS)],
         check=status_is("P03-M01", None)),
    Case("状态未填.xlsx", form(milestones={"P03-M01": {"progress": "有进展"}}),
         [Expect("status_missing", W, ("上半年完成项目入统",), "F4", MS)]),
    # read as given, the date unknown: what that stands for needs earlier months (reconcile.answer_issues)
    Case("完成无日期.xlsx", form(milestones={"P03-M01": {"status": "已完成"}}), clean=True,
         check=status_is("P03-M01", Reported.DONE, None)),
    Case("插入说明行.xlsx", form(edit=insert_note_row),
         [Expect("row_unidentified", W, ("第5行", "没有编号"), "A5", MS)]),
    Case("删除了行.xlsx", form(edit=delete_milestone_row), [Expect("row_missing", W, ("上半年完成项目入统",), "", MS)]),
    Case("合并单元格.xlsx",
         form(LAND, milestones=land(**{"P07-M01": {"status": "已完成", "completed_on": D(2024, 6, 18)}}),
              edit=merge_status),
         [Expect("merged_cells", INFO, ("F4:F5",), "F4", MS)],
         check=lambda f: (status_is("P07-M01", Reported.DONE, D(2024, 6, 18))(f),
                          status_is("P07-M02", Reported.DONE, None)(f))),
    Case("文字填报日期.xlsx", form(footer={"填报人": "王芳", "填报日期": "2024年7月3日"}), clean=True,
         check=content_date_is(D(2024, 7, 3))),
    # ---- two files of one unit: the newer (by 填报日期) wins
    Case("现代医药-修改后.xlsx", form(figures={"P01/invest": 1.1, "P03/invest": 0.7},
                                footer={"填报人": "王芳", "填报日期": D(2024, 7, 9)}), clean=True,
         check=has_figures(P01_invest=1.1)),
]
GOOD = {
    f"{ECON}.xlsx": (ECON, {"P07/invest": None}, {"P07-M04": (Reported.DONE, D(2024, 6, 10), "已纳入名录")}),
    f"{EQUIP}.xlsx": (EQUIP, {"P07/invest": 0.8}, {"P07-M05": (Reported.ONGOING, None, "招标文件编制中")}),
}


def _lock_file(path: Path) -> None:
    path.write_bytes(b"\x00owner")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[IngestResult, Path]:
    folder = tmp_path_factory.mktemp("batch")
    for case in CASES:
        case.build(folder / case.name)
    for name, (unit, figures, answers) in GOOD.items():
        make_form(PLAN, unit, PERIOD, folder / name, {k: v for k, v in figures.items() if v is not None},
                  {c: {"status": {Reported.DONE: "已完成", Reported.ONGOING: "推进中"}[s],
                       **({"completed_on": d} if d else {}), "progress": p} for c, (s, d, p) in answers.items()},
                  FOOTER, config=CONFIG)
    _lock_file(folder / "~$现代医药产业招商服务中心.xlsx")
    (folder / "Thumbs.db").write_bytes(b"x")
    real = reader.read_bytes

    def locked(path: Path) -> bytes:
        if path.name == "无权限.xlsx":
            raise PermissionError(13, "Permission denied")
        return real(path)

    mp = pytest.MonkeyPatch()
    mp.setattr(reader, "read_bytes", locked)
    try:
        before = {p: p.read_bytes() for p in folder.iterdir()}
        result = read_submissions(folder, PLAN, CONFIG, PERIOD, dict(PREVIOUS))
        assert {p: p.read_bytes() for p in folder.iterdir()} == before  # never changed
    finally:
        mp.undo()
    return result, folder


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_raises_exactly_its_issue(batch: tuple[IngestResult, Path], case: Case) -> None:
    result, _ = batch
    files = {f.name: f for f in result.files}
    f = files[case.name]
    own = [i for i in f.issues if i.code != "superseded"]
    for want in case.expect:
        found = [i for i in own if i.code == want.code]
        assert found, f"{case.name}: expected {want.code}, got {[(i.code, i.message) for i in own]}"
        issue = found[0]
        assert issue.severity is want.severity, (issue.severity, issue.message)
        for word in want.words:
            assert word in issue.message, (word, issue.message)
        if want.cell is not None:
            assert issue.cell == want.cell, (issue.cell, issue.message)
        if want.sheet is not None:
            assert issue.sheet == want.sheet
        assert issue.file == case.name and issue.message
    # nothing else serious: the expected issue is the only error/warning the file raises
    serious = {i.code for i in own if i.severity is not Severity.INFO}
    assert serious <= {w.code for w in case.expect}, [(i.code, i.message) for i in own]
    if case.clean:
        assert not serious
    if case.check is not None:
        case.check(f)


@pytest.mark.slow
def test_clean_files_of_the_same_batch_are_read_in_full(batch: tuple[IngestResult, Path]) -> None:
    result, _ = batch
    subs = {s.unit: s for s in result.submissions}
    for name, (unit, figures, answers) in GOOD.items():
        sub = subs[unit]
        assert Path(sub.file).name == name and sub.identified_by == "meta"
        assert {k: v.value_yi for k, v in sub.figures.items()} == figures
        got = {c: (r.status, r.completed_on, r.progress) for c, r in sub.milestones.items()}
        assert got == answers
        assert sub.contact == {"填报人": "王芳", "联系电话": "13900000001", "填报日期": "2024-07-02"}
        assert sub.content_date == D(2024, 7, 2) and len(sub.sha256) == 64
        assert not sub.issues
    assert result.missing_units == []


@pytest.mark.slow
def test_newest_file_of_a_unit_wins_and_the_others_are_reported(batch: tuple[IngestResult, Path]) -> None:
    result, _ = batch
    med = next(s for s in result.submissions if s.unit == MED)
    assert Path(med.file).name == "现代医药-修改后.xlsx"
    assert med.figures["P01/invest"].value_yi == 1.1
    superseded = [i for i in result.issues if i.code == "superseded"]
    assert superseded and all("现代医药-修改后.xlsx" in i.message for i in superseded)
    assert all(i.severity is Severity.INFO for i in superseded)
    # a superseded file's own findings stay with the file, not in the batch's list
    assert not any(i.file == "约数.xlsx" and i.code == "approximate" for i in result.issues)
    assert any(i.code == "approximate" for i in next(f for f in result.files if f.name == "约数.xlsx").issues)


@pytest.mark.slow
def test_lock_and_system_files_are_skipped_silently(batch: tuple[IngestResult, Path]) -> None:
    result, _ = batch
    names = {f.name for f in result.files}
    assert "~$现代医药产业招商服务中心.xlsx" not in names and "Thumbs.db" not in names
    assert not any("~$" in i.file for i in result.issues)


@pytest.mark.slow
def test_every_issue_says_where_and_what(batch: tuple[IngestResult, Path]) -> None:
    result, _ = batch
    for f in result.files:
        for i in f.issues:
            assert i.code and i.file == f.name and re.search(r"[\u4e00-\u9fff]", i.message)
            assert not i.cell or re.fullmatch(r"[A-Z]{1,3}\d+", i.cell)
    mismatch = next(i for i in result.issues if i.code == "unit_mismatch")
    assert mismatch.unit == MED


def test_a_decrease_names_the_month_of_the_earlier_figure(tmp_path: Path) -> None:
    """May never run: June's form, pre-filled from April, names its column 4月累计, and a decrease is
    checked against it without a ledger (in the form's words) or against the ledger's figures of the
    month it names (3月 here), never called 上月."""
    path = tmp_path / "b" / "a.xlsx"
    path.parent.mkdir()
    write_form(PLAN, CONFIG, PERIOD, MED, path, Prefill("2024-04", {"P01/invest": 0.9}))
    assert load_workbook(path)[FIG]["E3"].value == "4月累计（亿元）"
    january = tmp_path / "一月.xlsx"  # pre-filled with last year's nodes only: no figures, no month named
    write_form(PLAN, CONFIG, "2024-01", MED, january, Prefill("2023-11"))
    assert load_workbook(january)[FIG]["E3"].value == "上月累计（亿元）"
    fill_form(path, {"P01/invest": 0.7, "P03/invest": 30.0}, MED_MS, FOOTER)
    result = read_submissions(path.parent, PLAN, CONFIG, PERIOD)
    issues = {i.code: (i.cell, i.message) for i in result.issues if i.severity is not Severity.INFO}
    assert issues.keys() == {"cumulative_decreased", "implausible_jump"}
    cell, down = issues["cumulative_decreased"]
    assert cell == "F4" and "低于4月累计 0.9 亿元" in down and "仍按4月累计 0.9 亿元计" in down
    assert "比上月" not in issues["implausible_jump"][1]  # no earlier figure of P03: none named

    earlier = EarlierFigures({"P01/invest": 0.8, "P03/invest": 0.1}, since="2024-03")
    issues = {i.code: i.message for i in read_submissions(path.parent, PLAN, CONFIG, PERIOD, earlier).issues}
    down, jump = issues["cumulative_decreased"], issues["implausible_jump"]
    assert "低于3月累计 0.8 亿元" in down and "仍按3月累计 0.8 亿元计" in down and "上月" not in down
    assert "比3月累计（0.1）增加的数额" in jump and "上月" not in jump


@pytest.mark.slow
def test_a_million_rows_stop_at_max_rows_quickly(tmp_path: Path) -> None:
    import time

    path = tmp_path / "b" / "百万行.xlsx"
    path.parent.mkdir()
    form(zedit=lambda p: patch_zip(p, {sheet_part(p, fs.SHEET_FIGURES): lambda d: d.replace(
        b"</sheetData>", b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r)
                                  for r in range(100, 1_000_100)) + b"</sheetData>")}))(path)
    config = dataclasses.replace(Config(), check=CheckConfig())
    start = time.perf_counter()
    result = read_submissions(path.parent, PLAN, config, PERIOD, dict(PREVIOUS))
    elapsed = time.perf_counter() - start
    issue = next(i for i in result.issues if i.code == "too_many_rows")
    assert "1000005行" in issue.message, issue.message  # 5 rows of the form and a million more
    assert issue.cell == "A5001" and issue.sheet == FIG
    assert result.submissions[0].figures["P01/invest"].value_yi == 1.0
    assert elapsed < 5


def test_chmod_000_is_reported_when_not_root(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads any file; the batch test covers PermissionError by substitution")
    path = tmp_path / "b" / "锁定.xlsx"
    path.parent.mkdir()
    form()(path)
    path.chmod(0)
    try:
        result = read_submissions(path.parent, PLAN, CONFIG, PERIOD)
    finally:
        path.chmod(0o644)
    assert [i.code for i in result.issues] == ["unreadable"]


def test_folder_missing_is_a_workspace_error(tmp_path: Path) -> None:
    from reportgen.errors import WorkspaceError

    with pytest.raises(WorkspaceError, match="报送文件夹不存在"):
        read_submissions(tmp_path / "nope", PLAN, CONFIG, PERIOD)


def test_units_in_subfolders_are_checked_against_the_folder_name(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    form()(folder / MED / "表.xlsx")
    form(LAND, milestones=land())(folder / ECON / "表.xlsx")
    shutil.rmtree(folder / "__MACOSX", ignore_errors=True)
    result = read_submissions(folder, PLAN, CONFIG, PERIOD, dict(PREVIOUS))
    assert [s.unit for s in result.submissions] == [MED]
    issue = next(i for i in result.issues if i.code == "unit_mismatch")
    assert issue.file == f"{ECON}/表.xlsx" and LAND in issue.message
    assert set(result.missing_units) == {LAND, ECON, EQUIP}


@pytest.mark.slow
def test_metric_of_figure_rows(batch: tuple[IngestResult, Path]) -> None:
    result, _ = batch
    sub = next(s for s in result.submissions if s.unit == EQUIP)
    assert sub.figures["P07/invest"].metric is Metric.INVEST and sub.figures["P07/invest"].cell == "F4"
