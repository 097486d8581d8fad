"""Pure measure rules: validation, scoring, bands, safety alerts, change, remission, RCI."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ketaclinic.measures.instruments import (
    CSSRS_RISK_RULES,
    RCI_CRITICAL_VALUE,
    RESPONSE_REDUCTION_PERCENT,
    RISK_LEVEL,
    Band,
    Instrument,
    ReliableChangeData,
    Remission,
)


@dataclass(frozen=True)
class ItemError:
    item: str
    message: str

    def __str__(self) -> str:
        return f"item {self.item}: {self.message}"


class InvalidAnswers(ValueError):
    """Raised with every bad item named; a submission with any bad item is never scored."""

    def __init__(self, errors: list[ItemError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class Alert:
    code: str
    message: str
    must_act: str


@dataclass(frozen=True)
class Scored:
    instrument: str
    answers: dict[str, int]
    total: int | None
    severity: str | None
    alerts: tuple[Alert, ...]


@dataclass(frozen=True)
class Outcome:
    change_from_baseline: int | None
    percent_change: Decimal | None
    response: bool | None
    remission: bool | None
    rci: Decimal | None
    reliable_change: str | None


# --- validation --------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    # bool is an int subclass in Python; True is not a valid answer.
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: object, limit: int = 40) -> str:
    """A posted value as an error names it: quoted, and cut short if it is long."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _answered(answers: Mapping, key: str) -> bool:
    return answers.get(key) is not None


def validate_answers(instrument: Instrument, answers: object) -> list[ItemError]:
    """Every problem with `answers` in item order; an empty list means they can be scored."""
    if not isinstance(answers, Mapping):
        return [ItemError("answers", "must be an object keyed by item number")]
    errors: list[ItemError] = []
    for item in instrument.items:
        value = answers.get(item.key)
        if value is None:
            group = instrument.either_or_group(item.key)
            if group is not None:
                # Incomplete only when no item of the pair is answered; both items are named.
                if not any(_answered(answers, k) for k in group.items):
                    errors.append(ItemError(item.key, f"missing: {group.describe()}"))
            elif _is_required(item, answers):
                errors.append(ItemError(item.key, "missing"))
            continue
        if not _is_int(value):
            errors.append(ItemError(item.key, f"{_shown(value)} is not a whole number"))
        elif value not in item.values:
            errors.append(
                ItemError(item.key, f"{value} is out of range {item.min_value}-{item.max_value}")
            )
    known = set(instrument.item_keys)
    for key in sorted((str(k) for k in answers if str(k) not in known), key=_item_sort_key):
        errors.append(ItemError(key, f"is not an item of {instrument.name}"))
    return errors


def total_error(instrument: Instrument, total: object) -> str | None:
    """What is wrong with a total given without its items (e.g. from a referral), or None."""
    if instrument.scoring == RISK_LEVEL:
        return f"{instrument.name} has a risk level, not a total"
    low, high = instrument.min_total, instrument.max_total
    if not _is_int(total) or not (low <= total <= high):
        return f"must be a whole number from {low} to {high}"
    return None


def _is_required(item, answers: Mapping) -> bool:
    if item.asked_if is not None:
        return answers.get(item.asked_if) == 1
    return item.required


def _item_sort_key(key: str) -> tuple[int, str]:
    digits = "".join(c for c in key if c.isdigit())
    return (int(digits) if digits else 10**6, key)


# A posted answer read as a number: ASCII digits, an optional minus, short enough for any
# item's scale (anything else, such as "--1", "²" or a thousand digits, is kept for validation
# to name).
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,6}")


def parse_form_answers(instrument: Instrument, data: Mapping[str, object]) -> dict[str, object]:
    """Turn posted form strings into answers: '' -> not answered, digits -> int, anything else kept
    as is so validation names it."""
    answers: dict[str, object] = {}
    for item in instrument.items:
        raw = data.get(item.key)
        if raw is None:
            continue
        raw = raw.strip() if isinstance(raw, str) else raw
        if raw == "":
            continue
        if isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw):
            answers[item.key] = int(raw)
        else:
            answers[item.key] = raw
    return answers


# --- scoring -----------------------------------------------------------------------------------


def total_score(instrument: Instrument, answers: Mapping[str, int]) -> int | None:
    """Sum over scoring domains of each domain's highest answered item; None for a risk-level
    instrument. Validation guarantees every domain has an answered item."""
    if instrument.scoring == RISK_LEVEL:
        return None
    return sum(
        max(answers[k] for k in domain if answers.get(k) is not None)
        for domain in instrument.domains
    )


def questions_to_answer(instrument: Instrument, item_keys) -> int:
    """How many questions a patient still has to answer for these bad items: the items of an
    either-or pair count once."""
    seen: set = set()
    for key in item_keys:
        group = instrument.either_or_group(key) if key in instrument.item_keys else None
        seen.add(group.items if group else key)
    return len(seen)


