"""Notice 发文字号: a series per prefix and year in the ledger, stable on reruns, never reused."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from docx import Document

from reportgen import numbering
from reportgen.config import Config
from reportgen.errors import ConfigError
from reportgen.ledger import Ledger
from reportgen.model import PeriodResult
from reportgen.numbering import allocate_notice_numbers, bulletin_start, published_numbers
from reportgen.render.word import notice_recipients, render_word
from reportgen.workspace import Workspace, init_workspace
from tests.test_word_factory import make_result


def _allocate(led: Ledger, out: Path, period: str, recipients: dict[str, list[str]],
              config: Config | None = None) -> dict[str, dict[str, str]]:
    return allocate_notice_numbers(led, config or Config(), out, 2024, period, recipients)


def test_each_kind_numbers_in_its_own_series_and_reruns_keep_numbers(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.sqlite") as led:
        june = _allocate(led, tmp_path / "output", "2024-06",
                         {"督办通知": ["甲", "乙"], "提醒函": ["甲"], "催报通知": ["丙"]})
        assert june["督办通知"] == {"甲": "同经开督字〔2024〕1号", "乙": "同经开督字〔2024〕2号"}
        # 提醒函 and 催报通知 share the 函 prefix, so they share one series
        assert june["提醒函"] == {"甲": "同经开督函〔2024〕1号"}
        assert june["催报通知"] == {"丙": "同经开督函〔2024〕2号"}
        again = _allocate(led, tmp_path / "output", "2024-06",
                          {"督办通知": ["乙", "甲"], "提醒函": ["甲"], "催报通知": ["丙"]})
        assert again == june
        # a rerun where 乙 no longer needs one and 丁 does: 乙's number is not given to 丁
        third = _allocate(led, tmp_path / "output", "2024-06", {"督办通知": ["甲", "丁"]})
        assert third["督办通知"] == {"甲": "同经开督字〔2024〕1号", "丁": "同经开督字〔2024〕3号"}
        # …and what that run did not write is not issued (the 督办台账 reads issued_notices), 提醒函 and 催报通知 too
        assert [n.doc_no for n in led.issued_notices("2024-06")] == ["同经开督字〔2024〕1号", "同经开督字〔2024〕3号"]
        july = _allocate(led, tmp_path / "output", "2024-07", {"督办通知": ["甲"]})
        assert july["督办通知"] == {"甲": "同经开督字〔2024〕4号"}
        issued = [n.doc_no for n in led.issued_notices("2024-07")]
        assert issued == ["同经开督字〔2024〕4号"]
        # 乙 needs one again: its number, issued again
        _allocate(led, tmp_path / "output", "2024-06", {"督办通知": ["甲", "乙"], "催报通知": ["丙"]})
        assert [n.doc_no for n in led.issued_notices("2024-06")] == [
            "同经开督函〔2024〕2号", "同经开督字〔2024〕1号", "同经开督字〔2024〕2号"]


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_numbers_on_published_notices_survive_a_lost_ledger(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    result = make_result()
    out = ws.root / "output"
    with Ledger(tmp_path / "first.sqlite") as led:
        result.notice_numbers = allocate_notice_numbers(
            led, ws.config, out, 2024, result.period, notice_recipients(result, ws.config))
    render_word(result, ws.templates, ws.config, out / result.period)
    before = published_numbers(out, "同经开督字", 2024)
    assert before and all(n >= 1 for n in before.values())
    # history/ deleted: a new ledger, the same period run again, then the next month
    with Ledger(tmp_path / "second.sqlite") as led:
        rerun = allocate_notice_numbers(led, ws.config, out, 2024, result.period,
                                        notice_recipients(result, ws.config))
        assert rerun == result.notice_numbers
        nxt = allocate_notice_numbers(led, ws.config, out, 2024, "2024-07",
                                      {"督办通知": ["新单位"]})
    top = max(before.values())
    assert nxt["督办通知"]["新单位"] == f"同经开督字〔2024〕{top + 1}号"


def test_bulletin_number_is_not_reused_after_a_lost_ledger(tmp_path: Path) -> None:
    config = Config()
    out = tmp_path / "output"
    for period, number in (("2024-05", 3), ("2024-06", 4)):
        doc = Document()
        doc.add_paragraph(f"同经开督办〔2024〕{number}号")
        (out / period).mkdir(parents=True)
        doc.save(str(out / period / "进度通报.docx"))
    assert bulletin_start(config, out, 2024, "2024-06") == 4  # its own number again
    assert bulletin_start(config, out, 2024, "2024-07") == 5
    assert bulletin_start(config, out, 2025, "2025-01") == config.office.next_doc_no


def _render_numbered(ws: Workspace, tmp_path: Path) -> tuple[PeriodResult, list[Path]]:
    """June's papers rendered with the notice numbers the ledger allocates."""
    result = make_result()
    with Ledger(tmp_path / "ledger.sqlite") as led:
        result.notice_numbers = allocate_notice_numbers(
            led, ws.config, tmp_path / "output", 2024, result.period,
            notice_recipients(result, ws.config))
    return result, render_word(result, ws.templates, ws.config, tmp_path / "out")


