"""A figure carried over after a month that was never run is named by its month on paper.

The office runs July, never runs August, and runs September: the unit that owns the figure sent
nothing in September (or sent a figure the check refused), so September carries July's
cumulative. The papers say 沿用7月数据, not 沿用上月数据 (last month is August, which has no
figure); a month that follows the one carried still says 上月. A change against an earlier
month's record is called by the months it holds (11—12月新增, 10月累计), in the bulletin and the
汇总表, not 本月新增 / 上月累计.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportgen.cn import fmt_yi
from tests.month_support import YY, doc_text, run_month, workspace

pytestmark = pytest.mark.slow





def _p03(summary: dict) -> dict:
    return next(i for i in summary["items"] if i["code"] == "P03")


def _notice_and_bulletin(root: Path, period: str) -> tuple[str, str]:
    folder = root / "output" / period
    notice = folder / "督办通知" / f"{YY}.docx"
    return doc_text(notice) if notice.exists() else "", doc_text(folder / "进度通报.docx")


def _investment(root: Path, period: str) -> tuple[list[str], dict[str, list[object]]]:
    """The 汇总表's 投资完成 sheet: its headers (one line each) and its rows by project name."""
    ws = load_workbook(root / "output" / period / "汇总表.xlsx")["投资完成"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    return [str(v or "").replace("\n", "") for v in rows[0]], {str(r[1]): r for r in rows[1:] if r[1]}


def _months(root: Path, period: str) -> dict[str, list[object]]:
    """The 汇总表's 各月投资 sheet: its rows (月份, 累计完成, 当月新增, …) by their 月份 label."""
    ws = load_workbook(root / "output" / period / "汇总表.xlsx")["各月投资"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    return {str(r[0]): r for r in rows if r[0]}


def test_a_month_never_run_is_named_and_last_month_is_still_上月(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    run_month(root, "2024-07", {"P03/invest": 0.35})
    september = run_month(root, "2024-09", {"P03/invest": 0.3})  # below July's: refused
    assert (_p03(september)["cumulative_yi"], _p03(september)["rejected"]) == (0.35, True)
    notice, bulletin = _notice_and_bulletin(root, "2024-09")
    refused = "本月所报累计数有误未采用，见{}，沿用7月数据"
    assert f"累计完成投资{fmt_yi(0.35)}亿元（节点要求{fmt_yi(0.4)}亿元，{refused.format('校验反馈')}）" in notice
    assert f"累计完成投资{fmt_yi(0.35)}亿元（{refused.format('校验报告')}）" in bulletin
    assert "沿用上月" not in notice + bulletin
    # the check that refused it, the form it was typed into and the 校验报告 name July too
    refusal = next(i["message"] for i in september["issues"] if i["code"] == "cumulative_decreased")
    assert "低于7月累计 0.35 亿元" in refusal and "仍按7月累计 0.35 亿元计" in refusal and "上月" not in refusal
    form = load_workbook(root / "input" / "submissions" / "2024-09" / "报送.xlsx")["投资完成情况"]
    assert [c.value for c in form[3]][4] == "7月累计（亿元）"
    report = load_workbook(root / "output" / "2024-09" / "校验报告.xlsx")
    texts = [str(c.value) for ws in report for row in ws.iter_rows() for c in row if c.value]
    assert any("低于7月累计 0.35 亿元" in t for t in texts) and not any("上月" in t for t in texts)

    # October follows September, which recorded the figure (carried): last month's, 上月
    october = run_month(root, "2024-10", None)
    assert (_p03(october)["cumulative_yi"], _p03(october)["reported_by"]) == (0.35, "")
    _, bulletin = _notice_and_bulletin(root, "2024-10")
    assert f"累计完成投资{fmt_yi(0.35)}亿元（本月未报送，沿用上月数据）" in bulletin
    assert "沿用7月" not in bulletin
    headers, _ = _investment(root, "2024-10")
    assert "上月累计（亿元）" in headers and "本月新增（亿元）" in headers

    # November never run: December's change against October's record holds two months
    run_month(root, "2024-12", {"P03/invest": 0.5})
    _, bulletin = _notice_and_bulletin(root, "2024-12")
    assert f"累计完成投资{fmt_yi(0.5)}亿元" in bulletin
    assert f"；11—12月新增投资{fmt_yi(0.15)}亿元" in bulletin and "本月新增" not in bulletin
    headers, rows = _investment(root, "2024-12")
    assert "10月累计（亿元）" in headers and "11—12月新增（亿元）" in headers
    row = rows["云冈纸业12万吨生活用纸项目"]
    assert row[headers.index("10月累计（亿元）")] == 0.35 and row[headers.index("11—12月新增（亿元）")] == 0.15
    # 各月投资: a row whose 当月新增 holds two months says so, as the bulletin does
    months = _months(root, "2024-12")
    assert list(months) == ["2024年7月", "2024年8—9月", "2024年10月", "2024年11—12月"]
    assert months["2024年11—12月"][1:3] == [0.5, 0.15] and months["2024年10月"][1:3] == [0.35, 0.0]
