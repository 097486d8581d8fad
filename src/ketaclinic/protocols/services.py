"""Protocol writes: clinic versions, the clinic calendar, courses and rescheduling (audited)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.patients import queries as patient_queries
from ketaclinic.protocols import queries, rules
from ketaclinic.protocols.definitions import FIXED_MG, PROTOCOLS, ProtocolDefinition
from ketaclinic.protocols.editing import from_data, merge_changes, to_data, validate_definition
from ketaclinic.protocols.models import (
    ClinicCalendar,
    ClosedDate,
    Course,
    CourseStatus,
    ProtocolVersion,
)

CODE_PATTERN = "lowercase letters, digits and underscores"
# A course already under way on paper can be entered this far back (its sessions charted).
MAX_PAST_START_DAYS = 365


def ensure_version(clinic, code: str) -> ProtocolVersion:
    """The version a new course runs under: the clinic's newest, else a snapshot of the built-in.

    A built-in snapshot is refreshed (as a new version) when the software's built-in data
    changed since, so a session always records exactly the values it ran under.
    """
    latest = queries.latest_version(clinic, code)
    builtin = PROTOCOLS.get(code)
    if latest is not None and not (
        latest.is_builtin and builtin is not None and latest.definition != to_data(builtin)
    ):
        return latest
    if builtin is None:
        raise queries.UnknownProtocol(code)
    try:
        with transaction.atomic():
            return ProtocolVersion.objects.create(
                clinic_id=getattr(clinic, "pk", clinic),
                code=code,
                base_code=code,
                version=(latest.version + 1) if latest else 1,
                name=builtin.name,
                definition=to_data(builtin),
                is_builtin=True,
                change_note="Built-in protocol as shipped.",
            )
    except IntegrityError:
        # Another request created the same snapshot at the same moment.
        return queries.latest_version(clinic, code)


def _checked(definition_data: dict) -> ProtocolDefinition:
    try:
        definition = from_data(ProtocolDefinition, definition_data)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidInput(f"The protocol values are not valid: {exc}.") from exc
    problems = validate_definition(definition)
    if problems:
        raise InvalidInput(
            "The protocol cannot be saved: " + "; ".join(problems) + ".",
            fields={"changes": "; ".join(problems)},
        )
    return definition


def change_protocol(*, actor, code: str, changes: dict, note: str) -> ProtocolVersion:
    """Save the clinic's changed values of a protocol as its next version."""
    require(actor, "protocol.configure")
    if not note.strip():
        raise InvalidInput("Say why the protocol changes.", fields={"note": "required"})
    with transaction.atomic():
        current = ensure_version(actor.clinic, code)
        data = merge_changes(current.definition, changes)
        data["code"] = code
        definition = _checked(data)
        version = ProtocolVersion.objects.create(
            clinic_id=actor.clinic_id,
            code=code,
            base_code=current.base_code,
            version=current.version + 1,
            name=definition.name,
            definition=to_data(definition),
            change_note=note.strip(),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="protocol.changed",
            obj=version,
            changes={"code": code, "version": version.version, "changes": changes, "note": note},
        )
    return version


def copy_protocol(
    *, actor, source_code: str, new_code: str, name: str, changes: dict, note: str = ""
) -> ProtocolVersion:
    """Copy a protocol under a new code (version 1), with changed values."""
    require(actor, "protocol.configure")
    errors = {}
    if not new_code or not new_code.replace("_", "").isalnum() or new_code != new_code.lower():
        errors["new_code"] = CODE_PATTERN
    elif new_code in PROTOCOLS or queries.latest_version(actor.clinic, new_code):
        errors["new_code"] = "a protocol with this code exists"
    if not name.strip():
        errors["name"] = "required"
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    with transaction.atomic():
        source = ensure_version(actor.clinic, source_code)
        data = merge_changes(source.definition, changes)
        data["code"], data["name"] = new_code, name.strip()
        definition = _checked(data)
        version = ProtocolVersion.objects.create(
            clinic_id=actor.clinic_id,
            code=new_code,
            base_code=source.base_code,
            version=1,
            name=definition.name,
            definition=to_data(definition),
            change_note=note.strip() or f"Copied from {source_code} v{source.version}.",
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="protocol.copied",
            obj=version,
            changes={
                "from": f"{source_code} v{source.version}",
                "code": new_code,
                "changes": changes,
            },
        )
    return version


def set_open_weekdays(*, actor, weekdays: list[int]) -> ClinicCalendar:
    """The weekdays the clinic treats on (Monday = 0)."""
    require(actor, "clinic.calendar")
    days = sorted(set(weekdays))
    if not days or any(d not in range(7) for d in days):
        raise InvalidInput(
            "Give at least one weekday from 0 (Monday) to 6 (Sunday).",
            fields={"weekdays": "0-6, at least one"},
        )
    with transaction.atomic():
        calendar, _ = ClinicCalendar.objects.select_for_update().get_or_create(
            clinic_id=actor.clinic_id
        )
        before = list(calendar.open_weekdays)
        calendar.open_weekdays = days
        calendar.save()
        record_event(
            actor=actor,
            action="clinic.open_days_set",
            obj=calendar,
            changes={"open_weekdays": {"from": before, "to": days}},
        )
    return calendar


