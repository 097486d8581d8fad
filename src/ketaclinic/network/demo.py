"""The demo organization's second location, a nurse who works at both, and a network
compliance officer who sees both locations' ledgers and outcomes."""

from ketaclinic.accounts.services import add_staff_member, grant_membership, set_security_policy
from ketaclinic.audit.services import record_event
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role

ORDER = 95
SECOND_LOCATION_SLUG = "demo-lakeview"
NOTE = (
    "The demo organization has a second location, Lakeview: the nurse works at both and "
    "switches in the page header; 'network' is its network compliance officer."
)


def seed(ctx) -> None:
    home = ctx.clinic
    lakeview = Clinic.objects.create(
        organization=home.organization,
        name="Lakeview Ketamine Clinic (demo)",
        slug=SECOND_LOCATION_SLUG,
        time_zone=home.time_zone,
        address="200 Demo Avenue, Springfield, IL 62702",
        phone="(555) 010-0200",
        dea_registration_number="BL7654321",
        mrn_prefix="LV",
    )
    record_event(actor=None, action="clinic.created", clinic=lakeview, obj=lakeview)
    set_security_policy(actor=None, clinic=lakeview, mfa_required=False)
    grant_membership(actor=None, user=ctx.users["nurse"], clinic=lakeview, role=Role.NURSE)
    ctx.users["network"] = add_staff_member(
        actor=None,
        clinic=home,
        username="network",
        role=Role.NETWORK_COMPLIANCE,
        password=ctx.password,
        first_name="Morgan",
        last_name="Ellis",
        email="network@example.org",
    )
    ctx.notes.append(NOTE)
