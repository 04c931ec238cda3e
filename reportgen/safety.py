"""Checks a received file before any spreadsheet library touches it.

Everything here works on the file's bytes, already read into memory: the file on disk is
never opened for writing. A hostile or broken file yields one `Issue` and no workbook, so
the batch goes on with the next file.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from reportgen.config import CheckConfig
from reportgen.model import Issue, Severity

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".et", ".xltx"})

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_OLE_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le") + b"\x00\x00")
_OLE_WORD = "WordDocument".encode("utf-16-le")
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_ROW_TAG = re.compile(rb"<row[\s>/]")
# Most a deflate stream can expand: about 1032 to 1.
_DEFLATE_MAX_RATIO = 1032
_PROLOG_BYTES = 512


@dataclass
class Inspection:
    """What the byte-level checks found: the format, the bytes to read, and any problems."""

    kind: str = ""  # xlsx | ods | xls | "" when the file must not be read
    payload: bytes = b""  # what to hand to the reader (a rebuilt zip when sheets were cut)
    issues: list[Issue] = field(default_factory=list)
    truncated_parts: dict[str, int] = field(default_factory=dict)  # zip part -> rows found


def _issue(code: str, message: str, severity: Severity = Severity.ERROR) -> Issue:
    return Issue(severity=severity, message=message, code=code)


def _what_is(data: bytes) -> str:
    """Return a Chinese name for what a non-spreadsheet file really is."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return "PDF文档"
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in head:
        return "网页（HTML/XML）格式的文件，常见于从网页系统导出的“伪Excel”"
    if head.startswith((b"\xff\xd8", b"\x89png", b"gif8", b"bm")):
        return "图片"
    if head.startswith((b"rar!", b"7z\xbc\xaf")):
        return "压缩包"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        try:
            data[:4096].decode("gbk")
        except UnicodeDecodeError:
            return "无法识别格式的文件"
    return "纯文本文件（如CSV或TXT）"


