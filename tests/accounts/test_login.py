"""Sign-in: argon2 hashes, lockout after 5 failures, idle expiry, CSRF on session API calls."""

import pytest
from django.conf import settings
from django.test import Client

from ketaclinic.config import settings as production_settings
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_production_settings_hash_passwords_with_argon2():
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_an_argon2_hash_is_what_gets_stored(nurse, settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    nurse.set_password("a-long-enough-passphrase")
    nurse.save()
    assert nurse.password.startswith("argon2")


def test_sessions_expire_after_30_idle_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_signing_in_with_the_form_reaches_the_home_page(nurse):
    client = Client()
    response = client.post("/login/", {"username": nurse.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert b"Good day" in client.get("/").content


def test_five_failed_logins_lock_the_account_even_with_the_right_password(nurse):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": nurse.username, "password": "wrong"})
    locked = client.post("/login/", {"username": nurse.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert b"locked" in locked.content
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(nurse):
    client = Client()
    for _ in range(4):
        client.post("/login/", {"username": nurse.username, "password": "wrong"})
    ok = client.post("/login/", {"username": nurse.username, "password": PASSWORD})
    assert ok.status_code == 302


def test_pages_require_a_login(db):
    response = Client().get("/patients/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_login_form_enforces_csrf(nurse):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": nurse.username, "password": PASSWORD})
    assert response.status_code == 403


def test_session_authenticated_api_writes_need_the_csrf_token(nurse):
    client = Client(enforce_csrf_checks=True)
    client.force_login(nurse, backend="django.contrib.auth.backends.ModelBackend")
    body = {"given_name": "A", "family_name": "B", "date_of_birth": "1990-01-01", "sex": "male"}
    refused = client.post("/api/v1/patients", body, content_type="application/json")
    assert refused.status_code in (401, 403)
    client.get("/patients/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/patients", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content


def test_logout_ends_the_session(web, nurse):
    client = web(nurse)
    client.post("/logout/")
    assert client.get("/patients/").status_code == 302


def test_the_login_page_states_the_idle_timeout_in_minutes(db, settings):
    page = Client().get("/login/").content.decode()
    assert "Sessions end after 30 minutes without activity." in page
    assert "seconds" not in page
    # the wording follows the setting
    settings.SESSION_COOKIE_AGE = 15 * 60
    assert "after 15 minutes without" in Client().get("/login/").content.decode()
