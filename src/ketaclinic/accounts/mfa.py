"""Two-factor authentication: enroll an authenticator app (TOTP, RFC 6238, via django-otp) from a
QR code, check a code or a one-time recovery code, replace the recovery codes.

Writes follow the services convention: keyword-only `actor`, one transaction, audited. A wrong
code is committed as a failure (django-otp's throttling slows guessing down) before the error
is raised, so a refused attempt still counts.
"""

from base64 import b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require

from . import queries, rules

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def begin_enrollment(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (the same one until confirmed)."""
    if queries.has_mfa(user):
        raise Conflict(
            "Two-factor authentication is already set up; an administrator can reset it.",
            code="mfa_enrolled",
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps accept it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (drawn here, no network)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, light="#fff", title="QR code for your authenticator app"
    )


def confirm_enrollment(*, actor, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code it shows; returns new recovery codes (shown once).

    The user's other sessions end: from now on every session has passed the second factor."""
    require(actor, "account.manage_own")
    if device.user_id != actor.pk or device.confirmed:
        raise Conflict("This authenticator is not being set up for you.", code="mfa_enrolled")
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, details = locked.verify_is_allowed()
        accepted = (
            allowed and rules.is_totp_code(code) and locked.verify_token(rules.normalize_code(code))
        )
        if accepted:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
            # Sessions opened without the second factor end; the caller renews its own.
            actor.end_all_sessions()
            codes = _new_recovery_codes(actor)
            record_event(
                actor=actor,
                action="account.mfa_enrolled",
                obj=actor,
                changes={"recovery_codes": len(codes)},
            )
    if not allowed:
        _refuse_throttled(actor, details)
    if not accepted:
        raise InvalidInput(
            "That code does not match: enter the 6-digit code your authenticator app shows now.",
            fields={"code": "does not match: enter the 6-digit code the app shows now"},
        )
    return codes


def verify_second_factor(*, actor, code: str) -> str:
    """Check a code from the authenticator app or a recovery code (each recovery code works
    once). Returns "authenticator" or "recovery_code"; raises InvalidInput otherwise."""
    normalized = rules.normalize_code(code)
    kind = "authenticator" if rules.is_totp_code(normalized) else "recovery_code"
    model = TOTPDevice if kind == "authenticator" else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=actor, confirmed=True).first()
        if device is None:
            accepted, wait = False, None
        else:
            allowed, details = device.verify_is_allowed()
            wait = None if allowed else (details or {}).get("locked_until")
            accepted = allowed and bool(normalized) and device.verify_token(normalized)
        if accepted and kind == "recovery_code":
            record_event(
                actor=actor,
                action="account.recovery_code_used",
                obj=actor,
                changes={"codes_left": device.token_set.count()},
            )
        elif not accepted:
            record_event(actor=actor, action="account.mfa_failed", obj=actor)
    if accepted:
        return kind
    if wait is not None:
        _refuse_throttled(actor, {"locked_until": wait})
    raise InvalidInput(
        "That code is not valid: enter the 6-digit code of your authenticator app, or an unused "
        "recovery code.",
        fields={
            "code": "is not valid: use the app's current 6-digit code or an unused recovery code"
        },
    )


def _refuse_throttled(actor, details) -> None:
    """django-otp pauses a device after wrong codes (doubling each time): say until when."""
    wait = (details or {}).get("locked_until") or timezone.now()
    local = timezone.localtime(wait, actor.clinic.tz) if actor.clinic_id else wait
    message = f"too many wrong codes: try again after {local:%H:%M:%S}"
    raise InvalidInput(
        message[:1].upper() + message[1:] + ".", fields={"code": message}, code="mfa_throttled"
    )


def replace_recovery_codes(*, actor, code: str) -> list[str]:
    """New recovery codes for the actor (the old ones stop working); needs a current code."""
    require(actor, "account.manage_own")
    if not rules.is_totp_code(code):
        raise InvalidInput(
            "Enter the current 6-digit code of your authenticator app.",
            fields={"code": "must be the current 6-digit code of your authenticator app"},
        )
    verify_second_factor(actor=actor, code=code)
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        record_event(actor=actor, action="account.recovery_codes_replaced", obj=actor)
    return codes


def remove_devices(user) -> int:
    """Delete every authenticator and recovery code of the user (the caller audits)."""
    removed = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return removed


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = set()
    while len(codes) < rules.RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in sorted(codes))
    return [rules.format_recovery_code(c) for c in sorted(codes)]
