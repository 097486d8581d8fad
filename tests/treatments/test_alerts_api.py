"""Every alert rule through the API; alerts need an acknowledgement with an intervention."""

import pytest

from ketaclinic.treatments.models import SessionAlert
from tests.treatments.helpers import course_today, dosing_started, first_session

# These stories happen in clinic hours (a session dosed two hours ago, still today).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]

CALM = {"systolic": 132, "diastolic": 82, "heart_rate": 76, "spo2": 97, "resp_rate": 14}


@pytest.fixture
def iv_monitoring(prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "iv_ketamine")
    return dosing_started(first_session(course), prescriber, nurse, minutes_ago=15)


@pytest.fixture
def esk_monitoring(prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    return dosing_started(first_session(course), prescriber, nurse, minutes_ago=20)


def test_185_over_95_during_an_iv_session_raises_hypertension_in_the_answer_and_on_the_board(
    api, web, nurse, iv_monitoring
):
    # when a nurse records 185/95 during the infusion
    answer = api(nurse).post(
        f"/sessions/{iv_monitoring.id}/vitals", CALM | {"systolic": 185, "diastolic": 95}
    )

    # then the answer lists the hypertension alert
    assert answer.status_code == 201
    alerts = answer.json()["alerts"]
    assert "hypertension" in [a["code"] for a in alerts]
    hypertension = next(a for a in alerts if a["code"] == "hypertension")
    assert hypertension["message"] == "Hypertension: systolic BP 185 ≥ 180"
    assert answer.json()["session"]["open_alerts"]
    # and the chair board shows it, in the alert banner and on the chair
    board = web(nurse).get("/treatments/board/rows/").content.decode()
    assert 'role="alert"' in board
    assert "Hypertension: systolic BP 185 ≥ 180" in board
    assert 'class="chair alerting"' in board


@pytest.mark.parametrize(
    ("protocol", "values", "code"),
    [
        ("iv", {"systolic": 180}, "hypertension"),
        ("iv", {"diastolic": 100}, "hypertension"),
        ("esk", {"systolic": 180}, "hypertension"),
        ("esk", {"diastolic": 110}, "hypertension"),
        ("esk", {"systolic": 170}, "bp_rise"),
        ("esk", {"diastolic": 105}, "bp_rise"),
        ("iv", {"heart_rate": 111}, "tachycardia"),
        ("esk", {"heart_rate": 49}, "bradycardia"),
        ("iv", {"spo2": 91}, "hypoxemia"),
        ("esk", {"resp_rate": 9}, "bradypnea"),
    ],
)
def test_each_vitals_rule_raises_its_alert(api, nurse, protocol, values, code, request):
    session = request.getfixturevalue(f"{protocol}_monitoring")

    answer = api(nurse).post(f"/sessions/{session.id}/vitals", CALM | values)

    assert code in [a["code"] for a in answer.json()["alerts"]]


def test_calm_vitals_raise_no_alert(api, nurse, esk_monitoring):
    answer = api(nurse).post(f"/sessions/{esk_monitoring.id}/vitals", CALM)

    assert answer.json()["alerts"] == []


def test_a_moaas_of_2_raises_the_deep_sedation_alert(api, nurse, esk_monitoring):
    answer = api(nurse).post(
        f"/sessions/{esk_monitoring.id}/scales", {"scale": "moaas", "score": 2}
    )

    assert [a["code"] for a in answer.json()["alerts"]] == ["oversedation"]


def test_a_moaas_of_3_raises_no_alert(api, nurse, esk_monitoring):
    answer = api(nurse).post(
        f"/sessions/{esk_monitoring.id}/scales", {"scale": "moaas", "score": 3}
    )

    assert answer.json()["alerts"] == []


def test_an_alert_is_acknowledged_with_an_intervention(api, nurse2, nurse, esk_monitoring):
    # given an open hypertension alert
    raised = (
        api(nurse)
        .post(f"/sessions/{esk_monitoring.id}/vitals", CALM | {"systolic": 186, "diastolic": 100})
        .json()["alerts"][0]
    )

    # when another nurse acknowledges it, recording the intervention
    answer = api(nurse2).post(
        f"/sessions/{esk_monitoring.id}/alerts/{raised['id']}/acknowledge",
        {"intervention": "observation_extended", "note": "Rechecked in 5 min; calm patient."},
    )

    # then it is closed with who, what and when
    assert answer.status_code == 200
    closed = next(a for a in answer.json()["alerts"] if a["id"] == raised["id"])
    assert closed["intervention"] == "observation_extended"
    assert closed["acknowledged_by"] == "Grace Okafor"
    assert closed["acknowledged_at"] is not None
    assert all(a["id"] != raised["id"] for a in answer.json()["open_alerts"])


def test_an_alert_cannot_be_acknowledged_without_an_intervention_or_twice(
    api, nurse, esk_monitoring
):
    raised = (
        api(nurse)
        .post(f"/sessions/{esk_monitoring.id}/vitals", CALM | {"spo2": 88})
        .json()["alerts"][0]
    )
    path = f"/sessions/{esk_monitoring.id}/alerts/{raised['id']}/acknowledge"

    assert api(nurse).post(path, {"intervention": "nothing"}).status_code == 422
    assert api(nurse).post(path, {"intervention": "other", "note": ""}).status_code == 422
    assert api(nurse).post(path, {"intervention": "medication_given"}).status_code == 200
    assert api(nurse).post(path, {"intervention": "medication_given"}).status_code == 409


def test_a_new_alert_sends_a_ready_patient_back_to_monitoring(api, prescriber, nurse, patient):
    # given an esketamine session ready for discharge after 125 minutes
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=125)
    n = api(nurse)
    n.post(f"/sessions/{session.id}/scales", {"scale": "moaas", "score": 5})
    n.post(
        f"/sessions/{session.id}/scales",
        {
            "scale": "aldrete",
            "items": dict.fromkeys(
                ["activity", "respiration", "circulation", "consciousness", "oxygen_saturation"], 2
            ),
        },
    )
    ready = n.post(f"/sessions/{session.id}/vitals", CALM).json()["session"]
    assert ready["status"] == "ready_for_discharge"

    # when a later entry raises an alert
    answer = n.post(f"/sessions/{session.id}/vitals", CALM | {"systolic": 190})

    # then the session is monitored again
    assert answer.json()["session"]["status"] == "monitoring"


def test_alerts_are_stored_with_their_source(api, nurse, iv_monitoring):
    api(nurse).post(f"/sessions/{iv_monitoring.id}/vitals", CALM | {"heart_rate": 120})

    alert = SessionAlert.objects.get(session=iv_monitoring)
    assert alert.code == "tachycardia"
    assert "verify" in alert.source
