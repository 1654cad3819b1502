"""Bar charts as inline SVG, drawn on the server (no script, nothing from outside)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 120
BAR_WIDTH = 360


def bars(counts: dict[str, int], percents: dict[str, float], title: str) -> Markup:
    """One horizontal bar per option, with its count and percentage written beside it."""
    rows = list(counts.items())
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 110
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" aria-label="{escape(title)}">']
    for n, (label, count) in enumerate(rows):
        y = GAP + n * (BAR_HEIGHT + GAP)
        share = percents.get(label, 0.0)
        length = round(BAR_WIDTH * share / 100)
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end">'
                     f'{escape(label[:12])}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" '
                     f'height="{BAR_HEIGHT}" class="track"/>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" '
                     f'height="{BAR_HEIGHT}" class="bar"/>')
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 16}">'
                     f'{count} 票 · {share:.1f}%</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
