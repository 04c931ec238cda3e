"""`reportgen serve`: the upload and status web pages (flask, loaded only by this command)."""

from __future__ import annotations

import click

from reportgen.commands.chinese import command
from reportgen.commands.options import as_period, as_port, echo, workspace_option
from reportgen.web.auth import set_office_password
from reportgen.web.server import serve_forever
from reportgen.workspace import Workspace


@command()
@click.option("--host", metavar="地址", help="监听地址，默认取 reportgen.toml 的 web.host（127.0.0.1，只允许本机访问）")
@click.option("--port", metavar="端口", callback=as_port, help="端口，默认取 web.port（8765）")
@click.option("--period", "-p", callback=as_period, metavar="月份", help="督查办页面默认显示的月份")
@click.option("--set-password", is_flag=True, help="设置督查办登录密码（保存为加盐哈希），然后退出")
@workspace_option
def serve(ws: Workspace, host: str | None, port: int | None, period: str | None, set_password: bool) -> None:
    """启动报送网页：各单位凭专用链接上传报送表，督查办登录查看报送情况、生成材料。

    \b
    示例：
      reportgen serve --set-password      先设置督查办登录密码
      reportgen serve                     然后启动，浏览器打开 http://127.0.0.1:8765/office/
    """
    if set_password:
        first = click.prompt("督查办登录密码（至少 8 位）", hide_input=True)
        # click's own confirmation prompt answers a mismatch in English: compare here instead
        if click.prompt("再输入一次", hide_input=True) != first:
            raise click.ClickException("两次输入的密码不一致，密码未更改")
        set_office_password(ws, first)
        echo("已设置督查办登录密码")
        return
    serve_forever(ws, host, port, period, echo)
