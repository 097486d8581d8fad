"""Reads of coverage and prior authorizations, scoped to the actor's clinic: units, warnings."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require
from ketaclinic.patients import queries as patient_queries

from . import course_facts, rules
from .course_facts import CourseFact
from .models import (
    AuthorizationSettings,
    AuthorizationStatus,
    BenefitsCheck,
    InsuranceCoverage,
    PayerChecklist,
    PriorAuthorization,
)
from .shapes import same_named

# Authorizations that were approved at some point: they cover what was given under them.
GRANTING = (AuthorizationStatus.APPROVED, AuthorizationStatus.EXPIRED)


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _one(rows, key, missing: str):
    """The row of `rows` with this primary key (any text; not a UUID finds nothing), or
    NotFound with the message `missing`."""
    key = _uuid(key)
    found = rows.filter(pk=key).first() if key else None
    if found is None:
        raise NotFound(missing)
    return found


def clinic_today(clinic) -> datetime.date:
    return timezone.localdate(timezone.now(), clinic.tz)


def settings_for(clinic) -> AuthorizationSettings:
    """The clinic's saved settings, or unsaved defaults (reads never write)."""
    found = AuthorizationSettings.objects.filter(clinic=clinic).first()
    return found or AuthorizationSettings(clinic=clinic)


# --- patients, coverage, benefits checks --------------------------------------------------------


def access_coverage_patient(
    user, patient_id, *, action: str = "authorization.view", record_view: bool = False
):
    """The patient for a coverage page or endpoint (authorization rights, not clinical ones)."""
    require(user, action)
    return patient_queries.access_patient(
        user, patient_id, action="patient.view", record_view=record_view
    )


def coverages_of(user, patient):
    require(user, "authorization.view")
    return InsuranceCoverage.objects.visible_to(user).filter(patient=patient)


def current_coverages(patient, day: datetime.date) -> list[InsuranceCoverage]:
    """Coverages in effect on a day, primary first."""
    rows = InsuranceCoverage.objects.filter(
        clinic_id=patient.clinic_id, patient=patient, effective_from__lte=day
    )
    return [c for c in rows if c.effective_to is None or c.effective_to >= day]


def access_coverage(user, coverage_id, *, action: str = "authorization.view") -> InsuranceCoverage:
    require(user, action)
    rows = InsuranceCoverage.objects.visible_to(user).select_related("patient")
    return _one(rows, coverage_id, "No such coverage.")


def benefits_checks_of(user, patient):
    checks = patient_queries.patient_record(user, "authorization.view", BenefitsCheck, patient)
    return checks.select_related("coverage", "checked_by")


# --- prior authorizations -----------------------------------------------------------------------


def authorizations_of(user, patient):
    rows = patient_queries.patient_record(user, "authorization.view", PriorAuthorization, patient)
    return rows.select_related("coverage", "checklist", "created_by")


def access_authorization(
    user, authorization_id, *, action: str = "authorization.view"
) -> PriorAuthorization:
    require(user, action)
    rows = PriorAuthorization.objects.visible_to(user).select_related(
        "patient", "patient__clinic", "coverage", "checklist"
    )
    return _one(rows, authorization_id, "No such prior authorization.")


def changes_of(authorization) -> list:
    return list(
        authorization.changes.select_related("recorded_by", "appeals").order_by("on", "created_at")
    )


@dataclass
class CoursePicture:
    """A course with the authorizations on it: which covers each session, units, warnings."""

    course: CourseFact
    authorizations: list[PriorAuthorization]
    coverage: list[rules.VisitCoverage]
    usages: dict[str, rules.Usage]
    warnings: list[rules.AuthorizationWarning]
    by_session: dict[int, rules.VisitCoverage] = field(default_factory=dict)

    def authorization(self, key: str | None) -> PriorAuthorization | None:
        return next((a for a in self.authorizations if str(a.id) == key), None)

    @property
    def rows(self) -> list[SessionRow]:
        """Every session of the course with what covers it (for the sessions table)."""
        rows = []
        for s in self.course.sessions:
            c = self.by_session.get(s.number)
            if c is None:
                text = "cancelled" if s.cancelled else "not given (missed)"
            elif c.covered:
                text = "covered"
            else:
                text = f"not covered: {rules.PROBLEM_TEXT[c.problem]}"
            rows.append(SessionRow(s, c, self.authorization(c.grant) if c else None, text))
        return rows


