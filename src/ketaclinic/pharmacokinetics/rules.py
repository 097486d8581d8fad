"""Pure rules of the simulator: plan checks, the model built for a patient, the prediction.

No ORM, no request: plain values in, plain values out.
"""

from __future__ import annotations

import datetime
import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import simulator
from .models_data import MODELS, PKModel
from .simulator import Input, LinearSystem

# Input bounds of the simulator itself (not clinical limits): the span one request may cover
# and the number of grid points it may ask for.
MAX_SPAN_MIN = 24 * 60
MAX_POINTS = 2881
ANCESTRIES = ("non_asian", "asian_non_japanese", "japanese")
# SPRAVATO US prescribing information, section 2 (administration): 5 minutes between devices.
LABEL_MINUTES_BETWEEN_DEVICES = 5.0
# The shortest infusion simulated as one (6 seconds); a shorter one is a bolus.
MIN_INFUSION_MIN = 0.1

DECISION_SUPPORT_NOTE = (
    "Decision support only. This is the population-average prediction of the published model "
    "cited here, not a measurement of this patient: real concentrations in one patient can "
    "differ widely from it. Do not base a dosing or discharge decision on it alone."
)


class PlanError(ValueError):
    """A dose plan the model cannot simulate; `fields` maps each input field to the problem."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Patient:
    weight_kg: float
    age_years: float
    sex: str | None = None
    height_cm: float | None = None
    ancestry: str | None = None


@dataclass(frozen=True)
class Dose:
    route: str
    mg: float
    start_min: float | None = None
    duration_min: float | None = None
    time_min: float | None = None

    @property
    def at(self) -> float:
        return float(self.start_min if self.route == "iv" else self.time_min)


@dataclass(frozen=True)
class Prediction:
    model: PKModel
    times: np.ndarray
    plasma: np.ndarray
    effect: np.ndarray | None
    cmax: float
    tmax: float
    auc: float
    threshold: float | None
    below_threshold_from: float | None
    warnings: tuple[str, ...]


# The model a session of each route is predicted with: IV ketamine with Clements 1981 (the
# model checked against measured plasma levels of the Zarate 2006 regimen), nasal esketamine with
# Perez-Ruixo 2021 (the population model of the esketamine nasal spray).
MODEL_FOR_ROUTE = {"intravenous": "clements_1981", "intranasal": "perez_ruixo_2021"}


def age_years(born: datetime.date, on: datetime.date) -> float:
    """Age as the models take it: fractional years."""
    return (on - born).days / 365.25


def minutes_between(later, earlier) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds() / 60.0


def charted_doses(
    route: str,
    mg: float,
    *,
    start: datetime.datetime,
    infusion_ended_at: datetime.datetime | None = None,
    ordered_duration_min: float | None = None,
    devices: int = 1,
    devices_given: int = 0,
    last_device_at: datetime.datetime | None = None,
    rest_min: float | None = None,
) -> list[Dose]:
    """A session's dose as charted, in minutes from its first dose.

    IV: one infusion from the charted start to the charted end (the ordered duration while it
    still runs). Nasal: `devices` equal devices; those given are spread evenly between the first
    dose and the last device charted (the chart keeps those two times), those not given yet
    follow at the protocol's rest between devices.
    """
    if route == "intravenous":
        ran = minutes_between(infusion_ended_at, start)
        if ran is not None and ran > 0:
            # (an end charted within seconds of the start was, in effect, a bolus)
            duration = ran if ran >= MIN_INFUSION_MIN else 0.0
        else:
            duration = float(ordered_duration_min or 0)
        return [Dose("iv", float(mg), start_min=0.0, duration_min=duration)]
    devices = max(1, devices)
    per_device = float(mg) / devices
    given = max(1, min(devices_given or 1, devices))
    span = minutes_between(last_device_at, start) or 0.0
    step = span / (given - 1) if given > 1 else float(rest_min or 0)
    times = [n * step for n in range(given)]
    if devices > given:
        if rest_min is None:
            raise PlanError({"doses": "the protocol sets no rest between devices"})
        times += [times[-1] + rest_min * (n + 1) for n in range(devices - given)]
    return [Dose("intranasal", per_device, time_min=t) for t in times]


def get_model(code: str) -> PKModel:
    try:
        return MODELS[code]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise PlanError({"model": f"Unknown model {code!r}; known models: {known}."}) from None


def time_grid(until_min: float, step_min: float) -> np.ndarray:
    times = np.arange(0.0, until_min + step_min * 1e-9, step_min)
    if until_min - times[-1] > step_min * 1e-9:
        times = np.append(times, until_min)
    return times


def check_plan(model: PKModel, doses: list[Dose], until_min: float, step_min: float) -> None:
    """Raise PlanError naming every field that makes the plan impossible to simulate."""
    problems: dict[str, str] = {}
    if until_min > MAX_SPAN_MIN:
        problems["until_min"] = f"The simulated span may be at most {MAX_SPAN_MIN} minutes."
    elif until_min / step_min + 2 > MAX_POINTS:
        problems["step_min"] = (
            f"Too many time points: with until_min {until_min:g}, step_min must be at least "
            f"{until_min / (MAX_POINTS - 2):.3g} minutes ({MAX_POINTS} points at most)."
        )
    if not doses:
        problems["doses"] = "Give at least one dose."
    for i, dose in enumerate(doses):
        where = f"doses.{i}"
        if dose.route not in model.routes:
            allowed = ", ".join(model.routes)
            problems[f"{where}.route"] = (
                f"{model.name} does not model the route {dose.route!r}; allowed: {allowed}."
            )
            continue
        if dose.route == "iv":
            if dose.start_min is None:
                problems[f"{where}.start_min"] = "Required for an intravenous dose."
            if dose.duration_min is None:
                problems[f"{where}.duration_min"] = (
                    "Required for an intravenous dose (0 for a bolus)."
                )
            elif 0 < dose.duration_min < MIN_INFUSION_MIN:
                # Shorter than this the constant-rate formula loses its precision, and the
                # dose is a bolus in all but name.
                problems[f"{where}.duration_min"] = (
                    f"0 for a bolus, or at least {MIN_INFUSION_MIN:g} min for an infusion."
                )
            if dose.time_min is not None:
                problems[f"{where}.time_min"] = "An intravenous dose uses start_min."
        else:
            if dose.time_min is None:
                problems[f"{where}.time_min"] = "Required for a nasal device."
            if dose.start_min is not None or dose.duration_min is not None:
                problems[f"{where}.time_min"] = (
                    "A nasal device has a time_min and no start_min or duration_min."
                )
            if model.device_mg is not None and abs(dose.mg - model.device_mg) > 1e-9:
                problems[f"{where}.mg"] = (
                    f"{model.name} was estimated for {model.device_mg:g} mg devices: give one "
                    f"entry of {model.device_mg:g} mg per device."
                )
        start = dose.start_min if dose.route == "iv" else dose.time_min
        if start is not None and start >= until_min:
            name = "start_min" if dose.route == "iv" else "time_min"
            problems[f"{where}.{name}"] = "Must be before until_min."
    infusions = sorted(
        (
            (d.start_min, d.start_min + d.duration_min, i)
            for i, d in enumerate(doses)
            if d.route == "iv" and d.start_min is not None and (d.duration_min or 0) > 0
        ),
    )
    for (start_a, end_a, a), (start_b, _, b) in itertools.pairwise(infusions):
        if start_b < end_a:
            problems[f"doses.{b}.start_min"] = (
                f"Overlaps the infusion doses.{a} ({start_a:g} to {end_a:g} min); "
                "infusions must not overlap."
            )
    if problems:
        raise PlanError(problems)


def _range_warning(model: PKModel, label: str, value: float, bounds, unit: str) -> list[str]:
    if bounds is None or bounds[0] <= value <= bounds[1]:
        return []
    return [
        f"{label} {value:g} {unit} is outside the range studied for {model.name} "
        f"({bounds[0]:g}-{bounds[1]:g} {unit}); the prediction extrapolates the model."
    ]


def warnings_for(model: PKModel, patient: Patient, doses: list[Dose]) -> list[str]:
    found = []
    found += _range_warning(model, "Age", patient.age_years, model.validity.age_years, "years")
    found += _range_warning(model, "Weight", patient.weight_kg, model.validity.weight_kg, "kg")
    if model.validity.always_warn:
        found.append(model.validity.always_warn)
    if model.structure == "hepatoportal_nasal":
        if patient.ancestry is None:
            found.append(
                "No ancestry given: Perez-Ruixo 2021 found that Asian and Japanese ancestry "
                "change esketamine exposure; the prediction uses the typical non-Asian values."
            )
        times = sorted(d.time_min for d in doses if d.route == "intranasal")
        for earlier, later in itertools.pairwise(times):
            if later - earlier < LABEL_MINUTES_BETWEEN_DEVICES:
                found.append(
                    f"Devices at {earlier:g} and {later:g} min are less than "
                    f"{LABEL_MINUTES_BETWEEN_DEVICES:g} minutes apart; the SPRAVATO "
                    "prescribing information asks for 5 minutes between devices."
                )
    return found


def _mammillary(model: PKModel) -> LinearSystem:
    names = ["central", "peripheral_1"]
    has_third = model.compartments == 3
    if has_third:
        names.append("peripheral_2")
    if model.has_effect_site:
        names.append("effect_site")
    names += ["auc", "eliminated"]
    at = {name: i for i, name in enumerate(names)}
    k10, k12, k21 = model.value("k10"), model.value("k12"), model.value("k21")
    a = np.zeros((len(names), len(names)))
    c, p1 = at["central"], at["peripheral_1"]
    a[c, c] = -(k10 + k12)
    a[c, p1], a[p1, c], a[p1, p1] = k21, k12, -k21
    if has_third:
        k13, k31, p2 = model.value("k13"), model.value("k31"), at["peripheral_2"]
        a[c, c] -= k13
        a[c, p2], a[p2, c], a[p2, p2] = k31, k13, -k31
    if model.has_effect_site:
        # The effect site holds no drug: d(Ce)/dt = ke0 (Cp - Ce), kept as Ce x V1.
        ke0, e = model.value("ke0"), at["effect_site"]
        a[e, c], a[e, e] = ke0, -ke0
    a[at["auc"], c] = 1.0
    a[at["eliminated"], c] = k10
    mass = tuple(at[n] for n in ("central", "peripheral_1", "peripheral_2") if n in at)
    return LinearSystem(
        tuple(names),
        a,
        central=c,
        volume_l=1.0,
        auc=at["auc"],
        eliminated=at["eliminated"],
        mass=mass,
        effect=at.get("effect_site"),
    )


def hepatic_blood_flow_l_per_h(model: PKModel, age_years: float) -> float:
    return model.value("Qh") - model.value("Qh_age") * max(0.0, age_years - 60.0)


def _hepatoportal_nasal(model: PKModel, age_years: float, ancestry: str | None) -> LinearSystem:
    names = (
        "nasal_depot",
        "gut_depot",
        "central",
        "peripheral_1",
        "peripheral_2",
        "liver",
        "auc",
        "eliminated",
    )
    nasal, gut, c, p1, p2, liver, auc, out = range(len(names))
    per_min = 1.0 / 60.0
    v = model.value
    qh = hepatic_blood_flow_l_per_h(model, age_years)
    kel = v("kel") * (v("kel_asian") if ancestry in ("asian_non_japanese", "japanese") else 1.0)
    a = np.zeros((len(names), len(names)))

    def flow(source, target, rate):
        a[source, source] -= rate
        a[target, source] += rate

    flow(nasal, c, v("ka_n") * per_min)
    flow(gut, liver, v("ka_sw") * per_min)
    flow(c, p1, v("Q1") / v("Vc") * per_min)
    flow(p1, c, v("Q1") / v("Vp1") * per_min)
    flow(c, p2, v("Q2") / v("Vc") * per_min)
    flow(p2, c, v("Q2") / v("Vp2") * per_min)
    flow(c, liver, qh / v("Vc") * per_min)
    flow(liver, c, qh / v("Vh") * per_min)
    # Both hepatic routes leave the parent drug: to other metabolites and to noresketamine.
    flow(liver, out, (kel + v("kmet")) * per_min)
    a[auc, c] = 1.0
    return LinearSystem(
        names,
        a,
        central=c,
        volume_l=v("Vc"),
        auc=auc,
        eliminated=out,
        mass=(nasal, gut, c, p1, p2, liver),
    )


@lru_cache(maxsize=64)
def _system(code: str, age_years: float, ancestry: str | None) -> LinearSystem:
    model = MODELS[code]
    if model.structure == "mammillary":
        return _mammillary(model)
    return _hepatoportal_nasal(model, age_years, ancestry)


def system_for(model: PKModel, patient: Patient) -> LinearSystem:
    """The model's linear system for this patient, decomposed once per model and covariates."""
    if model.structure == "mammillary":
        # Weight only scales V1: the rate constants, hence the decomposition, are shared.
        return _system(model.code, 0.0, None).with_volume(model.value("V1") * patient.weight_kg)
    return _system(model.code, float(patient.age_years), patient.ancestry)


