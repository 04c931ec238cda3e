"""A cumulative below an earlier month's that the run uses (the check had no last-month figure to
refuse it against): the bulletin and the unit's 督办通知 say the same thing about it.

The months are run as an office catching up would: June first (the unit silent, so June records
no figure), May back-filled afterwards (0.35亿), then July, whose 0.3亿 is below May's figure (the
check compares with the last month recorded, June, which has none, so it could not refuse it).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from reportgen.cli import main
from reportgen.cn import fmt_yi
from tests.ingest_support import fill_form

ROOT = Path(__file__).resolve().parent.parent
YY = "现代医药产业招商服务中心"
FELL = f"本月所报累计数低于此前所报{fmt_yi(0.35)}亿元，已按所报数计入"

pytestmark = pytest.mark.slow


def _month(root: Path, period: str, figures: dict[str, float] | None) -> dict:
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


def _text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_notice_says_a_used_figure_fell_as_the_bulletin_does(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "input" / "plan", root / "input" / "plan")
    shutil.copy(ROOT / "reportgen.toml", root / "reportgen.toml")
    _month(root, "2024-06", None)
    _month(root, "2024-05", {"P03/invest": 0.35})
    july = _month(root, "2024-07", {"P03/invest": 0.3})
    p03 = next(i for i in july["items"] if i["code"] == "P03")
    assert (p03["cumulative_yi"], p03["fell_from_yi"]) == (0.3, 0.35)
    assert next(m for m in july["milestones"] if m["code"] == "P03-M02")["status"] == "overdue"

    folder = root / "output" / "2024-07"
    notice = _text(folder / "督办通知" / f"{YY}.docx")
    assert f"累计完成投资{fmt_yi(0.3)}亿元（节点要求{fmt_yi(0.4)}亿元，{FELL}，请核实）" in notice
    bulletin = _text(folder / "进度通报.docx")
    assert f"累计完成投资{fmt_yi(0.3)}亿元（{FELL}，列入校验报告待核实）" in bulletin
    assert "本月新增投资-" not in bulletin
    # the earlier figure is May's (June recorded none): never "上月" on paper
    fell = f"（由{fmt_yi(0.35)}亿元降至{fmt_yi(0.3)}亿元）所报累计数低于此前所报"
    assert f"其中云冈纸业12万吨生活用纸项目{fell}" in bulletin
    assert "低于上月" not in bulletin + notice
