"""Pure access rules: waiting-list priority, dropout-risk signals and small-cell suppression."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

# --- waiting list ------------------------------------------------------------------------------

PRIORITY_SOURCE = (
    "clinic policy, configurable (not a clinical fact): clinical priority first (C-SSRS "
    "screener high risk, then a severe score), then waiting time; never ability to pay. Risk "
    "levels: Columbia Suicide Severity Rating Scale, screen version (Posner et al., Am J "
    "Psychiatry 2011); severity bands: PHQ-9 (Kroenke et al. 2001), QIDS-SR16 (Rush et al. "
    "2003) and MADRS, as defined with each instrument"
)
CSSRS_INSTRUMENT = "cssrs_screener"
# Severity bands counted as "severe" on the depression scales (the instruments' own bands).
# A clinic policy default, configurable: the reference defines the bands, not the priority.
SEVERE_BANDS: Mapping[str, frozenset[str]] = {
    "phq9": frozenset({"severe"}),
    "qids_sr16": frozenset({"severe", "very severe"}),
    "madrs": frozenset({"severe"}),
}
INSTRUMENT_LABELS = {"phq9": "PHQ-9", "qids_sr16": "QIDS-SR16", "madrs": "MADRS"}

URGENT, PRIORITY, ROUTINE = 1, 2, 3
TIER_LABELS = {URGENT: "Urgent", PRIORITY: "Priority", ROUTINE: "Routine"}


@dataclass(frozen=True)
class WaitingFacts:
    """What the order may look at: the latest clinical results and the referral date.

    Payer, income and balance are deliberately absent: the order cannot depend on them.
    """

    key: str
    referred_on: datetime.date
    cssrs_level: str | None = None
    latest_severity: Mapping[str, str] | None = None  # instrument -> severity label


@dataclass(frozen=True)
class Ranked:
    key: str
    position: int
    tier: int
    tier_label: str
    reasons: tuple[str, ...]
    referred_on: datetime.date
    days_waiting: int


def priority_of(facts: WaitingFacts) -> tuple[int, tuple[str, ...]]:
    """The tier (1 urgent, 2 priority, 3 routine) and the clinical reasons for it."""
    if facts.cssrs_level == "high":
        return URGENT, ("C-SSRS screener: high risk",)
    severe = tuple(
        f"{INSTRUMENT_LABELS.get(code, code)}: {label}"
        for code, label in sorted((facts.latest_severity or {}).items())
        if label in SEVERE_BANDS.get(code, ())
    )
    if severe:
        return PRIORITY, severe
    return ROUTINE, ()


def order_waiting_list(entries: Iterable[WaitingFacts], today: datetime.date) -> list[Ranked]:
    """Clinical tier first, then the longest wait; ties broken by key so the order is stable."""
    rows = []
    for facts in entries:
        tier, reasons = priority_of(facts)
        rows.append((tier, facts.referred_on, facts.key, reasons))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [
        Ranked(
            key=key,
            position=i,
            tier=tier,
            tier_label=TIER_LABELS[tier],
            reasons=reasons,
            referred_on=referred_on,
            days_waiting=max(0, (today - referred_on).days),
        )
        for i, (tier, referred_on, key, reasons) in enumerate(rows, start=1)
    ]


# --- dropout risk ------------------------------------------------------------------------------

DROPOUT_SOURCE = (
    "clinic policy, configurable (not a clinical fact): missed or cancelled sessions, an "
    "unpaid balance, transport flagged as a barrier"
)


@dataclass(frozen=True)
class DropoutRule:
    missed_sessions: int = 1
    cancelled_sessions: int = 1
    # An unpaid balance counts once its oldest unpaid charge is this many days old.
    unpaid_after_days: int = 30
    source: str = DROPOUT_SOURCE


@dataclass(frozen=True)
class DropoutFacts:
    missed_sessions: int = 0
    cancelled_sessions: int = 0
    balance: Decimal = Decimal("0")
    oldest_charge_days: int | None = None
    transport_barrier: bool = False
    cost_barrier: bool = False
    insurance_denied: bool = False
    on_sliding_scale: bool = False
    self_pay_protocol: bool = False


@dataclass(frozen=True)
class Signal:
    code: str
    message: str
    action: str


def dropout_signals(facts: DropoutFacts, rule: DropoutRule = DropoutRule()) -> list[Signal]:
    """Why a patient may drop out, each with what staff can do about it."""
    signals = []
    if facts.missed_sessions >= rule.missed_sessions:
        signals.append(
            Signal(
                "missed",
                f"{facts.missed_sessions} missed session(s)",
                "Call the patient to rebook",
            )
        )
    if facts.cancelled_sessions >= rule.cancelled_sessions:
        signals.append(
            Signal(
                "cancelled",
                f"{facts.cancelled_sessions} cancelled or stopped session(s)",
                "Ask what got in the way",
            )
        )
    if (
        facts.balance > 0
        and facts.oldest_charge_days is not None
        and facts.oldest_charge_days >= rule.unpaid_after_days
    ):
        action = "Review the payment plan" if facts.on_sliding_scale else "Offer the sliding scale"
        signals.append(Signal("unpaid", f"Unpaid balance of ${facts.balance:,.2f}", action))
    if facts.transport_barrier:
        signals.append(
            Signal("transport", "Transport or escort needed", "Arrange transport or an escort")
        )
    if (
        facts.cost_barrier
        and not facts.on_sliding_scale
        and not any(s.code == "unpaid" for s in signals)
    ):
        signals.append(Signal("cost", "Cost is a barrier", "Offer the sliding scale"))
    if facts.insurance_denied and facts.self_pay_protocol:
        signals.append(
            Signal(
                "insurance",
                "Insurance denied for a self-pay protocol",
                "Discuss a covered protocol with the prescriber",
            )
        )
    return signals


# --- small cells -------------------------------------------------------------------------------

SUPPRESSION_THRESHOLD = 11
SUPPRESSION_SOURCE = (
    "CMS cell size suppression policy: no cell of 1 to 10 is displayed, nor a value from "
    "which one could be worked out (verify; configurable)"
)


def suppressed(count: int, threshold: int = SUPPRESSION_THRESHOLD) -> bool:
    """Counts of 1 .. threshold-1 are hidden; zero and counts at or above it are shown."""
    return 0 < count < threshold


def suppress_column(
    counts: Mapping[str, int], threshold: int = SUPPRESSION_THRESHOLD
) -> dict[str, int | None]:
    """Hide small cells, and when exactly one is hidden next to a shown total, hide the
    next-smallest cell too so the hidden one cannot be worked out by subtraction."""
    shown: dict[str, int | None] = {
        k: (None if suppressed(v, threshold) else v) for k, v in counts.items()
    }
    hidden = [k for k, v in shown.items() if v is None]
    if len(hidden) == 1:
        candidates = sorted((v, k) for k, v in shown.items() if v)
        if candidates:
            shown[candidates[0][1]] = None
    return shown


def median_days(values: Iterable[int]) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1"))


def rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class GroupFacts:
    """One group of patients (a payer type or an income band)."""

    referred: int
    treated: int
    days_to_first_treatment: tuple[int, ...]
    courses: int
    dropped_out: int


@dataclass(frozen=True)
class GroupRow:
    group: str
    referred: int | None
    treated: int | None
    median_days_to_first_treatment: Decimal | None
    courses: int | None
    dropped_out: int | None
    dropout_rate: Decimal | None
    suppressed: bool


def equity_rows(
    groups: Mapping[str, GroupFacts], threshold: int = SUPPRESSION_THRESHOLD
) -> list[GroupRow]:
    """Rows of the access report with every small cell, and every value derived from one,
    suppressed (a median or rate is shown only when its own counts are shown)."""
    referred = suppress_column({g: f.referred for g, f in groups.items()}, threshold)
    treated = suppress_column({g: f.treated for g, f in groups.items()}, threshold)
    courses = suppress_column({g: f.courses for g, f in groups.items()}, threshold)
    dropped = suppress_column({g: f.dropped_out for g, f in groups.items()}, threshold)
    rows = []
    for group, facts in groups.items():
        median = (
            median_days(facts.days_to_first_treatment)
            if treated[group] is not None and len(facts.days_to_first_treatment) >= threshold
            else None
        )
        shown_rate = (
            rate(facts.dropped_out, facts.courses)
            if courses[group] is not None and dropped[group] is not None
            else None
        )
        rows.append(
            GroupRow(
                group=group,
                referred=referred[group],
                treated=treated[group],
                median_days_to_first_treatment=median,
                courses=courses[group],
                dropped_out=dropped[group],
                dropout_rate=shown_rate,
                suppressed=any(c[group] is None for c in (referred, treated, courses, dropped)),
            )
        )
    return rows
