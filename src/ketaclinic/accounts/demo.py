"""Demo clinic and its staff: one user per role (admin, prescriber, nurse, frontdesk, auditor)."""

from ketaclinic.audit.services import record_event
from ketaclinic.core.demo import DEMO_CLINIC_SLUG
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role

from .services import add_staff_member

ORDER = 10

DEMO_STAFF = [
    # username, role, first, last, credentials, NPI, DEA number (synthetic)
    ("admin", Role.CLINIC_ADMIN, "Alex", "Morgan", "", "", ""),
    ("prescriber", Role.PRESCRIBER, "Priya", "Raman", "MD", "1900000001", "BR9876543"),
    ("nurse", Role.NURSE, "Noah", "Bennett", "RN", "", ""),
    ("frontdesk", Role.FRONT_DESK, "Fatima", "Diaz", "", "", ""),
    ("auditor", Role.AUDITOR, "Avery", "Chen", "", "", ""),
    # A second nurse and prescriber make witnessing and peer comparison realistic.
    ("nurse2", Role.NURSE, "Grace", "Okafor", "RN", "", ""),
    ("prescriber2", Role.PRESCRIBER, "Daniel", "Kim", "NP", "1900000002", "MK1234567"),
]


def seed(ctx) -> None:
    clinic = Clinic.objects.create(
        name="Riverside Ketamine & Esketamine Clinic (demo)",
        slug=DEMO_CLINIC_SLUG,
        time_zone="America/New_York",
        address="100 Demo Street, Springfield, IL 62701",
        phone="(555) 010-0100",
        email="clinic@example.org",
        dea_registration_number="BR1234563",
        mrn_prefix="RK",
    )
    ctx.clinic = clinic
    record_event(actor=None, action="clinic.created", clinic=clinic, obj=clinic)
    for username, role, first, last, credentials, npi, dea in DEMO_STAFF:
        ctx.users[username] = add_staff_member(
            actor=None,
            clinic=clinic,
            username=username,
            role=role,
            password=ctx.password,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            credentials=credentials,
            npi=npi,
            dea_number=dea,
        )
