"""The REMS Patient Monitoring Form: every reference field filled from the record, and deadlines."""

import datetime
from dataclasses import replace
from decimal import Decimal

from ketaclinic.treatments.rems import (
    BloodPressure,
    EffectFacts,
    RemsFacts,
    build_form,
    dose_choice,
    is_overdue,
    submission_deadline,
)

T0 = datetime.datetime(2025, 5, 5, 9, 0, tzinfo=datetime.UTC)


def at(minutes):
    return T0 + datetime.timedelta(minutes=minutes)


COMPLETE = RemsFacts(
    patient_name="Maria Lopez",
    date_of_birth=datetime.date(1980, 2, 14),
    sex="female",
    concomitant_medications={
        "benzodiazepines": False,
        "sedative_hypnotics": False,
        "psychostimulants": True,
        "maois": False,
        "opioids": False,
    },
    monitoring_provider="Sam Jones, RN",
    healthcare_setting="Lakeside Clinic (outpatient)",
    treatment_date=datetime.date(2025, 5, 5),
    dose_mg=Decimal("84"),
    lot_number="ESK-2231",
    first_device_at=T0,
    monitoring_ended_at=at(125),
    ready_to_leave_at=at(90),
    vitals_acceptable_before=True,
    vitals_acceptable_at_completion=True,
    blood_pressures=[
        BloodPressure(at(-15), 128, 80),
        BloodPressure(at(20), 140, 88),
        BloodPressure(at(41), 150, 92),
        BloodPressure(at(118), 132, 82),
    ],
    effects={
        "sedation": EffectFacts(True, at(70)),
        "dissociation": EffectFacts(True, at(55)),
        "respiratory_depression": EffectFacts(False),
    },
)


def values(form):
    return {f["key"]: f["value"] for s in form["sections"] for f in s["fields"]}


def test_a_complete_record_fills_every_field_of_the_form():
    form = build_form(COMPLETE)

    assert form["missing"] == []
    assert form["complete"] is True
    assert values(form) == {
        "patient_name": "Maria Lopez",
        "date_of_birth": "1980-02-14",
        "sex": "female",
        "benzodiazepines": "no",
        "sedative_hypnotics": "no",
        "psychostimulants": "yes",
        "maois": "no",
        "opioids": "no",
        "monitoring_provider": "Sam Jones, RN",
        "healthcare_setting": "Lakeside Clinic (outpatient)",
        "treatment_date": "2025-05-05",
        "dose": "84 mg",
        "lot_number": "ESK-2231",
        "total_monitoring_minutes": "125",
        "ready_to_leave_at": at(90).isoformat(),
        "vitals_acceptable_before": "yes",
        "vitals_acceptable_at_completion": "yes",
        "bp_pre_dose": "128/80",
        "bp_40_min": "150/92",
        "bp_completion": "132/82",
        "sedation": "yes",
        "sedation_resolved_at": at(70).isoformat(),
        "dissociation": "yes",
        "dissociation_resolved_at": at(55).isoformat(),
        "respiratory_depression": "no",
        "respiratory_depression_resolved_at": "not applicable",
    }


def test_missing_record_parts_are_named():
    facts = replace(
        COMPLETE, lot_number="", blood_pressures=[BloodPressure(at(-15), 128, 80)], effects={}
    )

    missing = build_form(facts)["missing"]

    assert missing == [
        "lot_number",
        "bp_40_min",
        "bp_completion",
        "sedation",
        "sedation_resolved_at",
        "dissociation",
        "dissociation_resolved_at",
        "respiratory_depression",
        "respiratory_depression_resolved_at",
    ]


def test_monitoring_shorter_than_120_minutes_is_a_problem_on_the_form():
    form = build_form(replace(COMPLETE, monitoring_ended_at=at(110)))

    assert form["problems"] == ["Total monitoring 110 min is below the required 120 min."]
    assert form["complete"] is False


def test_the_dose_field_offers_56_84_or_other():
    assert dose_choice(Decimal("56")) == "56 mg"
    assert dose_choice(Decimal("84.0")) == "84 mg"
    assert dose_choice(Decimal("28")) == "other: 28 mg"


def test_a_form_is_due_7_days_after_the_session_and_overdue_after_that():
    session_day = datetime.date(2025, 5, 5)

    assert submission_deadline(session_day) == datetime.date(2025, 5, 12)
    assert not is_overdue(session_day, datetime.date(2025, 5, 12))
    assert is_overdue(session_day, datetime.date(2025, 5, 13))
