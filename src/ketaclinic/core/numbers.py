"""Numbers typed by people: plain-decimal checks and the plausible-weight range (pure: no ORM).

Shared by every app that takes a weight or a dose (patients, protocols, treatments), so it lives
below all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# The widest range a clinic may choose: data-entry plausibility bounds that catch typing
# errors (800 kg, 8 kg), not clinical thresholds. A clinic narrows it in its setting.
ENVELOPE_MIN_KG = Decimal("20.0")
ENVELOPE_MAX_KG = Decimal("400.0")
RANGE_MEANING = "the clinic's data-entry plausibility range"


@dataclass(frozen=True)
class WeightRange:
    """A clinic's plausible-weight range in kg, inclusive (a data-entry check, not a dose rule)."""

    min_kg: Decimal
    max_kg: Decimal

    @property
    def text(self) -> str:
        return f"{_plain(self.min_kg)}-{_plain(self.max_kg)} kg ({RANGE_MEANING})"

    def problem(self, value) -> str | None:
        """What is wrong with a weight, or None when it is a plain number inside the range."""
        return number_problem(value) or (
            None if self.min_kg <= Decimal(value) <= self.max_kg else f"must be between {self.text}"
        )


DEFAULT_WEIGHT_RANGE = WeightRange(ENVELOPE_MIN_KG, ENVELOPE_MAX_KG)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_problem(value) -> str | None:
    """None for a finite number in plain decimal notation; else what must hold.

    "1e3" typed for 100.0 is a typing error that a range check alone may miss ("5e1" is 50):
    a number written with an exponent is refused wherever it comes from.
    """
    if value is None:
        return "is required"
    if isinstance(value, bool):
        return "must be a number"
    if isinstance(value, str):
        text = value.strip()
        if any(c in text for c in "eE") or text.lower() in ("nan", "inf", "infinity"):
            return "must be a plain decimal number (no exponent, NaN or Infinity)"
        try:
            value = Decimal(text)
        except InvalidOperation:
            return "must be a number"
    try:
        number = Decimal(value) if not isinstance(value, float) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return "must be a number"
    if not number.is_finite():
        return "must be a finite number (not NaN or Infinity)"
    # A Decimal parsed from "5e1" keeps a positive exponent; one typed as "50" never does.
    if number.as_tuple().exponent > 0:
        return "must be a plain decimal number (no exponent, NaN or Infinity)"
    return None


def range_problem(min_kg, max_kg) -> dict[str, str]:
    """Field -> problem for a clinic's chosen range; empty when it may be saved."""
    errors = {}
    for name, value in (("min_kg", min_kg), ("max_kg", max_kg)):
        problem = number_problem(value)
        if problem is None and not ENVELOPE_MIN_KG <= Decimal(value) <= ENVELOPE_MAX_KG:
            problem = (
                f"must be between {_plain(ENVELOPE_MIN_KG)} and {_plain(ENVELOPE_MAX_KG)} kg "
                "(the widest data-entry range the software accepts)"
            )
        if problem:
            errors[name] = problem
    if not errors and Decimal(min_kg) >= Decimal(max_kg):
        errors["max_kg"] = "must be above min_kg"
    return errors
