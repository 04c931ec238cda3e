"""Workspace layout, template lookup (user first) and safe file names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.errors import WorkspaceError
from reportgen.fsutil import safe_filename
from reportgen.loader import TemplateDirs
from reportgen.model import parse_period, period_end, previous_month
from reportgen.workspace import default_templates, init_workspace, open_workspace


def test_init_creates_folders_and_config(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "new")
    for sub in ("input/plan", "input/submissions", "output", "templates", "history"):
        assert (ws.root / sub).is_dir()
    assert (ws.root / "reportgen.toml").read_text(encoding="utf-8").startswith("# reportgen")
    with pytest.raises(WorkspaceError, match="已经是工作区"):
        init_workspace(ws.root)


def test_template_lookup_prefers_workspace(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    own = ws.root / "templates" / "reportgen.toml"
    own.write_text("# mine\n", encoding="utf-8")
    assert ws.template("reportgen.toml") == own
    own.unlink()
    assert ws.template("reportgen.toml") == default_templates() / "reportgen.toml"
    with pytest.raises(WorkspaceError, match="找不到模板"):
        ws.template("不存在.docx")


def test_open_rejects_non_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="不是 reportgen 工作区"):
        open_workspace(tmp_path)
    with pytest.raises(WorkspaceError, match="不存在"):
        open_workspace(tmp_path / "nope")


def test_master_workbook_missing_or_ambiguous(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="plan import"):
        ws.master_workbook()
    (ws.plan_dir / "a.xlsx").write_bytes(b"x")
    (ws.plan_dir / "~$a.xlsx").write_bytes(b"x")
    assert ws.master_workbook().name == "a.xlsx"
    (ws.plan_dir / "b.xlsx").write_bytes(b"x")
    with pytest.raises(WorkspaceError, match="多个总表"):
        ws.master_workbook()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("现代医药产业招商服务中心", "现代医药产业招商服务中心"),
        ('A/B\\C:D*E?F"G<H>I|J', "A_B_C_D_E_F_G_H_I_J"),
        ("CON", "_CON"),
        ("  ..  ", "未命名"),
        ("单位.", "单位"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@given(st.text())
def test_safe_filename_always_safe(name: str) -> None:
    s = safe_filename(name)
    assert s and len(s) <= 80
    assert not set(s) & set('\\/:*?"<>|')
    assert all(ord(c) >= 32 for c in s)
    assert not s.endswith((".", " "))


@pytest.mark.parametrize(
    ("text", "period"),
    [("2024-6", "2024-06"), ("2024-06", "2024-06"), ("202406", "2024-06"), ("2024/12", "2024-12")],
)
def test_parse_period(text: str, period: str) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize("text", ["2024-13", "24-06", "六月", "2024-06-01", ""])
def test_parse_period_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period(text)


def test_period_helpers() -> None:
    assert str(period_end("2024-02")) == "2024-02-29"
    assert previous_month("2024-01") == "2023-12"
    assert previous_month("2024-07") == "2024-06"


def test_template_dirs_look_in_the_users_folder_first(tmp_path: Path) -> None:
    own, packaged = tmp_path / "own", tmp_path / "packaged"
    for folder in (own, packaged):
        folder.mkdir()
        (folder / "a.docx").write_bytes(folder.name.encode())
    (packaged / "b.docx").write_bytes(b"packaged")
    source = TemplateDirs((own, packaged))
    assert source.template("a.docx").read_bytes() == b"own"
    assert source.template("b.docx").read_bytes() == b"packaged"
    with pytest.raises(WorkspaceError, match=r"找不到模板 c\.docx"):
        source.template("c.docx")
