"""The span of dates the clinic works with.

A date typed far outside it (the year 9999, the year 1) is a typing mistake, and a week or a
period computed from it would run past the end of the calendar. Inputs that take a date for
planning or reporting refuse it, naming the span."""

from __future__ import annotations

import datetime

from django import forms

FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2199, 12, 31)
OUT_OF_SPAN = f"must be a date from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def date_problem(value: datetime.date | None) -> str | None:
    """What is wrong with a date outside the span, or None."""
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        return OUT_OF_SPAN
    return None


class WorkingDateField(forms.DateField):
    """A form's date within the span the clinic works with."""

    def validate(self, value):
        super().validate(value)
        problem = date_problem(value)
        if problem:
            raise forms.ValidationError(f"The date {problem}.", code="out_of_span")
