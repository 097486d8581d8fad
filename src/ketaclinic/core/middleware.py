"""Middleware: the audit log's channel and client address; security and caching headers."""

from django.conf import settings
from django.utils import timezone
from django.utils.cache import patch_cache_control

from .context import acting


def client_ip(request) -> str | None:
    # Behind a trusted proxy set KETACLINIC_TRUST_X_FORWARDED_FOR; never trust it by default.
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


def content_security_policy() -> str:
    """The CSP header value built from settings.CONTENT_SECURITY_POLICY."""
    return "; ".join(f"{name} {value}" for name, value in settings.CONTENT_SECURITY_POLICY.items())


class SecurityHeadersMiddleware:
    """CSP and `Cache-Control: no-store` on everything Django itself answers.

    Pages, API answers, PDFs and CSV exports may all carry patient data, and nothing Django
    renders benefits from a shared or browser cache. Static files never reach this
    middleware: WhiteNoise, placed before it, answers them with their own cache headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        patch_cache_control(response, no_store=True)
        return response
