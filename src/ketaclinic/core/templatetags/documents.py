"""Template filters for printed documents: words that must never be broken across lines."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _breakable(word: str) -> bool:
    # Line breaking allows a break after a hyphen or a slash ("mg/" "mL", "0409-" "2051"):
    # a word holding anything but letters and digits is kept whole.
    return len(word) > 1 and not word.isalnum()


@register.filter
def whole_words(value):
    """The text with lines breaking only between words: "50 mg/mL" never becomes "mg/ mL"."""
    words = str("" if value is None else value).split()
    pieces = (
        (format_html('<span class="nw">{}</span>', word) if _breakable(word) else word,)
        for word in words
    )
    return format_html_join(" ", "{}", pieces)