@dataclass(frozen=True)
class SessionRow:
    session: course_facts.SessionFact
    coverage: rules.VisitCoverage | None
    authorization: PriorAuthorization | None
    text: str

    @property
    def covered(self) -> bool:
        return self.coverage is not None and self.coverage.covered


def picture_of(course: CourseFact, authorizations, today: datetime.date) -> CoursePicture:
    """Allocate the course's sessions to its approvals and compute the warnings (pure rules)."""
    authorizations = list(authorizations)
    grants = [a.as_grant() for a in authorizations if a.status in GRANTING]
    visits = course.visits()
    coverage = rules.allocate(visits, grants, today)
    in_process = any(a.status in rules.IN_PROCESS for a in authorizations)
    warnings = rules.course_warnings(visits, grants, today, in_process=in_process)
    return CoursePicture(
        course=course,
        authorizations=authorizations,
        coverage=coverage,
        usages={g.key: rules.usage(g, coverage) for g in grants},
        warnings=warnings,
        by_session={c.visit.number: c for c in coverage},
    )


def course_picture(user, course_id, today: datetime.date | None = None) -> CoursePicture:
    """The course page's picture: every authorization on the course and its sessions."""
    require(user, "authorization.view")
    course = course_facts.course_for(user, course_id, action="authorization.view")
    authorizations = (
        PriorAuthorization.objects.visible_to(user)
        .filter(course_id=course.id)
        .select_related("coverage")
    )
    return picture_of(course, authorizations, today or clinic_today(user.clinic))


@dataclass
class AuthorizationView:
    authorization: PriorAuthorization
    picture: CoursePicture | None
    usage: rules.Usage | None
    warnings: list[rules.AuthorizationWarning]
    changes: list
    next_statuses: list[rules.Status]


def authorization_view(user, authorization, today: datetime.date | None = None):
    """Everything the authorization page and GET /authorizations/{id} show."""
    today = today or clinic_today(user.clinic)
    picture = None
    if authorization.course_id is not None:
        picture = course_picture(user, authorization.course_id, today)
    usage = picture.usages.get(str(authorization.id)) if picture else None
    warnings = list(picture.warnings) if picture else []
    if authorization.status == AuthorizationStatus.APPROVED:
        days = settings_for(user.clinic).expiry_warning_days
        expiry = rules.expiry_warning(authorization.as_grant(), today, days)
        if expiry is not None:
            warnings.insert(0, expiry)
    return AuthorizationView(
        authorization=authorization,
        picture=picture,
        usage=usage,
        warnings=warnings,
        changes=changes_of(authorization),
        next_statuses=rules.allowed_next(authorization.status),
    )


# --- the work queue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One warning for the front desk's work queue."""

    kind: str
    message: str
    day: datetime.date
    patient_id: uuid.UUID
    patient_name: str
    mrn: str
    authorization_id: uuid.UUID | None
    course_id: uuid.UUID | None
    session_number: int | None = None


def _item(warning, authorization, course_id=None) -> WorkItem:
    patient = authorization.patient
    return WorkItem(
        **same_named(warning, "kind message day session_number"),
        patient_id=patient.id,
        patient_name=patient.full_name,
        mrn=patient.mrn,
        authorization_id=authorization.id,
        course_id=course_id,
    )


