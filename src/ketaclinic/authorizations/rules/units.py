"""Which approved authorization covers each session of a course, units used, and the warnings.

Units are never stored as a running count: they are computed here from the course's sessions
every time, so they cannot drift from what was actually given.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Unit(StrEnum):
    SESSION = "session"
    DEVICE = "device"


UNIT_LABELS = {Unit.SESSION: "sessions", Unit.DEVICE: "devices"}


@dataclass(frozen=True)
class Grant:
    """An approved authorization as the rules see it."""

    key: str
    valid_from: datetime.date
    valid_to: datetime.date
    units: int
    unit: str = Unit.SESSION
    dose_mg: Decimal | None = None
    units_per_session: int | None = None
    label: str = ""
    # False once marked expired: it still covers what was given under it, nothing planned.
    active: bool = True

    def covers(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class Visit:
    """A session of the course: given (dosed) or still planned."""

    number: int
    day: datetime.date  # the day the dose was given, else the day it is scheduled
    dosed: bool
    devices: int | None = None  # devices given, or planned for the planned dose; None unknown
    dose_mg: Decimal | None = None  # the ordered dose when given, else the planned dose


class Problem(StrEnum):
    NO_APPROVAL = "no_approval"
    OUTSIDE_DATES = "outside_dates"
    UNITS_USED_UP = "units_used_up"


PROBLEM_TEXT = {
    Problem.NO_APPROVAL: "no approved authorization",
    Problem.OUTSIDE_DATES: "outside the approved dates",
    Problem.UNITS_USED_UP: "the approved units are used up",
}


@dataclass(frozen=True)
class VisitCoverage:
    visit: Visit
    grant: str | None
    units: int
    problem: Problem | None = None
    dose_above: Decimal | None = None  # the approved dose per session this visit exceeds

    @property
    def covered(self) -> bool:
        return self.grant is not None


def planned_devices(dose_mg: Decimal | None, device_mg: Decimal | None) -> int | None:
    """Devices a planned dose needs (56 mg of 28 mg devices: 2); None when it cannot tell."""
    if dose_mg is None or not device_mg:
        return None
    return math.ceil(dose_mg / device_mg)


def units_needed(visit: Visit, grant: Grant) -> int:
    if grant.unit == Unit.DEVICE:
        if visit.devices:
            return visit.devices
        return grant.units_per_session or 1
    return 1


def allocate(
    visits: Sequence[Visit], grants: Sequence[Grant], today: datetime.date | None = None
) -> list[VisitCoverage]:
    """Each visit, in date order, drawn from the approval valid on its day with units left
    (the one expiring first when several are); uncovered visits say why.

    With `today`, planned visits before today that were never given are left out: a missed
    session draws no unit (it is moved or cancelled)."""
    left = {g.key: g.units for g in grants}
    result = []
    if today is not None:
        visits = [v for v in visits if v.dosed or v.day >= today]
    for visit in sorted(visits, key=lambda v: (v.day, v.number)):
        usable = [g for g in grants if g.active or visit.dosed]
        dated = sorted((g for g in usable if g.covers(visit.day)), key=lambda g: g.valid_to)
        chosen = next((g for g in dated if left[g.key] >= units_needed(visit, g)), None)
        if chosen is None:
            if not usable:
                problem = Problem.NO_APPROVAL
            elif not dated:
                problem = Problem.OUTSIDE_DATES
            else:
                problem = Problem.UNITS_USED_UP
            result.append(VisitCoverage(visit, None, 0, problem))
            continue
        drawn = units_needed(visit, chosen)
        left[chosen.key] -= drawn
        above = (
            chosen.dose_mg
            if chosen.dose_mg is not None
            and visit.dose_mg is not None
            and visit.dose_mg > chosen.dose_mg
            else None
        )
        result.append(VisitCoverage(visit, chosen.key, drawn, None, above))
    return sorted(result, key=lambda c: c.visit.number)


@dataclass(frozen=True)
class Usage:
    """An approval's units: approved, drawn by sessions given, and drawn by planned ones."""

    grant: Grant
    used: int
    planned: int

    @property
    def left(self) -> int:
        return self.grant.units - self.used

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[Unit(self.grant.unit)]


def usage(grant: Grant, coverage: Sequence[VisitCoverage]) -> Usage:
    mine = [c for c in coverage if c.grant == grant.key]
    return Usage(
        grant,
        used=sum(c.units for c in mine if c.visit.dosed),
        planned=sum(c.units for c in mine if not c.visit.dosed),
    )


@dataclass(frozen=True)
class AuthorizationWarning:
    """Something the front desk should act on; `day` is when it bites (for sorting)."""

    kind: str
    message: str
    day: datetime.date
    session_number: int | None = None
    details: dict = field(default_factory=dict, compare=False)


