"""The session's vital signs over time: the trend chart at the top of the session page.

Drawn with Vega-Lite and rendered server-side to inline SVG (core.charts, decision 0019): blood
pressure (systolic and diastolic) and heart rate share one panel (mmHg and beats per minute
fall in the same range), SpO2 has its own panel below on a percent axis, so no line is drawn
over another of a different measure. The dose start and end are vertical rules with labels.
Each charted value is a point with its clock time and value on hover and keyboard focus.
"""

from __future__ import annotations

import math

import altair as alt
from django.utils import timezone

from ketaclinic.core import charts

PLOT_W, PLOT_H, SPO2_H = 560, 150, 56
# (layer key, legend label, row field) in drawing order; the keys are letters (layer names
# must not end in digits).
SERIES = (
    ("a", "Systolic BP", "systolic"),
    ("b", "Diastolic BP", "diastolic"),
    ("c", "Heart rate", "heart_rate"),
    ("d", "SpO2", "spo2"),
)
UNITS = {"systolic": " mmHg", "diastolic": " mmHg", "heart_rate": "/min", "spo2": "%"}
MARK_COLOUR = "#333333"


def _minute(moment, origin) -> float:
    return round((moment - origin).total_seconds() / 60.0, 1)


def dose_marks(session) -> list[tuple[object, str]]:
    """(moment, label) of the dose start and end as charted: infusion start and end, or the
    first and last device."""
    marks = []
    if session.dose_started_at:
        marks.append((session.dose_started_at, "Dose start"))
    end = session.infusion_ended_at or (
        session.last_device_at
        if session.last_device_at and session.last_device_at != session.dose_started_at
        else None
    )
    if end:
        marks.append((end, "Dose end"))
    return marks


def render_svg(session, vitals: list, tz) -> str | None:
    """The trend chart of the session's vitals, or None when none is charted yet."""
    rows = [v for v in vitals if any(getattr(v, f) is not None for _, _, f in SERIES)]
    if not rows:
        return None
    origin = session.dose_started_at or rows[0].measured_at
    x_title = "minutes from the dose start" if session.dose_started_at else "minutes"
    data = charts.Datasets()
    points: dict[str, list[dict]] = {key: [] for key, _, _ in SERIES}
    for v in rows:
        clock = timezone.localtime(v.measured_at, tz).strftime("%H:%M")
        minute = _minute(v.measured_at, origin)
        for key, label, name in SERIES:
            value = getattr(v, name)
            if value is None:
                continue
            points[key].append(
                {
                    "min": minute,
                    "value": float(value),
                    "series": label,
                    "tip": f"{clock}: {label} {value}{UNITS[name]}"
                    + (" (pre-dose)" if v.pre_dose else ""),
                }
            )
    # Labels of the two marks go on alternate rows so that they never overlap.
    marks = [
        {
            "min": _minute(moment, origin),
            "label": f"{label} {timezone.localtime(moment, tz):%H:%M}",
            "row": 2 + 16 * i,
        }
        for i, (moment, label) in enumerate(dose_marks(session))
    ]
    minutes = [r["min"] for rs in points.values() for r in rs] + [m["min"] for m in marks]
    low, high = min(minutes), max(minutes)
    if high - low < 30:
        high = low + 30
    x_scale = alt.Scale(domain=[low, high], nice=True, zero=False)
    # About eight round ticks: their labels stay apart in the page's font too.
    x = alt.X("min:Q", scale=x_scale, title=x_title, axis=alt.Axis(tickCount=8))
    labels = [label for _, label, _ in SERIES]
    # Beside the plot (a tablet has the width, not the height, to spare).
    legend = alt.Legend(
        symbolType="stroke",
        symbolSize=400,
        symbolStrokeWidth=2.5,
        orient="right",
        direction="vertical",
        columns=1,
    )
    series = {
        "color": alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=labels, range=list(charts.SERIES_COLOURS[: len(labels)])),
            legend=legend,
        ),
        "strokeDash": alt.StrokeDash(
            "series:N",
            title=None,
            scale=alt.Scale(domain=labels, range=[list(d) for d in charts.SERIES_DASHES[:4]]),
            legend=legend,
        ),
    }

    def panel(keys: tuple[str, ...], y, height: int, *, mark_labels: bool, axis_x: bool):
        px = x if axis_x else alt.X("min:Q", scale=x_scale, axis=alt.Axis(labels=False, title=None))
        layers = []
        for i, (key, _label, _name) in enumerate(SERIES):
            if key not in keys or not points[key]:
                continue
            line = (
                alt.Chart(data("d", points[key]), name=f"vitals-line-{key}")
                .mark_line(strokeWidth=2, aria=False)
                .encode(x=px, y=y, **series)
            )
            dots = (
                alt.Chart(data("d", points[key]), name=f"vitals-point-{key}")
                .mark_point(
                    size=45,
                    filled=True,
                    opacity=1,
                    color=charts.SERIES_COLOURS[i],
                    shape=charts.SERIES_SHAPES[i],
                )
                .encode(x=px, y=y, description=alt.Description("tip:N"))
            )
            layers += [line, dots]
        if marks:
            layers.append(
                alt.Chart(data("d", marks), name="vitals-dose-mark")
                .mark_rule(color=MARK_COLOUR, strokeDash=[4, 3], aria=mark_labels)
                .encode(x=px, description=alt.Description("label:N"))
            )
            if mark_labels:
                layers.append(
                    alt.Chart(data("d", marks), name="vitals-dose-label")
                    .mark_text(
                        align="left", baseline="top", dx=3, dy=2, color=MARK_COLOUR, aria=False
                    )
                    .encode(x=px, y=alt.Y("row:Q", scale=None), text=alt.Text("label:N"))
                )
        return charts.layer(*layers, width=PLOT_W, height=height)

    pressures = [r["value"] for k in "abc" for r in points[k]]
    top = panel(
        ("a", "b", "c"),
        alt.Y(
            "value:Q",
            title="mmHg · /min",
            scale=alt.Scale(zero=False, nice=True, domain=_padded(pressures, 10)),
        ),
        PLOT_H,
        mark_labels=True,
        axis_x=not points["d"],
    )
    panels = [top]
    if points["d"]:
        sats = [r["value"] for r in points["d"]]
        low_sat = min(90.0, math.floor(min(sats) / 5) * 5)
        panels.append(
            panel(
                ("d",),
                alt.Y(
                    "value:Q",
                    title="SpO2 %",
                    scale=alt.Scale(domain=[low_sat, 100], nice=False, zero=False),
                    axis=alt.Axis(tickCount=3),
                ),
                SPO2_H,
                mark_labels=False,
                axis_x=True,
            )
        )
    chart = charts.vconcat(*panels, spacing=6, resolve={"x": "shared"}) if len(panels) > 1 else top
    latest = rows[-1]
    desc = (
        f"{len(rows)} vitals entries from "
        f"{timezone.localtime(rows[0].measured_at, tz):%H:%M} to "
        f"{timezone.localtime(latest.measured_at, tz):%H:%M}; the table below lists every value."
    )
    return charts.render(
        chart,
        ident=f"vitals-{session.pk}",
        css="vitals-chart",
        title="Vital signs over time",
        desc=desc,
        focus=tuple(f"vitals-point-{key}" for key, _, _ in SERIES),
        datasets=data,
    )


def _padded(values: list[float], pad: float) -> list[float] | None:
    if not values:
        return None
    return [max(0.0, min(values) - pad), max(values) + pad]
