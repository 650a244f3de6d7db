"""Charts drawn on the server as SVG: no chart library fetched from the internet (a back office on an
intranet has none), nothing to run in the browser, and they print.

Each function takes plain figures and returns markup; labels are escaped here. Every bar carries a
``<title>`` (its exact figure on hover) and, where given, a link to the list behind it.
"""
from __future__ import annotations

from markupsafe import Markup, escape

# One colour per state, the same wherever a state is drawn.
STATE_COLOURS = {
    "new": "#5bc0de", "processing": "#f0ad4e", "packed": "#337ab7", "shipped": "#6f5499",
    "delivered": "#20a98b", "completed": "#5cb85c", "cancelled": "#aaaaaa",
    "delivery_failed": "#d9534f", "returned": "#a94442",
    "draft": "#cccccc", "created": "#5bc0de", "picked_up": "#337ab7", "in_transit": "#6f5499",
    "out_for_delivery": "#f0ad4e", "returning": "#e67e22", "lost_or_damaged": "#7f1d1d",
}


def _colour(state: str) -> str:
    return STATE_COLOURS.get(state, "#777777")


def _link(href: str | None, body: str) -> str:
    return f'<a href="{escape(href)}">{body}</a>' if href else body


def _row_label(label: str, limit: int) -> str:
    """A row's name as text, cut to what fits left of its bar; the whole name shows on hover."""
    if len(label) <= limit:
        return str(escape(label))
    return f"{escape(label[:limit - 1])}…<title>{escape(label)}</title>"


def short_amount(value: int, decimal_comma: bool = False) -> str:
    """1_250_000 → "1.3M" (axis labels; the exact figure is in each bar's title)."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".rstrip("0").rstrip(".")
            return (text.replace(".", ",") if decimal_comma else text) + suffix
    return str(value)


def _nice_top(peak: int) -> int:
    """The axis' top: 1, 2 or 5 times a power of ten, at or above the highest bar."""
    if peak <= 0:
        return 1
    step = 1
    while step * 10 <= peak:
        step *= 10
    for factor in (1, 2, 5, 10):
        if factor * step >= peak:
            return factor * step
    return 10 * step


def columns(points: list[tuple[str, int, str]], *, label_every: int = 5, height: int = 180,
            decimal_comma: bool = False, css_class: str = "") -> Markup:
    """A column per point: ``(axis label, value, hover text)``; every ``label_every``-th label
    shown under its column, four grid lines with the amounts they mark."""
    width, left, bottom, top_pad = 720, 46, 22, 8
    plot_h = height - bottom - top_pad
    n = max(len(points), 1)
    slot = (width - left) / n
    top = _nice_top(max((v for _, v, _ in points), default=0))
    out = [f'<svg class="oh-chart {escape(css_class)}" viewBox="0 0 {width} {height}" '
           f'role="img" preserveAspectRatio="xMidYMid meet">']
    for i in range(5):
        value = top * i // 4
        y = top_pad + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
                   f'{escape(short_amount(value, decimal_comma))}</text>')
    for i, (label, value, hover) in enumerate(points):
        h = plot_h * value / top if top else 0
        x = left + i * slot + slot * 0.15
        y = top_pad + plot_h - h
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{max(h, 0):.1f}"'
                   f' class="bar"><title>{escape(hover)}</title></rect>')
        if i % label_every == 0 or i == n - 1:
            anchor = "end" if i == n - 1 else "middle"  # the last label stays inside the chart
            at = x + slot * 0.7 if i == n - 1 else x + slot * 0.35
            out.append(f'<text x="{at:.1f}" y="{height - 6}" text-anchor="{anchor}" '
                       f'class="axis">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def legend(entries: list[tuple[str, str]]) -> Markup:
    """The colour key of a chart, ``[(state, its name)]``, as text that wraps on a narrow page."""
    return Markup('<div class="oh-legend">' + "".join(
        f'<span><i style="background:{_colour(state)}"></i>{escape(name)}</span>'
        for state, name in entries) + "</div>")


def stacked_rows(rows: list[tuple[str, list[tuple[str, int, str, str | None]]]], *,
                 css_class: str = "") -> Markup:
    """One horizontal bar per row, split by state: ``(row label, [(state, count, hover, href)])``.
    Bars share one scale, so rows compare at a glance (the key: ``legend``)."""
    width, label_w, row_h, gap = 720, 170, 22, 8
    peak = max((sum(c for _, c, _, _ in parts) for _, parts in rows), default=0) or 1
    height = len(rows) * (row_h + gap) + 4
    out = [f'<svg class="oh-chart {escape(css_class)}" viewBox="0 0 {width} {height}" role="img">']
    for r, (label, parts) in enumerate(rows):
        y = r * (row_h + gap)
        total = sum(c for _, c, _, _ in parts)
        out.append(f'<text x="{label_w - 8}" y="{y + row_h * 0.7:.1f}" text-anchor="end" '
                   f'class="label">{_row_label(label, 22)}</text>')
        x = float(label_w)
        for state, count, hover, href in parts:
            if not count:
                continue
            w = (width - label_w - 48) * count / peak
            rect = (f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" '
                    f'fill="{_colour(state)}"><title>{escape(hover)}</title></rect>')
            out.append(_link(href, rect))
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + row_h * 0.7:.1f}" class="total">{total}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def bars(items: list[tuple[str, str, int, str | None]], *, css_class: str = "") -> Markup:
    """One horizontal bar per item: ``(state, label, count, href)``, longest first as given."""
    width, label_w, row_h, gap = 420, 150, 18, 6
    peak = max((c for _, _, c, _ in items), default=0) or 1
    height = max(len(items), 1) * (row_h + gap)
    out = [f'<svg class="oh-chart {escape(css_class)}" viewBox="0 0 {width} {height}" role="img">']
    for i, (state, label, count, href) in enumerate(items):
        y = i * (row_h + gap)
        w = (width - label_w - 40) * count / peak
        bar = (f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h}" '
               f'fill="{_colour(state)}"><title>{escape(label)}: {count}</title></rect>')
        out.append(f'<text x="{label_w - 6}" y="{y + row_h * 0.75:.1f}" text-anchor="end" '
                   f'class="label">{_row_label(label, 20)}</text>{_link(href, bar)}'
                   f'<text x="{label_w + w + 5:.1f}" y="{y + row_h * 0.75:.1f}" class="total">'
                   f'{count}</text>')
    out.append("</svg>")
    return Markup("".join(out))