@pytest.mark.slow  # a whole month rendered: kept out of the fast lane
def test_every_notice_prints_its_number(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    result, written = _render_numbered(ws, tmp_path)
    notices = [p for p in written if p.parent.name in ("督办通知", "提醒函", "催报通知")]
    assert {p.parent.name for p in notices} == {"督办通知", "提醒函", "催报通知"}
    for path in notices:
        doc = Document(str(path))
        text = "\n".join(p.text for p in doc.paragraphs)
        expected = result.notice_numbers[path.parent.name][path.stem]
        assert re.search(rf"^{re.escape(expected)}$", text, re.M), path
        header = "".join(p.text for p in doc.sections[0].first_page_header.paragraphs)
        if path.parent.name == "督办通知":
            # 文件格式: the red 发文机关标志 in the body, the 版记 with 印发
            assert ws.config.office.issuer_mark in text
            assert any("印发" in c.text for t in doc.tables for c in t._cells)
        else:
            # 信函格式: the 发文机关's full name in the first page's header, 抄送 without 印发
            assert header.strip() == ws.config.office.issuer
            assert ws.config.office.issuer_mark not in text
            assert "抄送：" in text and not doc.tables


@pytest.mark.slow  # a whole month rendered: kept out of the fast lane
def test_letter_format_off_gives_reminders_the_full_document_form(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    ws.config.notices.letter_format = False
    result, written = _render_numbered(ws, tmp_path)
    letters = [p for p in written if p.parent.name in ("提醒函", "催报通知")]
    assert {p.parent.name for p in letters} == {"提醒函", "催报通知"}
    for path in letters:
        doc = Document(str(path))
        styled = {p.style.name: p.text for p in doc.paragraphs if p.text.strip()}
        # 文件格式 as the 督办通知: red 发文机关标志 and 发文字号 in the body, 版记 with 印发, no 信函 head
        assert styled["发文机关标志"] == ws.config.office.issuer_mark
        assert styled["发文字号"] == result.notice_numbers[path.parent.name][path.stem]
        assert styled["发文机关署名"] == ws.config.office.signature
        header = "".join(p.text for p in doc.sections[0].first_page_header.paragraphs)
        assert ws.config.office.issuer not in header
        imprint = [c.text for t in doc.tables for c in t._cells]
        assert any(t.startswith("抄送：") for t in imprint)
        assert any(t.endswith("印发") and ws.config.office.printer in t for t in imprint)
        # the first page carries its page number as every other page does
        footer = doc.sections[0].footer.paragraphs[0]._p.xml
        assert "PAGE" in footer


def test_a_notice_prefix_equal_to_the_bulletins_is_refused(tmp_path: Path) -> None:
    from reportgen.config import load_config

    path = tmp_path / "reportgen.toml"
    path.write_text('[notices]\nsupervision_prefix = "同经开督办"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"notices\.supervision_prefix"):
        load_config(path)


def _notice(path: Path, text: str) -> None:
    doc = Document()
    doc.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


def test_published_notices_are_opened_again_only_when_changed(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "output"
    _notice(out / "2024-05" / "督办通知" / "甲.docx", "同经开督字〔2024〕7号")
    _notice(out / "2024-05" / "提醒函" / "乙.docx", "同经开督函〔2024〕2号")
    opened: list[str] = []
    real = numbering._numbers_in
    monkeypatch.setattr(numbering, "_numbers_in", lambda path, *a: opened.append(path.name) or real(path, *a))
    recipients = {"督办通知": ["丙"], "提醒函": ["丁"]}
    with Ledger(tmp_path / "history" / "ledger.sqlite") as led:
        june = _allocate(led, out, "2024-06", recipients)
        assert june == {"督办通知": {"丙": "同经开督字〔2024〕8号"}, "提醒函": {"丁": "同经开督函〔2024〕3号"}}
        assert sorted(opened) == ["乙.docx", "甲.docx"]  # each document once for both series
        opened.clear()
        _allocate(led, out, "2024-07", {"督办通知": ["丙"]})
        assert opened == []  # nothing published changed: what they hold was kept
        # May's notice to 甲 written again with another number (the ledger of that time was lost)
        _notice(out / "2024-05" / "督办通知" / "甲.docx", "同经开督字〔2024〕20号")
        st = (out / "2024-05" / "督办通知" / "甲.docx").stat()
        os.utime(out / "2024-05" / "督办通知" / "甲.docx", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        august = _allocate(led, out, "2024-08", {"督办通知": ["戊"]})
    assert opened == ["甲.docx"]
    assert august["督办通知"]["戊"] == "同经开督字〔2024〕21号"
