"""Billing writes, each in one transaction with its audit event: configuration and patients."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ketaclinic.audit.services import record_event, update_clinic_settings
from ketaclinic.core.errors import Conflict, InvalidInput, raise_invalid
from ketaclinic.core.permissions import require
from ketaclinic.patients.services import add_to_record

from . import estimates, queries, rules
from .definitions import DIAGNOSES, LOW_DOSE_MG_BELOW, MINUTE_RULE_MAX, SERVICES
from .models import (
    AUTOMATIC,
    MANUAL,
    BillingDiagnosis,
    BillingSettings,
    Charge,
    FeeItem,
    FeeSchedule,
    GoodFaithEstimate,
    Payment,
    PaymentMethod,
    PovertyGuideline,
    SlidingScale,
    SlidingScaleAssessment,
    SlidingScaleBand,
)
from .poverty_guidelines import REGIONS

MAX_AMOUNT = Decimal("1000000")


def _decimal(value, field: str, errors: dict, *, minimum=Decimal("0"), allow_none=False):
    if value is None or value == "":
        if not allow_none:
            errors[field] = "Required."
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = "Must be a number."
        return None
    if not number.is_finite() or number < minimum or number >= MAX_AMOUNT:
        errors[field] = f"Must be at least {minimum} and below {MAX_AMOUNT:,}."
        return None
    return number


def _dated_table_errors(actor, name: str) -> dict[str, str]:
    """Refuse a user who may not configure billing; else the errors of a new fee schedule's or
    sliding-scale table's name, to which the caller adds the errors of its rows."""
    require(actor, "billing.configure")
    return {} if name.strip() else {"name": "Required."}


def _create_dated(model, actor, *, what: str, name: str, effective_from, note: str):
    """The header row of a new fee schedule or sliding-scale table. Call inside the transaction
    that adds its rows.

    A new price list or table may only start in the past when it is the clinic's first:
    otherwise it would re-price sessions already given under the earlier one. It is refused
    when another one already starts on that day."""
    today = queries.clinic_today(actor.clinic)
    if effective_from < today and model.objects.filter(clinic_id=actor.clinic_id).exists():
        raise InvalidInput(
            f"A new {what} starts today or later; earlier prices stay as they were.",
            fields={"effective_from": "today or later"},
        )
    if model.objects.filter(clinic_id=actor.clinic_id, effective_from=effective_from).exists():
        raise Conflict(
            f"A {what} already starts on {effective_from.isoformat()}.",
            fields={"effective_from": "already used"},
        )
    return model.objects.create(
        clinic_id=actor.clinic_id,
        name=name.strip(),
        effective_from=effective_from,
        note=note.strip(),
        created_by=actor,
    )


def _create_for_patient(actor, model, patient, *, action: str, changes: dict, **fields):
    """Create one billing row of the patient and its audit event, in one transaction."""
    with transaction.atomic():
        return add_to_record(
            model, patient, actor=actor, action=action, changes=lambda row: changes, **fields
        )


# --- configuration -----------------------------------------------------------------------------


TENTH = Decimal("0.1")


def update_billing_settings(*, actor, **changes) -> BillingSettings:
    """Change the clinic's billing identifiers or configurable billing rules."""
    require(actor, "billing.configure")
    unknown = set(changes) - set(BillingSettings.EDITABLE_FIELDS)
    errors = dict.fromkeys(unknown, "not a billing setting")
    npi = changes.get("billing_npi")
    if npi and not (str(npi).isdigit() and len(str(npi)) == 10):
        errors["billing_npi"] = "An NPI is 10 digits."
    if "poverty_region" in changes and changes["poverty_region"] not in dict(REGIONS):
        errors["poverty_region"] = "Unknown region."
    if "dispute_threshold" in changes:
        _decimal(changes["dispute_threshold"], "dispute_threshold", errors)
    # The coding rules, bounded as the API bounds them: the page and the API both save here.
    for field, most in MINUTE_RULE_MAX.items():
        if field in changes:
            value = changes[field]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
                errors[field] = f"Whole minutes from 0 to {most}."
    if "esketamine_low_dose_max_mg" in changes:
        mg = _decimal(changes["esketamine_low_dose_max_mg"], "esketamine_low_dose_max_mg", errors)
        if mg is not None and not (0 < mg < LOW_DOSE_MG_BELOW and mg == mg.quantize(TENTH)):
            errors["esketamine_low_dose_max_mg"] = (
                f"More than 0 and below {LOW_DOSE_MG_BELOW:,} mg, to one decimal place."
            )
    if "charge_at_discharge" in changes and changes["charge_at_discharge"] not in (
        AUTOMATIC,
        MANUAL,
    ):
        errors["charge_at_discharge"] = "automatic or manual"
    raise_invalid(errors)
    values = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    return update_clinic_settings(
        BillingSettings, actor=actor, values=values, action="billing.settings_changed"
    )


