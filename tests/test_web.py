"""`reportgen serve`: the unit's upload page and the office's page, driven with Flask's test client."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path

import pytest

from reportgen.fsutil import workspace_lock
from reportgen.ingest import read_submissions
from reportgen.intake import Action
from reportgen.pipeline import decide_submission
from reportgen.plan.workbook import load_plan
from reportgen.rules import reporting_units
from reportgen.web.app import create_app
from reportgen.web.auth import set_office_password
from reportgen.web.links import unit_link, unit_links
from reportgen.web.upload import PLACED_SUFFIX
from reportgen.workspace import Workspace
from tests.conftest import needs_libreoffice
from tests.ingest_support import patch_zip
from tests.web_support import PASSWORD, PERIOD, csrf_of, filled_form, sample_workspace, units_of


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return sample_workspace(tmp_path_factory.mktemp("web") / "ws", forms=2)


@pytest.fixture
def ws(base: Workspace, tmp_path: Path) -> Workspace:
    """A fresh copy of the module's workspace (forms are slow to make)."""
    import shutil

    from reportgen.workspace import open_workspace

    shutil.copytree(base.root, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def _path(link: str) -> str:
    return link[link.index("/u/"):]


def _upload(client, link: str, data: bytes, name: str, csrf: bool = True):  # type: ignore[no-untyped-def]
    page = client.get(_path(link)).get_data(as_text=True)
    form = {"file": (io.BytesIO(data), name)}
    if csrf:
        form["csrf_token"] = csrf_of(page)
    return client.post(_path(link), data=form, content_type="multipart/form-data", follow_redirects=True)


def test_good_form_lands_in_the_submissions_folder_and_the_batch_reads_it(ws: Workspace, tmp_path: Path) -> None:
    unit = units_of(ws)[0]
    link = unit_link(ws, PERIOD, unit)
    assert link.startswith("http://127.0.0.1:8765/u/") and unit_link(ws, PERIOD, unit) == link
    client = create_app(ws).test_client()
    page = client.get(_path(link)).get_data(as_text=True)
    assert unit in page and "2024年8月" in page and "2024年9月5日" in page and "尚未报送" in page
    form = filled_form(ws, unit, tmp_path / "填好的.xlsx")
    answer = _upload(client, link, form.read_bytes(), "填好的.xlsx")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "第 1 版已采用" in text and "已报送" in text
    placed = ws.submissions_dir(PERIOD) / f"{unit}{PLACED_SUFFIX}.xlsx"
    assert placed.read_bytes() == form.read_bytes()
    assert not [p for p in ws.submissions_dir(PERIOD).iterdir() if p.name.startswith(".")]  # no temp file left
    batch = read_submissions(ws.submissions_dir(PERIOD), load_plan(ws.master_workbook(), ws.config),
                             ws.config, PERIOD)
    assert [s.unit for s in batch.submissions] == [unit]
    decisions = sqlite3.connect(ws.ledger_path).execute(
        "SELECT action, unit, sha256, file_name FROM submission_decisions").fetchall()
    assert decisions == [("accept", unit, hashlib.sha256(form.read_bytes()).hexdigest(), placed.name)]


def test_broken_form_is_refused_cell_by_cell_and_a_correction_becomes_version_two(
        ws: Workspace, tmp_path: Path) -> None:
    unit = units_of(ws)[0]
    link = unit_link(ws, PERIOD, unit)
    client = create_app(ws).test_client()
    broken = filled_form(ws, unit, tmp_path / "错的.xlsx", broken=True)
    text = _upload(client, link, broken.read_bytes(), "错的.xlsx").get_data(as_text=True)
    assert "第 1 版未采用" in text and "见附件" in text and "逐格修改" in text
    assert '<td class="cell">F' in text  # the cell is named
    assert not ws.submissions_dir(PERIOD).exists() or not list(ws.submissions_dir(PERIOD).iterdir())
    good = filled_form(ws, unit, tmp_path / "改好的.xlsx")
    text = _upload(client, link, good.read_bytes(), "改好的.xlsx").get_data(as_text=True)
    assert "第 2 版已采用" in text and "错的.xlsx" in text and "改好的.xlsx" in text
    rows = sqlite3.connect(ws.ledger_path).execute(
        "SELECT version, original_name, accepted FROM uploads WHERE unit = ? ORDER BY version", (unit,)).fetchall()
    assert rows == [(1, "错的.xlsx", 0), (2, "改好的.xlsx", 1)]
    versions = list((ws.history_dir / "uploads" / PERIOD).iterdir())
    assert len(versions) == 2 and all(p.suffix == ".xlsx" and "错" not in p.name for p in versions)


def test_a_units_link_neither_reads_nor_overwrites_another_units(ws: Workspace, tmp_path: Path) -> None:
    first, second = units_of(ws)[:2]
    links = unit_links(ws, PERIOD, [first, second])
    client = create_app(ws).test_client()
    _upload(client, links[second], filled_form(ws, second, tmp_path / "b.xlsx").read_bytes(), "乙的表.xlsx")
    placed = ws.submissions_dir(PERIOD) / f"{second}{PLACED_SUFFIX}.xlsx"
    before = placed.read_bytes()
    # the first unit's link, the second unit's (changed) form
    other = filled_form(ws, second, tmp_path / "b2.xlsx", broken=True)
    text = _upload(client, links[first], other.read_bytes(), "冒名.xlsx").get_data(as_text=True)
    assert f"这是“{second}”的报送表，不是本单位（{first}）的，未采用" in text
    assert placed.read_bytes() == before and sorted(p.name for p in ws.submissions_dir(PERIOD).iterdir()) == [
        placed.name]
    page = client.get(_path(links[first])).get_data(as_text=True)
    assert first in page and "乙的表.xlsx" not in page and "冒名.xlsx" in page
    assert client.get("/u/" + "x" * 32).status_code == 404
    assert "链接" in client.get("/u/" + _path(links[first])[3:-1]).get_data(as_text=True)


def test_a_file_name_with_a_path_is_refused_and_never_used(ws: Workspace, tmp_path: Path) -> None:
    unit = units_of(ws)[0]
    link = unit_link(ws, PERIOD, unit)
    client = create_app(ws).test_client()
    good = filled_form(ws, unit, tmp_path / "g.xlsx").read_bytes()
    for name in ("../../../input/plan/总表.xlsx", "/etc/passwd.xlsx", "..", "报送表\x00.xlsx"):
        answer = _upload(client, link, good, name)
        assert answer.status_code == 400 and "文件名含有路径或特殊字符" in answer.get_data(as_text=True), name
    assert not (ws.root / "input" / "plan" / "总表.xlsx").exists() and not ws.submissions_dir(PERIOD).exists()
    assert not (ws.history_dir / "uploads").exists()


@pytest.mark.slow
def test_oversized_file_and_zip_bomb_are_refused_with_a_message(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws", {"max_file_mb": "1", "max_unzipped_mb": "5"}, forms=1)
    unit = units_of(ws)[0]
    link = unit_link(ws, PERIOD, unit)
    client = create_app(ws).test_client()
    answer = _upload(client, link, b"\0" * (2 * 1024 * 1024), "大.xlsx")
    assert answer.status_code == 413 and "超过上限 1MB" in answer.get_data(as_text=True)
    answer = _upload(client, link, b"\0" * (1024 * 1024 + 10), "稍大.xlsx")  # within the request slack
    assert answer.status_code == 413 and "超过上限 1MB" in answer.get_data(as_text=True)
    bomb = patch_zip(filled_form(ws, unit, tmp_path / "bomb.xlsx"), {}, {"xl/media/blob.bin": bytes(6 << 20)})
    text = _upload(client, link, bomb.read_bytes(), "炸弹.xlsx").get_data(as_text=True)
    assert "第 1 版未采用" in text and "超过5MB" in text
    assert not ws.submissions_dir(PERIOD).exists() or not list(ws.submissions_dir(PERIOD).iterdir())


def _office(ws: Workspace):  # type: ignore[no-untyped-def]
    set_office_password(ws, PASSWORD)
    client = create_app(ws).test_client()
    page = client.get("/office/login").get_data(as_text=True)
    client.post("/office/login", data={"password": PASSWORD, "csrf_token": csrf_of(page)})
    return client


@pytest.mark.slow
def test_requests_without_the_csrf_token_are_refused(ws: Workspace, tmp_path: Path) -> None:
    unit = units_of(ws)[0]
    link = unit_link(ws, PERIOD, unit)
    client = _office(ws)
    answer = client.post(f"/office/{PERIOD}/run")
    assert answer.status_code == 400 and "校验码" in answer.get_data(as_text=True)
    answer = client.post(f"/office/{PERIOD}/run", data={"csrf_token": "forged"})
    assert answer.status_code == 400
    answer = _upload(client, link, filled_form(ws, unit, tmp_path / "a.xlsx").read_bytes(), "a.xlsx", csrf=False)
    assert answer.status_code == 400 and "校验码" in answer.get_data(as_text=True)
    assert not ws.submissions_dir(PERIOD).exists()
    assert _site_state(client) == "idle"


def _site_state(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.application.extensions["reportgen"].runner.snapshot().state)


@pytest.mark.slow
def test_office_needs_its_password_and_sees_who_reported(ws: Workspace, tmp_path: Path) -> None:
    client = create_app(ws).test_client()
    assert client.get(f"/office/{PERIOD}").headers["Location"].endswith("/office/login")
    assert "reportgen serve --set-password" in client.get("/office/login").get_data(as_text=True)
    set_office_password(ws, PASSWORD)
    page = client.get("/office/login").get_data(as_text=True)
    wrong = client.post("/office/login", data={"password": "nope-nope", "csrf_token": csrf_of(page)})
    assert "密码不正确" in client.get("/office/login").get_data(as_text=True) or wrong.status_code == 200
    assert client.get(f"/office/{PERIOD}").status_code == 302
    stored = sqlite3.connect(ws.ledger_path).execute(
        "SELECT value FROM web_settings WHERE key = 'office_password'").fetchone()[0]
    assert PASSWORD not in stored and stored.startswith("scrypt:")
    client = _office(ws)
    units = units_of(ws)
    _upload(client, unit_link(ws, PERIOD, units[0]), filled_form(ws, units[0], tmp_path / "a.xlsx").read_bytes(),
            "a.xlsx")
    page = client.get(f"/office/{PERIOD}").get_data(as_text=True)
    assert "已报 <b id=\"reported\">1</b> 个" in page and "逾期未报" in page
    _upload(client, unit_link(ws, PERIOD, units[1]),
            filled_form(ws, units[1], tmp_path / "b.xlsx", broken=True).read_bytes(), "b.xlsx")
    page = client.get(f"/office/{PERIOD}").get_data(as_text=True)
    assert "1 次，最近第 1 版未采用" in page and "该版问题 1 条" in page and "见附件" in page
    assert unit_link(ws, PERIOD, units[1]) in page and f"{units[0]}{PLACED_SUFFIX}.xlsx" in page
    excused = reporting_units(load_plan(ws.master_workbook(), ws.config), ws.config)[-1]
    decide_submission(ws, PERIOD, Action.EXEMPT, excused, note="项目已移交")
    row = client.get(f"/office/{PERIOD}").get_data(as_text=True).split(f'data-unit="{excused}"')[1]
    assert row.split("</tr>")[0].count("本月免报（项目已移交）") == 1
    with workspace_lock(ws.history_dir / "run.lock"):
        answer = client.post(f"/office/{PERIOD}/run", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    assert "正有另一个 reportgen 在运行" in answer.get_data(as_text=True) and _site_state(client) == "idle"
    assert client.get(f"/office/{PERIOD}/papers/../../reportgen.toml").status_code == 404
    assert client.get(f"/office/{PERIOD}/papers/进度通报.docx").status_code == 404  # not made yet


def test_session_cookie_and_headers_keep_the_link_and_the_session_private(ws: Workspace, tmp_path: Path) -> None:
    unit = units_of(ws)[0]
    client = create_app(ws).test_client()
    answer = client.get(_path(unit_link(ws, PERIOD, unit)))
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert answer.headers["Referrer-Policy"] == "no-referrer" and answer.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    assert "<script" not in answer.get_data(as_text=True)
    toml = ws.root / "reportgen.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('base_url = ""', 'base_url = "https://dc.example.cn"'),
                    encoding="utf-8")
    from reportgen.workspace import open_workspace

    secure = open_workspace(ws.root)
    assert unit_link(secure, PERIOD, unit).startswith("https://dc.example.cn/u/")
    answer = create_app(secure).test_client().get(_path(unit_link(secure, PERIOD, unit)))
    assert "Secure" in answer.headers["Set-Cookie"]


@needs_libreoffice
def test_office_runs_the_batch_with_pdfs_and_downloads_the_meeting_papers(ws: Workspace, tmp_path: Path) -> None:
    units = units_of(ws)
    client = _office(ws)
    _upload(client, unit_link(ws, PERIOD, units[0]), filled_form(ws, units[0], tmp_path / "a.xlsx").read_bytes(),
            "a.xlsx")
    page = client.get(f"/office/{PERIOD}").get_data(as_text=True)
    started = client.post(f"/office/{PERIOD}/run", data={"csrf_token": csrf_of(page), "pdf": "1"},
                          follow_redirects=True).get_data(as_text=True)
    assert "已开始生成" in started and '<meta http-equiv="refresh"' in started
    again = client.post(f"/office/{PERIOD}/run", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    assert "正在生成中" in again.get_data(as_text=True)
    state = client.application.extensions["reportgen"].runner.wait(600)
    assert state.state == "done" and "转换 PDF" in state.stages, state.message
    page = client.get(f"/office/{PERIOD}").get_data(as_text=True)
    assert page.index("pdf/会议材料.pdf") < page.index("进度通报.docx")
    pdf = client.get(f"/office/{PERIOD}/papers/pdf/会议材料.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    docx = client.get(f"/office/{PERIOD}/papers/进度通报.docx")
    assert docx.data == (ws.output_dir(PERIOD) / "进度通报.docx").read_bytes()
