"""Predicted concentrations at the chair: the order-form preview and the session overlay.

Decision support drawn from the published population models of the pharmacokinetics app
(pharmacokinetics.rules): IV racemic ketamine with Clements 1981, nasal esketamine with
Perez-Ruixo 2021. The curve is the model's typical patient, never a measurement.

Two pictures, both drawn with Vega-Lite and rendered server-side to inline SVG (no script):
- the preview of the dose being ordered, with an optional second dose to compare;
- the signed order redrawn from the charted administration times (infusion start and end,
  first and last device) and the amount the ledger recorded as given, with what was observed
  on the same minute axis: vitals, MOAA/S and CADSS-6 scores, alerts and the discharge.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

import altair as alt

from ketaclinic.core import charts
from ketaclinic.pharmacokinetics import rules as pk

MIN_SPAN_MIN = 120
MARGIN_MIN = 30
STEP_MIN = 1.0
# A point a reader can hover or focus every so many minutes along each curve (and at its peak).
POINT_EVERY_MIN = 10

# Plot box (pixels) and colours: each curve also has its own dash and marker shape.
PLOT_W, PLOT_H = 560, 190
LANE_H = 22
THRESHOLD_COLOUR = "#2e7d32"
ALERT_COLOUR = "#b00020"
LANES = ("Vitals", "MOAA/S", "CADSS-6", "Alerts")
# Layer names of each curve's points ("pk-point-a", ...): letters, as Vega numbers nested layers.
SERIES_KEYS = "abcdef"


@dataclass(frozen=True)
class Curve:
    label: str
    prediction: pk.Prediction


@dataclass(frozen=True)
class Event:
    minute: float
    lane: str
    label: str


@dataclass
class Chart:
    """What the template shows: the SVG, the model and its citation, warnings, figures."""

    svg: str
    model: pk.PKModel
    curves: list[Curve]
    warnings: list[str] = field(default_factory=list)
    note: str = pk.DECISION_SUPPORT_NOTE

    @property
    def citation(self) -> str:
        return self.model.citation.text()


def model_code(definition) -> str | None:
    return pk.MODEL_FOR_ROUTE.get(definition.route)


def _f(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def patient_of(session, weight_kg=None) -> pk.Patient | None:
    """The covariates the models use: weight, age on the session day, sex."""
    patient = session.patient
    weight = weight_kg or session.weight_kg or patient.weight_kg
    if not weight or not patient.date_of_birth:
        return None
    age = pk.age_years(patient.date_of_birth, session.scheduled_date)
    sex = patient.sex if patient.sex in ("female", "male") else None
    return pk.Patient(weight_kg=float(weight), age_years=age, sex=sex)


def planned_doses(route: str, mg: float, *, device_mg, duration_min=None, rest_min=None):
    """A dose as ordered: one infusion from minute 0, or the protocol's devices at its rest."""
    if route == "intravenous":
        return [pk.Dose("iv", mg, start_min=0.0, duration_min=float(duration_min or 0))]
    devices = max(1, round(mg / float(device_mg)))
    return [
        pk.Dose("intranasal", float(device_mg), time_min=float(n * (rest_min or 0)))
        for n in range(devices)
    ]


def given_doses(session, order, definition, given_mg) -> list[pk.Dose]:
    """The signed order as it was given: the charted times and the ledger's amount.

    IV: one infusion from the charted start to the charted end (the ordered duration while it
    still runs). Nasal: the devices between the first and the last device charted, evenly
    spread (the chart keeps those two times); devices not given yet follow at the protocol's
    rest between devices.
    """
    mg = float(given_mg if given_mg is not None else order.dose_mg)
    device_mg = definition.dose.device_mg
    return pk.charted_doses(
        definition.route,
        mg,
        start=session.dose_started_at,
        infusion_ended_at=session.infusion_ended_at,
        ordered_duration_min=order.duration_min,
        devices=max(1, round(mg / float(device_mg))) if device_mg else 1,
        devices_given=session.devices_given,
        last_device_at=session.last_device_at,
        rest_min=definition.dose.rest_between_devices_min,
    )


def _curve_rows(curves: list[Curve], until_min: float) -> tuple[list[dict], list[dict]]:
    """Every simulated minute for the lines; every POINT_EVERY_MIN and the peak for the points."""
    line, points = [], []
    for curve in curves:
        p = curve.prediction
        peak = float(p.tmax)
        for t, c in zip(p.times.tolist(), p.plasma.tolist(), strict=True):
            if t > until_min:
                break
            line.append({"curve": curve.label, "min": t, "conc": round(c, 2)})
            if abs(t - peak) < 1e-9 or abs(t / POINT_EVERY_MIN - round(t / POINT_EVERY_MIN)) < 1e-9:
                label = f"{curve.label}: {_f(c)} ng/mL at {_f(t)} min"
                if abs(t - peak) < 1e-9:
                    label += " (predicted peak)"
                points.append({"curve": curve.label, "min": t, "conc": round(c, 2), "tip": label})
    return line, points


