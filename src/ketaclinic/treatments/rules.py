"""Pure session rules: state machine, pre-checks, vitals alerts, Aldrete, discharge, vitals due."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.protocols.definitions import (
    COMPARISON_SYMBOLS,
    INFUSION_END,
    MEASURE_NAMES,
    AlertRule,
    MonitoringRule,
    ObservationRule,
    PreDoseRule,
    ProtocolDefinition,
)
from ketaclinic.treatments import codes as c
from ketaclinic.treatments.models import SessionStatus

# --- state machine ---------------------------------------------------------------------------

TRANSITIONS: dict[str, frozenset[str]] = {
    SessionStatus.SCHEDULED: frozenset({SessionStatus.CHECKED_IN, SessionStatus.ABORTED}),
    SessionStatus.CHECKED_IN: frozenset({SessionStatus.PRE_CHECKS_DONE, SessionStatus.ABORTED}),
    SessionStatus.PRE_CHECKS_DONE: frozenset({SessionStatus.DOSING, SessionStatus.ABORTED}),
    SessionStatus.DOSING: frozenset({SessionStatus.MONITORING, SessionStatus.ABORTED}),
    SessionStatus.MONITORING: frozenset({SessionStatus.READY_FOR_DISCHARGE, SessionStatus.ABORTED}),
    # A new alert after the patient was found ready sends the session back to monitoring.
    SessionStatus.READY_FOR_DISCHARGE: frozenset(
        {SessionStatus.DISCHARGED, SessionStatus.MONITORING, SessionStatus.ABORTED}
    ),
    SessionStatus.DISCHARGED: frozenset(),
    SessionStatus.ABORTED: frozenset(),
}


class IllegalTransition(ValueError):
    """The session cannot move from its current status to the requested one."""

    def __init__(self, current: str, target: str):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none (final)"
        super().__init__(
            f"A session that is {current} cannot become {target}; allowed next: {allowed}."
        )
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    """Raise IllegalTransition unless the table allows current -> target."""
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(current, target)


# --- vitals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vitals:
    """One set of vital signs; any value may be missing."""

    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    resp_rate: int | None = None
    temperature_c: Decimal | None = None


VITAL_FIELDS = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate", "temperature_c")


# Plausible input, not clinical thresholds: outside these a value is a typing error.
PLAUSIBLE = {
    "systolic": (40, 300),
    "diastolic": (20, 200),
    "heart_rate": (20, 250),
    "spo2": (50, 100),
    "resp_rate": (0, 80),
    "temperature_c": (Decimal("30"), Decimal("45")),
}


def validate_vitals(vitals: Vitals) -> dict[str, str]:
    """Field -> problem for values that cannot be real readings; empty when fine."""
    errors: dict[str, str] = {}
    for name, (low, high) in PLAUSIBLE.items():
        value = getattr(vitals, name)
        if value is not None and not low <= value <= high:
            errors[name] = f"must be between {low} and {high}"
    if (vitals.systolic is None) != (vitals.diastolic is None):
        errors["systolic" if vitals.systolic is None else "diastolic"] = (
            "blood pressure needs both systolic and diastolic"
        )
    elif vitals.systolic is not None and vitals.diastolic >= vitals.systolic:
        errors["diastolic"] = "must be lower than systolic"
    if all(getattr(vitals, name) is None for name in PLAUSIBLE):
        errors["vitals"] = "enter at least one value"
    return errors


@dataclass(frozen=True)
class RaisedAlert:
    """An alert rule that fired, with the value that fired it."""

    code: str
    label: str
    measure: str
    value: Decimal
    comparison: str
    threshold: Decimal
    source: str

    @property
    def message(self) -> str:
        name = MEASURE_NAMES.get(self.measure, self.measure)
        symbol = COMPARISON_SYMBOLS.get(self.comparison, self.comparison)
        return f"{self.label}: {name} {self.value} {symbol} {self.threshold}"


_COMPARE = {
    ">=": lambda v, t: v >= t,
    ">": lambda v, t: v > t,
    "<=": lambda v, t: v <= t,
    "<": lambda v, t: v < t,
}


def measures_of(vitals: Vitals, baseline: Vitals | None) -> dict[str, Decimal]:
    """The values alert rules look at, including the rise from the pre-dose baseline."""
    values: dict[str, Decimal] = {}
    for name in ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate"):
        value = getattr(vitals, name)
        if value is not None:
            values[name] = Decimal(value)
    if baseline is not None:
        for name in ("systolic", "diastolic"):
            now, before = getattr(vitals, name), getattr(baseline, name)
            if now is not None and before is not None:
                values[f"{name}_rise"] = Decimal(now - before)
    return values


def evaluate_alerts(rules: Iterable[AlertRule], values: dict[str, Decimal]) -> list[RaisedAlert]:
    """Every rule that fires for these values; a code fires once (first matching rule wins)."""
    raised: list[RaisedAlert] = []
    seen: set[str] = set()
    for rule in rules:
        value = values.get(rule.measure)
        if value is None or rule.code in seen:
            continue
        if _COMPARE[rule.comparison](value, rule.value):
            seen.add(rule.code)
            raised.append(
                RaisedAlert(
                    rule.code,
                    rule.label,
                    rule.measure,
                    value,
                    rule.comparison,
                    rule.value,
                    rule.source,
                )
            )
    return raised


def vitals_alerts(
    rules: Iterable[AlertRule], vitals: Vitals, baseline: Vitals | None
) -> list[RaisedAlert]:
    """Alerts raised by one vitals entry during a session."""
    return evaluate_alerts(rules, measures_of(vitals, baseline))


def moaas_alerts(rules: Iterable[AlertRule], score: int) -> list[RaisedAlert]:
    """Alerts raised by a MOAA/S entry (deep sedation)."""
    return evaluate_alerts(rules, {"moaas": Decimal(score)})


def pre_dose_bp_needs_decision(rule: PreDoseRule, vitals: Vitals | None) -> bool:
    """True when pre-dose BP is above the protocol's threshold (a prescriber decides go/no-go)."""
    if vitals is None or vitals.systolic is None:
        return False
    return (rule.systolic_above is not None and vitals.systolic > rule.systolic_above) or (
        rule.diastolic_above is not None and vitals.diastolic > rule.diastolic_above
    )