def warnings_for_clinic(user, today: datetime.date | None = None) -> list[WorkItem]:
    """Every authorization warning of the clinic, soonest first: units that run out before a
    course's planned sessions end, approvals expiring soon (or past their last day), sessions
    scheduled or given outside an approval, and authorizations not linked to the course."""
    require(user, "authorization.view")
    today = today or clinic_today(user.clinic)
    days = settings_for(user.clinic).expiry_warning_days
    rows = list(
        PriorAuthorization.objects.visible_to(user)
        .filter(status__in=[*rules.LIVE, AuthorizationStatus.EXPIRED])
        .select_related("patient")
        .order_by("created_at")
    )
    items: list[WorkItem] = []
    for row in rows:
        if row.status == AuthorizationStatus.APPROVED:
            expiry = rules.expiry_warning(row.as_grant(), today, days)
            if expiry is not None:
                items.append(_item(expiry, row, row.course_id))
    by_course: dict[uuid.UUID, list[PriorAuthorization]] = {}
    for row in rows:
        if row.course_id is not None:
            by_course.setdefault(row.course_id, []).append(row)
    live_courses = [
        cid for cid, auths in by_course.items() if any(a.status in rules.LIVE for a in auths)
    ]
    courses = course_facts.courses_for(user, live_courses, action="authorization.view")
    for course_id, course in courses.items():
        if not course.active:
            continue
        auths = by_course[course_id]
        picture = picture_of(course, auths, today)
        lead = next((a for a in auths if a.status == AuthorizationStatus.APPROVED), None) or next(
            a for a in auths if a.status in rules.LIVE
        )
        for warning in picture.warnings:
            items.append(
                _item(
                    warning, picture.authorization(_grant_of(picture, warning)) or lead, course_id
                )
            )
    unlinked = [row for row in rows if row.course_id is None and row.status in rules.LIVE]
    current = course_facts.current_courses_of(user, {row.patient_id for row in unlinked})
    for row in unlinked:
        items.extend(_unlinked(row, current.get(row.patient_id), today))
    return sorted(items, key=lambda i: (i.day, i.patient_name))


def _grant_of(picture: CoursePicture, warning) -> str | None:
    """The approval a session warning is about (the one that covers or last covered it)."""
    if warning.session_number is None:
        return None
    row = picture.by_session.get(warning.session_number)
    return row.grant if row is not None else None


def _unlinked(authorization, course, today) -> list[WorkItem]:
    if course is None or course.drug != authorization.drug:
        return []
    warning = rules.AuthorizationWarning(
        "link_course",
        f"The patient's {course.protocol_name} course from {course.start_date.isoformat()} is "
        "not linked to this authorization: link it so that its sessions count.",
        max(course.start_date, today),
    )
    return [_item(warning, authorization, course.id)]


# --- a session's status (session page and chair board) ----------------------------------------


@dataclass(frozen=True)
class SessionAuthorizationStatus:
    level: str  # "ok", "warning" or "none"
    text: str
    authorization_id: uuid.UUID | None = None


def status_for_session(session_id, *, user, today: datetime.date | None = None):
    """A short authorization status for one session, e.g. 'Approved, 9 of 12 sessions left,
    expires 2026-06-30 (PA-1)' or 'Not covered: the approved units are used up'."""
    require(user, "authorization.view")
    course_id, number = course_facts.session_course(user, session_id, action="authorization.view")
    found = statuses_for_sessions(user, [(session_id, course_id, number)], today)
    return found[session_id]


def statuses_for_sessions(
    user, sessions, today: datetime.date | None = None
) -> dict[object, SessionAuthorizationStatus]:
    """{session id: status} for (session id, course id, number) triples of the user's clinic,
    in a fixed number of queries whatever their number (the chair board asks for all its
    chairs at once)."""
    require(user, "authorization.view")
    sessions = list(sessions)
    today = today or clinic_today(user.clinic)
    by_course: dict[uuid.UUID, list[PriorAuthorization]] = {}
    for row in PriorAuthorization.objects.visible_to(user).filter(
        course_id__in={course_id for _, course_id, _ in sessions}
    ):
        by_course.setdefault(row.course_id, []).append(row)
    courses = course_facts.courses_for(user, list(by_course), action="authorization.view")
    pictures = {
        course_id: picture_of(course, by_course[course_id], today)
        for course_id, course in courses.items()
    }
    return {
        session_id: _session_status(pictures.get(course_id), by_course.get(course_id), number)
        for session_id, course_id, number in sessions
    }


