"""Pure outcome rules: rates, course outcomes, Kaplan-Meier, suppression, ages, de-identification.

Plain values in, plain values out: no ORM, no Django. The database computes the same course
outcomes with SQL (outcomes/sql.py); `course_outcome` here is the readable reference the tests
hold the SQL to.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ketaclinic.measures import rules as measure_rules
from ketaclinic.measures.instruments import Remission
from ketaclinic.outcomes.definitions import (
    AGE_BANDS,
    AGE_TOP_CODE,
    AGE_TOP_LABEL,
    MAX_DATE_SHIFT_DAYS,
    MILESTONE_SESSIONS,
    PSEUDONYM_HEX_LENGTH,
    RESPONSE_PERCENT,
    SMALL_CELL_MIN,
)

_ONE_DECIMAL = Decimal("0.1")

# --- rates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, with the percentage (None when the denominator is 0)."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        value = Decimal(self.numerator) * 100 / Decimal(self.denominator)
        return value.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)

    @property
    def value(self) -> float | None:
        """The proportion (0-1), rounded to 4 places, for JSON answers."""
        if self.denominator == 0:
            return None
        return round(self.numerator / self.denominator, 4)

    def as_dict(self) -> dict:
        return {"numerator": self.numerator, "denominator": self.denominator, "rate": self.value}


@dataclass(frozen=True)
class PerHundred:
    """Events per 100 sessions."""

    events: int
    sessions: int

    @property
    def value(self) -> Decimal | None:
        if self.sessions == 0:
            return None
        per = Decimal(self.events) * 100 / Decimal(self.sessions)
        return per.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict:
        value = self.value
        return {
            "numerator": self.events,
            "denominator": self.sessions,
            "per_100_sessions": None if value is None else float(value),
        }


def rate(numerator: int, denominator: int) -> Rate:
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError(f"not a rate: {numerator}/{denominator}")
    return Rate(numerator, denominator)


def per_100_sessions(events: int, sessions: int) -> PerHundred:
    if events < 0 or sessions < 0:
        raise ValueError("counts cannot be negative")
    return PerHundred(events, sessions)


# --- one course's outcome (reference for the SQL) ---------------------------------------------


def is_response(baseline: int | None, current: int | None, percent: int = RESPONSE_PERCENT):
    """50% or more reduction from the course baseline (the measures app's response rule)."""
    return measure_rules.is_response(baseline, current, percent)


def is_remission(remission: Remission | None, current: int | None):
    return measure_rules.is_remission(remission, current)


@dataclass(frozen=True)
class Score:
    at: datetime
    total: int


@dataclass(frozen=True)
class CourseOutcome:
    """What a course contributes to the rates: None means 'not evaluable for this rate'."""

    baseline: int | None
    evaluable: bool  # a baseline and at least one later score
    response: bool | None  # at the last score (last observation carried forward)
    remission: bool | None
    # Kaplan-Meier: whole days from the course start to the first response, or to the last
    # score when there was no response (censored).
    km_days: int | None
    km_event: bool | None
    milestones: dict[int, tuple[bool, bool] | None] = field(default_factory=dict)


def days_between(start: date, at: datetime) -> int:
    """Whole days from midnight UTC of `start` to `at` (the SQL counts the same way)."""
    midnight = datetime(start.year, start.month, start.day, tzinfo=at.tzinfo)
    return math.floor((at - midnight).total_seconds() / 86400)


def course_outcome(
    start: date,
    scores: Iterable[Score],
    dosed_sessions: Mapping[int, datetime],
    remission: Remission | None,
    *,
    milestones: Sequence[int] = MILESTONE_SESSIONS,
    percent: int = RESPONSE_PERCENT,
) -> CourseOutcome:
    """The outcome of one course from its outcome-scale scores.

    `scores` are the course's scores (on or after the start date, before the next course);
    the first is the baseline. `dosed_sessions` maps session number -> when its dose started.
    The score "after session k" is the first score later than session k's dose.
    """
    ordered = sorted(scores, key=lambda s: s.at)
    if not ordered:
        return CourseOutcome(None, False, None, None, None, None, dict.fromkeys(milestones))
    baseline = ordered[0].total
    follow = ordered[1:]
    result_at: dict[int, tuple[bool, bool] | None] = {}
    for k in milestones:
        dose = dosed_sessions.get(k)
        # A baseline taken only after session k leaves the course without a session-k result.
        if dose is None or ordered[0].at > dose:
            after = None
        else:
            after = next((s for s in follow if s.at > dose), None)
        result_at[k] = None if after is None else _flags(baseline, after.total, remission, percent)
    if not follow:
        return CourseOutcome(baseline, False, None, None, None, None, result_at)
    last = follow[-1]
    response, remitted = _flags(baseline, last.total, remission, percent)
    first = next((s for s in follow if _flags(baseline, s.total, remission, percent)[0]), None)
    km_at = first.at if first is not None else last.at
    return CourseOutcome(
        baseline=baseline,
        evaluable=True,
        response=response,
        remission=remitted,
        km_days=days_between(start, km_at),
        km_event=first is not None,
        milestones=result_at,
    )


def _flags(baseline: int, total: int, remission: Remission | None, percent: int):
    return bool(is_response(baseline, total, percent)), bool(is_remission(remission, total))


# --- Kaplan-Meier -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KMStep:
    """The estimate just after `time`: S(t) = P(no response yet), with a 95% Greenwood band."""

    time: int
    at_risk: int
    events: int
    censored: int
    survival: float
    lower: float
    upper: float

    @property
    def responded(self) -> float:
        """Cumulative proportion responded by `time` (1 - S(t)): the curve that is drawn."""
        return 1 - self.survival


def kaplan_meier(observations: Iterable[tuple[int, bool]]) -> list[KMStep]:
    """Kaplan-Meier estimate from (time, event) pairs; event False means censored at time."""
    counts: dict[tuple[int, bool], int] = {}
    for time, event in observations:
        key = (int(time), bool(event))
        counts[key] = counts.get(key, 0) + 1
    return kaplan_meier_from_counts(counts)


def kaplan_meier_from_counts(counts: Mapping[tuple[int, bool], int]) -> list[KMStep]:
    """Kaplan-Meier from aggregated counts {(time, event): n} (what the SQL returns).

    At a tied time, events are counted before censorings (the usual convention: a course
    censored at t was still at risk at t). The 95% band uses Greenwood's variance on S(t),
    clipped to [0, 1].
    """
    times = sorted({t for t, _ in counts})
    if any(t < 0 for t in times):
        raise ValueError("times cannot be negative")
    at_risk = sum(counts.values())
    survival = 1.0
    greenwood = 0.0
    steps = []
    for t in times:
        d = counts.get((t, True), 0)
        c = counts.get((t, False), 0)
        if d:
            survival *= 1 - d / at_risk
            if at_risk > d:
                greenwood += d / (at_risk * (at_risk - d))
        half_width = 1.96 * survival * math.sqrt(greenwood) if survival > 0 else 0.0
        steps.append(
            KMStep(
                time=t,
                at_risk=at_risk,
                events=d,
                censored=c,
                survival=survival,
                lower=max(0.0, survival - half_width),
                upper=min(1.0, survival + half_width),
            )
        )
        at_risk -= d + c
    return steps


def km_median(steps: Sequence[KMStep]) -> int | None:
    """The median time to response: the first time S(t) is at or below 0.5 (None if never)."""
    return next((s.time for s in steps if s.survival <= 0.5 + 1e-12), None)


def km_at(steps: Sequence[KMStep], time: int) -> float:
    """Cumulative proportion responded by `time` (0 before the first event)."""
    responded = 0.0
    for step in steps:
        if step.time > time:
            break
        responded = step.responded
    return responded


# --- small-cell suppression -------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: `value` None when suppressed (with the reason)."""

    value: int | None
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return "suppressed" if self.value is None else str(self.value)


SMALL = "fewer than 11"
COMPLEMENT = "hidden so a small cell cannot be worked out from a total"
SMALL_COMPLEMENT = "the rest of the group is fewer than 11"
DENOMINATOR = "its group is suppressed"


def is_small(count: int, minimum: int = SMALL_CELL_MIN) -> bool:
    """A count of 1..minimum-1 must not be shown (zero may be)."""
    return 0 < count < minimum


def suppress_count(count: int, minimum: int = SMALL_CELL_MIN) -> Cell:
    return Cell(None, SMALL) if is_small(count, minimum) else Cell(count)


def suppress_breakdown(
    counts: Mapping[str, int], minimum: int = SMALL_CELL_MIN, *, hidden: Iterable[str] = ()
) -> dict[str, Cell]:
    """Suppress small cells of a breakdown whose total is published elsewhere.

    Complementary suppression: when exactly one cell would be hidden (small, or listed in
    `hidden`), the total minus the shown cells would give it away, so the smallest other
    non-zero cell is hidden too.
    """
    cells = {k: suppress_count(v, minimum) for k, v in counts.items()}
    for key in hidden:
        if key in cells and not cells[key].suppressed:
            cells[key] = Cell(None, DENOMINATOR)
    return _complement(counts, cells)


def _complement(counts: Mapping[str, int], cells: dict[str, Cell]) -> dict[str, Cell]:
    hidden = [k for k, c in cells.items() if c.suppressed]
    if len(hidden) == 1:
        candidates = [k for k, c in cells.items() if not c.suppressed and counts[k] > 0]
        if candidates:
            partner = min(candidates, key=lambda k: (counts[k], k))
            cells[partner] = Cell(None, COMPLEMENT)
    return cells


@dataclass(frozen=True)
class RateCell:
    """A rate as it may be shown: numerator and denominator cells, percent when both show."""

    numerator: Cell
    denominator: Cell

    @property
    def percent(self) -> Decimal | None:
        if self.numerator.suppressed or self.denominator.suppressed:
            return None
        if not self.denominator.value:
            return None
        return rate(self.numerator.value, self.denominator.value).percent

    @property
    def suppressed(self) -> bool:
        return self.numerator.suppressed


def parts_to_hide(
    parts: Mapping[str, int], wholes: Mapping[str, int], whole_cells: Mapping[str, Cell], minimum
) -> list[str]:
    """Groups whose count, part of another shown beside it (evaluable courses of all courses),
    must be hidden: where the whole is hidden, or the rest of the whole would be small."""
    return [
        k
        for k, part in parts.items()
        if whole_cells[k].suppressed
        or (is_small(wholes[k] - part, minimum) and not is_small(part, minimum))
    ]


def suppress_rates(
    rates: Mapping[str, tuple[int, int]],
    minimum: int = SMALL_CELL_MIN,
    *,
    denominators_hidden: Iterable[str] = (),
) -> dict[str, RateCell]:
    """Suppress a breakdown of rates {group: (numerator, denominator)}.

    A group's denominator is suppressed when small (with complementary suppression across
    groups, since denominators add up to the published total). Its numerator is suppressed
    when small, when the rest of the group (denominator - numerator) is small, or when the
    denominator is hidden; then complementary suppression across groups again, since
    numerators add up to the published total too. `denominators_hidden`: groups whose
    denominator must be hidden for a reason of the caller's (it is part of a count shown
    beside it, whose rest would be small).
    """
    denominators = suppress_breakdown(
        {k: d for k, (_, d) in rates.items()}, minimum, hidden=denominators_hidden
    )
    numerators: dict[str, Cell] = {}
    for key, (num, den) in rates.items():
        if num > den:
            raise ValueError(f"{key}: numerator {num} above denominator {den}")
        if denominators[key].suppressed:
            numerators[key] = Cell(None, DENOMINATOR)
        elif is_small(num, minimum):
            numerators[key] = Cell(None, SMALL)
        elif is_small(den - num, minimum):
            numerators[key] = Cell(None, SMALL_COMPLEMENT)
        else:
            numerators[key] = Cell(num)
    numerators = _complement({k: n for k, (n, _) in rates.items()}, numerators)
    return {k: RateCell(numerators[k], denominators[k]) for k in rates}


# --- ages -------------------------------------------------------------------------------------


def age_on(born: date, day: date) -> int:
    """Completed years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    for band in AGE_BANDS:
        if age >= band.low and (band.high is None or age <= band.high):
            return band.label
    raise ValueError(f"no age band for {age}")


def deidentified_age(age: int | None) -> str | None:
    """Age in years as text, with every age over 89 reported as '90+' (Safe Harbor)."""
    if age is None:
        return None
    return AGE_TOP_LABEL if age >= AGE_TOP_CODE else str(age)


# --- de-identification ------------------------------------------------------------------------


def pseudonym(key: bytes, kind: str, identifier: object) -> str:
    """A keyed pseudonym: HMAC-SHA-256(key, "kind:identifier"), first 128 bits in hex.

    The same key gives the same pseudonym in every export (so exports can be linked); without
    the key the original id cannot be recovered or confirmed by guessing.
    """
    if len(key) < 32:
        raise ValueError("the pseudonym key must be at least 32 bytes")
    message = f"{kind}:{identifier}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_LENGTH]


def date_offset_days(key: bytes, patient_id: object, max_days: int = MAX_DATE_SHIFT_DAYS) -> int:
    """The patient's date shift: a whole number of days in [-max, +max], never 0.

    Drawn from a keyed hash, so it is random to anyone without the key and the same for the
    patient in every export made with the same key.
    """
    if max_days < 1:
        raise ValueError("max_days must be at least 1")
    digest = hmac.new(key, f"date-shift:{patient_id}".encode(), hashlib.sha256).digest()
    draw = int.from_bytes(digest[:8], "big") % (2 * max_days)
    # 0..2max-1 -> -max..-1, 1..max
    return draw - max_days if draw < max_days else draw - max_days + 1


def shift(value: date | datetime | None, days: int):
    """Move a date or datetime by `days`; None stays None."""
    if value is None:
        return None
    return value + timedelta(days=days)


# Column treatments in an export spec.
KEEP = "keep"
PSEUDONYM = "pseudonym"
SHIFT = "shift"
DROP = "drop"


@dataclass(frozen=True)
class Column:
    """One exported column: where it comes from and how it is de-identified."""

    name: str
    source: str
    treatment: str
    description: str
    kind: str = ""  # pseudonym namespace (patient, course, ...)
    dtype: str = "string"


def deidentify_row(
    values: Mapping[str, object],
    columns: Sequence[Column],
    *,
    key: bytes,
    shift_days: int,
    cache: dict | None = None,
) -> tuple:
    """One exported row: only the spec's columns, pseudonymised and shifted as it says.

    A column marked DROP never reaches the output, whatever the source row holds, so a
    direct identifier added to a query by mistake still cannot leak.
    """
    out = []
    cache = {} if cache is None else cache
    for col in columns:
        if col.treatment == DROP:
            continue
        raw = values.get(col.source)
        if col.treatment == KEEP:
            out.append(raw)
        elif col.treatment == PSEUDONYM:
            if raw is None:
                out.append(None)
                continue
            token = (col.kind, raw)
            if token not in cache:
                cache[token] = pseudonym(key, col.kind, raw)
            out.append(cache[token])
        elif col.treatment == SHIFT:
            out.append(shift(raw, shift_days))
        else:
            raise ValueError(f"unknown column treatment {col.treatment!r}")
    return tuple(out)
