"""Pure protocol rules: course schedules, rescheduling checks, dose math and cumulative exposure."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from ketaclinic.protocols.definitions import (
    FIXED_MG,
    MG_PER_KG,
    DoseRule,
    ExposureLimit,
    ProtocolDefinition,
    SchedulePhase,
)

ALL_WEEKDAYS = frozenset(range(7))  # Monday = 0, as datetime.date.weekday()
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Rounding, written down once (docs/treatment-day.md repeats it):
# - a dose is rounded DOWN to 0.1 mg, so rounding never raises a dose above a maximum;
# - volumes are rounded half-up to 0.01 mL (what a syringe and a bag label show);
# - a pump rate is rounded DOWN to the pump's step (DoseRule.pump_rate_step_ml_per_h).
DOSE_STEP_MG = Decimal("0.1")
VOLUME_STEP_ML = Decimal("0.01")
MINUTES_STEP = Decimal("0.1")


class ProtocolNotConfigured(ValueError):
    """The protocol is a clinic-defined placeholder: a course cannot be planned under it yet."""


class DoseInputError(ValueError):
    """Dose inputs outside the protocol's limits; `errors` maps each field to what must hold."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# --- schedules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedSession:
    """One planned session of a course."""

    number: int
    date: datetime.date
    phase: str
    week: int
    planned_dose_mg: Decimal | None
    planned_dose_mg_per_kg: Decimal | None = None


@dataclass(frozen=True)
class CoursePlan:
    """Planned sessions plus what could not be planned as the protocol asks."""

    sessions: list[PlannedSession]
    warnings: list[str] = field(default_factory=list)


def _is_open(day: datetime.date, open_weekdays: frozenset[int], closed: frozenset) -> bool:
    return day.weekday() in open_weekdays and day not in closed


def _next_open(
    day: datetime.date, open_weekdays: frozenset[int], closed: frozenset
) -> datetime.date:
    for offset in range(366):
        candidate = day + datetime.timedelta(days=offset)
        if _is_open(candidate, open_weekdays, closed):
            return candidate
    raise ValueError("the clinic has no open day within a year")


def _candidates(target: datetime.date, first: datetime.date, last: datetime.date):
    """Days of the window ordered by distance from the target, later before earlier on ties."""
    yield target
    for distance in range(1, (last - first).days + 1):
        for day in (
            target + datetime.timedelta(days=distance),
            target - datetime.timedelta(days=distance),
        ):
            if first <= day <= last:
                yield day


def _planned_dose(
    protocol: ProtocolDefinition,
    phase: SchedulePhase,
    number: int,
    weight_kg: Decimal | None,
    age_years: int | None,
) -> tuple[Decimal | None, Decimal | None]:
    dose = protocol.dose
    if dose.basis == FIXED_MG:
        if number == 1 and dose.first_dose_mg is not None:
            if age_years is not None and age_years >= 65 and dose.first_dose_mg_age_65_plus:
                return dose.first_dose_mg_age_65_plus, None
            return dose.first_dose_mg, None
        return phase.planned_dose_mg, None
    per_kg = phase.planned_dose_mg_per_kg or dose.default_mg_per_kg
    if per_kg is None or weight_kg is None:
        return None, per_kg
    mg = (Decimal(weight_kg) * per_kg).quantize(DOSE_STEP_MG, ROUND_DOWN)
    if dose.max_dose_mg is not None:
        mg = min(mg, dose.max_dose_mg)
    return mg, per_kg


