"""FHIR export: QuestionnaireResponse + Observation per response, LOINC only where verified."""

import uuid
from datetime import UTC, datetime

from fhir.resources.R4B.bundle import Bundle

from ketaclinic.measures.fhir import LOCAL_SYSTEM, ResponseRecord, measures_bundle
from ketaclinic.measures.instruments import INSTRUMENTS

AT = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)


def record(code, answers, total, severity):
    return ResponseRecord(uuid.uuid4(), INSTRUMENTS[code], AT, answers, total, severity)


def test_a_phq9_exports_as_a_valid_bundle_with_the_loinc_total():
    # given one PHQ-9 response
    phq9 = record("phq9", {str(n): 1 for n in range(1, 10)}, 9, "mild")
    # when exported
    bundle = measures_bundle("p-1", [phq9])
    # then the bundle validates and carries a QuestionnaireResponse and its LOINC total
    Bundle.model_validate(bundle)
    qr, obs = (e["resource"] for e in bundle["entry"])
    assert qr["resourceType"] == "QuestionnaireResponse"
    assert qr["questionnaire"] == "http://loinc.org/q/44249-1"
    assert [i["linkId"] for i in qr["item"]] == [str(n) for n in range(1, 10)]
    assert obs["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "44261-6",
        "display": "PHQ-9 total score",
    }
    assert obs["valueInteger"] == 9
    assert obs["derivedFrom"] == [{"reference": f"urn:uuid:{phq9.id}"}]
    assert obs["subject"] == {"reference": "Patient/p-1"}


def test_an_instrument_without_a_verified_loinc_code_uses_the_local_system():
    qids = record("qids_sr16", {str(n): 0 for n in range(1, 17)}, 0, "none")
    bundle = measures_bundle("p-1", [qids])
    obs = bundle["entry"][1]["resource"]
    assert obs["code"]["coding"][0]["system"] == LOCAL_SYSTEM
    assert "loinc" not in bundle["entry"][0]["resource"]["questionnaire"]


def test_a_cssrs_risk_level_exports_as_a_coded_value():
    cssrs = record("cssrs_screener", {"1": 1, "2": 0, "6": 0}, None, "low")
    bundle = measures_bundle("p-1", [cssrs])
    Bundle.model_validate(bundle)
    obs = bundle["entry"][1]["resource"]
    assert obs["valueCodeableConcept"]["text"] == "low"
    assert "valueInteger" not in obs


def test_licensed_item_text_is_not_exported_for_name_only_instruments():
    madrs = record("madrs", {str(n): 1 for n in range(1, 11)}, 10, "mild")
    qr = measures_bundle("p-1", [madrs])["entry"][0]["resource"]
    assert qr["item"][9]["text"] == "suicidal thoughts"
