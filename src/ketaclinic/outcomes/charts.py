"""Server-side SVG charts for the outcomes pages: bars, grouped bars and Kaplan-Meier steps.

Self-contained SVG (no script, no external resources, no CDN) so the pages work offline and
print. Layout box and colours come from the measures trajectory chart, so charts look alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ketaclinic.measures.chart import ALERT_COLOUR, LINE_COLOUR, Layout

# Series colours after the trajectory line colour; distinguishable in greyscale print too.
SERIES_COLOURS = (LINE_COLOUR, "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", ALERT_COLOUR)
SUPPRESSED_FILL = "#d9dde2"
GRID = "#e3e7ec"
INK = "#333"
MUTED = "#555"


def _fmt(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def _open(lay: Layout, css: str, ident: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height}" '
        f'class="outcome-chart {css}" role="img" aria-labelledby="t-{ident} d-{ident}" '
        f'font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="t-{ident}">{escape(title)}</title>',
        f'<desc id="d-{ident}">{escape(desc)}</desc>',
    ]


def _empty(lay: Layout, text: str) -> str:
    return (
        f'<text class="empty" x="{_fmt(lay.left + lay.plot_w / 2)}" '
        f'y="{_fmt(lay.top + lay.plot_h / 2)}" text-anchor="middle" fill="{MUTED}">'
        f"{escape(text)}</text>"
    )


def _y_axis(lay: Layout, y_max: float, *, percent: bool, steps: int = 4) -> list[str]:
    out = []
    bottom = lay.top + lay.plot_h
    for i in range(steps + 1):
        value = y_max * i / steps
        y = bottom - lay.plot_h * i / steps
        out.append(
            f'<line x1="{lay.left}" y1="{_fmt(y)}" x2="{lay.left + lay.plot_w}" y2="{_fmt(y)}" '
            f'stroke="{GRID}"/>'
        )
        label = f"{_fmt(value)}%" if percent else _fmt(value)
        out.append(
            f'<text x="{lay.left - 4}" y="{_fmt(y + 4)}" text-anchor="end" fill="{MUTED}">'
            f"{label}</text>"
        )
    out.append(
        f'<line x1="{lay.left}" y1="{bottom}" x2="{lay.left + lay.plot_w}" y2="{bottom}" '
        'stroke="#999"/>'
    )
    return out


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 4, 5, 10, 20, 25, 40, 50, 100, 200, 250, 500, 1000):
        for scale in (1, 10, 100, 1000, 10000):
            if step * scale >= value:
                return float(step * scale)
    return float(value)


# --- vertical bars (sessions per week) --------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    tip: str = ""


def bar_chart(
    ident: str,
    title: str,
    bars: Sequence[Bar],
    *,
    y_label: str = "",
    layout: Layout | None = None,
    every_nth_label: int | None = None,
) -> str:
    """Vertical bars; labels thinned to about 8 on the axis, every bar has a tooltip."""
    lay = layout or Layout(width=680, height=220, left=44, right=12, top=12, bottom=40)
    total = sum(b.value for b in bars)
    desc = f"{len(bars)} bars, {_fmt(total)} in all" if bars else "No data for this selection."
    if bars:
        peak = max(bars, key=lambda b: b.value)
        desc += f"; highest {_fmt(peak.value)} ({peak.label})."
    out = _open(lay, "bars", ident, title, desc)
    if not bars:
        out += [_empty(lay, "No data for this selection"), "</svg>"]
        return "\n".join(out)
    y_max = _nice_max(max(b.value for b in bars))
    out += _y_axis(lay, y_max, percent=False)
    slot = lay.plot_w / len(bars)
    width = max(1.0, slot * 0.8)
    nth = every_nth_label or max(1, round(len(bars) / 8))
    bottom = lay.top + lay.plot_h
    for i, bar in enumerate(bars):
        h = lay.plot_h * bar.value / y_max
        x = lay.left + i * slot + (slot - width) / 2
        out.append(
            f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(bottom - h)}" width="{_fmt(width)}" '
            f'height="{_fmt(h)}" fill="{LINE_COLOUR}"><title>'
            f"{escape(bar.tip or f'{bar.label}: {_fmt(bar.value)}')}</title></rect>"
        )
        if i % nth == 0:
            out.append(
                f'<text x="{_fmt(x + width / 2)}" y="{bottom + 14}" text-anchor="middle" '
                f'fill="{MUTED}">{escape(bar.label)}</text>'
            )
    if y_label:
        out.append(
            f'<text x="{lay.left}" y="{lay.height - 6}" fill="{INK}">{escape(y_label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


# --- grouped percentage bars (rates by session number / protocol) ----------------------------


@dataclass(frozen=True)
class Value:
    """A percentage (None when not available or suppressed) with its tooltip."""

    percent: float | None
    tip: str


def grouped_percent_chart(
    ident: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    *,
    layout: Layout | None = None,
) -> str:
    """Per category one bar per series, on a 0-100% axis; a missing value is marked 'n/a'."""
    lay = layout or Layout(width=680, height=240, left=44, right=12, top=12, bottom=56)
    parts = []
    for name, values in series:
        shown = [
            f"{cat} {_fmt(v.percent)}%"
            for cat, v in zip(categories, values, strict=True)
            if v.percent is not None
        ]
        parts.append(f"{name}: " + (", ".join(shown) if shown else "no data"))
    out = _open(lay, "grouped", ident, title, "; ".join(parts) + ".")
    if not categories:
        out += [_empty(lay, "No data for this selection"), "</svg>"]
        return "\n".join(out)
    out += _y_axis(lay, 100, percent=True)
    bottom = lay.top + lay.plot_h
    slot = lay.plot_w / len(categories)
    width = slot * 0.8 / max(1, len(series))
    for c, category in enumerate(categories):
        x0 = lay.left + c * slot + slot * 0.1
        for s, (_name, values) in enumerate(series):
            value = values[c]
            x = x0 + s * width
            colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
            if value.percent is None:
                out.append(
                    f'<text class="na" x="{_fmt(x + width / 2)}" y="{bottom - 4}" '
                    f'text-anchor="middle" fill="{MUTED}" font-size="9">n/a<title>'
                    f"{escape(value.tip)}</title></text>"
                )
                continue
            h = lay.plot_h * value.percent / 100
            out.append(
                f'<rect class="bar series-{s}" x="{_fmt(x)}" y="{_fmt(bottom - h)}" '
                f'width="{_fmt(width * 0.92)}" height="{_fmt(h)}" fill="{colour}">'
                f"<title>{escape(value.tip)}</title></rect>"
            )
        out.append(
            f'<text x="{_fmt(lay.left + c * slot + slot / 2)}" y="{bottom + 14}" '
            f'text-anchor="middle" fill="{MUTED}">{escape(category)}</text>'
        )
    out += _legend(lay, [name for name, _ in series], y=lay.height - 10)
    out.append("</svg>")
    return "\n".join(out)


def _legend(lay: Layout, names: Sequence[str], *, y: float) -> list[str]:
    out = []
    x = lay.left
    for i, name in enumerate(names):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        out.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y - 9)}" width="10" height="10" fill="{colour}"/>'
        )
        out.append(f'<text x="{_fmt(x + 14)}" y="{_fmt(y)}" fill="{INK}">{escape(name)}</text>')
        x += 24 + 6.5 * len(name)
    return out


# --- horizontal percentage bars (equity breakdowns) -------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    percent: float | None
    text: str  # what is printed at the end of the bar ("42.0% (21/50)" or "suppressed")
    suppressed: bool = False


def hbar_percent_chart(ident: str, title: str, rows: Sequence[Row]) -> str:
    """One horizontal 0-100% bar per group; a suppressed group shows a grey 'suppressed' bar."""
    row_h = 22
    height = 8 + 16 + 8 + row_h * max(1, len(rows))
    lay = Layout(width=680, height=height, left=230, right=150, top=8, bottom=16)
    desc = "; ".join(f"{r.label}: {r.text}" for r in rows) or "No data for this selection."
    out = _open(lay, "hbars", ident, title, desc)
    if not rows:
        out += [_empty(lay, "No data for this selection"), "</svg>"]
        return "\n".join(out)
    for i in range(5):
        x = lay.left + lay.plot_w * i / 4
        out.append(
            f'<line x1="{_fmt(x)}" y1="{lay.top}" x2="{_fmt(x)}" y2="{lay.top + lay.plot_h}" '
            f'stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{_fmt(x)}" y="{lay.top + lay.plot_h + 12}" text-anchor="middle" '
            f'fill="{MUTED}">{25 * i}%</text>'
        )
    for i, row in enumerate(rows):
        y = lay.top + 4 + i * row_h
        out.append(
            f'<text x="{lay.left - 6}" y="{y + 12}" text-anchor="end" fill="{INK}">'
            f"{escape(row.label)}</text>"
        )
        if row.suppressed or row.percent is None:
            css = "suppressed" if row.suppressed else "na"
            out.append(
                f'<rect class="{css}" x="{lay.left}" y="{y}" width="{lay.plot_w}" height="16" '
                f'fill="{SUPPRESSED_FILL}" fill-opacity="0.5"><title>{escape(row.label)}: '
                f"{escape(row.text)}</title></rect>"
            )
        else:
            w = lay.plot_w * row.percent / 100
            out.append(
                f'<rect class="bar" x="{lay.left}" y="{y}" width="{_fmt(w)}" height="16" '
                f'fill="{LINE_COLOUR}"><title>{escape(row.label)}: {escape(row.text)}</title>'
                "</rect>"
            )
        out.append(
            f'<text x="{lay.left + lay.plot_w + 6}" y="{y + 12}" fill="{INK}">'
            f"{escape(row.text)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


# --- Kaplan-Meier step curves -----------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """One Kaplan-Meier curve: steps of (day, proportion responded, lower, upper)."""

    name: str
    steps: Sequence[tuple[int, float, float, float]]
    censored: Sequence[tuple[int, float]] = ()
    median: int | None = None


def km_chart(ident: str, title: str, curves: Sequence[Curve], *, max_day: int | None = None):
    """Cumulative proportion responded over days since course start, as step curves.

    The first curve gets its 95% band shaded; censoring is marked with a tick.
    """
    lay = Layout(width=680, height=280, left=44, right=12, top=12, bottom=56)
    desc_parts = []
    for curve in curves:
        last = curve.steps[-1][1] if curve.steps else 0.0
        median = f"median {curve.median} days" if curve.median is not None else "median not reached"
        desc_parts.append(f"{curve.name}: {_fmt(last * 100)}% responded by the end, {median}")
    desc = "; ".join(desc_parts) + "." if desc_parts else "No evaluable courses."
    out = _open(lay, "km", ident, title, desc)
    if not any(c.steps for c in curves):
        out += [_empty(lay, "No evaluable courses for this selection"), "</svg>"]
        return "\n".join(out)
    end = max_day or max(s[0] for c in curves for s in c.steps) or 1
    bottom = lay.top + lay.plot_h

    def x(day: float) -> float:
        return lay.left + lay.plot_w * min(day, end) / end

    def y(p: float) -> float:
        return bottom - lay.plot_h * p

    out += _y_axis(lay, 100, percent=True)
    for i in range(5):
        day = end * i / 4
        out.append(
            f'<text x="{_fmt(x(day))}" y="{bottom + 14}" text-anchor="middle" fill="{MUTED}">'
            f"{round(day)}</text>"
        )
    out.append(
        f'<text x="{_fmt(lay.left + lay.plot_w / 2)}" y="{bottom + 28}" text-anchor="middle" '
        f'fill="{INK}">days since course start</text>'
    )
    for i, curve in enumerate(curves):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        if i == 0 and curve.steps:
            out.append(_band(curve, x, y, colour))
        out.append(_steps(curve, x, y, colour, i))
        for day, p in curve.censored:
            out.append(
                f'<line class="censor" x1="{_fmt(x(day))}" y1="{_fmt(y(p) - 4)}" '
                f'x2="{_fmt(x(day))}" y2="{_fmt(y(p) + 4)}" stroke="{colour}"/>'
            )
    out += _legend(lay, [c.name for c in curves], y=lay.height - 8)
    out.append("</svg>")
    return "\n".join(out)


def _steps(curve: Curve, x, y, colour: str, index: int) -> str:
    points = [(0.0, 0.0)]
    for day, p, _, _ in curve.steps:
        points.append((day, points[-1][1]))
        points.append((day, p))
    points.append((curve.steps[-1][0] if curve.steps else 0, points[-1][1]))
    coords = " ".join(f"{_fmt(x(d))},{_fmt(y(p))}" for d, p in points)
    return (
        f'<polyline class="km-curve series-{index}" points="{coords}" fill="none" '
        f'stroke="{colour}" stroke-width="2"><title>{escape(curve.name)}</title></polyline>'
    )


def _band(curve: Curve, x, y, colour: str) -> str:
    upper = [(0.0, 0.0)]
    lower = [(0.0, 0.0)]
    for day, _, lo, hi in curve.steps:
        upper += [(day, upper[-1][1]), (day, hi)]
        lower += [(day, lower[-1][1]), (day, lo)]
    ring = upper + list(reversed(lower))
    coords = " ".join(f"{_fmt(x(d))},{_fmt(y(p))}" for d, p in ring)
    return (
        f'<polygon class="km-band" points="{coords}" fill="{colour}" fill-opacity="0.12" '
        'stroke="none"><title>95% confidence band (Greenwood)</title></polygon>'
    )


# --- scatter with a fitted line and its confidence band ---------------------------------------


def _x_axis(lay: Layout, x_max: float, *, steps: int = 4) -> list[str]:
    out = []
    bottom = lay.top + lay.plot_h
    for i in range(steps + 1):
        x = lay.left + lay.plot_w * i / steps
        out.append(
            f'<text x="{_fmt(x)}" y="{bottom + 14}" text-anchor="middle" fill="{MUTED}">'
            f"{_fmt(x_max * i / steps)}</text>"
        )
    return out


def scatter_chart(
    ident: str,
    title: str,
    points: Sequence[tuple[float, float]],
    *,
    x_label: str,
    y_label: str,
    line: Sequence[tuple[float, float]] = (),
    band: Sequence[tuple[float, float, float]] = (),
    layout: Layout | None = None,
) -> str:
    """Points, an optional fitted line (x, y) and band (x, low, high), on axes from zero."""
    lay = layout or Layout(width=440, height=260, left=44, right=12, top=12, bottom=46)
    desc = f"{len(points)} sessions." if points else "No sessions for this selection."
    if line:
        (x0, y0), (x1, y1) = line[0], line[-1]
        desc += f" Fitted line from {_fmt(y0)} at {_fmt(x0)} to {_fmt(y1)} at {_fmt(x1)}."
    out = _open(lay, "scatter", ident, title, desc)
    if not points:
        out += [_empty(lay, "No sessions for this selection"), "</svg>"]
        return "\n".join(out)
    x_max = _nice_max(max(x for x, _ in points))
    y_values = [y for _, y in points] + [high for _, _, high in band]
    y_max = _nice_max(max(y_values))
    bottom = lay.top + lay.plot_h

    def sx(x: float) -> str:
        return _fmt(lay.left + lay.plot_w * x / x_max)

    def sy(y: float) -> str:
        return _fmt(bottom - lay.plot_h * min(max(y, 0.0), y_max) / y_max)

    out += _y_axis(lay, y_max, percent=False)
    out += _x_axis(lay, x_max)
    if band:
        upper = " ".join(f"{sx(x)},{sy(high)}" for x, _, high in band)
        lower = " ".join(f"{sx(x)},{sy(low)}" for x, low, _ in reversed(band))
        out.append(
            f'<polygon class="band" points="{upper} {lower}" fill="{LINE_COLOUR}" '
            'fill-opacity="0.15" stroke="none"/>'
        )
    for x, y in points:
        out.append(
            f'<circle class="point" cx="{sx(x)}" cy="{sy(y)}" r="3" fill="{SERIES_COLOURS[2]}" '
            f'fill-opacity="0.75"><title>{_fmt(x)}, {_fmt(y)}</title></circle>'
        )
    if line:
        path = " ".join(f"{sx(x)},{sy(y)}" for x, y in line)
        out.append(
            f'<polyline class="fit" points="{path}" fill="none" stroke="{LINE_COLOUR}" '
            'stroke-width="2"/>'
        )
    out.append(
        f'<text x="{_fmt(lay.left + lay.plot_w / 2)}" y="{lay.height - 6}" text-anchor="middle" '
        f'fill="{INK}">{escape(x_label)}</text>'
    )
    out.append(
        f'<text x="{lay.left}" y="{lay.top - 2}" fill="{INK}" font-size="10">'
        f"{escape(y_label)}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)