def create_fee_schedule(
    *, actor, name: str, effective_from: datetime.date, items: list[dict], note: str = ""
) -> FeeSchedule:
    """Add a fee schedule in force from a date (prices of earlier schedules never change)."""
    errors = _dated_table_errors(actor, name)
    seen = set()
    cleaned = []
    for i, item in enumerate(items):
        service = item.get("service")
        if service not in SERVICES:
            errors[f"items.{i}.service"] = "Unknown service."
            continue
        if service in seen:
            errors[f"items.{i}.service"] = "Listed twice."
        seen.add(service)
        price = _decimal(item.get("unit_price"), f"items.{i}.unit_price", errors)
        cleaned.append(
            {
                "service": service,
                "code": (item.get("code") or "").strip().upper(),
                "description": (item.get("description") or "").strip() or SERVICES[service].label,
                "unit_price": rules.money(price) if price is not None else None,
                "discountable": bool(item.get("discountable", True)),
            }
        )
    if not items:
        errors["items"] = "Price at least one service."
    raise_invalid(errors)
    with transaction.atomic():
        schedule = _create_dated(
            FeeSchedule,
            actor,
            what="fee schedule",
            name=name,
            effective_from=effective_from,
            note=note,
        )
        FeeItem.objects.bulk_create(
            FeeItem(clinic_id=actor.clinic_id, schedule=schedule, **item) for item in cleaned
        )
        record_event(
            actor=actor,
            action="billing.fee_schedule_created",
            obj=schedule,
            clinic=actor.clinic,
            changes={
                "effective_from": effective_from,
                "items": {i["service"]: f"{i['code']} {i['unit_price']}" for i in cleaned},
            },
        )
    return schedule


def set_poverty_guideline(
    *, actor, year: int, region: str, first_person, each_additional, source: str
) -> PovertyGuideline:
    """Load or correct a year's guideline values (with their source)."""
    require(actor, "billing.configure")
    errors: dict[str, str] = {}
    if not 2000 <= int(year) <= 2100:
        errors["year"] = "A year between 2000 and 2100."
    if region not in dict(REGIONS):
        errors["region"] = "Unknown region."
    first = _decimal(first_person, "first_person", errors, minimum=Decimal("1"))
    each = _decimal(each_additional, "each_additional", errors)
    if not (source or "").strip():
        errors["source"] = "Say where the values come from (e.g. the Federal Register notice)."
    raise_invalid(errors)
    with transaction.atomic():
        row = (
            PovertyGuideline.objects.select_for_update()
            .filter(clinic_id=actor.clinic_id, year=year, region=region)
            .first()
        )
        before = (
            {"first_person": row.first_person, "each_additional": row.each_additional}
            if row
            else {}
        )
        if row is None:
            row = PovertyGuideline(clinic_id=actor.clinic_id, year=year, region=region)
        row.first_person, row.each_additional, row.source = first, each, source.strip()
        row.updated_by = actor
        row.save()
        record_event(
            actor=actor,
            action="billing.poverty_guideline_set",
            obj=row,
            clinic=actor.clinic,
            changes={
                "year": year,
                "region": region,
                "first_person": {"from": before.get("first_person"), "to": first},
                "each_additional": {"from": before.get("each_additional"), "to": each},
                "source": row.source,
            },
        )
    return row


def create_sliding_scale(
    *, actor, name: str, effective_from: datetime.date, bands: list[dict], note: str = ""
) -> SlidingScale:
    """Add the clinic's discount table (bands by % of the poverty guideline) from a date."""
    errors = _dated_table_errors(actor, name)
    parsed = []
    for i, band in enumerate(bands):
        limit = _decimal(band.get("max_percent"), f"bands.{i}.max_percent", errors, allow_none=True)
        discount = _decimal(band.get("discount_percent"), f"bands.{i}.discount_percent", errors)
        parsed.append(rules.ScaleBand(limit, discount if discount is not None else Decimal(0)))
    raise_invalid(errors)
    problems = rules.validate_bands(parsed)
    if problems:
        raise InvalidInput(" ".join(problems), fields={"bands": " ".join(problems)})
    with transaction.atomic():
        scale = _create_dated(
            SlidingScale,
            actor,
            what="sliding-scale table",
            name=name,
            effective_from=effective_from,
            note=note,
        )
        SlidingScaleBand.objects.bulk_create(
            SlidingScaleBand(
                clinic_id=actor.clinic_id,
                scale=scale,
                position=i,
                max_percent=b.max_percent,
                discount_percent=b.discount_percent,
            )
            for i, b in enumerate(parsed, start=1)
        )
        record_event(
            actor=actor,
            action="billing.sliding_scale_created",
            obj=scale,
            clinic=actor.clinic,
            changes={
                "effective_from": effective_from,
                "bands": [rules.band_label(parsed, i) for i in range(len(parsed))],
                "discounts": [b.discount_percent for b in parsed],
            },
        )
    return scale


