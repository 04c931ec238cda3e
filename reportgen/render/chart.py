"""The bulletin's chart: each project's investment completion rate against 序时进度."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from reportgen.cn import fmt_pct
from reportgen.model import ItemResult, PeriodResult, Section
from reportgen.textlines import break_text, char_width

# Preferred faces, in order. matplotlib's own font list is a cache that can predate the fonts
# installed on the machine, so the font files are found through fontconfig (`fc-list :lang=zh`)
# and added to matplotlib by path before a family is chosen by name.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Sarasa Gothic SC",
    "Noto Sans CJK JP",
)

NO_FONT_WARNING = (
    "本机没有中文字体，进度通报未附完成率图表（文字会印成方框）；"
    "安装中文字体（如 Debian/Ubuntu 的 fonts-noto-cjk）后重新运行即可附上"
)
PROBE = "重点项目投资完成率序时进度"  # the chart's own characters a font must have


@dataclass
class ChartResult:
    """A rendered chart (PNG bytes, or the format asked) and which font it used; `warning` is for
    the run log."""

    png: bytes | None
    font: str | None
    warning: str = ""


def _fontconfig_files() -> dict[str, str]:
    """Return family -> font file of the fonts fontconfig knows can set Chinese."""
    exe = shutil.which("fc-list")
    if exe is None:
        return {}
    try:
        out = subprocess.run([exe, ":lang=zh", "family", "file"], capture_output=True,
                             text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    files: dict[str, str] = {}
    for line in out.splitlines():
        path, _, names = line.partition(": ")
        for name in names.split(","):
            files.setdefault(name.strip(), path.strip())
    return files


def _covers(path: str) -> bool:
    """Whether a font file has glyphs for the chart's Chinese text."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError):
        return False
    return all(ord(ch) in charmap for ch in PROBE)


def find_cjk_font(families: tuple[str, ...] = CJK_FAMILIES) -> str | None:
    """Return a font family able to set the chart's Chinese text, or None.

    Files fontconfig lists are added to matplotlib first (a stale matplotlib cache does not
    know them); a family is only returned when its file has the glyphs.
    """
    from matplotlib import font_manager

    files = _fontconfig_files()
    for family in families:
        path = files.get(family)
        if path is None:
            try:
                path = font_manager.findfont(font_manager.FontProperties(family=family),
                                             fallback_to_default=False)
            except ValueError:
                continue
        if not _covers(path):
            continue
        font_manager.fontManager.addfont(path)
        if any(entry.name == family for entry in font_manager.fontManager.ttflist):
            return family
        # an older matplotlib adds a .ttc collection under its first face's name only
        return str(font_manager.FontProperties(fname=path).get_name())
    return None


# The chart is drawn at the width the bulletin prints it (150 mm of the 156 mm 版心), so its text
# prints at the sizes set here: none under 10 pt.
WIDTH_IN = 150 / 25.4
TEXT_PT = 10.0
NAME_EMS = 14  # a project's name longer than this many characters takes two lines on the axis
# A bar per project fits the 225 mm text block up to MAX_BARS (one line names) or MAX_BARS_WRAPPED
# (a name on two lines: rows further apart); a city has thousands of projects, and a chart of all
# of them would be metres tall and take half a minute to draw.
BAR_IN, BAR_WRAPPED_IN, FRAME_IN = 0.26, 0.34, 1.0  # inches a row takes; title and axis
TITLE_LINE_IN = 0.2  # the title's second line (“（共N个……）”) when only the lowest are drawn
# The chart follows the heading 二、项目推进情况 (kept with it): the two share a page only when the
# chart leaves the heading's line (28.9 pt) and the picture line's slack (~4 mm) of the 225 mm 版心;
# a chart as tall as the 版心 left the heading alone on a page above a blank rest.
BODY_IN = (225 - 578 / 20 * 25.4 / 72 - 4) / 25.4
MAX_BARS = int((BODY_IN - FRAME_IN - TITLE_LINE_IN) / BAR_IN)  # 27
MAX_BARS_WRAPPED = int((BODY_IN - FRAME_IN - TITLE_LINE_IN) / BAR_WRAPPED_IN)  # 20


def _label(name: str) -> str:
    """A project's whole name for the axis: on two lines, broken by the Chinese rules (no 、 or ）
    first, digits whole, no character alone), when longer than NAME_EMS characters."""
    size = TEXT_PT
    room = max(NAME_EMS * size, math.ceil(sum(char_width(ch, size) for ch in name) / 2))
    while (text := break_text(name, room, size)).count("\n") > 1:
        room += size  # the rules moved a piece down: a little wider
    return text


def _lowest(items: list[ItemResult], n: int) -> list[ItemResult]:
    """The `n` items of the lowest completion rate, in plan order. A project without a reported
    figure has no rate (not 0%): it comes after every rate, so a city's unreported projects do not
    fill the chart with 未报送 rows (the bulletin names them under 未按时报送)."""
    def key(i: int) -> tuple[bool, float, int]:
        unreported = items[i].cumulative_yi is None
        return unreported, 0.0 if unreported else (items[i].rate or 0.0), i

    lowest = sorted(range(len(items)), key=key)[:n]
    return [items[i] for i in sorted(lowest)]