def _session_status(picture, authorizations, number) -> SessionAuthorizationStatus:
    if not authorizations or picture is None:
        return SessionAuthorizationStatus("none", "No prior authorization on file")
    row = picture.by_session.get(number)
    if row is not None and row.covered:
        auth = picture.authorization(row.grant)
        used = picture.usages[row.grant]
        ref = f" ({auth.payer_reference})" if auth.payer_reference else ""
        return SessionAuthorizationStatus(
            "ok",
            f"Approved, {used.left} of {used.grant.units} {used.unit_label} left, "
            f"expires {auth.valid_to.isoformat()}{ref}",
            auth.id,
        )
    waiting = next((a for a in authorizations if a.status in rules.IN_PROCESS), None)
    if waiting is not None:
        return SessionAuthorizationStatus(
            "warning", f"Authorization {waiting.get_status_display().lower()}", waiting.id
        )
    if row is None:
        return SessionAuthorizationStatus("none", "Not planned (cancelled or missed)")
    latest = max(authorizations, key=lambda a: a.created_at)
    return SessionAuthorizationStatus(
        "warning", f"Not covered: {rules.PROBLEM_TEXT[row.problem]}", latest.id
    )


# --- payer checklists ---------------------------------------------------------------------------


def checklists(user):
    require(user, "authorization.view")
    return PayerChecklist.objects.visible_to(user).prefetch_related("criteria")


def access_checklist(user, checklist_id, *, action: str = "authorization.view") -> PayerChecklist:
    require(user, action)
    rows = PayerChecklist.objects.visible_to(user).prefetch_related("criteria")
    return _one(rows, checklist_id, "No such payer checklist.")


def checklist_for(authorization) -> PayerChecklist | None:
    """The checklist chosen for the authorization, else the one named like its payer."""
    if authorization.checklist_id:
        return authorization.checklist
    payer = authorization.coverage.payer_name if authorization.coverage_id else ""
    if not payer:
        return None
    return (
        PayerChecklist.objects.filter(clinic_id=authorization.clinic_id, payer_name__iexact=payer)
        .prefetch_related("criteria")
        .first()
    )


# --- a patient's overview (the Coverage tab) ----------------------------------------------------


@dataclass
class AuthorizationRow:
    authorization: PriorAuthorization
    usage: rules.Usage | None
    warnings: list[rules.AuthorizationWarning]


@dataclass
class PatientOverview:
    coverages: list[InsuranceCoverage]
    checks: list[BenefitsCheck]
    rows: list[AuthorizationRow]
    warnings: list[rules.AuthorizationWarning]
    current_course: course_facts.CourseHead | None


def patient_overview(user, patient, today: datetime.date | None = None) -> PatientOverview:
    """Coverage, benefits checks and authorizations of a patient with their units and warnings
    (one course picture per course, however many authorizations it has)."""
    today = today or clinic_today(user.clinic)
    days = settings_for(user.clinic).expiry_warning_days
    authorizations = list(authorizations_of(user, patient))
    require(user, "authorization.view")
    courses = course_facts.courses_for(
        user, [a.course_id for a in authorizations if a.course_id], action="authorization.view"
    )  # every course at once, however long the patient's history
    pictures = {
        course_id: picture_of(
            course, [a for a in authorizations if a.course_id == course_id], today
        )
        for course_id, course in courses.items()
    }
    rows, warnings = [], []
    for picture in pictures.values():
        if picture.course.active or any(a.status in rules.LIVE for a in picture.authorizations):
            warnings.extend(picture.warnings)
    for a in authorizations:
        picture = pictures.get(a.course_id)
        usage = picture.usages.get(str(a.id)) if picture else None
        own = []
        if a.status == AuthorizationStatus.APPROVED:
            expiry = rules.expiry_warning(a.as_grant(), today, days)
            if expiry is not None:
                own.append(expiry)
        warnings.extend(own)
        rows.append(AuthorizationRow(a, usage, own))
    return PatientOverview(
        coverages=list(coverages_of(user, patient)),
        checks=list(benefits_checks_of(user, patient)[:20]),
        rows=rows,
        warnings=sorted(warnings, key=lambda w: w.day),
        current_course=course_facts.current_course_head(patient),
    )
