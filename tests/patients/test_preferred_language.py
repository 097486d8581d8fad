"""A patient's preferred language: English unless set; edited on the patient form and the API."""

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "given_name": "Lucía",
    "family_name": "Morales",
    "date_of_birth": "1969-11-02",
    "sex": "female",
}


def test_a_new_patient_reads_questionnaires_in_english_unless_told_otherwise(api, front_desk):
    default = api(front_desk).post("/patients", NEW_PATIENT).json()
    spanish = api(front_desk).post(
        "/patients", {**NEW_PATIENT, "given_name": "Ana", "preferred_language": "es"}
    )
    assert default["preferred_language"] == "en"
    assert spanish.status_code == 201
    assert spanish.json()["preferred_language"] == "es"


def test_changing_the_language_through_the_api_is_audited(api, front_desk, patient):
    # when the front desk records that the patient prefers Spanish
    response = api(front_desk).patch(f"/patients/{patient.id}", {"preferred_language": "es"})
    # then the API shows it and the audit trail has the old and new value
    assert response.status_code == 200
    assert response.json()["preferred_language"] == "es"
    event = AuditEvent.objects.filter(action="patient.updated").get()
    assert "preferred_language" in event.changes
    assert "en" in str(event.changes["preferred_language"])
    assert "es" in str(event.changes["preferred_language"])


@pytest.mark.parametrize("value", ["fr", "spanish", None])
def test_an_unknown_or_empty_language_is_refused_naming_the_field(api, front_desk, patient, value):
    response = api(front_desk).patch(f"/patients/{patient.id}", {"preferred_language": value})
    assert response.status_code in (400, 422)
    assert "preferred_language" in response.content.decode()
    patient.refresh_from_db()
    assert patient.preferred_language == "en"


def test_the_edit_page_sets_the_language_and_the_chart_shows_it(web, front_desk, patient):
    form = {
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": "1984-03-12",
        "sex": patient.sex,
        "preferred_language": "es",
    }
    page = web(front_desk).get(f"/patients/{patient.id}/edit/").content.decode()
    assert 'name="preferred_language"' in page and "Spanish" in page

    response = web(front_desk).post(f"/patients/{patient.id}/edit/", form, follow=True)

    assert Patient.objects.get(pk=patient.pk).preferred_language == "es"
    html = response.content.decode()
    assert "Questionnaire language" in html and "Spanish" in html


def test_leaving_the_language_blank_on_the_form_keeps_english(web, front_desk):
    web(front_desk).post("/patients/new/", {**NEW_PATIENT, "preferred_language": ""})
    assert Patient.objects.get().preferred_language == "en"