def inspect_bytes(data: bytes, name: str, check: CheckConfig) -> Inspection:
    """Return the format of `data` and the problems that forbid or limit reading it."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if not data:
        return Inspection(issues=[_issue("empty_file", "文件为空（0字节），应为填好的报送表")])
    # a file not named as a spreadsheet (a scanned PDF, a cover letter) is only a warning
    severity = Severity.ERROR if suffix in SPREADSHEET_SUFFIXES else Severity.WARNING
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")) or data.startswith(_OLE_MAGIC):
        insp = _inspect_zip(data, check) if data.startswith(b"PK") else _inspect_ole(data)
        for issue in insp.issues:
            if issue.code == "not_spreadsheet":
                issue.severity = severity
        return insp
    what = _what_is(data)
    return Inspection(
        issues=[
            _issue(
                "not_spreadsheet",
                f"文件内容不是Excel表格（实为{what}），未读取；应报送填好的报送表（.xlsx）",
                severity,
            )
        ]
    )


def _inspect_ole(data: bytes) -> Inspection:
    if _ENCRYPTED_PACKAGE in data:
        return Inspection(
            issues=[
                _issue(
                    "encrypted",
                    "文件设置了打开密码（已加密），无法读取；请取消密码后重新报送",
                )
            ]
        )
    if any(marker in data for marker in _OLE_WORKBOOK):
        return Inspection(kind="xls", payload=data)
    what = "Word文档（.doc）" if _OLE_WORD in data else "非Excel的Office旧格式文件"
    return Inspection(
        issues=[_issue("not_spreadsheet", f"文件内容不是Excel表格（实为{what}），未读取；应报送填好的报送表")]
    )


def _member_head(data: bytes, info: zipfile.ZipInfo, size: int) -> bytes | None:
    """Return the first `size` inflated bytes of a zip member, or None when not cheap to get."""
    off = info.header_offset
    if data[off : off + 4] != b"PK\x03\x04":
        return None
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + name_len + extra_len
    raw = data[start : start + min(info.compress_size, size * 8 + 64)]
    if info.compress_type == zipfile.ZIP_STORED:
        return raw[:size]
    if info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            return zlib.decompressobj(-15).decompress(raw, size)
        except zlib.error:
            return None
    return None


def _has_dtd(prolog: bytes) -> bool | None:
    """Return True when a DTD precedes the root element, None when the root was not reached."""
    m = _ROOT_START.search(prolog)
    before = prolog[: m.start()] if m else prolog
    if b"<!DOCTYPE" in before or b"<!ENTITY" in before:
        return True
    return False if m else None


def _part_has_dtd(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo) -> bool:
    head = _member_head(data, info, _PROLOG_BYTES)
    if head is not None:
        found = _has_dtd(head)
        if found is not None or len(head) < _PROLOG_BYTES:
            return bool(found)
    # A long prolog (comments before the root): stream until the root element shows.
    buf = b""
    with zf.open(info) as fh:
        while chunk := fh.read(65536):
            buf = buf[-16:] + chunk
            found = _has_dtd(buf)
            if found is not None:
                return found
    return False


def _inflate(data: bytes, info: zipfile.ZipInfo, cap: int) -> tuple[int, int]:
    """Return the true inflated size (stopping past cap) and the rows counted in a zip member.

    Inflates the raw bytes itself: the sizes a zip's headers declare may lie.
    """
    off = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + name_len + extra_len
    raw = data[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return len(raw), len(_ROW_TAG.findall(raw))
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise zipfile.BadZipFile(f"compression {info.compress_type}")
    inflater = zlib.decompressobj(-15)
    total = rows = 0
    tail = b""
    pending = raw
    while pending:
        chunk = inflater.decompress(pending, 1 << 20)
        pending = inflater.unconsumed_tail
        if not chunk:
            break
        total += len(chunk)
        # a tag needs 5 bytes, so one starting in the 4-byte tail was not counted before
        rows += len(_ROW_TAG.findall(tail + chunk))
        tail = chunk[-4:]
        if total > cap:
            break
    return total, rows


def _is_ods(zf: zipfile.ZipFile, names: set[str]) -> bool:
    mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    return b"opendocument.spreadsheet" in mimetype


def _inspect_zip(data: bytes, check: CheckConfig) -> Inspection:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, struct.error):
        return Inspection(
            issues=[
                _issue(
                    "corrupt_file",
                    "文件已损坏（压缩结构不完整，可能未保存完或传输中断），无法读取；请重新保存后报送",
                )
            ]
        )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        kind = "xlsx"
    elif "content.xml" in names and _is_ods(zf, names):
        kind = "ods"
    else:
        if "word/document.xml" in names:
            what = "Word文档"
        elif any(n.startswith("ppt/") for n in names):
            what = "PowerPoint演示文稿"
        elif "content.xml" in names:
            what = "非表格的ODF文档"
        else:
            what = "压缩包，请解压后报送其中的表格"
        return Inspection(
            issues=[_issue("not_spreadsheet", f"文件内容不是Excel表格（实为{what}），未读取")]
        )
    if any(i.flag_bits & 0x1 for i in infos):
        return Inspection(
            issues=[_issue("encrypted", "文件内容已加密，无法读取；请取消密码后重新报送")]
        )
    budget = int(check.max_unzipped_mb * 1024 * 1024)
    declared = sum(i.file_size for i in infos)
    if declared > budget:
        return Inspection(issues=[_bomb(declared, check)])
    rows_threshold = check.max_rows * 32  # a sheet smaller than this cannot hold max_rows rows
    verify = sum(i.compress_size for i in infos) * _DEFLATE_MAX_RATIO > budget
    truncated: dict[str, int] = {}
    inflated = 0
    for info in infos:
        is_sheet = info.filename.startswith("xl/worksheets/") or info.filename == "content.xml"
        if verify or (is_sheet and info.file_size > rows_threshold):
            try:
                size, rows = _inflate(data, info, budget - inflated)
            except (zipfile.BadZipFile, zlib.error, struct.error):
                return Inspection(
                    issues=[_issue("corrupt_file", "文件已损坏（压缩数据有误），无法读取；请重新保存后报送")]
                )
            inflated += size
            if inflated > budget:
                return Inspection(issues=[_bomb(inflated, check)])
            if is_sheet and rows > check.max_rows:
                truncated[info.filename] = rows
        if info.filename.endswith((".xml", ".rels")) and _part_has_dtd(zf, data, info):
            return Inspection(
                issues=[
                    _issue(
                        "xml_entities",
                        f"文件内部数据（{info.filename}）含有DTD/外部实体声明，"
                        "Excel不会生成此类内容，出于安全考虑未读取；请用Excel另存为.xlsx后报送",
                    )
                ]
            )
    payload = data
    if truncated and kind == "xlsx":
        payload = _cut_sheets(zf, truncated, check.max_rows)
    return Inspection(kind=kind, payload=payload, truncated_parts=truncated)


def _bomb(size: int, check: CheckConfig) -> Issue:
    return _issue(
        "zip_bomb",
        f"文件解压后超过{check.max_unzipped_mb:g}MB（约{size / 1048576:.0f}MB），"
        "远超报送表应有的大小，出于安全考虑未读取",
    )


def _cut_sheet(zf: zipfile.ZipFile, name: str, max_rows: int) -> bytes:
    """Return a worksheet part keeping its first `max_rows` rows and what follows sheetData."""
    body = zf.read(name)  # bounded: the declared sizes were checked against the cap
    for seen, m in enumerate(_ROW_TAG.finditer(body), start=1):
        if seen > max_rows:
            end = body.rfind(b"</sheetData>")
            return body[: m.start()] + (body[end:] if end > m.start() else b"</sheetData></worksheet>")
    return body


def _cut_sheets(zf: zipfile.ZipFile, truncated: dict[str, int], max_rows: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as new:
        for info in zf.infolist():
            body = (
                _cut_sheet(zf, info.filename, max_rows)
                if info.filename in truncated
                else zf.read(info)
            )
            new.writestr(info.filename, body)
    return out.getvalue()
