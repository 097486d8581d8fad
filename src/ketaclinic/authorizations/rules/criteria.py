"""Payer criteria as typed rules, checked against what the record holds, with the evidence.

A clinic keeps each payer's checklist as rows of these kinds; a free-text row ('manual') is
never judged by the software and stays 'to check by hand'.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    DIAGNOSIS = "diagnosis"
    FAILED_TRIALS = "failed_trials"
    FAILED_TRIALS_IN_CLASSES = "failed_trials_in_classes"
    RATING_SCALE_HISTORY = "rating_scale_history"
    REMS_PATIENT = "rems_patient"
    REMS_SITE = "rems_site"
    CONTRAINDICATIONS_SCREENED = "contraindications_screened"
    MANUAL = "manual"


KIND_LABELS: dict[Kind, str] = {
    Kind.DIAGNOSIS: "Diagnosis code in a list (ICD-10-CM)",
    Kind.FAILED_TRIALS: "Failed adequate antidepressant trials in the current episode",
    Kind.FAILED_TRIALS_IN_CLASSES: "Failed adequate antidepressant trials across drug classes",
    Kind.RATING_SCALE_HISTORY: "Rating-scale history",
    Kind.REMS_PATIENT: "Patient enrolled in the Spravato REMS",
    Kind.REMS_SITE: "Treatment site certified in the Spravato REMS",
    Kind.CONTRAINDICATIONS_SCREENED: "Contraindications screened, none found",
    Kind.MANUAL: "Other (checked by hand)",
}

# The parameters each kind takes: name -> (type, default). Anything else is refused.
PARAMS: dict[Kind, dict[str, tuple[type, object]]] = {
    Kind.DIAGNOSIS: {"code_prefixes": (list, None)},
    Kind.FAILED_TRIALS: {"min_trials": (int, None)},
    Kind.FAILED_TRIALS_IN_CLASSES: {
        "min_trials": (int, None),
        "min_classes": (int, None),
        "current_episode_only": (bool, False),
    },
    Kind.RATING_SCALE_HISTORY: {"instruments": (list, None), "min_scores": (int, 1)},
    Kind.REMS_PATIENT: {},
    Kind.REMS_SITE: {},
    Kind.CONTRAINDICATIONS_SCREENED: {},
    Kind.MANUAL: {},
}

# How each parameter reads on the checklist ("at least 4 trials").
PARAM_WORDS: dict[str, str] = {
    "code_prefixes": "codes starting {}",
    "min_trials": "at least {} trials",
    "min_classes": "in at least {} drug classes",
    "current_episode_only": "{}",
    "instruments": "scales: {}",
    "min_scores": "at least {} score(s)",
}
INSTRUMENT_WORDS = {"phq9": "PHQ-9", "madrs": "MADRS", "qids_sr16": "QIDS-SR16", "gad7": "GAD-7"}


def instrument_code(typed: str) -> str:
    """The scale's code from what staff type: "PHQ-9", "phq9" and "Phq 9" are all `phq9`."""
    squashed = "".join(ch for ch in typed.lower() if ch.isalnum())
    for code, name in INSTRUMENT_WORDS.items():
        if squashed in (code.replace("_", ""), "".join(ch for ch in name.lower() if ch.isalnum())):
            return code
    return typed.strip().lower()


def params_in_words(params: dict) -> str:
    """A criterion's parameters as the clinic reads them, e.g. "at least 2 trials"."""
    parts = []
    for name, value in params.items():
        if name == "current_episode_only":
            value = "current episode only" if value else "any episode"
        elif name == "instruments":
            value = ", ".join(INSTRUMENT_WORDS.get(str(v), str(v).upper()) for v in value or ())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(PARAM_WORDS.get(name, name.replace("_", " ") + " {}").format(value))
    return "; ".join(parts)


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    BY_HAND = "by_hand"


VERDICT_LABELS = {
    Verdict.MET: "Met",
    Verdict.NOT_MET: "Not met",
    Verdict.BY_HAND: "To check by hand",
}


@dataclass(frozen=True)
class Criterion:
    kind: str
    label: str
    params: Mapping[str, object]