# --- per patient -------------------------------------------------------------------------------


def apply_sliding_scale(
    *,
    actor,
    patient,
    household_size: int,
    annual_income,
    effective_from: datetime.date | None = None,
    documentation: str = "",
) -> SlidingScaleAssessment:
    """Check household income against the clinic's table and apply the discount from a date:
    to charges made from then on and to the patient's charges already dated on or after it.
    The acting user is recorded as the approver."""
    require(actor, "billing.sliding_scale")
    errors: dict[str, str] = {}
    if not 1 <= int(household_size) <= 30:
        errors["household_size"] = "Between 1 and 30 people."
    income = _decimal(annual_income, "annual_income", errors)
    raise_invalid(errors)
    day = effective_from or queries.clinic_today(patient.clinic)
    scale = queries.sliding_scale_on(patient.clinic_id, day)
    if scale is None:
        raise Conflict(
            f"The clinic has no sliding-scale table in force on {day.isoformat()}.",
            code="no_sliding_scale",
        )
    settings = queries.billing_settings(patient.clinic)
    guideline = queries.guideline_for(patient.clinic_id, day.year, settings.poverty_region)
    if guideline is None:
        raise Conflict(
            f"No poverty guideline for {day.year} or earlier: load one in the billing settings.",
            code="no_poverty_guideline",
        )
    result = rules.sliding_scale(income, int(household_size), guideline, queries.bands_of(scale))
    rule = result.rule
    if guideline.year != day.year:
        rule += f" (The {day.year} guideline is not loaded; {guideline.year} values used.)"
    now = timezone.now()
    with transaction.atomic():
        # The new assessment decides from its date on, as the charges re-priced below: every
        # assessment still in force on or after that date ends there (one dated later, a
        # backdated correction replaces whole), so one day never has two discounts.
        in_force_after = SlidingScaleAssessment.objects.select_for_update().filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
            clinic_id=patient.clinic_id,
            patient=patient,
        )
        ended = []
        for previous in in_force_after:
            was = previous.ended_on
            previous.ended_on = max(day, previous.effective_from)
            previous.save(update_fields=["ended_on"])
            ended.append(
                {"id": str(previous.pk), "ended_on": {"from": was, "to": previous.ended_on}}
            )
        assessment = SlidingScaleAssessment.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            household_size=household_size,
            annual_income=rules.money(income),
            guideline_year=guideline.year,
            guideline_region=guideline.region,
            guideline_amount=rules.money(result.guideline_amount),
            percent_of_guideline=result.percent,
            scale=scale,
            band=result.band,
            discount_percent=result.discount_percent.quantize(rules.CENT),
            rule=rule,
            effective_from=day,
            documentation=documentation.strip()[:300],
            approved_by=actor,
            approved_at=now,
        )
        repriced = _rediscount(patient, assessment)
        record_event(
            actor=actor,
            action="billing.sliding_scale_applied",
            obj=assessment,
            patient=patient,
            changes={
                "discount_percent": result.discount_percent,
                "effective_from": day,
                "rule": rule,
                "charges_repriced": repriced,
                "assessments_ended": ended,
            },
        )
    return assessment


def _rediscount(patient, assessment: SlidingScaleAssessment) -> list[dict]:
    changed = []
    charges = Charge.objects.select_for_update().filter(
        clinic_id=patient.clinic_id,
        patient=patient,
        voided_at__isnull=True,
        service_date__gte=assessment.effective_from,
    )
    for charge in charges:
        before = charge.discount_amount
        _set_discount(charge, assessment)
        charge.save(
            update_fields=["discount_percent", "discount_amount", "discount_rule", "assessment"]
        )
        if before != charge.discount_amount:
            changed.append({"charge": str(charge.id), "from": before, "to": charge.discount_amount})
    return changed


def _set_discount(charge: Charge, assessment: SlidingScaleAssessment | None) -> None:
    line = rules.Line(
        charge.service,
        charge.code,
        charge.description,
        charge.quantity,
        charge.unit_price,
        _discountable(charge),
    )
    percent = assessment.discount_percent if assessment else rules.ZERO
    charge.discount_percent = percent if line.discountable else rules.ZERO
    charge.discount_amount = rules.line_discount(line, percent)
    charge.discount_rule = assessment.rule if assessment and charge.discount_amount else ""
    charge.assessment = assessment if charge.discount_amount else None


def _discountable(charge: Charge) -> bool:
    if charge.fee_schedule_id is None:
        return True
    item = charge.fee_schedule.items.filter(service=charge.service).first()
    return item.discountable if item else True


