"""PDMP rules as pure logic: must the PDMP be checked before this event, and was it recently enough.

A state's rule (from the clinic's rule table) says before which events a check is required
(prescribing a controlled substance, administering it, or both) and how recent the check must
be: within the last N days (N x 24 hours, counted back from the event), or before every order
(a check made after the patient's previous order). Only checks of that state's PDMP, made by the
ordering prescriber or by a delegate on their behalf, count.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# The two-letter codes the USPS uses for the states, DC and the territories with a PDMP or not.
US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}

# What a clinic's own row says as its source when nobody typed a citation.
CLINIC_ENTERED = "clinic-entered"
MAX_WINDOW_DAYS = 365


class Event(StrEnum):
    """What is about to happen to the patient with a controlled substance."""

    PRESCRIBING = "prescribing"
    ADMINISTERING = "administering"


class Frequency(StrEnum):
    WITHIN_DAYS = "within_days"
    EVERY_ORDER = "every_order"


class Origin(StrEnum):
    BUILT_IN = "built_in"
    CLINIC = "clinic"


@dataclass(frozen=True)
class StateRule:
    """One row of the rule table: a state's PDMP-check requirement and where it comes from."""

    state: str
    before_prescribing: bool
    before_administering: bool
    frequency: str
    window_days: int | None
    source: str
    last_reviewed_on: datetime.date | None
    # Which drugs the rule covers and its exemptions, in the source's words.
    scope: str = ""
    origin: str = Origin.CLINIC

    def applies_to(self, event: str) -> bool:
        return {
            Event.PRESCRIBING: self.before_prescribing,
            Event.ADMINISTERING: self.before_administering,
        }.get(Event(event), False)

    @property
    def events(self) -> tuple[str, ...]:
        chosen = []
        if self.before_prescribing:
            chosen.append(Event.PRESCRIBING.value)
        if self.before_administering:
            chosen.append(Event.ADMINISTERING.value)
        return tuple(chosen)

    @property
    def how_often(self) -> str:
        if self.frequency == Frequency.EVERY_ORDER:
            return "before every order"
        return f"within {plural(self.window_days or 0, 'day')}"

    def requirement(self, event: str) -> str:
        """'A PDMP check within 1 day before administering' (the rule, for one event)."""
        if self.frequency == Frequency.EVERY_ORDER:
            return f"A PDMP check before every order for {event}"
        return f"A PDMP check within {plural(self.window_days or 0, 'day')} before {event}"

    @property
    def cited(self) -> str:
        return f"{self.state} ({self.source or CLINIC_ENTERED})"


def rule_problems(
    *,
    state: str,
    before_prescribing: bool,
    before_administering: bool,
    frequency: str,
    window_days: int | None,
    source: str,
) -> dict[str, str]:
    """{field: what must hold} for a rule-table row; {} when it can be saved."""
    errors: dict[str, str] = {}
    if state not in US_STATES:
        errors["state"] = "A two-letter US state code, e.g. NY."
    if frequency not in {f.value for f in Frequency}:
        errors["frequency"] = "within_days or every_order."
    elif frequency == Frequency.WITHIN_DAYS:
        if window_days is None or not 1 <= window_days <= MAX_WINDOW_DAYS:
            errors["window_days"] = f"A number of days from 1 to {MAX_WINDOW_DAYS}."
    elif window_days is not None:
        errors["window_days"] = "Leave empty when a check is required before every order."
    if not isinstance(before_prescribing, bool) or not isinstance(before_administering, bool):
        errors["before_prescribing"] = "Yes or no."
    if len(source or "") > 300:
        errors["source"] = "At most 300 characters."
    return errors


@dataclass(frozen=True)
class Check:
    """One PDMP check as the rules see it: when, which state's PDMP, for which prescriber."""

    checked_at: datetime.datetime
    state: str
    prescriber: str


@dataclass(frozen=True)
class Status:
    """Whether a check is required before the event, whether one counts, and why."""

    state: str
    event: str
    at: datetime.datetime
    required: bool
    satisfied: bool
    last_check_at: datetime.datetime | None
    message: str
    rule: StateRule | None

    @property
    def blocks(self) -> bool:
        return self.required and not self.satisfied


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def ago(delta: datetime.timedelta) -> str:
    """A duration in the past as people say it: '3 days ago', '2 hours ago', 'just now'."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return plural(seconds // 60, "minute") + " ago"
    if seconds < 86400:
        return plural(seconds // 3600, "hour") + " ago"
    return plural(seconds // 86400, "day") + " ago"


def evaluate(
    rule: StateRule | None,
    *,
    state: str,
    event: str,
    at: datetime.datetime,
    prescriber: str,
    checks: Iterable[Check],
    previous_order_at: datetime.datetime | None = None,
) -> Status:
    """Is a PDMP check required before `event` at `at`, and does a recent enough one exist?

    `previous_order_at` is the patient's previous controlled-substance order: a rule that wants
    a check before every order is met only by a check made after it.
    """
    event = Event(event).value
    own = [
        c.checked_at
        for c in checks
        if c.state == state and c.prescriber == prescriber and c.checked_at <= at
    ]
    last = max(own, default=None)

    def status(required: bool, satisfied: bool, message: str) -> Status:
        return Status(state, event, at, required, satisfied, last, message, rule)

    if rule is None:
        return status(
            False,
            True,
            f"The clinic's rule table has no row for {state}: "
            f"it requires no PDMP check before {event}.",
        )
    if not rule.applies_to(event):
        return status(
            False,
            True,
            f"The rule for {rule.cited} requires no PDMP check before {event}.",
        )
    lead = f"{rule.requirement(event)} is required in {rule.cited}"
    if last is None:
        return status(True, False, f"{lead}: no check by or for this prescriber is recorded.")
    since = f"the last check was {ago(at - last)}"
    if rule.frequency == Frequency.EVERY_ORDER:
        if previous_order_at is not None and last <= previous_order_at:
            return status(
                True,
                False,
                f"{lead}: {since}, before the previous order ({ago(at - previous_order_at)}).",
            )
        return status(True, True, f"{lead}: {since}.")
    recent = at - datetime.timedelta(days=rule.window_days or 0) <= last
    return status(True, recent, f"{lead}: {since}.")
