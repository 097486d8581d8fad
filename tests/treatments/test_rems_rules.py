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


def at(minutes, seconds=0):
    return T0 + datetime.timedelta(minutes=minutes, seconds=seconds)


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
    provider_telephone="(555) 010-0100",
    provider_email="sam.jones@example.org",
    first_treatment=True,
    rems_enrolled=True,
    pulse_oximetry_monitored=True,
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
        "first_treatment": "yes",
        "patient_enrolled_in_rems": "yes",
        "benzodiazepines": "no",
        "sedative_hypnotics": "no",
        "psychostimulants": "yes",
        "maois": "no",
        "opioids": "no",
        "monitoring_provider": "Sam Jones, RN",
        "monitoring_provider_telephone": "(555) 010-0100",
        "monitoring_provider_email": "sam.jones@example.org",
        "healthcare_setting": "Lakeside Clinic (outpatient)",
        "treatment_date": "2025-05-05",
        "dose": "84 mg",
        "lot_number": "ESK-2231",
        "total_monitoring_minutes": "125",
        "ready_to_leave_minutes": "90",
        "vitals_acceptable_before": "yes",
        "vitals_acceptable_at_completion": "yes",
        "bp_pre_dose": "128/80",
        "bp_40_min": "150/92",
        "bp_completion": "132/82",
        "pulse_oximetry_monitored": "yes",
        "respiratory_depression": "no",
        "respiratory_depression_resolved_at": "not applicable",
        "sedation": "yes",
        "sedation_resolved_at": at(70).isoformat(),
        "dissociation": "yes",
        "dissociation_resolved_at": at(55).isoformat(),
    }


def test_missing_record_parts_are_named():
    facts = replace(
        COMPLETE,
        lot_number="",
        blood_pressures=[BloodPressure(at(-15), 128, 80)],
        effects={},
        provider_telephone="",
        provider_email="",
        rems_enrolled=None,
        pulse_oximetry_monitored=None,
        ready_to_leave_at=None,
    )

    missing = build_form(facts)["missing"]

    assert missing == [
        "patient_enrolled_in_rems",
        "monitoring_provider_telephone",
        "monitoring_provider_email",
        "lot_number",
        "ready_to_leave_minutes",
        "bp_40_min",
        "bp_completion",
        "pulse_oximetry_monitored",
        "respiratory_depression",
        "respiratory_depression_resolved_at",
        "sedation",
        "sedation_resolved_at",
        "dissociation",
        "dissociation_resolved_at",
    ]


def test_the_ready_to_leave_time_is_in_minutes_from_the_start_of_administration():
    form = build_form(replace(COMPLETE, ready_to_leave_at=at(47, seconds=50)))

    field = next(
        f for s in form["sections"] for f in s["fields"] if f["key"] == "ready_to_leave_minutes"
    )
    assert field["value"] == "47"
    assert "minutes from the start of administration" in field["label"]


def test_enrollment_is_asked_at_the_first_treatment_only():
    later = build_form(replace(COMPLETE, first_treatment=False, rems_enrolled=None))
    first = build_form(replace(COMPLETE, first_treatment=True, rems_enrolled=None))

    assert values(later)["first_treatment"] == "no"
    assert values(later)["patient_enrolled_in_rems"] == "not asked (not the first treatment)"
    assert "patient_enrolled_in_rems" in first["missing"]


def test_a_first_treatment_of_a_patient_not_enrolled_is_a_problem_on_the_form():
    form = build_form(replace(COMPLETE, rems_enrolled=False))

    assert values(form)["patient_enrolled_in_rems"] == "no"
    assert "not enrolled in the SPRAVATO REMS" in form["problems"][0]
    assert form["complete"] is False


def test_respiratory_depression_with_its_resolution_is_part_of_the_respiratory_status():
    form = build_form(
        replace(
            COMPLETE,
            effects=COMPLETE.effects | {"respiratory_depression": EffectFacts(True, at(30))},
        )
    )

    section = next(s for s in form["sections"] if s["code"] == "respiratory")
    assert section["title"] == "Respiratory status"
    assert [(f["key"], f["value"]) for f in section["fields"]] == [
        ("pulse_oximetry_monitored", "yes"),
        ("respiratory_depression", "yes"),
        ("respiratory_depression_resolved_at", at(30).isoformat()),
    ]


def test_the_form_names_its_source_and_the_2024_modification():
    source = build_form(COMPLETE)["source"]

    assert "REMS modification of 31 Dec 2024" in source
    assert "REMS id 386" in source
    assert "clinical.md" not in source


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