def set_diagnosis(*, actor, patient, code: str, description: str = "") -> BillingDiagnosis:
    """Set the ICD-10-CM diagnosis (F32.x / F33.x) that estimates and superbills carry."""
    require(actor, "billing.diagnosis")
    code = (code or "").strip().upper()
    problem = rules.diagnosis_code_problem(code)
    known = {d.code: d.description for d in DIAGNOSES}
    description = (description or "").strip() or known.get(code, "")
    errors = {}
    if problem:
        errors["code"] = problem
    elif not description:
        errors["description"] = "Describe a code that is not in the list."
    raise_invalid(errors)
    return _create_for_patient(
        actor,
        BillingDiagnosis,
        patient,
        action="billing.diagnosis_set",
        changes={"code": code},
        code=code,
        description=description[:200],
        recorded_by=actor,
    )


def issue_estimate(
    *,
    actor,
    patient,
    course=None,
    protocol_code: str = "",
    start_date: datetime.date | None = None,
) -> GoodFaithEstimate:
    """Issue (and keep) a Good Faith Estimate for a course, or for a protocol before a course."""
    require(actor, "billing.estimate")
    today = queries.clinic_today(patient.clinic)
    if course is not None:
        if course.patient_id != patient.id:
            raise InvalidInput("The course is not this patient's.", fields={"course_id": "other"})
        view = estimates.for_course(course, today=today)
    else:
        if not protocol_code:
            raise InvalidInput(
                "Name a course or a protocol.", fields={"protocol": "required without a course"}
            )
        view = estimates.for_plan(
            actor=actor,
            patient=patient,
            protocol_code=protocol_code,
            start_date=start_date or today,
        )
    totals = view.totals
    return _create_for_patient(
        actor,
        GoodFaithEstimate,
        patient,
        action="billing.estimate_issued",
        changes={
            "protocol": view.protocol_code,
            "sessions": view.result.sessions,
            "total": totals.total,
            "discount": totals.discount,
        },
        course=course,
        protocol_code=view.protocol_code,
        protocol_name=view.protocol_name,
        start_date=view.start_date,
        sessions=view.result.sessions,
        lines=[{k: str(v) for k, v in line.items()} for line in view.lines_data()],
        subtotal=totals.subtotal,
        discount=totals.discount,
        total=totals.total,
        discount_rule=view.discount_rule,
        fee_schedule=view.fee_schedule,
        diagnosis_code=view.diagnosis.code if view.diagnosis else "",
        diagnosis_description=view.diagnosis.description if view.diagnosis else "",
        warnings=list(view.result.warnings),
        issued_by=actor,
    )


def record_payment(
    *,
    actor,
    patient,
    amount,
    method: str,
    received_on: datetime.date | None = None,
    reference: str = "",
    note: str = "",
) -> Payment:
    """Record money received; the patient's balance drops by the amount."""
    require(actor, "billing.payment")
    errors: dict[str, str] = {}
    value = _decimal(amount, "amount", errors, minimum=Decimal("0.01"))
    if method not in PaymentMethod.values:
        errors["method"] = "Unknown payment method."
    today = queries.clinic_today(patient.clinic)
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = "Cannot be in the future."
    raise_invalid(errors)
    amount = rules.money(value)
    return _create_for_patient(
        actor,
        Payment,
        patient,
        action="billing.payment_recorded",
        changes={"amount": amount, "method": method, "received_on": received_on},
        amount=amount,
        method=method,
        received_on=received_on,
        reference=reference.strip()[:100],
        note=note.strip()[:300],
        recorded_by=actor,
    )


def void_payment(*, actor, payment: Payment, reason: str) -> Payment:
    require(actor, "billing.payment")
    return _void(actor, Payment, payment, reason, "billing.payment_voided")


def void_charge(*, actor, charge: Charge, reason: str) -> Charge:
    require(actor, "billing.charge")
    return _void(actor, Charge, charge, reason, "billing.charge_voided")


def _void(actor, model, row, reason: str, action: str):
    if not (reason or "").strip():
        raise InvalidInput("Say why it is voided.", fields={"reason": "required"})
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=row.pk, clinic_id=actor.clinic_id)
        if locked.voided_at is not None:
            raise Conflict("Already voided.")
        locked.voided_at, locked.voided_by = timezone.now(), actor
        locked.void_reason = reason.strip()[:300]
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        record_event(
            actor=actor,
            action=action,
            obj=locked,
            patient=locked.patient,
            changes={"amount": locked.amount, "reason": locked.void_reason},
        )
    return locked


def _save_charges(charges: list[Charge]) -> None:
    try:
        with transaction.atomic():
            for charge in charges:
                charge.save()
    except IntegrityError as exc:
        raise Conflict("The session is already charged.", code="already_charged") from exc