@dataclass(frozen=True)
class TrialEvidence:
    """One antidepressant trial with intake's adequacy verdict."""

    drug: str
    drug_class: str | None
    daily_dose_mg: Decimal | None
    weeks: Decimal | None
    started_on: datetime.date | None
    ended_on: datetime.date | None
    outcome: str  # readable, e.g. "No response (under 25% better)"
    failed: bool  # ended in no or partial response
    current_episode: bool
    adequate: bool
    counts_as_failed: bool  # adequate, failed, current episode, reviewed
    needs_review: bool
    reasons: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """Intake's adequacy verdict in a few words."""
        if self.needs_review:
            return "Needs a clinician's review"
        if self.counts_as_failed:
            return "Adequate failed trial (current episode)"
        if self.adequate and self.failed:
            return "Adequate failed trial (past episode)"
        if self.adequate:
            return "Adequate, did not fail"
        return "Not adequate"

    def summary(self) -> str:
        dose = f"{self.daily_dose_mg.normalize():f} mg/day" if self.daily_dose_mg else "dose ?"
        weeks = f"{self.weeks.normalize():f} weeks" if self.weeks is not None else "weeks ?"
        kind = f" ({self.drug_class})" if self.drug_class else ""
        return f"{self.drug}{kind} {dose}, {weeks}: {self.outcome or 'outcome not recorded'}"


@dataclass(frozen=True)
class ScoreEvidence:
    instrument: str
    name: str
    on: datetime.date
    total: int | None
    severity: str | None
    loinc: str | None = None  # the total's LOINC code, when the instrument definition has one

    def summary(self) -> str:
        severity = f" ({self.severity})" if self.severity else ""
        return f"{self.name} {self.total}{severity} on {self.on.isoformat()}"


@dataclass(frozen=True)
class Record:
    """What the clinic holds about the patient, as plain values."""

    drug: str
    diagnosis_code: str = ""
    diagnosis_description: str = ""
    trials: Sequence[TrialEvidence] = ()
    scores: Sequence[ScoreEvidence] = ()
    rems_patient: bool | None = None
    rems_site: bool | None = None
    rems_site_reference: str = ""
    contraindications: Sequence[str] = ()  # questions answered yes that contraindicate the drug
    unanswered: Sequence[str] = ()  # checklist questions not answered (or unknown)
    cautions: Sequence[str] = ()
    questions_answered: int = 0


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    verdict: Verdict
    evidence: tuple[str, ...]

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]


