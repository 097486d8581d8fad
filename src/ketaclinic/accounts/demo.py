"""Demo clinic and its staff: one user per role (admin, prescriber, nurse, frontdesk, auditor)."""

from ketaclinic.audit.services import record_event
from ketaclinic.core.demo import DEMO_CLINIC_SLUG
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role

from .models import ClinicSecurity
from .services import add_staff_member, set_security_policy

ORDER = 10

MFA_NOTE = (
    "Two-factor sign-in is OFF in this demo clinic (a per-clinic setting), so the password "
    "above is enough. A real clinic requires it for prescribers, administrators and auditors."
)

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
    # A newcomer signs in with the printed password alone; the default for clinics is ON.
    set_security_policy(actor=None, clinic=clinic, mfa_required=False)
    ctx.notes.append(MFA_NOTE)
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


def refresh(notes: list[str]) -> None:
    """On an already loaded demo (possibly from before two-factor sign-in existed): keep the
    demo clinic's two-factor requirement off, and say so with the logins."""
    clinic = Clinic.objects.filter(slug=DEMO_CLINIC_SLUG).first()
    if clinic is None:
        return
    policy = ClinicSecurity.objects.filter(clinic=clinic).first()
    if policy is None or policy.mfa_required or policy.mfa_required_for_all:
        set_security_policy(
            actor=None, clinic=clinic, mfa_required=False, mfa_required_for_all=False
        )
    if MFA_NOTE not in notes:
        notes.insert(0, MFA_NOTE)
