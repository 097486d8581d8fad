"""Prior-authorization writes: the request, its dated steps, packet downloads (audited)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from ketaclinic.audit.services import assign, record_event, save_changes
from ketaclinic.core.calendar import date_problem
from ketaclinic.core.errors import Conflict, NotFound
from ketaclinic.core.permissions import require

from .. import course_facts, queries, rules
from ..models import (
    AuthorizationChange,
    AuthorizationStatus,
    InsuranceCoverage,
    PayerChecklist,
    PriorAuthorization,
)
from .common import ESKETAMINE, MAX_DOSE_MG, _raise, _text


def _course_of(actor, patient, course_id, errors: dict, *, action: str):
    try:
        course = course_facts.course_for(actor, course_id, action=action)
    except NotFound:
        errors["course_id"] = "a course of this patient"
        return None
    if course.patient_id != patient.id:
        errors["course_id"] = "a course of this patient"
        return None
    return course


def _coverage_of(patient, coverage, errors: dict):
    if coverage is not None and coverage.patient_id != patient.id:
        errors["coverage_id"] = "a coverage of this patient"


def _unit_errors(unit: str, drug: str, errors: dict) -> None:
    if unit not in {u.value for u in rules.Unit}:
        errors["unit"] = "session or device"
    elif unit == rules.Unit.DEVICE and drug != ESKETAMINE:
        errors["unit"] = "devices are counted for esketamine nasal spray only"


def _count(value, field: str, errors: dict, *, low: int = 1, high: int = 500):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = f"a whole number from {low} to {high}"
        return None
    return value


def create_authorization(
    *,
    actor,
    patient,
    course_id=None,
    protocol_code: str = "",
    coverage: InsuranceCoverage | None = None,
    unit: str = rules.Unit.SESSION,
    requested_units: int | None = None,
    payer_reference: str = "",
    checklist: PayerChecklist | None = None,
    note: str = "",
) -> PriorAuthorization:
    """Start a prior authorization (a draft) for a course, or for a protocol before a course."""
    require(actor, "authorization.manage")
    errors: dict[str, str] = {}
    drug = ""
    if course_id:
        course = _course_of(actor, patient, course_id, errors, action="authorization.manage")
        if course is not None:
            protocol_code, drug = course.protocol_code, course.drug
    elif protocol_code:
        drug = course_facts.protocol_drug(patient.clinic, protocol_code) or ""
        if not drug:
            errors["protocol_code"] = "a protocol of this clinic"
    else:
        errors["course_id"] = "a course, or a protocol_code when no course exists yet"
    _coverage_of(patient, coverage, errors)
    if drug:
        _unit_errors(unit, drug, errors)
    requested = _count(requested_units, "requested_units", errors)
    reference = _text(payer_reference, "payer_reference", errors, limit=100)
    note = _text(note, "note", errors, limit=4000)
    _raise(errors)
    with transaction.atomic():
        authorization = PriorAuthorization.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            coverage=coverage,
            course_id=course_id or None,
            protocol_code=protocol_code,
            drug=drug,
            unit=unit,
            requested_units=requested,
            payer_reference=reference,
            checklist=checklist,
            note=note,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="authorization.created",
            obj=authorization,
            patient=patient,
            changes={
                "course": str(course_id) if course_id else None,
                "protocol": protocol_code,
                "unit": unit,
                "requested_units": requested,
            },
        )
    return authorization


REQUEST_FIELDS = (
    "coverage",
    "course_id",
    "payer_reference",
    "unit",
    "requested_units",
    "checklist",
    "note",
)
APPROVAL_FIELDS = (
    "approved_units",
    "approved_dose_mg",
    "approved_units_per_session",
    "valid_from",
    "valid_to",
)


def update_authorization(*, actor, authorization: PriorAuthorization, **changes):
    """Change the request's details (coverage, course, reference, units, checklist, note), or
    correct an approval's units and dates as the payer amended them."""
    require(actor, "authorization.manage")
    errors = dict.fromkeys(set(changes) - set(REQUEST_FIELDS) - set(APPROVAL_FIELDS), "unknown")
    _raise(errors)
    with transaction.atomic():
        row = PriorAuthorization.objects.select_for_update().get(
            pk=authorization.pk, clinic_id=actor.clinic_id
        )
        patient = row.patient
        if row.status == AuthorizationStatus.EXPIRED:
            raise Conflict("An expired authorization is a record: start a new one.")
        if set(changes) & set(APPROVAL_FIELDS) and row.status != AuthorizationStatus.APPROVED:
            raise Conflict(
                "Approved units and dates are set when the payer approves.",
                code="not_approved",
            )
        if "unit" in changes and row.status == AuthorizationStatus.APPROVED:
            errors["unit"] = "approved in its unit: start a new authorization to change it"
        if changes.get("course_id"):
            course = _course_of(
                actor, patient, changes["course_id"], errors, action="authorization.manage"
            )
            if course is not None and course.drug != row.drug:
                errors["course_id"] = f"a course of {row.drug}, the authorization's drug"
            elif course is not None:
                changes["protocol_code"] = course.protocol_code
        _coverage_of(patient, changes.get("coverage"), errors)
        if "unit" in changes:
            _unit_errors(changes["unit"], row.drug, errors)
        if "requested_units" in changes:
            changes["requested_units"] = _count(
                changes["requested_units"], "requested_units", errors
            )
        if "approved_units" in changes:
            units = _count(changes["approved_units"], "approved_units", errors)
            if units is None and "approved_units" not in errors:
                errors["approved_units"] = "required for an approval"
        for name, limit in (("payer_reference", 100), ("note", 4000)):
            if name in changes:
                changes[name] = _text(changes[name], name, errors, limit=limit)
        _approval_detail_errors(changes, errors)
        for name in ("valid_from", "valid_to"):
            if name in changes and changes[name] is None:
                errors[name] = "required for an approval"
        start = changes.get("valid_from", row.valid_from)
        end = changes.get("valid_to", row.valid_to)
        if start and end and end < start:
            errors["valid_to"] = "on or after valid_from"
        _raise(errors)
        before = assign(row, changes)
        save_changes(
            row, before, changes, actor=actor, action="authorization.updated", patient=patient
        )
    return row