def add_closed_date(*, actor, date: datetime.date, reason: str = "") -> ClosedDate:
    """Mark a day as closed; courses planned afterwards avoid it."""
    require(actor, "clinic.calendar")
    with transaction.atomic():
        closed, _ = ClosedDate.objects.get_or_create(
            clinic_id=actor.clinic_id, date=date, defaults={"reason": reason.strip()}
        )
        record_event(
            actor=actor, action="clinic.closed_date_added", obj=closed, changes={"date": date}
        )
    return closed


def preview_schedule(
    *,
    actor,
    code: str,
    start_date: datetime.date,
    weight_kg: Decimal | None = None,
    age_years: int | None = None,
    maintenance_sessions: int | None = None,
) -> rules.CoursePlan:
    """Planned sessions of a course under a protocol, without saving anything."""
    require(actor, "protocol.view")
    definition = queries.access_protocol(actor, code).definition
    _require_plausible_weight(actor.clinic_id, weight_kg)
    weekdays, closed = queries.clinic_calendar(actor.clinic_id)
    try:
        return rules.plan_course(
            definition,
            start_date,
            open_weekdays=weekdays,
            closed_dates=closed,
            weight_kg=weight_kg,
            age_years=age_years,
            maintenance_sessions=maintenance_sessions,
        )
    except rules.ProtocolNotConfigured as exc:
        raise Conflict(str(exc), code="protocol_not_configured") from exc


def _require_plausible_weight(clinic, weight_kg, *, field: str = "weight_kg") -> None:
    errors = patient_queries.weight_errors(clinic, weight_kg, field=field)
    if errors:
        raise InvalidInput(f"Please correct: {field}.", fields=errors)


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
    from ketaclinic.intake.services import require_may_treat
    from ketaclinic.treatments.models import TreatmentSession

    require(actor, "course.start")
    queries.access_protocol(actor, protocol_code)
    today = timezone.localdate(timezone.now(), patient.clinic.tz)
    if start_date < today - datetime.timedelta(days=MAX_PAST_START_DAYS):
        raise InvalidInput(
            f"A course can be entered at most {MAX_PAST_START_DAYS} days back.",
            fields={"start_date": "too far in the past"},
        )
    weight = weight_kg if weight_kg is not None else patient.weight_kg
    # The weight given, or the one on record, must be plausible under the clinic's range.
    _require_plausible_weight(patient.clinic_id, weight)
    with transaction.atomic():
        require_may_treat(patient, protocol_code)
        version = ensure_version(patient.clinic, protocol_code)
        definition = queries.definition_of(version)
        if definition.dose.basis != FIXED_MG and weight is None:
            raise InvalidInput(
                "A weight-based protocol needs the patient's weight.",
                fields={"weight_kg": "required (or record it on the patient)"},
            )
        weekdays, closed = queries.clinic_calendar(patient.clinic_id)
        try:
            plan = rules.plan_course(
                definition,
                start_date,
                open_weekdays=weekdays,
                closed_dates=closed,
                weight_kg=weight,
                age_years=patient.age_on(start_date),
                maintenance_sessions=maintenance_sessions,
            )
        except rules.ProtocolNotConfigured as exc:
            raise Conflict(str(exc), code="protocol_not_configured") from exc
        if queries.current_course(patient) is not None:
            raise Conflict(
                "The patient already has an active course: stop it first.", code="active_course"
            )
        past = [s for s in plan.sessions if s.date < today]
        if past:
            plan.warnings.append(
                f"{len(past)} planned session(s) fall before today: chart or move them."
            )
        course = Course.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            protocol_version=version,
            protocol_code=protocol_code,
            start_date=plan.sessions[0].date if plan.sessions else start_date,
            weight_kg=weight,
            started_by=actor,
            planning_warnings=plan.warnings,
        )
        TreatmentSession.objects.bulk_create(
            TreatmentSession(
                clinic_id=patient.clinic_id,
                patient=patient,
                course=course,
                protocol_version=version,
                protocol_code=protocol_code,
                number=s.number,
                phase=s.phase,
                scheduled_date=s.date,
                planned_dose_mg=s.planned_dose_mg,
                planned_dose_mg_per_kg=s.planned_dose_mg_per_kg,
                weight_kg=weight,
            )
            for s in plan.sessions
        )
        record_event(
            actor=actor,
            action="course.started",
            obj=course,
            patient=patient,
            changes={
                "protocol": f"{protocol_code} v{version.version}",
                "start_date": course.start_date,
                "sessions": len(plan.sessions),
                "warnings": plan.warnings,
            },
        )
    return course


