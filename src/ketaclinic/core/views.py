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