def cssrs_risk_level(answers: Mapping[str, int]) -> str:
    def holds(literal: str) -> bool:
        if literal.startswith("!"):
            return answers.get(literal[1:]) != 1
        return answers.get(literal) == 1

    for level, clauses in CSSRS_RISK_RULES:
        if any(all(holds(lit) for lit in clause) for clause in clauses):
            return level
    return "none"


def severity_band(instrument: Instrument, total: int | None) -> Band | None:
    if total is None:
        return None
    return next((b for b in instrument.bands if b.low <= total <= b.high), None)


def severity(instrument: Instrument, answers: Mapping[str, int], total: int | None) -> str | None:
    if instrument.scoring == RISK_LEVEL:
        return cssrs_risk_level(answers)
    band = severity_band(instrument, total)
    return band.label if band else None


def safety_alerts(
    instrument: Instrument, answers: Mapping[str, int], level: str | None = None
) -> tuple[Alert, ...]:
    alerts = []
    for rule in instrument.safety_rules:
        if rule.item is not None:
            value = answers.get(rule.item)
            if value is not None and value >= rule.min_value:
                alerts.append(Alert(rule.code, rule.message.format(value=value), rule.must_act))
        elif level is not None and level in rule.levels:
            alerts.append(Alert(rule.code, rule.message.format(level=level), rule.must_act))
    return tuple(alerts)


def score(instrument: Instrument, answers: object) -> Scored:
    """Validate then score; raises InvalidAnswers naming every bad item."""
    errors = validate_answers(instrument, answers)
    if errors:
        raise InvalidAnswers(errors)
    assert isinstance(answers, Mapping)
    clean = {k: answers[k] for k in instrument.item_keys if _answered(answers, k)}
    total = total_score(instrument, clean)
    level = severity(instrument, clean, total)
    return Scored(
        instrument=instrument.code,
        answers=clean,
        total=total,
        severity=level,
        alerts=safety_alerts(instrument, clean, level),
    )


# --- change over time --------------------------------------------------------------------------

_ONE_DECIMAL = Decimal("0.1")
_TWO_DECIMALS = Decimal("0.01")


def change_from_baseline(baseline: int | None, current: int | None) -> int | None:
    if baseline is None or current is None:
        return None
    return current - baseline


def percent_change(baseline: int | None, current: int | None) -> Decimal | None:
    """Signed change relative to baseline in percent (negative = fewer symptoms); None from 0."""
    if baseline is None or current is None or baseline == 0:
        return None
    pct = Decimal(current - baseline) * 100 / Decimal(baseline)
    return pct.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def is_response(
    baseline: int | None,
    current: int | None,
    reduction_percent: int = RESPONSE_REDUCTION_PERCENT,
) -> bool | None:
    if baseline is None or current is None or baseline == 0:
        return None
    # Integer arithmetic: (baseline - current) / baseline >= p / 100, without rounding.
    return (baseline - current) * 100 >= reduction_percent * baseline


def is_remission(remission: Remission | None, current: int | None) -> bool | None:
    if remission is None or current is None:
        return None
    if remission.operator == "<":
        return current < remission.value
    if remission.operator == "<=":
        return current <= remission.value
    raise ValueError(f"unknown remission operator {remission.operator!r}")


def reliable_change_index(
    baseline: int | None,
    current: int | None,
    reliability: Decimal | None,
    sd: Decimal | None,
) -> Decimal | None:
    """Jacobson-Truax RCI = (current - baseline) / S_diff; S_diff = sqrt(2) * SD * sqrt(1 - r)."""
    if None in (baseline, current, reliability, sd) or sd <= 0 or not (0 <= reliability < 1):
        return None
    standard_error = sd * (Decimal(1) - reliability).sqrt()
    s_diff = (2 * standard_error**2).sqrt()
    try:
        return (Decimal(current - baseline) / s_diff).quantize(
            _TWO_DECIMALS, rounding=ROUND_HALF_UP
        )
    except InvalidOperation:  # an index too large to state (settings saved before the bounds)
        return None


def classify_reliable_change(
    rci: Decimal | None, critical: Decimal = RCI_CRITICAL_VALUE
) -> str | None:
    # Every outcome scale here scores symptoms: a fall is an improvement.
    if rci is None:
        return None
    if rci < -critical:
        return "reliable improvement"
    if rci > critical:
        return "reliable deterioration"
    return "no reliable change"


