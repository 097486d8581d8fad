"""Course reads, scoped to the actor's clinic: a patient's courses, the active one, exposure."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require
from ketaclinic.patients.queries import patient_record
from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.protocols import rules as protocol_rules
from ketaclinic.protocols.definitions import ProtocolDefinition
from ketaclinic.treatments.models import (
    Course,
    CourseStatus,
    DoseOrder,
    SessionStatus,
    TreatmentSession,
)


def current_course(patient):
    """The patient's active course, or None."""
    return (
        Course.objects.filter(
            clinic_id=patient.clinic_id, patient=patient, status=CourseStatus.ACTIVE
        )
        .order_by("-start_date")
        .first()
    )


def current_courses(clinic_id, patient_ids) -> dict:
    """Each patient's active course (the latest started) by patient id, with its protocol
    version: one query whatever the number of patients."""
    found: dict = {}
    rows = (
        Course.objects.filter(
            clinic_id=clinic_id, patient_id__in=list(patient_ids), status=CourseStatus.ACTIVE
        )
        .select_related("protocol_version")
        .order_by("patient_id", "-start_date")
    )
    for course in rows:
        found.setdefault(course.patient_id, course)
    return found


def current_course_started_on(patient: Any) -> datetime.date | None:
    """Start date of the patient's active course; None when there is none."""
    course = current_course(patient)
    return course.start_date if course else None


def latest_course_started_on(patient: Any) -> datetime.date | None:
    """Start date of the course the patient's scores are judged against: the active course,
    else the most recent one (a course ended keeps its own baseline, as the outcome dashboard
    counts it); None for a patient never treated."""
    course = latest_course(patient)
    return course.start_date if course else None


def latest_course(patient):
    """The active course, else the most recent one; None for a patient never treated."""
    courses = Course.objects.filter(clinic_id=patient.clinic_id, patient=patient).select_related(
        "protocol_version", "patient", "patient__clinic"
    )
    active = courses.filter(status=CourseStatus.ACTIVE).first()
    return active or courses.order_by("-start_date", "-created_at").first()


def course_sessions(course, *, include_aborted: bool = True):
    """The sessions of a course in order (the planned and the run ones)."""
    sessions = TreatmentSession.objects.filter(clinic_id=course.clinic_id, course=course)
    if not include_aborted:
        sessions = sessions.exclude(status=SessionStatus.ABORTED)
    return sessions.order_by("number")


def clinic_courses(clinic):
    """Every course of a clinic with its patient, oldest first (the demo steps use it)."""
    return (
        Course.objects.filter(clinic_id=getattr(clinic, "pk", clinic))
        .select_related("patient")
        .order_by("start_date", "created_at")
    )


def active_courses(user):
    """The clinic's active courses with their patient and protocol version."""
    return (
        Course.objects.visible_to(user)
        .filter(status=CourseStatus.ACTIVE)
        .select_related("patient", "protocol_version")
    )


def course_statuses(user, patient_ids) -> list[tuple]:
    """(patient id, course status) of every course of these patients."""
    return list(
        Course.objects.visible_to(user)
        .filter(patient_id__in=patient_ids)
        .values_list("patient_id", "status")
    )


def rems_enrollment(patient, course=None) -> bool | None:
    """The patient's confirmed Spravato REMS enrollment: on this course, else the latest
    confirmation on another course; None when nobody has confirmed it."""
    if course is not None and course.rems_enrolled is not None:
        return course.rems_enrolled
    return (
        Course.objects.filter(
            clinic_id=patient.clinic_id, patient=patient, rems_enrolled__isnull=False
        )
        .order_by("-rems_enrollment_confirmed_at")
        .values_list("rems_enrolled", flat=True)
        .first()
    )


def courses_of(user, patient):
    """The patient's courses, newest first."""
    courses = patient_record(user, "course.view", Course, patient)
    return courses.select_related("protocol_version", "started_by").order_by(
        "-start_date", "-created_at"
    )


def access_course(user, course_id, *, action: str = "course.view"):
    """A course of the user's clinic, or NotFound (also for other clinics' ids)."""
    require(user, action)
    try:
        course_id = uuid.UUID(str(course_id))
    except ValueError:
        raise NotFound("No such course.") from None
    course = (
        Course.objects.visible_to(user)
        .select_related("patient", "patient__clinic", "protocol_version")
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise NotFound("No such course.")
    return course


def courses_with_sessions(user, course_ids, *, action: str = "course.view") -> list:
    """Courses of the user's clinic among these ids, each with its sessions in order (and their
    orders) prefetched as `course.ordered_sessions`: two queries, whatever the number of
    courses. Ids of other clinics are left out."""
    require(user, action)
    ids = []
    for course_id in course_ids:
        try:
            ids.append(uuid.UUID(str(course_id)))
        except ValueError:
            continue
    sessions = (
        TreatmentSession.objects.filter(clinic_id=user.clinic_id)
        .prefetch_related("orders")
        .order_by("number")
    )
    return list(
        Course.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("patient", "patient__clinic", "protocol_version")
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="ordered_sessions"))
    )


def doses_given(patient, drug: str, since: datetime.date) -> list[tuple[datetime.date, Decimal]]:
    """(clinic-local date, mg) of every dose of a drug started for the patient since a date."""
    tz = patient.clinic.tz
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=tz)
    rows = DoseOrder.objects.filter(
        clinic_id=patient.clinic_id,
        session__patient=patient,
        session__dose_started_at__gte=start,
    ).values_list("session__dose_started_at", "dose_mg", "session__protocol_code")
    drugs: dict[str, str] = {}
    given = []
    for at, mg, code in rows:
        if code not in drugs:
            try:
                drugs[code] = protocol_queries.protocol_facts(patient.clinic_id, code).drug
            except protocol_queries.UnknownProtocol:
                drugs[code] = ""
        if drugs[code] == drug:
            given.append((at.astimezone(tz).date(), mg))
    return given


@dataclass(frozen=True)
class ExposureView:
    """Cumulative exposure of a patient to one drug, with the protocol's limit and warnings."""

    drug: str
    protocol: str
    window_days: int
    window_start: datetime.date
    as_of: datetime.date
    sessions: int
    total_mg: Decimal
    max_sessions: int | None
    max_mg: Decimal | None
    limit_source: str
    warnings: list[str]


def exposure_of(patient, definition: ProtocolDefinition, as_of: datetime.date) -> ExposureView:
    """Sessions and mg of the protocol's drug in its window, warned above its limit."""
    limit = definition.exposure
    since = as_of - datetime.timedelta(days=limit.window_days - 1)
    exposure = protocol_rules.cumulative_exposure(
        doses_given(patient, definition.drug, since), as_of, limit.window_days
    )
    return ExposureView(
        drug=definition.drug,
        protocol=definition.code,
        as_of=as_of,
        limit_source=limit.source,
        warnings=protocol_rules.exposure_warnings(exposure, limit),
        **{name: getattr(exposure, name) for name in ("window_start", "sessions", "total_mg")},
        **{name: getattr(limit, name) for name in ("window_days", "max_sessions", "max_mg")},
    )


def course_definition(course) -> ProtocolDefinition:
    """The definition of the protocol version a course was planned under."""
    return protocol_queries.definition_of(course.protocol_version)
