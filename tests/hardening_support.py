"""Helpers for the hardening tests: a copy of the example workspace and readers of its outputs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2024-06"
# tables whose rows carry the time of the run rather than its content
TIMED_TABLES = {"runs", "migrations"}
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")


def example_workspace(dest: Path) -> Path:
    """Copy the example workspace's inputs and configuration to `dest`; return it."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "input", dest / "input")
    shutil.copy2(ROOT / "reportgen.toml", dest / "reportgen.toml")
    return dest


def tree_hashes(folder: Path) -> dict[str, str]:
    """Return relative path -> sha256 of every file under `folder`."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def docx_text(path: Path) -> list[str]:
    """Return the text of every paragraph, table cell, header and footer of a .docx, in order."""
    from docx import Document

    doc = Document(str(path))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out.append(" | ".join(c.text for c in row.cells))
    for section in doc.sections:
        for part in (section.header, section.footer, section.even_page_footer):
            out += [p.text for p in part.paragraphs]
    return out


def xlsx_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Return sheet -> rows of cell values (formulas as written) of an .xlsx."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def _unstamp(value: Any) -> Any:
    if isinstance(value, str):
        return _STAMP.sub("<time>", value)
    return value


def zip_parts(path: Path) -> dict[str, str]:
    """Return member -> sha256 of a .docx/.xlsx, leaving out the properties that hold the time."""
    with zipfile.ZipFile(path) as z:
        return {n: hashlib.sha256(z.read(n)).hexdigest() for n in sorted(z.namelist())
                if n != "docProps/core.xml"}


def output_content(out_dir: Path) -> dict[str, Any]:
    """Return what the outputs of a period say: JSON, document text and cell values, no times."""
    content: dict[str, Any] = {}
    for p in sorted(out_dir.rglob("*")):
        if not p.is_file() or p.name == "run.log":
            continue
        rel = p.relative_to(out_dir).as_posix()
        if p.suffix == ".json":
            content[rel] = json.loads(p.read_text("utf-8"))
        elif p.suffix == ".docx":
            content[rel] = [_unstamp(t) for t in docx_text(p)]
        elif p.suffix == ".xlsx":
            content[rel] = {k: [tuple(_unstamp(v) for v in row) for row in rows]
                            for k, rows in xlsx_values(p).items()}
        else:
            content[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return content


def check_outputs_open(out_dir: Path) -> None:
    """Assert every output file opens: zips are whole, .docx/.xlsx load, JSON parses."""
    from docx import Document
    from openpyxl import load_workbook

    for p in sorted(out_dir.rglob("*")):
        if not p.is_file():
            continue
        assert not p.name.startswith((".~tmp-", ".")), f"temporary file left in place: {p}"
        if p.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(p) as z:
                assert z.testzip() is None, p
            if p.suffix == ".docx":
                Document(str(p))
            else:
                load_workbook(p, read_only=True).close()
        elif p.suffix == ".json":
            json.loads(p.read_text("utf-8"))


def ledger_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Return table -> sorted rows of the ledger (tables stamped with run times left out)."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables if t not in TIMED_TABLES and not t.startswith("sqlite_")}
    finally:
        con.close()
