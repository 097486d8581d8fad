"""Predicted concentrations at the chair: the order-form preview and the session overlay.

Decision support drawn from the published population models of the pharmacokinetics app
(pharmacokinetics.rules): IV racemic ketamine with Clements 1981, nasal esketamine with
Perez-Ruixo 2021. The curve is the model's typical patient, never a measurement.

Two pictures, both server-rendered SVG (no script):
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
from html import escape

from ketaclinic.pharmacokinetics import rules as pk

MIN_SPAN_MIN = 120
MARGIN_MIN = 30
STEP_MIN = 1.0

# Chart box (pixels) and colours (greyscale-distinct).
WIDTH, HEIGHT = 640, 300
LEFT, TOP, PLOT_W, PLOT_H = 52, 14, 570, 170
LANE_TOP = TOP + PLOT_H + 34
LANE_H = 14
SERIES = ("#1f5fa8", "#b26a00")
THRESHOLD_COLOUR = "#2e7d32"
ALERT_COLOUR = "#b00020"
GRID, MUTED = "#e3e7ec", "#555"
LANES = ("Vitals", "MOAA/S", "CADSS-6", "Alerts")


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


def _y_max(curves: list[Curve], threshold) -> float:
    top = max([float(c.prediction.cmax) for c in curves] + [float(threshold or 0)] + [1.0])
    for scale in (1, 10, 100, 1000, 10000):
        for step in (1, 2, 2.5, 5):
            if step * scale >= top * 1.05:
                return float(step * scale)
    return top


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
    """Predicted plasma curves, the threshold, and observed events on a shared minute axis."""
    y_top = _y_max(curves, threshold)
    lanes = LANES if events is not None else ()
    height = (LANE_TOP + LANE_H * len(lanes) + 10) if lanes else TOP + PLOT_H + 40
    bottom = TOP + PLOT_H

    def x(minute: float) -> float:
        return LEFT + PLOT_W * max(0.0, min(minute, until_min)) / until_min

    def y(conc: float) -> float:
        return bottom - PLOT_H * min(conc, y_top) / y_top

    desc = "; ".join(
        f"{c.label}: Cmax {_f(c.prediction.cmax)} ng/mL at {_f(c.prediction.tmax)} min"
        for c in curves
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="pk-chart" id="{ident}-svg" role="img" aria-labelledby="{ident}-t {ident}-d" '
        'font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]
    for i in range(5):
        value = y_top * i / 4
        yy = y(value)
        out.append(
            f'<line x1="{LEFT}" y1="{_f(yy)}" x2="{LEFT + PLOT_W}" y2="{_f(yy)}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{LEFT - 4}" y="{_f(yy + 4)}" text-anchor="end" fill="{MUTED}">'
            f"{_f(value)}</text>"
        )
    tick = 30 if until_min <= 360 else 60
    for minute in range(0, int(until_min) + 1, tick):
        out.append(
            f'<text x="{_f(x(minute))}" y="{bottom + 14}" text-anchor="middle" fill="{MUTED}">'
            f"{minute}</text>"
        )
    out.append(
        f'<text x="{LEFT + PLOT_W / 2}" y="{bottom + 27}" text-anchor="middle" fill="{MUTED}">'
        "minutes from the first dose</text>"
    )
    out.append(
        f'<text x="12" y="{TOP + PLOT_H / 2}" fill="{MUTED}" text-anchor="middle" '
        f'transform="rotate(-90 12 {TOP + PLOT_H / 2})">ng/mL</text>'
    )
    if threshold is not None:
        out.append(
            f'<line class="pk-threshold" x1="{LEFT}" y1="{_f(y(threshold))}" '
            f'x2="{LEFT + PLOT_W}" y2="{_f(y(threshold))}" stroke="{THRESHOLD_COLOUR}" '
            'stroke-dasharray="2 3"/>'
        )
    for n, curve in enumerate(curves):
        p = curve.prediction
        points = " ".join(
            f"{_f(x(t))},{_f(y(c))}"
            for t, c in zip(p.times.tolist(), p.plasma.tolist(), strict=True)
            if t <= until_min
        )
        colour = SERIES[n % len(SERIES)]
        dash = ' stroke-dasharray="6 4"' if n else ""
        out.append(
            f'<polyline class="pk-curve" data-label="{escape(curve.label)}" fill="none" '
            f'stroke="{colour}" stroke-width="2"{dash} points="{points}"/>'
        )
        out.append(
            f'<text x="{LEFT + PLOT_W - 4}" y="{TOP + 12 + 13 * n}" text-anchor="end" '
            f'fill="{colour}">{escape(curve.label)}</text>'
        )
    for minute, label in marks or []:
        if 0 <= minute <= until_min:
            out.append(
                f'<line class="pk-mark" x1="{_f(x(minute))}" y1="{TOP}" x2="{_f(x(minute))}" '
                f'y2="{LANE_TOP + LANE_H * len(lanes) if lanes else bottom}" stroke="#333" '
                f'stroke-dasharray="4 3"><title>{escape(label)}</title></line>'
            )
            out.append(
                f'<text x="{_f(x(minute) + 3)}" y="{TOP + 10}" fill="#333">{escape(label)}</text>'
            )
    for i, lane in enumerate(lanes):
        top = LANE_TOP + LANE_H * i
        out.append(
            f'<text x="{LEFT - 4}" y="{top + 10}" text-anchor="end" fill="{MUTED}">{lane}</text>'
        )
        out.append(
            f'<line x1="{LEFT}" y1="{top + LANE_H}" x2="{LEFT + PLOT_W}" y2="{top + LANE_H}" '
            f'stroke="{GRID}"/>'
        )
    for event in events or []:
        if event.lane not in lanes or not 0 <= event.minute <= until_min:
            continue
        top = LANE_TOP + LANE_H * lanes.index(event.lane)
        colour = ALERT_COLOUR if event.lane == "Alerts" else "#333"
        out.append(
            f'<g class="pk-event" data-lane="{escape(event.lane)}">'
            f"<title>{escape(event.label)}</title>"
            f'<circle cx="{_f(x(event.minute))}" cy="{top + 7}" r="3.5" fill="{colour}"/></g>'
        )
    out.append("</svg>")
    return "".join(out)


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
