"""Account boundaries that hold whatever is sent: a call with a token is judged by the token
alone, a role given across the network keeps the two-factor rule, and a clinic's administrator
never manages an account that acts for the whole organization."""

import pytest

from ketaclinic.accounts import services
from ketaclinic.accounts.models import ClinicSecurity
from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.errors import Forbidden
from tests.accounts.mfa_helpers import enroll, password_step
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_clinic(clinic):
    ClinicSecurity.objects.filter(clinic=clinic).update(mfa_required=True)
    return clinic


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "bearer x"])
def test_a_made_up_token_does_not_let_a_half_signed_in_session_through(
    mfa_clinic, prescriber, patient, header
):
    # given a prescriber who passed only the password step (two-factor pending)
    client, response = password_step(prescriber)
    assert response.url.startswith("/login/two-factor/")
    assert client.get(f"/api/v1/patients/{patient.id}").status_code == 401
    # when the same session sends any Authorization: Bearer header, it is still refused
    answer = client.get(f"/api/v1/patients/{patient.id}", headers={"Authorization": header})
    assert answer.status_code == 401
    assert b"Rivera" not in answer.content


def test_an_unknown_token_is_refused_saying_so(client, patient):
    answer = client.get(
        f"/api/v1/patients/{patient.id}", headers={"Authorization": "Bearer not-a-token"}
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_invalid"


def test_a_role_given_across_the_network_that_needs_mfa_ends_sessions_and_tokens(
    mfa_clinic, api, nurse, patient
):
    # given a nurse (no second factor needed, none enrolled) signed in and holding a token
    client, response = password_step(nurse)
    assert response.url == "/"
    token = api(nurse)
    assert token.get("/me").status_code == 200
    # when a network administrator makes her a prescriber at her clinic (which needs MFA)
    network_admin = make_user(nurse.clinic, "net_admin", "network_admin")
    services.grant_membership(actor=network_admin, user=nurse, clinic=mfa_clinic, role="prescriber")
    # then her password-only session and her token stop working, as after a role change
    assert client.get("/api/v1/me").status_code == 401
    assert token.get("/me").status_code == 401
    event = AuditEvent.objects.get(action="staff.membership_granted")
    assert event.changes["sessions_ended"] is True and event.changes["tokens_revoked"] == 1


@pytest.mark.parametrize(
    ("change", "kwargs"),
    [
        ("reset_mfa", {}),
        ("reset_password", {"password": "another-long-secret-42"}),
        ("change_role", {"role": "nurse"}),
        ("deactivate_staff_member", {}),
    ],
)
def test_a_clinic_admin_does_not_manage_a_network_administrators_account(
    clinic_admin, change, kwargs
):
    # given a network administrator whose home is this clinic
    network_admin = make_user(clinic_admin.clinic, "net_admin", "network_admin")
    enroll(network_admin)
    # then the clinic's administrator cannot reset, demote or deactivate her
    with pytest.raises(Forbidden) as refused:
        getattr(services, change)(actor=clinic_admin, user_id=network_admin.pk, **kwargs)
    assert refused.value.code == "network_role"
    network_admin.refresh_from_db()
    assert network_admin.is_active and network_admin.role == "network_admin"


def test_a_network_role_held_at_another_location_also_keeps_the_clinic_admin_out(
    clinic_admin, nurse, riverside
):
    # given a nurse here who is a network administrator through her role at Riverside
    services.grant_membership(actor=None, user=nurse, clinic=riverside, role="network_admin")
    with pytest.raises(Forbidden) as refused:
        services.reset_password(
            actor=clinic_admin, user_id=nurse.pk, password="another-long-secret-42"
        )
    assert refused.value.code == "network_role"
