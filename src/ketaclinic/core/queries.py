"""Reads of clinic settings every app shares: the clinic's plausible-weight range."""

from .models import PlausibleWeightRange
from .numbers import DEFAULT_WEIGHT_RANGE, WeightRange


def plausible_weight_range(clinic) -> WeightRange:
    """The clinic's data-entry plausibility range for weights (20-400 kg unless it chose one).

    Every path that takes a weight (patient record, check-in, course planning, the dose
    calculator and the dose order) checks it against this one range.
    """
    row = PlausibleWeightRange.objects.filter(clinic_id=getattr(clinic, "pk", clinic)).first()
    return WeightRange(row.min_kg, row.max_kg) if row else DEFAULT_WEIGHT_RANGE


def weight_errors(clinic, value, *, field: str = "weight_kg") -> dict[str, str]:
    """{field: what must hold} when a weight is not a plausible plain number; else {}."""
    if value is None:
        return {}
    problem = plausible_weight_range(clinic).problem(value)
    return {field: problem} if problem else {}
