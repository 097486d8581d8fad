"""Test helpers for two-factor sign-in: compute authenticator codes like a phone app would."""

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts import mfa
from tests.factories import PASSWORD


def code_at(device: TOTPDevice, step: int) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the server accepts now: the current one, or the next if the current was used
    (the server accepts one step of drift, and each step only once)."""
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step)
    step = max(now_step, device.last_t + 1)
    if step > now_step + 1:
        raise AssertionError("both usable codes were spent: move the clock on 30 seconds")
    return code_at(device, step)


def enroll(user) -> tuple[TOTPDevice, list[str]]:
    """Give `user` a confirmed authenticator; returns it and the recovery codes."""
    device = mfa.begin_enrollment(user)
    codes = mfa.confirm_enrollment(actor=user, device=device, code=fresh_code(device))
    device.refresh_from_db()
    return device, codes


def password_step(user, client: Client | None = None, password: str = PASSWORD):
    """Sign in with the form's first step; returns the client and the response."""
    client = client or Client()
    response = client.post("/login/", {"username": user.username, "password": password})
    return client, response
