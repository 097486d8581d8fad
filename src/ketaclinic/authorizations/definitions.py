"""Data of the authorizations app: the example payer checklist, its source, and defaults."""

from __future__ import annotations

from dataclasses import dataclass

from .rules import Kind

# The example shipped with the demo and offered to copy: what payers commonly ask before they
# authorize esketamine, as Osmind's published checklist lists it. It is not any payer's policy:
# each clinic adapts it to the payer's current criteria.
EXAMPLE_PAYER_NAME = "Example commercial payer"
EXAMPLE_SOURCE = (
    "Osmind's published prior-authorization checklist for Spravato (2026): commonly asked "
    "criteria. An example to adapt to each payer's current policy, not a payer's policy."
)
ICD10_SOURCE = "ICD-10-CM: F32 (major depressive disorder, single episode), F33 (recurrent)"


@dataclass(frozen=True)
class ExampleCriterion:
    kind: str
    label: str
    params: dict


EXAMPLE_CRITERIA: tuple[ExampleCriterion, ...] = (
    ExampleCriterion(
        Kind.DIAGNOSIS,
        "Diagnosis of major depressive disorder (ICD-10-CM F32 or F33)",
        {"code_prefixes": ["F32", "F33"]},
    ),
    ExampleCriterion(
        Kind.FAILED_TRIALS,
        "At least 2 failed adequate antidepressant trials in the current episode",
        {"min_trials": 2},
    ),
    ExampleCriterion(
        Kind.FAILED_TRIALS_IN_CLASSES,
        "At least 4 failed adequate antidepressant trials in 2 classes (some payers ask this)",
        {"min_trials": 4, "min_classes": 2, "current_episode_only": False},
    ),
    ExampleCriterion(
        Kind.RATING_SCALE_HISTORY,
        "PHQ-9 or MADRS history",
        {"instruments": ["phq9", "madrs"], "min_scores": 1},
    ),
    ExampleCriterion(Kind.REMS_PATIENT, "Patient enrolled in the Spravato REMS", {}),
    ExampleCriterion(
        Kind.MANUAL,
        "Compare with this payer's current policy form before submitting",
        {},
    ),
)

# Instruments a packet shows as rating-scale history.
PACKET_INSTRUMENTS = ("phq9", "madrs")

# Warn this many days before an approval's last day (a clinic setting; this is the default).
DEFAULT_EXPIRY_WARNING_DAYS = 14

SUBSCRIBER_RELATIONSHIPS = (
    ("self", "Self"),
    ("spouse", "Spouse"),
    ("child", "Child"),
    ("other", "Other"),
)
COVERAGE_ORDERS = ((1, "Primary"), (2, "Secondary"), (3, "Tertiary"))
YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "Unknown"))

NOTHING_SENT = (
    "Nothing is sent to the payer from here: download the packet and upload or fax it "
    "through the payer's own portal or fax line."
)
