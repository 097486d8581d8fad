"""The patient registry API: register, search, read, update — scoped to the clinic."""

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "given_name": "Casey",
    "family_name": "Nguyen",
    "date_of_birth": "1990-05-17",
    "sex": "female",
    "phone": "(555) 333-4444",
    "email": "casey@example.com",
    "weight_kg": "68.4",
}


def test_front_desk_registers_a_patient_with_an_automatic_mrn(api, front_desk, clinic):
    # when
    response = api(front_desk).post("/patients", NEW_PATIENT)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mrn"] == "KC000001"
    assert body["family_name"] == "Nguyen"
    assert Patient.objects.get(pk=body["id"]).clinic == clinic
    event = AuditEvent.objects.get(action="patient.registered")
    assert event.actor == front_desk and str(event.patient_id) == body["id"]
    assert event.via == "api"


def test_mrns_are_unique_per_clinic_and_sequential(api, front_desk, outsider):
    first = api(front_desk).post("/patients", NEW_PATIENT).json()["mrn"]
    second = api(front_desk).post("/patients", {**NEW_PATIENT, "given_name": "Lee"}).json()["mrn"]
    elsewhere = api(outsider).post("/patients", NEW_PATIENT).json()["mrn"]
    assert (first, second, elsewhere) == ("KC000001", "KC000002", "KC000001")


def test_invalid_registration_names_every_bad_field_and_saves_nothing(api, front_desk):
    bad = {**NEW_PATIENT, "date_of_birth": "not-a-date", "sex": "robot", "weight_kg": "9000"}
    del bad["family_name"]
    response = api(front_desk).post("/patients", bad)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert {"date_of_birth", "sex", "weight_kg", "family_name"} <= set(fields)
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.filter(action="patient.registered").exists()


def test_a_future_birth_date_is_refused_by_the_service(api, front_desk):
    response = api(front_desk).post("/patients", {**NEW_PATIENT, "date_of_birth": "2999-01-01"})
    assert response.status_code == 422
    assert "date_of_birth" in response.json()["fields"]
    assert not Patient.objects.exists()


def test_a_malformed_email_is_refused(api, front_desk):
    response = api(front_desk).post("/patients", {**NEW_PATIENT, "email": "not-an-email"})
    assert response.status_code == 422
    assert "email" in response.json()["fields"]


def test_search_by_name_mrn_and_date_of_birth(api, nurse, patient, other_patient):
    client = api(nurse)
    for q in ["rivera", "Jordan Rivera", "Rivera, Jordan", patient.mrn, "1984-03-12", "03/12/1984"]:
        body = client.get("/patients", q=q).json()
        assert [p["id"] for p in body["items"]] == [str(patient.id)], q
    assert client.get("/patients", q="Hill").json()["count"] == 0


def test_the_list_is_paginated(api, front_desk):
    client = api(front_desk)
    for i in range(30):
        client.post("/patients", {**NEW_PATIENT, "given_name": f"P{i:02d}"})
    first = client.get("/patients").json()
    second = client.get("/patients", page=2).json()
    assert (first["count"], first["pages"], len(first["items"]), len(second["items"])) == (
        30,
        2,
        25,
        5,
    )


def test_reading_a_patient_is_audited_as_viewed(api, nurse, patient):
    response = api(nurse).get(f"/patients/{patient.id}")
    assert response.status_code == 200
    assert response.json()["mrn"] == patient.mrn
    events = AuditEvent.objects.filter(action="patient.viewed")
    assert [(e.actor, e.patient_id, e.via) for e in events] == [(nurse, patient.id, "api")]


def test_another_clinics_patient_is_a_404_and_leaves_no_view_event(api, nurse, other_patient):
    client = api(nurse)
    assert client.get(f"/patients/{other_patient.id}").status_code == 404
    assert client.patch(f"/patients/{other_patient.id}", {"phone": "1"}).status_code == 404
    assert not AuditEvent.objects.filter(action="patient.viewed").exists()
    other_patient.refresh_from_db()
    assert other_patient.phone == ""


def test_an_unknown_id_is_a_404(api, nurse):
    response = api(nurse).get("/patients/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404


def test_update_records_each_changed_field(api, front_desk, patient):
    response = api(front_desk).patch(
        f"/patients/{patient.id}", {"phone": "(555) 999-0000", "weight_kg": "70.0"}
    )
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(action="patient.updated")
    assert event.actor == front_desk
    assert event.changes == {
        "phone": {"from": "(555) 200-1000", "to": "(555) 999-0000"},
        "weight_kg": {"from": "72.5", "to": "70.0"},
    }


def test_update_cannot_empty_a_required_field(api, front_desk, patient):
    response = api(front_desk).patch(f"/patients/{patient.id}", {"family_name": None})
    assert response.status_code == 422
    assert "family_name" in response.json()["fields"]
    patient.refresh_from_db()
    assert patient.family_name == "Rivera"


def test_without_a_token_the_api_answers_401(api, patient):
    assert api().get("/patients").status_code == 401
    assert api().get(f"/patients/{patient.id}").status_code == 401


def test_a_wrong_token_answers_401(api, nurse):
    client = api()
    client.headers["Authorization"] = "Bearer kc_not-a-real-token"
    assert client.get("/patients").status_code == 401


def test_a_same_name_and_birth_date_registration_is_a_409_naming_the_patient(api, front_desk):
    # given Casey Nguyen is registered
    first = api(front_desk).post("/patients", NEW_PATIENT).json()
    # when the same name and birth date are posted again
    response = api(front_desk).post("/patients", {**NEW_PATIENT, "family_name": "NGUYEN "})
    # then 409 in the error shape, naming the existing patient, and nothing is written
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "possible_duplicate"
    assert first["mrn"] in body["detail"] and first["id"] in body["detail"]
    assert "confirm_duplicate" in body["fields"]
    assert Patient.objects.count() == 1
    assert AuditEvent.objects.filter(action="patient.registered").count() == 1


def test_confirm_duplicate_registers_the_second_patient(api, front_desk):
    first = api(front_desk).post("/patients", NEW_PATIENT).json()
    response = api(front_desk).post("/patients", {**NEW_PATIENT, "confirm_duplicate": True})
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action="patient.registered", patient_id=response.json()["id"])
    assert event.changes["registered_despite_same_name_and_birth_date"] == [first["mrn"]]
