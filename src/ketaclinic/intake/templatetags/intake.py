"""Template helpers for the intake pages."""

from django import template

register = template.Library()


@register.filter
def get_field(form, name: str):
    """{{ form|get_field:key }}: the bound field called `name` (for generated checklist fields)."""
    return form[name]
