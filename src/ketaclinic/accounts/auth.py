"""API authentication: `Authorization: Bearer <token>`, or the browser session with CSRF."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken
from .tokens import hash_token

# Writing last_used_at on every call would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_token(token: str):
    """The active clinic member owning an unrevoked token, or None."""
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
    if not user.is_active or user.clinic_id is None or user.clinic_id != row.clinic_id:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class ClinicSessionAuth(SessionAuth):
    """Session auth that only accepts active members of a clinic."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or user.clinic_id is None:
            return None
        return user


api_auth = [BearerTokenAuth(), ClinicSessionAuth()]
