"""Course writes: start a course and plan its sessions, move a session, stop, REMS enrollment."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.core.calendar import date_problem
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.core.queries import weight_errors
from ketaclinic.intake.services import require_may_treat
from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.protocols import rules as protocol_rules
from ketaclinic.protocols import services as protocol_services
from ketaclinic.protocols.definitions import FIXED_MG
from ketaclinic.treatments.models import Course, CourseStatus, SessionStatus, TreatmentSession
from ketaclinic.treatments.queries.courses import current_course
from ketaclinic.treatments.services.common import audit, move, require_still_scheduled

# A course already under way on paper can be entered this far back (its sessions charted).
MAX_PAST_START_DAYS = 365


def start_course(
    *,
    actor,
    patient,
    protocol_code: str,
    start_date: datetime.date,
    weight_kg: Decimal | None = None,
    maintenance_sessions: int | None = None,
) -> Course:
    """Start a course for an eligible, consented patient and plan its sessions."""
    require(actor, "course.start")
    protocol_queries.access_protocol(actor, protocol_code)
    today = timezone.localdate(timezone.now(), patient.clinic.tz)
    # (a year 9999 start would plan sessions past the end of the calendar)
    problem = date_problem(start_date)
    if problem:
        raise InvalidInput(f"The start date {problem}.", fields={"start_date": problem})
    if start_date < today - datetime.timedelta(days=MAX_PAST_START_DAYS):
        raise InvalidInput(
            f"A course can be entered at most {MAX_PAST_START_DAYS} days back.",
            fields={"start_date": "too far in the past"},
        )
    weight = weight_kg if weight_kg is not None else patient.weight_kg
    # The weight given, or the one on record, must be plausible under the clinic's range.
    errors = weight_errors(patient.clinic_id, weight)
    if errors:
        raise InvalidInput("Please correct: weight_kg.", fields=errors)
    with transaction.atomic():
        require_may_treat(patient, protocol_code)
        version = protocol_services.ensure_version(patient.clinic, protocol_code)
        definition = protocol_queries.definition_of(version)
        if definition.dose.basis != FIXED_MG and weight is None:
            raise InvalidInput(
                "A weight-based protocol needs the patient's weight.",
                fields={"weight_kg": "required (or record it on the patient)"},
            )
        weekdays, closed = protocol_queries.clinic_calendar(patient.clinic_id)
        try:
            plan = protocol_rules.plan_course(
                definition,
                start_date,
                open_weekdays=weekdays,
                closed_dates=closed,
                weight_kg=weight,
                age_years=patient.age_on(start_date),
                maintenance_sessions=maintenance_sessions,
            )
        except protocol_rules.ProtocolNotConfigured as exc:
            raise Conflict(str(exc), code="protocol_not_configured") from exc
        if current_course(patient) is not None:
            raise Conflict(
                "The patient already has an active course: stop it first.", code="active_course"
            )
        past = [s for s in plan.sessions if s.date < today]
        if past:
            plan.warnings.append(
                f"{len(past)} planned session(s) fall before today: chart or move them."
            )
        # What the course and each of its planned sessions are of and under.
        of = {
            "clinic_id": patient.clinic_id,
            "patient": patient,
            "protocol_version": version,
            "protocol_code": protocol_code,
            "weight_kg": weight,
        }
        course = Course.objects.create(
            start_date=plan.sessions[0].date if plan.sessions else start_date,
            started_by=actor,
            planning_warnings=plan.warnings,
            **of,
        )
        TreatmentSession.objects.bulk_create(
            TreatmentSession(
                course=course,
                number=s.number,
                phase=s.phase,
                scheduled_date=s.date,
                planned_dose_mg=s.planned_dose_mg,
                planned_dose_mg_per_kg=s.planned_dose_mg_per_kg,
                **of,
            )
            for s in plan.sessions
        )
        audit(
            actor,
            "course.started",
            course,
            {
                "protocol": f"{protocol_code} v{version.version}",
                "start_date": course.start_date,
                "sessions": len(plan.sessions),
                "warnings": plan.warnings,
            },
            patient=patient,
        )
    return course


def _planned(sessions) -> list[protocol_rules.PlannedSession]:
    return [
        protocol_rules.PlannedSession(
            s.number, s.scheduled_date, s.phase, 0, s.planned_dose_mg, s.planned_dose_mg_per_kg
        )
        for s in sessions
    ]


def reschedule_session(*, actor, session, new_date: datetime.date) -> list[str]:
    """Move a planned session; answers the warnings when the move breaks the protocol's rules."""
    require(actor, "course.reschedule")
    problem = date_problem(new_date)
    if problem:
        raise InvalidInput(f"The new date {problem}.", fields={"date": problem})
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        require_still_scheduled(locked, new_date, done="moved", into_past="move into the past")
        definition = protocol_queries.definition_of(locked.protocol_version)
        siblings = list(
            TreatmentSession.objects.filter(course_id=locked.course_id).exclude(
                status=SessionStatus.ABORTED
            )
        )
        weekdays, closed = protocol_queries.clinic_calendar(locked.clinic_id)
        warnings = protocol_rules.check_reschedule(
            definition,
            _planned(siblings),
            locked.number,
            new_date,
            open_weekdays=weekdays,
            closed_dates=closed,
        )
        changes = {"date": {"from": locked.scheduled_date, "to": new_date}}
        if new_date != locked.scheduled_date:
            # The arrival time and chair were that day's slot: on another day they could meet
            # another patient's session, so the moved session waits for a new slot.
            if locked.scheduled_start is not None:
                changes["start"] = {"from": locked.scheduled_start, "to": None}
            if locked.chair:
                changes["chair"] = {"from": locked.chair, "to": ""}
            locked.scheduled_start, locked.chair = None, ""
        locked.scheduled_date = new_date
        locked.save(update_fields=["scheduled_date", "scheduled_start", "chair", "updated_at"])
        audit(actor, "session.rescheduled", locked, changes | {"warnings": warnings})
    return warnings