def _planned(sessions) -> list[rules.PlannedSession]:
    return [
        rules.PlannedSession(
            s.number, s.scheduled_date, s.phase, 0, s.planned_dose_mg, s.planned_dose_mg_per_kg
        )
        for s in sessions
    ]


def reschedule_session(*, actor, session, new_date: datetime.date) -> list[str]:
    """Move a planned session; answers the warnings when the move breaks the protocol's rules."""
    from ketaclinic.treatments import codes
    from ketaclinic.treatments.models import TreatmentSession

    require(actor, "course.reschedule")
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != codes.SCHEDULED:
            raise Conflict(
                f"Only a scheduled session can be moved; this one is {locked.status}.",
                code="illegal_transition",
            )
        today = timezone.localdate(timezone.now(), locked.patient.clinic.tz)
        if new_date < today:
            raise InvalidInput(
                "A session cannot move into the past.", fields={"date": "today or later"}
            )
        definition = queries.definition_of(locked.protocol_version)
        siblings = list(
            TreatmentSession.objects.filter(course_id=locked.course_id).exclude(
                status=codes.ABORTED
            )
        )
        weekdays, closed = queries.clinic_calendar(locked.clinic_id)
        warnings = rules.check_reschedule(
            definition,
            _planned(siblings),
            locked.number,
            new_date,
            open_weekdays=weekdays,
            closed_dates=closed,
        )
        before = locked.scheduled_date
        locked.scheduled_date = new_date
        locked.save(update_fields=["scheduled_date", "updated_at"])
        record_event(
            actor=actor,
            action="session.rescheduled",
            obj=locked,
            patient=locked.patient,
            changes={"date": {"from": before, "to": new_date}, "warnings": warnings},
        )
    return warnings


def stop_course(*, actor, course, reason: str) -> Course:
    """Stop a course; its sessions that have not started are cancelled (aborted)."""
    from ketaclinic.treatments import codes
    from ketaclinic.treatments.models import TreatmentSession

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
        cancelled = TreatmentSession.objects.filter(course=locked, status=codes.SCHEDULED).update(
            status=codes.ABORTED, aborted_at=now, abort_reason=f"Course stopped: {reason.strip()}"
        )
        record_event(
            actor=actor,
            action="course.stopped",
            obj=locked,
            patient=locked.patient,
            changes={"reason": reason, "sessions_cancelled": cancelled},
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
        record_event(
            actor=actor,
            action="course.rems_enrollment_confirmed",
            obj=locked,
            patient=locked.patient,
            changes={"rems_enrolled": {"from": before, "to": enrolled}},
        )
    return locked


DOSE_INPUTS = (
    "weight_kg",
    "concentration_mg_per_ml",
    "bag_volume_ml",
    "dose_mg_per_kg",
    "duration_min",
    "dose_mg",
    "height_cm",
    "sex",
    "age_years",
)


def calculate(definition, *, clinic, **inputs):
    """The calculator and the order share this: one weight rule, one dose rule, 422 naming
    each field that breaks them (rules.DoseInputError -> InvalidInput)."""
    unknown = set(inputs) - set(DOSE_INPUTS)
    if unknown:
        raise InvalidInput(
            "Unknown dose inputs: " + ", ".join(sorted(unknown)),
            fields=dict.fromkeys(unknown, "not a dose input"),
        )
    try:
        if definition.dose.basis == FIXED_MG:
            if inputs.get("dose_mg") is None:
                raise rules.DoseInputError({"dose_mg": "is required for this protocol"})
            return rules.calculate_devices(
                definition, dose_mg=inputs["dose_mg"], age_years=inputs.get("age_years")
            )
        missing = {
            name: "is required for this protocol"
            for name in ("weight_kg", "concentration_mg_per_ml", "bag_volume_ml")
            if inputs.get(name) is None
        }
        if missing:
            raise rules.DoseInputError(missing)
        return rules.calculate_infusion(
            definition,
            weight_kg=inputs["weight_kg"],
            concentration_mg_per_ml=inputs["concentration_mg_per_ml"],
            bag_volume_ml=inputs["bag_volume_ml"],
            dose_mg_per_kg=inputs.get("dose_mg_per_kg"),
            duration_min=inputs.get("duration_min"),
            height_cm=inputs.get("height_cm"),
            sex=inputs.get("sex") or "",
            weight_range=patient_queries.plausible_weight_range(clinic),
        )
    except rules.DoseInputError as exc:
        raise InvalidInput(
            "The dose cannot be calculated: " + ", ".join(sorted(exc.errors)) + ".",
            fields=exc.errors,
        ) from exc


def calculate_dose(*, actor, code: str, **inputs):
    """Dose calculation for the API and the order form; bad inputs are 422 with field names."""
    require(actor, "dose.calculate")
    definition = queries.access_protocol(actor, code).definition
    if not definition.configured:
        raise Conflict(
            f"{code} is clinic-defined and not configured yet.", code="protocol_not_configured"
        )
    inputs = {k: v for k, v in inputs.items() if v is not None}
    return definition, calculate(definition, clinic=actor.clinic_id, **inputs)
