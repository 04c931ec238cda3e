"""提醒函 never press a deadline already past: a letter asking only to confirm nodes whose date fell
between the cut-off and the 成文日期 is not titled 即将到期 and does not ask to 确保按期完成, and a
node due before the reply deadline is to be explained before its own date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportgen.config import Config
from reportgen.model import History
from reportgen.reconcile import reconcile
from reportgen.render.word import render_word
from reportgen.render.wording import notice_contexts
from reportgen.workspace import init_workspace
from tests.month_support import doc_text
from tests.test_word_factory import C_SERV, FIN, NOT_SUBMITTED, make_result, seed_plan, submissions


def _letter(config: Config) -> dict[str, str]:
    result = reconcile(seed_plan(), submissions(NOT_SUBMITTED), History(), dt.date(2024, 6, 30), "2024-06", config)
    return next(c for c in notice_contexts(result, config)["提醒函"] if c["unit"] == C_SERV)


def test_a_node_due_before_the_reply_deadline_is_explained_before_its_own_date() -> None:
    config = Config()
    config.schedule.due_soon_days = 20
    letter = _letter(config)  # 中科同德 入统资料, due 2024年7月20日
    assert letter["explain_by"] == letter["reply_by"] == "5个工作日内（2024年7月15日前）"
    config.schedule.reply_days = 10
    letter = _letter(config)
    assert letter["reply_by"] == "10个工作日内（2024年7月22日前）"
    assert letter["explain_by"] == "完成时限前（2024年7月20日前）"


@pytest.mark.slow  # renders a batch of notices (about 1 s)
def test_a_letter_only_asking_to_confirm_past_dates_does_not_call_them_coming(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    result = make_result(as_of=dt.date(2024, 6, 20))  # nodes of 6月30日: past by 成文 7月8日
    render_word(result, ws.templates, ws.config, tmp_path / "out")
    confirm_only = doc_text(tmp_path / "out" / "提醒函" / f"{FIN}.docx")
    assert "关于确认重点项目节点完成情况的函" in confirm_only and "即将到期" not in confirm_only
    assert "书面确认是否已按期完成" in confirm_only
    assert "确保按期完成" not in confirm_only and "如预计不能按期完成" not in confirm_only
    coming = doc_text(tmp_path / "out" / "提醒函" / f"{C_SERV}.docx")
    assert "关于重点项目节点即将到期的提醒函" in coming
    assert "如预计不能按期完成，请于5个工作日内（2024年7月15日前）书面说明原因" in coming
