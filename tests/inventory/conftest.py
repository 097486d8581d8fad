"""Ledger fixtures: products, locations, stocked lots and treatment sessions to draw for."""

import datetime as dt
from decimal import Decimal

import pytest

# Imports of Django code happen inside the fixtures: the pure *_rules.py tests in this
# folder run without Django (-p no:django) and must still be able to load this file.

# Morning of a weekday in clinic time (America/New_York): inside default clinic hours.
MORNING = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def at():
    """at(hours=0, days=0) -> a moment during opening hours, offset from a fixed morning."""

    def _at(*, days: int = 0, hours: float = 0, minutes: int = 0):
        return MORNING + dt.timedelta(days=days, hours=hours, minutes=minutes)

    return _at


@pytest.fixture
def safe(clinic_admin):
    from ketaclinic.inventory import services

    return services.create_location(actor=clinic_admin, name="Main safe", kind="safe")


@pytest.fixture
def cart(clinic_admin):
    from ketaclinic.inventory import services

    return services.create_location(actor=clinic_admin, name="Room 2 cart", kind="cart")


@pytest.fixture
def ketamine(clinic_admin):
    """Ketamine 50 mg/mL in 10 mL vials: 500 mg per container."""
    from tests.factories import add_ketamine

    return add_ketamine(clinic_admin)


@pytest.fixture
def esketamine(clinic_admin):
    """Esketamine 28 mg nasal devices in packs of 3."""
    from ketaclinic.inventory import services

    return services.create_product(
        actor=clinic_admin,
        name="Esketamine nasal spray 28 mg",
        drug="esketamine",
        ndc="00000-0028-03",
        form="nasal_spray_device",
        concentration=Decimal("28"),
        units_per_container=Decimal("3"),
    )


@pytest.fixture
def receive(nurse, at):
    """receive(product, location, containers=2, lot_number="K100") -> the receipt entry."""

    from ketaclinic.inventory import services

    def _receive(product, location, containers=2, lot_number="K100", actor=None, now=None):
        return services.receive_stock(
            actor=actor or nurse,
            product=product,
            location=location,
            lot_number=lot_number,
            expires_on=dt.date(2027, 12, 31),
            containers=containers,
            supplier_name="Acme Pharma Distribution",
            supplier_address="1 Supply Way, Columbus, OH 43004",
            supplier_dea="RA0000000",
            invoice="INV-1001",
            now=now or at(),
        )

    return _receive


@pytest.fixture
def ketamine_lot(receive, ketamine, safe):
    """1000 mg of ketamine (two vials) in the safe."""
    return receive(ketamine, safe).lot


@pytest.fixture
def make_session(clinic, prescriber):
    """make_session(patient, protocol="iv_ketamine", status="dosing") -> TreatmentSession."""
    from ketaclinic.protocols.services import ensure_version
    from ketaclinic.treatments.models import Course, DoseOrder, TreatmentSession

    courses = {}

    def _make(
        patient,
        protocol: str = "iv_ketamine",
        status: str = "dosing",
        day=None,
        ordered_mg=None,
        signed_at=None,
    ):
        version = ensure_version(clinic, protocol)
        course = courses.get(patient.pk)
        if course is None:
            course = Course.objects.create(
                clinic=clinic,
                patient=patient,
                protocol_version=version,
                protocol_code=protocol,
                start_date=day or dt.date(2026, 3, 2),
                started_by=prescriber,
            )
            courses[patient.pk] = course
        number = TreatmentSession.objects.filter(course=course).count() + 1
        session = TreatmentSession.objects.create(
            clinic=clinic,
            patient=patient,
            course=course,
            protocol_version=version,
            protocol_code=protocol,
            number=number,
            phase="induction",
            scheduled_date=day or dt.date(2026, 3, 2),
            status=status,
        )
        if ordered_mg is not None:
            # A signed dose order (as the prescriber signs it): mg, and devices of 28 mg.
            dose = Decimal(str(ordered_mg))
            DoseOrder.objects.create(
                clinic=clinic,
                session=session,
                dose_mg=dose,
                devices=int(dose // 28) if protocol.startswith("esketamine") else None,
                ordered_by=prescriber,
                signed_at=signed_at or MORNING - dt.timedelta(hours=1),
            )
        return session

    return _make


@pytest.fixture
def session(make_session, patient):
    return make_session(patient)


@pytest.fixture
def make_patient(front_desk):
    from ketaclinic.patients.services import register_patient

    def _make(given: str = "Alex", family: str = "Doe"):
        return register_patient(
            actor=front_desk,
            given_name=given,
            family_name=family,
            date_of_birth="1980-01-01",
            sex="other",
            address_line="12 Elm Street",
            city="Springfield",
            region="IL",
            postal_code="62701",
        )

    return _make


@pytest.fixture
def witness_of():
    """witness_of(user) -> that user's credentials as they would type them."""
    from ketaclinic.inventory.witness import WitnessCredentials
    from tests.factories import PASSWORD

    def _witness(user, password=PASSWORD):
        return WitnessCredentials(username=user.username, password=password)

    return _witness


@pytest.fixture
def today_local(clinic):
    from django.utils import timezone

    return timezone.localdate(MORNING, clinic.tz)
