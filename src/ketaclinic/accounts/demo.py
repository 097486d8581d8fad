"""Demo clinic and one user per role (usernames admin, prescriber, nurse, frontdesk, auditor)."""

from ketaclinic.audit.services import record_event
from ketaclinic.core.demo import DEMO_CLINIC_SLUG
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role

from .models import User

ORDER = 10

DEMO_STAFF = [
    # username, role, first, last, credentials
    ("admin", Role.CLINIC_ADMIN, "Alex", "Morgan", ""),
    ("prescriber", Role.PRESCRIBER, "Priya", "Raman", "MD"),
    ("nurse", Role.NURSE, "Noah", "Bennett", "RN"),
    ("frontdesk", Role.FRONT_DESK, "Fatima", "Diaz", ""),
    ("auditor", Role.AUDITOR, "Avery", "Chen", ""),
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
    for index, (username, role, first, last, credentials) in enumerate(DEMO_STAFF):
        user = User(
            username=username,
            clinic=clinic,
            role=role,
            first_name=first,
            last_name=last,
            credentials=credentials,
            email=f"{username}@example.org",
            npi=f"19{index:08d}" if role == Role.PRESCRIBER else "",
            dea_number="BR9876543" if role == Role.PRESCRIBER else "",
        )
        user.set_password(ctx.password)
        user.save()
        record_event(
            actor=None, action="user.created", clinic=clinic, obj=user, changes={"role": role}
        )
        ctx.users[username] = user
    # A second nurse and prescriber make witnessing and peer comparison realistic.
    for username, role, first, last, credentials in [
        ("nurse2", Role.NURSE, "Grace", "Okafor", "RN"),
        ("prescriber2", Role.PRESCRIBER, "Daniel", "Kim", "NP"),
    ]:
        user = User(
            username=username,
            clinic=clinic,
            role=role,
            first_name=first,
            last_name=last,
            credentials=credentials,
            email=f"{username}@example.org",
        )
        user.set_password(ctx.password)
        user.save()
        record_event(
            actor=None, action="user.created", clinic=clinic, obj=user, changes={"role": role}
        )
        ctx.users[username] = user
