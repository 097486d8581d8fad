"""GET /patients/{id}/fhir/measures returns a FHIR R4 Bundle that validates."""

import pytest
from fhir.resources.R4B.bundle import Bundle

from ketaclinic.measures.services import record_measure

from .conftest import phq9

pytestmark = pytest.mark.django_db


def test_the_bundle_validates_and_holds_a_response_and_observation_per_score(
    api, nurse, prescriber, patient, history
):
    # given two PHQ-9s, a GAD-7 and a C-SSRS screener
    history(patient, [18, 9])
    record_measure(
        actor=nurse, patient=patient, instrument="gad7", answers={str(n): 1 for n in range(1, 8)}
    )
    record_measure(
        actor=prescriber, patient=patient, instrument="cssrs_screener",
        answers={"1": 1, "2": 0, "6": 0},
    )  # fmt: skip
    # when exported
    response = api(prescriber).get(f"/patients/{patient.id}/fhir/measures")
    # then it is a valid Bundle with LOINC totals for PHQ-9 and GAD-7
    assert response.status_code == 200
    body = response.json()
    bundle = Bundle.model_validate(body)
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == ["QuestionnaireResponse", "Observation"] * 4
    totals = [
        (e["resource"]["code"]["coding"][0]["code"], e["resource"].get("valueInteger"))
        for e in body["entry"]
        if e["resource"]["resourceType"] == "Observation"
    ]
    assert totals == [
        ("44261-6", 18),
        ("44261-6", 9),
        ("70274-6", 7),
        ("cssrs_screener-risk", None),
    ]
    assert all(
        e["resource"]["subject"]["reference"] == f"Patient/{patient.id}" for e in body["entry"]
    )


def test_an_empty_history_is_an_empty_valid_bundle(api, nurse, patient):
    body = api(nurse).get(f"/patients/{patient.id}/fhir/measures").json()
    Bundle.model_validate(body)
    assert body.get("entry", []) == []


def test_phq9_item_answers_are_exported(api, nurse, patient):
    record_measure(
        actor=nurse, patient=patient, instrument="phq9", answers=phq9(item9=1) | {"10": 2}
    )
    qr = api(nurse).get(f"/patients/{patient.id}/fhir/measures").json()["entry"][0]["resource"]
    answers = {i["linkId"]: i["answer"][0]["valueInteger"] for i in qr["item"]}
    assert answers["9"] == 1 and answers["10"] == 2
