"""The trajectory chart: scores over time on shaded severity bands, with thresholds.

Drawn with Vega-Lite and rendered server-side to inline SVG (ketaclinic.core.charts): no script,
no external resource. The y axis is the instrument's score range (PHQ-9: 0-27), never a range
stretched past it; every score is a point with its value on hover and on keyboard focus.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import altair as alt

from ketaclinic.core import charts
from ketaclinic.measures.instruments import RESPONSE_REDUCTION_PERCENT, Instrument

# Lowest to highest severity; a band's colour is picked by its rank among the instrument's bands.
BAND_FILLS = ("#e6f4ea", "#f3f8e3", "#fff6dc", "#ffe9d6", "#fde2e1")
LINE_COLOUR = charts.SERIES_COLOURS[0]
ALERT_COLOUR = "#c62828"
# Scores that came with a referral: hollow diamonds off the line, so they never read as the
# clinic's own measurements.
REFERRAL_COLOUR = "#8a5300"
MARKER_COLOUR = "#5b6bbf"
REMISSION_COLOUR = "#2e7d32"
RESPONSE_COLOUR = "#6a1b9a"

POINT_KINDS = ("score", "safety alert", "from referral")
POINT_STYLE = {
    "score": (LINE_COLOUR, "circle", True),
    "safety alert": (ALERT_COLOUR, "triangle-up", True),
    "from referral": (REFERRAL_COLOUR, "diamond", False),
}
LINE_KINDS = ("remission", "response", "treatment / event")
LINE_STYLE = {
    "remission": (REMISSION_COLOUR, [6, 4]),
    "response": (RESPONSE_COLOUR, [10, 3, 2, 3]),
    "treatment / event": (MARKER_COLOUR, [2, 3]),
}


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float
    alert: int = 0  # scores with a safety alert (a bool for a single score)
    severity: str | None = None
    # The referring organisation, for a score that came with a referral.
    referral: str | None = None
    # Scores this point stands for: a long course is drawn as the means of runs of scores.
    count: int = 1


@dataclass(frozen=True)
class Marker:
    at: datetime
    label: str
    kind: str


@dataclass(frozen=True)
class Layout:
    """The plot area in pixels (axes, band labels and the legend are added around it)."""

    width: int = 360
    height: int = 200


def _fmt(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def _ms(at: datetime) -> int:
    """The wall-clock time as milliseconds on a UTC axis: the chart shows the clinic's dates."""
    return calendar.timegm(at.replace(tzinfo=None).timetuple()) * 1000


def _band_fill(rank: int, count: int) -> str:
    if count <= 1:
        return BAND_FILLS[-1]
    return BAND_FILLS[round(rank * (len(BAND_FILLS) - 1) / (count - 1))]


def _label(p: Point) -> str:
    if p.count > 1:
        label = f"{p.at:%d %b %Y}: mean {_fmt(p.value)} of {p.count} scores"
        return f"{label}, {p.alert} with a safety alert" if p.alert else label
    label = f"{p.at:%d %b %Y}: {p.value}"
    if p.severity:
        label += f" ({p.severity})"
    if p.referral is not None:
        return f"{label}: from referral, {p.referral}"
    if p.alert:
        return f"{label}: safety alert"
    return label


def trajectory_svg(
    instrument: Instrument,
    points: Sequence[Point],
    *,
    baseline: int | None = None,
    markers: Sequence[Marker] = (),
    layout: Layout | None = None,
) -> str:
    """An accessible, self-contained SVG; no script, no external resources."""
    lay = layout or Layout()
    y_min = instrument.min_total or 0
    y_max = instrument.max_total or max([p.value for p in points] + [1])
    times = [p.at for p in points] + [m.at for m in markers]
    if times:
        t0, t1 = min(times), max(times)
        pad = max((t1 - t0) * 0.04, timedelta(days=1))
        domain = [_ms(t0 - pad), _ms(t1 + pad)]
    else:
        domain = None
    x_scale = alt.Scale(type="utc", domain=domain) if domain else alt.Scale(type="utc")
    x = alt.X(
        "t:T",
        title=None,
        scale=x_scale,
        axis=alt.Axis(format="%d %b %Y", labelAngle=0, tickCount=5, grid=False),
    )
    y_scale = alt.Scale(domain=[y_min, y_max], nice=False, zero=False)
    y_axis = alt.Axis(title="score", grid=False, tickMinStep=1)

    data = charts.Datasets()
    layers = [_bands(data, instrument, y_scale, lay)]
    layers += _lines(data, instrument, baseline, markers, x, y_scale)
    layers += _points(data, points, x, y_scale, y_axis)
    if not points:
        layers.append(
            alt.Chart(data("empty", [{"text": "No scores yet"}]), name="empty")
            .mark_text(color=charts.MUTED, aria=False)
            .encode(
                text=alt.Text("text:N"), x=alt.XValue(lay.width / 2), y=alt.YValue(lay.height / 2)
            )
        )
    chart = charts.layer(
        *layers,
        resolve={"color": "independent", "shape": "independent", "strokeDash": "independent"},
        width=lay.width,
        height=lay.height,
    )
    return charts.render(
        chart,
        ident=f"traj-{instrument.code}",
        css="trajectory",
        title=f"{instrument.name} over time",
        desc=_summary(instrument, points),
        focus=("point",),
        datasets=data,
    )


