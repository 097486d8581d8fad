"""Pure protocol rules: course schedules, rescheduling checks and cumulative exposure."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from ketaclinic.protocols.definitions import (
    FIXED_MG,
    ExposureLimit,
    ProtocolDefinition,
    SchedulePhase,
)
from ketaclinic.protocols.dosing import (  # noqa: F401 (the dose math, read here by other apps)
    DOSE_STEP_MG,
    DeviceCalculation,
    DoseInputError,
    DosingWeight,
    InfusionCalculation,
    allowed_doses,
    calculate_devices,
    calculate_infusion,
    dosing_weight,
    first_dose,
    label_doses,
    max_dose_note,
    rounding_text,
)
from ketaclinic.protocols.sources import ACTUAL

ALL_WEEKDAYS = frozenset(range(7))  # Monday = 0, as datetime.date.weekday()
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ProtocolNotConfigured(ValueError):
    """The protocol is a clinic-defined placeholder: a course cannot be planned under it yet."""


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
) -> tuple[Decimal | None, Decimal | None, str]:
    """(planned mg, planned mg/kg, warning): an IV plan shows no mg it could not order."""
    dose = protocol.dose
    if dose.basis == FIXED_MG:
        if number == 1 and dose.first_dose_mg is not None:
            return first_dose(protocol, age_years), None, ""
        return phase.planned_dose_mg, None, ""
    per_kg = phase.planned_dose_mg_per_kg or dose.default_mg_per_kg
    if per_kg is None or weight_kg is None or dose.dosing_weight != ACTUAL:
        # Ideal or adjusted body weight needs height and sex: the mg is set at the order.
        return None, per_kg, ""
    mg = (Decimal(weight_kg) * per_kg).quantize(DOSE_STEP_MG, ROUND_DOWN)
    if dose.max_dose_mg is not None and mg > dose.max_dose_mg:
        return (
            None,
            per_kg,
            f"At {per_kg} mg/kg, {weight_kg} kg gives {mg} mg, above the clinic's maximum of "
            f"{dose.max_dose_mg} mg per session: the order needs a lower mg/kg.",
        )
    return mg, per_kg, ""


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
                mg, per_kg, warning = _planned_dose(protocol, phase, number, weight_kg, age_years)
                if warning and warning not in warnings:
                    warnings.append(warning)
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
