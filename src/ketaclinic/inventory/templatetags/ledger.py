"""Template filters of the ledger pages."""

from decimal import Decimal

from django import template
from django.utils import timezone

from ketaclinic.inventory.rules import canonical_decimal

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


@register.filter
def plain(value) -> str:
    """A Decimal quantity in plain digits: 500.000 -> "500", 12.500 -> "12.5" (never "5E+2")."""
    if value is None or value == "":
        return ""
    try:
        return canonical_decimal(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return str(value)