# --- scales ----------------------------------------------------------------------------------


def validate_moaas(score: int) -> dict[str, str]:
    """MOAA/S is one item 0-5 (Chernik et al. 1990)."""
    if not isinstance(score, int) or not 0 <= score <= c.MOAAS_MAX:
        return {"score": f"must be a whole number from 0 to {c.MOAAS_MAX}"}
    return {}


def score_cadss6(items: list[int]) -> int:
    """CADSS-6 total; raises ValueError naming the missing or invalid items."""
    if len(items) != len(c.CADSS6_ITEMS):
        raise ValueError(f"CADSS-6 needs {len(c.CADSS6_ITEMS)} items, got {len(items)}")
    bad = [
        str(n)
        for n, v in enumerate(items, 1)
        if not isinstance(v, int) or not 0 <= v <= c.CADSS6_ITEM_MAX
    ]
    if bad:
        raise ValueError(f"CADSS-6 items {', '.join(bad)} must be 0-{c.CADSS6_ITEM_MAX}")
    return sum(items)


# --- modified Aldrete --------------------------------------------------------------------------

ALDRETE_ITEMS = ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation")


def aldrete_total(items: dict[str, int]) -> int:
    """Modified Aldrete: five items scored 0-2 (Aldrete 1995); raises naming bad items."""
    missing = [name for name in ALDRETE_ITEMS if name not in items]
    bad = [
        name
        for name in ALDRETE_ITEMS
        if name in items and (not isinstance(items[name], int) or not 0 <= items[name] <= 2)
    ]
    if missing or bad:
        raise ValueError(
            "; ".join(
                part
                for part in (
                    f"missing: {', '.join(missing)}" if missing else "",
                    f"must be 0-2: {', '.join(bad)}" if bad else "",
                )
                if part
            )
        )
    return sum(items[name] for name in ALDRETE_ITEMS)


def bp_within_baseline(vitals: Vitals, baseline: Vitals, pct: Decimal) -> bool:
    """Systolic and diastolic both within `pct` percent of the pre-dose baseline."""
    for name in ("systolic", "diastolic"):
        now, before = getattr(vitals, name), getattr(baseline, name)
        if now is None or before is None:
            return False
        if abs(Decimal(now - before)) * 100 > pct * before:
            return False
    return True


