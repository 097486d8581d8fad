"""Keeps a signed-in session on the two-factor step, then the password-change step, until done.

Until then no other page opens (HTML requests are sent to the step) and the API refuses the
session (401 for the second factor, 403 for the password). Bearer-token API calls are not
sessions and are not affected: tokens are only issued after these steps.
"""

from functools import cache
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import queries, signin


@cache
def _paths(*names: str) -> frozenset[str]:
    return frozenset(reverse(name) for name in names)


def _two_factor_paths() -> frozenset[str]:
    return _paths("accounts:two-factor", "accounts:logout")


def _password_paths() -> frozenset[str]:
    return _paths("accounts:password", "accounts:logout")


def _is_bearer_api_call(request) -> bool:
    return request.path.startswith("/api/") and request.headers.get(
        "Authorization", ""
    ).lower().startswith("bearer ")


def _refuse(request, status: int, detail: str, code: str, page: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return redirect(reverse(page) + (f"?{query}" if query else ""))


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _is_bearer_api_call(request):
            refused = self._check(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request, user):
        state = signin.state(request)
        if state is None:
            # A session that never went through the sign-in form: judge it once.
            if queries.needs_second_factor(user):
                signin.mark_pending(request)
                state = signin.PENDING
            else:
                signin.mark_not_required(request)
        if state == signin.PENDING:
            if request.path in _two_factor_paths():
                return None
            return _refuse(
                request,
                401,
                "Finish signing in first: two-factor authentication is required "
                "(open the sign-in page in a browser).",
                "mfa_required",
                "accounts:two-factor",
            )
        if user.must_change_password and request.path not in _password_paths():
            return _refuse(
                request,
                403,
                "Choose a new password first: your password was set by an administrator.",
                "password_change_required",
                "accounts:password",
            )
        return None


class ActiveClinicMiddleware:
    """Scopes a signed-in session to the clinic chosen in the clinic switcher.

    Without a choice (or with the home clinic chosen) nothing is read: the user row already
    holds the home clinic and role. Otherwise the membership is read on every request, so a
    role taken away at that clinic ends access there at once (the session returns to the home
    clinic). Bearer-token calls are scoped by their token instead (`auth.BearerTokenAuth`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _is_bearer_api_call(request):
            chosen = request.session.get(signin.ACTIVE_CLINIC)
            if chosen and chosen != str(user.clinic_id):
                membership = queries.active_membership(user, chosen)
                if membership is None:
                    del request.session[signin.ACTIVE_CLINIC]
                else:
                    signin.act_at(user, membership)
        return self.get_response(request)
