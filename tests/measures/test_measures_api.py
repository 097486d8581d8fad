"""Recording and listing scores through the API: 201 with alerts, 422 naming every bad item."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.measures.models import MeasureResponse, SafetyAlert

from .conftest import phq9

pytestmark = pytest.mark.django_db


def url(patient, suffix="measures"):
    return f"/patients/{patient.id}/{suffix}"


def test_a_nurse_records_a_phq9_and_gets_total_severity_and_no_alert(api, nurse, patient):
    # when a PHQ-9 with every item at 1 and item 9 at 0 is posted
    response = api(nurse).post(url(patient), {"instrument": "phq9", "answers": phq9()})
    # then it is saved with total 8 ("mild") and no alert, and the write is audited
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["instrument"], body["total"], body["severity"], body["alerts"]) == (
        "phq9",
        8,
        "mild",
        [],
    )
    saved = MeasureResponse.objects.get(pk=body["id"])
    assert saved.answers == phq9() and saved.entered_by == nurse
    assert AuditEvent.objects.filter(action="measure.recorded", object_id=body["id"]).exists()


def test_phq9_item_9_answered_1_returns_the_safety_alert(api, nurse, patient):
    response = api(nurse).post(url(patient), {"instrument": "phq9", "answers": phq9(item9=1)})
    assert response.status_code == 201
    alerts = response.json()["alerts"]
    assert [a["code"] for a in alerts] == ["phq9_item9"]
    assert "C-SSRS" in alerts[0]["message"]
    assert SafetyAlert.objects.get().status == "open"


def test_invalid_answers_answer_422_naming_every_bad_item_and_save_nothing(api, nurse, patient):
    # given a PHQ-9 with item 3 missing, item 5 out of range, item 7 text and a stray item 12
    answers = phq9()
    del answers["3"]
    answers |= {"5": 4, "7": "often", "12": 1}
    # when posted
    response = api(nurse).post(url(patient), {"instrument": "phq9", "answers": answers})
    # then every bad item is named and nothing is saved or audited
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "answers.3": "missing",
        "answers.5": "4 is out of range 0-3",
        "answers.7": "'often' is not a whole number",
        "answers.12": "is not an item of PHQ-9",
    }
    assert not MeasureResponse.objects.exists()
    assert not AuditEvent.objects.filter(action="measure.recorded").exists()


def test_an_unknown_instrument_is_422(api, nurse, patient):
    response = api(nurse).post(url(patient), {"instrument": "bdi", "answers": {}})
    assert response.status_code == 422
    assert "instrument" in response.json()["fields"]


def test_a_future_administration_time_is_refused(api, nurse, patient):
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = api(nurse).post(
        url(patient), {"instrument": "phq9", "answers": phq9(), "administered_at": later}
    )
    assert response.status_code == 422
    assert "administered_at" in response.json()["fields"]
    assert not MeasureResponse.objects.exists()


def test_a_cssrs_screener_returns_its_risk_level_instead_of_a_total(api, prescriber, patient):
    answers = {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0, "6": 0}
    response = api(prescriber).post(
        url(patient), {"instrument": "cssrs_screener", "answers": answers}
    )
    body = response.json()
    assert (body["total"], body["severity"]) == (None, "moderate")
    assert [a["code"] for a in body["alerts"]] == ["cssrs_moderate"]


def test_the_list_shows_change_response_and_remission_newest_first(api, nurse, patient, history):
    # given PHQ-9 totals 20 (baseline), 14, 10 and 4 a week apart
    history(patient, [20, 14, 10, 4])
    # when listed
    rows = api(nurse).get(url(patient), instrument="phq9").json()
    # then newest first, each against the baseline of 20
    assert [r["total"] for r in rows] == [4, 10, 14, 20]
    assert [r["severity"] for r in rows] == ["minimal", "moderate", "moderate", "severe"]
    assert [r["change_from_baseline"] for r in rows] == [-16, -10, -6, 0]
    assert [r["percent_change"] for r in rows] == ["-80.0", "-50.0", "-30.0", "0.0"]
    assert [r["response"] for r in rows] == [True, True, False, False]
    assert [r["remission"] for r in rows] == [True, False, False, False]
    assert [r["is_baseline"] for r in rows] == [False, False, False, True]


def test_baseline_is_the_first_score_of_the_current_course(
    api, nurse, patient, history, monkeypatch
):
    # given scores of an earlier course and of the current course, which started 3 weeks ago
    start = timezone.now() - timedelta(weeks=8)
    history(patient, [24, 22], start=start)
    history(patient, [18, 9], start=timezone.now() - timedelta(weeks=2))
    course_start = (timezone.now() - timedelta(weeks=3)).date()
    monkeypatch.setattr("ketaclinic.measures.queries.course_start", lambda p: course_start)
    # when listed
    rows = api(nurse).get(url(patient)).json()
    # then the course baseline is 18, not the older 24
    latest = rows[0]
    assert (latest["total"], latest["baseline"], latest["change_from_baseline"]) == (9, 18, -9)
    assert latest["response"] is True


def test_the_instrument_filter_and_unknown_instruments(api, nurse, patient, history):
    history(patient, [12])
    api(nurse).post(
        url(patient), {"instrument": "gad7", "answers": {str(n): 2 for n in range(1, 8)}}
    )
    assert [r["instrument"] for r in api(nurse).get(url(patient)).json()] == ["gad7", "phq9"]
    assert len(api(nurse).get(url(patient), instrument="gad7").json()) == 1
    assert api(nurse).get(url(patient), instrument="bdi").status_code == 422


def test_reading_the_scores_is_audited_as_a_record_view(api, auditor, patient, history):
    history(patient, [12])
    api(auditor).get(url(patient))
    assert AuditEvent.objects.filter(action="patient.viewed", actor=auditor).exists()


def test_another_clinics_patient_is_404_for_read_and_write(api, nurse, other_patient):
    assert api(nurse).get(url(other_patient)).status_code == 404
    response = api(nurse).post(url(other_patient), {"instrument": "phq9", "answers": phq9()})
    assert response.status_code == 404
    assert not MeasureResponse.objects.exists()


def test_a_clinic_setting_changes_madrs_remission_to_12_or_less(api, prescriber, patient):
    from ketaclinic.measures.services import update_instrument_settings

    # given a clinic using MADRS 12 or less for remission
    update_instrument_settings(
        actor=prescriber,
        instrument="madrs",
        overrides={"remission": {"operator": "<=", "value": 12}},
    )
    answers = {str(n): 0 for n in range(1, 11)} | {"1": 6, "2": 6}
    api(prescriber).post(url(patient), {"instrument": "madrs", "answers": answers})
    # then a MADRS of 12 counts as remission
    assert api(prescriber).get(url(patient)).json()[0]["remission"] is True