def render_svg(
    curves: list[Curve],
    until_min: float,
    *,
    threshold: float | None = None,
    events: list[Event] | None = None,
    marks: list[tuple[float, str]] | None = None,
    ident: str = "pk",
    title: str = "Predicted plasma concentration",
) -> str:
    """Predicted plasma curves, the threshold, and observed events on a shared minute axis.

    The concentration axis is a round ("nice") range from zero to just above the highest peak
    (or the threshold); the minute axis is ticked every 30 minutes (60 past six hours).
    """
    tick = 30 if until_min <= 360 else 60
    x_scale = alt.Scale(domain=[0, until_min], nice=False, zero=True)
    x_axis = alt.Axis(
        title="minutes from the first dose",
        values=list(range(0, int(until_min) + 1, tick)),
        grid=False,
    )
    x = alt.X("min:Q", scale=x_scale, axis=x_axis)
    y = alt.Y("conc:Q", title="ng/mL", scale=alt.Scale(zero=True, nice=True))
    labels = [c.label for c in curves]
    series = {
        "color": alt.Color(
            "curve:N",
            title=None,
            scale=alt.Scale(domain=labels, range=list(charts.SERIES_COLOURS[: len(labels)])),
            legend=alt.Legend(symbolType="stroke", symbolSize=400, symbolStrokeWidth=2.5),
        ),
        "strokeDash": alt.StrokeDash(
            "curve:N",
            title=None,
            scale=alt.Scale(domain=labels, range=[list(d) for d in charts.SERIES_DASHES]),
            legend=alt.Legend(symbolType="stroke", symbolSize=400, symbolStrokeWidth=2.5),
        ),
    }
    line_rows, point_rows = _curve_rows(curves, until_min)
    data = charts.Datasets()
    layers = [
        alt.Chart(data("d", line_rows), name="pk-curve")
        .mark_line(strokeWidth=2, aria=False)
        .encode(x=x, y=y, **series),
    ]
    # The hover points of each curve in its own colour and shape (no second legend).
    for i, label in enumerate(labels):
        layers.append(
            alt.Chart(
                data("points", [r for r in point_rows if r["curve"] == label]),
                name=f"pk-point-{SERIES_KEYS[i]}",
            )
            .mark_point(
                size=40,
                filled=True,
                opacity=1,
                color=charts.SERIES_COLOURS[i % len(charts.SERIES_COLOURS)],
                shape=charts.SERIES_SHAPES[i % len(charts.SERIES_SHAPES)],
            )
            .encode(x=x, y=y, description=alt.Description("tip:N"))
        )
    if threshold is not None:
        rows = [{"conc": threshold, "tip": f"threshold {_f(threshold)} ng/mL"}]
        rule = alt.Chart(data("d", rows), name="pk-threshold")
        layers.append(
            rule.mark_rule(color=THRESHOLD_COLOUR, strokeDash=[2, 3], strokeWidth=1.5).encode(
                y=y, description=alt.Description("tip:N")
            )
        )
        layers.append(
            alt.Chart(data("d", rows), name="pk-threshold-label")
            .mark_text(align="right", baseline="bottom", dy=-2, color=THRESHOLD_COLOUR, aria=False)
            .encode(y=y, x=alt.XValue(PLOT_W - 2), text=alt.Text("tip:N"))
        )
    shown = sorted((m, label) for m, label in marks or [] if 0 <= m <= until_min)
    # Labels of nearby marks go on alternate rows so that they never overlap.
    mark_rows = [
        {"min": minute, "label": label, "row": 2 + 16 * (i % 2)}
        for i, (minute, label) in enumerate(shown)
    ]
    if mark_rows:
        layers += _marks(data, mark_rows, x, labels=True)
    plot = charts.layer(*layers, width=PLOT_W, height=PLOT_H)
    chart = plot
    if events is not None:
        chart = charts.vconcat(
            plot,
            _lanes(data, events, until_min, x_scale, mark_rows),
            spacing=8,
            resolve={"color": "independent", "shape": "independent", "strokeDash": "independent"},
        )
    desc = "; ".join(
        f"{c.label}: Cmax {_f(c.prediction.cmax)} ng/mL at {_f(c.prediction.tmax)} min"
        for c in curves
    )
    return charts.render(
        chart,
        ident=ident,
        css="pk-chart",
        title=title,
        desc=desc,
        focus=("pk-event", *(f"pk-point-{k}" for k in SERIES_KEYS)),
        datasets=data,
    )


