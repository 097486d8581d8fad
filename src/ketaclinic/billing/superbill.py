"""Superbill and Good Faith Estimate contents as plain data (the PDF and JSON both use it)."""

from __future__ import annotations

import datetime

from . import queries
from .definitions import GFE_DISCLAIMERS, NSA_GFE
from .models import Charge, GoodFaithEstimate, Payment


def _money(value) -> str:
    return f"{value:.2f}"


def clinic_block(clinic) -> dict:
    settings = queries.billing_settings(clinic)
    return {
        "name": clinic.name,
        "address": clinic.address,
        "phone": clinic.phone,
        "billing_npi": settings.billing_npi,
        "tax_id": settings.tax_id,
        "place_of_service": settings.place_of_service,
    }


def patient_block(patient) -> dict:
    address = ", ".join(
        part
        for part in (
            patient.address_line,
            patient.city,
            f"{patient.region} {patient.postal_code}".strip(),
        )
        if part
    )
    return {
        "name": patient.full_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "mrn": patient.mrn,
        "address": address,
    }


def provider_block(user) -> dict:
    return {
        "name": user.get_full_name() or user.username,
        "credentials": user.credentials,
        "npi": user.npi,
    }


def diagnosis_block(patient) -> dict | None:
    diagnosis = queries.current_diagnosis(patient)
    if diagnosis is None:
        return None
    return {"code": diagnosis.code, "description": diagnosis.description}


def superbill(patient, date_from: datetime.date, date_to: datetime.date, *, session=None) -> dict:
    """Charges (codes, units, fees) and payments of a period, or of one session."""
    charges = Charge.objects.filter(
        clinic_id=patient.clinic_id, patient=patient, voided_at__isnull=True
    ).select_related("rendering_provider")
    if session is not None:
        charges = charges.filter(session=session)
    else:
        charges = charges.filter(service_date__gte=date_from, service_date__lte=date_to)
    charges = list(charges.order_by("service_date", "created_at"))
    if session is not None and charges:
        date_from = date_to = charges[0].service_date
    payments = list(
        Payment.objects.filter(
            clinic_id=patient.clinic_id,
            patient=patient,
            voided_at__isnull=True,
            received_on__gte=date_from,
            received_on__lte=date_to,
        ).order_by("received_on", "created_at")
    )
    providers: dict = {}
    for charge in charges:
        if charge.rendering_provider_id and charge.rendering_provider_id not in providers:
            providers[charge.rendering_provider_id] = provider_block(charge.rendering_provider)
    fees = sum((c.amount for c in charges), start=0)
    discounts = sum((c.discount_amount for c in charges), start=0)
    paid = sum((p.amount for p in payments), start=0)
    account = queries.account_of(patient)
    place_of_service = queries.billing_settings(patient.clinic).place_of_service
    return {
        "title": "Superbill",
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "clinic": clinic_block(patient.clinic),
        "patient": patient_block(patient),
        "diagnosis": diagnosis_block(patient),
        "providers": list(providers.values()),
        "lines": [
            {
                "date": c.service_date.isoformat(),
                "place_of_service": place_of_service,
                "code": c.code,
                "description": c.description,
                "units": _units(c.quantity),
                "unit_price": _money(c.unit_price),
                "fee": _money(c.amount),
                "discount": _money(c.discount_amount),
                "net": _money(c.net),
                "provider_npi": c.rendering_provider.npi if c.rendering_provider else "",
            }
            for c in charges
        ],
        "payments": [
            {
                "date": p.received_on.isoformat(),
                "method": p.get_method_display(),
                "reference": p.reference,
                "amount": _money(p.amount),
            }
            for p in payments
        ],
        "totals": {
            "fees": _money(fees),
            "discounts": _money(discounts),
            "net": _money(fees - discounts),
            "paid": _money(paid),
            "account_balance": _money(account.balance),
        },
    }


def _units(quantity) -> str:
    return (
        f"{quantity.normalize():f}" if quantity == quantity.to_integral_value() else str(quantity)
    )


def estimate_document(estimate: GoodFaithEstimate) -> dict:
    """Everything the Good Faith Estimate PDF prints."""
    provider = estimate.course.started_by if estimate.course_id else None
    check = queries.dispute_check(estimate)
    return {
        "title": "Good Faith Estimate",
        "id": str(estimate.id),
        "issued_on": estimate.created_at.astimezone(estimate.clinic.tz).date().isoformat(),
        "issued_by": estimate.issued_by.get_full_name() or estimate.issued_by.username,
        "clinic": clinic_block(estimate.clinic),
        "patient": patient_block(estimate.patient),
        "diagnosis": (
            {"code": estimate.diagnosis_code, "description": estimate.diagnosis_description}
            if estimate.diagnosis_code
            else None
        ),
        "provider": provider_block(provider) if provider else None,
        "service": {
            "protocol": estimate.protocol_name,
            "start_date": estimate.start_date.isoformat(),
            "sessions": estimate.sessions,
        },
        "lines": estimate.lines,
        "subtotal": _money(estimate.subtotal),
        "discount": _money(estimate.discount),
        "discount_rule": estimate.discount_rule,
        "total": _money(estimate.total),
        "warnings": estimate.warnings,
        "disclaimers": list(GFE_DISCLAIMERS),
        "source": NSA_GFE,
        "dispute": {
            "charged": _money(check.charged),
            "difference": _money(check.difference),
            "threshold": _money(check.threshold),
            "exceeds": check.exceeds,
        },
    }
