"""Writes of coverage and prior authorizations, each in one transaction with its audit event."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from ketaclinic.audit.services import diff, record_event
from ketaclinic.core.errors import Conflict, InvalidInput, NotFound
from ketaclinic.core.permissions import require

from . import course_facts, queries, rules
from .definitions import (
    COVERAGE_ORDERS,
    EXAMPLE_CRITERIA,
    EXAMPLE_SOURCE,
    SUBSCRIBER_RELATIONSHIPS,
    YES_NO_UNKNOWN,
)
from .models import (
    AuthorizationChange,
    AuthorizationSettings,
    AuthorizationStatus,
    BenefitsCheck,
    InsuranceCoverage,
    PayerChecklist,
    PayerCriterion,
    PriorAuthorization,
)

MAX_MONEY = Decimal("10000000")
MAX_DOSE_MG = Decimal("1000")
ESKETAMINE = "esketamine"


def _raise(errors: dict) -> None:
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)) + ".", fields=errors)


def _text(value, field: str, errors: dict, *, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors[field] = "required"
    elif len(text) > limit:
        errors[field] = f"at most {limit} characters"
    return text


def _money(value, field: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = "a number"
        return None
    if not number.is_finite() or number < 0 or number >= MAX_MONEY:
        errors[field] = "an amount from 0 up to 10,000,000"
        return None
    return number.quantize(Decimal("0.01"))


def _not_future(day, field: str, errors: dict, today: datetime.date) -> None:
    if day is not None and day > today:
        errors[field] = "today or earlier"


# --- coverage ----------------------------------------------------------------------------------


def _coverage_errors(patient, values: dict, *, exclude_id=None) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, limit, required in (
        ("payer_name", 200, True),
        ("plan_name", 200, False),
        ("member_id", 60, True),
        ("group_number", 60, False),
        ("subscriber_name", 200, False),
    ):
        values[name] = _text(values.get(name), name, errors, limit=limit, required=required)
    if values.get("order") not in dict(COVERAGE_ORDERS):
        errors["order"] = "1 (primary), 2 (secondary) or 3 (tertiary)"
    if values.get("subscriber_relationship") not in dict(SUBSCRIBER_RELATIONSHIPS):
        errors["subscriber_relationship"] = "self, spouse, child or other"
    start, end = values.get("effective_from"), values.get("effective_to")
    if start is None:
        errors["effective_from"] = "required"
    elif end is not None and end < start:
        errors["effective_to"] = "on or after effective_from"
    if errors:
        return errors
    # Two coverages may not both be primary (or both secondary) on the same day.
    same_order = InsuranceCoverage.objects.filter(
        clinic_id=patient.clinic_id, patient=patient, order=values["order"]
    ).exclude(pk=exclude_id)
    for other in same_order:
        other_end = other.effective_to or datetime.date.max
        if start <= other_end and (end or datetime.date.max) >= other.effective_from:
            errors["order"] = (
                f"{other.payer_name} is already {other.get_order_display().lower()} from "
                f"{other.effective_from.isoformat()}: end it first (effective_to)"
            )
            break
    return errors


def add_coverage(
    *,
    actor,
    patient,
    payer_name: str,
    member_id: str,
    effective_from: datetime.date,
    order: int = 1,
    plan_name: str = "",
    group_number: str = "",
    subscriber_name: str = "",
    subscriber_relationship: str = "self",
    effective_to: datetime.date | None = None,
) -> InsuranceCoverage:
    """Record one of the patient's insurance plans."""
    require(actor, "authorization.manage")
    values = {
        "payer_name": payer_name,
        "member_id": member_id,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "order": order,
        "plan_name": plan_name,
        "group_number": group_number,
        "subscriber_name": subscriber_name,
        "subscriber_relationship": subscriber_relationship,
    }
    with transaction.atomic():
        _raise(_coverage_errors(patient, values))
        coverage = InsuranceCoverage.objects.create(
            clinic_id=patient.clinic_id, patient=patient, created_by=actor, **values
        )
        record_event(
            actor=actor,
            action="coverage.added",
            obj=coverage,
            patient=patient,
            changes={"payer": coverage.payer_name, "order": coverage.order},
        )
    return coverage


