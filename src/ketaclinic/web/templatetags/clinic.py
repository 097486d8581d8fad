"""Template tags: permission checks and clinic-time formatting."""

from django import template
from django.utils import timezone

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
