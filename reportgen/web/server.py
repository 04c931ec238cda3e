"""Serve the pages with waitress, a production WSGI server written in Python."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from waitress.server import create_server

from reportgen.web.app import create_app
from reportgen.web.auth import office_password_set
from reportgen.web.links import base_url
from reportgen.web.upload import limit_bytes, sweep_leftovers
from reportgen.workspace import Workspace

THREADS = 8


def make_server(ws: Workspace, host: str | None = None, port: int | None = None,
                period: str | None = None) -> Any:
    """Return a waitress server over the workspace's pages (not yet serving; port 0 picks one)."""
    sweep_leftovers(ws)
    app = create_app(ws, period)
    return create_server(
        app, host=host or ws.config.web.host, port=ws.config.web.port if port is None else port,
        threads=THREADS, max_request_body_size=limit_bytes(ws) + 1024 * 1024, ident="reportgen",
        clear_untrusted_proxy_headers=True)


def serve_forever(ws: Workspace, host: str | None, port: int | None, period: str | None,
                  echo: Callable[[str], None]) -> None:
    """Serve until interrupted, saying where the pages are."""
    server = make_server(ws, host, port, period)
    address = f"http://{server.effective_host}:{server.effective_port}"
    echo(f"报送网页已启动：{address}/office/（督查办）；各单位的专用链接见督查办页面")
    if base_url(ws.config) != address:
        echo(f"印在填报说明上的网址前缀：{base_url(ws.config)}（reportgen.toml 的 web.base_url）")
    if not office_password_set(ws):
        echo("尚未设置督查办登录密码，请先运行：reportgen serve --set-password")
    echo("按 Ctrl+C 停止")
    try:
        server.run()
    except KeyboardInterrupt:
        echo("已停止")
    finally:
        server.close()
