"""API tokens: created on the command line or page, stored as hashes, listed and revoked."""

import hashlib
import io

import pytest
from django.core.management import call_command

from ketaclinic.accounts.models import ApiToken
from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.context import acting

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_token_alone_on_its_last_line_and_stores_only_a_hash(nurse):
    out = io.StringIO()
    with acting("cli"):
        call_command("create_api_token", nurse.username, stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("kc_") and " " not in token
    row = ApiToken.objects.get(user=nurse)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.token_hash, row.prefix, row.name}
    event = AuditEvent.objects.get(action="token.created")
    assert event.via == "cli" and event.actor is None and "command line" in event.actor_label


def test_the_command_refuses_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("create_api_token", "ghost", stdout=io.StringIO())


def test_a_bearer_token_authenticates_and_a_revoked_one_does_not(api, nurse):
    client = api(nurse)
    assert client.get("/me").json()["username"] == nurse.username
    token_id = ApiToken.objects.get(user=nurse).id
    assert client.post(f"/tokens/{token_id}/revoke").status_code == 200
    assert client.get("/me").status_code == 401


def test_a_token_of_a_deactivated_user_stops_working(api, nurse):
    client = api(nurse)
    nurse.is_active = False
    nurse.save()
    assert client.get("/me").status_code == 401


def test_users_list_their_own_tokens_and_the_clinic_admin_sees_all(api, nurse, clinic_admin):
    nurse_client = api(nurse)
    admin_client = api(clinic_admin)
    nurse_tokens = nurse_client.get("/tokens").json()
    assert {t["username"] for t in nurse_tokens} == {nurse.username}
    assert {t["username"] for t in admin_client.get("/tokens").json()} == {
        nurse.username,
        clinic_admin.username,
    }


def test_a_clinic_admin_revokes_a_nurses_token_but_a_nurse_cannot_revoke_the_admins(
    api, nurse, clinic_admin
):
    nurse_client = api(nurse)
    admin_client = api(clinic_admin)
    admin_token = ApiToken.objects.get(user=clinic_admin).id
    nurse_token = ApiToken.objects.get(user=nurse).id
    assert nurse_client.post(f"/tokens/{admin_token}/revoke").status_code == 404
    assert admin_client.post(f"/tokens/{nurse_token}/revoke").status_code == 200
    assert nurse_client.get("/me").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoked", actor=clinic_admin).count() == 1


def test_another_clinics_admin_cannot_see_or_revoke_tokens(api, nurse, outsider):
    api(nurse)
    nurse_token = ApiToken.objects.get(user=nurse).id
    outsider_client = api(outsider)
    assert nurse.username not in {t["username"] for t in outsider_client.get("/tokens").json()}
    assert outsider_client.post(f"/tokens/{nurse_token}/revoke").status_code == 404


def test_creating_a_token_through_the_api_with_a_session_shows_it_once(web, api, nurse):
    # given a nurse signed in with a browser session (her role needs no second factor)
    session = web(nurse)
    # when she creates a token through the API
    created = session.post("/api/v1/tokens", {"name": "pump"}, content_type="application/json")
    # then it is shown once, and listed afterwards without the secret
    assert created.status_code == 201, created.content
    plaintext = created.json()["token"]
    listed = session.get("/api/v1/tokens").json()
    assert all("token" not in t for t in listed)
    other = api()
    other.headers["Authorization"] = f"Bearer {plaintext}"
    assert other.get("/me").status_code == 200


def test_the_token_page_creates_and_revokes(web, nurse):
    client = web(nurse)
    page = client.post("/account/tokens/", {"name": "laptop"})
    assert page.status_code == 200
    assert b"copy it now" in page.content
    token = ApiToken.objects.get(user=nurse)
    client.post(f"/account/tokens/{token.id}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == nurse
