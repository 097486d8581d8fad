"""Billing reads, scoped to the actor's clinic: prices in force, discounts, accounts, estimates."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require
from ketaclinic.patients.queries import access_patient
from ketaclinic.treatments import queries as treatment_queries

from . import rules
from .definitions import EsketamineCodeRule, InfusionTimeRule
from .models import (
    BillingDiagnosis,
    BillingSettings,
    Charge,
    FeeSchedule,
    GoodFaithEstimate,
    Payment,
    PovertyGuideline,
    SlidingScale,
    SlidingScaleAssessment,
)
from .poverty_guidelines import SHIPPED, Guideline

ZERO = Decimal("0.00")


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def clinic_today(clinic) -> datetime.date:
    return timezone.localdate(timezone.now(), clinic.tz)


# --- configuration -----------------------------------------------------------------------------


def billing_settings(clinic) -> BillingSettings:
    """The clinic's saved settings, or unsaved defaults (reads never write)."""
    return BillingSettings.objects.filter(clinic=clinic).first() or BillingSettings(clinic=clinic)


def infusion_rule(settings: BillingSettings) -> InfusionTimeRule:
    return InfusionTimeRule(
        push_max_minutes=settings.infusion_push_max_minutes,
        additional_more_than_minutes=settings.infusion_additional_more_than_minutes,
    )


def esketamine_rule(settings: BillingSettings) -> EsketamineCodeRule:
    return EsketamineCodeRule(up_to_mg=settings.esketamine_low_dose_max_mg)