def _marks(data, rows: list[dict], x, *, labels: bool) -> list:
    rule = (
        alt.Chart(data("d", rows), name="pk-mark" if labels else "pk-lane-mark")
        .mark_rule(color="#333333", strokeDash=[4, 3], aria=labels)
        .encode(x=x, description=alt.Description("label:N"))
    )
    if not labels:
        return [rule]
    text = (
        alt.Chart(data("d", rows), name="pk-mark-label")
        .mark_text(align="left", baseline="top", dx=3, dy=2, color="#333333", aria=False)
        .encode(x=x, y=alt.Y("row:Q", scale=None), text=alt.Text("label:N"))
    )
    return [rule, text]


def _lanes(data, events: list[Event], until_min: float, x_scale, mark_rows: list[dict]):
    """What was observed, one lane each for vitals, MOAA/S, CADSS-6 and alerts."""
    rows = [
        {
            "min": e.minute,
            "lane": e.lane,
            "tip": e.label if e.label.startswith(e.lane) else f"{e.lane}: {e.label}",
            "alert": e.lane == "Alerts",
        }
        for e in events
        if e.lane in LANES and 0 <= e.minute <= until_min
    ]
    x = alt.X("min:Q", scale=x_scale, axis=None)
    lane = alt.Y(
        "lane:N", title=None, scale=alt.Scale(domain=list(LANES)), axis=alt.Axis(grid=True)
    )
    dots = (
        alt.Chart(data("d", rows or [{"lane": LANES[0]}]), name="pk-event")
        .mark_point(size=50, filled=True, opacity=1 if rows else 0)
        .encode(
            x=x if rows else alt.XValue(0),
            y=lane,
            color=alt.Color(
                "alert:N",
                legend=None,
                scale=alt.Scale(domain=[False, True], range=["#333333", ALERT_COLOUR]),
            ),
            shape=alt.Shape(
                "alert:N",
                legend=None,
                scale=alt.Scale(domain=[False, True], range=["circle", "triangle-up"]),
            ),
            description=alt.Description("tip:N"),
        )
    )
    layers = [dots, *(_marks(data, mark_rows, x, labels=False) if mark_rows else [])]
    return charts.layer(*layers, width=PLOT_W, height=LANE_H * len(LANES))


def span_for(*minutes: float | None) -> float:
    end = max([m for m in minutes if m is not None] + [MIN_SPAN_MIN - MARGIN_MIN])
    return float(min(pk.MAX_SPAN_MIN, math.ceil((end + MARGIN_MIN) / 10.0) * 10))


# --- the order form's preview ------------------------------------------------------------------


def preview(session, definition, *, dose_mg, duration_min=None, compare_mg=None, weight_kg=None):
    """The dose being ordered, and an optional second dose, simulated for this patient.

    Returns (chart, None) or (None, the reason no curve can be drawn).
    """
    code = model_code(definition)
    if code is None:
        return None, "No published model covers this route."
    patient = patient_of(session, weight_kg)
    if patient is None:
        return None, "The patient's weight or date of birth is missing."
    if not dose_mg or dose_mg <= 0:
        return None, "Give the dose in mg to preview it."
    device_mg = float(definition.dose.device_mg or 0) or None
    if definition.route == "intranasal":
        if device_mg is None:
            return None, "The protocol sets no device strength."
        for name, mg in (("Dose", dose_mg), ("Compare with", compare_mg)):
            if mg and abs(mg / device_mg - round(mg / device_mg)) > 1e-9:
                return None, (
                    f"{name}: the nasal spray is given in whole {device_mg:g} mg devices, "
                    "per the SPRAVATO prescribing information."
                )
    if definition.route == "intravenous" and duration_min is None:
        # An infusion left without its minutes is not a bolus: the protocol's time, or ask.
        duration_min = definition.dose.default_duration_min
        if duration_min is None:
            return None, "Give the infusion time (minutes) to preview it."
    rest = definition.dose.rest_between_devices_min
    doses = [(f"{_f(float(dose_mg))} mg", float(dose_mg))]
    if compare_mg and compare_mg > 0:
        doses.append((f"{_f(float(compare_mg))} mg (compared)", float(compare_mg)))
    plans = [
        (
            label,
            planned_doses(
                definition.route,
                mg,
                device_mg=device_mg,
                duration_min=duration_min,
                rest_min=rest,
            ),
        )
        for label, mg in doses
    ]
    last = max(d.at + (d.duration_min or 0) for _, plan in plans for d in plan)
    until = span_for(last + 90)
    curves, warnings = [], []
    for label, plan in plans:
        try:
            prediction = pk.predict(code, patient, plan, until_min=until, step_min=STEP_MIN)
        except pk.PlanError as exc:
            return None, "; ".join(exc.fields.values())
        curves.append(Curve(label, prediction))
        warnings += [w for w in prediction.warnings if w not in warnings]
    svg = render_svg(curves, until, ident="pk-preview", title="Predicted plasma concentration")
    return Chart(svg=svg, model=pk.get_model(code), curves=curves, warnings=warnings), None


