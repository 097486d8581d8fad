"""A referral Bundle with implausible values or a repeated resource imports what it can, names
what it could not read, and never leaves a trial the chart cannot show."""

import json

import pytest

from ketaclinic.intake.models import AntidepressantTrial
from tests.intake.test_fhir_import import everything_saved, post_bundle

pytestmark = pytest.mark.django_db

PATIENT = {
    "fullUrl": "urn:uuid:p1",
    "resource": {
        "resourceType": "Patient",
        "name": [{"family": "Doe", "given": ["Jane"]}],
        "birthDate": "1980-01-01",
    },
}


def statement(dose_mg, full_url=None, start="2024-01-01", end="2024-03-01"):
    entry = {
        "resource": {
            "resourceType": "MedicationStatement",
            "status": "completed",
            "subject": {"reference": "urn:uuid:p1"},
            "medicationCodeableConcept": {"text": "Sertraline 50 MG Oral Tablet"},
            "effectivePeriod": {"start": start, "end": end},
            "dosage": [
                {
                    "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                    "doseAndRate": [{"doseQuantity": {"value": dose_mg, "unit": "mg"}}],
                }
            ],
        }
    }
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def bundle(*entries):
    return json.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [PATIENT, *entries]}
    )


@pytest.mark.parametrize(
    ("dose", "start", "named"),
    [
        (1e30, "2024-01-01", "daily dose"),
        (1234567, "2024-01-01", "not a plausible dose"),
        (100, "0024-01-01", "start date (0024-01-01 must be a date from 1900-01-01"),
    ],
    ids=["beyond-any-number", "implausible-dose", "typed-year"],
)
def test_an_implausible_value_is_left_out_and_named(api, nurse, dose, start, named):
    client = api(nurse)
    response = post_bundle(client, bundle(statement(dose, "urn:uuid:m1", start=start)))
    assert response.status_code == 201, response.json()
    patient_id = response.json()["patient_id"]
    trials = client.get(f"/patients/{patient_id}/antidepressant-trials")
    assert trials.status_code == 200
    trial = AntidepressantTrial.objects.get(patient_id=patient_id)
    assert trial.needs_review and named in trial.notes
    assert trial.daily_dose_mg is None or trial.weeks is None


def test_the_same_statement_twice_in_one_bundle_is_imported_once(api, nurse):
    before = everything_saved()
    response = post_bundle(api(nurse), bundle(statement(100), statement(100)))
    assert response.status_code == 201, response.json()
    assert AntidepressantTrial.objects.count() == before["trials"] + 1
