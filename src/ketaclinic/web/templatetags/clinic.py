"""Template tags: permission checks, clinic-time formatting and tap-to-call numbers."""

import re

from django import template
from django.utils import timezone
from django.utils.html import format_html

from ketaclinic.core import permissions
from ketaclinic.core.ui import chart_tabs_for

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str) -> bool:
    """{% can "clinical.view" as allowed %}: whether the current user's role allows it."""
    request = context.get("request")
    return permissions.can(getattr(request, "user", None), action)


@register.filter
def clinic_time(value, user):
    """A datetime shown in the user's clinic time zone."""
    if value is None:
        return ""
    clinic = getattr(user, "clinic", None)
    if clinic is None:
        return timezone.localtime(value)
    return timezone.localtime(value, clinic.tz)


@register.filter
def nav_slug(url_name: str) -> str:
    """`measures:alerts` -> `measures-alerts`: an id for a navigation link's count."""
    return url_name.replace(":", "-").replace("_", "-")


@register.inclusion_tag("patients/_chart_tabs.html", takes_context=True)
def chart_tabs(context, patient, active: str):
    """The patient chart's tab bar: only the tabs the user's role may open."""
    request = context["request"]
    return {"tabs": chart_tabs_for(request.user), "patient": patient, "active": active}


# A phone number in running text: a 3-digit short code (988, 911) or 7 or more digits that may be
# grouped with spaces, dots, dashes or brackets; never part of a longer word or number.
_PHONE = re.compile(r"(?<![\w+])(\+?\(?\d[\d ().-]*\d)(?![\w])")


def _tel(text: str):
    digits = re.sub(r"\D", "", text)
    if len(digits) != 3 and len(digits) < 7:
        return text
    target = ("+" if text.startswith("+") else "") + digits
    return format_html('<a href="tel:{}">{}</a>', target, text)


@register.filter
def tel_links(value):
    """Text with each phone number in it made a tap-to-call link (crisis lines on phones)."""
    text, pieces, at = str(value), [], 0
    for match in _PHONE.finditer(text):
        pieces += [text[at : match.start()], _tel(match.group(1))]
        at = match.end()
    pieces.append(text[at:])
    # format_html escapes the plain pieces and keeps the links it built.
    return format_html("{}" * len(pieces), *pieces)


@register.filter
def distinct(values):
    """The values in their order, each once (a required field's message from form and model)."""
    return list(dict.fromkeys(str(value) for value in values or ()))