# --- the session's overlay --------------------------------------------------------------------


@dataclass
class Overlay(Chart):
    below_at: dt.datetime | None = None
    below_min: float | None = None
    threshold: float | None = None
    given_mg: Decimal | float | None = None


def _events(state, start) -> list[Event]:
    events = []
    for v in state.vitals:
        if v.pre_dose:
            continue
        bp = f"{v.systolic}/{v.diastolic}" if v.systolic else ""
        text = " ".join(
            part
            for part in (
                f"BP {bp}" if bp else "",
                f"HR {v.heart_rate}" if v.heart_rate else "",
                f"SpO2 {v.spo2}" if v.spo2 else "",
            )
            if part
        )
        events.append(
            Event(pk.minutes_between(v.measured_at, start), "Vitals", f"Vitals {text}".strip())
        )
    lanes = {"moaas": "MOAA/S", "cadss6": "CADSS-6"}
    for s in state.scales:
        if s.scale in lanes:
            lane = lanes[s.scale]
            events.append(
                Event(pk.minutes_between(s.measured_at, start), lane, f"{lane} {s.score}")
            )
    for a in state.alerts:
        events.append(Event(pk.minutes_between(a.raised_at, start), "Alerts", a.label))
    return [e for e in events if e.minute is not None]


def overlay(session, state, order, *, given_mg=None, threshold=None):
    """The signed order redrawn from the charted times, with the observed events.

    Returns (overlay, None) or (None, the reason no curve can be drawn).
    """
    definition = state.definition
    code = model_code(definition)
    if code is None:
        return None, "No published model covers this route."
    if order is None or session.dose_started_at is None:
        return None, "The curve is drawn once the signed order's dose has started."
    patient = patient_of(session, order.weight_kg)
    if patient is None:
        return None, "The patient's weight or date of birth is missing."
    start = session.dose_started_at
    doses = given_doses(session, order, definition, given_mg)
    events = _events(state, start)
    discharge_min = pk.minutes_between(session.discharged_at, start)
    now_min = (
        None
        if session.discharged_at or session.aborted_at
        else pk.minutes_between(state.now, start)
    )
    last_dose = max(d.at + (d.duration_min or 0) for d in doses)
    until = span_for(
        last_dose + 60, discharge_min, now_min, *(e.minute for e in events if e.minute)
    )
    try:
        prediction = pk.predict(
            code, patient, doses, until_min=until, step_min=STEP_MIN, threshold=threshold
        )
    except pk.PlanError as exc:
        return None, "; ".join(exc.fields.values())
    below = prediction.below_threshold_from
    warnings = list(prediction.warnings)
    if threshold is not None and below is None:
        # Past the drawn span: look further ahead for the crossing alone.
        longer = pk.predict(
            code, patient, doses, until_min=pk.MAX_SPAN_MIN, step_min=5.0, threshold=threshold
        )
        below = longer.below_threshold_from
        warnings = list(longer.warnings)
    marks = []
    if discharge_min is not None:
        marks.append((discharge_min, "Discharged"))
    elif now_min is not None:
        marks.append((now_min, "Now"))
    if below is not None:
        marks.append((below, f"Below {_f(threshold)} ng/mL"))
    label = f"{_f(sum(d.mg for d in doses))} mg as given"
    curves = [Curve(label, prediction)]
    svg = render_svg(
        curves,
        until,
        threshold=threshold,
        events=events,
        marks=marks,
        ident="pk-session",
        title="Predicted plasma concentration of the dose as given, with what was observed",
    )
    return (
        Overlay(
            svg=svg,
            model=prediction.model,
            curves=curves,
            warnings=warnings,
            below_min=below,
            below_at=start + dt.timedelta(minutes=below) if below is not None else None,
            threshold=threshold,
            given_mg=given_mg,
        ),
        None,
    )
