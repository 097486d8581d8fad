"""Coverage and benefits checks through the API: recorded, validated, audited."""

import datetime as dt

import pytest

from ketaclinic.audit.models import AuditEvent
from tests.authorizations.helpers import coverage, today

pytestmark = pytest.mark.django_db

NEW = {
    "payer_name": "Example commercial payer",
    "member_id": "XZ123456",
    "effective_from": "2026-01-01",
    "group_number": "G-42",
    "subscriber_name": "Robin Rivera",
    "subscriber_relationship": "spouse",
}


def events(action):
    return AuditEvent.objects.filter(action=action)


def test_the_front_desk_records_a_coverage(api, front_desk, patient):
    # when the front desk adds the patient's primary coverage
    response = api(front_desk).post(f"/patients/{patient.id}/coverages", NEW)
    # then it is kept with its order and subscriber, and audited
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["order"], body["subscriber_relationship"], body["effective_to"]) == (
        1,
        "spouse",
        None,
    )
    assert events("coverage.added").get().patient_id == patient.id


def test_two_primary_coverages_at_once_are_refused(api, front_desk, patient):
    coverage(front_desk, patient, effective_from=dt.date(2025, 1, 1))
    response = api(front_desk).post(f"/patients/{patient.id}/coverages", NEW)
    assert response.status_code == 422
    assert "already primary" in response.json()["fields"]["order"]
    # a secondary coverage at the same time is fine
    secondary = api(front_desk).post(f"/patients/{patient.id}/coverages", NEW | {"order": 2})
    assert secondary.status_code == 201


def test_ending_a_coverage_lets_the_next_one_be_primary(api, front_desk, patient):
    old = coverage(front_desk, patient, effective_from=dt.date(2025, 1, 1))
    ended = api(front_desk).patch(f"/coverages/{old.id}", {"effective_to": "2025-12-31"})
    assert ended.status_code == 200 and ended.json()["effective_to"] == "2025-12-31"
    assert events("coverage.updated").get().changes["effective_to"]["to"] == "2025-12-31"
    assert api(front_desk).post(f"/patients/{patient.id}/coverages", NEW).status_code == 201


def test_a_coverage_ending_before_it_starts_is_refused_naming_the_field(api, front_desk, patient):
    response = api(front_desk).post(
        f"/patients/{patient.id}/coverages", NEW | {"effective_to": "2025-12-31"}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"effective_to": "on or after effective_from"}


def test_missing_payer_and_member_id_are_named(api, front_desk, patient):
    response = api(front_desk).post(
        f"/patients/{patient.id}/coverages", {"effective_from": "2026-01-01"}
    )
    assert response.status_code == 422
    assert {"payer_name", "member_id"} <= set(response.json()["fields"])


def test_a_benefits_check_keeps_who_checked_and_what_was_learned(api, front_desk, patient):
    plan = coverage(front_desk, patient)
    response = api(front_desk).post(
        f"/patients/{patient.id}/benefits-checks",
        {
            "coverage_id": str(plan.id),
            "summary": "Covered under the medical benefit; PA needed.",
            "covered": "yes",
            "deductible_remaining": "250.00",
            "prior_authorization_required": "yes",
            "payer_reference": "CALL-77",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["checked_by"] == front_desk.display_name
    assert body["checked_on"] == today(patient.clinic).isoformat()
    assert (body["covered"], body["deductible_remaining"], body["out_of_pocket_remaining"]) == (
        "yes",
        "250.00",
        None,
    )
    assert events("coverage.benefits_checked").get().changes["payer_reference"] == "CALL-77"


def test_a_benefits_check_in_the_future_is_refused(api, front_desk, patient):
    plan = coverage(front_desk, patient)
    tomorrow = today(patient.clinic) + dt.timedelta(days=1)
    response = api(front_desk).post(
        f"/patients/{patient.id}/benefits-checks",
        {"coverage_id": str(plan.id), "summary": "x", "checked_on": tomorrow.isoformat()},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"checked_on": "today or earlier"}


def test_a_benefits_check_against_another_patients_coverage_is_refused(
    api, front_desk, patient, clinic
):
    from ketaclinic.patients.services import register_patient

    other = register_patient(
        actor=front_desk,
        given_name="Sam",
        family_name="Other",
        date_of_birth="1990-01-01",
        sex="male",
    )
    plan = coverage(front_desk, other)
    response = api(front_desk).post(
        f"/patients/{patient.id}/benefits-checks", {"coverage_id": str(plan.id), "summary": "x"}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"coverage_id": "a coverage of this patient"}


def test_reading_a_patients_coverage_is_audited_as_opening_the_record(
    api, nurse, front_desk, patient
):
    coverage(front_desk, patient)
    response = api(nurse).get(f"/patients/{patient.id}/coverages")
    assert response.status_code == 200 and len(response.json()) == 1
    assert events("patient.viewed").filter(actor=nurse, patient=patient).count() == 1


def test_a_benefits_check_cannot_be_changed(front_desk, patient):
    from ketaclinic.authorizations.services import record_benefits_check

    check = record_benefits_check(
        actor=front_desk, patient=patient, coverage=coverage(front_desk, patient), summary="ok"
    )
    check.summary = "changed"
    with pytest.raises(ValueError, match="cannot be changed"):
        check.save()