def outcome(
    instrument: Instrument,
    baseline: int | None,
    current: int | None,
    reduction_percent: int = RESPONSE_REDUCTION_PERCENT,
) -> Outcome:
    """Change, percent change, response, remission and reliable change against the baseline."""
    if not instrument.tracks_outcome:
        return Outcome(change_from_baseline(baseline, current), None, None, None, None, None)
    rc = instrument.reliable_change
    rci = reliable_change_index(
        baseline, current, rc.reliability if rc else None, rc.sd if rc else None
    )
    return Outcome(
        change_from_baseline=change_from_baseline(baseline, current),
        percent_change=percent_change(baseline, current),
        response=is_response(baseline, current, reduction_percent),
        remission=is_remission(instrument.remission, current),
        rci=rci,
        reliable_change=classify_reliable_change(rci),
    )


# --- configuration -----------------------------------------------------------------------------


# Plausible bounds of a clinic's reliable-change inputs (not clinical values: outside them the
# index is meaningless or cannot be computed; the published values sit well inside).
RELIABILITY_MAX = Decimal("0.999")
SD_MIN, SD_MAX = Decimal("0.01"), Decimal("1000")


def _finite(value, name: str) -> bool:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name} must be a number") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a number")
    return True


def with_overrides(instrument: Instrument, overrides: Mapping[str, object] | None) -> Instrument:
    """A copy of `instrument` with a clinic's configured cut-offs.

    Recognised keys: "remission" ({"operator": "<" | "<=", "value": int} or None to switch it
    off), "reliability" and "sd" (numbers or numeric strings), "bands" (list of
    [low, high, label]).
    """
    if not overrides:
        return instrument
    changes: dict[str, object] = {}
    if "remission" in overrides:
        spec = overrides["remission"]
        if spec is None:
            changes["remission"] = None
        else:
            operator = spec["operator"]
            if operator not in ("<", "<="):
                raise ValueError(f"remission operator must be '<' or '<=', not {operator!r}")
            changes["remission"] = Remission(
                operator, int(spec["value"]), source=str(spec.get("source", "clinic setting"))
            )
    if "reliability" in overrides or "sd" in overrides:
        rc = instrument.reliable_change or ReliableChangeData(None, "", None, "")
        reliability = overrides.get("reliability", rc.reliability)
        sd = overrides.get("sd", rc.sd)
        if reliability is not None and not (
            _finite(reliability, "reliability")
            and 0 <= Decimal(str(reliability)) <= RELIABILITY_MAX
        ):
            raise ValueError(f"reliability must be from 0 to {RELIABILITY_MAX}")
        if sd is not None and not (_finite(sd, "sd") and SD_MIN <= Decimal(str(sd)) <= SD_MAX):
            raise ValueError(f"sd must be from {SD_MIN} to {SD_MAX}")
        changes["reliable_change"] = ReliableChangeData(
            reliability=None if reliability is None else Decimal(str(reliability)),
            reliability_source="clinic setting"
            if "reliability" in overrides
            else rc.reliability_source,
            sd=None if sd is None else Decimal(str(sd)),
            sd_source="clinic setting" if "sd" in overrides else rc.sd_source,
            verify=False,
        )
    if "bands" in overrides:
        changes["bands"] = tuple(
            Band(int(low), int(high), str(label)) for low, high, label in overrides["bands"]
        )
        changes["bands_source"] = "clinic setting"
    return replace(instrument, **changes)


# --- measurement schedules ---------------------------------------------------------------------

BEFORE_SESSION = "before_session"
INTERVAL = "interval"


def schedule_due_on(
    *,
    frequency: str,
    interval_days: int | None,
    starts_on: date,
    last_response_at: datetime | None,
    last_session_at: datetime | None,
) -> date | None:
    """The date the next response is due, or None when nothing is due yet.

    Interval schedules fall due `interval_days` after the last response (on the start date
    before any response). Before-session schedules ask for one response after each treatment
    session, in time for the next; before the first session, one response from the start date.
    Datetimes must already be in the clinic's time zone.
    """
    last_response_on = last_response_at.date() if last_response_at else None
    responded_since_start = last_response_on is not None and last_response_on >= starts_on
    if frequency == INTERVAL:
        if not interval_days or interval_days < 1:
            raise ValueError("an interval schedule needs interval_days of 1 or more")
        if not responded_since_start:
            return starts_on
        return last_response_on + timedelta(days=interval_days)
    if frequency == BEFORE_SESSION:
        if last_session_at is None or last_session_at.date() < starts_on:
            return None if responded_since_start else starts_on
        if last_response_at is not None and last_response_at >= last_session_at:
            return None
        return last_session_at.date()
    raise ValueError(f"unknown schedule frequency {frequency!r}")


def due_status(due_on: date | None, today: date) -> str | None:
    """'overdue' before today, 'due' today, 'upcoming' later, None when nothing is due."""
    if due_on is None:
        return None
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "due"
    return "upcoming"
