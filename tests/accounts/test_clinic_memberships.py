"""Staff across the locations of an organization: a role at each clinic, a clinic switcher that
scopes every page to the active clinic (and the audit log to it), and tokens bound to one
clinic."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ketaclinic.accounts import queries, services, signin
from ketaclinic.accounts.models import ApiToken, Membership
from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.errors import Forbidden, InvalidInput, NotFound
from ketaclinic.core.models import Clinic
from ketaclinic.inventory import services as inventory
from ketaclinic.patients.services import register_patient
from tests.factories import make_clinic, make_user
from tests.inventory.conftest import at, ketamine, make_session, receive, safe  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def river_desk(riverside):
    return make_user(riverside, "fd_river", "front_desk")


@pytest.fixture
def river_admin(riverside):
    return make_user(riverside, "ad_river", "clinic_admin")


@pytest.fixture
def river_patient(river_desk):
    return register_patient(
        actor=river_desk,
        given_name="Casey",
        family_name="Okoro",
        date_of_birth="1990-07-01",
        sex="male",
        weight_kg="80",
    )


@pytest.fixture
def two_clinic_nurse(nurse, riverside):
    """Sam Jones, RN: home at Lakeside, and a nurse at Riverside too."""
    services.grant_membership(actor=None, user=nurse, clinic=riverside, role="nurse")
    nurse.refresh_from_db()
    return nurse


def at_clinic(user, clinic):
    """The user as a request would see them after switching to `clinic`."""
    signin.act_at(user, queries.active_membership(user, clinic.pk))
    return user


def _switch(client, clinic):
    return client.post(reverse("accounts:switch-clinic"), {"clinic": str(clinic.pk)})


def test_a_nurse_in_two_clinics_switches_and_sees_only_the_active_clinics_patients_board_and_ledger(
    web,
    two_clinic_nurse,
    riverside,
    patient,
    river_patient,
    receive,  # noqa: F811
    ketamine,  # noqa: F811
    safe,  # noqa: F811
    river_admin,
    make_session,  # noqa: F811
):
    nurse = two_clinic_nurse
    # given Jordan in a chair at Lakeside, and a lot in each clinic's ledger
    make_session(patient, status="dosing")
    receive(ketamine, safe, lot_number="LAKE-1")
    river_safe = inventory.create_location(actor=river_admin, name="River safe", kind="safe")
    river_product = inventory.create_product(
        actor=river_admin,
        name="Ketamine HCl injection 50 mg/mL",
        drug="ketamine",
        ndc="00000-0050-10",
        form="injection_solution",
        concentration="50",
        units_per_container="10",
    )
    receive(river_product, river_safe, lot_number="RIVER-9", actor=at_clinic(nurse, riverside))
    nurse.refresh_from_db()
    client = web(nurse)

    # at home (Lakeside): the switcher offers both clinics, Lakeside chosen
    home = client.get(reverse("patients:list")).content.decode()
    assert "Rivera" in home and "Okoro" not in home
    assert 'id="clinic-switcher"' in home
    assert home.count("<option") >= 2 and "Riverside Clinic" in home
    ledger = client.get(reverse("inventory:home")).content.decode()
    assert "LAKE-1" in ledger and "RIVER-9" not in ledger
    assert "Rivera" in client.get(reverse("treatments:board")).content.decode()

    # when she switches to Riverside
    answer = _switch(client, riverside)
    assert answer.status_code == 302
    # then every page is Riverside's
    listed = client.get(reverse("patients:list")).content.decode()
    assert "Okoro" in listed and "Rivera" not in listed
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 404
    assert client.get(reverse("patients:chart", args=[river_patient.pk])).status_code == 200
    ledger = client.get(reverse("inventory:home")).content.decode()
    assert "RIVER-9" in ledger and "LAKE-1" not in ledger
    board = client.get(reverse("treatments:board"))
    assert board.status_code == 200 and "Rivera" not in board.content.decode()
    # and the audit log records the switch and what she opened, at Riverside
    switched = AuditEvent.objects.get(action="clinic.switched")
    assert switched.clinic_id == riverside.pk and switched.actor_id == nurse.pk
    assert switched.changes["from"] == str(patient.clinic_id)
    viewed = AuditEvent.objects.filter(action="patient.viewed", actor=nurse).latest("occurred_at")
    assert viewed.clinic_id == riverside.pk

    # switching back to Lakeside shows Lakeside again
    _switch(client, patient.clinic)
    listed = client.get(reverse("patients:list")).content.decode()
    assert "Rivera" in listed and "Okoro" not in listed


def test_her_token_for_one_clinic_answers_404_for_the_other_clinics_patient(
    api, two_clinic_nurse, riverside, patient, river_patient
):
    nurse = two_clinic_nurse
    lakeside_client = api(nurse)  # created at home: bound to Lakeside
    river_client = api(at_clinic(nurse, riverside))  # created while at Riverside
    nurse.refresh_from_db()
    assert {t.clinic_id for t in ApiToken.objects.filter(user=nurse)} == {
        patient.clinic_id,
        riverside.pk,
    }
    assert lakeside_client.get(f"/patients/{patient.pk}").status_code == 200
    assert lakeside_client.get(f"/patients/{river_patient.pk}").status_code == 404
    assert river_client.get(f"/patients/{river_patient.pk}").status_code == 200
    assert river_client.get(f"/patients/{patient.pk}").status_code == 404
    assert river_client.get("/me").json()["clinic"] == "Riverside Clinic"


def test_the_command_binds_a_token_to_another_of_the_users_clinics(
    api, two_clinic_nurse, riverside, river_patient
):
    out = io.StringIO()
    call_command("create_api_token", two_clinic_nurse.username, "--clinic", "riverside", stdout=out)
    assert "Riverside Clinic" in out.getvalue()
    client = api()
    client.headers["Authorization"] = f"Bearer {out.getvalue().strip().splitlines()[-1]}"
    assert client.get(f"/patients/{river_patient.pk}").status_code == 200
    with pytest.raises(CommandError, match="no active role at a clinic 'nowhere'"):
        call_command("create_api_token", two_clinic_nurse.username, "--clinic", "nowhere")


def test_a_clinic_she_has_no_role_at_cannot_be_switched_to(web, nurse, other_clinic, riverside):
    client = web(nurse)
    assert _switch(client, riverside).status_code == 404
    assert _switch(client, other_clinic).status_code == 404
    assert not AuditEvent.objects.filter(action="clinic.switched").exists()
    # and a single-clinic user has no switcher
    assert 'id="clinic-switcher"' not in client.get(reverse("patients:list")).content.decode()


def test_ending_her_role_at_riverside_ends_her_access_there_at_once(
    web, api, two_clinic_nurse, riverside, river_admin, patient, river_patient
):
    nurse = two_clinic_nurse
    client = web(nurse)
    _switch(client, riverside)
    river_token = api(at_clinic(nurse, riverside))
    nurse.refresh_from_db()
    # when Riverside's administrator deactivates her there
    services.deactivate_staff_member(actor=river_admin, user_id=nurse.pk)
    # then her session is back at Lakeside and her Riverside token no longer works
    listed = client.get(reverse("patients:list")).content.decode()
    assert "Rivera" in listed and "Okoro" not in listed
    assert river_token.get(f"/patients/{river_patient.pk}").status_code == 401
    # while at home she is still active, with her tokens there
    nurse.refresh_from_db()
    assert nurse.is_active and not nurse.works_at_several_clinics
    assert api(nurse).get(f"/patients/{patient.pk}").status_code == 200


def test_each_clinics_staff_list_shows_the_role_held_there(
    two_clinic_nurse, riverside, river_admin, clinic_admin
):
    services.grant_membership(
        actor=None, user=two_clinic_nurse, clinic=riverside, role="front_desk"
    )
    at_river = queries.access_staff_member(river_admin, two_clinic_nurse.pk)
    at_lake = queries.access_staff_member(clinic_admin, two_clinic_nurse.pk)
    assert (at_river.role_here, at_river.active_here) == ("front_desk", True)
    assert (at_lake.role_here, at_lake.active_here) == ("nurse", True)
    # a Riverside administrator changes her role there only; her home role stays
    services.change_role(actor=river_admin, user_id=two_clinic_nurse.pk, role="nurse")
    two_clinic_nurse.refresh_from_db()
    assert two_clinic_nurse.role == "nurse"
    assert Membership.objects.get(user=two_clinic_nurse, clinic=riverside).role == "nurse"
    # and her password belongs to her home clinic
    with pytest.raises(Exception, match="home clinic"):
        services.reset_password(
            actor=river_admin, user_id=two_clinic_nurse.pk, password="another-long-passphrase"
        )


def test_a_member_deactivated_by_her_home_clinic_shows_inactive_everywhere(
    two_clinic_nurse, river_admin, clinic_admin
):
    services.deactivate_staff_member(actor=clinic_admin, user_id=two_clinic_nurse.pk)
    # she can no longer sign in at all: Riverside's list says so
    assert queries.access_staff_member(river_admin, two_clinic_nurse.pk).active_here is False


def test_roles_are_given_only_within_one_organization_and_by_a_network_administrator(
    nurse, riverside, other_clinic, clinic_admin
):
    with pytest.raises(InvalidInput, match="clinic"):
        services.grant_membership(actor=None, user=nurse, clinic=other_clinic, role="nurse")
    with pytest.raises(Forbidden):
        services.grant_membership(actor=clinic_admin, user=nurse, clinic=riverside, role="nurse")
    network_admin = make_user(nurse.clinic, "net_admin", "network_admin")
    membership = services.grant_membership(
        actor=network_admin, user=nurse, clinic=riverside, role="nurse"
    )
    assert membership.is_active and nurse.works_at_several_clinics
    event = AuditEvent.objects.get(action="staff.membership_granted")
    assert event.clinic_id == riverside.pk and event.actor_id == network_admin.pk
    with pytest.raises(NotFound):
        services.grant_membership(
            actor=network_admin, user=nurse, clinic=other_clinic, role="nurse"
        )


def test_the_command_gives_a_role_at_another_location(nurse, riverside, other_clinic):
    out = io.StringIO()
    call_command(
        "add_membership", nurse.username, "--clinic", "riverside", "--role", "nurse", stdout=out
    )
    assert "Nurse at Riverside Clinic" in out.getvalue()
    with pytest.raises(CommandError, match="another organization"):
        call_command("add_membership", nurse.username, "--clinic", "hilltop", "--role", "nurse")


def test_a_clinic_requiring_a_second_factor_is_refused_until_she_has_one(web, nurse, clinic):
    strict = make_clinic(
        "Strict Clinic", "strict", organization=clinic.organization, mfa_required=True
    )
    services.set_security_policy(actor=None, clinic=strict, mfa_required_for_all=True)
    services.grant_membership(actor=None, user=nurse, clinic=strict, role="nurse")
    nurse.refresh_from_db()
    client = web(nurse)
    answer = _switch(client, strict)
    assert answer.status_code == 302
    page = client.get(reverse("patients:list")).content.decode()
    assert "requires two-factor authentication" in page
    assert not AuditEvent.objects.filter(action="clinic.switched").exists()


def test_the_operator_creates_another_location_of_an_organization(clinic):
    out = io.StringIO()
    call_command(
        "create_clinic", "Harbor Clinic", "harbor", "--location-of", "lakeside", stdout=out
    )
    call_command("create_clinic", "Solo Clinic", "solo", stdout=io.StringIO())
    harbor, solo = (Clinic.objects.get(slug=slug) for slug in ("harbor", "solo"))
    assert harbor.organization_id == clinic.organization_id
    assert (
        solo.organization_id != clinic.organization_id and solo.organization.name == "Solo Clinic"
    )
    assert "Harbor Clinic (harbor)" in out.getvalue()
    with pytest.raises(CommandError, match="No clinic with slug 'nowhere'"):
        call_command("create_clinic", "X", "x", "--location-of", "nowhere")


def test_a_malformed_clinic_in_the_switcher_is_not_found(web, two_clinic_nurse):
    client = web(two_clinic_nurse)
    for value in ("not-a-uuid", "", "1" * 300):
        answer = client.post(reverse("accounts:switch-clinic"), {"clinic": value})
        assert answer.status_code == 404, value


def test_a_role_change_at_another_location_follows_that_locations_two_factor_policy(
    two_clinic_nurse, riverside, river_admin
):
    # given Riverside requires a second factor for every role; Lakeside (her home) does not
    services.set_security_policy(actor=None, clinic=riverside, mfa_required_for_all=True)
    # when Riverside's administrator makes her a prescriber there
    services.change_role(actor=river_admin, user_id=two_clinic_nurse.pk, role="prescriber")
    # then, without an authenticator, she is signed out to enroll (Riverside's rule applies)
    event = AuditEvent.objects.filter(action="staff.role_changed").latest("occurred_at")
    assert event.changes["sessions_ended"] is True
    assert event.clinic_id == riverside.pk


def test_a_network_administrator_gives_a_role_at_another_location_through_the_api(
    api, nurse, riverside, clinic_admin, outsider
):
    network_admin = make_user(nurse.clinic, "net_admin", "network_admin")
    body = {"username": nurse.username, "clinic": "riverside", "role": "nurse"}
    answer = api(network_admin).post("/network/memberships", body)
    assert answer.status_code == 201, answer.content
    assert answer.json() == {
        "username": nurse.username,
        "clinic": "riverside",
        "role": "nurse",
        "is_active": True,
    }
    assert Membership.objects.filter(user=nurse, clinic=riverside, is_active=True).exists()
    # someone of another organization, or a location outside it, is not found
    admin = api(network_admin)
    assert admin.post("/network/memberships", body | {"username": "ad_other"}).status_code == 404
    assert admin.post("/network/memberships", body | {"clinic": "hilltop"}).status_code == 404
    assert admin.post("/network/memberships", body | {"role": "surgeon"}).status_code == 422
    # and a clinic administrator may not
    assert api(clinic_admin).post("/network/memberships", body).status_code == 403


def test_a_stricter_policy_at_another_location_signs_out_its_visiting_members_without_mfa(
    api, two_clinic_nurse, riverside, patient
):
    # given the nurse holds a token at her home clinic and one at Riverside
    nurse = two_clinic_nurse
    home_client = api(nurse)
    api(at_clinic(nurse, riverside))
    nurse.refresh_from_db()
    generation = nurse.session_generation
    # when Riverside requires a second factor of every role (she has no authenticator)
    services.set_security_policy(actor=None, clinic=riverside, mfa_required_for_all=True)
    # then she is signed out, her Riverside token is revoked and her home token still works
    nurse.refresh_from_db()
    assert nurse.session_generation != generation
    tokens = {t.clinic_id: t.revoked_at for t in ApiToken.objects.filter(user=nurse)}
    assert tokens[riverside.pk] is not None and tokens[patient.clinic_id] is None
    assert home_client.get(f"/patients/{patient.pk}").status_code == 200
    event = AuditEvent.objects.filter(action="clinic.mfa_policy_changed").latest("occurred_at")
    assert event.clinic_id == riverside.pk and event.changes["signed_out"] == [nurse.username]
    # and her home role and clinic are as they were
    assert (nurse.clinic_id, nurse.role) == (patient.clinic_id, "nurse")
