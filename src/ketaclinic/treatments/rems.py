"""The Spravato REMS Patient Monitoring Form, filled from a session record (pure)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from ketaclinic.protocols.definitions import CONCOMITANT_MEDICATION_CLASSES, ESK_REMS

SOURCE = f"REMS Patient Monitoring Form, outpatient settings ({ESK_REMS})"
SUBMIT_WITHIN_DAYS = 7  # "Submit within 7 days of the session" (clinical.md section 1)
MINIMUM_MONITORING_MIN = 120  # "must be 120 or more" (clinical.md section 1)
BP_40_MIN_WINDOW = (30, 55)  # "about 40 min": the entry nearest 40 min within this window


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


def build_form(facts: RemsFacts) -> dict:
    """The form as ordered sections of labelled fields; unfilled fields are named in `missing`."""
    pre, at_40, completion = bp_at_points(
        facts.blood_pressures, facts.first_device_at, facts.monitoring_ended_at
    )
    total = None
    if facts.first_device_at and facts.monitoring_ended_at:
        total = int((facts.monitoring_ended_at - facts.first_device_at).total_seconds() // 60)
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
            "Monitoring",
            [
                ("monitoring_provider", "Monitoring provider", facts.monitoring_provider),
                ("healthcare_setting", "Healthcare setting", facts.healthcare_setting),
            ],
        ),
        (
            "treatment",
            "Treatment",
            [
                (
                    "treatment_date",
                    "Treatment date",
                    facts.treatment_date.isoformat() if facts.treatment_date else "",
                ),
                ("dose", "Dose (56 / 84 / other)", dose_choice(facts.dose_mg)),
                ("lot_number", "Lot number", facts.lot_number),
                (
                    "total_monitoring_minutes",
                    "Total minutes from first device to end of monitoring",
                    "" if total is None else str(total),
                ),
                (
                    "ready_to_leave_at",
                    "Time the patient would have been ready to leave without the 2-hour rule",
                    _time(facts.ready_to_leave_at),
                ),
            ],
        ),
        (
            "vital_signs",
            "Vital signs",
            [
                (
                    "vitals_acceptable_before",
                    "Vital signs acceptable before administration",
                    _yes_no(facts.vitals_acceptable_before),
                ),
                (
                    "vitals_acceptable_at_completion",
                    "Vital signs acceptable before completion of monitoring",
                    _yes_no(facts.vitals_acceptable_at_completion),
                ),
                ("bp_pre_dose", "Blood pressure pre-dose", _bp(pre)),
                ("bp_40_min", "Blood pressure at about 40 minutes", _bp(at_40)),
                ("bp_completion", "Blood pressure before completion", _bp(completion)),
            ],
        ),
        (
            "effects",
            "During the session",
            [
                item
                for code, label in (
                    ("sedation", "Sedation"),
                    ("dissociation", "Dissociation"),
                    ("respiratory_depression", "Respiratory depression"),
                )
                for item in (
                    (
                        code,
                        label,
                        _yes_no(facts.effects[code].occurred) if code in facts.effects else "",
                    ),
                    (
                        f"{code}_resolved_at",
                        f"{label}: resolution time",
                        _time(facts.effects[code].resolved_at)
                        if code in facts.effects and facts.effects[code].occurred
                        else "not applicable"
                        if code in facts.effects
                        else "",
                    ),
                )
            ],
        ),
    ]
    missing = [key for _, _, items in sections for key, _, value in items if value == ""]
    problems = []
    if total is not None and total < MINIMUM_MONITORING_MIN:
        problems.append(
            f"Total monitoring {total} min is below the required {MINIMUM_MONITORING_MIN} min."
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
        "problems": problems,
        "complete": not missing and not problems,
    }


def submission_deadline(treatment_date: datetime.date) -> datetime.date:
    """Last day to submit: 7 days after the session."""
    return treatment_date + datetime.timedelta(days=SUBMIT_WITHIN_DAYS)


def is_overdue(treatment_date: datetime.date, today: datetime.date) -> bool:
    """Overdue once the deadline day has passed without submission."""
    return today > submission_deadline(treatment_date)
