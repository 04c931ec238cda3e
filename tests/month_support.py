"""Months run as an office runs them: a workspace from the packaged plan and templates, the
unit's form written by `forms`, filled, and the month run through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from docx import Document

from reportgen.cli import main
from tests.ingest_support import fill_form

ROOT = Path(__file__).resolve().parent.parent
YY = "现代医药产业招商服务中心"


def workspace(tmp_path: Path) -> Path:
    """Return a workspace holding the packaged plan, templates and configuration."""
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "input" / "plan", root / "input" / "plan")
    shutil.copy(ROOT / "reportgen.toml", root / "reportgen.toml")
    return root


def run_month(root: Path, period: str, figures: dict[str, object] | None) -> dict:
    """Run `period` with YY's form filled with `figures` (None: YY sends nothing); return summary.json."""
    made = CliRunner().invoke(main, ["forms", "--period", period, "-w", str(root)])
    assert made.exit_code == 0, made.output
    inbox = root / "input" / "submissions" / period
    inbox.mkdir(parents=True)
    if figures is not None:
        fill_form(shutil.copy(root / "output" / period / "报送表" / f"{YY}.xlsx", inbox / "报送.xlsx"), figures)
    shutil.rmtree(root / "output" / period)
    run = CliRunner().invoke(main, ["run", "--period", period, "-w", str(root)])
    summary: dict = json.loads((root / "output" / period / "summary.json").read_text("utf-8"))
    errors = any(i["severity"] == "error" for i in summary["issues"])
    assert run.exit_code == (1 if errors else 0), run.output
    return summary


def doc_text(path: Path) -> str:
    """Return a Word document's paragraphs as text."""
    return "\n".join(p.text for p in Document(str(path)).paragraphs)
