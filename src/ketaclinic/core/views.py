"""Helpers for HTML views: domain errors become 404/403 pages, service errors land on forms."""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from .errors import DomainError, Forbidden, NotFound


def clinic_view(func):
    """Login required; NotFound -> 404 (also for other clinics' ids); Forbidden -> 403 page."""

    @functools.wraps(func)
    def wrapper(request, *args, **kwargs):
        try:
            return func(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            return render(request, "web/forbidden.html", {"message": exc.message}, status=403)

    return login_required(wrapper)


def run_service(form, call):
    """Call a service; on a DomainError put its messages on the form and return None."""
    try:
        return call()
    except DomainError as exc:
        if isinstance(exc, NotFound | Forbidden):
            raise
        for field, message in exc.fields.items():
            form.add_error(field if field in form.fields else None, message)
        if not exc.fields:
            form.add_error(None, exc.message)
    return None


CONFIRM_FIELD = "confirmed"


def confirmed(request) -> bool:
    """Whether a POST came from the confirmation step (its button sends confirmed=yes)."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def confirm_step(request, *, title: str, question: str, confirm_label: str, cancel_url: str):
    """A page asking to confirm an action that cannot be undone, posting back to the same URL.

    Server-side, so it needs no script (the CSP forbids inline script) and reads the same to a
    screen reader as any page: the heading says what is asked, the buttons what they do.
    """
    return render(
        request,
        "web/confirm.html",
        {
            "title": title,
            "question": question,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "action": request.path,
            "field": CONFIRM_FIELD,
        },
    )
