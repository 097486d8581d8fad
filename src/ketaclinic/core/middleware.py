"""Middleware that records the channel and client address for the audit log."""

from django.utils import timezone

from .context import acting


def client_ip(request) -> str | None:
    # Behind a trusted proxy set KETACLINIC_TRUST_X_FORWARDED_FOR; never trust it by default.
    from django.conf import settings

    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "web"
        with acting(via, client_ip(request)):
            # Pages show times in the signed-in user's clinic time zone.
            user = getattr(request, "user", None)
            clinic = getattr(user, "clinic", None) if user is not None else None
            if clinic is not None:
                timezone.activate(clinic.tz)
            try:
                return self.get_response(request)
            finally:
                timezone.deactivate()
