"""Coverage and benefits-check writes, each in one transaction with its audit event."""

from __future__ import annotations

import datetime

from django.db import transaction

from ketaclinic.audit.services import assign, record_event, save_changes
from ketaclinic.core.permissions import require

from .. import queries
from ..definitions import COVERAGE_ORDERS, SUBSCRIBER_RELATIONSHIPS, YES_NO_UNKNOWN
from ..models import BenefitsCheck, InsuranceCoverage
from .common import _money, _not_future, _raise, _text


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
        values = {name: getattr(row, name) for name in InsuranceCoverage.EDITABLE_FIELDS}
        values |= changes
        _raise(_coverage_errors(row.patient, values, exclude_id=row.pk))
        before = assign(row, {name: values[name] for name in changes})
        save_changes(
            row, before, changes, actor=actor, action="coverage.updated", patient=row.patient
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
    for name, value in (
        ("covered", covered),
        ("prior_authorization_required", prior_authorization_required),
    ):
        if value not in answers:
            errors[name] = "yes, no or unknown"
    deductible = _money(deductible_remaining, "deductible_remaining", errors)
    out_of_pocket = _money(out_of_pocket_remaining, "out_of_pocket_remaining", errors)
    _raise(errors)
    # What the payer said, as recorded and as audited.
    said = {
        "checked_on": checked_on,
        "covered": covered,
        "prior_authorization_required": prior_authorization_required,
        "payer_reference": reference,
    }
    with transaction.atomic():
        check = BenefitsCheck.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            coverage=coverage,
            checked_by=actor,
            summary=summary,
            deductible_remaining=deductible,
            out_of_pocket_remaining=out_of_pocket,
            **said,
        )
        record_event(
            actor=actor,
            action="coverage.benefits_checked",
            obj=check,
            patient=patient,
            changes={"coverage": coverage.payer_name} | said,
        )
    return check


# --- prior authorizations ----------------------------------------------------------------------
