"""Two-factor sign-in: required for prescribers, administrators and auditors; enrollment from a
QR code; a code at every later sign-in; recovery codes that work once each."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts.models import ClinicSecurity
from ketaclinic.audit.models import AuditEvent
from tests.accounts.mfa_helpers import code_at, enroll, fresh_code, password_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_clinic(clinic):
    """The test clinic with the real default: MFA required for clinical and admin roles."""
    ClinicSecurity.objects.filter(clinic=clinic).update(mfa_required=True)
    return clinic


def _chart(client, patient):
    return client.get(f"/patients/{patient.id}/")


def test_a_clinic_without_a_saved_policy_requires_mfa_for_prescribers(prescriber, nurse):
    # given a clinic whose policy row does not exist (as after create_clinic)
    ClinicSecurity.objects.all().delete()
    # when a prescriber and a nurse sign in with their passwords
    _, to_prescriber = password_step(prescriber)
    _, to_nurse = password_step(nurse)
    # then only the prescriber is sent to the two-factor step
    assert to_prescriber.url.startswith("/login/two-factor/")
    assert to_nurse.url == "/"


def test_a_prescriber_without_mfa_cannot_reach_patient_data(mfa_clinic, prescriber, patient):
    # given a prescriber who has not enrolled signs in with the right password
    client, response = password_step(prescriber)
    # then she is sent to enrollment
    assert response.status_code == 302 and response.url.startswith("/login/two-factor/")
    enrollment = client.get(response.url)
    assert b"Set up two-factor authentication" in enrollment.content
    # and neither the chart page nor the API (with her session) gives patient data
    page = _chart(client, patient)
    assert page.status_code == 302 and page.url.startswith("/login/two-factor/")
    api = client.get(f"/api/v1/patients/{patient.id}")
    assert api.status_code == 401 and api.json()["code"] == "mfa_required"
    assert client.get("/patients/").status_code == 302
    assert patient.given_name.encode() not in enrollment.content
    assert not AuditEvent.objects.filter(action="patient.viewed").exists()


def test_enrollment_shows_a_qr_code_and_ends_with_ten_recovery_codes(
    mfa_clinic, prescriber, patient
):
    client, response = password_step(prescriber)
    # given the enrollment page with its QR code (drawn inline) and typed-in key
    page = client.get(response.url).content.decode()
    assert "<svg" in page and "QR code for your authenticator app" in page
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    device = TOTPDevice.objects.get(user=prescriber, confirmed=False)
    assert secret.replace(" ", "") in device.config_url
    # when a wrong code is entered, then enrollment is refused with the field named
    wrong = client.post(response.url, {"code": "000000" if fresh_code(device) != "000000" else "1"})
    assert wrong.status_code == 200 and b"does not match" in wrong.content
    # when the code the app shows is entered (after django-otp's pause for the wrong one)
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=True):
        done = client.post(response.url, {"code": fresh_code(device)})
    # then ten recovery codes are shown once, and patient data opens
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", done.content.decode())
    assert len(set(codes)) == 10
    assert _chart(client, patient).status_code == 200
    assert AuditEvent.objects.filter(action="account.mfa_enrolled", actor=prescriber).exists()
    # and the account page shows two-factor on, without the codes
    account = client.get("/account/").content.decode()
    assert "Recovery codes left" in account and codes[0] not in account


def test_after_enrollment_signing_in_needs_the_code(mfa_clinic, prescriber, patient):
    device, _ = enroll(prescriber)
    # given an enrolled prescriber signs in with her password
    client, response = password_step(prescriber)
    # then she is asked for the code and nothing else opens yet
    assert response.url.startswith("/login/two-factor/")
    assert b"Enter the 6-digit code" in client.get(response.url).content
    assert _chart(client, patient).status_code == 302
    assert client.get(f"/api/v1/patients/{patient.id}").status_code == 401
    # when she enters a wrong code, then she stays out
    refused = client.post(response.url, {"code": "12345x"})
    assert b"not valid" in refused.content
    # when she enters the current code, then the chart opens
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=True):
        accepted = client.post(response.url, {"code": fresh_code(device)})
        assert accepted.status_code == 302
        assert _chart(client, patient).status_code == 200


def test_an_enrolled_nurse_is_also_asked_for_her_code(nurse):
    # given a nurse (her role needs no second factor) who enrolled anyway
    device, _ = enroll(nurse)
    # when she signs in with her password, then she is asked for the code
    client, response = password_step(nurse)
    assert response.url.startswith("/login/two-factor/")
    client.post(response.url, {"code": fresh_code(device)})
    assert client.get("/patients/").status_code == 200


def test_recovery_codes_work_once_each(mfa_clinic, prescriber, patient):
    _, codes = enroll(prescriber)
    first, second = codes[0], codes[1]
    # given a prescriber who signs in with a recovery code
    client, response = password_step(prescriber)
    used = client.post(response.url, {"code": first.upper()})
    # then she is in, and told how many codes are left
    assert used.status_code == 302
    assert b"9 left" in client.get("/").content
    assert _chart(client, patient).status_code == 200
    client.post("/logout/")
    # when the same code is used again, then it is refused
    client, response = password_step(prescriber)
    again = client.post(response.url, {"code": first})
    assert again.status_code == 200 and b"not valid" in again.content
    assert _chart(client, patient).status_code == 302
    # and another unused code still works (after django-otp's one-second pause for a failure)
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=True):
        assert client.post(response.url, {"code": second}).status_code == 302
    assert _chart(client, patient).status_code == 200
    used_events = AuditEvent.objects.filter(action="account.recovery_code_used")
    assert [e.changes["codes_left"] for e in used_events.order_by("id")] == [9, 8]
    assert AuditEvent.objects.filter(action="account.mfa_failed").count() == 1


def test_guessing_codes_is_slowed_down(mfa_clinic, prescriber):
    device, _ = enroll(prescriber)
    client, response = password_step(prescriber)
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=False):
        right = fresh_code(device)
        # given three wrong codes in a row
        for _ in range(3):
            client.post(response.url, {"code": "000000" if right != "000000" else "111111"})
        # when the right code follows at once, then it is refused with a time to wait
        throttled = client.post(response.url, {"code": right})
        assert b"too many wrong codes" in throttled.content
    # and after the pause it is accepted
    with time_machine.travel(timezone.now() + timedelta(seconds=50), tick=False):
        assert client.post(response.url, {"code": fresh_code(device)}).status_code == 302


def test_every_role_needs_mfa_when_the_clinic_requires_it_for_all(clinic, nurse, front_desk):
    ClinicSecurity.objects.filter(clinic=clinic).update(mfa_required_for_all=True)
    for user in (nurse, front_desk):
        client, response = password_step(user)
        assert response.url.startswith("/login/two-factor/"), user.username
        assert client.get("/patients/").status_code == 302


def test_with_mfa_off_a_prescriber_signs_in_with_the_password_alone(prescriber, patient):
    # given the test clinic, whose two-factor requirement is off (like the demo clinic)
    client, response = password_step(prescriber)
    assert response.url == "/"
    assert _chart(client, patient).status_code == 200


def test_a_session_opened_without_the_form_is_still_confined(mfa_clinic, web, prescriber, patient):
    # given a session that never went through the sign-in form (opened before the upgrade)
    client = web(prescriber)
    # then it too must pass the second factor before patient data opens
    assert _chart(client, patient).status_code == 302
    assert client.get(f"/api/v1/patients/{patient.id}").status_code == 401


def test_bearer_tokens_are_not_affected_by_the_sign_in_step(mfa_clinic, api, prescriber, patient):
    # given a token issued by the operator for a prescriber (who must use MFA in the browser)
    client = api(prescriber)
    # then the token reads patient data without any sign-in step
    assert client.get(f"/patients/{patient.id}").status_code == 200


def test_an_administrator_resets_a_users_mfa_and_it_is_audited(
    mfa_clinic, api, clinic_admin, prescriber
):
    device, _ = enroll(prescriber)
    client, response = password_step(prescriber)
    client.post(response.url, {"code": fresh_code(device)})
    assert client.get("/patients/").status_code == 200
    # when the administrator resets her two-factor authentication
    answer = api(clinic_admin).post(f"/staff/{prescriber.id}/mfa-reset")
    # then her authenticator is gone, her open session ended, and the reset is audited
    assert answer.status_code == 200 and answer.json()["mfa_enrolled"] is False
    assert not TOTPDevice.objects.filter(user=prescriber).exists()
    assert client.get("/patients/").url.startswith("/login/")
    event = AuditEvent.objects.get(action="staff.mfa_reset")
    assert event.actor == clinic_admin and event.object_id == str(prescriber.id)
    # and at the next sign-in she enrolls again
    _, again = password_step(prescriber)
    assert again.url.startswith("/login/two-factor/")


def test_replacing_recovery_codes_needs_a_current_code_and_voids_the_old_ones(nurse):
    device, old = enroll(nurse)
    client, response = password_step(nurse)
    client.post(response.url, {"code": fresh_code(device)})
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=True):
        refused = client.post("/account/", {"code": old[0]})
        assert b"6-digit" in refused.content
        page = client.post("/account/", {"code": fresh_code(device)}).content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout/")
    client, response = password_step(nurse)
    assert b"not valid" in client.post(response.url, {"code": old[1]}).content


def test_the_qr_code_address_names_the_issuer_and_the_user(prescriber):
    device = TOTPDevice.objects.create(user=prescriber, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/ketaclinic%3Adr_patel?")
    assert code_at(device, 1) != code_at(device, 2)


def test_pages_with_secrets_are_never_cached(nurse):
    client, _ = password_step(nurse)
    for path in ("/login/two-factor/", "/account/tokens/", "/account/"):
        assert "no-store" in client.get(path)["Cache-Control"], path


def test_setting_up_mfa_ends_the_users_other_sessions(web, nurse):
    # given a nurse signed in on two devices
    other_device = web(nurse)
    client, _ = password_step(nurse)
    assert other_device.get("/patients/").status_code == 200
    # when she sets up two-factor authentication on one of them
    client.get("/login/two-factor/")
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)
    client.post("/login/two-factor/", {"code": fresh_code(device)})
    # then that session goes on and the other one, which never passed the code, ends
    assert client.get("/patients/").status_code == 200
    assert other_device.get("/patients/").url.startswith("/login/")
