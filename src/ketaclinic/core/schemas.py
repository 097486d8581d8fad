"""API input types every app shares: a decimal typed by a person."""

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

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
