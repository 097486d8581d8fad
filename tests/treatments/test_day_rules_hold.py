"""Treatment-day rules that hold whatever order things are charted in: an adverse event's
resolution, a go decision's reading, the pre-dose window, a discharge charted later, the dose
start after its pre-dose reading."""

import pytest

from ketaclinic.treatments import services
from ketaclinic.treatments.models import AdverseEvent, TreatmentSession
from tests.treatments.helpers import (
    ALDRETE_10,
    PRE_DOSE,
    ago,
    checked_in,
    course_today,
    dosing_started,
    first_session,
    ordered,
    pre_checked,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]
CALM = {"systolic": 132, "diastolic": 82, "heart_rate": 76, "spo2": 97, "resp_rate": 14}


def _recovered(n, s):
    assert n.post(f"/sessions/{s.id}/scales", {"scale": "moaas", "score": 5}).status_code == 201
    assert (
        n.post(f"/sessions/{s.id}/scales", {"scale": "aldrete", "items": ALDRETE_10}).status_code
        == 201
    )
    assert n.post(f"/sessions/{s.id}/vitals", CALM).status_code == 201


def test_an_adverse_event_not_resolved_cannot_carry_a_resolution_time(
    api, prescriber, nurse, patient
):
    s = dosing_started(
        first_session(course_today(prescriber, nurse, patient)), prescriber, nurse, minutes_ago=130
    )
    n = api(nurse)
    event = n.post(
        f"/sessions/{s.id}/events",
        {
            "code": "dissociation", "severity": "moderate", "action": "observation_extended",
            "outcome": "not_resolved", "onset_at": ago(100).isoformat(),
            "resolved_at": ago(50).isoformat(),
        },
    )  # fmt: skip
    # it would count the dissociation as over: refused, naming the field, nothing saved
    assert event.status_code == 422
    assert event.json()["fields"] == {"resolved_at": "only with the outcome resolved"}
    assert not AdverseEvent.objects.filter(session=s).exists()
    # charted as not resolved, it keeps the patient from leaving
    kept = n.post(
        f"/sessions/{s.id}/events",
        {
            "code": "dissociation", "severity": "moderate", "action": "observation_extended",
            "outcome": "not_resolved", "onset_at": ago(100).isoformat(),
        },
    )  # fmt: skip
    assert kept.status_code == 201
    _recovered(n, s)
    answer = n.post(f"/sessions/{s.id}/discharge", {"escort_present": True})
    assert answer.status_code == 409
    assert "effects" in answer.json()["fields"]


def test_a_go_decision_on_one_high_bp_does_not_cover_a_later_higher_pre_dose_bp(
    api, web, prescriber, nurse, patient
):
    s = pre_checked(
        first_session(course_today(prescriber, nurse, patient)),
        nurse,
        vitals={"systolic": 150, "diastolic": 95},
    )
    go = api(prescriber).post(
        f"/sessions/{s.id}/go-no-go", {"decision": "go", "note": "150/95 acceptable today"}
    )
    assert go.status_code == 200
    # a new pre-dose reading, far higher, after the decision
    assert (
        api(nurse).post(f"/sessions/{s.id}/vitals", {"systolic": 210, "diastolic": 125}).status_code
        == 201
    )
    s = ordered(TreatmentSession.objects.get(pk=s.pk), prescriber, nurse)

    answer = api(nurse).post(f"/sessions/{s.id}/start-dose", {})

    assert answer.status_code == 409
    assert "findings changed since the decision" in answer.json()["fields"]["go_no_go"]
    assert "210/125" in answer.json()["fields"]["go_no_go"]
    # the session page asks the prescriber again (the earlier decision no longer stands)
    page = web(prescriber).get(f"/treatments/sessions/{s.id}/").content.decode()
    assert f"/treatments/sessions/{s.id}/go-no-go/" in page
    # a decision on the new reading lets the dose start
    go = api(prescriber).post(
        f"/sessions/{s.id}/go-no-go", {"decision": "go", "note": "Rechecked, discussed: go"}
    )
    assert go.status_code == 200
    assert api(nurse).post(f"/sessions/{s.id}/start-dose", {}).status_code == 200


def test_pre_dose_vitals_from_days_ago_are_refused_as_the_pre_check_form_refuses_them(
    api, prescriber, nurse, patient
):
    s = checked_in(first_session(course_today(prescriber, nurse, patient)), nurse)
    stale = PRE_DOSE | {"measured_at": ago(3 * 24 * 60).isoformat()}

    answer = api(nurse).post(f"/sessions/{s.id}/vitals", stale)

    assert answer.status_code == 422
    assert "30 minutes before check-in" in answer.json()["fields"]["measured_at"]


def test_a_backdated_discharge_is_judged_without_entries_charted_after_it(
    api, prescriber, nurse, patient
):
    s = dosing_started(
        first_session(course_today(prescriber, nurse, patient)), prescriber, nurse, minutes_ago=135
    )
    n = api(nurse)
    _recovered(n, s)  # MOAA/S, Aldrete and vitals measured now
    # discharged "at" 14 minutes ago: the observation time had passed, nothing else was charted
    answer = n.post(
        f"/sessions/{s.id}/discharge", {"escort_present": True, "at": ago(14).isoformat()}
    )

    assert answer.status_code == 409
    assert {"moaas", "aldrete", "vitals"} <= set(answer.json()["fields"])
    # discharged now, the same entries meet the criteria
    assert n.post(f"/sessions/{s.id}/discharge", {"escort_present": True}).status_code == 200


def test_the_dose_cannot_start_before_the_pre_dose_vitals_were_measured(
    api, prescriber, nurse, patient
):
    s = checked_in(first_session(course_today(prescriber, nurse, patient)), nurse, at=ago(200))
    services.record_pre_checks(  # pre-dose BP 128/80 measured now
        actor=nurse,
        session=s,
        vitals=PRE_DOSE,
        last_food_at=ago(400),
        last_liquid_at=ago(300),
        escort_confirmed=True,
        escort_name="Pat Escort",
        prescriber_on_site=True,
        rems_patient_enrolled=True,
        medications_reviewed=True,
        medication_classes=[],
        measures_done=True,
        pregnancy_test="not_applicable",
    )
    s = ordered(TreatmentSession.objects.get(pk=s.pk), prescriber, nurse)

    answer = api(nurse).post(f"/sessions/{s.id}/start-dose", {"at": ago(150).isoformat()})

    assert answer.status_code == 422
    assert "the pre-dose vitals" in answer.json()["fields"]["at"]