def fee_schedule_on(clinic_id, day: datetime.date) -> FeeSchedule | None:
    """The schedule in force on a day: the latest one that started on or before it."""
    return (
        FeeSchedule.objects.filter(clinic_id=clinic_id, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def prices_of(schedule: FeeSchedule) -> dict[str, rules.Price]:
    return {
        item.service: rules.Price(
            item.service, item.code, item.description, item.unit_price, item.discountable
        )
        for item in schedule.items.all()
    }


def fee_schedules(user):
    require(user, "billing.view")
    return (
        FeeSchedule.objects.visible_to(user).prefetch_related("items").select_related("created_by")
    )


def access_fee_schedule(user, schedule_id) -> FeeSchedule:
    return _one(fee_schedules(user), schedule_id, "fee schedule")


def sliding_scales(user):
    require(user, "billing.view")
    return (
        SlidingScale.objects.visible_to(user).prefetch_related("bands").select_related("created_by")
    )


def sliding_scale_on(clinic_id, day: datetime.date) -> SlidingScale | None:
    return (
        SlidingScale.objects.filter(clinic_id=clinic_id, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def bands_of(scale: SlidingScale) -> list[rules.ScaleBand]:
    return [rules.ScaleBand(b.max_percent, b.discount_percent) for b in scale.bands.all()]


def guidelines(clinic_id) -> list[Guideline]:
    """Shipped guideline values with the clinic's loaded or corrected values laid over them."""
    merged = {(g.year, g.region): g for g in SHIPPED}
    for row in PovertyGuideline.objects.filter(clinic_id=clinic_id):
        merged[(row.year, row.region)] = Guideline(
            row.year, row.region, row.first_person, row.each_additional, row.source
        )
    return sorted(merged.values(), key=lambda g: (-g.year, g.region))


def guideline_for(clinic_id, year: int, region: str) -> Guideline | None:
    """The guideline of that year and region, or of the latest earlier year the clinic has."""
    candidates = [g for g in guidelines(clinic_id) if g.region == region and g.year <= year]
    return max(candidates, key=lambda g: g.year) if candidates else None


# --- per patient -------------------------------------------------------------------------------


def assessment_on(patient, day: datetime.date) -> SlidingScaleAssessment | None:
    """The sliding-scale assessment in force for the patient on a day, if any."""
    return (
        SlidingScaleAssessment.objects.filter(
            clinic_id=patient.clinic_id, patient=patient, effective_from__lte=day
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .select_related("approved_by")
        .order_by("-effective_from", "-approved_at")
        .first()
    )


def assessments_of(user, patient):
    require(user, "billing.view")
    return (
        SlidingScaleAssessment.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("approved_by")
    )


def current_diagnosis(patient) -> BillingDiagnosis | None:
    return (
        BillingDiagnosis.objects.filter(clinic_id=patient.clinic_id, patient=patient)
        .select_related("recorded_by")
        .order_by("-created_at")
        .first()
    )


def charges_of(user, patient, *, include_void: bool = True):
    require(user, "billing.view")
    charges = (
        Charge.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("rendering_provider", "created_by", "voided_by")
    )
    return charges if include_void else charges.filter(voided_at__isnull=True)


def payments_of(user, patient, *, include_void: bool = True):
    require(user, "billing.view")
    payments = (
        Payment.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("recorded_by", "voided_by")
    )
    return payments if include_void else payments.filter(voided_at__isnull=True)


def account_of(patient) -> rules.Account:
    """Charged, discounts, net, paid and balance of a patient (voided rows left out)."""
    charges = Charge.objects.filter(
        clinic_id=patient.clinic_id, patient=patient, voided_at__isnull=True
    ).aggregate(amount=Sum("amount"), discount=Sum("discount_amount"))
    paid = Payment.objects.filter(
        clinic_id=patient.clinic_id, patient=patient, voided_at__isnull=True
    ).aggregate(amount=Sum("amount"))["amount"]
    return rules.account([(charges["amount"] or ZERO, charges["discount"] or ZERO)], [paid or ZERO])


def discounted_patient_ids(user, patient_ids, today: datetime.date) -> set:
    """Those of these patients with a sliding-scale discount in force today."""
    return set(
        SlidingScaleAssessment.objects.visible_to(user)
        .filter(
            patient_id__in=patient_ids,
            ended_on__isnull=True,
            effective_from__lte=today,
            discount_percent__gt=0,
        )
        .values_list("patient_id", flat=True)
    )


def _of_patients(rows, patient_ids):
    return rows if patient_ids is None else rows.filter(patient_id__in=list(patient_ids))


def accounts(user, patient_ids=None) -> dict:
    """patient id -> Account for every patient of the clinic with a charge or a payment (or
    only those of `patient_ids`)."""
    charged = (
        _of_patients(Charge.objects.visible_to(user), patient_ids)
        .filter(voided_at__isnull=True)
        .values("patient_id")
        .annotate(amount=Sum("amount"), discount=Sum("discount_amount"))
    )
    paid = (
        _of_patients(Payment.objects.visible_to(user), patient_ids)
        .filter(voided_at__isnull=True)
        .values("patient_id")
        .annotate(amount=Sum("amount"))
    )
    by_patient: dict = {}
    for row in charged:
        by_patient.setdefault(row["patient_id"], [[], []])[0].append(
            (row["amount"], row["discount"])
        )
    for row in paid:
        by_patient.setdefault(row["patient_id"], [[], []])[1].append(row["amount"])
    return {pid: rules.account(c, p) for pid, (c, p) in by_patient.items()}


def oldest_unpaid_charge_dates(user, patient_ids=None, *, known_accounts=None) -> dict:
    """patient id -> service date of the oldest charge not covered by payments (oldest first),
    for the clinic's patients or only those of `patient_ids`; `known_accounts` saves reading
    their accounts again."""
    if known_accounts is None:
        known_accounts = accounts(user, patient_ids)
    paid = {pid: a.paid for pid, a in known_accounts.items()}
    result: dict = {}
    rows = (
        _of_patients(Charge.objects.visible_to(user), patient_ids)
        .filter(voided_at__isnull=True)
        .order_by("patient_id", "service_date", "created_at")
        .values_list("patient_id", "service_date", "amount", "discount_amount")
    )
    remaining: dict = {}
    for pid, day, amount, discount in rows:
        if pid in result:
            continue
        left = remaining.setdefault(pid, paid.get(pid, ZERO))
        net = amount - discount
        if left >= net:
            remaining[pid] = left - net
        else:
            result[pid] = day
    return result


def estimates_of(user, patient):
    require(user, "billing.view")
    return (
        GoodFaithEstimate.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("issued_by", "course")
    )


def _one(rows, row_id, what: str):
    """The row of `rows` with this id (a malformed id finds nothing), or 404 naming `what`."""
    key = _uuid(row_id)
    found = rows.filter(pk=key).first() if key else None
    if found is None:
        raise NotFound(f"No such {what}.")
    return found


def access_estimate(user, estimate_id) -> GoodFaithEstimate:
    require(user, "billing.view")
    rows = GoodFaithEstimate.objects.visible_to(user).select_related(
        "patient", "issued_by", "course", "fee_schedule"
    )
    return _one(rows, estimate_id, "estimate")


def access_charge(user, charge_id, *, action: str = "billing.view") -> Charge:
    require(user, action)
    return _one(Charge.objects.visible_to(user).select_related("patient"), charge_id, "charge")


def access_payment(user, payment_id, *, action: str = "billing.view") -> Payment:
    require(user, action)
    return _one(Payment.objects.visible_to(user).select_related("patient"), payment_id, "payment")


def access_billing_patient(
    user, patient_id, *, action: str = "billing.view", record_view: bool = False
):
    """The patient for a billing page or endpoint (billing rights, not clinical ones)."""
    require(user, action)
    return access_patient(user, patient_id, action="patient.view", record_view=record_view)


def access_course(user, course_id, *, action: str = "billing.view"):
    """A course of the user's clinic for billing: front desk may price it without clinical
    access (it shows the protocol and planned sessions, never notes or scores)."""
    return treatment_queries.access_course(user, course_id, action=action)


def access_session(user, session_id, *, action: str = "billing.view"):
    """A session of the user's clinic for billing (its patient, course and version only)."""
    return treatment_queries.access_session(user, session_id, action=action, with_flowsheet=False)


# --- Good Faith Estimate disputes ---------------------------------------------------------------


def charged_against(estimate: GoodFaithEstimate) -> Decimal:
    """Net charges for what an estimate covered: its course, or (without a course) the
    patient's charges from its start date on."""
    charges = Charge.objects.filter(
        clinic_id=estimate.clinic_id, patient_id=estimate.patient_id, voided_at__isnull=True
    )
    if estimate.course_id:
        charges = charges.filter(course_id=estimate.course_id)
    else:
        charges = charges.filter(service_date__gte=estimate.start_date)
    totals = charges.aggregate(amount=Sum("amount"), discount=Sum("discount_amount"))
    return (totals["amount"] or ZERO) - (totals["discount"] or ZERO)


def dispute_check(estimate: GoodFaithEstimate) -> rules.DisputeCheck:
    threshold = billing_settings(estimate.clinic).dispute_threshold
    return rules.dispute_check(estimate.total, charged_against(estimate), threshold)


def latest_estimate_for_course(course) -> GoodFaithEstimate | None:
    return (
        GoodFaithEstimate.objects.filter(clinic_id=course.clinic_id, course=course)
        .order_by("-created_at")
        .first()
    )
