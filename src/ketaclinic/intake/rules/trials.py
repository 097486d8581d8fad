"""Antidepressant trial adequacy and treatment-resistant depression (sources: texts.RULES)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ketaclinic.intake.antidepressants import Antidepressant, dose_table, normalize_drug_name


@dataclass(frozen=True)
class IntakeSettings:
    """A clinic's adjustable thresholds (stored per clinic; these are the defaults)."""

    min_trial_weeks: int = 6  # texts.RULES['adequate_trial']; the ATHF uses more than 4 weeks
    min_failed_trials_for_trd: int = 2  # texts.RULES['trd']


DEFAULT_SETTINGS = IntakeSettings()

# Data-entry plausibility bounds of a trial (typos), not clinical limits: typed by staff or
# read from a referral.
MAX_DAILY_DOSE_MG = Decimal("10000")
MAX_TRIAL_WEEKS = Decimal("1000")


# ---------------------------------------------------------------------------------------------
# Antidepressant trials
# ---------------------------------------------------------------------------------------------


class Outcome(StrEnum):
    """How a trial ended (response >= 50% reduction, partial 25-49%, none < 25%)."""

    NO_RESPONSE = "no_response"
    PARTIAL_RESPONSE = "partial_response"
    RESPONSE = "response"
    INTOLERANCE = "intolerance"


FAILED_OUTCOMES = frozenset({Outcome.NO_RESPONSE, Outcome.PARTIAL_RESPONSE})


@dataclass(frozen=True)
class Trial:
    """One antidepressant trial as recorded at intake."""

    drug: str
    daily_dose_mg: Decimal | None
    weeks: Decimal | None
    outcome: str | None
    current_episode: bool = True
    clinician_confirmed_adequate: bool = False
    needs_review: bool = False


@dataclass(frozen=True)
class TrialAssessment:
    """What the rules made of one trial."""

    trial: Trial
    drug_key: str
    known_drug: bool
    adequate: bool
    counts_as_failed: bool
    reasons: tuple[str, ...]
    # The table cannot judge the dose (drug not in it, or no verified minimum) and no clinician
    # has confirmed it yet.
    dose_needs_confirmation: bool = False


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def assess_trial(
    trial: Trial,
    table: Mapping[str, Antidepressant] | None = None,
    settings: IntakeSettings = DEFAULT_SETTINGS,
) -> TrialAssessment:
    """Adequacy of one trial and whether it counts toward TRD (rules adequate_trial .. imported)."""
    table = dose_table() if table is None else table
    key = normalize_drug_name(trial.drug)
    row = table.get(key) or next((r for r in table.values() if key in r.aliases), None)
    reasons: list[str] = []

    dose_ok = False
    unconfirmed = False
    if row is None:
        if trial.clinician_confirmed_adequate:
            dose_ok = True
            reasons.append(f"{trial.drug}: not in the dose table; dose confirmed by a clinician")
        else:
            unconfirmed = True
            reasons.append(f"{trial.drug}: not in the dose table; needs a clinician's confirmation")
    elif trial.daily_dose_mg is None:
        reasons.append(f"{row.name}: daily dose not recorded")
    elif row.min_daily_dose_mg is None:
        bound = row.inadequate_at_or_below_mg
        if bound is not None and trial.daily_dose_mg <= bound:
            reasons.append(
                f"{row.name}: {_fmt(trial.daily_dose_mg)} mg/day is too low for an adequate "
                f"trial (the dose table's source finds {_fmt(bound)} mg/day too low)"
            )
        elif trial.clinician_confirmed_adequate:
            dose_ok = True
            reasons.append(f"{row.name}: dose confirmed adequate by a clinician")
        else:
            unconfirmed = True
            reasons.append(
                f"{row.name}: the dose table has no verified minimum dose; "
                "needs a clinician's confirmation"
            )
    elif trial.daily_dose_mg < row.min_daily_dose_mg:
        reasons.append(
            f"{row.name}: {_fmt(trial.daily_dose_mg)} mg/day is below the minimum adequate "
            f"dose of {_fmt(row.min_daily_dose_mg)} mg/day"
        )
    else:
        dose_ok = True

    weeks_ok = False
    if trial.weeks is None:
        reasons.append("duration not recorded")
    elif trial.weeks < settings.min_trial_weeks:
        reasons.append(
            f"{_fmt(trial.weeks)} weeks is shorter than the {settings.min_trial_weeks} weeks "
            "an adequate trial needs"
        )
    else:
        weeks_ok = True

    adequate = dose_ok and weeks_ok
    if trial.outcome == Outcome.INTOLERANCE:
        adequate = False
        reasons.append("stopped for side effects (intolerance): never an adequate failed trial")

    counts = adequate and trial.outcome in FAILED_OUTCOMES and trial.current_episode
    if trial.needs_review:
        counts = False
        reasons.append("imported from a referral: needs a clinician's review before it counts")
    elif adequate and trial.outcome is None:
        reasons.append("outcome not recorded")
    elif adequate and not trial.current_episode:
        reasons.append("adequate, but in a past episode")

    return TrialAssessment(
        trial=trial,
        drug_key=row.name if row else key,
        known_drug=row is not None,
        adequate=adequate,
        counts_as_failed=counts,
        reasons=tuple(reasons),
        dose_needs_confirmation=unconfirmed,
    )


@dataclass(frozen=True)
class TrdAssessment:
    """TRD status from a patient's trials."""

    trd: bool
    adequate_failed_trials: int
    failed_drugs: tuple[str, ...]
    assessments: tuple[TrialAssessment, ...]


def assess_trd(
    trials: Sequence[Trial],
    table: Mapping[str, Antidepressant] | None = None,
    settings: IntakeSettings = DEFAULT_SETTINGS,
) -> TrdAssessment:
    """TRD: at least 2 different antidepressants adequately tried and failed this episode."""
    table = dose_table() if table is None else table
    assessments = tuple(assess_trial(t, table, settings) for t in trials)
    # The definition counts antidepressants, so a drug retried in the same episode counts once.
    failed = tuple(dict.fromkeys(a.drug_key for a in assessments if a.counts_as_failed))
    return TrdAssessment(
        trd=len(failed) >= settings.min_failed_trials_for_trd,
        adequate_failed_trials=len(failed),
        failed_drugs=failed,
        assessments=assessments,
    )
