"""The prior-authorization state machine: which status may follow which, and what each needs."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    APPEALED = "appealed"
    EXPIRED = "expired"


LABELS: dict[Status, str] = {
    Status.DRAFT: "Draft",
    Status.SUBMITTED: "Submitted",
    Status.PENDING: "Pending (payer reviewing)",
    Status.APPROVED: "Approved",
    Status.DENIED: "Denied",
    Status.APPEALED: "Appealed",
    Status.EXPIRED: "Expired",
}

# Submitted: sent to the payer. Pending: the payer acknowledged it and is reviewing (or asked for
# more records). An appeal answers a denial and ends in a new decision. An approval ends when
# it expires; a new period is a new authorization.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.PENDING, Status.APPROVED, Status.DENIED}),
    Status.PENDING: frozenset({Status.APPROVED, Status.DENIED}),
    Status.DENIED: frozenset({Status.APPEALED}),
    Status.APPEALED: frozenset({Status.PENDING, Status.APPROVED, Status.DENIED}),
    Status.APPROVED: frozenset({Status.EXPIRED}),
    Status.EXPIRED: frozenset(),
}

# Statuses whose authorization still matters for the course: in process, or approved.
IN_PROCESS = frozenset({Status.SUBMITTED, Status.PENDING, Status.APPEALED})
LIVE = IN_PROCESS | {Status.APPROVED}
DECISIONS = frozenset({Status.APPROVED, Status.DENIED})


def allowed_next(current: str) -> list[Status]:
    """The statuses that may follow `current`, in the order a clinic meets them."""
    following = TRANSITIONS[Status(current)]
    return [s for s in Status if s in following]


def transition_problem(current: str, target: str) -> str | None:
    """Why `current` -> `target` is not allowed, or None when it is."""
    try:
        target_status = Status(target)
    except ValueError:
        return f"'{target}' is not a prior-authorization status."
    current_status = Status(current)
    if target_status in TRANSITIONS[current_status]:
        return None
    allowed = ", ".join(LABELS[s].lower() for s in allowed_next(current_status)) or "nothing"
    return (
        f"An authorization that is {LABELS[current_status].lower()} cannot become "
        f"{LABELS[target_status].lower()}; it may become: {allowed}."
    )


def transition_errors(
    target: str,
    details: Mapping[str, object],
    *,
    on: datetime.date,
    today: datetime.date,
    last_change_on: datetime.date | None,
) -> dict[str, str]:
    """Field -> what must hold, for the details a transition to `target` needs."""
    errors: dict[str, str] = {}
    if on > today:
        errors["on"] = "today or earlier"
    elif last_change_on is not None and on < last_change_on:
        errors["on"] = f"on or after the previous change ({last_change_on.isoformat()})"
    if target == Status.APPROVED:
        units = details.get("approved_units")
        if not isinstance(units, int) or units < 1:
            errors["approved_units"] = "the number of units the payer approved (1 or more)"
        start, end = details.get("valid_from"), details.get("valid_to")
        if start is None:
            errors["valid_from"] = "the first day the approval covers"
        if end is None:
            errors["valid_to"] = "the last day the approval covers (its expiry)"
        elif start is not None and end < start:
            errors["valid_to"] = "on or after valid_from"
    if target == Status.DENIED and not str(details.get("reason") or "").strip():
        errors["reason"] = "the payer's reason for the denial"
    if target == Status.APPEALED and not str(details.get("note") or "").strip():
        errors["note"] = "what the appeal argues (and what was sent with it)"
    return errors
