"""Pure sign-in rules: who needs a second factor, how recent a verification must be, token life."""

import re
from datetime import datetime, timedelta

# Roles that prescribe, administer the clinic or read everything: a second factor is required
# for them unless the clinic's policy is switched off (a demonstration clinic only).
MFA_ROLES = frozenset({"prescriber", "clinic_admin", "auditor"})

# Creating an API token needs a second-factor check this recent (for users who have MFA).
RECENT_MFA = timedelta(minutes=15)

# Recovery codes: ten, each usable once.
RECOVERY_CODE_COUNT = 10

# An authenticator code: six digits (RFC 6238 with django-otp's default of 6 digits).
TOTP_CODE = re.compile(r"^\d{6}$")


def mfa_required(role: str, *, required: bool, required_for_all: bool) -> bool:
    """Does a user with `role` need a second factor under the clinic's policy?"""
    if not role:
        return False
    if required_for_all:
        return True
    return required and role in MFA_ROLES


def normalize_code(code: str) -> str:
    """What the user typed, without spaces or dashes, lower case (recovery codes are shown
    grouped as `abcd-efgh`)."""
    return re.sub(r"[\s-]", "", code or "").lower()


def is_totp_code(code: str) -> bool:
    return bool(TOTP_CODE.match(normalize_code(code)))


def format_recovery_code(code: str) -> str:
    """`abcdefgh` -> `abcd-efgh`, easier to copy by hand."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def recently_verified(verified_at: datetime | None, now: datetime) -> bool:
    """Was the second factor checked within RECENT_MFA before `now`?"""
    return verified_at is not None and timedelta(0) <= now - verified_at <= RECENT_MFA


def token_expiry(created: datetime, *, max_days: int, days: int | None = None) -> datetime:
    """When a token created at `created` expires: `days` if given (at most `max_days`)."""
    if days is None:
        days = max_days
    if days < 1 or days > max_days:
        raise ValueError(f"a token lives between 1 and {max_days} days")
    return created + timedelta(days=days)


def may_use_method(method: str, *, read_only: bool) -> bool:
    """A read-only token reads (GET, HEAD); any other method needs a full token."""
    return not read_only or method.upper() in {"GET", "HEAD"}