def update_coverage(*, actor, coverage: InsuranceCoverage, **changes) -> InsuranceCoverage:
    """Correct a coverage or end it (effective_to)."""
    require(actor, "authorization.manage")
    unknown = set(changes) - set(InsuranceCoverage.EDITABLE_FIELDS)
    _raise(dict.fromkeys(unknown, "not a coverage field"))
    with transaction.atomic():
        row = InsuranceCoverage.objects.select_for_update().get(
            pk=coverage.pk, clinic_id=actor.clinic_id
        )
        before = {name: getattr(row, name) for name in InsuranceCoverage.EDITABLE_FIELDS}
        values = before | changes
        _raise(_coverage_errors(row.patient, values, exclude_id=row.pk))
        for name in changes:
            setattr(row, name, values[name])
        row.save()
        changed = diff(row, before, InsuranceCoverage.EDITABLE_FIELDS)
        record_event(
            actor=actor, action="coverage.updated", obj=row, patient=row.patient, changes=changed
        )
    return row


def record_benefits_check(
    *,
    actor,
    patient,
    coverage: InsuranceCoverage,
    summary: str,
    checked_on: datetime.date | None = None,
    covered: str = "unknown",
    deductible_remaining=None,
    out_of_pocket_remaining=None,
    prior_authorization_required: str = "unknown",
    payer_reference: str = "",
) -> BenefitsCheck:
    """Record what the payer said about the patient's benefits (who checked: the actor)."""
    require(actor, "authorization.manage")
    errors: dict[str, str] = {}
    today = queries.clinic_today(patient.clinic)
    checked_on = checked_on or today
    _not_future(checked_on, "checked_on", errors, today)
    if coverage.patient_id != patient.id:
        errors["coverage_id"] = "a coverage of this patient"
    summary = _text(summary, "summary", errors, limit=4000, required=True)
    reference = _text(payer_reference, "payer_reference", errors, limit=100)
    answers = dict(YES_NO_UNKNOWN)
    if covered not in answers:
        errors["covered"] = "yes, no or unknown"
    if prior_authorization_required not in answers:
        errors["prior_authorization_required"] = "yes, no or unknown"
    deductible = _money(deductible_remaining, "deductible_remaining", errors)
    out_of_pocket = _money(out_of_pocket_remaining, "out_of_pocket_remaining", errors)
    _raise(errors)
    with transaction.atomic():
        check = BenefitsCheck.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            coverage=coverage,
            checked_on=checked_on,
            checked_by=actor,
            summary=summary,
            covered=covered,
            deductible_remaining=deductible,
            out_of_pocket_remaining=out_of_pocket,
            prior_authorization_required=prior_authorization_required,
            payer_reference=reference,
        )
        record_event(
            actor=actor,
            action="coverage.benefits_checked",
            obj=check,
            patient=patient,
            changes={
                "coverage": coverage.payer_name,
                "checked_on": checked_on,
                "covered": covered,
                "prior_authorization_required": prior_authorization_required,
                "payer_reference": reference,
            },
        )
    return check


