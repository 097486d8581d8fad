"""Helpers for treatment tests: a treatable patient, a course today, a session run to a state."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ketaclinic.accounts.models import User
from ketaclinic.core.permissions import Role
from ketaclinic.intake import rules as intake_rules
from ketaclinic.intake import services as intake
from ketaclinic.inventory import queries as ledger_queries
from ketaclinic.inventory import services as ledger
from ketaclinic.inventory.models import Lot, Product, StorageLocation
from ketaclinic.patients.services import register_patient
from ketaclinic.pdmp import queries as pdmp_queries
from ketaclinic.pdmp import services as pdmp_services
from ketaclinic.protocols.queries import protocol_facts
from ketaclinic.treatments import services
from ketaclinic.treatments.models import TreatmentSession
from tests.factories import make_user

ALDRETE_10 = dict.fromkeys(
    ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
)
PRE_DOSE = {"systolic": 128, "diastolic": 80, "heart_rate": 72, "spo2": 98, "resp_rate": 14}


def registered(front_desk, given_name: str, family_name: str):
    """An adult patient (born 1980-01-01, 70 kg) registered by the front desk."""
    return register_patient(
        actor=front_desk,
        given_name=given_name,
        family_name=family_name,
        date_of_birth="1980-01-01",
        sex="female",
        weight_kg="70",
    )


def make_treatable(prescriber, nurse, patient, protocol="esketamine_trd"):
    """Approved eligibility for the protocol's drug and its signed consent (through intake)."""
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


def today(clinic):
    return timezone.localdate(timezone.now(), clinic.tz)


def practising_in(clinic, state="NY"):
    """The clinic's administrator confirms the state it practises in, as a clinic must before
    any order is signed (the PDMP gate refuses orders while the state is unknown).

    The test clinics keep New York time, so they practise in New York: its rule (10 NYCRR
    80.63) asks for a PDMP check before prescribing, not before a dose is administered in the
    clinic, so orders are signed without a check while the gate still reads the rule. Tests of
    the gate itself choose a state whose rule requires one."""
    if pdmp_queries.practice_settings(clinic.pk) is not None:
        return
    admin = next(
        (
            u
            for u in clinic.staff.filter(role=Role.CLINIC_ADMIN, is_active=True).order_by(
                "username"
            )
        ),
        None,
    ) or make_user(clinic, "ad_pdmp_state", Role.CLINIC_ADMIN)
    pdmp_services.confirm_practice_state(actor=admin, state=state)


def course_today(prescriber, nurse, patient, protocol="esketamine_trd", treatable=True):
    """A course whose first session is today, whatever weekday today is, in a clinic that has
    confirmed its practice state."""
    from ketaclinic.protocols.services import set_open_weekdays

    practising_in(patient.clinic)
    if treatable:
        make_treatable(prescriber, nurse, patient, protocol)
    set_open_weekdays(actor=prescriber, weekdays=list(range(7)))
    return services.start_course(
        actor=prescriber, patient=patient, protocol_code=protocol, start_date=today(patient.clinic)
    )


def first_session(course) -> TreatmentSession:
    return TreatmentSession.objects.get(course=course, number=1)


def ago(minutes) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def checked_in(session, nurse, chair="3", at=None):
    services.check_in(actor=nurse, session=session, chair=chair, at=at)
    return TreatmentSession.objects.get(pk=session.pk)


def pre_checked(session, nurse, vitals=None, minutes_ago=0, **answers):
    """Checked in and pre-checked; with minutes_ago, charted that long ago (plus 20 min)."""
    checked_in(session, nurse, at=ago(minutes_ago + 20) if minutes_ago else None)
    vitals = (vitals or PRE_DOSE) | ({"measured_at": ago(minutes_ago + 10)} if minutes_ago else {})
    rems = session.protocol_version.definition.get("rems_form_required", False)
    data = {
        "last_food_at": ago(180),
        "last_liquid_at": ago(60),
        "escort_confirmed": True,
        "escort_name": "Pat Escort",
        "prescriber_on_site": True,
        **({"rems_patient_enrolled": True} if rems else {}),
        "medications_reviewed": True,
        "medication_classes": [],
        "measures_done": True,
        "pregnancy_test": "not_applicable",
    } | answers
    services.record_pre_checks(actor=nurse, session=session, vitals=vitals, **data)
    return TreatmentSession.objects.get(pk=session.pk)


