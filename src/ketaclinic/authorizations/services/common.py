"""Validation helpers shared by the authorization services."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from ketaclinic.core.errors import InvalidInput

MAX_MONEY = Decimal("10000000")
MAX_DOSE_MG = Decimal("1000")
ESKETAMINE = "esketamine"


def _raise(errors: dict) -> None:
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)) + ".", fields=errors)


def _text(value, field: str, errors: dict, *, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors[field] = "required"
    elif len(text) > limit:
        errors[field] = f"at most {limit} characters"
    return text


def _money(value, field: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = "a number"
        return None
    if not number.is_finite() or number < 0 or number >= MAX_MONEY:
        errors[field] = "an amount from 0 up to 10,000,000"
        return None
    return number.quantize(Decimal("0.01"))


def _not_future(day, field: str, errors: dict, today: datetime.date) -> None:
    if day is not None and day > today:
        errors[field] = "today or earlier"
