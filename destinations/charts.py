"""Charts as inline SVG, drawn on the server: no CDN, no script, fine in WeChat's browser.

Each function returns safe markup with a viewBox, so the chart scales to the card's width
on a phone as on a desktop. Every label is escaped.
"""

from __future__ import annotations

import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BRAND = "#c0392b"
MUTED = "#8a94a6"
GRID = "#e5e8ef"
FONT = 'font-family="sans-serif" font-size="13"'


def _svg(width: int, height: int, body: str, label: str, css_class: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every interpolated text is escaped above
        f'<svg class="chart {css_class}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def rate_bars(rows: list[tuple[str, float | None]], *, label: str) -> SafeString:
    """One horizontal bar per row (a rate between 0 and 1), its percentage at its end."""
    width, left, bar, gap = 400, 104, 18, 10
    height = max(1, len(rows)) * (bar + gap) + 24
    span = width - left - 56
    parts = []
    for x in (0, 0.5, 1):
        gx = left + span * x
        parts.append(
            f'<line x1="{gx:.1f}" y1="4" x2="{gx:.1f}" y2="{height - 18}" stroke="{GRID}"/>'
            f'<text x="{gx:.1f}" y="{height - 4}" {FONT} fill="{MUTED}" text-anchor="middle">'
            f"{int(x * 100)}%</text>"
        )
    for i, (name, rate) in enumerate(rows):
        y = 6 + i * (bar + gap)
        w = span * (rate or 0)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar - 5}" {FONT} text-anchor="end">'
            f"{escape(name[:7])}</text>"
            f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{bar}" rx="3" '
            f'fill="{BRAND}" data-label="{escape(name)}" '
            f'data-rate="{"" if rate is None else f"{rate:.4f}"}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + bar - 5}" {FONT}>{_percent(rate)}</text>'
        )
    return _svg(width, height, "".join(parts), label, "rates")


def count_bars(rows: list[tuple[str, int]], *, label: str) -> SafeString:
    """Counts as horizontal bars (destinations by code)."""
    width, left, bar, gap = 400, 150, 16, 8
    height = max(1, len(rows)) * (bar + gap) + 8
    top = max([n for _name, n in rows] + [1])
    span = width - left - 40
    parts = []
    for i, (name, n) in enumerate(rows):
        y = 4 + i * (bar + gap)
        w = span * n / top
        parts.append(
            f'<text x="{left - 8}" y="{y + bar - 4}" {FONT} text-anchor="end">'
            f"{escape(name[:10])}</text>"
            f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{bar}" rx="3" '
            f'fill="{BRAND}" opacity="{0.45 if n == 0 else 1}" data-count="{n}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + bar - 4}" {FONT}>{n}</text>'
        )
    return _svg(width, height, "".join(parts), label, "codes")


def curve(points: list[tuple[datetime.date, int]], *, label: str, total: int) -> SafeString:
    """The cumulative signing curve over the season, against all graduates."""
    width, height, left, bottom, top_pad = 400, 200, 44, 28, 12
    plot_w, plot_h = width - left - 16, height - bottom - top_pad
    top = max(total, max((n for _d, n in points), default=0), 1)
    parts = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" '
        f'stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="{MUTED}"/>',
        f'<text x="{left - 6}" y="{top_pad + 10}" {FONT} fill="{MUTED}" text-anchor="end">{top}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" {FONT} fill="{MUTED}" text-anchor="end">0</text>',
    ]
    if points:
        first, last = points[0][0], points[-1][0]
        days = max((last - first).days, 1)

        def xy(day: datetime.date, n: int) -> tuple[float, float]:
            x = left + plot_w * ((day - first).days / days if len(points) > 1 else 1)
            return x, top_pad + plot_h - plot_h * n / top

        coords = [xy(d, n) for d, n in points]
        # A step line: the count holds until the next day with signings.
        path = [f"M{left},{top_pad + plot_h:.1f}", f"L{coords[0][0]:.1f},{top_pad + plot_h:.1f}"]
        previous_y = top_pad + plot_h
        for x, y in coords:
            path.append(f"L{x:.1f},{previous_y:.1f} L{x:.1f},{y:.1f}")
            previous_y = y
        parts.append(
            f'<path class="line" d="{" ".join(path)}" fill="none" stroke="{BRAND}" '
            f'stroke-width="2" data-points="{len(points)}"/>'
        )
        parts.append(
            f'<text x="{left}" y="{height - 8}" {FONT} fill="{MUTED}">{first:%m-%d}</text>'
            f'<text x="{left + plot_w}" y="{height - 8}" {FONT} fill="{MUTED}" '
            f'text-anchor="end">{last:%m-%d}</text>'
            f'<text x="{coords[-1][0] - 4:.1f}" y="{coords[-1][1] - 6:.1f}" {FONT} '
            f'text-anchor="end">{points[-1][1]}</text>'
        )
    else:
        parts.append(
            f'<text x="{left + plot_w / 2}" y="{top_pad + plot_h / 2}" {FONT} fill="{MUTED}" '
            f'text-anchor="middle">—</text>'
        )
    return _svg(width, height, "".join(parts), label, "curve")
