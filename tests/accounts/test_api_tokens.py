"""API tokens: created on the command line or a signed-in page (never by a token), stored as
hashes, expiring, optionally read-only, listed and revoked."""

import hashlib
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from ketaclinic.accounts.auth import user_for_token
from ketaclinic.accounts.models import ApiToken
from ketaclinic.accounts.services import create_api_token
from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.context import acting
from tests.accounts.mfa_helpers import enroll, fresh_code, password_step

pytestmark = pytest.mark.django_db

ONE_S = timedelta(seconds=1)


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
    # the Revoke button first asks for confirmation and revokes nothing
    asked = client.post(f"/account/tokens/{token.id}/revoke/")
    assert b"Revoke this API token?" in asked.content
    assert f"Revoke token {token.prefix}".encode() in asked.content
    token.refresh_from_db()
    assert token.revoked_at is None
    # confirming revokes it
    client.post(f"/account/tokens/{token.id}/revoke/", {"confirmed": "yes"})
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == nurse


def test_a_bearer_token_cannot_create_tokens(api, nurse):
    # given a nurse's token
    client = api(nurse)
    # when it is used to create another token
    answer = client.post("/tokens", {"name": "copy"})
    # then the answer is 403 with a message that says why and what to do instead
    assert answer.status_code == 403
    assert answer.json()["code"] == "token_cannot_create_tokens"
    assert "cannot create API tokens" in answer.json()["detail"]
    assert ApiToken.objects.filter(user=nurse).count() == 1


def test_a_token_past_its_expiry_answers_401(api, nurse):
    client = api(nurse)
    token = ApiToken.objects.get(user=nurse)
    assert client.get("/me").status_code == 200
    # when the clock passes the token's expiry
    with time_machine.travel(token.expires_at + timedelta(seconds=1), tick=False):
        answer = client.get("/me")
    # then the token answers 401 and says it expired
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired" and "expired" in answer.json()["detail"]


def test_tokens_expire_after_the_configured_default_of_90_days(nurse, settings):
    token, _ = create_api_token(actor=None, user=nurse)
    assert token.expires_at - token.created_at == pytest.approx(timedelta(days=90), abs=ONE_S)
    # KETACLINIC_TOKEN_DAYS sets the default (and the maximum)
    settings.TOKEN_DAYS = 30
    shorter, _ = create_api_token(actor=None, user=nurse)
    assert shorter.expires_at - shorter.created_at == pytest.approx(timedelta(days=30), abs=ONE_S)


def test_a_token_may_be_given_a_shorter_life_but_not_a_longer_one(web, nurse):
    session = web(nurse)
    week = session.post("/api/v1/tokens", {"days": 7}, content_type="application/json")
    assert week.status_code == 201
    created = ApiToken.objects.get(pk=week.json()["id"])
    assert created.expires_at - created.created_at == pytest.approx(timedelta(days=7), abs=ONE_S)
    too_long = session.post("/api/v1/tokens", {"days": 365}, content_type="application/json")
    assert too_long.status_code == 422 and "days" in too_long.json()["fields"]


def test_a_read_only_token_reads_but_gets_403_for_anything_else(web, api, nurse, patient):
    # given a read-only token the nurse created in her session
    session = web(nurse)
    made = session.post(
        "/api/v1/tokens", {"name": "dashboard", "read_only": True}, content_type="application/json"
    )
    assert made.json()["read_only"] is True
    reader = api()
    reader.headers["Authorization"] = f"Bearer {made.json()['token']}"
    # then it reads
    assert reader.get(f"/patients/{patient.id}").status_code == 200
    # and any write is refused, naming the reason
    answer = reader.patch(f"/patients/{patient.id}", {"phone": "(555) 000-2222"})
    assert answer.status_code == 403 and answer.json()["code"] == "token_read_only"
    assert "read-only" in answer.json()["detail"]
    patient.refresh_from_db()
    assert patient.phone == "(555) 200-1000"


def test_a_token_is_created_only_within_15_minutes_of_a_two_factor_check(nurse):
    device, _ = enroll(nurse)
    client, response = password_step(nurse)
    client.post(response.url, {"code": fresh_code(device)})
    # given the nurse passed two-factor authentication, then she can create a token at once
    first = client.post("/api/v1/tokens", {"name": "now"}, content_type="application/json")
    assert first.status_code == 201
    # when 16 minutes pass, then creating another needs a fresh check
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=True):
        late = client.post("/api/v1/tokens", {"name": "later"}, content_type="application/json")
        assert late.status_code == 403 and late.json()["code"] == "mfa_recent_required"
        page = client.get("/account/tokens/").content.decode()
        assert "confirm a code from your authenticator app" in page
        client.post("/login/two-factor/", {"code": fresh_code(device)})
        again = client.post("/api/v1/tokens", {"name": "later"}, content_type="application/json")
        assert again.status_code == 201


def test_the_token_page_shows_expiry_and_read_only(web, nurse):
    client = web(nurse)
    client.post("/account/tokens/", {"name": "kiosk", "days": "10", "read_only": "on"})
    token = ApiToken.objects.get(user=nurse)
    assert token.read_only and token.expires_at - token.created_at == pytest.approx(
        timedelta(days=10), abs=ONE_S
    )
    html = client.get("/account/tokens/").content.decode()
    local = token.expires_at.astimezone(nurse.clinic.tz).strftime("%Y-%m-%d %H:%M")
    assert "Expires" in html and local in html and "read-only" in html
    # and once its time is up, it shows as expired
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - ONE_S)
    assert (
        '<span class="badge warn">expired</span>' in client.get("/account/tokens/").content.decode()
    )


def test_a_read_only_token_cannot_sign_as_a_witness(nurse):
    _, plaintext = create_api_token(actor=None, user=nurse, read_only=True)
    assert user_for_token(plaintext) is None
    assert user_for_token(plaintext, read_only_ok=True) == nurse
