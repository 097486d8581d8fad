"""DEA registration numbers, Form 106 history counts and money amounts: pure checks."""

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from ketaclinic.inventory.definitions import (
    FORM_106_HISTORY_MONTHS,
    MAX_PURCHASE_VALUE,
    MONEY_DECIMAL_PLACES,
)

# Two letters, then seven digits. The second character is a digit 9 for a registrant
# registered under a business name rather than a person's name.
_DEA_NUMBER = re.compile(r"^[A-Z][A-Z9][0-9]{7}$")


def normalize_dea_number(value: str) -> str:
    """Upper case, without spaces or hyphens around the characters."""
    return re.sub(r"[\s-]", "", value or "").upper()


def dea_check_digit(digits: str) -> int:
    """The check digit for the first six digits: (d1 + d3 + d5) + 2 (d2 + d4 + d6), mod 10."""
    if len(digits) != 6 or not digits.isdigit():
        raise ValueError("six digits are needed")
    odd = sum(int(digits[i]) for i in (0, 2, 4))
    even = sum(int(digits[i]) for i in (1, 3, 5))
    return (odd + 2 * even) % 10


def dea_number_problem(value: str) -> str | None:
    """What is wrong with a DEA registration number, or None when it is well formed."""
    number = normalize_dea_number(value)
    if not number:
        return "This field is required."
    if not _DEA_NUMBER.match(number):
        return (
            "a DEA registration number is two letters (or a letter and 9) followed by seven "
            "digits, e.g. AB1234563"
        )
    expected = dea_check_digit(number[2:8])
    if int(number[8]) != expected:
        return (
            f"the check digit does not match: the last digit of {number} should be {expected}; "
            "check the number on the recipient's DEA registration certificate"
        )
    return None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same calendar day `months` earlier (the month's last day when it has no such day)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


def thefts_and_losses_before(
    this: tuple[dt.date, int],
    others: Iterable[tuple[dt.date, int]],
    months: int = FORM_106_HISTORY_MONTHS.value,
) -> int:
    """How many other thefts or losses came in the `months` before this one (Form 106).

    Each loss is (date discovered, ledger sequence). Losses are ordered by the date they were
    discovered and, on the same day, by the order they were recorded; the window starts on the
    same calendar day `months` earlier. The loss itself is not counted.
    """
    discovered, sequence = this
    start = months_before(discovered, months)
    return sum(1 for day, seq in others if start <= day and (day, seq) < (discovered, sequence))


class MoneyError(ValueError):
    """An amount of money that cannot be recorded as given."""


def parse_money(value) -> Decimal:
    """A non-negative amount in dollars to the cent; refuses floats and fractions of a cent."""
    if isinstance(value, float):
        raise MoneyError("give amounts of money as decimal strings, not floats")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise MoneyError(f"{value!r} is not an amount of money") from exc
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not an amount of money")
    if amount < 0:
        raise MoneyError("cannot be negative")
    if amount > MAX_PURCHASE_VALUE:  # (before rounding, which a huge amount would overflow)
        raise MoneyError("not a plausible purchase value")
    try:
        finer = amount != round(amount, MONEY_DECIMAL_PLACES)
    except ArithmeticError:
        raise MoneyError("not a plausible purchase value") from None
    if finer:
        raise MoneyError("at most 2 decimal places (cents)")
    return amount.quantize(Decimal(1).scaleb(-MONEY_DECIMAL_PLACES))
