"""Patient pages: register, search with htmx, chart with role-filtered tabs, edit."""

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.audit.services import record_event
from ketaclinic.core import ui
from ketaclinic.patients.models import Patient
from ketaclinic.patients.services import register_patient

pytestmark = pytest.mark.django_db

FORM = {
    "given_name": "Robin",
    "family_name": "Okoro",
    "date_of_birth": "1977-08-09",
    "sex": "male",
    "weight_kg": "81.0",
}


def test_registering_through_the_page_opens_the_chart(web, front_desk):
    response = web(front_desk).post("/patients/new/", FORM, follow=True)
    patient = Patient.objects.get()
    assert response.redirect_chain[-1][0] == f"/patients/{patient.id}/"
    assert b"Okoro, Robin" in response.content and patient.mrn.encode() in response.content


def test_the_form_shows_every_error_and_saves_nothing(web, front_desk):
    response = web(front_desk).post(
        "/patients/new/", {**FORM, "family_name": "", "date_of_birth": "2999-01-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "cannot be in the future" in html
    assert not Patient.objects.exists()


def test_search_answers_a_partial_for_htmx(web, nurse, patient):
    response = web(nurse).get("/patients/", {"q": "Rivera"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Rivera, Jordan" in html and "<html" not in html


def test_front_desk_does_not_see_clinical_tabs(web, front_desk, nurse, patient):
    tab = ui.ChartTab("test-clinical", "Clinical notes", "patients:chart", "clinical.view")
    ui.register_chart_tab(tab)
    try:
        assert b"Clinical notes" not in web(front_desk).get(f"/patients/{patient.id}/").content
        assert b"Clinical notes" in web(nurse).get(f"/patients/{patient.id}/").content
    finally:
        ui._tabs.pop(tab.key)


def _many_patients(front_desk, n):
    for i in range(n):
        register_patient(
            actor=front_desk,
            given_name=f"Pat{i}",
            family_name="Many",
            date_of_birth="1980-01-01",
            sex="female",
        )


def test_the_patient_list_uses_the_same_queries_for_25_or_40_patients(
    web, nurse, front_desk, django_assert_num_queries
):
    # a full first page in both (a page that is not full is the last, and is not counted)
    client = web(nurse)
    _many_patients(front_desk, 25)
    client.get("/patients/")
    with django_assert_num_queries(_count(client, "/patients/")) as small:
        client.get("/patients/")
    _many_patients(front_desk, 15)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/patients/")


def test_the_chart_uses_the_same_queries_however_long_the_history(
    web, nurse, patient, django_assert_num_queries
):
    client = web(nurse)
    baseline = _count(client, f"/patients/{patient.id}/")
    for _ in range(200):
        record_event(actor=nurse, action="patient.viewed", patient=patient, obj=patient)
    with django_assert_num_queries(baseline):
        client.get(f"/patients/{patient.id}/")


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_editing_through_the_page_is_audited(web, nurse, patient):
    web(nurse).post(f"/patients/{patient.id}/edit/", {**FORM, "given_name": "Jordan"})
    event = AuditEvent.objects.filter(action="patient.updated").get()
    assert set(event.changes) == {
        "family_name",
        "date_of_birth",
        "sex",
        "weight_kg",
        "phone",
        "email",
    }


def test_registering_the_same_name_and_birth_date_warns_and_links_to_that_patient(web, front_desk):
    # given Robin Okoro, born 1977-08-09, is registered
    client = web(front_desk)
    client.post("/patients/new/", FORM)
    existing = Patient.objects.get()
    # when the same name (other case) and birth date are registered again
    response = client.post("/patients/new/", {**FORM, "given_name": "robin"})
    # then nothing is saved and the page links to the existing record
    html = response.content.decode()
    assert response.status_code == 200
    assert Patient.objects.count() == 1
    assert "This may be a patient the clinic already has" in html
    assert f'href="/patients/{existing.id}/"' in html and existing.mrn in html
    assert "Register anyway" in html


def test_register_anyway_registers_a_second_patient_and_audits_the_match(web, front_desk):
    client = web(front_desk)
    client.post("/patients/new/", FORM)
    existing = Patient.objects.get()
    # when the user confirms that this is a different person
    response = client.post("/patients/new/", {**FORM, "confirm_duplicate": "yes"}, follow=True)
    # then a second patient exists and the registration's audit event names the match
    assert Patient.objects.count() == 2
    second = Patient.objects.exclude(pk=existing.pk).get()
    assert response.redirect_chain[-1][0] == f"/patients/{second.id}/"
    event = AuditEvent.objects.get(action="patient.registered", patient=second)
    assert event.changes["registered_despite_same_name_and_birth_date"] == [existing.mrn]


def test_the_same_name_in_another_clinic_is_not_a_duplicate(web, front_desk, outsider):
    register_patient(
        actor=outsider,
        given_name="Robin",
        family_name="Okoro",
        date_of_birth="1977-08-09",
        sex="male",
    )
    response = web(front_desk).post("/patients/new/", FORM)
    assert response.status_code == 302
