"""Billing reports: revenue, charges and discounts by month, and outstanding balances."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from ketaclinic.core.permissions import require
from ketaclinic.patients.queries import patients_by_id

from . import queries
from .models import Charge, Payment, SlidingScaleAssessment

ZERO = Decimal("0.00")


def _month(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def billing_report(user, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Money in a period (payments by service month and method; charges; discounts) and the
    balances outstanding today."""
    require(user, "billing.reports")
    months: dict[str, dict] = defaultdict(
        lambda: {"charged": ZERO, "discounts": ZERO, "net": ZERO, "received": ZERO}
    )
    charges = Charge.objects.visible_to(user).filter(
        voided_at__isnull=True, service_date__gte=date_from, service_date__lte=date_to
    )
    discounted_patients = set()
    for day, amount, discount, patient_id in charges.values_list(
        "service_date", "amount", "discount_amount", "patient_id"
    ):
        row = months[_month(day)]
        row["charged"] += amount
        row["discounts"] += discount
        row["net"] += amount - discount
        if discount:
            discounted_patients.add(patient_id)
    by_method: dict[str, Decimal] = defaultdict(lambda: ZERO)
    payments = Payment.objects.visible_to(user).filter(
        voided_at__isnull=True, received_on__gte=date_from, received_on__lte=date_to
    )
    for day, amount, method in payments.values_list("received_on", "amount", "method"):
        months[_month(day)]["received"] += amount
        by_method[method] += amount
    # Approved on the clinic's local dates of the period (an API call has no local time zone).
    tz = user.clinic.tz
    assessments = SlidingScaleAssessment.objects.visible_to(user).filter(
        approved_at__gte=datetime.datetime.combine(date_from, datetime.time.min, tz),
        approved_at__lt=datetime.datetime.combine(
            date_to + datetime.timedelta(days=1), datetime.time.min, tz
        ),
    )
    by_discount: dict[str, int] = defaultdict(int)
    for percent in assessments.values_list("discount_percent", flat=True):
        by_discount[f"{percent.normalize():f}%"] += 1
    accounts = queries.accounts(user)
    owing = {pid: a for pid, a in accounts.items() if a.balance > 0}
    names = patients_by_id(user, owing)
    outstanding = sorted(
        (
            {
                "patient_id": pid,
                "name": f"{names[pid].family_name}, {names[pid].given_name}",
                "mrn": names[pid].mrn,
                "balance": account.balance,
            }
            for pid, account in owing.items()
            if pid in names
        ),
        key=lambda r: (-r["balance"], r["name"]),
    )
    month_rows = [{"month": m, **v} for m, v in sorted(months.items())]
    return {
        "from": date_from,
        "to": date_to,
        "months": month_rows,
        "totals": {
            key: sum((r[key] for r in month_rows), ZERO)
            for key in ("charged", "discounts", "net", "received")
        },
        "received_by_method": dict(sorted(by_method.items())),
        "discounts": {
            "patients_discounted": len(discounted_patients),
            "assessments_by_discount": dict(sorted(by_discount.items())),
        },
        "outstanding": {
            "patients": len(outstanding),
            "total": sum((r["balance"] for r in outstanding), ZERO),
            "rows": outstanding,
        },
    }
