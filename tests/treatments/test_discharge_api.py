"""Discharge through the API: each criterion blocks with 409 naming it; a prescriber override."""

import pytest

from ketaclinic.protocols import services as protocols
from tests.treatments.helpers import course_today, dosing_started, first_session

# These stories happen in clinic hours (a session dosed two hours ago, still today).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]

CALM = {"systolic": 132, "diastolic": 82, "heart_rate": 76, "spo2": 97, "resp_rate": 14}
ALDRETE = dict.fromkeys(
    ["activity", "respiration", "circulation", "consciousness", "oxygen_saturation"], 2
)


def dosed(prescriber, nurse, patient, protocol="esketamine_trd", minutes_ago=130):
    course = course_today(prescriber, nurse, patient, protocol)
    return dosing_started(first_session(course), prescriber, nurse, minutes_ago=minutes_ago)


def recovered(api, nurse, session, **skip):
    """Everything a nurse charts before discharge, minus what the test leaves out."""
    n = api(nurse)
    if "moaas" not in skip:
        n.post(f"/sessions/{session.id}/scales", {"scale": "moaas", "score": 5})
    if "aldrete" not in skip:
        n.post(f"/sessions/{session.id}/scales", {"scale": "aldrete", "items": ALDRETE})
    if "vitals" not in skip:
        n.post(f"/sessions/{session.id}/vitals", CALM)


def test_discharge_before_120_minutes_of_esketamine_answers_409_naming_the_observation_time(
    api, prescriber, nurse, patient
):
    # given an esketamine session dosed 60 minutes ago with everything else in order
    session = dosed(prescriber, nurse, patient, minutes_ago=60)
    recovered(api, nurse, session)

    # when the nurse tries to discharge
    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    # then 409 names the observation-time criterion, and only it
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "discharge_criteria_unmet"
    assert list(body["fields"]) == ["observation_time"]
    assert "120 min from the first device; 60 min have passed" in body["fields"]["observation_time"]
    assert "observation_time" in body["detail"]


def test_after_120_minutes_with_every_criterion_met_the_patient_is_discharged(
    api, prescriber, nurse, patient
):
    session = dosed(prescriber, nurse, patient, minutes_ago=125)
    recovered(api, nurse, session)

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    assert answer.status_code == 200
    assert answer.json()["status"] == "discharged"
    assert answer.json()["discharge_issues"] == []


@pytest.mark.parametrize(
    ("skip", "code"),
    [({"moaas": True}, "moaas"), ({"aldrete": True}, "aldrete"), ({"vitals": True}, "vitals")],
)
def test_each_missing_assessment_blocks_discharge(api, prescriber, nurse, patient, skip, code):
    session = dosed(prescriber, nurse, patient)
    recovered(api, nurse, session, **skip)

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    assert answer.status_code == 409
    assert list(answer.json()["fields"]) == [code]


def test_a_low_aldrete_blocks_discharge(api, prescriber, nurse, patient):
    session = dosed(prescriber, nurse, patient)
    recovered(api, nurse, session)
    api(nurse).post(
        f"/sessions/{session.id}/scales",
        {"scale": "aldrete", "items": ALDRETE | {"activity": 0, "consciousness": 1}},
    )

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    assert answer.json()["fields"] == {"aldrete": "Modified Aldrete score 7; needs 9 or more."}


def test_moaas_below_5_blocks_discharge(api, prescriber, nurse, patient):
    session = dosed(prescriber, nurse, patient)
    recovered(api, nurse, session)
    api(nurse).post(f"/sessions/{session.id}/scales", {"scale": "moaas", "score": 4})

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    assert answer.json()["fields"] == {"moaas": "MOAA/S 4; needs 5."}


def test_bp_still_above_20_percent_of_baseline_blocks_discharge(api, prescriber, nurse, patient):
    session = dosed(prescriber, nurse, patient)
    recovered(api, nurse, session, vitals=True)
    answer = api(nurse).post(f"/sessions/{session.id}/vitals", CALM | {"systolic": 160})
    for alert in answer.json()["alerts"]:
        api(nurse).post(
            f"/sessions/{session.id}/alerts/{alert['id']}/acknowledge",
            {"intervention": "rechecked"},
        )

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    assert list(answer.json()["fields"]) == ["vitals"]
    assert "not within 20% of the pre-dose 128/80" in answer.json()["fields"]["vitals"]


