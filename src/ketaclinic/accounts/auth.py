"""API authentication: `Authorization: Bearer <token>`, or the browser session with CSRF.

An expired token answers 401 and a read-only token answers 403 to anything but GET/HEAD, each
with a message saying why. The token that authenticated a call is kept on the request
(`request.api_token`), so that endpoints can refuse what a token may not do."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from ketaclinic.core.errors import DomainError, Forbidden

from . import queries, rules, signin
from .models import ApiToken
from .tokens import hash_token

# Writing last_used_at on every call would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Unauthenticated(DomainError):
    """Credentials that no longer authenticate (401), with the reason."""

    status = 401
    code = "unauthenticated"


def _usable_token(token: str):
    """The unrevoked token row of an active member of the token's clinic, or None (expiry not
    checked). The token's user is scoped to the token's clinic, with their role there."""
    if not token or len(token) > 200:
        return None
    row = (
        ApiToken.objects.select_related("user", "user__clinic")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if row is None:
        return None
    user = row.user
    if not user.is_active or user.clinic_id is None:
        return None
    if user.clinic_id != row.clinic_id:  # a token for another of the user's clinics
        membership = queries.active_membership(user, row.clinic_id)
        if membership is None:
            return None
        signin.act_at(user, membership)
    return row


def _touch(row) -> None:
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)


def user_for_token(token: str, *, read_only_ok: bool = False):
    """The active clinic member owning an unrevoked, unexpired token, or None.

    A read-only token counts only when `read_only_ok` (e.g. not to sign as a witness)."""
    row = _usable_token(token)
    if row is None or row.status() != "active" or (row.read_only and not read_only_ok):
        return None
    _touch(row)
    return row.user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = _usable_token(token)
        if row is None:
            # A call that sends a token stands or falls by it: it never falls back to the
            # browser session (which the sign-in checks let through for token calls).
            raise Unauthenticated(
                "This API token is not valid: it is unknown, revoked, or its user no longer "
                "works at its clinic.",
                code="token_invalid",
            )
        if row.status() == "expired":
            raise Unauthenticated(
                f"This API token expired on {row.expires_at:%Y-%m-%d %H:%M} UTC: create a new "
                "one on the API tokens page.",
                code="token_expired",
            )
        if not rules.may_use_method(request.method, read_only=row.read_only):
            raise Forbidden(
                "This API token is read-only: it may only read (GET and HEAD). Use a token "
                "without the read-only restriction to change anything.",
                code="token_read_only",
            )
        _touch(row)
        request.user = row.user
        request.api_token = row
        return row.user


class ClinicSessionAuth(SessionAuth):
    """Session auth that only accepts active members of a clinic."""

    def authenticate(self, request, key):
        if request.headers.get("Authorization", "").strip().lower().startswith("bearer"):
            return None  # a token call is judged by its token alone
        user = super().authenticate(request, key)
        if user is None or user.clinic_id is None:
            return None
        return user


api_auth = [BearerTokenAuth(), ClinicSessionAuth()]
