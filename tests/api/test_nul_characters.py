"""A NUL character in text input is refused with 422 naming the field, on every database
(PostgreSQL cannot store or compare one: it used to answer 500)."""

import pytest

from ketaclinic.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "given_name": "Casey",
    "family_name": "Nguyen",
    "date_of_birth": "1990-05-17",
    "sex": "female",
    "weight_kg": "68.4",
}


def test_a_nul_in_a_query_parameter_names_the_parameter(api, auditor):
    response = api(auditor).get("/audit-events", actor="ad\x00min")
    assert response.status_code == 422
    assert response.json()["fields"] == {"actor": "must not contain a NUL character"}


def test_a_nul_in_a_body_names_the_field_and_saves_nothing(api, front_desk):
    response = api(front_desk).post("/patients", {**NEW_PATIENT, "given_name": "Li\x00"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["fields"] == {"given_name": "must not contain a NUL character"}
    assert not Patient.objects.exists()
