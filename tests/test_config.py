"""Configuration: defaults work, bad values are named by key, the packaged file loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.config import Config, load_config
from reportgen.errors import ConfigError
from reportgen.workspace import default_templates


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "reportgen.toml")
    assert cfg == Config()
    assert cfg.schedule.due_soon_days == 15
    assert "现代服务业招商服务中心" in cfg.units.groups["各产业招商服务中心"]


def test_packaged_config_equals_defaults_where_shared() -> None:
    cfg = load_config(default_templates() / "reportgen.toml")
    assert cfg.office == Config().office
    assert cfg.fonts == Config().fonts
    assert cfg.units.groups == Config().units.groups
    assert cfg.text == Config().text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[schedule]\ndue_soon_days = \"十五\"\n", ["schedule.due_soon_days", "整数"]),
        ("[schedule]\ndue_soon_days = 400\n", ["schedule.due_soon_days", "0 到 90"]),
        ("[paper]\nexcel = \"B5\"\n", ["paper.excel", "A4 或 A3"]),
        ("[office]\nfoo = 1\n", ["office.foo", "无法识别"]),
        ("[nonsense]\nx = 1\n", ["[nonsense]", "无法识别"]),
        ("[units.groups]\n\"各中心\" = \"甲\"\n", ["units.groups.各中心", "列表"]),
        ("[office\n", ["格式有误"]),
        ("[office]\ncc = [1, 2]\n", ["office.cc", "文字列表"]),
        ("[office]\nnext_doc_no = true\n", ["office.next_doc_no", "整数"]),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, words: list[str]) -> None:
    path = tmp_path / "reportgen.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    for w in words:
        assert w in str(info.value)


def test_int_accepted_for_float(tmp_path: Path) -> None:
    path = tmp_path / "reportgen.toml"
    path.write_text("[check]\njump_factor = 10\n", encoding="utf-8")
    cfg = load_config(path)
    assert cfg.check.jump_factor == 10.0
    assert isinstance(cfg.check.jump_factor, float)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "reportgen.toml"
    path.write_bytes("[office]\nsignature = \"办公室\"\n".encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(path)
