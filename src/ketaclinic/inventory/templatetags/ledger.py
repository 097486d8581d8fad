"""Template filters of the ledger pages."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def clinic_clock(value, arg: str = "") -> str:
    """A datetime as text in the clinic's time zone: `{{ e.occurred_at|clinic_clock:user }}`.

    Returns a string, so Django's `date` filter cannot convert it back to the server's zone.
    """
    if value is None:
        return ""
    user = arg
    clinic = getattr(user, "clinic", None)
    local = timezone.localtime(value, clinic.tz) if clinic else timezone.localtime(value)
    return local.strftime("%Y-%m-%d %H:%M")
