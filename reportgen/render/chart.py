"""The bulletin's chart: each project's investment completion rate against 序时进度."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from reportgen.model import PeriodResult, Section

# Chosen by family name, never by file path: matplotlib ≥ 3.11 sees the SC face of the Noto
# .ttc collections by name (older versions only the Japanese one).
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
    "未找到中文字体（如 Noto Sans CJK SC），进度通报中的图表文字可能显示为方框；"
    "可安装 fonts-noto-cjk 后重新生成"
)


@dataclass
class ChartResult:
    """A rendered chart (PNG bytes) and which font it used; `warning` is for the run log."""

    png: bytes | None
    font: str | None
    warning: str = ""


def find_cjk_font(families: tuple[str, ...] = CJK_FAMILIES) -> str | None:
    """Return the first installed font family able to set Chinese, or None."""
    from matplotlib import font_manager

    for family in families:
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return family
    return None


# A bar per project fits the 225 mm text block up to this many; a city has thousands of projects, and a
# chart of all of them would be metres tall and take half a minute to draw.
MAX_BARS = 30  # 1 + 0.26 × 30 inches tall: 216 mm at the bulletin's 150 mm width


def completion_chart(result: PeriodResult, font: str | None = None) -> ChartResult:
    """Return a horizontal bar chart of each project's completion rate with the 序时进度 line.

    With more than MAX_BARS projects, the MAX_BARS with the lowest rates are drawn (in plan
    order) and the title says so.
    """
    items = [
        it for it in result.items
        if it.section is Section.PROJECT and it.target_yi
    ]
    if not items:
        return ChartResult(png=None, font=None)
    title = "重点项目投资完成率与序时进度对比"
    if len(items) > MAX_BARS:
        lowest = sorted(range(len(items)), key=lambda i: ((items[i].rate or 0.0), i))[:MAX_BARS]
        title = f"完成率最低的{MAX_BARS}个重点项目投资完成率与序时进度对比（共{len(items)}个）"
        items = [items[i] for i in sorted(lowest)]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    family = font or find_cjk_font()
    warning = "" if family else NO_FONT_WARNING
    schedule = result.schedule_rate * 100
    rates = [(it.rate or 0.0) * 100 for it in items]
    colors = [
        "#c0392b" if it.vs_schedule == "behind" else "#2e6da4" for it in items
    ]
    labels = [_short(it.name) for it in items]
    rc: dict[str, Any] = {"axes.unicode_minus": False, "font.size": 9}
    if family:
        rc["font.family"] = [family]
    with plt.rc_context(rc):  # type: ignore[arg-type]
        height = 1.0 + 0.26 * len(items)
        fig, ax = plt.subplots(figsize=(6.1, height), dpi=200)
        ypos = list(range(len(items)))[::-1]
        ax.barh(ypos, rates, color=colors, height=0.6)
        ax.axvline(schedule, color="#333333", linestyle="--", linewidth=1)
        top = max([*rates, schedule, 100.0]) * 1.18
        ax.set_xlim(0, top)
        ax.text(schedule, len(items) - 0.35, f"序时进度{schedule:.1f}%", ha="center",
                va="bottom", fontsize=8)
        for y, it, rate in zip(ypos, items, rates, strict=True):
            label = f"{rate:.1f}%" if it.cumulative_yi is not None else "未报送"
            ax.text(rate + top * 0.01, y, label, va="center", fontsize=8)
        ax.set_yticks(ypos, labels)
        ax.set_ylim(-0.6, len(items) + 0.2)
        ax.set_xlabel("累计完成投资占年度目标（%）")
        ax.set_title(title, fontsize=10)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        buf = io.BytesIO()
        with warnings.catch_warnings():
            # without a CJK font every label warns once per glyph; the run log says it once
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            fig.tight_layout()
            fig.savefig(buf, format="png")
        plt.close(fig)
    return ChartResult(png=buf.getvalue(), font=family, warning=warning)


def _short(name: str, limit: int = 16) -> str:
    """Shorten a long project name for an axis label."""
    return name if len(name) <= limit else name[: limit - 1] + "…"
