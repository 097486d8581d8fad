"""Maudsley Staging Method score and band (Fekadu et al. 2009; source in texts.RULES)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .texts import RULES

# ---------------------------------------------------------------------------------------------
# Maudsley Staging Method (Fekadu et al., J Clin Psychiatry 2009)
# ---------------------------------------------------------------------------------------------


class Severity(StrEnum):
    """Current episode severity as the Maudsley Staging Method grades it."""

    SUBSYNDROMAL = "subsyndromal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE_WITHOUT_PSYCHOSIS = "severe_without_psychosis"
    SEVERE_WITH_PSYCHOSIS = "severe_with_psychosis"


# (upper bound inclusive or None for "above the last bound", points, label)
MSM_DURATION_MONTHS: tuple[tuple[int | None, int, str], ...] = (
    (12, 1, "acute (up to 12 months)"),
    (24, 2, "sub-acute (13-24 months)"),
    (None, 3, "chronic (over 24 months)"),
)
MSM_SEVERITY_POINTS: dict[str, int] = {
    Severity.SUBSYNDROMAL: 1,
    Severity.MILD: 2,
    Severity.MODERATE: 3,
    Severity.SEVERE_WITHOUT_PSYCHOSIS: 4,
    Severity.SEVERE_WITH_PSYCHOSIS: 5,
}
MSM_FAILED_TREATMENTS: tuple[tuple[int | None, int], ...] = (
    (2, 1),
    (4, 2),
    (6, 3),
    (10, 4),
    (None, 5),
)
MSM_BANDS: tuple[tuple[int, int, str], ...] = (
    (3, 6, "mild"),
    (7, 10, "moderate"),
    (11, 15, "severe"),
)
MSM_SOURCE = RULES["maudsley"].source


def _graded(value: int, grades: Sequence[tuple]) -> int:
    for upper, points, *_ in grades:
        if upper is None or value <= upper:
            return points
    raise AssertionError("the last grade is open-ended")


@dataclass(frozen=True)
class MaudsleyStage:
    """MSM total and band; score None while an input is missing or nothing has failed yet."""

    score: int | None
    band: str | None
    items: dict[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    note: str = ""


def maudsley_stage(
    *,
    duration_months: int | None,
    severity: str | None,
    failed_treatments: int,
    augmentation_used: bool,
    ect_used: bool,
) -> MaudsleyStage:
    """Score and band of the Maudsley Staging Method."""
    missing = []
    if duration_months is None:
        missing.append("episode onset")
    if severity is None:
        missing.append("current severity")
    elif severity not in MSM_SEVERITY_POINTS:
        raise ValueError(f"unknown severity {severity!r}")
    if missing:
        return MaudsleyStage(None, None, missing=tuple(missing), note="incomplete")
    if failed_treatments < 1:
        # The MSM grades resistance; with no failed treatment there is nothing to stage.
        return MaudsleyStage(None, None, note="no failed treatment: not staged")
    if duration_months < 0:
        raise ValueError("duration_months must not be negative")
    items = {
        "duration": _graded(duration_months, MSM_DURATION_MONTHS),
        "severity": MSM_SEVERITY_POINTS[severity],
        "failed_treatments": _graded(failed_treatments, MSM_FAILED_TREATMENTS),
        "augmentation": int(augmentation_used),
        "ect": int(ect_used),
    }
    score = sum(items.values())
    band = next(name for low, high, name in MSM_BANDS if low <= score <= high)
    return MaudsleyStage(score, band, items)
