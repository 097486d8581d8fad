"""Protocol reads: a protocol's facts and definition in a clinic, courses, calendar, exposure."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ketaclinic.protocols.definitions import PROTOCOLS, ProtocolDefinition
from ketaclinic.protocols.editing import from_data

# Monday-Friday until a clinic sets its own open days (a planning default, not clinical).
DEFAULT_OPEN_WEEKDAYS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class ProtocolFacts:
    """What other apps need to know about a protocol code (drug, route, consent type)."""

    code: str
    name: str
    drug: str
    route: str
    consent_type: str


class UnknownProtocol(LookupError):
    """No built-in protocol and no copy in this clinic has that code."""


def _clinic_id(clinic: Any):
    return getattr(clinic, "pk", clinic)


def latest_version(clinic: Any, code: str):
    """The clinic's newest ProtocolVersion row for the code, or None."""
    if clinic is None:
        return None
    from ketaclinic.protocols.models import ProtocolVersion

    return (
        ProtocolVersion.objects.filter(clinic_id=_clinic_id(clinic), code=code)
        .order_by("-version")
        .first()
    )


def definition_of(version) -> ProtocolDefinition:
    """The ProtocolDefinition stored in a version row."""
    return from_data(ProtocolDefinition, version.definition)


def current_definition(clinic: Any, code: str) -> ProtocolDefinition:
    """The definition a new course or session in this clinic runs under."""
    version = latest_version(clinic, code)
    if version is not None:
        return definition_of(version)
    if code in PROTOCOLS:
        return PROTOCOLS[code]
    raise UnknownProtocol(code)


def protocol_facts(clinic: Any, code: str) -> ProtocolFacts:
    """Drug, route and consent type of a code; a clinic copy resolves to its base protocol's."""
    version = latest_version(clinic, code)
    if version is not None:
        base = PROTOCOLS.get(version.base_code)
        definition = definition_of(version)
        return ProtocolFacts(
            code=code,
            name=definition.name,
            drug=base.drug if base else definition.drug,
            route=base.route if base else definition.route,
            consent_type=base.consent_type if base else definition.consent_type,
        )
    definition = PROTOCOLS.get(code)
    if definition is None:
        raise UnknownProtocol(code)
    return ProtocolFacts(
        code=definition.code,
        name=definition.name,
        drug=definition.drug,
        route=definition.route,
        consent_type=definition.consent_type,
    )


@dataclass(frozen=True)
class ProtocolRow:
    """One protocol as listed for a clinic: its definition and the version in force."""

    code: str
    base_code: str
    version: int
    is_builtin: bool
    definition: ProtocolDefinition


def protocols_for(user) -> list[ProtocolRow]:
    """Every protocol the user's clinic can use: built-ins (or the clinic's versions of them)
    and the clinic's own copies, newest version of each."""
    from ketaclinic.core.permissions import require
    from ketaclinic.protocols.models import ProtocolVersion

    require(user, "protocol.view")
    newest: dict[str, Any] = {}
    for row in ProtocolVersion.objects.visible_to(user).order_by("code", "-version"):
        newest.setdefault(row.code, row)
    rows = []
    for code, builtin in PROTOCOLS.items():
        row = newest.pop(code, None)
        if row is None:
            rows.append(ProtocolRow(code, code, 0, True, builtin))
        else:
            rows.append(
                ProtocolRow(code, row.base_code, row.version, row.is_builtin, definition_of(row))
            )
    for code, row in sorted(newest.items()):
        rows.append(ProtocolRow(code, row.base_code, row.version, False, definition_of(row)))
    return rows


def access_protocol(user, code: str) -> ProtocolRow:
    """One protocol of the user's clinic by code; NotFound when the clinic has no such code."""
    from ketaclinic.core.errors import NotFound

    for row in protocols_for(user):
        if row.code == code:
            return row
    raise NotFound("No such protocol.")


def clinic_calendar(clinic: Any) -> tuple[tuple[int, ...], frozenset[datetime.date]]:
    """The clinic's open weekdays (Monday = 0) and closed dates from today on."""
    from ketaclinic.protocols.models import ClinicCalendar, ClosedDate

    calendar = ClinicCalendar.objects.filter(clinic_id=_clinic_id(clinic)).first()
    weekdays = tuple(calendar.open_weekdays) if calendar and calendar.open_weekdays else None
    closed = frozenset(
        ClosedDate.objects.filter(clinic_id=_clinic_id(clinic)).values_list("date", flat=True)
    )
    return weekdays or DEFAULT_OPEN_WEEKDAYS, closed


def current_course(patient):
    """The patient's active course, or None."""
    from ketaclinic.protocols.models import Course, CourseStatus

    return (
        Course.objects.filter(
            clinic_id=patient.clinic_id, patient=patient, status=CourseStatus.ACTIVE
        )
        .order_by("-start_date")
        .first()
    )


def current_course_started_on(patient: Any) -> datetime.date | None:
    """Start date of the patient's active course; None when there is none."""
    course = current_course(patient)
    return course.start_date if course else None


def rems_enrollment(patient, course=None) -> bool | None:
    """The patient's confirmed Spravato REMS enrollment: on this course, else the latest
    confirmation on another course; None when nobody has confirmed it."""
    from ketaclinic.protocols.models import Course

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
    from ketaclinic.core.permissions import require
    from ketaclinic.protocols.models import Course

    require(user, "course.view")
    return (
        Course.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("protocol_version", "started_by")
        .order_by("-start_date", "-created_at")
    )


def access_course(user, course_id, *, action: str = "course.view"):
    """A course of the user's clinic, or NotFound (also for other clinics' ids)."""
    from ketaclinic.core.errors import NotFound
    from ketaclinic.core.permissions import require
    from ketaclinic.protocols.models import Course

    require(user, action)
    try:
        course_id = uuid.UUID(str(course_id))
    except ValueError:
        raise NotFound("No such course.") from None
    course = (
        Course.objects.visible_to(user)
        .select_related("patient", "protocol_version")
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise NotFound("No such course.")
    return course


def doses_given(patient, drug: str, since: datetime.date) -> list[tuple[datetime.date, Decimal]]:
    """(clinic-local date, mg) of every dose of a drug started for the patient since a date."""
    from ketaclinic.treatments.models import DoseOrder

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
                drugs[code] = protocol_facts(patient.clinic_id, code).drug
            except UnknownProtocol:
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
    from ketaclinic.protocols import rules

    limit = definition.exposure
    since = as_of - datetime.timedelta(days=limit.window_days - 1)
    exposure = rules.cumulative_exposure(
        doses_given(patient, definition.drug, since), as_of, limit.window_days
    )
    return ExposureView(
        drug=definition.drug,
        protocol=definition.code,
        window_days=limit.window_days,
        window_start=exposure.window_start,
        as_of=as_of,
        sessions=exposure.sessions,
        total_mg=exposure.total_mg,
        max_sessions=limit.max_sessions,
        max_mg=limit.max_mg,
        limit_source=limit.source,
        warnings=rules.exposure_warnings(exposure, limit),
    )


def course_definition(course) -> ProtocolDefinition:
    return definition_of(course.protocol_version)
