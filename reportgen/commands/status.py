"""`reportgen status`: who has reported for a month and how long until the deadline."""

from __future__ import annotations

from reportgen.commands.chinese import command
from reportgen.commands.options import echo, period_option, workspace_option
from reportgen.received import period_status
from reportgen.terminal import count_notes
from reportgen.workspace import Workspace


@command()
@period_option
@workspace_option
def status(ws: Workspace, period: str) -> None:
    """查看某月报送情况：哪些单位已报、未报，距报送截止还有几天。

    \b
    示例：
      reportgen status --period 2024-06
    """
    st = period_status(ws, period)
    when = (f"还有 {st.days_left} 天" if st.days_left > 0
            else "今天截止" if st.days_left == 0 else f"已过 {-st.days_left} 天")
    echo(f"{period} 报送截止日期 {st.deadline.year}年{st.deadline.month}月{st.deadline.day}日（{when}）")
    width = max((len(u.unit) for u in st.units), default=4)
    echo("单位" + "　" * (width - 2) + "  状态    错误  警告  文件")
    for u in st.units:
        mark = "已报送" if u.received else "本月免报" if u.exempt is not None else "未报送"
        name = u.unit + "　" * (width - len(u.unit))
        errors = f"{u.errors}*" if u.unchecked else str(u.errors)
        echo(f"{name}  {mark}  {errors:>4}  {u.warnings:>4}  {'、'.join(u.files)}")
    got = sum(u.received for u in st.units)
    excused = sum(not u.received and u.exempt is not None for u in st.units)
    echo(f"合计：应报 {len(st.units)} 个，已报 {got} 个，未报 {len(st.units) - got - excused} 个"
         + (f"，本月免报 {excused} 个" if excused else ""))
    for name in st.unidentified:
        echo(f"无法识别所属单位的文件：{name}（请用 reportgen check 查看原因）")
    for note in count_notes(st.checked, st.stale, any(u.unchecked for u in st.units), any(u.files for u in st.units)):
        echo(f"注：{note}")