def _summary(instrument: Instrument, points: Sequence[Point]) -> str:
    if not points:
        return f"No {instrument.name} scores yet."
    last = points[-1]
    alerts = sum(int(p.alert) for p in points)
    text = (
        f"{sum(p.count for p in points)} scores from {points[0].at:%d %b %Y} to "
        f"{last.at:%d %b %Y}; latest {_fmt(last.value)}"
    )
    if last.count > 1:
        text += f" (mean of the last {last.count})"
    elif last.severity:
        text += f" ({last.severity})"
    if alerts:
        text += f"; {alerts} with a safety alert"
    referrals = sum(p.referral is not None for p in points)
    if referrals:
        text += f"; {referrals} from a referral"
    return text + "."


def _bands(data, instrument: Instrument, y_scale, lay: Layout):
    """The instrument's severity bands, shaded across the plot, named at the right edge."""
    rows = []
    bands = sorted(instrument.bands, key=lambda b: b.low)
    for rank, band in enumerate(bands):
        top = band.high + 0.5 if band.high < (instrument.max_total or band.high) else band.high
        bottom = band.low - 0.5 if band.low > (instrument.min_total or 0) else band.low
        rows.append(
            {
                "low": bottom,
                "high": top,
                "mid": (top + bottom) / 2,
                "fill": _band_fill(rank, len(bands)),
                "label": f"{band.label} {band.low}-{band.high}",
            }
        )
    shade = (
        alt.Chart(data("band", rows), name="band")
        .mark_rect()
        .encode(
            x=alt.XValue(0),
            x2=alt.X2Value(lay.width),
            y=alt.Y("low:Q", scale=y_scale, title=None),
            y2=alt.Y2("high:Q"),
            color=alt.Color("fill:N", scale=None, legend=None),
            description=alt.Description("label:N"),
        )
    )
    names = (
        alt.Chart(data("band-name", rows), name="band-name")
        .mark_text(align="left", dx=6, color=charts.MUTED, aria=False)
        .encode(x=alt.XValue(lay.width), y=alt.Y("mid:Q", scale=y_scale), text=alt.Text("label:N"))
    )
    return charts.layer(shade, names)


def _lines(data, instrument: Instrument, baseline, markers: Sequence[Marker], x, y_scale) -> list:
    rows = []
    if instrument.remission is not None:
        rows.append(
            {
                "kind": "remission",
                "value": instrument.remission.value,
                "label": f"remission: {instrument.remission.describe()}",
            }
        )
    if instrument.tracks_outcome and baseline:
        target = baseline * (100 - RESPONSE_REDUCTION_PERCENT) / 100
        rows.append(
            {
                "kind": "response",
                "value": target,
                "label": (
                    f"response: {RESPONSE_REDUCTION_PERCENT}% below baseline {baseline} "
                    f"({_fmt(target)})"
                ),
            }
        )
    present = {r["kind"] for r in rows} | ({"treatment / event"} if markers else set())
    kinds = [k for k in LINE_KINDS if k in present]

    def style(first: bool) -> dict:
        # One legend for the lines: on the first line layer only.
        legend = alt.Legend(symbolType="stroke", symbolSize=300) if first else None
        return {
            "color": alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=kinds, range=[LINE_STYLE[k][0] for k in kinds]),
                legend=legend,
            ),
            "strokeDash": alt.StrokeDash(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=kinds, range=[LINE_STYLE[k][1] for k in kinds]),
                legend=legend,
            ),
        }

    out = []
    for kind in ("remission", "response"):
        mine = [r for r in rows if r["kind"] == kind]
        if mine:
            out.append(
                alt.Chart(data(kind, mine), name=kind)
                .mark_rule(strokeWidth=1.5)
                .encode(
                    y=alt.Y("value:Q", scale=y_scale),
                    description=alt.Description("label:N"),
                    **style(not out),
                )
            )
    if markers:
        marks = [
            {
                "kind": "treatment / event",
                "t": _ms(m.at),
                "label": f"{m.at:%d %b %Y}: {m.label}",
                "css": m.kind,
            }
            for m in markers
        ]
        out.append(
            alt.Chart(data("marker", marks), name="marker")
            .mark_rule(strokeOpacity=0.7)
            .encode(x=x, description=alt.Description("label:N"), **style(not out))
        )
    return out


def _points(data, points: Sequence[Point], x, y_scale, y_axis) -> list:
    rows = [
        {
            "t": _ms(p.at),
            "value": p.value,
            "kind": (
                "from referral"
                if p.referral is not None
                else "safety alert"
                if p.alert
                else "score"
            ),
            "label": _label(p),
        }
        for p in points
    ]
    own = [r for r in rows if r["kind"] != "from referral"]
    y = alt.Y("value:Q", scale=y_scale, axis=y_axis)
    if not rows:
        # The axes alone, on the instrument's range.
        return [
            alt.Chart(data("axes", [{"value": 0}]), name="axes")
            .mark_point(opacity=0, aria=False)
            .encode(y=y)
        ]
    kinds = [k for k in POINT_KINDS if k in {r["kind"] for r in rows}]
    out = []
    if own:
        out.append(
            alt.Chart(data("score-line", own), name="score-line")
            .mark_line(color=LINE_COLOUR, aria=False)
            .encode(x=x, y=y)
        )
    out.append(
        alt.Chart(data("point", rows), name="point")
        .mark_point(size=70, strokeWidth=2, opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=kinds, range=[POINT_STYLE[k][0] for k in kinds]),
            ),
            shape=alt.Shape(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=kinds, range=[POINT_STYLE[k][1] for k in kinds]),
            ),
            fill=alt.Fill(
                "kind:N",
                legend=None,
                scale=alt.Scale(
                    domain=kinds,
                    range=[POINT_STYLE[k][0] if POINT_STYLE[k][2] else "#ffffff" for k in kinds],
                ),
            ),
            description=alt.Description("label:N"),
        )
    )
    return out
