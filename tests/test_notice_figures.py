"""A cumulative below an earlier month's that the run uses (the check had no last-month figure to
refuse it against): the bulletin and the unit's 督办通知 say the same thing about it.

The months are run as an office catching up would: June first (the unit silent, so June records
no figure), May back-filled afterwards (0.35亿), then July, whose 0.3亿 is below May's figure (the
check compares with the last month recorded, June, which has none, so it could not refuse it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.cn import fmt_yi
from tests.month_support import YY, doc_text, run_month, workspace

FELL = f"本月所报累计数低于此前所报{fmt_yi(0.35)}亿元，已按所报数计入"

pytestmark = pytest.mark.slow




def test_notice_says_a_used_figure_fell_as_the_bulletin_does(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    run_month(root, "2024-06", None)
    run_month(root, "2024-05", {"P03/invest": 0.35})
    july = run_month(root, "2024-07", {"P03/invest": 0.3})
    p03 = next(i for i in july["items"] if i["code"] == "P03")
    assert (p03["cumulative_yi"], p03["fell_from_yi"]) == (0.3, 0.35)
    assert next(m for m in july["milestones"] if m["code"] == "P03-M02")["status"] == "overdue"

    folder = root / "output" / "2024-07"
    notice = doc_text(folder / "督办通知" / f"{YY}.docx")
    assert f"累计完成投资{fmt_yi(0.3)}亿元（节点要求{fmt_yi(0.4)}亿元，{FELL}，请核实）" in notice
    bulletin = doc_text(folder / "进度通报.docx")
    assert f"累计完成投资{fmt_yi(0.3)}亿元（{FELL}，列入校验报告待核实）" in bulletin
    assert "本月新增投资-" not in bulletin
    # the earlier figure is May's (June recorded none): never "上月" on paper
    fell = f"（由{fmt_yi(0.35)}亿元降至{fmt_yi(0.3)}亿元）所报累计数低于此前所报"
    assert f"其中云冈纸业12万吨生活用纸项目{fell}" in bulletin
    assert "低于上月" not in bulletin + notice
