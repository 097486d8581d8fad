"""Referral import through the API and the command: create/match, prefill, reject, idempotent."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ketaclinic.audit.models import AuditEvent
from ketaclinic.intake.models import (
    AntidepressantTrial,
    ContraindicationAnswer,
    FhirImport,
    PatientIdentifier,
    Referral,
    ReferralItem,
)
from ketaclinic.measures.models import MeasureResponse
from ketaclinic.patients.models import Patient
from ketaclinic.patients.services import register_patient

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def post_bundle(client, body, content_type="application/fhir+json"):
    return client.client.post(
        "/api/v1/fhir/import", data=body, content_type=content_type, headers=client.headers
    )


def bundle(name):
    return (FIXTURES / name).read_text()


def everything_saved():
    return {
        "patients": Patient.objects.count(),
        "trials": AntidepressantTrial.objects.count(),
        "items": ReferralItem.objects.count(),
        "identifiers": PatientIdentifier.objects.count(),
        "referrals": Referral.objects.count(),
        "imports": FhirImport.objects.count(),
        "answers": ContraindicationAnswer.objects.count(),
    }


def test_a_synthea_bundle_creates_the_patient_and_prefilled_trials(api, nurse):
    # when a nurse imports a Synthea-style referral
    response = post_bundle(api(nurse), bundle("synthea_referral.json"))
    # then the patient is registered and the sertraline trial waits for review
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert body["imported"] == {
        "trials": 1,
        "diagnoses": 1,
        "observations": 1,
        "allergies": 1,
        "identifiers": 2,
    }
    patient = Patient.objects.get(pk=body["patient_id"])
    assert (patient.family_name, str(patient.date_of_birth)) == ("Kuhic920", "1981-03-14")
    trial = AntidepressantTrial.objects.get(patient=patient)
    assert trial.needs_review and trial.drug == "sertraline" and trial.daily_dose_mg == 100
    assert Referral.objects.get(patient=patient).source == "fhir"
    # and everything it could not map is listed, not dropped
    unmapped = {u["resource"] for u in body["unmapped"]}
    assert "MedicationRequest/0d2a5b1e-4444-4a5e-9c0e-5a2f3c7e0004" in unmapped
    assert "Encounter/0d2a5b1e-1111-4a5e-9c0e-5a2f3c7e0001" in unmapped
    assert AuditEvent.objects.get(action="intake.fhir_imported").patient == patient


def test_the_referrals_phq9_total_is_on_the_trajectory_as_a_score_from_referral(api, nurse):
    # when a nurse imports a referral that carries a PHQ-9 total
    response = post_bundle(api(nurse), bundle("ehr_referral.json"))
    assert response.status_code == 201, response.content
    patient = Patient.objects.get(pk=response.json()["patient_id"])

    # then the total is on the patient's measures, marked as coming from the referral
    item = ReferralItem.objects.get(patient=patient, kind="observation")
    score = MeasureResponse.objects.get(patient=patient)
    assert (score.instrument, score.source, score.total) == ("phq9", "referral", int(item.value))
    assert score.referral_organisation
    assert score.referral_confirmed_at is None
    # and importing the same referral again adds no second score
    post_bundle(api(nurse), bundle("ehr_referral.json"))
    assert MeasureResponse.objects.filter(patient=patient).count() == 1


def test_the_imported_trial_shows_as_needing_review_and_does_not_count(api, nurse, prescriber):
    body = post_bundle(api(nurse), bundle("ehr_referral.json")).json()
    trials = api(nurse).get(f"/patients/{body['patient_id']}/antidepressant-trials").json()
    assert {t["status"] for t in trials} == {"imported — needs review"}
    assert not any(t["counts_toward_trd"] for t in trials)
    eligibility = api(nurse).get(f"/patients/{body['patient_id']}/eligibility").json()
    assert eligibility["adequate_failed_trials"] == 0
    assert any("need a clinician's review" in r for r in eligibility["reasons"])


def test_a_prescriber_reviews_an_imported_trial_so_it_counts(api, nurse, prescriber):
    body = post_bundle(api(nurse), bundle("ehr_referral.json")).json()
    url = f"/patients/{body['patient_id']}/antidepressant-trials"
    bupropion = next(t for t in api(nurse).get(url).json() if t["drug"] == "bupropion")
    # the referral gave no outcome: confirming without one is refused
    early = api(prescriber).post(f"{url}/{bupropion['id']}/confirm", {})
    assert early.status_code == 422 and "outcome" in early.json()["fields"]
    api(nurse).patch(f"{url}/{bupropion['id']}", {"outcome": "no_response"})
    confirmed = api(prescriber).post(f"{url}/{bupropion['id']}/confirm", {}).json()
    assert not confirmed["needs_review"] and confirmed["counts_toward_trd"]


def test_an_ehr_export_with_a_ketamine_allergy_answers_hypersensitivity_yes(api, nurse):
    body = post_bundle(api(nurse), bundle("ehr_referral.json")).json()
    answer = ContraindicationAnswer.objects.get(
        patient_id=body["patient_id"], key="hypersensitivity"
    )
    assert answer.answer == "yes" and answer.recorded_by == nurse
    eligibility = (
        api(nurse)
        .get(f"/patients/{body['patient_id']}/eligibility", protocol="esketamine_trd")
        .json()
    )
    assert eligibility["recommendation"] == "ineligible"


def test_an_ehr_export_keeps_text_only_and_missing_dose_medications(api, nurse):
    body = post_bundle(api(nurse), bundle("ehr_referral.json")).json()
    trials = {t.drug: t for t in AntidepressantTrial.objects.filter(patient_id=body["patient_id"])}
    assert set(trials) == {"fluoxetine", "bupropion", "venlafaxine"}
    assert trials["venlafaxine"].daily_dose_mg is None
    assert "daily dose" in trials["venlafaxine"].notes
    assert trials["fluoxetine"].daily_dose_mg == 40
    assert {u["resource"] for u in body["unmapped"]} >= {
        "MedicationStatement/ms4",
        "Condition/cND2",
    }


def test_the_same_bundle_imported_twice_creates_nothing_twice(api, nurse):
    client = api(nurse)
    first = post_bundle(client, bundle("ehr_referral.json")).json()
    before = everything_saved()
    second = post_bundle(client, bundle("ehr_referral.json"))
    assert second.status_code == 201
    body = second.json()
    assert body["patient_id"] == first["patient_id"] and body["created"] is False
    assert set(body["imported"].values()) == {0}
    after = everything_saved()
    assert {k: v for k, v in after.items() if k != "imports"} == {
        k: v for k, v in before.items() if k != "imports"
    }


def test_an_existing_patient_is_matched_by_name_and_birth_date(api, nurse, front_desk):
    existing = register_patient(
        actor=front_desk,
        given_name="Raymond J",
        family_name="Okafor",
        date_of_birth="1975-09-30",
        sex="male",
    )
    body = post_bundle(api(nurse), bundle("ehr_referral.json")).json()
    assert body["created"] is False and body["patient_id"] == str(existing.id)


def test_a_later_bundle_is_matched_by_identifier_even_after_a_name_change(api, nurse):
    first = post_bundle(api(nurse), bundle("ehr_referral.json")).json()
    data = json.loads(bundle("ehr_referral.json"))
    data["entry"][0]["resource"]["name"] = [{"family": "Okafor-Smith", "given": ["Raymond"]}]
    data["entry"] = data["entry"][:1]
    body = post_bundle(api(nurse), json.dumps(data)).json()
    assert body["patient_id"] == first["patient_id"] and body["created"] is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"resourceType": "Patient"}', "Expected a FHIR Bundle"),
        ('{"resourceType": "Bundle", "type": "collection"}', "no Patient"),
        (bundle("r5_referral.json"), "not valid FHIR R4"),
        ("", "request body"),
    ],
)
def test_a_malformed_bundle_is_rejected_and_nothing_saved(api, nurse, body, message):
    before = everything_saved()
    response = post_bundle(api(nurse), body)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert everything_saved() == before
    assert not AuditEvent.objects.filter(action="intake.fhir_imported").exists()


def test_a_bundle_whose_patient_cannot_be_registered_saves_nothing(api, nurse):
    data = json.loads(bundle("ehr_referral.json"))
    del data["entry"][0]["resource"]["birthDate"]
    data["entry"][0]["resource"]["identifier"] = []
    before = everything_saved()
    response = post_bundle(api(nurse), json.dumps(data))
    assert response.status_code == 422
    assert "birth date" in response.json()["detail"]
    assert everything_saved() == before


def test_a_failure_half_way_rolls_everything_back(api, nurse, monkeypatch):
    # given the last write of an import fails
    from ketaclinic.intake import fhir_import

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fhir_import.FhirImport.objects, "create", boom)
    before = everything_saved()
    with pytest.raises(RuntimeError):
        fhir_import.import_fhir_bundle(actor=nurse, raw=bundle("synthea_referral.json"))
    # then the patient, trials and items written before it are gone too
    assert everything_saved() == before


def test_a_partial_bundle_imports_what_it_has(api, nurse):
    body = post_bundle(api(nurse), bundle("partial_referral.json")).json()
    assert body["created"] is True
    assert body["imported"]["trials"] == 1 and body["imported"]["diagnoses"] == 1
    again = post_bundle(api(nurse), bundle("partial_referral.json")).json()
    assert again["imported"]["trials"] == 0


def test_front_desk_may_not_import_clinical_data(api, front_desk):
    response = post_bundle(api(front_desk), bundle("synthea_referral.json"))
    assert response.status_code == 403
    assert not Patient.objects.exists()


def test_the_command_imports_a_file_for_a_user(nurse, tmp_path):
    path = tmp_path / "referral.json"
    path.write_text(bundle("synthea_referral.json"))
    out = StringIO()
    call_command("import_fhir", str(path), "--user", nurse.username, stdout=out)
    result = json.loads(out.getvalue())
    assert result["created"] is True and result["imported"]["trials"] == 1
    call_command("import_fhir", str(path), "--user", nurse.username, stdout=StringIO())
    assert AntidepressantTrial.objects.count() == 1


def test_the_command_reports_a_malformed_file_clearly(nurse, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "bad.json"
    path.write_text('{"resourceType": "Bundle", "type": "collection"}')
    with pytest.raises(CommandError, match="no Patient"):
        call_command("import_fhir", str(path), "--user", nurse.username)
    assert not Patient.objects.exists()
