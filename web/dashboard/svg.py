"""Server-rendered SVG bar charts (no JavaScript, works offline). Labels are XML-escaped."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 260, 40, 40, 20


def bar_chart(title: str, bars: list[tuple[str, float]], unit: str = "", chart_id: str = "chart") -> Markup:
    peak = max((value for _, value in bars), default=0) or 1
    step = (WIDTH - LEFT - 10) / max(1, len(bars))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 10}" y2="{HEIGHT - BOTTOM}" stroke="#444"/>',
             f'<text x="2" y="{TOP}">{_number(peak)}{escape(unit)}</text>']
    for index, (label, value) in enumerate(bars):
        parts.append(_bar(index, step, label, value, peak, unit))
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(index: int, step: float, label: str, value: float, peak: float, unit: str) -> str:
    height = (HEIGHT - BOTTOM - TOP) * value / peak
    width = min(step * 0.8, 60.0)
    x = LEFT + index * step + (step - width) / 2
    y = HEIGHT - BOTTOM - height
    return (f'<g class="bar"><rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="#b22222"><title>{escape(label)}: {_number(value)}{escape(unit)}</title></rect>'
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}">{escape(label[:10])}</text>'
            f'<text x="{x:.1f}" y="{max(TOP, y - 3):.1f}">{_number(value)}</text></g>')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
