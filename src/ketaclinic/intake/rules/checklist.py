"""Contraindication checklist and the C-SSRS suicide-risk flag."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .texts import RULES

# ---------------------------------------------------------------------------------------------
# Contraindications and cautions
# ---------------------------------------------------------------------------------------------


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Drug(StrEnum):
    KETAMINE = "ketamine"
    ESKETAMINE = "esketamine"


@dataclass(frozen=True)
class Question:
    """One question of the contraindication checklist."""

    key: str
    label: str
    esketamine_absolute: bool
    source: str


_ABS = RULES["esketamine_contraindications"].source
_CAUTION = RULES["cautions"].source

QUESTIONS: tuple[Question, ...] = (
    Question(
        "aneurysmal_vascular_disease",
        "Aneurysmal vascular disease (thoracic or abdominal aorta, intracranial or peripheral "
        "arterial vessels)",
        True,
        _ABS,
    ),
    Question("arteriovenous_malformation", "Arteriovenous malformation", True, _ABS),
    Question("intracerebral_hemorrhage_history", "History of intracerebral hemorrhage", True, _ABS),
    Question("hypersensitivity", "Hypersensitivity to esketamine or ketamine", True, _ABS),
    Question("uncontrolled_hypertension", "Uncontrolled hypertension", False, _CAUTION),
    Question("psychosis_history", "History of psychosis", False, _CAUTION),
    Question(
        "substance_use_disorder",
        "Active substance use disorder (especially ketamine or PCP misuse)",
        False,
        _CAUTION,
    ),
    Question("pregnancy_or_breastfeeding", "Pregnancy or breastfeeding", False, _CAUTION),
    Question("severe_hepatic_impairment", "Severe hepatic impairment", False, _CAUTION),
    Question("raised_intracranial_pressure", "Raised intracranial pressure", False, _CAUTION),
    Question("unstable_cardiac_disease", "Unstable cardiac disease", False, _CAUTION),
)
QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)
QUESTIONS_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}


@dataclass(frozen=True)
class ContraindicationFindings:
    """Keys that contraindicate, call for caution, or are still unknown, for one drug."""

    contraindications: tuple[str, ...]
    cautions: tuple[str, ...]
    unknown: tuple[str, ...]


def evaluate_contraindications(answers: Mapping[str, str], drug: str) -> ContraindicationFindings:
    """Sort the checklist answers for a drug; a question without an answer counts as unknown."""
    drug = Drug(drug)
    unexpected = set(answers) - set(QUESTION_KEYS)
    if unexpected:
        raise ValueError(f"unknown contraindication keys: {sorted(unexpected)}")
    contraindications, cautions, unknown = [], [], []
    for question in QUESTIONS:
        answer = Answer(answers.get(question.key, Answer.UNKNOWN))
        if answer == Answer.UNKNOWN:
            unknown.append(question.key)
        elif answer == Answer.YES:
            if question.esketamine_absolute and drug == Drug.ESKETAMINE:
                contraindications.append(question.key)
            else:
                cautions.append(question.key)
    return ContraindicationFindings(tuple(contraindications), tuple(cautions), tuple(unknown))


# ---------------------------------------------------------------------------------------------
# Suicide risk (C-SSRS screener)
# ---------------------------------------------------------------------------------------------

CSSRS_LEVELS = ("none", "low", "moderate", "high")


@dataclass(frozen=True)
class SuicideRisk:
    level: str | None  # None: no C-SSRS screener recorded
    urgent_review: bool


def suicide_risk_flag(level: str | None) -> SuicideRisk:
    """High C-SSRS risk is flagged for urgent review; it never makes a patient ineligible."""
    if level is None:
        return SuicideRisk(None, False)
    level = level.lower()
    if level not in CSSRS_LEVELS:
        raise ValueError(f"unknown C-SSRS risk level {level!r}")
    return SuicideRisk(level, level == "high")
