"""Contraindication checklist and the C-SSRS suicide-risk flag."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .texts import KETAMINE_LABELS, RULES

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
class LabelContraindication:
    """One absolute contraindication of a product label, tied to the checklist question for it."""

    key: str  # the checklist question a 'yes' to which is this contraindication
    wording: str  # what the label says
    source: str


# Absolute contraindications per drug, as the product labels list them. A 'yes' to any of these
# makes a protocol of that drug ineligible; a 'yes' to any other question asks for review.
ABSOLUTE_CONTRAINDICATIONS: dict[Drug, tuple[LabelContraindication, ...]] = {
    Drug.ESKETAMINE: tuple(
        LabelContraindication(key, wording, RULES["esketamine_contraindications"].source)
        for key, wording in (
            (
                "aneurysmal_vascular_disease",
                "Aneurysmal vascular disease (including thoracic and abdominal aorta, "
                "intracranial and peripheral arterial vessels)",
            ),
            ("arteriovenous_malformation", "Arteriovenous malformation"),
            ("intracerebral_hemorrhage_history", "History of intracerebral hemorrhage"),
            ("hypersensitivity", "Hypersensitivity to esketamine, ketamine or any excipient"),
        )
    ),
    Drug.KETAMINE: tuple(
        LabelContraindication(key, wording, KETAMINE_LABELS)
        for key, wording in (
            ("hypersensitivity", "Known hypersensitivity to ketamine or any excipient"),
            (
                "uncontrolled_hypertension",
                "Patients in whom a significant elevation of blood pressure would constitute "
                "a serious hazard",
            ),
        )
    ),
}


@dataclass(frozen=True)
class Question:
    """One question of the contraindication checklist."""

    key: str
    label: str
    caution_source: str  # why a 'yes' is a caution for a drug it does not contraindicate

    def absolute_for(self, drug: str) -> LabelContraindication | None:
        """The label contraindication a 'yes' means for this drug, or None (a caution)."""
        return next(
            (c for c in ABSOLUTE_CONTRAINDICATIONS.get(Drug(drug), ()) if c.key == self.key),
            None,
        )

    @property
    def absolute_drugs(self) -> tuple[str, ...]:
        return tuple(str(drug) for drug in Drug if self.absolute_for(drug) is not None)

    @property
    def esketamine_absolute(self) -> bool:
        return self.absolute_for(Drug.ESKETAMINE) is not None

    @property
    def source(self) -> str:
        """Every source behind this question: the labels it is a contraindication in, else the
        sources of the cautions."""
        labels = dict.fromkeys(c.source for d in Drug if (c := self.absolute_for(d)) is not None)
        return "; ".join(labels) if labels else self.caution_source


_CAUTION = RULES["cautions"].source

QUESTIONS: tuple[Question, ...] = (
    Question(
        "aneurysmal_vascular_disease",
        "Aneurysmal vascular disease (thoracic or abdominal aorta, intracranial or peripheral "
        "arterial vessels)",
        _CAUTION,
    ),
    Question("arteriovenous_malformation", "Arteriovenous malformation", _CAUTION),
    Question("intracerebral_hemorrhage_history", "History of intracerebral hemorrhage", _CAUTION),
    Question("hypersensitivity", "Hypersensitivity to esketamine or ketamine", _CAUTION),
    Question(
        "uncontrolled_hypertension",
        "Uncontrolled hypertension, or another condition in which a significant rise in blood "
        "pressure would be a serious hazard",
        _CAUTION,
    ),
    Question("psychosis_history", "History of psychosis", _CAUTION),
    Question(
        "substance_use_disorder",
        "Active substance use disorder (especially ketamine or PCP misuse)",
        _CAUTION,
    ),
    Question("pregnancy_or_breastfeeding", "Pregnancy or breastfeeding", _CAUTION),
    Question("severe_hepatic_impairment", "Severe hepatic impairment", _CAUTION),
    Question("raised_intracranial_pressure", "Raised intracranial pressure", _CAUTION),
    Question("unstable_cardiac_disease", "Unstable cardiac disease", _CAUTION),
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
            if question.absolute_for(drug) is not None:
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
