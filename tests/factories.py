"""Plain factory functions shared by fixtures and tests (importable as tests.factories)."""

import datetime as dt
import uuid
from decimal import Decimal

from ketaclinic.accounts.models import ClinicSecurity, User
from ketaclinic.core.models import Clinic
from ketaclinic.inventory.services import create_product
from ketaclinic.outcomes.models import CourseFact

PASSWORD = "correct-horse-battery"


def make_clinic(name: str, slug: str, *, mfa_required: bool = False, **extra) -> Clinic:
    """A clinic for tests. Two-factor sign-in is off unless a test asks for it (a real clinic
    has it on by default), so that tests about other things sign in with the password alone."""
    clinic = Clinic.objects.create(name=name, slug=slug, time_zone="America/New_York", **extra)
    ClinicSecurity.objects.create(clinic=clinic, mfa_required=mfa_required)
    return clinic


def make_user(clinic, username: str, role: str, **extra) -> User:
    user = User(username=username, clinic=clinic, role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


# The standard test clinic and its staff, one persona per role (the fixtures of tests/conftest.py
# build them per test; tests/permissions/conftest.py once per module).
STAFF = {
    "prescriber": (
        "dr_patel",
        "prescriber",
        {"first_name": "Asha", "last_name": "Patel", "credentials": "MD"},
    ),
    "prescriber2": ("np_kim", "prescriber", {"first_name": "Dan", "last_name": "Kim"}),
    "nurse": (
        "rn_jones",
        "nurse",
        {"first_name": "Sam", "last_name": "Jones", "credentials": "RN"},
    ),
    "nurse2": ("rn_okafor", "nurse", {"first_name": "Grace", "last_name": "Okafor"}),
    "front_desk": ("fd_lee", "front_desk", {"first_name": "Kim", "last_name": "Lee"}),
    "auditor": ("au_chen", "auditor", {"first_name": "Avery", "last_name": "Chen"}),
    "clinic_admin": ("ad_morgan", "clinic_admin", {"first_name": "Alex", "last_name": "Morgan"}),
    "network_admin": ("net_admin", "network_admin", {"first_name": "Nia", "last_name": "Brooks"}),
    "network_compliance": (
        "net_comp",
        "network_compliance",
        {"first_name": "Omar", "last_name": "Haddad"},
    ),
    "network_analyst": (
        "net_analyst",
        "network_analyst",
        {"first_name": "Ivy", "last_name": "Tan"},
    ),
}
NETWORK_PERSONAS = ("network_admin", "network_compliance", "network_analyst")


def make_lakeside() -> Clinic:
    return make_clinic("Lakeside Clinic", "lakeside", dea_registration_number="AL1234563")


def make_hilltop() -> Clinic:
    return make_clinic("Hilltop Clinic", "hilltop")


def make_staff(clinic, persona: str) -> User:
    """One of the standard personas (a key of STAFF) in that clinic."""
    username, role, names = STAFF[persona]
    return make_user(clinic, username, role, **names)


def make_outsider(other_clinic) -> User:
    """A clinic admin of another clinic: must never see anything of the first."""
    return make_user(other_clinic, "ad_other", "clinic_admin")


def register_jordan(front_desk):
    """The standard patient of the test clinic, registered by its front desk."""
    from ketaclinic.patients.services import register_patient

    return register_patient(
        actor=front_desk,
        given_name="Jordan",
        family_name="Rivera",
        date_of_birth="1984-03-12",
        sex="female",
        phone="(555) 200-1000",
        email="jordan@example.com",
        weight_kg="72.5",
    )


def every_persona(prescriber, nurse, front_desk, auditor, clinic_admin, outsider):
    """Every role by its Role value (the network roles held at the same clinic), plus
    'outsider' (another clinic's admin)."""
    return {
        "prescriber": prescriber,
        "nurse": nurse,
        "front_desk": front_desk,
        "auditor": auditor,
        "clinic_admin": clinic_admin,
        **{persona: make_staff(prescriber.clinic, persona) for persona in NETWORK_PERSONAS},
        "outsider": outsider,
    }


def add_ketamine(admin):
    """Ketamine 50 mg/mL in 10 mL vials (500 mg per container), a product of the admin's clinic."""
    return create_product(
        actor=admin,
        name="Ketamine HCl injection 50 mg/mL",
        drug="ketamine",
        ndc="00000-0050-10",
        form="injection_solution",
        concentration=Decimal("50"),
        units_per_container=Decimal("10"),
    )


def add_course_facts(
    clinic, courses: int, *, evaluable=None, responders=0, remitters=0, race=None
) -> None:
    """Rows of the outcome fact table for `courses` completed courses at a clinic: the first
    `evaluable` (all by default) scored after baseline, the first `responders` and `remitters`
    responding and remitting at their last score."""
    evaluable = courses if evaluable is None else evaluable
    CourseFact.objects.bulk_create(
        CourseFact(
            course_id=uuid.uuid4(),
            clinic_id=clinic.pk,
            patient_id=uuid.uuid4(),
            protocol_code="iv_ketamine",
            start_date=dt.date(2026, 3, 2),
            status="completed",
            scored=1,
            evaluable=int(i < evaluable),
            resp_last=int(i < responders),
            remit_last=int(i < remitters),
            dosed_sessions=6,
            adverse_events=0,
            severe_adverse_events=0,
            race=race,
            age_band="35-44",
        )
        for i in range(courses)
    )