def criterion_problems(kind: str, params: Mapping[str, object]) -> dict[str, str]:
    """Field -> what must hold, for a checklist row of this kind."""
    try:
        spec = PARAMS[Kind(kind)]
    except ValueError:
        return {"kind": f"one of: {', '.join(k.value for k in Kind)}"}
    errors: dict[str, str] = {}
    for name in params:
        if name not in spec:
            errors[name] = f"not a parameter of '{kind}'"
    for name, (kind_type, default) in spec.items():
        value = params.get(name, default)
        if value is None:
            errors[name] = "required"
        elif kind_type is int and (isinstance(value, bool) or not isinstance(value, int)):
            errors[name] = "a whole number"
        elif kind_type is int and not 1 <= value <= 50:
            errors[name] = "between 1 and 50"
        elif kind_type is bool and not isinstance(value, bool):
            errors[name] = "true or false"
        elif kind_type is list and (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            errors[name] = "a list of one or more codes"
    return errors


def with_defaults(kind: str, params: Mapping[str, object]) -> dict[str, object]:
    spec = PARAMS[Kind(kind)]
    return {name: params.get(name, default) for name, (_, default) in spec.items()}


# --- the evaluators ----------------------------------------------------------------------------


def _diagnosis(c: Criterion, r: Record) -> CriterionResult:
    prefixes = [str(p).upper() for p in c.params["code_prefixes"]]
    if not r.diagnosis_code:
        return CriterionResult(c, Verdict.NOT_MET, ("No diagnosis recorded.",))
    evidence = f"{r.diagnosis_code} {r.diagnosis_description}".strip()
    met = r.diagnosis_code.upper().startswith(tuple(prefixes))
    if not met:
        evidence += f" (not one of {', '.join(prefixes)})"
    return CriterionResult(c, Verdict.MET if met else Verdict.NOT_MET, (evidence,))


def _distinct(trials: Sequence[TrialEvidence]) -> list[TrialEvidence]:
    # Payers count antidepressants: a drug tried twice counts once.
    seen: dict[str, TrialEvidence] = {}
    for trial in trials:
        seen.setdefault(trial.drug.lower(), trial)
    return list(seen.values())


def _failed_trials(c: Criterion, r: Record) -> CriterionResult:
    needed = int(c.params["min_trials"])
    counted = _distinct([t for t in r.trials if t.counts_as_failed])
    evidence = [t.summary() for t in counted]
    evidence.append(
        f"{len(counted)} adequate failed trial(s) in the current episode, {needed} asked."
    )
    verdict = Verdict.MET if len(counted) >= needed else Verdict.NOT_MET
    return CriterionResult(c, verdict, tuple(evidence))


def _failed_trials_in_classes(c: Criterion, r: Record) -> CriterionResult:
    needed, classes_needed = int(c.params["min_trials"]), int(c.params["min_classes"])
    only_current = bool(c.params.get("current_episode_only", False))
    eligible = [
        t
        for t in r.trials
        if t.adequate
        and t.failed
        and not t.needs_review
        and (t.current_episode or not only_current)
    ]
    counted = _distinct(eligible)
    classes = sorted({t.drug_class for t in counted if t.drug_class})
    scope = "in the current episode" if only_current else "in any episode"
    evidence = [t.summary() for t in counted]
    evidence.append(
        f"{len(counted)} adequate failed trial(s) {scope} in {len(classes)} class(es)"
        f"{': ' + ', '.join(classes) if classes else ''}; {needed} in {classes_needed} asked."
    )
    met = len(counted) >= needed and len(classes) >= classes_needed
    return CriterionResult(c, Verdict.MET if met else Verdict.NOT_MET, tuple(evidence))


def _rating_scales(c: Criterion, r: Record) -> CriterionResult:
    wanted = {str(i) for i in c.params["instruments"]}
    needed = int(c.params.get("min_scores") or 1)
    found = sorted((s for s in r.scores if s.instrument in wanted), key=lambda s: s.on)
    evidence = [s.summary() for s in found] or ["No score on record."]
    verdict = Verdict.MET if len(found) >= needed else Verdict.NOT_MET
    return CriterionResult(c, verdict, tuple(evidence))


def _rems_patient(c: Criterion, r: Record) -> CriterionResult:
    if r.rems_patient:
        return CriterionResult(c, Verdict.MET, ("Enrollment confirmed by clinic staff.",))
    text = "Confirmed not enrolled." if r.rems_patient is False else "Enrollment not confirmed."
    return CriterionResult(c, Verdict.NOT_MET, (text,))


def _rems_site(c: Criterion, r: Record) -> CriterionResult:
    if r.rems_site:
        reference = f" ({r.rems_site_reference})" if r.rems_site_reference else ""
        return CriterionResult(
            c, Verdict.MET, (f"Certification recorded by the clinic{reference}.",)
        )
    return CriterionResult(c, Verdict.NOT_MET, ("The clinic has not recorded its certification.",))


def _contraindications(c: Criterion, r: Record) -> CriterionResult:
    evidence = []
    if r.contraindications:
        evidence.append("Contraindication(s): " + "; ".join(r.contraindications))
    if r.unanswered:
        evidence.append("Not answered: " + "; ".join(r.unanswered))
    if not evidence:
        evidence.append(
            f"{r.questions_answered} screening questions answered; no contraindication to {r.drug}."
        )
        if r.cautions:
            evidence.append("Cautions weighed by the prescriber: " + "; ".join(r.cautions))
        return CriterionResult(c, Verdict.MET, tuple(evidence))
    return CriterionResult(c, Verdict.NOT_MET, tuple(evidence))


def _manual(c: Criterion, r: Record) -> CriterionResult:
    return CriterionResult(c, Verdict.BY_HAND, ("Not checked by the software: check by hand.",))


EVALUATORS: dict[Kind, Callable[[Criterion, Record], CriterionResult]] = {
    Kind.DIAGNOSIS: _diagnosis,
    Kind.FAILED_TRIALS: _failed_trials,
    Kind.FAILED_TRIALS_IN_CLASSES: _failed_trials_in_classes,
    Kind.RATING_SCALE_HISTORY: _rating_scales,
    Kind.REMS_PATIENT: _rems_patient,
    Kind.REMS_SITE: _rems_site,
    Kind.CONTRAINDICATIONS_SCREENED: _contraindications,
    Kind.MANUAL: _manual,
}


def evaluate(criteria: Sequence[Criterion], record: Record) -> list[CriterionResult]:
    """Each criterion with its verdict and the evidence from the record, in checklist order."""
    results = []
    for criterion in criteria:
        params = with_defaults(criterion.kind, criterion.params)
        normal = Criterion(criterion.kind, criterion.label, params)
        results.append(EVALUATORS[Kind(criterion.kind)](normal, record))
    return results


def tally(results: Sequence[CriterionResult]) -> dict[str, int]:
    counts = dict.fromkeys((v.value for v in Verdict), 0)
    for result in results:
        counts[result.verdict.value] += 1
    return counts
