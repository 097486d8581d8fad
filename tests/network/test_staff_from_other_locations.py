"""Staff from another location of the organization who hold a role here (a membership) work here
like the clinic's own staff: they are emailed, named, put on shifts and accepted as witnesses
with the role they hold here."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from ketaclinic.accounts.queries import staff_here
from ketaclinic.accounts.services import create_api_token, grant_membership
from ketaclinic.billing import charges
from ketaclinic.capacity import services as capacity
from ketaclinic.core.errors import InvalidInput
from ketaclinic.inventory import services as ledger
from ketaclinic.inventory.models import LedgerEntry, RefusedMovement
from ketaclinic.inventory.services.checkpoints import compliance_officers
from ketaclinic.inventory.witness import WitnessCredentials
from ketaclinic.measures.services import send_measure_request
from tests.billing.helpers import fee_schedule
from tests.factories import PASSWORD, make_user
from tests.measures.conftest import phq9
from tests.treatments.helpers import (
    course_today,
    first_session,
    lot_in_stock,
    lot_location,
    pre_checked,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def visiting(riverside, clinic):
    """A Riverside prescriber who also works at Lakeside as a prescriber."""
    user = make_user(riverside, "dr_visit", "prescriber", email="visit@example.org")
    grant_membership(actor=None, user=user, clinic=clinic, role="prescriber")
    return user


def test_staff_here_are_the_clinics_own_and_members_by_the_role_they_hold_here(
    clinic, riverside, prescriber, nurse, visiting
):
    # a Riverside nurse who is a front-desk member here, and one whose membership ended
    desk = make_user(riverside, "rv_desk", "nurse")
    grant_membership(actor=None, user=desk, clinic=clinic, role="front_desk")
    gone = make_user(riverside, "rv_gone", "prescriber")
    grant_membership(actor=None, user=gone, clinic=clinic, role="prescriber")
    gone.memberships.filter(clinic=clinic).update(is_active=False)

    prescribers = set(staff_here(clinic.pk, "prescriber"))
    nurses = set(staff_here(clinic.pk, ["nurse"]))
    roles = {u.username: u.role_here for u in staff_here(clinic.pk)}

    assert prescribers == {prescriber, visiting}
    assert nurses == {nurse}
    assert roles["rv_desk"] == "front_desk" and roles["dr_visit"] == "prescriber"
    assert "rv_gone" not in roles
    # at Riverside, the visiting prescriber is its own staff; Lakeside's are not there
    assert set(staff_here(riverside.pk, "prescriber")) == {visiting, gone}


def test_a_self_report_alert_emails_a_prescriber_who_works_here_by_membership(
    nurse, prescriber, patient, visiting
):
    prescriber.email = "patel@lakeside.example"
    prescriber.save()
    sent = send_measure_request(actor=nurse, patient=patient, instruments=["phq9"])
    token = re.search(r"/r/([^/]+)/$", sent.url).group(1)
    data = {f"phq9-{k}": str(v) for k, v in phq9(item9=2).items()}

    Client().post(f"/r/{token}/", data)

    assert set(mail.outbox[-1].to) == {"patel@lakeside.example", "visit@example.org"}


def test_a_delegate_records_a_pdmp_check_for_a_prescriber_who_works_here(
    api, nurse, patient, visiting
):
    answer = api(nurse).post(
        f"/patients/{patient.id}/pdmp-checks",
        {
            "state": "NY",
            "checked_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "transaction_id": "NY-1",
            "finding": "no_concern",
            "prescriber_id": str(visiting.id),
        },
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["prescriber_id"] == str(visiting.id)


def test_a_member_from_another_location_gets_a_shift_in_the_role_held_here(
    clinic, riverside, clinic_admin
):
    # a Riverside front-desk user who works here as a nurse
    user = make_user(riverside, "rv_nurse", "front_desk")
    grant_membership(actor=None, user=user, clinic=clinic, role="nurse")
    outsider = make_user(riverside, "rv_only", "nurse")

    shift = capacity.add_shift(
        actor=clinic_admin,
        staff_id=user.pk,
        date=dt.date(2026, 3, 2),
        starts_at=dt.time(8),
        ends_at=dt.time(16),
    )

    assert (shift.staff, shift.role) == (user, "nurse")
    with pytest.raises(InvalidInput) as refused:
        capacity.add_shift(
            actor=clinic_admin,
            staff_id=outsider.pk,
            date=dt.date(2026, 3, 2),
            starts_at=dt.time(8),
            ends_at=dt.time(16),
        )
    assert refused.value.fields == {"staff": "Choose a nurse or prescriber of this clinic."}


def test_a_charge_names_a_prescriber_who_works_here_as_rendering_provider(
    api, clinic_admin, front_desk, patient, visiting, riverside
):
    fee_schedule(clinic_admin)
    body = {
        "service": "consultation",
        "service_date": "2026-03-02",
        "rendering_provider_id": str(visiting.id),
    }
    answer = api(front_desk).post(f"/patients/{patient.id}/charges", body)
    assert answer.status_code == 201, answer.json()
    # someone who only works at Riverside is not a provider here
    other = make_user(riverside, "rv_other", "prescriber")
    refused = api(front_desk).post(
        f"/patients/{patient.id}/charges", body | {"rendering_provider_id": str(other.id)}
    )
    assert refused.status_code == 422
    with pytest.raises(InvalidInput) as not_here:
        charges.add_charge(
            actor=front_desk,
            patient=patient,
            service="consultation",
            service_date=dt.date(2026, 3, 2),
            rendering_provider=other,
        )
    assert not_here.value.fields == {"rendering_provider": "Not a member of this clinic."}
    # a provider who has left since is still named for a service they gave
    visiting.is_active = False
    visiting.save()
    assert api(front_desk).post(f"/patients/{patient.id}/charges", body).status_code == 201


@pytest.mark.usefixtures("clinic_hours")
def test_a_member_from_another_location_witnesses_a_waste_here(
    clinic, riverside, prescriber, nurse, patient
):
    # given a Riverside nurse who also works here as a nurse, and one who does not
    witness = make_user(riverside, "rv_witness", "nurse")
    grant_membership(actor=None, user=witness, clinic=clinic, role="nurse")
    make_user(riverside, "rv_stranger", "nurse")
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = pre_checked(first_session(course), nurse)
    lot = lot_in_stock(clinic, "esketamine")
    ledger.draw_for_session(
        actor=nurse, session=session.pk, lot=lot.pk, location=lot_location(lot).pk, quantity="2"
    )
    ledger.administer(actor=nurse, session=session.pk, quantity="1")
    method = "Expelled into drug disposal container"

    # a stranger to this clinic is refused, as before
    with pytest.raises(InvalidInput, match="witness"):
        ledger.record_waste(
            actor=nurse,
            session=session.pk,
            quantity="1",
            method=method,
            witness=WitnessCredentials(username="rv_stranger", password=PASSWORD),
        )
    # an API token is bound to the clinic it was made for: the member's Riverside token does
    # not sign here
    _row, riverside_token = create_api_token(actor=None, user=witness, name="riverside")
    with pytest.raises(InvalidInput, match="witness"):
        ledger.record_waste(
            actor=nurse,
            session=session.pk,
            quantity="1",
            method=method,
            witness=WitnessCredentials(token=riverside_token),
        )
    # with their password, the member witnesses with the role held here
    waste = ledger.record_waste(
        actor=nurse,
        session=session.pk,
        quantity="1",
        method=method,
        witness=WitnessCredentials(username="rv_witness", password=PASSWORD),
    )

    assert LedgerEntry.objects.get(pk=waste.pk).witness_id == witness.pk
    assert RefusedMovement.objects.count() == 2  # the stranger's and the token's attempts


def test_the_ledger_checkpoint_emails_an_auditor_who_works_here_by_membership(
    clinic, riverside, auditor
):
    auditor.email = "audit@lakeside.example"
    auditor.save()
    member = make_user(riverside, "rv_audit", "nurse", email="rv.audit@example.org")
    grant_membership(actor=None, user=member, clinic=clinic, role="auditor")
    assert compliance_officers(clinic) == ["audit@lakeside.example", "rv.audit@example.org"]
