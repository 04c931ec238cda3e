"""`reportgen init`: a new workspace."""

from __future__ import annotations

from pathlib import Path

import click

from reportgen.commands.chinese import command
from reportgen.commands.options import echo, new_folder
from reportgen.workspace import init_workspace


@command()
@click.argument("directory", metavar="目录", callback=new_folder)
@click.option("--empty", is_flag=True, help="不带示例数据（任务分解和两个月的报送表）")
def init(directory: Path, empty: bool) -> None:
    """新建工作区：配置文件、模板和 input/ output/ history/ 目录。

    默认带上示例任务分解和 2024年6月、7月的示例报送表，可立即试运行；
    正式使用时加 --empty，或删去 input/ 下的示例文件。

    \b
    示例：
      reportgen init 2025年督办 --empty
      reportgen init 试用 && cd 试用 && reportgen run --period 2024-06
    """
    ws = init_workspace(directory, sample=not empty)
    echo(f"已新建工作区：{ws.root}")
    if not empty:
        echo("已放入示例数据，可先试运行：")
        echo(f"  cd {directory} && reportgen run --period 2024-06 && reportgen run --period 2024-07")
    echo("下一步（正式使用）：")
    echo(f"  1. 进入工作区：cd {directory}")
    echo("  2. 按本单位情况修改 reportgen.toml（发文机关、发文字号、责任单位别名等）；")
    echo("  3. 导入任务分解：reportgen plan import 任务分解.docx")
    echo("  4. 在 Excel/WPS 中核对 input/plan/ 下生成的总表；")
    echo("  5. 生成报送表：reportgen forms --period 2024-06")