# --- prior authorizations ----------------------------------------------------------------------


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
        start = changes.get("valid_from", row.valid_from)
        end = changes.get("valid_to", row.valid_to)
        if start and end and end < start:
            errors["valid_to"] = "on or after valid_from"
        _raise(errors)
        fields = [*REQUEST_FIELDS, *APPROVAL_FIELDS, "protocol_code"]
        before = {name: getattr(row, name) for name in fields}
        for name, value in changes.items():
            setattr(row, name, value)
        row.save()
        record_event(
            actor=actor,
            action="authorization.updated",
            obj=row,
            patient=patient,
            changes=diff(row, before, fields),
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


def _criteria_rows(criteria: list[dict], errors: dict) -> list[rules.Criterion]:
    rows = []
    if not criteria:
        errors["criteria"] = "at least one criterion"
    for i, item in enumerate(criteria):
        kind = str(item.get("kind") or "")
        label = str(item.get("label") or "").strip()
        params = item.get("params") or {}
        if not label:
            errors[f"criteria.{i}.label"] = "required"
        elif len(label) > 300:
            errors[f"criteria.{i}.label"] = "at most 300 characters"
        if not isinstance(params, dict):
            errors[f"criteria.{i}.params"] = "an object"
            continue
        for name, message in rules.criterion_problems(kind, params).items():
            errors[f"criteria.{i}.{name}"] = message
        rows.append(rules.Criterion(kind, label, params))
    return rows


def save_checklist(
    *,
    actor,
    payer_name: str,
    source: str,
    criteria: list[dict],
    note: str = "",
    checklist: PayerChecklist | None = None,
) -> PayerChecklist:
    """Create a payer's checklist, or replace an existing one's rows (a checklist is data the
    clinic keeps in step with the payer's policy)."""
    require(actor, "authorization.configure")
    errors: dict[str, str] = {}
    payer_name = _text(payer_name, "payer_name", errors, limit=200, required=True)
    source = _text(source, "source", errors, limit=2000, required=True)
    note = _text(note, "note", errors, limit=4000)
    rows = _criteria_rows(list(criteria or []), errors)
    _raise(errors)
    try:
        with transaction.atomic():
            if checklist is None:
                row = PayerChecklist.objects.create(
                    clinic_id=actor.clinic_id,
                    payer_name=payer_name,
                    source=source,
                    note=note,
                    updated_by=actor,
                )
                before = []
            else:
                row = PayerChecklist.objects.select_for_update().get(
                    pk=checklist.pk, clinic_id=actor.clinic_id
                )
                before = [c.label for c in row.criteria.all()]
                row.payer_name, row.source, row.note, row.updated_by = (
                    payer_name,
                    source,
                    note,
                    actor,
                )
                row.save()
                row.criteria.all().delete()
            PayerCriterion.objects.bulk_create(
                PayerCriterion(
                    clinic_id=actor.clinic_id,
                    checklist=row,
                    position=i,
                    kind=c.kind,
                    label=c.label,
                    params=rules.with_defaults(c.kind, c.params),
                )
                for i, c in enumerate(rows, start=1)
            )
            record_event(
                actor=actor,
                action="authorization.checklist_saved",
                obj=row,
                clinic=actor.clinic,
                changes={
                    "payer": payer_name,
                    "criteria": {"from": before, "to": [c.label for c in rows]},
                },
            )
    except IntegrityError as exc:
        raise InvalidInput(
            f"The clinic already keeps a checklist for {payer_name}.",
            fields={"payer_name": "already has a checklist"},
        ) from exc
    return row


def copy_example_checklist(*, actor, payer_name: str) -> PayerChecklist:
    """A payer's checklist started from the shipped example, to adapt to its policy."""
    return save_checklist(
        actor=actor,
        payer_name=payer_name,
        source=EXAMPLE_SOURCE,
        note="Copied from the example checklist: adapt the rows to this payer's current policy "
        "and name that policy as the source.",
        criteria=[{"kind": c.kind, "label": c.label, "params": c.params} for c in EXAMPLE_CRITERIA],
    )


def update_settings(*, actor, **changes) -> AuthorizationSettings:
    """Record the clinic's Spravato REMS certification or when expiry warnings start."""
    require(actor, "authorization.configure")
    errors = dict.fromkeys(set(changes) - set(AuthorizationSettings.EDITABLE_FIELDS), "unknown")
    today = queries.clinic_today(actor.clinic)
    if "site_rems_reference" in changes:
        changes["site_rems_reference"] = _text(
            changes["site_rems_reference"], "site_rems_reference", errors, limit=100
        )
    _not_future(changes.get("site_rems_certified_on"), "site_rems_certified_on", errors, today)
    days = changes.get("expiry_warning_days")
    if "expiry_warning_days" in changes and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 120
    ):
        errors["expiry_warning_days"] = "a whole number of days from 1 to 120"
    _raise(errors)
    with transaction.atomic():
        row, _ = AuthorizationSettings.objects.select_for_update().get_or_create(
            clinic_id=actor.clinic_id
        )
        before = {name: getattr(row, name) for name in AuthorizationSettings.EDITABLE_FIELDS}
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_by = actor
        row.save()
        record_event(
            actor=actor,
            action="authorization.settings_changed",
            obj=row,
            clinic=actor.clinic,
            changes=diff(row, before, AuthorizationSettings.EDITABLE_FIELDS),
        )
    return row
