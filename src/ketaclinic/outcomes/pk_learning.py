"""Learning from the clinic's own sessions: predicted exposure against what was observed.

For each discharged session with a signed order, the dose as given is simulated with a
published population model (pharmacokinetics.rules): the predicted peak plasma concentration
(Cmax) and the predicted concentration at discharge. Each is set against what the clinic
observed: the minutes from the first dose to readiness to leave, and the session's highest
CADSS-6 dissociation score. An ordinary least-squares line with its 95% confidence band for
the mean is fitted with statsmodels.

This is decision support about the clinic's own population, not a rule: a model predicts the
typical patient of its study, and a fitted line describes an association in these sessions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

from ketaclinic.pharmacokinetics import rules as pk

MODEL_FOR_ROUTE = pk.MODEL_FOR_ROUTE
DRUG_OF_ROUTE = {"intravenous": "IV ketamine", "intranasal": "Esketamine nasal spray"}
MIN_POINTS = 3  # a line through fewer points has no confidence band
CONFIDENCE = 0.95

X_AXES = {
    "cmax": "Predicted Cmax (ng/mL)",
    "at_discharge": "Predicted concentration at discharge (ng/mL)",
}
Y_AXES = {
    "minutes_to_ready": "Minutes from first dose to ready to leave",
    "peak_cadss6": "Highest CADSS-6 score",
}


@dataclass(frozen=True)
class SessionPoint:
    session_id: object
    route: str
    cmax: float
    at_discharge: float
    minutes_to_ready: float | None
    peak_cadss6: float | None


@dataclass(frozen=True)
class Fit:
    n: int
    slope: float
    intercept: float
    r_squared: float
    p_value: float
    slope_low: float
    slope_high: float
    band_x: tuple[float, ...]
    band_mean: tuple[float, ...]
    band_low: tuple[float, ...]
    band_high: tuple[float, ...]


@dataclass(frozen=True)
class Relation:
    x: str
    y: str
    points: tuple[tuple[float, float], ...]
    fit: Fit | None

    @property
    def x_label(self) -> str:
        return X_AXES[self.x]

    @property
    def y_label(self) -> str:
        return Y_AXES[self.y]


@dataclass(frozen=True)
class Learning:
    route: str
    model: pk.PKModel
    points: tuple[SessionPoint, ...]
    skipped: dict[str, int]
    relations: tuple[Relation, ...]

    @property
    def drug(self) -> str:
        return DRUG_OF_ROUTE[self.route]


def doses_of(row: dict) -> list[pk.Dose] | str:
    """The doses as given (minutes from the first dose), or why the session cannot be used."""
    route = row["protocol_version__definition__route"]
    mg = row["order__dose_mg"]
    if mg is None or mg <= 0:
        return "no ordered dose"
    if route == "intravenous":
        ran = pk.minutes_between(row["infusion_ended_at"], row["dose_started_at"])
        if not (ran and ran > 0) and not row["order__duration_min"]:
            return "no infusion duration"
    elif route == "intranasal":
        if not (row["devices_given"] or row["order__devices"]):
            return "no device recorded"
    else:
        return "a route no model covers"
    devices = row["devices_given"] or row["order__devices"] or 1
    return pk.charted_doses(
        route,
        float(mg),
        start=row["dose_started_at"],
        infusion_ended_at=row["infusion_ended_at"],
        ordered_duration_min=row["order__duration_min"],
        devices=devices,
        devices_given=devices,
        last_device_at=row["last_device_at"],
    )


def predict_session(row: dict) -> SessionPoint | str:
    """The session's predicted exposure and observed course, or why it was left out."""
    route = row["protocol_version__definition__route"]
    doses = doses_of(row)
    if isinstance(doses, str):
        return doses
    weight = row["order__weight_kg"] or row["weight_kg"]
    start = row["dose_started_at"]
    born = row["patient__date_of_birth"]
    if weight is None or born is None:
        return "no weight or age"
    age = pk.age_years(born, start.date())
    discharge_min = pk.minutes_between(row["discharged_at"], start)
    if discharge_min is None or discharge_min <= 0:
        return "no discharge time"
    sex = row["patient__sex"] if row["patient__sex"] in ("female", "male") else None
    patient = pk.Patient(weight_kg=float(weight), age_years=age, sex=sex)
    until = max(math.ceil(discharge_min) + 1, 60)
    try:
        prediction = pk.predict(
            MODEL_FOR_ROUTE[route], patient, doses, until_min=until, step_min=1.0
        )
    except pk.PlanError:
        return "a dose the model cannot simulate"
    at_discharge = float(np.interp(discharge_min, prediction.times, prediction.plasma))
    ready = pk.minutes_between(row["ready_to_leave_at"], start)
    cadss = row["peak_cadss6"]
    return SessionPoint(
        session_id=row["id"],
        route=route,
        cmax=float(prediction.cmax),
        at_discharge=at_discharge,
        minutes_to_ready=ready if ready is not None and ready >= 0 else None,
        peak_cadss6=float(cadss) if cadss is not None else None,
    )


def fit_line(xs, ys, *, grid: int = 40) -> Fit | None:
    """Ordinary least squares y = a + b x with the 95% confidence band of the mean."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if len(x) < MIN_POINTS or np.ptp(x) == 0:
        return None
    result = sm.OLS(y, sm.add_constant(x)).fit()
    alpha = 1 - CONFIDENCE
    low, high = result.conf_int(alpha=alpha)[1]
    band_x = np.linspace(x.min(), x.max(), grid)
    frame = result.get_prediction(sm.add_constant(band_x)).summary_frame(alpha=alpha)
    return Fit(
        n=len(x),
        intercept=float(result.params[0]),
        slope=float(result.params[1]),
        r_squared=float(result.rsquared),
        p_value=float(result.pvalues[1]),
        slope_low=float(low),
        slope_high=float(high),
        band_x=tuple(band_x.tolist()),
        band_mean=tuple(frame["mean"].tolist()),
        band_low=tuple(frame["mean_ci_lower"].tolist()),
        band_high=tuple(frame["mean_ci_upper"].tolist()),
    )


def relation(points, x: str, y: str) -> Relation:
    pairs = tuple((getattr(p, x), getattr(p, y)) for p in points if getattr(p, y) is not None)
    return Relation(
        x=x, y=y, points=pairs, fit=fit_line(*zip(*pairs, strict=True)) if pairs else None
    )


def learn(rows: list[dict], route: str) -> Learning:
    """Every usable session of the route, and each predicted-vs-observed relation."""
    points, skipped = [], {}
    for row in rows:
        if row["protocol_version__definition__route"] != route:
            continue
        point = predict_session(row)
        if isinstance(point, str):
            skipped[point] = skipped.get(point, 0) + 1
        else:
            points.append(point)
    relations = tuple(relation(points, x, y) for x in X_AXES for y in Y_AXES)
    return Learning(
        route=route,
        model=pk.get_model(MODEL_FOR_ROUTE[route]),
        points=tuple(points),
        skipped=skipped,
        relations=relations,
    )


def routes_present(rows: list[dict]) -> list[str]:
    """The modelled routes among the rows, the most frequent first."""
    counts: dict[str, int] = {}
    for row in rows:
        route = row["protocol_version__definition__route"]
        if route in MODEL_FOR_ROUTE:
            counts[route] = counts.get(route, 0) + 1
    return sorted(counts, key=lambda r: (-counts[r], r))
