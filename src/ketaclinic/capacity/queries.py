"""Capacity reads, scoped to the actor's clinic, and the planner's view of the resources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ketaclinic.accounts.queries import staff_here
from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require
from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.treatments import queries as treatment_queries

from . import planner
from .models import WEEKDAYS, Chair, OpeningHours, ShiftRole, StaffingRules, StaffShift

WEEKDAY_NAMES = dict(WEEKDAYS)


def _one(rows, key, missing: str):
    row = rows.filter(pk=key).first()
    if row is None:
        raise NotFound(missing)
    return row


def chairs(user, *, include_inactive: bool = True):
    require(user, "capacity.view")
    rows = Chair.objects.visible_to(user)
    return rows if include_inactive else rows.filter(active=True)


def access_chair(user, chair_id, *, action: str = "capacity.view") -> Chair:
    require(user, action)
    return _one(Chair.objects.visible_to(user), chair_id, "No such chair.")


def opening_hours(user) -> dict[int, OpeningHours]:
    """The clinic's hours by weekday (Monday = 0); a missing weekday is closed."""
    require(user, "capacity.view")
    return {row.weekday: row for row in OpeningHours.objects.visible_to(user)}


def staffing_rules(user) -> StaffingRules:
    """The clinic's rules; an unsaved row with no ratio when none were entered yet."""
    require(user, "capacity.view")
    row = StaffingRules.objects.visible_to(user).first()
    return row or StaffingRules(clinic_id=user.clinic_id)


def shifts_in_week(user, week_start: dt.date):
    require(user, "capacity.view")
    return (
        StaffShift.objects.visible_to(user)
        .filter(date__gte=week_start, date__lt=week_start + dt.timedelta(days=7))
        .select_related("staff")
    )


def access_shift(user, shift_id, *, action: str = "capacity.view") -> StaffShift:
    require(user, action)
    return _one(StaffShift.objects.visible_to(user), shift_id, "No such shift.")


def schedulable_staff(user):
    """Active nurses and prescribers who work at the clinic (who can be given a shift): its own,
    and those of other locations who hold the role here (`role_here`)."""
    require(user, "capacity.view")
    return staff_here(user.clinic_id, ShiftRole.values)


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week a date falls in."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class PlanningResources:
    """The resources part of a planner input, and what is missing before planning."""

    chairs: tuple[planner.Chair, ...]
    shifts: tuple[planner.Shift, ...]
    opening: tuple[planner.TimeWindow, ...]
    staffing: planner.StaffingRules
    missing: tuple[str, ...]


def planning_resources(
    user,
    week_start: dt.date,
    *,
    open_weekdays=None,
    closed_dates=frozenset(),
    days: int = 7,
) -> PlanningResources:
    """The clinic's chairs, shifts, hours and rules for one week, as planner input.

    The clinic calendar's open weekdays and closed dates are passed in by the caller that
    owns them; a day is open when the calendar opens it and it has hours here.
    """
    require(user, "capacity.view")
    hours = opening_hours(user)
    rules = staffing_rules(user)
    planner_chairs = tuple(
        planner.Chair(
            id=str(c.id),
            name=c.name,
            capabilities=frozenset(
                kind
                for kind, flag in ((planner.IV, c.iv_infusion), (planner.ESKETAMINE, c.esketamine))
                if flag
            ),
            location=c.location,
        )
        for c in chairs(user, include_inactive=False)
    )
    shifts = tuple(
        planner.Shift(str(s.staff_id), s.role, s.date, s.starts_at, s.ends_at)
        for s in StaffShift.objects.visible_to(user).filter(
            date__gte=week_start, date__lt=week_start + dt.timedelta(days=days)
        )
    )
    opening = planner.week_hours(
        week_start,
        {weekday: (row.opens, row.closes) for weekday, row in hours.items()},
        closed_dates=closed_dates,
        open_weekdays=open_weekdays,
        days=days,
    )
    missing = []
    if rules.chairs_per_nurse is None:
        missing.append("Set how many chairs one nurse may watch at once (staffing rules).")
    if not planner_chairs:
        missing.append("Add at least one active chair.")
    if open_weekdays is not None:
        for weekday in sorted(set(open_weekdays) - set(hours)):
            missing.append(f"The clinic calendar opens on {WEEKDAY_NAMES[weekday]}: set its hours.")
    if not any(s.role == planner.NURSE for s in shifts):
        missing.append("Enter the nurses' shifts for the week.")
    prescriber_for = frozenset(
        kind
        for kind, flag in (
            (planner.ESKETAMINE, rules.prescriber_for_esketamine),
            (planner.IV, rules.prescriber_for_iv),
        )
        if flag
    )
    return PlanningResources(
        chairs=planner_chairs,
        shifts=shifts,
        opening=opening,
        staffing=planner.StaffingRules(rules.chairs_per_nurse, prescriber_for),
        missing=tuple(missing),
    )


@dataclass(frozen=True)
class ChairUtilisation:
    """How much of a location's open chair time its sessions took, over clinic-local dates.

    open_minutes: each open day's hours (its opening hours, on the calendar's open weekdays,
    not a closed date) times the chairs active now. used_minutes: check-in to discharge of the
    sessions dated in the range."""

    date_from: dt.date
    date_to: dt.date
    chairs: int
    open_minutes: int
    sessions: int
    used_minutes: int

    @property
    def percent(self) -> Decimal | None:
        if not self.open_minutes:
            return None
        value = Decimal(self.used_minutes) * 100 / Decimal(self.open_minutes)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def chair_utilisation(clinic, date_from: dt.date, date_to: dt.date) -> ChairUtilisation:
    """One location's chair utilisation. No permission check: for the network report, which
    authorizes its reader (a few indexed reads, however long the history)."""
    chairs = Chair.objects.filter(clinic_id=clinic.pk, active=True).count()
    hours = {
        row.weekday: (row.opens, row.closes)
        for row in OpeningHours.objects.filter(clinic_id=clinic.pk)
    }
    weekdays, closed = protocol_queries.clinic_calendar(clinic.pk)
    days = (date_to - date_from).days + 1
    windows = planner.week_hours(
        date_from, hours, closed_dates=closed, open_weekdays=weekdays, days=days
    )
    minute = planner.inputs.minute_of_day
    open_minutes = chairs * sum(minute(w.end) - minute(w.start) for w in windows)
    sessions, used = treatment_queries.chair_minutes(clinic.pk, date_from, date_to)
    return ChairUtilisation(date_from, date_to, chairs, open_minutes, sessions, used)
