"""The eligible / review / ineligible recommendation, decisions, and the gate before treatment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ketaclinic.intake.antidepressants import Antidepressant

from .checklist import QUESTIONS_BY_KEY, SuicideRisk, evaluate_contraindications, suicide_risk_flag
from .maudsley import MaudsleyStage, maudsley_stage
from .texts import RULES, SPRAVATO_LABEL
from .trials import DEFAULT_SETTINGS, IntakeSettings, Trial, TrialAssessment, assess_trd

# ---------------------------------------------------------------------------------------------
# Eligibility
# ---------------------------------------------------------------------------------------------


class Recommendation(StrEnum):
    ELIGIBLE = "eligible"
    REVIEW = "review"
    INELIGIBLE = "ineligible"


@dataclass(frozen=True)
class Indication:
    requires_trd: bool
    source: str


# Whether a protocol's indication is treatment-resistant depression. Protocols not listed are
# assessed against TRD: esketamine's TRD indication, and the common off-label use of ketamine for
# TRD (no label states it; a clinic may list its own protocols here).
PROTOCOL_INDICATIONS: dict[str, Indication] = {
    "esketamine_trd": Indication(
        True, f"{SPRAVATO_LABEL}, section 1 Indications and Usage: treatment-resistant depression"
    ),
    "esketamine_mdsi": Indication(
        False,
        f"{SPRAVATO_LABEL}, section 1 Indications and Usage: depressive symptoms in adults with "
        "major depressive disorder with acute suicidal ideation or behavior",
    ),
}
DEFAULT_INDICATION = Indication(True, RULES["protocol_indication"].source)


def protocol_requires_trd(code: str) -> bool:
    return PROTOCOL_INDICATIONS.get(code, DEFAULT_INDICATION).requires_trd


@dataclass(frozen=True)
class EligibilityInput:
    """Everything the recommendation depends on, as plain values."""

    drug: str
    requires_trd: bool
    trials: Sequence[Trial]
    answers: Mapping[str, str]
    suicide_risk_level: str | None = None
    episode_duration_months: int | None = None
    current_severity: str | None = None
    augmentation_used: bool = False
    ect_used: bool = False


@dataclass(frozen=True)
class Eligibility:
    """The recommendation and everything a prescriber needs to see beside it."""

    trd: bool
    adequate_failed_trials: int
    failed_drugs: tuple[str, ...]
    maudsley: MaudsleyStage
    contraindications: tuple[str, ...]
    cautions: tuple[str, ...]
    unknown: tuple[str, ...]
    suicide_risk: SuicideRisk
    recommendation: Recommendation
    reasons: tuple[str, ...]
    trial_assessments: tuple[TrialAssessment, ...]

    @property
    def approval_blocked(self) -> bool:
        return bool(self.unknown)


def _labels(keys: Sequence[str]) -> str:
    return "; ".join(QUESTIONS_BY_KEY[k].label.lower() for k in keys)


def evaluate_eligibility(
    data: EligibilityInput,
    table: Mapping[str, Antidepressant] | None = None,
    settings: IntakeSettings = DEFAULT_SETTINGS,
) -> Eligibility:
    """The eligible / review / ineligible recommendation with its reasons (rule recommendation)."""
    trd = assess_trd(data.trials, table, settings)
    findings = evaluate_contraindications(data.answers, data.drug)
    risk = suicide_risk_flag(data.suicide_risk_level)
    msm = maudsley_stage(
        duration_months=data.episode_duration_months,
        severity=data.current_severity,
        failed_treatments=trd.adequate_failed_trials,
        augmentation_used=data.augmentation_used,
        ect_used=data.ect_used,
    )

    reasons: list[str] = []
    ineligible = review = False
    if findings.contraindications:
        ineligible = True
        label_rules = [
            QUESTIONS_BY_KEY[k].absolute_for(data.drug) for k in findings.contraindications
        ]
        sources = "; ".join(dict.fromkeys(c.source for c in label_rules if c is not None))
        reasons.append(
            f"Contraindicated for {data.drug}: {_labels(findings.contraindications)} "
            f"(source: {sources})"
        )
    if findings.unknown:
        review = True
        reasons.append(f"Not yet answered (blocks approval): {_labels(findings.unknown)}")
    if findings.cautions:
        review = True
        reasons.append(f"Caution, prescriber to weigh: {_labels(findings.cautions)}")

    n = trd.adequate_failed_trials
    trials_word = "trial" if n == 1 else "trials"
    if trd.trd:
        reasons.append(
            f"Treatment-resistant: {n} adequate failed {trials_word} in the current episode "
            f"({', '.join(trd.failed_drugs)})"
        )
    elif data.requires_trd:
        review = True
        reasons.append(
            f"Not treatment-resistant: {n} adequate failed {trials_word} in the current episode, "
            f"{settings.min_failed_trials_for_trd} needed"
        )
    else:
        reasons.append("This protocol's indication does not require TRD")

    unreviewed = sum(1 for a in trd.assessments if a.trial.needs_review)
    if unreviewed:
        reasons.append(f"{unreviewed} imported trial(s) need a clinician's review")
    unknown_drugs = [
        a.trial.drug for a in trd.assessments if a.dose_needs_confirmation and not a.known_drug
    ]
    if unknown_drugs:
        reasons.append(
            f"Drug(s) not in the dose table, not yet confirmed: {', '.join(unknown_drugs)}"
        )
    unjudged = [a.drug_key for a in trd.assessments if a.dose_needs_confirmation and a.known_drug]
    if unjudged:
        reasons.append(
            "Dose(s) the table cannot judge (no verified minimum), not yet confirmed: "
            + ", ".join(unjudged)
        )

    if risk.urgent_review:
        review = True
        reasons.append("C-SSRS high risk: urgent clinical review (not a contraindication)")

    if ineligible:
        recommendation = Recommendation.INELIGIBLE
    elif review:
        recommendation = Recommendation.REVIEW
    else:
        recommendation = Recommendation.ELIGIBLE
    return Eligibility(
        trd=trd.trd,
        adequate_failed_trials=n,
        failed_drugs=trd.failed_drugs,
        maudsley=msm,
        contraindications=findings.contraindications,
        cautions=findings.cautions,
        unknown=findings.unknown,
        suicide_risk=risk,
        recommendation=recommendation,
        reasons=tuple(reasons),
        trial_assessments=trd.assessments,
    )


# ---------------------------------------------------------------------------------------------
# Decisions and the gate before treatment
# ---------------------------------------------------------------------------------------------


class DecisionOutcome(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"


def decision_errors(
    outcome: str, eligibility: Eligibility, justification: str = ""
) -> dict[str, str]:
    """Why a prescriber's decision cannot be recorded as given (field -> message); empty if it can.

    Unknown answers block approval only: declining never exposes a patient to a risk.
    """
    outcome = DecisionOutcome(outcome)
    errors: dict[str, str] = {}
    if outcome == DecisionOutcome.APPROVE:
        if eligibility.unknown:
            errors["contraindications"] = (
                "Answer every contraindication question before approving; still unknown: "
                + _labels(eligibility.unknown)
            )
        if eligibility.recommendation != Recommendation.ELIGIBLE and not justification.strip():
            errors["justification"] = (
                f"The recommendation is '{eligibility.recommendation}': approving against it "
                "needs a written justification."
            )
    return errors


def treatment_blockers_for(
    *,
    drug: str,
    consent_type: str,
    latest_decision: str | None,
    consent_signed: bool,
    changed_since_approval: Sequence[str] = (),
) -> list[str]:
    """Unmet conditions before a session under a protocol may start; empty means none.

    latest_decision is the most recent eligibility decision for the drug (approve/decline/None);
    changed_since_approval lists checklist keys answered yes or unknown after that approval,
    which sends the patient back to a prescriber before the next session.
    """
    blockers = []
    if latest_decision != DecisionOutcome.APPROVE:
        if latest_decision == DecisionOutcome.DECLINE:
            blockers.append(f"Eligibility for {drug} was declined")
        else:
            blockers.append(f"No approved eligibility decision for {drug}")
    elif changed_since_approval:
        blockers.append(
            "Contraindication checklist changed after the approval (re-assess eligibility): "
            + _labels(changed_since_approval)
        )
    if not consent_signed:
        blockers.append(f"No signed, unrevoked consent ({consent_type.replace('_', ' ')})")
    return blockers