def inputs_for(model: PKModel, system: LinearSystem, patient: Patient, doses: list[Dose]):
    inputs: list[Input] = []
    for dose in doses:
        if dose.route == "iv":
            inputs.append(
                Input(system.central, float(dose.start_min), float(dose.duration_min), dose.mg)
            )
    devices = sorted((d for d in doses if d.route == "intranasal"), key=lambda d: d.time_min)
    if devices:
        frn = model.value("FRn") * (
            model.value("FRn_japanese") if patient.ancestry == "japanese" else 1.0
        )
        nasal, gut = system.names.index("nasal_depot"), system.names.index("gut_depot")
        swallow_min = model.value("Dsw") * 60.0
        for n, device in enumerate(devices):
            share = frn * (model.value("FRn_next_device") if n else 1.0)
            swallowed = (1.0 - share) * device.mg
            t = float(device.time_min)
            inputs.append(Input(nasal, t, 0.0, share * device.mg, given_at_start=True))
            inputs.append(
                Input(
                    gut,
                    t,
                    swallow_min,
                    swallowed * model.value("Fgut"),
                    given_mg=swallowed,
                    given_at_start=True,
                )
            )
    return inputs


def predict(
    model_code: str,
    patient: Patient,
    doses: list[Dose],
    *,
    until_min: float,
    step_min: float,
    threshold: float | None = None,
) -> Prediction:
    """Check the plan, simulate it for this patient, and say what to read into it."""
    model = get_model(model_code)
    check_plan(model, doses, until_min, step_min)
    system = system_for(model, patient)
    inputs = inputs_for(model, system, patient, doses)
    times = time_grid(until_min, step_min)
    result = simulator.curve(system, inputs, times)
    if not (np.all(np.isfinite(result.plasma)) and math.isfinite(result.auc_ng_min_per_ml)):
        # Never a NaN or an infinity in an answer: the inputs are past what the model computes.
        raise PlanError({"doses": "The model cannot compute these doses: check their numbers."})
    warnings = warnings_for(model, patient, doses)
    below = None
    if threshold is not None:
        below = simulator.below_from(system, inputs, result, threshold)
        if below is None:
            warnings.append(
                f"The predicted plasma concentration is still at or above {threshold:g} ng/mL "
                f"at {until_min:g} min, the end of the simulated span."
            )
    curve = {name: getattr(result, name) for name in ("times", "plasma", "effect", "cmax", "tmax")}
    return Prediction(
        model=model,
        **curve,
        auc=result.auc_ng_min_per_ml,
        threshold=threshold,
        below_threshold_from=below,
        warnings=tuple(warnings),
    )