# --- pre-checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreCheckFacts:
    """What the nurse recorded before dosing."""

    now: datetime.datetime
    intake_blockers: tuple[str, ...] = ()
    last_food_at: datetime.datetime | None = None
    last_liquid_at: datetime.datetime | None = None
    nasal_products_at: datetime.datetime | None = None
    escort_confirmed: bool = False
    prescriber_on_site: bool = False
    medications_reviewed: bool = False
    measures_done: bool = False
    pregnancy_test: str = ""
    pre_dose_vitals: Vitals | None = None


@dataclass(frozen=True)
class Issue:
    """An unmet condition: `code` for machines, `message` for people."""

    code: str
    message: str


def _minutes_between(earlier: datetime.datetime, later: datetime.datetime) -> int:
    return int((later - earlier).total_seconds() // 60)


def evaluate_pre_checks(protocol: ProtocolDefinition, facts: PreCheckFacts) -> list[Issue]:
    """Every unmet pre-check; empty means the session may move to pre-checks done."""
    issues = [Issue("eligibility_consent", blocker) for blocker in facts.intake_blockers]
    fasting = protocol.fasting
    for code, limit, at, what in (
        ("fasting_food", fasting.food_min_before, facts.last_food_at, "food"),
        ("fasting_liquids", fasting.liquids_min_before, facts.last_liquid_at, "liquids"),
    ):
        if limit is None:
            continue
        if at is None:
            issues.append(Issue(code, f"Time of last {what} not recorded ({fasting.source})."))
        elif _minutes_between(at, facts.now) < limit:
            issues.append(
                Issue(
                    code,
                    f"Last {what} {_minutes_between(at, facts.now)} min ago; needs {limit} min "
                    f"({fasting.source}).",
                )
            )
    nasal = fasting.nasal_products_min_before
    if nasal is not None and facts.nasal_products_at is not None:
        since = _minutes_between(facts.nasal_products_at, facts.now)
        if since < nasal:
            issues.append(
                Issue(
                    "nasal_products",
                    f"Nasal steroid or decongestant {since} min ago; needs {nasal} min "
                    f"({fasting.source}).",
                )
            )
    if not facts.escort_confirmed:
        issues.append(Issue("escort", "Escort / ride home not confirmed."))
    if protocol.prescriber_on_site_required and not facts.prescriber_on_site:
        issues.append(
            Issue(
                "prescriber_on_site",
                "Confirm that a prescriber is on site during administration and monitoring "
                f"({protocol.prescriber_on_site_source}).",
            )
        )
    if not facts.medications_reviewed:
        issues.append(
            Issue(
                "medications",
                "Concomitant medications not reviewed (benzodiazepines, sedative-hypnotics, "
                "stimulants, MAOIs, opioids).",
            )
        )
    if not facts.measures_done:
        issues.append(Issue("measures", "Pre-session measures not done."))
    if protocol.pregnancy_test_applicable and facts.pregnancy_test == "":
        issues.append(
            Issue("pregnancy_test", "Pregnancy test: result or 'not applicable' missing.")
        )
    if facts.pre_dose_vitals is None or facts.pre_dose_vitals.systolic is None:
        issues.append(Issue("pre_dose_vitals", "Pre-dose vitals (at least BP) not recorded."))
    return issues


def decision_reasons(protocol: ProtocolDefinition, facts: PreCheckFacts) -> list[Issue]:
    """Findings that need a prescriber's go/no-go with a note before dosing (not blockers)."""
    reasons = []
    vitals = facts.pre_dose_vitals
    if pre_dose_bp_needs_decision(protocol.pre_dose, vitals):
        rule = protocol.pre_dose
        reasons.append(
            Issue(
                "pre_dose_bp",
                f"Pre-dose BP {vitals.systolic}/{vitals.diastolic} is above "
                f"{rule.systolic_above}/{rule.diastolic_above} ({rule.source}).",
            )
        )
    if protocol.pregnancy_test_applicable and facts.pregnancy_test == "positive":
        reasons.append(Issue("pregnancy_test", "Pregnancy test positive."))
    return reasons


def decision_stands(decision: str, decided_on: Iterable[str], reasons: Iterable[Issue]) -> bool:
    """Whether a prescriber's go/no-go still answers the findings: it covers those it was
    decided on, not a later, different reading (a higher pre-dose BP needs a new decision)."""
    return bool(decision) and list(decided_on or []) == [r.message for r in reasons]


# --- next vitals due -------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """When the next entry is due and why; `at` None means nothing is scheduled."""

    at: datetime.datetime | None
    reason: str


def _after(
    times: Iterable[datetime.datetime], moment: datetime.datetime
) -> list[datetime.datetime]:
    return sorted(t for t in times if t >= moment)


def next_vitals_due(
    monitoring: MonitoringRule,
    *,
    dose_started_at: datetime.datetime | None,
    infusion_ended_at: datetime.datetime | None,
    vitals_times: Iterable[datetime.datetime],
    observation_ends_at: datetime.datetime | None,
    infusion: bool,
) -> Due:
    """When the protocol wants the next vitals entry.

    IV: every `during_infusion_every_min` from the dose start while the infusion runs, then
    every `after_infusion_every_min` after it ends. Esketamine: at each checkpoint (about 40
    min), then as clinically warranted (or every `then_every_min` when the clinic sets it),
    and once before the observation time ends.
    """
    times = sorted(vitals_times)
    if dose_started_at is None:
        if monitoring.pre_dose and not times:
            return Due(None, "pre-dose vitals")
        return Due(None, "")
    if infusion and monitoring.during_infusion_every_min is not None and infusion_ended_at is None:
        last = max([dose_started_at, *_after(times, dose_started_at)])
        every = monitoring.during_infusion_every_min
        return Due(last + datetime.timedelta(minutes=every), f"every {every} min during infusion")
    if infusion and monitoring.after_infusion_every_min is not None and infusion_ended_at:
        last = max([infusion_ended_at, *_after(times, infusion_ended_at)])
        every = monitoring.after_infusion_every_min
        return Due(last + datetime.timedelta(minutes=every), f"every {every} min after infusion")
    window = datetime.timedelta(minutes=monitoring.checkpoint_window_min)
    for minutes in monitoring.checkpoints_min:
        at = dose_started_at + datetime.timedelta(minutes=minutes)
        if not _after(times, at - window):
            return Due(at, f"{minutes} min after dose")
    if monitoring.then_every_min is not None:
        last = max([dose_started_at, *_after(times, dose_started_at)])
        every = monitoring.then_every_min
        return Due(last + datetime.timedelta(minutes=every), f"every {every} min")
    if not infusion and monitoring.after_infusion_every_min is not None:
        last = max([dose_started_at, *_after(times, dose_started_at)])
        every = monitoring.after_infusion_every_min
        return Due(last + datetime.timedelta(minutes=every), f"every {every} min")
    if (
        monitoring.before_discharge
        and observation_ends_at is not None
        and not _after(times, observation_ends_at - window)
    ):
        return Due(observation_ends_at, "before discharge")
    return Due(None, "as clinically warranted")


def is_overdue(due: Due, now: datetime.datetime) -> bool:
    """A due time in the past is overdue."""
    return due.at is not None and now > due.at


def assessments_due(
    monitoring: MonitoringRule,
    *,
    dose_started_at: datetime.datetime | None,
    entries: dict[str, Iterable[datetime.datetime]],
    observation_ends_at: datetime.datetime | None,
) -> list[tuple[str, Due]]:
    """For each scale (MOAA/S, CADSS-6), the next protocol time not yet covered by an entry."""
    if dose_started_at is None:
        return []
    window = datetime.timedelta(minutes=monitoring.checkpoint_window_min)
    due: list[tuple[str, Due]] = []
    for assessment in monitoring.assessments:
        times = sorted(entries.get(assessment.scale, ()))
        found = None
        for minutes in assessment.minutes_after_dose:
            at = dose_started_at + datetime.timedelta(minutes=minutes)
            if not _after(times, at - window):
                found = Due(at, f"{minutes} min after dose")
                break
        if (
            found is None
            and assessment.before_discharge
            and observation_ends_at is not None
            and not _after(times, observation_ends_at - window)
        ):
            found = Due(observation_ends_at, "before discharge")
        if found is not None:
            due.append((assessment.scale, found))
    return due


# --- observation and discharge -----------------------------------------------------------------


def observation_ends_at(
    rule: ObservationRule,
    dose_started_at: datetime.datetime | None,
    infusion_ended_at: datetime.datetime | None,
) -> datetime.datetime | None:
    """Earliest discharge by the minimum observation time; None when not yet known or not set."""
    start = infusion_ended_at if rule.measured_from == INFUSION_END else dose_started_at
    if start is None or rule.minimum_min is None:
        return None
    return start + datetime.timedelta(minutes=rule.minimum_min)


@dataclass(frozen=True)
class DischargeFacts:
    """What the record says at the moment discharge is asked for."""

    now: datetime.datetime
    dose_started_at: datetime.datetime | None
    infusion_ended_at: datetime.datetime | None = None
    infusion: bool = False
    baseline: Vitals | None = None
    latest_vitals: Vitals | None = None
    aldrete: int | None = None
    moaas: int | None = None
    escort_present: bool = False
    unresolved_effects: tuple[str, ...] = ()
    open_alerts: int = 0


def evaluate_discharge(protocol: ProtocolDefinition, facts: DischargeFacts) -> list[Issue]:
    """Every unmet discharge criterion, each named; empty means the patient may leave."""
    criteria = protocol.discharge
    observation = protocol.observation
    issues: list[Issue] = []
    if facts.dose_started_at is None:
        issues.append(Issue("dose_not_given", "No dose has been started."))
    if (
        observation.measured_from == INFUSION_END
        and facts.infusion
        and facts.infusion_ended_at is None
    ):
        issues.append(Issue("infusion_running", "The infusion has not ended."))
    ends = observation_ends_at(observation, facts.dose_started_at, facts.infusion_ended_at)
    if ends is not None and facts.now < ends:
        start = (
            "the first device" if observation.measured_from != INFUSION_END else "the infusion end"
        )
        passed = _minutes_between(
            facts.infusion_ended_at
            if observation.measured_from == INFUSION_END
            else facts.dose_started_at,
            facts.now,
        )
        issues.append(
            Issue(
                "observation_time",
                f"Minimum observation time: {observation.minimum_min} min from {start}; "
                f"{passed} min have passed.",
            )
        )
    if facts.aldrete is None:
        issues.append(Issue("aldrete", "Modified Aldrete score not recorded."))
    elif facts.aldrete < criteria.aldrete_min:
        issues.append(
            Issue(
                "aldrete",
                f"Modified Aldrete score {facts.aldrete}; needs {criteria.aldrete_min} or more.",
            )
        )
    if facts.latest_vitals is None or facts.baseline is None:
        issues.append(
            Issue("vitals", "No vitals after the dose to compare with the pre-dose baseline.")
        )
    else:
        latest, baseline = facts.latest_vitals, facts.baseline
        if not bp_within_baseline(latest, baseline, criteria.bp_within_pct_of_baseline):
            issues.append(
                Issue(
                    "vitals",
                    f"BP {latest.systolic}/{latest.diastolic} is not within "
                    f"{criteria.bp_within_pct_of_baseline}% of the pre-dose "
                    f"{baseline.systolic}/{baseline.diastolic}.",
                )
            )
        alerts = vitals_alerts(protocol.alerts, facts.latest_vitals, None)
        if alerts:
            issues.append(
                Issue(
                    "vitals",
                    "Latest vitals outside protocol limits: "
                    + "; ".join(a.message for a in alerts),
                )
            )
    if facts.moaas is None or facts.moaas != criteria.moaas_required:
        shown = "not recorded" if facts.moaas is None else str(facts.moaas)
        issues.append(Issue("moaas", f"MOAA/S {shown}; needs {criteria.moaas_required}."))
    if criteria.escort_required and not facts.escort_present:
        issues.append(Issue("escort", "No escort present for the ride home."))
    if criteria.effects_resolved_required and facts.unresolved_effects:
        names = ", ".join(e.replace("_", " ") for e in facts.unresolved_effects)
        issues.append(Issue("effects", f"Not yet resolved: {names}."))
    if facts.open_alerts:
        issues.append(Issue("open_alerts", f"{facts.open_alerts} alert(s) not acknowledged."))
    return issues
