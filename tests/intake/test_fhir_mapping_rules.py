"""Reading referral Bundles (no database): Synthea-style, EHR export, partial and broken input.

The fixture files are hand-written to look like what Synthea and a hospital EHR export; their
RxNorm codes are illustrative only (the importer identifies drugs by name, never by code).
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from ketaclinic.intake.fhir_mapping import BundleRejected, parse_bundle

FIXTURES = Path(__file__).parent / "fixtures"


def load(name):
    return (FIXTURES / name).read_text()


def test_a_synthea_bundle_gives_the_patient_and_a_coded_sertraline_trial():
    # when the Synthea-style bundle is read
    data = parse_bundle(load("synthea_referral.json"))
    # then the patient is identified by name, birth date and identifiers
    assert (data.patient.family, data.patient.given) == ("Kuhic920", "Mariela993")
    assert data.patient.birth_date == dt.date(1981, 3, 14)
    assert ("http://hospital.smarthealthit.org", "5cbc121b-cd71-4428-b8b7-31e53eba8184") in (
        data.patient.identifiers
    )
    # and "1 tablet daily" of a 100 mg tablet becomes 100 mg/day, duration unknown
    (trial,) = data.trials
    assert trial.drug == "sertraline"
    assert trial.daily_dose_mg == Decimal("100")
    assert trial.started_on == dt.date(2023, 1, 10)
    assert trial.weeks is None and trial.missing == ["duration"]


def test_a_synthea_bundle_keeps_diagnosis_phq9_and_allergy_and_lists_the_rest():
    data = parse_bundle(load("synthea_referral.json"))
    kinds = {(i.kind, i.display) for i in data.items}
    assert ("diagnosis", "Major depressive disorder (disorder)") in kinds
    assert ("allergy", "Peanut (substance)") in kinds
    (phq,) = [i for i in data.items if i.kind == "observation"]
    assert phq.value == Decimal("19") and phq.recorded_on == dt.date(2023, 4, 1)
    reasons = {u["resource"]: u["reason"] for u in data.unmapped}
    assert (
        "not in the antidepressant table"
        in reasons["MedicationRequest/0d2a5b1e-4444-4a5e-9c0e-5a2f3c7e0004"]
    )
    assert "no name" in reasons["MedicationRequest/0d2a5b1e-5555-4a5e-9c0e-5a2f3c7e0005"]
    assert "not a PHQ-9 total" in reasons["Observation/0d2a5b1e-7777-4a5e-9c0e-5a2f3c7e0007"]
    assert reasons["Encounter/0d2a5b1e-1111-4a5e-9c0e-5a2f3c7e0001"] == (
        "resource type not used by intake"
    )


def test_an_ehr_export_maps_referenced_text_and_coded_medications():
    data = parse_bundle(load("ehr_referral.json"))
    assert (data.patient.family, data.patient.given) == ("Okafor", "Raymond J")
    trials = {t.drug: t for t in data.trials}
    # a Medication referenced by the statement, dose only in the sig text
    assert trials["fluoxetine"].daily_dose_mg == Decimal("40")
    assert trials["fluoxetine"].weeks == Decimal("15.0")
    # 150 mg twice daily by timing code
    assert trials["bupropion"].daily_dose_mg == Decimal("300")
    # a brand name with no dose and no end: kept, with what is missing
    assert trials["venlafaxine"].daily_dose_mg is None
    assert trials["venlafaxine"].missing == ["daily dose (no dosage)", "duration"]


def test_an_ehr_export_flags_a_ketamine_allergy_and_lists_what_it_cannot_map():
    data = parse_bundle(load("ehr_referral.json"))
    (allergy,) = [i for i in data.items if i.kind == "allergy"]
    assert allergy.ketamine_allergy
    (diagnosis,) = [i for i in data.items if i.kind == "diagnosis"]
    assert diagnosis.code == "F33.2" and diagnosis.recorded_on == dt.date(2022, 8, 15)
    unmapped = {u["resource"] for u in data.unmapped}
    assert unmapped == {"Condition/cND2", "MedicationStatement/ms4", "Practitioner/pr1"}


def test_a_partial_bundle_without_ids_still_imports_with_partial_dates():
    data = parse_bundle(load("partial_referral.json"))
    assert data.patient.birth_date == dt.date(1990, 7, 1)
    assert (data.patient.family, data.patient.given) == ("Marsh", "Lena")
    (trial,) = data.trials
    assert trial.drug == "escitalopram" and trial.weeks == Decimal("8.6")
    assert trial.key.startswith("sha256:")
    assert [i.display for i in data.items] == ["Depression"]


def test_reading_the_same_bundle_twice_gives_the_same_keys():
    first, second = parse_bundle(load("ehr_referral.json")), parse_bundle(load("ehr_referral.json"))
    assert first.bundle_hash == second.bundle_hash
    assert [t.key for t in first.trials] == [t.key for t in second.trials]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected an object"),
        ('{"resourceType": "Patient", "id": "x"}', "Expected a FHIR Bundle"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": []}', "no Patient"),
        (
            json.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [
                        {"resource": {"resourceType": "Patient", "id": "a"}},
                        {"resource": {"resourceType": "Patient", "id": "b"}},
                    ],
                }
            ),
            "2 Patient resources",
        ),
        (
            json.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [{"resource": {"resourceType": "Patient", "birthDate": "03/14/1981"}}],
                }
            ),
            "not valid FHIR R4",
        ),
    ],
)
def test_malformed_input_is_rejected_with_a_clear_message(raw, message):
    with pytest.raises(BundleRejected, match=message):
        parse_bundle(raw)


def test_an_r5_bundle_is_rejected_naming_the_field():
    with pytest.raises(BundleRejected) as rejected:
        parse_bundle(load("r5_referral.json"))
    assert "not valid FHIR R4" in rejected.value.message
    assert any("medication" in d for d in rejected.value.details)


# --- other FHIR versions and contained resources -----------------------------------------------


def test_a_dstu2_bundle_is_refused_naming_the_resource_and_the_version():
    # given a referral exported by a DSTU2-era EHR (MedicationOrder, list-valued family names)
    with pytest.raises(BundleRejected) as refused:
        parse_bundle(load("dstu2_referral.json"))
    # then the refusal names the resource type and the FHIR version it comes from
    assert refused.value.code == "unsupported_fhir_version"
    assert "MedicationOrder" in refused.value.message
    assert "FHIR DSTU2" in refused.value.message
    assert "FHIR R4 only" in refused.value.message


def test_a_resource_type_r4_does_not_know_is_refused_by_name():
    data = json.loads(load("partial_referral.json"))
    data["entry"].append({"resource": {"resourceType": "ActorDefinition", "status": "active"}})
    with pytest.raises(BundleRejected, match="ActorDefinition resource, which is not a FHIR R4"):
        parse_bundle(data)


def test_a_retired_type_inside_contained_is_refused_too():
    data = json.loads(load("contained_medication_referral.json"))
    statement = data["entry"][1]["resource"]
    statement["contained"].append({"resourceType": "MedicationOrder", "id": "old"})
    with pytest.raises(BundleRejected, match="MedicationOrder resource, a FHIR DSTU2"):
        parse_bundle(data)


def test_a_statement_referring_to_a_contained_medication_becomes_a_trial():
    # given a MedicationStatement whose medicationReference is "#med1", a contained Medication
    data = parse_bundle(load("contained_medication_referral.json"))
    # then it is read like a medicationCodeableConcept, not dropped
    (trial,) = data.trials
    assert trial.drug == "escitalopram"
    assert trial.daily_dose_mg == Decimal("20")
    assert (trial.started_on, trial.ended_on) == (dt.date(2024, 1, 8), dt.date(2024, 3, 18))
    assert trial.weeks == Decimal("10.0") and trial.missing == []
    assert data.unmapped == []


def test_a_reference_to_a_missing_contained_medication_is_listed_as_unmapped():
    data = json.loads(load("contained_medication_referral.json"))
    data["entry"][1]["resource"]["medicationReference"]["reference"] = "#med2"
    result = parse_bundle(data)
    assert result.trials == []
    (unmapped,) = result.unmapped
    assert "(#med2) that is not in the bundle" in unmapped["reason"]
