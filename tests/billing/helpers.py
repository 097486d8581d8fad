"""Helpers for billing and access tests: prices, a sliding scale, courses, completed sessions."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ketaclinic.billing import services
from ketaclinic.billing.definitions import (
    CONSULTATION,
    ESK_OVER_56,
    ESK_UP_TO_56,
    ESKETAMINE_PER_DEVICE,
    IV_ADDITIONAL_HOUR,
    IV_FIRST_HOUR,
    KETAMINE_PER_MG,
)
from ketaclinic.intake import rules as intake_rules
from ketaclinic.intake import services as intake
from ketaclinic.protocols import services as protocols
from ketaclinic.protocols.queries import protocol_facts
from ketaclinic.treatments import services as treatment_services
from ketaclinic.treatments.models import DoseOrder, SessionStatus, TreatmentSession

D = Decimal
PRICES = {
    IV_FIRST_HOUR: ("96365", "450.00", True),
    IV_ADDITIONAL_HOUR: ("96366", "95.00", True),
    ESK_UP_TO_56: ("G2082", "300.00", True),
    ESK_OVER_56: ("G2083", "340.00", True),
    KETAMINE_PER_MG: ("", "0.55", False),
    ESKETAMINE_PER_DEVICE: ("", "295.50", False),
    CONSULTATION: ("99205", "400.00", True),
}
BANDS = [
    {"max_percent": "100", "discount_percent": "75"},
    {"max_percent": "150", "discount_percent": "50"},
    {"max_percent": "200", "discount_percent": "25"},
    {"max_percent": None, "discount_percent": "0"},
]
LONG_AGO = dt.date(2020, 1, 1)


def today(clinic):
    return timezone.localdate(timezone.now(), clinic.tz)


def fee_schedule(admin, effective_from=LONG_AGO, prices=None, name="Standard self-pay prices"):
    items = [
        {"service": service, "code": code, "unit_price": price, "discountable": discountable}
        for service, (code, price, discountable) in (prices or PRICES).items()
    ]
    return services.create_fee_schedule(
        actor=admin, name=name, effective_from=effective_from, items=items
    )


def sliding_scale(admin, effective_from=LONG_AGO, bands=None):
    return services.create_sliding_scale(
        actor=admin, name="Sliding fee scale", effective_from=effective_from, bands=bands or BANDS
    )


def make_treatable(prescriber, nurse, patient, protocol):
    facts = protocol_facts(patient.clinic, protocol)
    intake.record_contraindications(
        actor=nurse, patient=patient, answers=dict.fromkeys(intake_rules.QUESTION_KEYS, "no")
    )
    intake.decide_eligibility(
        actor=prescriber,
        patient=patient,
        protocol_code=protocol,
        outcome="approve",
        justification="Test patient: treatment-resistant depression documented elsewhere.",
    )
    intake.record_consent(
        actor=nurse,
        patient=patient,
        consent_type=facts.consent_type,
        signer_name=patient.full_name,
        witness_name=nurse.get_full_name() or "Witness Person",
        signed_on=patient.clinic.today(),
    )


def start_course(prescriber, nurse, patient, protocol="esketamine_trd", start=None):
    """An eligible, consented patient's course, planned on every weekday from `start`."""
    make_treatable(prescriber, nurse, patient, protocol)
    protocols.set_open_weekdays(actor=prescriber, weekdays=list(range(7)))
    return treatment_services.start_course(
        actor=prescriber,
        patient=patient,
        protocol_code=protocol,
        start_date=start or today(patient.clinic),
    )


def complete(session, prescriber, nurse, *, at, dose_mg, minutes=None, devices=None):
    """Mark a session discharged as if it ran at `at` (the treatment services are tested in
    their own app; billing only reads what a completed session records)."""
    started = at
    ended = at + dt.timedelta(minutes=minutes) if minutes is not None else None
    DoseOrder.objects.create(
        clinic_id=session.clinic_id,
        session=session,
        dose_mg=D(dose_mg),
        devices=devices,
        duration_min=minutes,
        calculation={},
        ordered_by=prescriber,
        signed_at=at - dt.timedelta(minutes=10),
    )
    TreatmentSession.objects.filter(pk=session.pk).update(
        status=SessionStatus.DISCHARGED,
        scheduled_date=timezone.localtime(at, session.patient.clinic.tz).date(),
        dose_started_at=started,
        infusion_ended_at=ended,
        devices_given=devices or 0,
        monitored_by=nurse,
        discharged_at=at + dt.timedelta(hours=2, minutes=5),
        discharged_by=nurse,
        escort_present=True,
    )
    return TreatmentSession.objects.get(pk=session.pk)


def local(clinic, year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=clinic.tz)


def session(course, number):
    return TreatmentSession.objects.get(course=course, number=number)
