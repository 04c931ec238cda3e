"""The office's 督办台账 page shows the 督办台账 the run printed in the 汇总表, row by row (Flask's
test client over the sample workspace, June and July run through the real CLI)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.render.excel import read_tables
from reportgen.web.app import create_app
from reportgen.web.auth import set_office_password
from reportgen.workspace import Workspace, init_workspace
from tests.web_support import PASSWORD, csrf_of

pytestmark = pytest.mark.slow

COLUMNS = ("督办文号", "责任单位", "督办事项（节点）", "督办日期", "回复期限", "回复日期", "状态", "督办次数", "备注")


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = init_workspace(tmp_path_factory.mktemp("web-dubans") / "ws", sample=True)
    for period in ("2024-06", "2024-07"):
        result = CliRunner().invoke(main, ["run", "-p", period, "-w", str(ws.root)])
        assert result.exit_code == 0, result.output
    return ws


def _client(ws: Workspace) -> Any:
    set_office_password(ws, PASSWORD)
    client = create_app(ws).test_client()
    page = client.get("/office/login").get_data(as_text=True)
    client.post("/office/login", data={"password": PASSWORD, "csrf_token": csrf_of(page)})
    return client


def _cell(text: str) -> str:
    return html.unescape(re.sub(r"<br>", "", re.sub(r"<(?!br>)[^>]+>", "", text))).strip()


def _rows(page: str) -> list[dict[str, str]]:
    """Return the page's 督办台账 as rows keyed by its column headers."""
    body = page.split('<table id="dubans">')[1].split("</table>")[0]
    heads = [_cell(h) for h in re.findall(r"<th>(.*?)</th>", body)]
    assert tuple(heads) == COLUMNS
    return [dict(zip(heads, (_cell(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)), strict=True))
            for row in re.findall(r"<tr data-doc=.*?</tr>", body, re.S)]


def _as_printed(value: Any) -> str:
    """A 汇总表 cell as the page writes it: dates in Chinese, an empty date as —."""
    if isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    return "—" if value is None else str(value)


def test_the_page_shows_the_duban_book_the_summary_table_printed(ran: Workspace) -> None:
    client = _client(ran)
    assert "查看督办台账" in client.get("/office/2024-07").get_data(as_text=True)
    page = client.get("/office/2024-07/dubans").get_data(as_text=True)
    shown = _rows(page)
    printed = read_tables(ran.output_dir("2024-07") / "汇总表.xlsx")["督办台账"]
    assert len(shown) == len(printed) >= 4  # June's three and July's
    for got, row in zip(shown, printed, strict=True):
        want = {k: _as_printed(row.get(k)) for k in COLUMNS}
        want["备注"] = row.get("备注") or ""
        assert got == want
    assert any("前次督办：" in r["备注"] for r in shown) and any("销号" in r["备注"] for r in shown)
    late = sum(r["状态"] == "逾期未回复" for r in shown)
    assert f"逾期未回复 {late} 件" in page and f"共发出督办通知 <b>{len(shown)}</b> 件" in page


def test_the_page_before_any_run_and_without_the_password(ran: Workspace) -> None:
    client = _client(ran)
    assert "本月还没有生成材料" in client.get("/office/2024-08/dubans").get_data(as_text=True)
    stranger = create_app(ran).test_client()
    assert stranger.get("/office/2024-07/dubans").headers["Location"].endswith("/office/login")
