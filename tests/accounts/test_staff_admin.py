"""Staff administration by the clinic administrator: add, change role, deactivate (sessions and
tokens end at once), reactivate, reset a password; everyone changes their own password."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from ketaclinic.accounts.models import ApiToken, ClinicSecurity, User
from ketaclinic.accounts.services import create_api_token
from ketaclinic.audit.models import AuditEvent
from tests.accounts.mfa_helpers import password_step
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_NURSE = {
    "username": "rn_alvarez",
    "password": "temporary-pass-2041",
    "role": "nurse",
    "first_name": "Maria",
    "last_name": "Alvarez",
    "credentials": "RN",
}


def _actions(**filters) -> list[str]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


def test_the_administrator_adds_a_nurse_changes_her_role_and_deactivates_her(
    api, clinic_admin, patient
):
    admin = api(clinic_admin)
    # given the administrator adds a nurse through the API
    added = admin.post("/staff", NEW_NURSE)
    assert added.status_code == 201, added.content
    nurse_id = added.json()["id"]
    assert added.json()["must_change_password"] is True
    # and the nurse signs in, chooses her own password, and gets a token from the operator
    nurse = User.objects.get(pk=nurse_id)
    session, _ = password_step(nurse, password=NEW_NURSE["password"])
    assert session.get("/patients/").url.startswith("/account/password/")
    changed = session.post(
        "/account/password/",
        {
            "old_password": NEW_NURSE["password"],
            "new_password": "her-own-passphrase-77",
            "new_password_again": "her-own-passphrase-77",
        },
    )
    assert changed.status_code == 302
    _, token = create_api_token(actor=None, user=nurse, name="tablet")
    bearer = {"Authorization": f"Bearer {token}"}
    # when the administrator changes her role to front desk
    role = admin.post(f"/staff/{nurse_id}/role", {"role": "front_desk"})
    assert role.status_code == 200 and role.json()["role"] == "front_desk"
    # then her session and token keep working with the new role's rights
    assert session.get("/patients/").status_code == 200
    assert Client().get("/api/v1/me", headers=bearer).json()["role"] == "front_desk"
    # when the administrator deactivates her
    gone = admin.post(f"/staff/{nurse_id}/deactivate")
    assert gone.status_code == 200 and gone.json()["is_active"] is False
    # then her open session and her token answer 401 (or go to sign-in) on the next request
    page = session.get("/patients/")
    assert page.status_code == 302 and page.url.startswith("/login/")
    assert session.get("/api/v1/patients").status_code == 401
    assert Client().get("/api/v1/me", headers=bearer).status_code == 401
    assert ApiToken.objects.get(user=nurse).revoked_at is not None
    # and every step is in the audit log
    assert _actions(object_id=nurse_id) == [
        "staff.added",
        "account.password_changed",
        "staff.role_changed",
        "staff.deactivated",
    ]
    tokens_for = [e.changes["user"] for e in AuditEvent.objects.filter(action="token.created")]
    assert nurse.username in tokens_for
    # as the administrator reads it
    logged = {e["action"] for e in admin.get("/audit-events").json()["items"]}
    assert {"staff.added", "staff.role_changed", "staff.deactivated"} <= logged


def test_an_open_session_of_a_deactivated_nurse_is_refused_on_her_next_request(web, nurse):
    # given a nurse with an open session
    client = web(nurse)
    assert client.get("/patients/").status_code == 200
    # when her account is made inactive (even directly in the database)
    User.objects.filter(pk=nurse.pk).update(is_active=False)
    # then her next page goes to sign-in, and the API refuses her session
    assert client.get("/patients/").url.startswith("/login/")
    assert client.get("/api/v1/patients").status_code == 401


def test_new_staff_passwords_go_through_the_password_validators(api, clinic_admin):
    answer = api(clinic_admin).post("/staff", NEW_NURSE | {"password": "12345678"})
    assert answer.status_code == 422
    assert "password" in answer.json()["fields"]
    assert not User.objects.filter(username=NEW_NURSE["username"]).exists()


def test_a_taken_username_a_bad_npi_and_a_bad_email_are_named(api, clinic_admin, nurse):
    answer = api(clinic_admin).post(
        "/staff",
        NEW_NURSE | {"username": nurse.username.upper(), "npi": "12345", "email": "maria@"},
    )
    assert answer.status_code == 422
    assert set(answer.json()["fields"]) == {"username", "npi", "email"}


def test_a_prescriber_is_added_with_npi_and_dea_number(api, clinic_admin):
    answer = api(clinic_admin).post(
        "/staff",
        NEW_NURSE
        | {
            "username": "dr_okoye",
            "role": "prescriber",
            "credentials": "MD",
            "npi": "1234567893",
            "dea_number": "bo1234563",
        },
    )
    assert answer.status_code == 201, answer.content
    assert (answer.json()["npi"], answer.json()["dea_number"]) == ("1234567893", "BO1234563")


def test_another_clinics_user_answers_404(api, clinic_admin, outsider):
    admin = api(clinic_admin)
    for method, path in [
        ("get", f"/staff/{outsider.id}"),
        ("post", f"/staff/{outsider.id}/role"),
        ("post", f"/staff/{outsider.id}/deactivate"),
        ("post", f"/staff/{outsider.id}/reactivate"),
        ("post", f"/staff/{outsider.id}/password"),
        ("post", f"/staff/{outsider.id}/mfa-reset"),
    ]:
        body = {"role": "nurse", "password": "temporary-pass-2041"}
        answer = admin.get(path) if method == "get" else admin.post(path, body)
        assert answer.status_code == 404, (path, answer.content)
    outsider.refresh_from_db()
    assert outsider.is_active and outsider.role == "clinic_admin"
    assert outsider.username not in {m["username"] for m in admin.get("/staff").json()}


def test_an_administrator_cannot_lock_themselves_out(api, clinic_admin):
    admin = api(clinic_admin)
    assert admin.post(f"/staff/{clinic_admin.id}/deactivate").status_code == 409
    assert admin.post(f"/staff/{clinic_admin.id}/role", {"role": "nurse"}).status_code == 409
    clinic_admin.refresh_from_db()
    assert clinic_admin.is_active and clinic_admin.role == "clinic_admin"


def test_a_reactivated_nurse_signs_in_again_but_her_old_tokens_stay_revoked(
    api, clinic_admin, nurse
):
    nurse_api = api(nurse)
    admin = api(clinic_admin)
    admin.post(f"/staff/{nurse.id}/deactivate")
    assert password_step(nurse)[1].status_code == 200  # the form refuses an inactive account
    # when she is reactivated
    answer = admin.post(f"/staff/{nurse.id}/reactivate")
    assert answer.status_code == 200 and answer.json()["is_active"] is True
    # then she signs in, but her old token no longer works
    assert password_step(nurse)[1].url == "/"
    assert nurse_api.get("/me").status_code == 401
    assert "staff.reactivated" in _actions(object_id=str(nurse.id))


def test_a_reset_password_is_temporary_and_lifts_a_lockout(api, web, clinic_admin, nurse):
    old_session = web(nurse)
    for _ in range(5):
        Client().post("/login/", {"username": nurse.username, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=nurse.username).exists()
    # when the administrator sets a temporary password
    answer = api(clinic_admin).post(f"/staff/{nurse.id}/password", {"password": "fresh-start-9182"})
    assert answer.status_code == 200 and answer.json()["must_change_password"] is True
    # then her old session ended and the lockout is lifted
    assert old_session.get("/patients/").url.startswith("/login/")
    assert not AccessAttempt.objects.filter(username=nurse.username).exists()
    # and after signing in she must choose her own password before anything else
    client, response = password_step(nurse, password="fresh-start-9182")
    assert response.status_code == 302
    assert client.get("/patients/").url.startswith("/account/password/")
    refused = client.get("/api/v1/patients")
    assert refused.status_code == 403 and refused.json()["code"] == "password_change_required"
    page = client.get("/account/password/")
    assert b"set by a clinic administrator" in page.content
    same = client.post(
        "/account/password/",
        {
            "old_password": "fresh-start-9182",
            "new_password": "fresh-start-9182",
            "new_password_again": "fresh-start-9182",
        },
    )
    assert b"must differ" in same.content
    client.post(
        "/account/password/",
        {
            "old_password": "fresh-start-9182",
            "new_password": "a-nurses-own-secret-5",
            "new_password_again": "a-nurses-own-secret-5",
        },
    )
    assert client.get("/patients/").status_code == 200
    assert _actions(object_id=str(nurse.id)) == ["staff.password_reset", "account.password_changed"]


def test_every_user_changes_their_own_password_with_the_old_one(web, front_desk):
    client = web(front_desk)
    other_session = web(front_desk)
    wrong = client.post(
        "/account/password/",
        {
            "old_password": "not-it",
            "new_password": "a-better-passphrase-1",
            "new_password_again": "a-better-passphrase-1",
        },
    )
    assert b"is not your current password" in wrong.content
    weak = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password": "password", "new_password_again": "password"},
    )
    assert b"too common" in weak.content or b"too short" in weak.content
    done = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password": "a-better-passphrase-1",
            "new_password_again": "a-better-passphrase-1",
        },
    )
    assert done.status_code == 302
    front_desk.refresh_from_db()
    assert front_desk.check_password("a-better-passphrase-1")
    # this session goes on; the other one ended with the old password
    assert client.get("/patients/").status_code == 200
    assert other_session.get("/patients/").url.startswith("/login/")


def test_a_role_that_newly_needs_mfa_signs_the_user_out_and_revokes_tokens(
    api, web, clinic, clinic_admin, nurse
):
    ClinicSecurity.objects.filter(clinic=clinic).update(mfa_required=True)
    nurse_api = api(nurse)
    session = web(nurse)
    assert session.get("/patients/").status_code == 200
    # when the nurse becomes a prescriber (a role that needs a second factor she has not set up)
    answer = api(clinic_admin).post(f"/staff/{nurse.id}/role", {"role": "prescriber"})
    assert answer.status_code == 200
    # then she must sign in again and enroll, and her token was revoked
    assert session.get("/patients/").url.startswith("/login/")
    assert nurse_api.get("/me").status_code == 401
    event = AuditEvent.objects.get(action="staff.role_changed")
    assert event.changes["sessions_ended"] is True and event.changes["tokens_revoked"] == 1


def test_requiring_mfa_for_every_role_signs_out_those_without_it(api, web, clinic_admin, nurse):
    session = web(nurse)
    assert session.get("/patients/").status_code == 200
    admin = api(clinic_admin)
    # when the administrator requires two-factor authentication for every role
    answer = admin.put("/security-policy", {"mfa_required_for_all": True})
    assert answer.status_code == 200 and answer.json()["mfa_required_for_all"] is True
    # then the nurse without it is signed out, and enrolls at her next sign-in
    assert session.get("/patients/").url.startswith("/login/")
    assert password_step(nurse)[1].url.startswith("/login/two-factor/")
    event = AuditEvent.objects.get(action="clinic.mfa_policy_changed")
    assert nurse.username in event.changes["signed_out"]


def test_administrators_cannot_switch_the_base_mfa_requirement_off(api, clinic, clinic_admin):
    ClinicSecurity.objects.filter(clinic=clinic).update(mfa_required=True)
    answer = api(clinic_admin).put(
        "/security-policy", {"mfa_required_for_all": False, "mfa_required": False}
    )
    assert answer.status_code == 200 and answer.json()["mfa_required"] is True


def test_the_staff_pages_add_change_and_deactivate(web, clinic_admin, nurse):
    client = web(clinic_admin)
    listing = client.get("/staff/").content.decode()
    assert nurse.username in listing and "Sign-in policy" in listing
    added = client.post(
        "/staff/new/",
        {
            "username": "fd_new",
            "first_name": "Li",
            "last_name": "Wong",
            "role": "front_desk",
            "password": "temporary-pass-2041",
        },
    )
    member = User.objects.get(username="fd_new")
    assert added.url == f"/staff/{member.id}/"
    weak = client.post(f"/staff/{member.id}/password/", {"password": "123"})
    assert weak.status_code == 200 and b"too short" in weak.content
    client.post(f"/staff/{member.id}/role/", {"role": "nurse"})
    client.post(f"/staff/{member.id}/deactivate/")
    member.refresh_from_db()
    assert (member.role, member.is_active) == ("nurse", False)
    page = client.get(f"/staff/{member.id}/").content.decode()
    assert "is deactivated" in page and "Reactivate" in page
    own = client.post(f"/staff/{clinic_admin.id}/deactivate/", follow=True)
    assert b"cannot change their own account" in own.content
