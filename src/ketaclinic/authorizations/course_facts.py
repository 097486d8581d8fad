"""Every read this app makes about courses and sessions, as plain dataclasses.

Courses and sessions belong to another app (today `treatments`; their protocol definitions to
`protocols`). This module is the only place that knows where they live: it calls their public
query functions and hands back frozen dataclasses, so that when they move only this module
changes.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.treatments import queries as session_queries

from . import rules
from .shapes import same_named

# Status words of the owning apps, read here only (a course that runs; a cancelled session).
ACTIVE_COURSE = "active"
ABORTED_SESSION = "aborted"


@dataclass(frozen=True)
class SessionFact:
    id: uuid.UUID
    number: int
    phase: str
    scheduled_date: datetime.date
    status: str
    dosed_on: datetime.date | None  # the clinic-local day the dose started
    devices_given: int
    dose_mg: Decimal | None  # the ordered dose once ordered, else the planned dose
    planned_dose_mg: Decimal | None

    @property
    def dosed(self) -> bool:
        return self.dosed_on is not None

    @property
    def cancelled(self) -> bool:
        """Ended without a dose: it draws no unit and is not planned any more."""
        return self.status == ABORTED_SESSION and not self.dosed


@dataclass(frozen=True)
class CourseFact:
    id: uuid.UUID
    patient_id: uuid.UUID
    protocol_code: str
    protocol_name: str
    drug: str
    route: str
    start_date: datetime.date
    status: str
    rems_enrolled: bool | None
    device_mg: Decimal | None
    sessions: tuple[SessionFact, ...]

    @property
    def active(self) -> bool:
        return self.status == ACTIVE_COURSE

    @property
    def planned(self) -> tuple[SessionFact, ...]:
        """Sessions not cancelled, in order: the schedule a payer is asked to authorize."""
        return tuple(s for s in self.sessions if not s.cancelled)

    @property
    def dosed_count(self) -> int:
        return sum(1 for s in self.sessions if s.dosed)

    @property
    def devices_count(self) -> int:
        return sum(s.devices_given for s in self.sessions if s.dosed)

    def visits(self) -> list[rules.Visit]:
        """Sessions as the unit rules see them: given ones by their dose day, the rest (of an
        active course) by their scheduled day."""
        visits = []
        for s in self.sessions:
            if s.dosed:
                visits.append(
                    rules.Visit(s.number, s.dosed_on, True, s.devices_given or None, s.dose_mg)
                )
            elif not s.cancelled and self.active:
                devices = rules.planned_devices(s.dose_mg, self.device_mg)
                visits.append(rules.Visit(s.number, s.scheduled_date, False, devices, s.dose_mg))
        return visits


@dataclass(frozen=True)
class ProtocolChoice:
    code: str
    name: str
    drug: str


def _session(row, tz) -> SessionFact:
    order = getattr(row, "order", None)
    dosed_on = timezone.localtime(row.dose_started_at, tz).date() if row.dose_started_at else None
    return SessionFact(
        **same_named(row, "id number phase scheduled_date status planned_dose_mg"),
        dosed_on=dosed_on,
        devices_given=row.devices_given or 0,
        dose_mg=order.dose_mg if order is not None else row.planned_dose_mg,
    )


def _fact(course, tz) -> CourseFact:
    definition = session_queries.course_definition(course)
    # The course row's own sessions (reverse relation): no query function lists them for a
    # reader without clinical rights, and the front desk needs the schedule, not the chart.
    # Prefetched when the courses were read in a batch (`courses_with_sessions`).
    rows = getattr(course, "ordered_sessions", None)
    if rows is None:
        rows = course.sessions.prefetch_related("orders").order_by("number")
    return CourseFact(
        **same_named(course, "id patient_id protocol_code start_date status rems_enrolled"),
        **same_named(definition, "drug route"),
        protocol_name=definition.name,
        device_mg=getattr(definition.dose, "device_mg", None),
        sessions=tuple(_session(row, tz) for row in rows),
    )


def course_for(user, course_id, *, action: str) -> CourseFact:
    """A course of the user's clinic that `action` may read; NotFound otherwise."""
    course = session_queries.access_course(user, course_id, action=action)
    return _fact(course, user.clinic.tz)


def courses_for(user, course_ids, *, action: str) -> dict[uuid.UUID, CourseFact]:
    """Courses by id, in the order asked (ids the clinic does not have are left out); three
    queries whatever the number of courses."""
    wanted = list(dict.fromkeys(course_ids))
    if not wanted:
        return {}
    rows = {c.id: c for c in session_queries.courses_with_sessions(user, wanted, action=action)}
    tz = user.clinic.tz
    return {cid: _fact(rows[cid], tz) for cid in wanted if cid in rows}


@dataclass(frozen=True)
class CurrentCourse:
    """A patient's active course as the work queue names it (no sessions)."""

    id: uuid.UUID
    protocol_name: str
    start_date: datetime.date
    drug: str


def current_courses_of(user, patient_ids) -> dict[uuid.UUID, CurrentCourse]:
    """The active course of each of these patients of the user's clinic, by patient id: one
    query whatever their number."""
    found = {}
    for patient_id, course in session_queries.current_courses(user.clinic_id, patient_ids).items():
        definition = session_queries.course_definition(course)
        found[patient_id] = CurrentCourse(
            course.id, definition.name, course.start_date, definition.drug
        )
    return found


def current_course_for(patient) -> CourseFact | None:
    """The patient's active course, if any (the caller has checked the user's rights)."""
    course = session_queries.current_course(patient)
    return _fact(course, patient.clinic.tz) if course is not None else None


@dataclass(frozen=True)
class CourseHead:
    """What the coverage tab says of the active course: no session rows, a count."""

    id: uuid.UUID
    protocol_name: str
    start_date: datetime.date
    planned_count: int  # sessions not cancelled (SessionFact.cancelled), counted by the database


def current_course_head(patient) -> CourseHead | None:
    """The patient's active course, its sessions counted (the caller has checked the rights)."""
    course = session_queries.current_course(patient)
    if course is None:
        return None
    # SessionFact.cancelled, as a database filter: ended without a dose
    planned = session_queries.course_sessions(course).exclude(
        status=ABORTED_SESSION, dose_started_at__isnull=True
    )
    return CourseHead(
        id=course.id,
        protocol_name=session_queries.course_definition(course).name,
        start_date=course.start_date,
        planned_count=planned.count(),
    )


def session_course(user, session_id, *, action: str) -> tuple[uuid.UUID, int]:
    """(course id, session number) of a session of the user's clinic; NotFound otherwise."""
    session = session_queries.access_session(user, session_id, action=action)
    return session.course_id, session.number


def protocol_choices(user) -> list[ProtocolChoice]:
    """Protocols the clinic can plan a course under (for an authorization before a course)."""
    return [
        ProtocolChoice(row.code, row.definition.name, row.definition.drug)
        for row in protocol_queries.protocols_for(user)
    ]


def protocol_drug(clinic, code: str) -> str | None:
    """The drug of a protocol code in the clinic, or None for an unknown code."""
    try:
        return protocol_queries.protocol_facts(clinic, code).drug
    except protocol_queries.UnknownProtocol:
        return None


def rems_enrollment(patient, course: CourseFact | None = None) -> bool | None:
    """The patient's confirmed Spravato REMS enrollment: as the course records it, else the
    latest confirmation on any of the patient's courses; None when nobody confirmed it."""
    if course is not None and course.rems_enrolled is not None:
        return course.rems_enrolled
    return session_queries.rems_enrollment(patient)
