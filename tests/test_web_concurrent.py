"""Fifty units upload at the same moment to a real waitress server on 127.0.0.1: every form lands."""

from __future__ import annotations

import http.client
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reportgen.web.links import unit_links
from reportgen.web.server import make_server
from reportgen.web.store import WebStore
from reportgen.web.upload import PLACED_SUFFIX
from tests.web_support import PERIOD, csrf_of, filled_form, wide_workspace

UNITS = 50


def _post_form(port: int, path: str, data: bytes, name: str, barrier: threading.Barrier) -> tuple[int, str]:
    """GET the unit's page (cookie and CSRF token), wait for the others, POST the form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path)
    page = conn.getresponse()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    token = csrf_of(page.read().decode("utf-8"))
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    barrier.wait(60)
    conn.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                      "Cookie": cookie})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer.status, answer.getheader("Location", "")


@pytest.mark.slow
def test_fifty_units_upload_at_once_and_every_form_lands(tmp_path: Path) -> None:
    ws = wide_workspace(tmp_path / "ws", UNITS)
    units = [f"第{n}责任单位" for n in range(1, UNITS + 1)]
    links = unit_links(ws, PERIOD, units)
    forms = {u: filled_form(ws, u, tmp_path / "forms" / f"{n}.xlsx").read_bytes() for n, u in enumerate(units)}
    server = make_server(ws, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    barrier = threading.Barrier(UNITS)
    try:
        with ThreadPoolExecutor(UNITS) as pool:
            answers = list(pool.map(
                lambda u: _post_form(server.effective_port, re.sub(r"^https?://[^/]+", "", links[u]), forms[u],
                                     "报送表.xlsx", barrier), units))
    finally:
        server.close()
        thread.join(5)
    assert [status for status, _ in answers] == [302] * UNITS
    assert all(where.endswith(links[u][links[u].index("/u/"):]) for (_, where), u in zip(answers, units, strict=True))
    folder = ws.submissions_dir(PERIOD)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{u}{PLACED_SUFFIX}.xlsx" for u in units)
    assert all((folder / f"{u}{PLACED_SUFFIX}.xlsx").read_bytes() == forms[u] for u in units)
    with WebStore(ws.ledger_path) as store:
        uploads = store.uploads(PERIOD)
    assert sorted((up.unit, up.version, up.accepted) for up in uploads) == sorted((u, 1, True) for u in units)
