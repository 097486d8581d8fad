"""A prescriber enrolls an authenticator app at her first sign-in, then signs in with a code."""

import time
from base64 import b32decode

from django_otp.oath import TOTP
from playwright.sync_api import expect

from ketaclinic.core.permissions import Role
from ketaclinic.patients.services import register_patient
from tests.factories import PASSWORD, make_clinic, make_user


def _code(secret: str, seconds_ahead: int = 0) -> str:
    """What a phone app shows for this key (RFC 6238: 30-second steps, 6 digits)."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + seconds_ahead
    return f"{totp.token():06d}"


def _password_step(page, user):
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_prescriber_enrolls_at_first_sign_in_and_then_signs_in_with_a_code(page, screenshot):
    # given a clinic that requires two-factor sign-in for prescribers, and a patient
    clinic = make_clinic("Lakeside Clinic", "lakeside", mfa_required=True)
    prescriber = make_user(clinic, "dr_patel", Role.PRESCRIBER, first_name="Asha")
    desk = make_user(clinic, "desk", Role.FRONT_DESK)
    patient = register_patient(
        actor=desk,
        given_name="Marisol",
        family_name="Quintero",
        date_of_birth="1988-04-02",
        sex="female",
    )

    # when she signs in with her password, then she is asked to set up an authenticator
    _password_step(page, prescriber)
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    screenshot(page, "accounts-mfa-enroll", full_page=True)
    # and the patient's chart does not open
    page.goto(f"/patients/{patient.id}/")
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_text("Quintero")).to_have_count(0)

    # when she types the code her app computes from the key on the page
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("6-digit code from the app").fill(_code(secret))
    page.get_by_role("button", name="Confirm and continue").click()

    # then she sees ten recovery codes once, and the chart opens
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(page, "accounts-recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="I have saved them: continue").click()
    page.goto(f"/patients/{patient.id}/")
    expect(page.get_by_role("heading", name="Quintero, Marisol")).to_be_visible()

    # when she signs out and in again, then the password alone is not enough
    # (the sign-out finishes before the next page is asked for: both would use the session)
    with page.expect_navigation(url="**/login/"):
        page.get_by_role("button", name="Sign out").click()
    _password_step(page, prescriber)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    screenshot(page, "accounts-mfa-verify")
    page.get_by_label("Code").fill("000000" if _code(secret, 30) != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    # and with the next code of her app (each code works once) she is in
    time.sleep(1.1)  # django-otp pauses a second after a wrong code
    page.get_by_label("Code").fill(_code(secret, 30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"/patients/{patient.id}/")
    expect(page.get_by_role("heading", name="Quintero, Marisol")).to_be_visible()
