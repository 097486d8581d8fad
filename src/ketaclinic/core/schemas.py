"""API types every app shares: a decimal typed by a person, and the error answer."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field

from .calendar import date_problem
from .numbers import number_problem


def _plain_number(value):
    # Refuse "1e3", NaN and Infinity before pydantic turns them into a Decimal.
    if value is not None and isinstance(value, str | float):
        problem = number_problem(value)
        if problem:
            raise ValueError(problem)
    return value


# A decimal typed by a person: finite, in plain notation. Every dose and weight input uses it.
PlainDecimal = Annotated[Decimal, BeforeValidator(_plain_number)]


def _working_date(value: datetime.date) -> datetime.date:
    problem = date_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# A date for planning or reporting: within the span the clinic works with (core.calendar).
WorkingDate = Annotated[datetime.date, AfterValidator(_working_date)]


def _wall_clock(value: datetime.time) -> datetime.time:
    if value.tzinfo is not None:
        raise ValueError("a time on the clinic's clock, without a UTC offset (e.g. 08:00)")
    return value


# A time of day on the clinic's wall clock (opening hours, shifts): an offset would be dropped.
WallClockTime = Annotated[datetime.time, AfterValidator(_wall_clock)]


class ErrorOut(Schema):
    """Every error answer of the API (400, 401, 403, 404, 409, 422) has this shape."""

    detail: str = Field(description="What went wrong, in words a person can act on.")
    code: str = Field(
        description="A stable code for programs: invalid, invalid_input, unauthenticated, "
        "token_expired, forbidden, token_read_only, not_found, conflict, ..."
    )
    fields: dict[str, str] | None = Field(
        None, description="For input errors: each field name and what is wrong with it."
    )
    errors: list[dict] | None = Field(
        None, description="For input that does not match the schema: the validator's findings."
    )
