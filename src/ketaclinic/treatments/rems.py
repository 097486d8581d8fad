"""The Spravato REMS Patient Monitoring Form, filled from a session record (pure)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from ketaclinic.protocols.definitions import CONCOMITANT_MEDICATION_CLASSES
from ketaclinic.protocols.sources import (
    ESK_REMS,
    ESK_REMS_2024,
    ESKETAMINE_LABEL_FLOORS,
    US_FDA,
)

SOURCE = (
    "Spravato REMS Patient Monitoring Form, outpatient healthcare settings, as revised with the "
    f"{ESK_REMS_2024}"
)
SUBMIT_WITHIN_DAYS = 7  # "submit completed patient monitoring forms within 7 days" (the form)
# "patient must be monitored for at least 2 hours" (the form; the US label floors)
MINIMUM_MONITORING_MIN = ESKETAMINE_LABEL_FLOORS[US_FDA].observation_min
BP_40_MIN_WINDOW = (30, 55)  # "about 40 min": the entry nearest 40 min within this window
NOT_FIRST = "not asked (not the first treatment)"


@dataclass(frozen=True)
class BloodPressure:
    """A timed blood pressure reading."""

    at: datetime.datetime
    systolic: int
    diastolic: int


@dataclass(frozen=True)
class EffectFacts:
    """Whether an effect occurred during the session and when it resolved."""

    occurred: bool
    resolved_at: datetime.datetime | None = None


@dataclass(frozen=True)
class RemsFacts:
    """Everything the form needs, read from the session record."""

    patient_name: str
    date_of_birth: datetime.date | None
    sex: str
    concomitant_medications: dict[str, bool]
    monitoring_provider: str
    healthcare_setting: str
    treatment_date: datetime.date | None
    dose_mg: Decimal | None
    lot_number: str
    first_device_at: datetime.datetime | None
    monitoring_ended_at: datetime.datetime | None
    ready_to_leave_at: datetime.datetime | None
    vitals_acceptable_before: bool | None
    vitals_acceptable_at_completion: bool | None
    blood_pressures: list[BloodPressure] = field(default_factory=list)
    effects: dict[str, EffectFacts] = field(default_factory=dict)
    provider_telephone: str = ""
    provider_email: str = ""
    first_treatment: bool | None = None
    rems_enrolled: bool | None = None
    pulse_oximetry_monitored: bool | None = None
    # Why the session ended before discharge (it was aborted), or "": what monitoring could not
    # record then is written as not recorded instead of being left to fill.
    ended_early: str = ""


def _bp(reading: BloodPressure | None) -> str:
    return f"{reading.systolic}/{reading.diastolic}" if reading else ""


def _time(value: datetime.datetime | None) -> str:
    return value.isoformat() if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def bp_at_points(
    readings: list[BloodPressure],
    first_device_at: datetime.datetime | None,
    monitoring_ended_at: datetime.datetime | None,
) -> tuple[BloodPressure | None, BloodPressure | None, BloodPressure | None]:
    """Pre-dose (last before the first device), about 40 min, and before completion (last)."""
    if first_device_at is None:
        return None, None, None
    ordered = sorted(readings, key=lambda r: r.at)
    before = [r for r in ordered if r.at <= first_device_at]
    low, high = (first_device_at + datetime.timedelta(minutes=m) for m in BP_40_MIN_WINDOW)
    around = [r for r in ordered if low <= r.at <= high]
    target = first_device_at + datetime.timedelta(minutes=40)
    at_40 = min(around, key=lambda r: abs((r.at - target).total_seconds())) if around else None
    end = monitoring_ended_at or (ordered[-1].at if ordered else None)
    after = [r for r in ordered if r.at > first_device_at and (end is None or r.at <= end)]
    # Before completion means a reading later than the 40-min one.
    completion = after[-1] if after and (at_40 is None or after[-1].at > at_40.at) else None
    return (before[-1] if before else None), at_40, completion


def dose_choice(dose_mg: Decimal | None) -> str:
    """The form's dose field offers 56 / 84 / other."""
    if dose_mg is None:
        return ""
    if dose_mg in (Decimal("56"), Decimal("84")):
        return f"{int(dose_mg)} mg"
    return f"other: {dose_mg.normalize()} mg"


def _minutes(start: datetime.datetime | None, end: datetime.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)


def _effect_items(facts: RemsFacts, code: str, label: str) -> list[tuple[str, str, str]]:
    effect = facts.effects.get(code)
    if effect is None:
        resolved = ""
    elif effect.occurred:
        resolved = _time(effect.resolved_at)
    else:
        resolved = "not applicable"
    return [
        (code, label, _yes_no(effect.occurred) if effect else ""),
        (f"{code}_resolved_at", f"{label}: resolution time", resolved),
    ]


def _enrolled(facts: RemsFacts) -> str:
    if facts.rems_enrolled is not None:
        return _yes_no(facts.rems_enrolled)
    # The form asks about enrollment only when this is the patient's first treatment.
    return NOT_FIRST if facts.first_treatment is False else ""


# The fields the observation fills as it goes: a session that ended early (aborted after the
# dose) may not have reached them.
MONITORING_FIELDS = frozenset(
    {
        "total_monitoring_minutes",
        "ready_to_leave_minutes",
        "vitals_acceptable_at_completion",
        "bp_40_min",
        "bp_completion",
        "pulse_oximetry_monitored",
        "sedation_resolved_at",
        "dissociation_resolved_at",
        "respiratory_depression_resolved_at",
    }
)


