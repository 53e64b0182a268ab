"""Inline SVG charts for the HTML report: no script, no network, every label escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

SEVERITY_COLOURS = {"minor": "#e6b800", "major": "#e07b00", "critical": "#c0392b"}
OTHER_COLOUR = "#7f8c8d"


def bar_chart(title: str, bars: Sequence[tuple[str, float, str]], *, width: int = 420) -> str:
    """Horizontal bars: (label, value, colour). Empty data gives a short note instead."""
    if not bars:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    row, label_width = 22, 170
    top = max(value for _, value, _ in bars) or 1.0
    height = row * len(bars) + 26
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>',
    ]
    span = width - label_width - 50
    for number, (label, value, colour) in enumerate(bars):
        y = 22 + number * row
        length = max(1.0, span * value / top)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
            f'fill="{escape(colour)}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 14}">{value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def strip_chart(title: str, values: Sequence[float], *, width: int = 420, height: int = 60) -> str:
    """Penalty along the document, one column per bin (a bounded number of bins)."""
    if not values or max(values) <= 0:
        return f'<p class="empty">{escape(title)}: no errors marked.</p>'
    top = max(values)
    step = width / len(values)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height + 18}" viewBox="0 0 {width} {height + 18}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="12" class="chart-title">{escape(title)}</text>',
    ]
    for number, value in enumerate(values):
        if value <= 0:
            continue
        bar = height * value / top
        parts.append(
            f'<rect x="{number * step:.1f}" y="{18 + height - bar:.1f}" '
            f'width="{max(step - 0.5, 0.5):.1f}" height="{bar:.1f}" fill="#c0392b"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
