"""Small charts drawn on the server as inline SVG (no JavaScript, no CDN).

- ``progress_bar(fraction)``: a horizontal bar with its percentage;
- ``bar_chart([(label, value), ...], maximum=1.0)``: one horizontal bar per label;
- ``histogram(values, bins=10)``: how many values fall in each of ``bins`` equal ranges of [0, 1].

Every label is escaped; the result is a ``SafeString`` to put in a template as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

__all__ = ["bar_chart", "histogram", "line_chart_svg", "progress_bar"]

FILL = "#417690"  # the admin's header blue
TRACK = "#e8e8e8"
TEXT = "#333"
GOOD, BAD = "#2e7d32", "#c62828"


def _svg(width: int, height: int, body: str, title: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="dspex-chart">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def progress_bar(
    fraction: float | None, *, width: int = 320, height: int = 18, label: str = ""
) -> SafeString:
    """``fraction`` in [0, 1] (``None``: unknown, drawn empty), with ``label`` (default: the
    percentage) to the right of the bar."""
    share = 0.0 if fraction is None else min(max(float(fraction), 0.0), 1.0)
    text = label or ("unknown" if fraction is None else f"{share * 100:.0f}%")
    room = min(7 * len(text) + 10, width // 2)
    bar = width - room
    body = (
        f'<rect x="0" y="0" width="{bar}" height="{height}" rx="3" fill="{TRACK}"/>'
        f'<rect x="0" y="0" width="{share * bar:.1f}" height="{height}" rx="3" fill="{FILL}"/>'
        f'<text x="{bar + 6}" y="{height - 5}" font-size="11" fill="{TEXT}" '
        f'font-family="sans-serif">{escape(text)}</text>'
    )
    return _svg(width, height, body, f"progress {text}")


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    *,
    maximum: float = 1.0,
    width: int = 420,
    bar_height: int = 18,
    label_width: int = 140,
    percent: bool = True,
    title: str = "chart",
    colors: Sequence[str] | None = None,
) -> SafeString:
    """One bar per ``(label, value)``; values are drawn against ``maximum`` (``None``: no bar)."""
    gap = 6
    height = max(len(items), 1) * (bar_height + gap)
    room = width - label_width - 60
    top = max(float(maximum), 1e-12)
    parts = []
    for index, (label, value) in enumerate(items):
        y = index * (bar_height + gap)
        share = 0.0 if value is None else min(max(float(value) / top, 0.0), 1.0)
        color = colors[index % len(colors)] if colors else FILL
        if value is None:
            shown = "n/a"
        elif percent:
            shown = f"{float(value) * 100:.1f}%"
        else:
            shown = f"{float(value):g}"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 5}" font-size="12" text-anchor="end" '
            f'fill="{TEXT}" font-family="sans-serif">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{room}" height="{bar_height}" fill="{TRACK}"/>'
            f'<rect x="{label_width}" y="{y}" width="{share * room:.1f}" height="{bar_height}" '
            f'fill="{color}"/>'
            f'<text x="{label_width + room + 6}" y="{y + bar_height - 5}" font-size="12" '
            f'fill="{TEXT}" font-family="sans-serif">{escape(shown)}</text>'
        )
    return _svg(width, height, "".join(parts), title)


def histogram(
    values: Sequence[float], *, bins: int = 10, width: int = 420, height: int = 140, title: str = "histogram"
) -> SafeString:
    """Counts of ``values`` (clamped to [0, 1]) in ``bins`` equal ranges, as columns."""
    bins = max(int(bins), 1)
    counts = [0] * bins
    for value in values:
        share = min(max(float(value), 0.0), 1.0)
        counts[min(int(share * bins), bins - 1)] += 1
    tallest = max(counts) or 1
    axis = 16
    column = width / bins
    parts = []
    for index, count in enumerate(counts):
        bar = (height - axis - 14) * count / tallest
        x = index * column
        y = height - axis - bar
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{column - 2:.1f}" height="{bar:.1f}" fill="{FILL}">'
            f"<title>{index / bins:.1f}-{(index + 1) / bins:.1f}: {count}</title></rect>"
        )
        if count:
            parts.append(
                f'<text x="{x + column / 2:.1f}" y="{y - 2:.1f}" font-size="10" text-anchor="middle" '
                f'fill="{TEXT}" font-family="sans-serif">{count}</text>'
            )
    for tick in (0.0, 0.5, 1.0):
        x = min(max(tick * width, 8), width - 8)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 3}" font-size="10" text-anchor="middle" fill="{TEXT}" '
            f'font-family="sans-serif">{tick:g}</text>'
        )
    return _svg(width, height, "".join(parts), title)


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
