"""Safety alerts: raised by the reference's safety items, closed only by a prescriber's note."""

import pytest
from django.urls import reverse

from ketaclinic.audit.models import AuditEvent
from ketaclinic.measures.models import SafetyAlert
from ketaclinic.measures.services import record_measure

from .conftest import phq9

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(patient, nurse):
    _, alerts = record_measure(
        actor=nurse, patient=patient, instrument="phq9", answers=phq9(item9=2)
    )
    return alerts[0]


def test_the_alert_shows_on_the_chart_and_on_the_clinic_list(web, api, nurse, patient, alert):
    # when a nurse opens the patient's Measures tab and the clinic-wide alert list
    chart = web(nurse).get(reverse("measures:chart", kwargs={"patient_id": patient.id}))
    listing = api(nurse).get("/measure-alerts").json()
    # then the open alert is on both, saying who must act
    assert "Open safety alert" in chart.content.decode()
    assert "PHQ-9 item 9" in chart.content.decode()
    assert [(a["code"], a["status"], a["must_act"]) for a in listing] == [
        ("phq9_item9", "open", "prescriber")
    ]
    assert listing[0]["patient_mrn"] == patient.mrn


def test_raising_the_alert_is_audited(alert):
    event = AuditEvent.objects.get(action="safety_alert.raised")
    assert event.object_id == str(alert.id) and event.patient_id == alert.patient_id


def test_a_nurse_cannot_acknowledge(api, nurse, alert):
    response = api(nurse).post(f"/measure-alerts/{alert.id}/acknowledge", {"note": "Called pt"})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "open"


@pytest.mark.parametrize("note", ["", "   "])
def test_a_prescriber_must_write_the_action_taken(api, prescriber, alert, note):
    response = api(prescriber).post(f"/measure-alerts/{alert.id}/acknowledge", {"note": note})
    assert response.status_code == 422
    assert "note" in response.json()["fields"]
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_prescriber_acknowledges_with_a_note_and_it_is_audited(api, prescriber, alert):
    # when the prescriber acknowledges with the action taken
    note = "C-SSRS screener completed: low risk; safety plan reviewed."
    response = api(prescriber).post(f"/measure-alerts/{alert.id}/acknowledge", {"note": note})
    # then the alert is closed with who, when and what, and both steps are in the audit log
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["action_note"]) == ("acknowledged", note)
    assert body["acknowledged_by"] == prescriber.display_name
    event = AuditEvent.objects.get(action="safety_alert.acknowledged")
    assert event.actor == prescriber and event.changes["note"] == note
    assert api(prescriber).get("/measure-alerts").json() == []


def test_an_alert_cannot_be_acknowledged_twice(api, prescriber, alert):
    api(prescriber).post(f"/measure-alerts/{alert.id}/acknowledge", {"note": "Safety plan"})
    again = api(prescriber).post(f"/measure-alerts/{alert.id}/acknowledge", {"note": "Again"})
    assert again.status_code == 409


def test_a_later_score_without_the_safety_item_does_not_close_the_alert(nurse, patient, alert):
    # given a newer PHQ-9 with item 9 = 0
    record_measure(actor=nurse, patient=patient, instrument="phq9", answers=phq9(item9=0))
    # then the earlier alert is still open: alerts are never dismissed automatically
    alert.refresh_from_db()
    assert alert.status == "open"
    assert SafetyAlert.objects.count() == 1


def test_the_database_refuses_an_acknowledgement_without_a_note(alert, prescriber):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    alert.status = "acknowledged"
    alert.acknowledged_by = prescriber
    alert.acknowledged_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()


def test_a_prescriber_acknowledges_from_the_page(web, prescriber, patient, alert):
    client = web(prescriber)
    chart_url = reverse("measures:chart", kwargs={"patient_id": patient.id})
    response = client.post(
        reverse("measures:acknowledge", kwargs={"alert_id": alert.id}),
        {"note": "Emergency referral made", "next": chart_url},
    )
    assert response.status_code == 302 and response["Location"] == chart_url
    alert.refresh_from_db()
    assert (alert.status, alert.action_note) == ("acknowledged", "Emergency referral made")


def test_qids_item_12_and_madrs_item_10_raise_alerts(nurse, prescriber, patient):
    qids = {str(n): 0 for n in range(1, 17)} | {"12": 1}
    madrs = {str(n): 0 for n in range(1, 11)} | {"10": 2}
    _, qids_alerts = record_measure(
        actor=nurse, patient=patient, instrument="qids_sr16", answers=qids
    )
    _, madrs_alerts = record_measure(
        actor=prescriber, patient=patient, instrument="madrs", answers=madrs
    )
    assert [a.code for a in qids_alerts + madrs_alerts] == ["qids_item12", "madrs_item10"]