PRODUCTS = {
    "esketamine": {
        "name": "Esketamine nasal spray 28 mg",
        "ndc": "00000-0028-03",
        "form": "nasal_spray_device",
        "concentration": Decimal("28"),
        "units_per_container": Decimal("3"),
    },
    "ketamine": {
        "name": "Ketamine HCl injection 10 mg/mL",
        "ndc": "00000-0010-20",
        "form": "injection_solution",
        "concentration": Decimal("10"),
        "units_per_container": Decimal("20"),
    },
}


def lot_in_stock(clinic, drug: str, *, lot_number: str = "", containers: int = 10):
    """A lot of the drug on hand in the clinic's safe (created through the ledger once)."""
    admin = User.objects.filter(clinic=clinic, role=Role.CLINIC_ADMIN).first() or make_user(
        clinic, f"ledger_admin_{clinic.slug}", Role.CLINIC_ADMIN
    )
    day = timezone.localdate(timezone.now(), clinic.tz)
    on_hand = ledger_queries.lots_on_hand(admin, drug=drug, day=day)
    if on_hand and not lot_number:
        return on_hand[0].lot
    product = Product.objects.filter(clinic=clinic, drug=drug).first() or (
        ledger.create_product(actor=admin, drug=drug, **PRODUCTS[drug])
    )
    safe = StorageLocation.objects.filter(clinic=clinic).first() or ledger.create_location(
        actor=admin, name="Main safe", kind="safe"
    )
    return ledger.receive_stock(
        actor=admin,
        product=product,
        location=safe,
        lot_number=lot_number or ("ESK-1" if drug == "esketamine" else "KET-1"),
        expires_on=day + dt.timedelta(days=365),
        containers=containers,
        supplier_name="Acme Pharma Distribution",
        supplier_address="1 Supply Way, Columbus, OH 43004",
        supplier_dea="RA0000000",
        invoice="INV-1001",
        now=timezone.now() - dt.timedelta(days=1),
    ).lot


def lot_location(lot):
    """Where the lot's stock is kept (the clinic's safe)."""
    return StorageLocation.objects.filter(clinic_id=lot.clinic_id).order_by("name").first()


def _bare_lot(clinic, lot_number: str, expires_on):
    """A lot row of the clinic's esketamine product with nothing received."""
    product = lot_in_stock(clinic, "esketamine").product
    return Lot.objects.create(
        clinic=clinic, product=product, lot_number=lot_number, expires_on=expires_on
    )


def expired_lot(clinic):
    return _bare_lot(clinic, "ESK-OLD", today(clinic) - dt.timedelta(days=1))


def emptied_lot(clinic):
    return _bare_lot(clinic, "ESK-NONE", today(clinic) + dt.timedelta(days=200))


def ordered(session, prescriber, nurse, **order):
    definition_basis = session.protocol_version.definition["dose"]["basis"]
    if definition_basis == "fixed_mg":
        services.sign_order(
            actor=prescriber, session=session, **({"dose_mg": Decimal("56")} | order)
        )
    else:
        services.sign_order(
            actor=prescriber,
            session=session,
            **({"concentration_mg_per_ml": Decimal("10"), "bag_volume_ml": Decimal("100")} | order),
        )
    drug = protocol_facts(session.clinic_id, session.protocol_code).drug
    services.second_check(
        actor=nurse,
        session=session,
        lot=lot_in_stock(session.patient.clinic, drug).pk,
        calculation_confirmed=True,
    )
    return TreatmentSession.objects.get(pk=session.pk)


def dosing_started(session, prescriber, nurse, minutes_ago=0, **order):
    """Run a checked-in-ready session to monitoring; the dose started `minutes_ago`."""
    pre_checked(session, nurse, minutes_ago=minutes_ago)
    ordered(TreatmentSession.objects.get(pk=session.pk), prescriber, nurse, **order)
    start = ago(minutes_ago) if minutes_ago else None
    row = services.start_dose(actor=nurse, session=session, at=start)
    while row.status == "dosing":
        given = (row.last_device_at or row.dose_started_at) + dt.timedelta(minutes=5)
        row = services.record_device(actor=nurse, session=row, at=min(given, timezone.now()))
    return TreatmentSession.objects.get(pk=session.pk)
