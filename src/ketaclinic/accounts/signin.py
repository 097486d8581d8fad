"""Where a signed-in session stands with the second factor, kept in the session itself.

A session is `pending` from the password until the second factor (or enrollment) is done, then
`verified` (with the time of the check); `not_required` when the user's role and clinic need
no second factor and the user has not enrolled one. A session without a state (one opened
before this existed, or by a test helper) is judged once by the middleware.
"""

from datetime import datetime

from django.utils import timezone

STATE = "kc_mfa"
VERIFIED_AT = "kc_mfa_at"
PENDING = "pending"
VERIFIED = "verified"
NOT_REQUIRED = "not_required"


def state(request) -> str | None:
    return request.session.get(STATE)


def mark_pending(request) -> None:
    request.session[STATE] = PENDING
    request.session.pop(VERIFIED_AT, None)


def mark_not_required(request) -> None:
    request.session[STATE] = NOT_REQUIRED


def mark_verified(request, now: datetime | None = None) -> None:
    """The second factor was checked now; a fresh session key guards against fixation."""
    request.session.cycle_key()
    request.session[STATE] = VERIFIED
    request.session[VERIFIED_AT] = (now or timezone.now()).isoformat()


def verified_at(request) -> datetime | None:
    """When this session last passed the second factor, or None."""
    if request.session.get(STATE) != VERIFIED:
        return None
    try:
        return datetime.fromisoformat(request.session[VERIFIED_AT])
    except (KeyError, TypeError, ValueError):
        return None


# The clinic chosen in the clinic switcher (absent: the home clinic).
ACTIVE_CLINIC = "kc_clinic"


def act_at(user, membership) -> None:
    """Scope this request's user to a clinic they are an active member of, with their role
    there. In memory only: the user's home clinic and role are not changed."""
    user.clinic = membership.clinic
    user.role = membership.role