def test_no_escort_blocks_discharge(api, prescriber, nurse, patient):
    session = dosed(prescriber, nurse, patient)
    recovered(api, nurse, session)

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": False})

    assert answer.json()["fields"] == {"escort": "No escort present for the ride home."}


def test_an_unresolved_dissociation_blocks_discharge_until_resolved(
    api, prescriber, nurse, patient
):
    session = dosed(prescriber, nurse, patient)
    recovered(api, nurse, session)
    event = (
        api(nurse)
        .post(
            f"/sessions/{session.id}/events",
            {
                "code": "dissociation",
                "severity": "moderate",
                "action": "observation_extended",
                "outcome": "resolving",
            },
        )
        .json()
    )

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})
    assert answer.json()["fields"] == {"effects": "Not yet resolved: dissociation."}

    api(nurse).post(f"/sessions/{session.id}/events/{event['id']}", {"outcome": "resolved"})
    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})
    assert answer.status_code == 200


def test_an_open_alert_blocks_discharge(api, prescriber, nurse, patient):
    session = dosed(prescriber, nurse, patient)
    recovered(api, nurse, session, moaas=True)
    api(nurse).post(f"/sessions/{session.id}/scales", {"scale": "moaas", "score": 2})
    api(nurse).post(f"/sessions/{session.id}/scales", {"scale": "moaas", "score": 5})

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    assert answer.json()["fields"] == {"open_alerts": "1 alert(s) not acknowledged."}


def test_an_iv_patient_cannot_leave_while_the_infusion_runs(api, prescriber, nurse, patient):
    session = dosed(prescriber, nurse, patient, "iv_ketamine", minutes_ago=30)
    recovered(api, nurse, session)

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    assert list(answer.json()["fields"]) == ["infusion_running"]
    api(nurse).post(f"/sessions/{session.id}/end-infusion", {})
    assert (
        api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True}).status_code
        == 200
    )


def test_an_iv_clinic_version_counts_observation_from_the_infusion_end(
    api, prescriber, nurse, patient
):
    protocols.change_protocol(
        actor=prescriber,
        code="iv_ketamine",
        changes={"observation": {"minimum_min": 30}},
        note="Clinic rule: 30 minutes after the infusion.",
    )
    session = dosed(prescriber, nurse, patient, "iv_ketamine", minutes_ago=45)
    api(nurse).post(f"/sessions/{session.id}/end-infusion", {})
    recovered(api, nurse, session)

    answer = api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    assert list(answer.json()["fields"]) == ["observation_time"]
    assert (
        "30 min from the infusion end; 0 min have passed"
        in answer.json()["fields"]["observation_time"]
    )


def test_a_prescriber_may_override_unmet_criteria_with_a_note(api, prescriber, nurse, patient):
    session = dosed(prescriber, nurse, patient, minutes_ago=100)
    recovered(api, nurse, session)

    # a nurse may not override
    nurse_answer = api(nurse).post(
        f"/sessions/{session.id}/discharge",
        {"escort_present": True, "override_note": "Patient insists."},
    )
    assert nurse_answer.status_code == 403

    answer = api(prescriber).post(
        f"/sessions/{session.id}/discharge",
        {"escort_present": True, "override_note": "Transferred to ED by ambulance for review."},
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "discharged"
    assert body["discharge_override_note"] == "Transferred to ED by ambulance for review."
    assert [i["code"] for i in body["discharge_issues"]] == ["observation_time"]


def test_a_discharge_charted_later_is_judged_at_its_own_time(api, prescriber, nurse, patient):
    # given a session dosed 130 minutes ago, recovered
    session = dosed(prescriber, nurse, patient, minutes_ago=130)
    recovered(api, nurse, session)
    from tests.treatments.helpers import ago

    # when the nurse charts that the patient left 30 minutes ago (100 min after the dose)
    answer = api(nurse).post(
        f"/sessions/{session.id}/discharge",
        {"escort_present": True, "at": ago(30).isoformat()},
    )

    # then the 2-hour rule was not met at that time
    assert answer.status_code == 409
    assert "observation_time" in answer.json()["fields"]
