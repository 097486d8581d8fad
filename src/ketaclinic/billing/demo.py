"""Demo billing: prices, a sliding scale, estimates, charges and payments.

Runs after the treatment-day and inventory demos, so completed sessions exist to charge.
Prices are invented demo data (a fee is clinic data, never a fact); the codes come from the
AMA CPT and CMS HCPCS Level II code sets (see docs/billing.md).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from ketaclinic.treatments.queries import CourseStatus, clinic_courses

from . import charges, services
from .definitions import (
    CONSULTATION,
    ESK_OVER_56,
    ESK_UP_TO_56,
    ESKETAMINE_PER_DEVICE,
    FOLLOW_UP,
    IV_ADDITIONAL_HOUR,
    IV_FIRST_HOUR,
    KETAMINE_PER_MG,
)
from .models import Charge

ORDER = 90

# Demo prices (invented). E/M levels 99205/99214 are examples a clinic might choose.
DEMO_PRICES = (
    (IV_FIRST_HOUR, "96365", "475.00", True),
    (IV_ADDITIONAL_HOUR, "96366", "95.00", True),
    (ESK_UP_TO_56, "G2082", "325.00", True),
    (ESK_OVER_56, "G2083", "365.00", True),
    (KETAMINE_PER_MG, "", "0.60", False),
    (ESKETAMINE_PER_DEVICE, "", "295.00", False),
    (CONSULTATION, "99205", "395.00", True),
    (FOLLOW_UP, "99214", "195.00", True),
)
DEMO_BANDS = (
    {"max_percent": "100", "discount_percent": "75"},
    {"max_percent": "150", "discount_percent": "50"},
    {"max_percent": "200", "discount_percent": "25"},
    {"max_percent": None, "discount_percent": "0"},
)


def seed(ctx) -> None:
    admin, desk = ctx.user("admin"), ctx.user("frontdesk")
    prescriber = ctx.user("prescriber")
    rng = ctx.rng
    today = timezone.localdate(timezone.now(), ctx.clinic.tz)
    services.update_billing_settings(
        actor=admin, billing_npi="1234567893", tax_id="00-0000000", place_of_service="11"
    )
    services.create_fee_schedule(
        actor=admin,
        name="Self-pay prices (demo)",
        effective_from=today - datetime.timedelta(days=365),
        note="Invented demo prices.",
        items=[
            {"service": s, "code": code, "unit_price": price, "discountable": disc}
            for s, code, price, disc in DEMO_PRICES
        ],
    )
    services.create_sliding_scale(
        actor=admin,
        name="Sliding fee scale (demo)",
        effective_from=today - datetime.timedelta(days=365),
        bands=list(DEMO_BANDS),
        note="Demo table: the clinic sets its own bands and discounts.",
    )
    courses = list(clinic_courses(ctx.clinic))
    treated = {c.patient_id: c.patient for c in courses}
    for i, patient in enumerate(treated.values()):
        services.set_diagnosis(
            actor=prescriber, patient=patient, code="F33.2" if i % 3 else "F32.2"
        )
    # Two patients apply for the sliding scale before their courses are charged.
    patients = list(treated.values())
    for patient, (size, income) in zip(patients[:2], ((3, "31000"), (1, "21000")), strict=False):
        services.apply_sliding_scale(
            actor=desk,
            patient=patient,
            household_size=size,
            annual_income=income,
            effective_from=today - datetime.timedelta(days=180),
            documentation="Last year's tax return seen (demo)",
        )
    for course in courses:
        if course.status == CourseStatus.ACTIVE:
            services.issue_estimate(actor=desk, patient=course.patient, course=course)
    result = charges.charge_completed_sessions(actor=desk)
    for patient in patients:
        consult_day = min(
            (c.start_date for c in courses if c.patient_id == patient.id), default=today
        ) - datetime.timedelta(days=7)
        charges.add_charge(
            actor=desk,
            patient=patient,
            service=CONSULTATION,
            service_date=min(consult_day, today),
            rendering_provider=prescriber,
            basis="Initial evaluation (demo)",
        )
    for i, patient in enumerate(patients):
        owed = sum(
            (c.net for c in Charge.objects.filter(patient=patient, voided_at__isnull=True)),
            Decimal("0"),
        )
        if owed <= 0 or i % 3 == 2:
            continue  # every third patient has paid nothing yet (an at-risk signal later)
        part = (owed * Decimal(rng.choice(("0.5", "0.75", "1")))).quantize(Decimal("0.01"))
        services.record_payment(
            actor=desk,
            patient=patient,
            amount=part,
            method=rng.choice(("card", "card", "hsa_fsa", "cash", "check")),
            received_on=today - datetime.timedelta(days=rng.randint(0, 20)),
            reference=f"DEMO-{rng.randint(1000, 9999)}",
        )
    ctx.notes.append(
        f"Billing: {len(result.charged)} completed sessions charged; see Billing and Access."
    )
