"""`reportgen forms --分发`: one zip per unit, holding only that unit's papers, read back from the zips."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from reportgen import formspec as fs
from reportgen import replyform
from reportgen.config import Config
from reportgen.distribute import GUIDE_NAME, addressed_to, make_packs, pack_name
from reportgen.forms import build_forms
from reportgen.model import DubanRecord
from reportgen.render.replyform_writer import write_reply_form
from reportgen.summary import SUMMARY_NAME
from tests.test_reconcile import C1, C2, A, B, make_plan

PERIOD = "2024-07"


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """July's forms of the four units (read only by the tests)."""
    return build_forms(make_plan(), Config(), PERIOD, tmp_path_factory.mktemp("forms") / "报送表")


def _set_meta(path: Path, key: str, value: str) -> None:
    book = load_workbook(path)
    meta = book[fs.SHEET_META]
    next(r for r in meta.iter_rows() if r[0].value == key)[1].value = value
    book.save(path)


def _meta_unit(data: bytes, tmp: Path) -> str:
    path = tmp / "read.xlsx"
    path.write_bytes(data)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(fs.SHEET_META).to_python()
    return next(str(r[1]) for r in rows if r and r[0] == "unit")


def test_a_zip_per_unit_with_its_own_form_and_guide(forms: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "output" / PERIOD
    made = make_packs(PERIOD, forms, out, out / "分发")
    assert sorted(p.path.name for p in made.packs) == sorted(pack_name(PERIOD, u) for u in (A, B, C1, C2))
    assert pack_name(PERIOD, A) == f"2024年7月_{A}.zip"
    for pack in made.packs:
        with zipfile.ZipFile(pack.path) as z:
            names = z.namelist()
            assert names == [f"2024年7月重点项目推进情况报送表（{pack.unit}）.xlsx", GUIDE_NAME]
            assert _meta_unit(z.read(names[0]), tmp_path) == pack.unit  # the form is the unit's own
            guide = z.read(GUIDE_NAME).decode("utf-8-sig")
        assert guide.startswith(f"2024年7月重点项目推进情况报送表（{pack.unit}）\r\n填报说明")
        assert f"本表由{pack.unit}填报2024年7月重点项目推进情况" in guide
        assert "请于2024年8月5日前报送" in guide and "　已完成：节点要求已全部完成" in guide
        assert "网上报送" not in guide  # no web pages set up: no link
        assert [u for u in (A, B, C1, C2) if f"本表由{u}填报" in guide] == [pack.unit]
    assert made.missing == ["2024年7月尚未运行 reportgen run，各单位的包中没有本月的督办通知、提醒函、催报通知；"
                            "运行后重新执行 reportgen forms --分发 即可放入"]


def test_the_upload_link_goes_to_its_unit_only(forms: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "output" / PERIOD
    links = {A: "http://10.1.2.3:8765/u/aaa", B: "http://10.1.2.3:8765/u/bbb",
             C1: "http://10.1.2.3:8765/u/c1", C2: "http://10.1.2.3:8765/u/c2"}
    asked: list[list[str]] = []

    def link_of(units: list[str]) -> dict[str, str]:
        asked.append(units)
        return {u: links[u] for u in units}

    made = make_packs(PERIOD, forms, out, out / "分发", link_of)
    assert len(asked) == 1 and sorted(asked[0]) == sorted(links)  # one visit for every unit
    for pack in made.packs:
        with zipfile.ZipFile(pack.path) as z:
            guide = z.read(GUIDE_NAME).decode("utf-8-sig")
        assert f"本单位专用链接 {links[pack.unit]} " in guide
        assert [u for u, link in links.items() if link in guide] == [pack.unit]


def test_a_form_of_another_month_is_not_packed_and_old_zips_go(forms: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "output" / PERIOD
    june = tmp_path / "六月.xlsx"
    june.write_bytes(forms[0].read_bytes())
    _set_meta(june, "period", "2024-06")  # a June form kept in July's folder
    stale = out / "分发" / pack_name(PERIOD, "已撤销的单位")
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")
    made = make_packs(PERIOD, [*forms[1:], june], out, out / "分发")
    assert len(made.packs) == len(forms) - 1
    assert any(june.name in m and "不是2024年7月的报送表" in m for m in made.missing)
    assert not stale.exists()
    assert sorted(p.name for p in (out / "分发").iterdir()) == sorted(p.path.name for p in made.packs)


def test_a_notice_is_a_units_only_when_its_main_recipient_is_that_unit(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("关于加快推进逾期节点的督办通知")
    doc.add_paragraph(f"{A}：")
    doc.add_paragraph(f"你单位与{B}共同负责的以下节点……")  # another unit named in the body
    doc.save(str(tmp_path / "notice.docx"))
    assert addressed_to(tmp_path / "notice.docx", A)
    assert not addressed_to(tmp_path / "notice.docx", B)
    (tmp_path / "broken.docx").write_bytes(b"not a docx")
    assert not addressed_to(tmp_path / "broken.docx", A)


def test_a_reply_form_goes_only_to_the_unit_it_was_made_for(forms: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "output" / PERIOD
    (out / SUMMARY_NAME).parent.mkdir(parents=True)
    (out / SUMMARY_NAME).write_text("{}", "utf-8")  # the month has been run
    when = dt.datetime(2024, 8, 8)
    for unit in (A, B):  # A's own reply form; A's form again, saved under B's name
        record = DubanRecord("同经开督字〔2024〕7号", PERIOD, A, ["P01-M02"], {"P01-M02": "节点P01-M02"},
                             reply_by=dt.date(2024, 8, 15))
        write_reply_form(record, Config(), out / replyform.FOLDER / replyform.reply_form_name(unit), when)
    made = make_packs(PERIOD, forms, out, out / "分发")
    packs = {p.unit: p for p in made.packs}
    assert packs[A].entries == [f"2024年7月重点项目推进情况报送表（{A}）.xlsx", "2024年7月督办回复单.xlsx", GUIDE_NAME]
    assert "2024年7月督办回复单.xlsx" not in packs[B].entries
    assert packs[B].left_out == [f"督办回复单/{B}.xlsx：不是{B}的回复单，未放入"]
    with zipfile.ZipFile(packs[A].path) as z:
        assert "2024年7月督办回复单.xlsx　填写后随书面回复报回" in z.read(GUIDE_NAME).decode("utf-8-sig")
