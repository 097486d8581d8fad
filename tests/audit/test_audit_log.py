"""The audit log: every write and view leaves one event; nobody can change or remove one."""

import pytest

from ketaclinic.audit.models import AppendOnlyError, AuditEvent
from ketaclinic.audit.services import record_event

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_changed_or_deleted(patient, nurse):
    event = record_event(actor=nurse, action="patient.viewed", patient=patient, obj=patient)
    event.action = "patient.nothing"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "patient.viewed"


def test_there_is_no_write_endpoint_for_audit_events(api, auditor):
    client = api(auditor)
    assert client.post("/audit-events", {"action": "x"}).status_code == 405
    assert client.delete("/audit-events").status_code == 405


def test_auditor_filters_by_patient_and_action(api, auditor, nurse, patient, front_desk):
    api(nurse).get(f"/patients/{patient.id}")
    api(front_desk).patch(f"/patients/{patient.id}", {"phone": "(555) 111-2222"})
    body = (
        api(auditor).get("/audit-events", patient=str(patient.id), action="patient.viewed").json()
    )
    assert body["count"] == 1
    (event,) = body["items"]
    assert event["actor"] == nurse.username
    assert event["patient_id"] == str(patient.id)
    assert event["via"] == "api"
    assert event["occurred_at"]
    updated = api(auditor).get("/audit-events", action="patient.updated").json()["items"]
    assert updated[0]["changes"] == {"phone": {"from": "(555) 200-1000", "to": "(555) 111-2222"}}


def test_the_audit_log_only_shows_the_users_own_clinic(api, outsider, nurse, patient):
    api(nurse).get(f"/patients/{patient.id}")
    body = api(outsider).get("/audit-events").json()
    assert all(item["patient_id"] != str(patient.id) for item in body["items"])
    assert api(outsider).get("/audit-events", patient=str(patient.id)).json()["count"] == 0


def test_nurses_and_front_desk_cannot_read_the_audit_log(api, nurse, front_desk):
    assert api(nurse).get("/audit-events").status_code == 403
    assert api(front_desk).get("/audit-events").status_code == 403


def test_opening_the_chart_page_is_audited_with_ip(web, nurse, patient):
    response = web(nurse).get(f"/patients/{patient.id}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="patient.viewed")
    assert (event.actor, event.patient, event.via, event.ip_address) == (
        nurse,
        patient,
        "web",
        "10.1.2.3",
    )


def test_each_write_leaves_exactly_one_event(web, front_desk, patient):
    before = AuditEvent.objects.count()
    web(front_desk).post(
        f"/patients/{patient.id}/edit/",
        {
            "given_name": "Jordan",
            "family_name": "Rivera-Smith",
            "date_of_birth": "1984-03-12",
            "sex": "female",
            "phone": "(555) 200-1000",
            "email": "jordan@example.com",
            "weight_kg": "72.5",
        },
    )
    new = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.action for e in new] == ["patient.updated"]
    assert new[0].changes == {"family_name": {"from": "Rivera", "to": "Rivera-Smith"}}


def test_the_audit_page_lists_and_filters_events(web, auditor, nurse, patient):
    web(nurse).get(f"/patients/{patient.id}/")
    page = web(auditor).get("/audit/", {"action": "patient.viewed"})
    assert page.status_code == 200
    assert b"patient.viewed" in page.content and nurse.username.encode() in page.content
    assert web(nurse).get("/audit/").status_code == 403
