"""Small charts rendered on the server as inline SVG (the admin uses them; no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

__all__ = ["line_chart_svg"]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart_svg(
    values: Sequence[float | None],
    *,
    width: int = 640,
    height: int = 220,
    title: str = "",
    y_label: str = "score",
    x_label: str = "trial",
) -> SafeString:
    """A step-free line chart of ``values`` (``None`` gaps are skipped) with axes, min/max labels
    and a dot per point; an empty series renders a placeholder text."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    label = escape(title or f"{y_label} by {x_label}")
    if not points:
        return format_html(
            '<svg class="dspex-chart" role="img" aria-label="{}" width="{}" height="40">'
            '<text x="0" y="25" fill="currentColor">No scores yet.</text></svg>',
            label,
            width,
        )
    left, right, top, bottom = 48, 12, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    lo = min(v for _, v in points)
    hi = max(v for _, v in points)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    last_x = max(len(values) - 1, 1)

    def x(i: int) -> float:
        return left + plot_w * i / last_x

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    path = " ".join(f"{'M' if n == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for n, (i, v) in enumerate(points))
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3"><title>{x_label} {i + 1}: {_fmt(v)}</title></circle>'
        for i, v in points
    )
    axis = (
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
        f'stroke="currentColor" stroke-opacity=".4"/>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="currentColor" stroke-opacity=".4"/>'
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{_fmt(hi)}</text>'
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">{_fmt(lo)}</text>'
        f'<text x="{left}" y="{height - 8}" font-size="11">1</text>'
        f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end" font-size="11">{len(values)}</text>'
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" text-anchor="middle" font-size="11">'
        f"{escape(x_label)}</text>"
    )
    svg = (
        f'<svg class="dspex-chart" role="img" aria-label="{label}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" fill="currentColor">'
        f"<title>{label}</title>{axis}"
        f'<path d="{path}" fill="none" stroke="#417690" stroke-width="2"/>'
        f'<g fill="#417690">{dots}</g></svg>'
    )
    return mark_safe(svg)  # every interpolated text above is escaped or a number