def build_form(facts: RemsFacts) -> dict:
    """The form as ordered sections of labelled fields; unfilled fields are named in `missing`.

    Fields follow the current outpatient form: the ready-to-leave time in minutes from the
    start of administration, the monitoring provider's telephone and email, first treatment
    and REMS enrollment, and the respiratory status added by the REMS modification of
    31 Dec 2024 (pulse oximetry; respiratory depression and its resolution).
    """
    pre, at_40, completion = bp_at_points(
        facts.blood_pressures, facts.first_device_at, facts.monitoring_ended_at
    )
    total = _minutes(facts.first_device_at, facts.monitoring_ended_at)
    ready = _minutes(facts.first_device_at, facts.ready_to_leave_at)
    sections = [
        (
            "patient",
            "Patient",
            [
                ("patient_name", "Patient name", facts.patient_name),
                (
                    "date_of_birth",
                    "Date of birth",
                    facts.date_of_birth.isoformat() if facts.date_of_birth else "",
                ),
                ("sex", "Sex", facts.sex),
                ("first_treatment", "First treatment?", _yes_no(facts.first_treatment)),
                (
                    "patient_enrolled_in_rems",
                    "Patient enrolled in the SPRAVATO REMS?",
                    _enrolled(facts),
                ),
            ],
        ),
        (
            "concomitant_medications",
            "Concomitant medications",
            [
                (code, label, _yes_no(facts.concomitant_medications.get(code)))
                for code, label in CONCOMITANT_MEDICATION_CLASSES
            ],
        ),
        (
            "setting",
            "Healthcare provider conducting patient monitoring",
            [
                ("monitoring_provider", "Monitoring provider", facts.monitoring_provider),
                ("monitoring_provider_telephone", "Telephone", facts.provider_telephone),
                ("monitoring_provider_email", "Email", facts.provider_email),
                ("healthcare_setting", "Healthcare setting", facts.healthcare_setting),
            ],
        ),
        (
            "treatment",
            "Treatment session",
            [
                (
                    "treatment_date",
                    "Treatment date",
                    facts.treatment_date.isoformat() if facts.treatment_date else "",
                ),
                ("dose", "Dose administered (56 / 84 / other)", dose_choice(facts.dose_mg)),
                ("lot_number", "Lot number", facts.lot_number),
                (
                    "total_monitoring_minutes",
                    "Total minutes from the first device to completion of monitoring",
                    "" if total is None else str(total),
                ),
                (
                    "ready_to_leave_minutes",
                    "Without the 2-hour minimum, the patient would have been ready to leave "
                    "at (minutes from the start of administration)",
                    "" if ready is None else str(ready),
                ),
            ],
        ),
        (
            "vital_signs",
            "Vital signs",
            [
                (
                    "vitals_acceptable_before",
                    "Vital signs in acceptable range prior to administration",
                    _yes_no(facts.vitals_acceptable_before),
                ),
                (
                    "vitals_acceptable_at_completion",
                    "Vital signs in acceptable range prior to treatment session completion",
                    _yes_no(facts.vitals_acceptable_at_completion),
                ),
                ("bp_pre_dose", "Blood pressure prior to administration", _bp(pre)),
                ("bp_40_min", "Blood pressure about 40 minutes after administration", _bp(at_40)),
                ("bp_completion", "Blood pressure prior to session completion", _bp(completion)),
            ],
        ),
        (
            "respiratory",
            "Respiratory status",
            [
                (
                    "pulse_oximetry_monitored",
                    "Pulse oximetry monitored during the observation period",
                    _yes_no(facts.pulse_oximetry_monitored),
                ),
                *_effect_items(facts, "respiratory_depression", "Respiratory depression"),
            ],
        ),
        (
            "effects",
            "Sedation and dissociation",
            [
                *_effect_items(facts, "sedation", "Sedation"),
                *_effect_items(facts, "dissociation", "Dissociation"),
            ],
        ),
    ]
    not_recorded = []
    if facts.ended_early:
        # Only what the monitoring itself would have recorded later; anything else still
        # missing (a telephone, a lot) stays missing.
        note = f"not recorded: the session ended early ({facts.ended_early})"
        for _, _, items in sections:
            for index, (key, label, value) in enumerate(items):
                if value == "" and key in MONITORING_FIELDS:
                    items[index] = (key, label, note)
                    not_recorded.append(key)
    missing = [key for _, _, items in sections for key, _, value in items if value == ""]
    missing_labels = [label for _, _, items in sections for _, label, value in items if value == ""]
    problems = []
    if total is not None and total < MINIMUM_MONITORING_MIN:
        problems.append(
            f"Total monitoring {total} min is below the required {MINIMUM_MONITORING_MIN} min."
        )
    if facts.first_treatment and facts.rems_enrolled is False:
        problems.append(
            "The patient is not enrolled in the SPRAVATO REMS: enrollment comes before the first "
            f"treatment ({ESK_REMS})."
        )
    return {
        "source": SOURCE,
        "sections": [
            {
                "code": code,
                "title": title,
                "fields": [
                    {"key": key, "label": label, "value": value} for key, label, value in items
                ],
            }
            for code, title, items in sections
        ],
        "missing": missing,
        "missing_labels": missing_labels,
        "not_recorded": not_recorded,
        "problems": problems,
        "complete": not missing and not problems,
    }


def submission_deadline(treatment_date: datetime.date) -> datetime.date:
    """Last day to submit: 7 days after the session."""
    return treatment_date + datetime.timedelta(days=SUBMIT_WITHIN_DAYS)


def is_overdue(treatment_date: datetime.date, today: datetime.date) -> bool:
    """Overdue once the deadline day has passed without submission."""
    return today > submission_deadline(treatment_date)
