"""Template filters of the outcome pages: rates and per-100 figures (0 is a value, not empty)."""

from django import template

register = template.Library()


@register.filter
def pct(rate) -> str:
    """The percentage ("35.0%") of a rate with a denominator, "n/a" without one."""
    if rate is None or not rate.denominator:
        return "n/a"
    return f"{rate.percent}%"


@register.filter
def fraction(rate) -> str:
    """The counts ("(7/20)") of a rate with a denominator, "" without one."""
    if rate is None or not rate.denominator:
        return ""
    return f"({rate.numerator:,}/{rate.denominator:,})"


@register.filter
def per100(value) -> str:
    if value is None or not value.sessions:
        return "n/a"
    return f"{value.value}"