def _bars(items: list[ItemResult]) -> tuple[list[ItemResult], list[str], str]:
    """The projects drawn (as many as fit the 版心), their axis labels and, when some are left
    out, how many there are (共2400个，未报送的13个未列入; "" when all are drawn)."""
    drawn = _lowest(items, MAX_BARS)
    labels = [_label(it.name) for it in drawn]
    if any("\n" in label for label in labels) and len(drawn) > MAX_BARS_WRAPPED:
        drawn = _lowest(items, MAX_BARS_WRAPPED)
        labels = [_label(it.name) for it in drawn]
    if len(drawn) < len(items):
        unreported = sum(it.cumulative_yi is None for it in items)
        left_out = sum(it.cumulative_yi is None for it in drawn) < unreported
        return drawn, labels, f"共{len(items)}个，未报送的{unreported}个未列入" if left_out else f"共{len(items)}个"
    return drawn, labels, ""


def _clear_of_line(fig: Any, ax: Any, x: float, gap: float, said: Any, values: list[Any]) -> None:
    """Keep the 序时进度 line (at `x`) off the text, as laid out: its own label goes to the line's
    left when it would run past the axis, a bar's percentage that the line would cross goes just
    right of the line."""
    renderer = fig.canvas.get_renderer()
    inverse = ax.transData.inverted()

    def span(text: Any) -> tuple[float, float]:
        box = text.get_window_extent(renderer).transformed(inverse)
        return float(box.x0), float(box.x1)

    if span(said)[1] > ax.get_xlim()[1]:
        said.set_horizontalalignment("right")
        said.set_x(x - gap)
    for text in values:
        left, right = span(text)
        if left - gap / 2 < x < right + gap / 2:
            text.set_x(x + gap)


@dataclass
class Charted:
    """The projects a completion chart draws, and what it says of those it leaves out."""

    items: list[ItemResult]
    labels: list[str]  # axis labels, broken for the bulletin's picture
    title: str  # the bulletin chart's title
    selection: str  # "" when every project is drawn, else 完成率最低的20个项目（共2400个，…）


def charted(result: PeriodResult) -> Charted:
    """The projects with an annual target that a completion chart draws: all of them, or the
    lowest rates when more than fit one printed page (the bulletin's picture and the 汇总表's
    投资图表 draw the same ones)."""
    items = [it for it in result.items if it.section is Section.PROJECT and it.target_yi]
    drawn, labels, total = _bars(items)
    if not total:
        return Charted(drawn, labels, "重点项目投资完成率与序时进度对比", "")
    # on two lines: on one, the title centred over the plot ran past the picture's right edge
    return Charted(drawn, labels, f"完成率最低的{len(drawn)}个重点项目\n投资完成率与序时进度对比（{total}）",
                   f"完成率最低的{len(drawn)}个项目（{total}）")


def completion_chart(result: PeriodResult, font: str | None = None,
                     image_format: str = "png") -> ChartResult:
    """Return a horizontal bar chart of each project's completion rate with the 序时进度 line
    (`image_format` "svg" keeps its text as text, to be read back).

    With more than MAX_BARS projects (MAX_BARS_WRAPPED when a name takes two lines), those with
    the lowest rates are drawn (in plan order) and the title says so.
    """
    chart = charted(result)
    if not chart.items:
        return ChartResult(png=None, font=None)
    items, labels, title = chart.items, chart.labels, chart.title
    # matplotlib loads on use (heavy); the Agg canvas alone, never pyplot and its backends
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    family = font or find_cjk_font()
    if family is None:
        return ChartResult(png=None, font=None, warning=NO_FONT_WARNING)
    schedule = result.schedule_rate * 100
    rates = [(it.rate or 0.0) * 100 for it in items]
    colors = [
        "#c0392b" if it.vs_schedule == "behind" else "#2e6da4" for it in items
    ]
    rc: dict[str, Any] = {"axes.unicode_minus": False, "font.size": TEXT_PT, "font.family": [family],
                          "svg.fonttype": "none"}
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        row = BAR_WRAPPED_IN if any("\n" in label for label in labels) else BAR_IN
        frame = FRAME_IN + TITLE_LINE_IN * title.count("\n")
        fig = Figure(figsize=(WIDTH_IN, frame + row * len(items)), dpi=200)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ypos = list(range(len(items)))[::-1]
        ax.barh(ypos, rates, color=colors, height=0.6)
        ax.axvline(schedule, color="#333333", linestyle="--", linewidth=1)
        top = max([*rates, schedule, 100.0]) * 1.18
        ax.set_xlim(0, top)
        gap = top * 0.01
        said = ax.text(schedule + gap, len(items) - 0.35, f"序时进度{fmt_pct(result.schedule_rate)}",
                       ha="left", va="bottom", fontsize=TEXT_PT)
        # the percentages the bulletin prints (rounded half up: 56.25% is 56.3% in both)
        values = [ax.text(rate + gap, y, fmt_pct(it.rate or 0.0) if it.cumulative_yi is not None
                          else "未报送", va="center", fontsize=TEXT_PT)
                  for y, it, rate in zip(ypos, items, rates, strict=True)]
        ax.set_yticks(ypos, labels, linespacing=1.1)
        ax.set_ylim(-0.6, len(items) + 0.2)
        ax.set_xlabel("累计完成投资占年度目标（%）")
        # over the whole picture, not the plot right of the names: a long title stays inside it
        fig.suptitle(title, fontsize=TEXT_PT + 1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        buf = io.BytesIO()
        fig.tight_layout()
        _clear_of_line(fig, ax, schedule, gap, said, values)
        fig.savefig(buf, format=image_format)
    return ChartResult(png=buf.getvalue(), font=family)