def plan_course(
    protocol: ProtocolDefinition,
    start_date: datetime.date,
    *,
    open_weekdays: Iterable[int] = ALL_WEEKDAYS,
    closed_dates: Iterable[datetime.date] = (),
    weight_kg: Decimal | None = None,
    age_years: int | None = None,
    maintenance_sessions: int | None = None,
) -> CoursePlan:
    """Plan every session of a course from its start date (day 1 of week 1).

    Each phase places its sessions evenly in each period (twice weekly from a Monday: Monday
    and Thursday), moving a session to the nearest open day of the same period when the
    clinic is closed, and never closer than the phase's minimum gap to the previous session.
    """
    if not protocol.configured:
        raise ProtocolNotConfigured(
            f"{protocol.code} is clinic-defined and not configured yet: "
            + "; ".join(protocol.needs_configuration)
        )
    open_days = frozenset(open_weekdays)
    closed = frozenset(closed_dates)
    warnings: list[str] = []
    day_one = _next_open(start_date, open_days, closed)
    if day_one != start_date:
        warnings.append(
            f"The clinic is closed on {start_date.isoformat()}; the course starts on "
            f"{day_one.isoformat()}."
        )
    sessions: list[PlannedSession] = []
    week_offset = 0  # weeks before the current phase
    for phase in protocol.phases:
        if phase.weeks is None:
            count = maintenance_sessions or phase.planned_sessions_if_open_ended or 0
            periods = count
            remaining = count * phase.sessions_per_period
        else:
            periods = phase.weeks // phase.period_weeks
            remaining = phase.total_sessions or periods * phase.sessions_per_period
        wanted = remaining
        for period in range(periods):
            if remaining <= 0:
                break
            period_first = day_one + datetime.timedelta(
                weeks=week_offset + period * phase.period_weeks
            )
            period_last = period_first + datetime.timedelta(days=7 * phase.period_weeks - 1)
            per_period = min(phase.sessions_per_period, remaining)
            for slot in range(per_period):
                target = period_first + datetime.timedelta(days=slot * 7 // per_period)
                chosen = None
                for day in _candidates(target, period_first, period_last):
                    if not _is_open(day, open_days, closed):
                        continue
                    if sessions and (day - sessions[-1].date).days < phase.min_gap_days:
                        continue
                    chosen = day
                    break
                if chosen is None:
                    continue
                number = len(sessions) + 1
                mg, per_kg = _planned_dose(protocol, phase, number, weight_kg, age_years)
                week = (chosen - day_one).days // 7 + 1
                sessions.append(PlannedSession(number, chosen, phase.code, week, mg, per_kg))
                remaining -= 1
        planned = wanted - remaining
        if remaining > 0:
            warnings.append(
                f"{phase.name}: planned {planned} of {wanted} sessions; the clinic's open days "
                f"and the minimum gap of {phase.min_gap_days} days leave no room for the rest."
            )
        week_offset += (
            phase.weeks if phase.weeks is not None else periods * phase.period_weeks
        ) or 0
    return CoursePlan(sessions, warnings)


def _phase_bounds(protocol: ProtocolDefinition) -> dict[str, tuple[int, int | None]]:
    """Phase code -> (first week, last week or None when open-ended), weeks counted from 1."""
    bounds: dict[str, tuple[int, int | None]] = {}
    week = 1
    for phase in protocol.phases:
        if phase.weeks is None:
            bounds[phase.code] = (week, None)
        else:
            bounds[phase.code] = (week, week + phase.weeks - 1)
            week += phase.weeks
    return bounds


def check_reschedule(
    protocol: ProtocolDefinition,
    sessions: list[PlannedSession],
    number: int,
    new_date: datetime.date,
    *,
    open_weekdays: Iterable[int] = ALL_WEEKDAYS,
    closed_dates: Iterable[datetime.date] = (),
) -> list[str]:
    """Warnings when moving session `number` to `new_date` breaks the protocol or the clinic's days.

    A warning never blocks: the prescriber may still move the session, knowingly.
    """
    open_days = frozenset(open_weekdays)
    closed = frozenset(closed_dates)
    by_number = {s.number: s for s in sessions}
    moved = by_number[number]
    phase = next(p for p in protocol.phases if p.code == moved.phase)
    warnings: list[str] = []
    if new_date.weekday() not in open_days:
        warnings.append(f"The clinic is not open on {WEEKDAY_NAMES[new_date.weekday()]}s.")
    elif new_date in closed:
        warnings.append(f"The clinic is closed on {new_date.isoformat()}.")
    others = sorted((s for s in sessions if s.number != number), key=lambda s: s.date)
    for other in others:
        gap = abs((other.date - new_date).days)
        if gap < phase.min_gap_days:
            warnings.append(
                f"Only {gap} day(s) from session {other.number} on {other.date.isoformat()}; "
                f"the {phase.name.lower()} phase needs at least {phase.min_gap_days} days "
                f"({phase.min_gap_source or phase.source})."
            )
    previous = by_number.get(number - 1)
    following = by_number.get(number + 1)
    if (previous and new_date <= previous.date) or (following and new_date >= following.date):
        warnings.append("The move changes the order of the course's sessions.")
    day_one = sessions[0].date if number != 1 else new_date
    week = (new_date - day_one).days // 7 + 1
    first_week, last_week = _phase_bounds(protocol)[phase.code]
    if week < first_week or (last_week is not None and week > last_week):
        warnings.append(
            f"Week {week} is outside the {phase.name.lower()} phase (weeks {first_week}"
            f"-{last_week if last_week is not None else 'on'})."
        )
    period_index = (week - first_week) // phase.period_weeks
    in_period = [
        s
        for s in others
        if s.phase == phase.code
        and ((s.date - day_one).days // 7 + 1 - first_week) // phase.period_weeks == period_index
    ]
    if len(in_period) + 1 > phase.sessions_per_period:
        period = "week" if phase.period_weeks == 1 else f"{phase.period_weeks} weeks"
        warnings.append(
            f"That makes {len(in_period) + 1} sessions in one {period}; the "
            f"{phase.name.lower()} phase allows {phase.sessions_per_period} ({phase.source})."
        )
    return warnings


# --- dose math -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InfusionCalculation:
    """A weight-based infusion: what to draw, the bag, and the pump setting."""

    dose_mg: Decimal
    dose_mg_per_kg: Decimal
    capped: bool
    max_dose_mg: Decimal
    draw_volume_ml: Decimal
    infusion_volume_ml: Decimal
    duration_min: int
    rate_ml_per_h: Decimal
    actual_duration_min: Decimal


@dataclass(frozen=True)
class DeviceCalculation:
    """A fixed nasal dose: how many 28 mg devices, and the rest between them."""

    dose_mg: Decimal
    requested_dose_mg: Decimal
    capped: bool
    max_dose_mg: Decimal | None
    devices: int
    device_mg: Decimal
    rest_between_devices_min: int | None


def _positive(errors: dict[str, str], name: str, value: Decimal | None, *, zero_ok: bool = False):
    if value is None:
        errors[name] = "is required"
    elif value < 0 or (value == 0 and not zero_ok):
        errors[name] = "must be greater than 0" if not zero_ok else "must not be negative"


def calculate_infusion(
    rule: DoseRule,
    *,
    weight_kg: Decimal,
    concentration_mg_per_ml: Decimal,
    bag_volume_ml: Decimal,
    dose_mg_per_kg: Decimal | None = None,
    duration_min: int | None = None,
) -> InfusionCalculation:
    """Dose, draw volume, bag volume and pump rate for a mg/kg infusion.

    The drawn drug is added to the bag (nothing is withdrawn first), so the infusion volume
    is bag + draw. The dose never exceeds max_mg_per_kg x weight, nor max_dose_mg when the
    protocol sets one (then it is capped and flagged).
    """
    if rule.basis != MG_PER_KG:
        raise DoseInputError({"protocol": "is not a weight-based (mg/kg) protocol"})
    per_kg = Decimal(dose_mg_per_kg) if dose_mg_per_kg is not None else rule.default_mg_per_kg
    minutes = duration_min if duration_min is not None else rule.default_duration_min
    errors: dict[str, str] = {}
    _positive(errors, "weight_kg", weight_kg)
    _positive(errors, "concentration_mg_per_ml", concentration_mg_per_ml)
    _positive(errors, "bag_volume_ml", bag_volume_ml, zero_ok=True)
    if per_kg is None:
        errors["dose_mg_per_kg"] = "is required (the protocol has no default)"
    elif (rule.min_mg_per_kg is not None and per_kg < rule.min_mg_per_kg) or (
        rule.max_mg_per_kg is not None and per_kg > rule.max_mg_per_kg
    ):
        errors["dose_mg_per_kg"] = (
            f"must be between {rule.min_mg_per_kg} and {rule.max_mg_per_kg} mg/kg ({rule.source})"
        )
    if minutes is None:
        errors["duration_min"] = "is required (the protocol has no default)"
    elif minutes <= 0 or (
        (rule.min_duration_min is not None and minutes < rule.min_duration_min)
        or (rule.max_duration_min is not None and minutes > rule.max_duration_min)
    ):
        errors["duration_min"] = (
            f"must be between {rule.min_duration_min} and {rule.max_duration_min} min "
            f"({rule.source})"
        )
    if errors:
        raise DoseInputError(errors)
    weight = Decimal(weight_kg)
    raw = (weight * per_kg).quantize(DOSE_STEP_MG, ROUND_DOWN)
    ceiling = (weight * (rule.max_mg_per_kg or per_kg)).quantize(DOSE_STEP_MG, ROUND_DOWN)
    if rule.max_dose_mg is not None:
        ceiling = min(ceiling, rule.max_dose_mg)
    capped = raw > ceiling
    dose = min(raw, ceiling)
    draw = (dose / Decimal(concentration_mg_per_ml)).quantize(VOLUME_STEP_ML, ROUND_HALF_UP)
    volume = (Decimal(bag_volume_ml) + draw).quantize(VOLUME_STEP_ML, ROUND_HALF_UP)
    exact_rate = volume * 60 / Decimal(minutes)
    step = rule.pump_rate_step_ml_per_h
    rate = (exact_rate / step).to_integral_value(ROUND_DOWN) * step
    if rate <= 0:
        raise DoseInputError({"bag_volume_ml": "gives no volume to infuse"})
    actual = (volume * 60 / rate).quantize(MINUTES_STEP, ROUND_HALF_UP)
    return InfusionCalculation(
        dose_mg=dose,
        dose_mg_per_kg=per_kg,
        capped=capped,
        max_dose_mg=ceiling,
        draw_volume_ml=draw,
        infusion_volume_ml=volume,
        duration_min=minutes,
        rate_ml_per_h=rate.quantize(step),
        actual_duration_min=actual,
    )


def calculate_devices(rule: DoseRule, *, dose_mg: Decimal) -> DeviceCalculation:
    """Number of nasal devices for a fixed dose (28 mg each), capped at the protocol maximum."""
    if rule.basis != FIXED_MG or rule.device_mg is None:
        raise DoseInputError({"protocol": "is not a device-based (fixed mg) protocol"})
    requested = Decimal(dose_mg)
    allowed = ", ".join(str(d) for d in rule.allowed_doses_mg)
    if requested not in rule.allowed_doses_mg:
        raise DoseInputError({"dose_mg": f"must be one of {allowed} mg ({rule.source})"})
    dose = requested
    capped = rule.max_dose_mg is not None and requested > rule.max_dose_mg
    if capped:
        dose = rule.max_dose_mg
    devices = dose / rule.device_mg
    if devices != devices.to_integral_value():
        raise DoseInputError({"dose_mg": f"must be a whole number of {rule.device_mg} mg devices"})
    return DeviceCalculation(
        dose_mg=dose,
        requested_dose_mg=requested,
        capped=capped,
        max_dose_mg=rule.max_dose_mg,
        devices=int(devices),
        device_mg=rule.device_mg,
        rest_between_devices_min=rule.rest_between_devices_min,
    )


# --- cumulative exposure ---------------------------------------------------------------------


@dataclass(frozen=True)
class Exposure:
    """Sessions and total mg given in a window ending on `as_of` (inclusive)."""

    window_start: datetime.date
    as_of: datetime.date
    sessions: int
    total_mg: Decimal


def cumulative_exposure(
    doses: Iterable[tuple[datetime.date, Decimal]], as_of: datetime.date, window_days: int = 30
) -> Exposure:
    """Count doses given in the `window_days` days up to and including `as_of`."""
    start = as_of - datetime.timedelta(days=window_days - 1)
    given = [(day, Decimal(mg)) for day, mg in doses if start <= day <= as_of]
    return Exposure(start, as_of, len(given), sum((mg for _, mg in given), Decimal("0")))


def exposure_warnings(exposure: Exposure, limit: ExposureLimit) -> list[str]:
    """Dependence-risk warnings when exposure is above the protocol's (configurable) limit."""
    warnings = []
    if limit.max_sessions is not None and exposure.sessions > limit.max_sessions:
        warnings.append(
            f"{exposure.sessions} sessions in {limit.window_days} days is above the limit of "
            f"{limit.max_sessions} ({limit.source})."
        )
    if limit.max_mg is not None and exposure.total_mg > limit.max_mg:
        warnings.append(
            f"{exposure.total_mg} mg in {limit.window_days} days is above the limit of "
            f"{limit.max_mg} mg ({limit.source})."
        )
    return warnings