def stop_course(*, actor, course, reason: str) -> Course:
    """Stop a course; its sessions that have not started are cancelled (aborted)."""
    require(actor, "course.stop")
    if not reason.strip():
        raise InvalidInput("Say why the course stops.", fields={"reason": "required"})
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if locked.status != CourseStatus.ACTIVE:
            raise Conflict("The course is not active.", code="course_not_active")
        now = timezone.now()
        locked.status, locked.ended_at, locked.end_reason = CourseStatus.STOPPED, now, reason
        locked.save(update_fields=["status", "ended_at", "end_reason"])
        scheduled = list(
            TreatmentSession.objects.select_for_update()
            .filter(course=locked, status=SessionStatus.SCHEDULED)
            .order_by("number")
        )
        why = f"Course stopped: {reason.strip()}"
        for session in scheduled:
            # Each cancelled session has its own event, as when it is aborted by itself.
            session.aborted_at, session.abort_reason = now, why
            move(actor, session, SessionStatus.ABORTED, changes={"reason": why})
        audit(
            actor,
            "course.stopped",
            locked,
            {"reason": reason, "sessions_cancelled": len(scheduled)},
        )
    return locked


def record_rems_enrollment(*, actor, course, enrolled: bool) -> Course:
    """Staff confirm whether the patient is enrolled in the Spravato REMS (asked by its form)."""
    require(actor, "course.rems_enrollment")
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if locked.rems_enrolled is enrolled:
            return locked
        before = locked.rems_enrolled
        locked.rems_enrolled = enrolled
        locked.rems_enrollment_confirmed_by, locked.rems_enrollment_confirmed_at = (
            actor,
            timezone.now(),
        )
        locked.save(
            update_fields=[
                "rems_enrolled",
                "rems_enrollment_confirmed_by",
                "rems_enrollment_confirmed_at",
            ]
        )
        audit(
            actor,
            "course.rems_enrollment_confirmed",
            locked,
            {"rems_enrolled": {"from": before, "to": enrolled}},
        )
    return locked
