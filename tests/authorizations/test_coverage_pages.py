"""The Coverage tab and the authorization pages as the front desk and the nurse use them."""

import pytest

from ketaclinic.authorizations.models import InsuranceCoverage, PriorAuthorization
from tests.authorizations.helpers import approved, coverage, today
from tests.treatments.helpers import course_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(clinic_hours, prescriber, nurse, patient):
    return course_today(prescriber, nurse, patient)


def test_the_front_desk_records_coverage_from_the_chart_tab(web, front_desk, patient):
    client = web(front_desk)
    tab = client.get(f"/patients/{patient.id}/coverage/")
    page = tab.content.decode()
    assert tab.status_code == 200 and "Add a coverage" in page and "Nothing is sent" in page
    response = client.post(
        f"/patients/{patient.id}/coverage/add/",
        {
            "coverage-order": "1",
            "coverage-payer_name": "Example commercial payer",
            "coverage-member_id": "M-1",
            "coverage-subscriber_relationship": "self",
            "coverage-effective_from": today(patient.clinic).isoformat(),
        },
    )
    assert response.status_code == 302
    assert InsuranceCoverage.objects.get(patient=patient).member_id == "M-1"


def test_a_coverage_form_with_a_missing_member_id_says_which_field(web, front_desk, patient):
    response = web(front_desk).post(
        f"/patients/{patient.id}/coverage/add/",
        {
            "coverage-order": "1",
            "coverage-payer_name": "Example commercial payer",
            "coverage-subscriber_relationship": "self",
            "coverage-effective_from": today(patient.clinic).isoformat(),
        },
    )
    assert response.status_code == 422
    assert 'id="id_coverage-member_id_error"' in response.content.decode()
    assert not InsuranceCoverage.objects.exists()


def test_a_nurse_reads_the_tab_without_any_form(web, nurse, front_desk, patient):
    coverage(front_desk, patient)
    page = web(nurse).get(f"/patients/{patient.id}/coverage/").content.decode()
    assert "Example commercial payer" in page
    assert "Add a coverage" not in page and "Start a prior authorization" not in page


def test_the_front_desk_starts_an_authorization_for_the_course(web, front_desk, patient, course):
    client = web(front_desk)
    response = client.post(
        f"/patients/{patient.id}/coverage/authorizations/",
        {"pa-target": f"course:{course.id}", "pa-unit": "session", "pa-requested_units": "16"},
    )
    made = PriorAuthorization.objects.get(patient=patient)
    assert response.status_code == 302 and str(made.id) in response["Location"]
    assert made.course_id == course.id and made.drug == "esketamine"


def test_the_authorization_page_shows_units_warnings_and_each_session(
    web, front_desk, patient, course
):
    authorization = approved(front_desk, patient, units=12, course_id=course.id)
    url = f"/patients/{patient.id}/coverage/authorizations/{authorization.id}/"
    page = web(front_desk).get(url).content.decode()
    assert 'data-testid="units"' in page and "Left" in page
    assert "planned session 13" in page
    assert page.count("not covered: the approved units are used up") == 4
    assert "A prescriber or nurse prepares the packet" in page
    course_page = web(front_desk).get(f"/courses/{course.id}/authorizations/").content.decode()
    assert "planned session 13" in course_page and "16 sessions planned, 0 given" in course_page


def test_an_approval_without_units_is_refused_on_the_form(web, front_desk, patient):
    draft = PriorAuthorization.objects.create(
        clinic=patient.clinic,
        patient=patient,
        protocol_code="esketamine_trd",
        drug="esketamine",
        status="submitted",
        created_by=front_desk,
    )
    url = f"/patients/{patient.id}/coverage/authorizations/{draft.id}/status/"
    response = web(front_desk).post(
        url, {"status-to": "approved", "status-on": today(patient.clinic).isoformat()}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_status-approved_units_error"' in page
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_the_administrator_starts_a_payer_checklist_from_the_example(web, clinic_admin):
    client = web(clinic_admin)
    response = client.post(
        "/authorizations/checklists/copy-example/", {"copy-payer_name": "Example commercial payer"}
    )
    assert response.status_code == 302
    page = client.get("/authorizations/settings/").content.decode()
    assert "Osmind&#x27;s published prior-authorization checklist for Spravato (2026)" in page
    assert "At least 2 failed adequate antidepressant trials in the current episode" in page
