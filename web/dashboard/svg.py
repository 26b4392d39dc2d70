"""Server-rendered SVG bar charts (no JavaScript, works offline). Labels are XML-escaped.

Bars are horizontal, one row each, on a canvas about a phone's width: scaled to a 360 px screen the
labels stay at their 12 px, and long agency names or many months never overlap (a vertical chart's
labels collide as soon as there are more than a handful of bars).
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, LABEL, VALUE, ROW, TOP = 360, 120, 44, 24, 6
BAR_HEIGHT = 16
MAX_LABEL_CHARS = 18


def bar_chart(title: str, bars: list[tuple[str, float]], unit: str = "", chart_id: str = "chart") -> Markup:
    peak = max((value for _, value in bars), default=0) or 1
    height = TOP * 2 + ROW * max(1, len(bars))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
             f"<title>{escape(title)}</title>"]
    for index, (label, value) in enumerate(bars):
        parts.append(_bar(index, label, value, peak, unit))
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(index: int, label: str, value: float, peak: float, unit: str) -> str:
    span = WIDTH - LABEL - VALUE
    width = max(1.0, span * value / peak) if value else 0.0
    y = TOP + index * ROW
    middle = y + BAR_HEIGHT - 4
    shown = label if len(label) <= MAX_LABEL_CHARS else label[:MAX_LABEL_CHARS - 1] + "…"
    return (f'<g class="bar"><text x="0" y="{middle}">{escape(shown)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="#b22222">'
            f'<title>{escape(label)}: {_number(value)}{escape(unit)}</title></rect>'
            f'<text x="{LABEL + width + 4:.1f}" y="{middle}">{_number(value)}{escape(unit)}</text></g>')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
