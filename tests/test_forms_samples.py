"""The committed sample submissions: up to date with the forms, and playing their parts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, needs_libreoffice
from tools import make_samples

SAMPLES = ROOT / "input" / "submissions"


def expected() -> dict[str, Any]:
    return json.loads((SAMPLES / "expected.json").read_text("utf-8"))


def files(period: str) -> dict[str, Any]:
    return expected()["periods"][period]["files"]


def by_unit(period: str) -> dict[str, Any]:
    return {f["unit"]: f for f in files(period).values()}


def test_expected_lists_exactly_the_committed_files() -> None:
    for period in ("2024-06", "2024-07"):
        on_disk = sorted(p.name for p in (SAMPLES / period).iterdir())
        assert on_disk == sorted(files(period)), period


def test_samples_play_their_parts() -> None:
    june, july = by_unit("2024-06"), by_unit("2024-07")
    for period in ("2024-06", "2024-07"):
        assert expected()["periods"][period]["missing_units"] == ["华睿集团"]
    med_june = june["现代医药产业招商服务中心"]["figures"]
    med_july = july["现代医药产业招商服务中心"]["figures"]
    assert med_june["P01/invest"]["value_yi"] >= 1.0  # 上半年 1 亿: met in June
    assert med_june["P04/invest"]["value_yi"] < 0.4 <= med_july["P04/invest"]["value_yi"]
    for key, fig in med_july.items():  # cumulatives grow
        assert fig["value_yi"] >= med_june[key]["value_yi"], key
    late = [m for m in june["规划和自然资源分局"]["milestones"].values() if m["status"] != "done"]
    assert len(late) >= 3
    done = [c for f in june.values() for c, m in f["milestones"].items() if m["status"] == "done"]
    assert len(done) >= 8
    typist = june["建设管理部"]
    assert typist["figures"]["P14/invest"] == {"raw": "1.2亿", "value_yi": 1.2, "note": ""}
    assert july["建设管理部"]["figures"]["P14/invest"]["raw"] == "１．５"
    assert typist["milestones"]["P11-M03"]["completed_on_raw"] == "2024.6.25"
    texts = [m["progress"] for m in june["现代服务业招商服务中心"]["milestones"].values()]
    assert any("&" in t for t in texts) and any("<" in t for t in texts)
    assert july["通航及纺织产业招商服务中心"]["file"].endswith(".xls")
    assert june["经济运行与安全监管部"]["file"] != "经济运行与安全监管部.xlsx"  # renamed


def test_samples_hold_what_expected_says() -> None:
    from openpyxl import load_workbook

    from reportgen import formspec as fs

    f = files("2024-06")["建设管理部.xlsx"]
    wb = load_workbook(SAMPLES / "2024-06" / "建设管理部.xlsx")
    assert wb[fs.SHEET_META]["B1"].value == "建设管理部"
    values = {r[0]: r[5] for r in wb[fs.SHEET_FIGURES].iter_rows(min_row=4, values_only=True)
              if r[0]}
    assert values == {k: v["raw"] for k, v in f["figures"].items()}


@needs_libreoffice
def test_samples_are_up_to_date_with_the_forms(tmp_path: Path) -> None:
    assert make_samples.main(["--out", str(tmp_path)]) == 0
    fresh = json.loads((tmp_path / "expected.json").read_text("utf-8"))
    assert fresh == expected(), "样例已过期：请运行 python -m tools.make_samples 并提交"
    for period in ("2024-06", "2024-07"):
        for name in files(period):
            if name.endswith(".xlsx"):
                assert (tmp_path / period / name).read_bytes() == (
                    SAMPLES / period / name).read_bytes(), (
                    f"{period}/{name} 已过期：请运行 python -m tools.make_samples 并提交")
