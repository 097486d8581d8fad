"""Charts for the outcomes pages: bars, grouped bars, Kaplan-Meier steps and scatter plots.

Drawn with Vega-Lite and rendered server-side to inline SVG (ketaclinic.core.charts), so the
pages work offline, print, and carry no script. Every bar and point gives its value on hover
and keyboard focus; each chart keeps a text description (and the pages a table).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt

from ketaclinic.core import charts

SERIES_COLOURS = charts.SERIES_COLOURS
SUPPRESSED_FILL = "#d9dde2"
PLOT_W = 400


def _fmt(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def _render(chart, data, ident: str, title: str, desc: str, css: str, focus=()) -> str:
    """The chart as inline SVG with its id, title and text description; `focus` names the
    marks that take keyboard focus."""
    return charts.render(
        chart,
        ident=ident,
        title=title,
        desc=desc,
        css=f"outcome-chart {css}",
        focus=focus,
        datasets=data,
    )


def _empty(data, text: str, height: int = 120):
    return (
        alt.Chart(data("empty", [{"text": text}]), name="empty")
        .mark_text(color=charts.MUTED, aria=False)
        .encode(text=alt.Text("text:N"), x=alt.XValue(PLOT_W / 2), y=alt.YValue(height / 2))
        .properties(width=PLOT_W, height=height)
    )


def _render_empty(ident: str, title: str, desc: str, css: str, text: str) -> str:
    """A chart with nothing to draw: the text in the middle of an empty plot."""
    data = charts.Datasets()
    return _render(_empty(data, text), data, ident, title, desc, css)


def _by_series(channel, field: str, names: list[str], palette: list, **options):
    """An encoding telling the series (named in order) apart, without a title."""
    return channel(field, title=None, scale=alt.Scale(domain=names, range=palette), **options)


NO_DATA = "No data for this selection"
PERCENT_AXIS = alt.Axis(values=[0, 25, 50, 75, 100], labelExpr="datum.value + '%'", title=None)


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
    every_nth_label: int | None = None,
) -> str:
    """Vertical bars; labels thinned to about 8 on the axis, every bar has a tooltip."""
    total = sum(b.value for b in bars)
    desc = f"{len(bars)} bars, {_fmt(total)} in all" if bars else "No data for this selection."
    if bars:
        peak = max(bars, key=lambda b: b.value)
        desc += f"; highest {_fmt(peak.value)} ({peak.label})."
    data = charts.Datasets()
    if not bars:
        chart = _empty(data, NO_DATA)
    else:
        labels = [b.label for b in bars]
        nth = every_nth_label or max(1, round(len(bars) / 8))
        rows = [
            {"label": b.label, "value": b.value, "tip": b.tip or f"{b.label}: {_fmt(b.value)}"}
            for b in bars
        ]
        chart = (
            alt.Chart(data("bars", rows), name="bar")
            .mark_bar(color=SERIES_COLOURS[0])
            .encode(
                x=alt.X(
                    "label:N",
                    sort=labels,
                    title=None,
                    axis=alt.Axis(labelAngle=0, values=labels[::nth]),
                ),
                y=alt.Y(
                    "value:Q",
                    title=y_label or None,
                    scale=alt.Scale(zero=True, nice=True),
                    axis=alt.Axis(tickMinStep=1),
                ),
                description=alt.Description("tip:N"),
            )
            .properties(width=PLOT_W, height=170)
        )
    return _render(chart, data, ident, title, desc, "bars", ("bar",))


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
) -> str:
    """Per category one bar per series, on a 0-100% axis; a missing value is marked 'n/a'."""
    parts = []
    for name, values in series:
        shown = [
            f"{cat} {_fmt(v.percent)}%"
            for cat, v in zip(categories, values, strict=True)
            if v.percent is not None
        ]
        parts.append(f"{name}: " + (", ".join(shown) if shown else "no data"))
    desc = "; ".join(parts) + "."
    if not categories:
        return _render_empty(ident, title, desc, "grouped", NO_DATA)
    data = charts.Datasets()
    names = [name for name, _ in series]
    rows = [
        {"category": cat, "series": name, "percent": v.percent, "tip": v.tip}
        for name, values in series
        for cat, v in zip(categories, values, strict=True)
    ]
    x = alt.X("category:N", sort=list(categories), title=None, axis=alt.Axis(labelAngle=0))
    offset = alt.XOffset("series:N", sort=names, scale=alt.Scale(domain=names))
    colour = _by_series(alt.Color, "series:N", names, list(SERIES_COLOURS[: len(names)]))
    bars = (
        alt.Chart(data("values", [r for r in rows if r["percent"] is not None]), name="bar")
        .mark_bar()
        .encode(
            x=x,
            xOffset=offset,
            y=alt.Y("percent:Q", scale=alt.Scale(domain=[0, 100]), axis=PERCENT_AXIS),
            color=colour,
            description=alt.Description("tip:N"),
        )
    )
    missing = [r for r in rows if r["percent"] is None]
    layers = [bars]
    if missing:
        layers.append(
            alt.Chart(data("missing", missing), name="na")
            .mark_text(baseline="bottom", dy=-2, color=charts.MUTED)
            .encode(
                x=x,
                xOffset=offset,
                y=alt.YValue(170),
                text=alt.TextValue("n/a"),
                description=alt.Description("tip:N"),
            )
        )
    return _render(
        charts.layer(*layers, width=PLOT_W, height=170),
        data,
        ident,
        title,
        desc,
        "grouped",
        ("bar", "na"),
    )


# --- horizontal percentage bars (equity breakdowns) -------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    percent: float | None
    text: str  # what is printed at the end of the bar ("42.0% (21/50)" or "suppressed")
    suppressed: bool = False


def hbar_percent_chart(ident: str, title: str, rows: Sequence[Row]) -> str:
    """One horizontal 0-100% bar per group; a suppressed group shows a grey 'suppressed' bar."""
    desc = "; ".join(f"{r.label}: {r.text}" for r in rows) or "No data for this selection."
    if not rows:
        return _render_empty(ident, title, desc, "hbars", NO_DATA)
    data = charts.Datasets()
    width = 240
    items = [
        {
            "label": r.label,
            "percent": r.percent,
            "text": r.text,
            "tip": f"{r.label}: {r.text}",
            "kind": "suppressed" if r.suppressed else "na" if r.percent is None else "bar",
        }
        for r in rows
    ]
    y = alt.Y("label:N", sort=[r.label for r in rows], title=None, axis=alt.Axis(labelLimit=170))
    x = alt.X("percent:Q", scale=alt.Scale(domain=[0, 100]), axis=PERCENT_AXIS)
    layers = []
    drawn = [i for i in items if i["kind"] == "bar"]
    if drawn:
        layers.append(
            alt.Chart(data("bars", drawn), name="bar")
            .mark_bar(color=SERIES_COLOURS[0])
            .encode(y=y, x=x, description=alt.Description("tip:N"))
        )
    for kind in ("suppressed", "na"):
        mine = [i for i in items if i["kind"] == kind]
        if mine:
            layers.append(
                alt.Chart(data(kind, mine), name=kind)
                .mark_bar(color=SUPPRESSED_FILL, opacity=0.5)
                .encode(
                    y=y,
                    x=alt.XValue(0),
                    x2=alt.X2Value(width),
                    description=alt.Description("tip:N"),
                )
            )
    layers.append(
        alt.Chart(data("texts", items), name="bar-text")
        .mark_text(align="left", dx=6, color=charts.INK, aria=False)
        .encode(y=y, x=alt.XValue(width), text=alt.Text("text:N"))
    )
    return _render(
        charts.layer(*layers, width=width, height={"step": 24}),
        data,
        ident,
        title,
        desc,
        "hbars",
        ("bar", "suppressed", "na"),
    )


# --- Kaplan-Meier step curves -----------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """One Kaplan-Meier curve: steps of (day, proportion responded, lower, upper)."""

    name: str
    steps: Sequence[tuple[int, float, float, float]]
    censored: Sequence[tuple[int, float]] = ()
    median: int | None = None


def _pct(p: float) -> float:
    return round(p * 100, 2)


def km_chart(ident: str, title: str, curves: Sequence[Curve], *, max_day: int | None = None):
    """Cumulative proportion responded over days since course start, as step curves.

    The first curve gets its 95% band shaded; censoring is marked with a tick. Curves differ in
    colour and dash, so one never hides another.
    """
    desc_parts = []
    for curve in curves:
        last = curve.steps[-1][1] if curve.steps else 0.0
        median = f"median {curve.median} days" if curve.median is not None else "median not reached"
        desc_parts.append(f"{curve.name}: {_fmt(last * 100)}% responded by the end, {median}")
    desc = "; ".join(desc_parts) + "." if desc_parts else "No evaluable courses."
    if not any(c.steps for c in curves):
        return _render_empty(ident, title, desc, "km", "No evaluable courses for this selection")
    data = charts.Datasets()
    end = max_day or max(s[0] for c in curves for s in c.steps) or 1
    names = [c.name for c in curves]
    x = alt.X(
        "day:Q",
        title="days since course start",
        scale=alt.Scale(domain=[0, end], nice=False),
        axis=alt.Axis(tickMinStep=1, grid=False),
    )
    y = alt.Y("pct:Q", scale=alt.Scale(domain=[0, 100]), axis=PERCENT_AXIS)
    legend = alt.Legend(symbolType="stroke", symbolSize=400, symbolStrokeWidth=2.5)
    colour = _by_series(
        alt.Color, "curve:N", names, list(SERIES_COLOURS[: len(names)]), legend=legend
    )
    dash = _by_series(
        alt.StrokeDash, "curve:N", names, [list(d) for d in charts.SERIES_DASHES], legend=legend
    )
    lines, points, censored = [], [], []
    for curve in curves:
        lines.append({"curve": curve.name, "day": 0, "pct": 0})
        for day, p, _, _ in curve.steps:
            lines.append({"curve": curve.name, "day": day, "pct": _pct(p)})
            points.append(
                {
                    "curve": curve.name,
                    "day": day,
                    "pct": _pct(p),
                    "tip": f"{curve.name}: {_fmt(p * 100)}% responded by day {day}",
                }
            )
        censored += [
            {"curve": curve.name, "day": day, "pct": _pct(p), "tip": f"{curve.name}: censored"}
            for day, p in curve.censored
        ]
    layers = []
    first = curves[0]
    if first.steps:
        band = [{"day": 0, "low": 0, "high": 0}] + [
            {"day": day, "low": _pct(lo), "high": _pct(hi)} for day, _, lo, hi in first.steps
        ]
        layers.append(
            alt.Chart(data("band", band), name="km-band")
            .mark_area(interpolate="step-after", color=SERIES_COLOURS[0], opacity=0.12)
            .encode(
                x=x,
                y=alt.Y("low:Q", scale=alt.Scale(domain=[0, 100]), axis=PERCENT_AXIS),
                y2=alt.Y2("high:Q"),
                description=alt.DescriptionValue("95% confidence band (Greenwood)"),
            )
        )
    layers.append(
        alt.Chart(data("lines", lines), name="km-curve")
        .mark_line(interpolate="step-after", strokeWidth=2, aria=False)
        .encode(x=x, y=y, color=colour, strokeDash=dash)
    )
    marked = {
        "x": x,
        "y": y,
        "color": alt.Color("curve:N", legend=None),
        "description": alt.Description("tip:N"),
    }
    layers.append(
        alt.Chart(data("steps", points), name="km-point")
        .mark_point(size=30, filled=True, opacity=1)
        .encode(**marked)
    )
    if censored:
        layers.append(
            alt.Chart(data("censored", censored), name="censor")
            .mark_point(shape="M0,-1L0,1", size=120, strokeWidth=1.5, opacity=1)
            .encode(**marked)
        )
    return _render(
        charts.layer(*layers, width=PLOT_W, height=190),
        data,
        ident,
        title,
        desc,
        "km",
        ("km-point",),
    )


# --- scatter with a fitted line and its confidence band ---------------------------------------


def scatter_chart(
    ident: str,
    title: str,
    points: Sequence[tuple[float, float]],
    *,
    x_label: str,
    y_label: str,
    line: Sequence[tuple[float, float]] = (),
    band: Sequence[tuple[float, float, float]] = (),
) -> str:
    """Points, an optional fitted line (x, y) and band (x, low, high), on axes from zero."""
    desc = f"{len(points)} sessions." if points else "No sessions for this selection."
    if line:
        (x0, y0), (x1, y1) = line[0], line[-1]
        desc += f" Fitted line from {_fmt(y0)} at {_fmt(x0)} to {_fmt(y1)} at {_fmt(x1)}."
    if not points:
        return _render_empty(ident, title, desc, "scatter", "No sessions for this selection")
    data = charts.Datasets()
    x = alt.X("x:Q", title=x_label, scale=alt.Scale(zero=True, nice=True))
    y_scale = alt.Scale(zero=True, nice=True)
    y = alt.Y("y:Q", title=y_label, scale=y_scale)
    layers = []
    if band:
        rows = [{"x": bx, "low": max(lo, 0.0), "high": hi} for bx, lo, hi in band]
        layers.append(
            alt.Chart(data("band", rows), name="band")
            .mark_area(color=SERIES_COLOURS[0], opacity=0.15)
            .encode(
                x=x,
                y=alt.Y("low:Q", title=y_label, scale=y_scale),
                y2=alt.Y2("high:Q"),
                description=alt.DescriptionValue("95% confidence band of the fitted mean"),
            )
        )
    rows = [{"x": px, "y": py, "tip": f"{_fmt(px)}, {_fmt(py)}"} for px, py in points]
    layers.append(
        alt.Chart(data("points", rows), name="point")
        .mark_point(size=40, filled=True, opacity=0.8, color=SERIES_COLOURS[1])
        .encode(x=x, y=y, description=alt.Description("tip:N"))
    )
    if line:
        fit = [{"x": lx, "y": ly} for lx, ly in line]
        layers.append(
            alt.Chart(data("fit", fit), name="fit")
            .mark_line(color=SERIES_COLOURS[0], strokeWidth=2)
            .encode(x=x, y=y, description=alt.DescriptionValue("fitted line"))
        )
    return _render(
        charts.layer(*layers, width=340, height=200),
        data,
        ident,
        title,
        desc,
        "scatter",
        ("point",),
    )