def _numbers(visits: Sequence[Visit]) -> str:
    numbers = [v.number for v in visits]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


def course_warnings(
    visits: Sequence[Visit],
    grants: Sequence[Grant],
    today: datetime.date,
    *,
    in_process: bool = False,
) -> list[AuthorizationWarning]:
    """Warnings for one course: units that run out before the planned sessions end, sessions
    scheduled outside an approval, sessions given without one, doses above the approved dose.

    Planned sessions before today that were never given are left out (missed, to be moved).
    `in_process`: an authorization is submitted or pending, so sessions without any approval
    are waiting for it rather than forgotten.
    """
    coverage = allocate(visits, grants, today)
    ahead = [c for c in coverage if not c.visit.dosed]
    warnings: list[AuthorizationWarning] = []
    short = [c.visit for c in ahead if c.problem == Problem.UNITS_USED_UP]
    if short:
        first = short[0]
        # Only approvals that can still cover a planned session count: one marked expired or
        # whose dates are over keeps what was given under it, and its unused units are gone.
        usable = [g for g in grants if g.active and g.valid_to >= today]
        usages = [usage(g, coverage) for g in usable]
        approved = sum(u.grant.units for u in usages)
        used = sum(u.used for u in usages)
        ended = len(grants) - len(usable)
        not_counted = (
            f"; {ended} approval{'s' if ended > 1 else ''} ended or expired, not counted"
            if ended
            else ""
        )
        warnings.append(
            AuthorizationWarning(
                "units_short",
                f"The approved units run out before the course ends: planned session "
                f"{first.number} on {first.day.isoformat()} is the first not covered "
                f"({len(short)} of {len(ahead)} planned sessions not covered; {approved} "
                f"approved, {used} used, {approved - used} left{not_counted}).",
                first.day,
                first.number,
                {"sessions": [v.number for v in short], "left": approved - used},
            )
        )
    outside = [c.visit for c in ahead if c.problem == Problem.OUTSIDE_DATES]
    if outside:
        periods = "; ".join(
            f"{g.valid_from.isoformat()} to {g.valid_to.isoformat()}"
            for g in sorted(grants, key=lambda g: g.valid_from)
        )
        warnings.append(
            AuthorizationWarning(
                "outside_dates",
                f"Session{'s' if len(outside) > 1 else ''} {_numbers(outside)} (from "
                f"{outside[0].day.isoformat()}) scheduled outside the approved dates ({periods}).",
                outside[0].day,
                outside[0].number,
                {"sessions": [v.number for v in outside]},
            )
        )
    waiting = [c.visit for c in ahead if c.problem == Problem.NO_APPROVAL]
    if waiting:
        state = "the authorization is still in process" if in_process else "none is on file"
        warnings.append(
            AuthorizationWarning(
                "not_approved",
                f"{len(waiting)} planned session{'s' if len(waiting) > 1 else ''} (from "
                f"{waiting[0].day.isoformat()}, session {waiting[0].number}) without an "
                f"approved authorization: {state}.",
                waiting[0].day,
                waiting[0].number,
                {"sessions": [v.number for v in waiting]},
            )
        )
    for c in coverage:
        if c.visit.dosed and not c.covered:
            warnings.append(
                AuthorizationWarning(
                    "given_uncovered",
                    f"Session {c.visit.number} on {c.visit.day.isoformat()} was given with "
                    f"{PROBLEM_TEXT[c.problem]}.",
                    c.visit.day,
                    c.visit.number,
                )
            )
    for c in coverage:
        if c.dose_above is not None and (c.visit.dosed or c.visit.day >= today):
            warnings.append(
                AuthorizationWarning(
                    "dose_above_approved",
                    f"Session {c.visit.number} on {c.visit.day.isoformat()}: "
                    f"{c.visit.dose_mg.normalize():f} mg is above the approved "
                    f"{c.dose_above.normalize():f} mg per session.",
                    c.visit.day,
                    c.visit.number,
                )
            )
    return sorted(warnings, key=lambda w: w.day)


def expiry_warning(
    grant: Grant, today: datetime.date, within_days: int
) -> AuthorizationWarning | None:
    """An approval expiring within `within_days` days, or already past its last day."""
    days = (grant.valid_to - today).days
    name = f"Approval {grant.label}" if grant.label else "The approval"
    if days < 0:
        return AuthorizationWarning(
            "expired",
            f"{name} ended on {grant.valid_to.isoformat()}: renew it, or mark it expired.",
            grant.valid_to,
        )
    if days <= within_days:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return AuthorizationWarning(
            "expiring",
            f"{name} expires on {grant.valid_to.isoformat()} ({when}).",
            grant.valid_to,
            details={"days_left": days},
        )
    return None
