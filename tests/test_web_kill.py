"""`reportgen serve` killed (SIGKILL) in the middle of an upload: the unit's accepted form stays whole."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.ingest import read_submissions
from reportgen.plan.workbook import load_plan
from reportgen.web.auth import check_office_password
from reportgen.web.links import unit_link
from reportgen.web.upload import PLACED_SUFFIX, save_durably, sweep_leftovers
from reportgen.workspace import Workspace
from tests.web_support import PERIOD, csrf_of, filled_form, sample_workspace, units_of


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(ws: Workspace, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "serve", "-w", str(ws.root), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("reportgen serve did not start")


def _open_upload(port: int, path: str, data: bytes) -> tuple[http.client.HTTPConnection, bytes]:
    """Return a connection with the upload's headers sent, and the body still to send."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    page = conn.getresponse()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    token = csrf_of(page.read().decode("utf-8"))
    b = uuid.uuid4().hex
    body = (f'--{b}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n--{b}\r\n'
            'Content-Disposition: form-data; name="file"; filename="form.xlsx"\r\n\r\n').encode() + data + \
        f"\r\n--{b}--\r\n".encode()
    conn.putrequest("POST", path)
    for key, value in (("Content-Type", f"multipart/form-data; boundary={b}"), ("Cookie", cookie),
                       ("Content-Length", str(len(body)))):
        conn.putheader(key, value)
    conn.endheaders()
    return conn, body


@pytest.mark.slow
def test_server_killed_mid_upload_keeps_the_accepted_form_whole(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    unit = units_of(ws)[0]
    path = unit_link(ws, PERIOD, unit)
    path = path[path.index("/u/"):]
    first = filled_form(ws, unit, tmp_path / "v1.xlsx").read_bytes()
    port = _free_port()
    proc = _start(ws, port)
    try:
        conn, body = _open_upload(port, path, first)
        conn.send(body)
        assert conn.getresponse().status == 302
        second = filled_form(ws, unit, tmp_path / "v2.xlsx").read_bytes() + b"\0" * 200_000
        conn, body = _open_upload(port, path, second)
        conn.send(body[: len(body) // 2])
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    folder = ws.submissions_dir(PERIOD)
    assert sorted(p.name for p in folder.iterdir()) == [f"{unit}{PLACED_SUFFIX}.xlsx"]
    assert (folder / f"{unit}{PLACED_SUFFIX}.xlsx").read_bytes() == first
    batch = read_submissions(folder, load_plan(ws.master_workbook(), ws.config), ws.config, PERIOD)
    assert [s.unit for s in batch.submissions] == [unit] and not batch.issues
    proc = _start(ws, port)  # and the pages come back with the accepted version
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path)
        assert "采用第 1 版" in conn.getresponse().read().decode("utf-8")
    finally:
        proc.kill()
        proc.wait(10)


@pytest.mark.slow
def test_set_password_command_stores_a_hash_and_refuses_a_short_one(tmp_path: Path) -> None:
    from reportgen.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    short = CliRunner().invoke(main, ["serve", "-w", str(ws.root), "--set-password"], input="short\nshort\n")
    assert short.exit_code == 2 and "密码至少 8 位" in short.output
    done = CliRunner().invoke(main, ["serve", "-w", str(ws.root), "--set-password"],
                              input="督查办密码2024\n督查办密码2024\n")
    assert done.exit_code == 0 and "已设置督查办登录密码" in done.output
    assert check_office_password(ws, "督查办密码2024") and not check_office_password(ws, "督查办密码2025")


def test_set_password_twice_differently_is_refused_in_chinese(tmp_path: Path) -> None:
    from reportgen.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    typo = CliRunner().invoke(main, ["serve", "-w", str(ws.root), "--set-password"],
                              input="督查办密码2024\n督查办密码2025\n")
    assert typo.exit_code == 1
    assert "两次输入的密码不一致，密码未更改" in typo.output and "match" not in typo.output
    assert not check_office_password(ws, "督查办密码2024")


def test_a_process_killed_while_writing_the_form_leaves_the_old_one_and_the_batch_ignores_the_rest(
        tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws", forms=1)
    unit = units_of(ws)[0]
    target = ws.submissions_dir(PERIOD) / f"{unit}{PLACED_SUFFIX}.xlsx"
    old = filled_form(ws, unit, target).read_bytes()
    new = filled_form(ws, unit, tmp_path / "new.xlsx").read_bytes()

    def half_then_die(out: object) -> None:
        out.write(new[: len(new) // 2])  # type: ignore[attr-defined]
        out.flush()  # type: ignore[attr-defined]
        os.kill(os.getpid(), signal.SIGKILL)

    child = os.fork()
    if child == 0:  # pragma: no cover - the child is killed inside
        save_durably(target, half_then_die)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert target.read_bytes() == old
    leftovers = [p.name for p in target.parent.iterdir() if p != target]
    assert len(leftovers) == 1 and leftovers[0].startswith(".~tmp-")  # half a file, under a hidden name
    batch = read_submissions(target.parent, load_plan(ws.master_workbook(), ws.config), ws.config, PERIOD)
    assert [f.name for f in batch.files] == [target.name] and [s.unit for s in batch.submissions] == [unit]
    assert sweep_leftovers(ws) == [target.parent / leftovers[0]]  # what a restarted server clears
    assert [p.name for p in target.parent.iterdir()] == [target.name] and target.read_bytes() == old