def _approval_detail_errors(values: dict, errors: dict) -> None:
    dose = values.get("approved_dose_mg")
    if dose is not None:
        try:
            dose = Decimal(str(dose))
        except (InvalidOperation, ValueError):
            dose = None
        if dose is None or not dose.is_finite() or not Decimal("0") < dose <= MAX_DOSE_MG:
            errors["approved_dose_mg"] = "mg per session, above 0 and at most 1000"
        else:
            values["approved_dose_mg"] = dose.quantize(Decimal("0.1"))
    if values.get("approved_units_per_session") is not None:
        values["approved_units_per_session"] = _count(
            values["approved_units_per_session"], "approved_units_per_session", errors, high=20
        )


def change_status(
    *,
    actor,
    authorization: PriorAuthorization,
    to: str,
    on: datetime.date | None = None,
    note: str = "",
    reason: str = "",
    payer_reference: str = "",
    approved_units: int | None = None,
    approved_dose_mg=None,
    approved_units_per_session: int | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    unit: str | None = None,
) -> PriorAuthorization:
    """Record a dated step: submitted, pending, approved (units, dates), denied (the payer's
    reason), appealed (linked to the denial), expired. Illegal steps are refused (409)."""
    require(actor, "authorization.manage")
    today = queries.clinic_today(actor.clinic)
    on = on or today
    with transaction.atomic():
        row = PriorAuthorization.objects.select_for_update().get(
            pk=authorization.pk, clinic_id=actor.clinic_id
        )
        problem = rules.transition_problem(row.status, to)
        if problem:
            raise Conflict(problem, code="illegal_transition")
        last = row.changes.order_by("-on", "-created_at").first()
        details = {
            "approved_units": approved_units,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "reason": reason,
            "note": note,
        }
        errors = rules.transition_errors(
            to, details, on=on, today=today, last_change_on=last.on if last else None
        )
        # Dates typed far outside the calendar (the year 1) are mistakes, not history.
        for name, value in (("on", on), ("valid_from", valid_from), ("valid_to", valid_to)):
            problem = date_problem(value) if isinstance(value, datetime.date) else None
            if problem:
                errors.setdefault(name, problem)
        reference = _text(payer_reference, "payer_reference", errors, limit=100)
        note = _text(note, "note", errors, limit=4000)
        reason = _text(reason, "reason", errors, limit=4000)
        values = {
            "approved_dose_mg": approved_dose_mg,
            "approved_units_per_session": approved_units_per_session,
        }
        if to == rules.Status.APPROVED:
            _count(approved_units, "approved_units", errors, high=500)
            _approval_detail_errors(values, errors)
            if unit is not None:
                _unit_errors(unit, row.drug, errors)
        _raise(errors)
        before = row.status
        appeals = None
        if to == rules.Status.SUBMITTED:
            row.submitted_on = on
        elif to == rules.Status.APPROVED:
            row.approved_units, row.valid_from, row.valid_to = approved_units, valid_from, valid_to
            row.approved_dose_mg = values["approved_dose_mg"]
            row.approved_units_per_session = values["approved_units_per_session"]
            row.unit = unit or row.unit
            row.decided_on = on
        elif to == rules.Status.DENIED:
            row.denial_reason, row.decided_on = reason, on
        elif to == rules.Status.APPEALED:
            appeals = (
                row.changes.filter(to_status=AuthorizationStatus.DENIED)
                .order_by("-on", "-created_at")
                .first()
            )
        if reference:
            row.payer_reference = reference
        row.status = to
        row.save()
        change = AuthorizationChange.objects.create(
            clinic_id=row.clinic_id,
            authorization=row,
            from_status=before,
            to_status=to,
            on=on,
            note=note,
            reason=reason,
            payer_reference=reference,
            appeals=appeals,
            recorded_by=actor,
        )
        record_event(
            actor=actor,
            action="authorization.status_changed",
            obj=row,
            patient=row.patient,
            changes={
                "status": {"from": before, "to": to},
                "on": on,
                "payer_reference": reference or None,
                "reason": reason or None,
                "appeals": str(appeals.id) if appeals else None,
                "approved_units": row.approved_units if to == rules.Status.APPROVED else None,
                "valid": [row.valid_from, row.valid_to] if to == rules.Status.APPROVED else None,
                "change": str(change.id),
            },
        )
    return row


def record_packet_prepared(*, actor, authorization: PriorAuthorization, what: str) -> None:
    """Note that a packet (what: 'pdf', 'fhir', 'print') left the system for the payer."""
    require(actor, "authorization.packet")
    with transaction.atomic():
        record_event(
            actor=actor,
            action="authorization.packet_prepared",
            obj=authorization,
            patient=authorization.patient,
            changes={"format": what},
        )


# --- clinic configuration ------------------------------------------------------------------------
