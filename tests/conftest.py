"""Shared fixtures: the seed document and a fresh workspace in tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_TXT = ROOT / "input" / "plan" / "source" / "2024年重点项目推进任务分解.txt"


def has_libreoffice() -> bool:
    """Return True when a LibreOffice binary is on PATH."""
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


def needs_libreoffice(test: Callable[..., None]) -> Callable[..., None]:
    """Mark `test` as a LibreOffice round trip: in the slow lane, skipped when LibreOffice is absent."""
    skip = pytest.mark.skipif(not has_libreoffice(), reason="LibreOffice 未安装")
    return pytest.mark.slow(pytest.mark.libreoffice(skip(test)))


@pytest.fixture
def seed_txt() -> Path:
    """The seed task-breakdown document, as committed in the example workspace."""
    return SEED_TXT


@pytest.fixture
def workspace(tmp_path: Path):
    """A new, empty workspace made by init_workspace."""
    from reportgen.workspace import init_workspace

    return init_workspace(tmp_path / "ws")
