"""Acceptance: the packet lists every failed trial and the PHQ-9 history, marks which payer
criteria are met; its PDF reads back with pypdf and its FHIR Bundle is valid R4."""

import base64

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from ketaclinic.audit.models import AuditEvent
from ketaclinic.authorizations import packet
from tests.authorizations.packet_world import TRIALS, packet_world
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorization(clinic_hours, prescriber, nurse, front_desk, clinic_admin, patient):
    return packet_world(prescriber, nurse, front_desk, clinic_admin, patient)


def test_the_packet_checks_the_example_criteria_against_the_record(prescriber, authorization):
    built = packet.build_packet(prescriber, authorization)
    verdicts = {r.criterion.label: r.verdict.value for r in built.results}
    assert verdicts == {
        "Diagnosis of major depressive disorder (ICD-10-CM F32 or F33)": "met",
        "At least 2 failed adequate antidepressant trials in the current episode": "met",
        "At least 4 failed adequate antidepressant trials in 2 classes (some payers ask this)": (
            "not_met"
        ),
        "PHQ-9 or MADRS history": "met",
        "Patient enrolled in the Spravato REMS": "met",
        "Compare with this payer's current policy form before submitting": "by_hand",
    }
    assert built.tally == {"met": 4, "not_met": 1, "by_hand": 1}
    # the too-low, too-short escitalopram trial is listed but not counted
    assert [t.verdict for t in built.trials] == [
        "Adequate failed trial (current episode)",
        "Adequate failed trial (current episode)",
        "Not adequate",
    ]
    assert [s.total for s in built.scores] == [19, 17]


def test_the_pdf_lists_every_trial_the_phq9_history_and_the_verdicts(
    web, prescriber, patient, authorization
):
    # when a prescriber downloads the packet
    url = f"/patients/{patient.id}/coverage/authorizations/{authorization.id}/packet.pdf"
    response = web(prescriber).get(url)
    # then it is a PDF whose text reads back
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for drug, dose, _weeks, _ in TRIALS:
        assert drug in text and f"{dose} mg" in text
    assert "PHQ-9 and MADRS history" in text
    assert "PHQ-9 19 (moderately severe)" in text and "PHQ-9 17 (moderately severe)" in text
    assert "Met" in text and "Not met" in text and "To check by hand" in text
    assert "At least 4 failed adequate antidepressant trials in 2 classes" in text
    assert "F33.2" in text and "SITE-REF-9" in text
    assert "Nothing is sent to the payer from here" in text
    # and the download is audited, as is opening the record
    assert AuditEvent.objects.filter(action="authorization.packet_prepared").count() == 1
    assert AuditEvent.objects.filter(action="patient.viewed", actor=prescriber).exists()


def test_the_print_view_is_the_same_document(web, nurse, patient, authorization):
    url = f"/patients/{patient.id}/coverage/authorizations/{authorization.id}/packet/"
    page = web(nurse).get(url).content.decode()
    assert "Antidepressant trials" in page and "sertraline" in page
    assert "/static/authorizations/packet.css" in page
    assert "Download PDF" in page


def test_the_fhir_bundle_is_valid_r4_and_carries_the_trials_and_scores(
    api, prescriber, authorization
):
    response = api(prescriber).get(f"/authorizations/{authorization.id}/packet/fhir")
    assert response.status_code == 200, response.content[:500]
    bundle = response.json()
    Bundle.model_validate(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    by_type = {}
    for resource in resources:
        by_type.setdefault(resource["resourceType"], []).append(resource)
    assert [m["medicationCodeableConcept"]["text"] for m in by_type["MedicationStatement"]] == [
        t[0] for t in TRIALS
    ]
    assert [o["valueInteger"] for o in by_type["Observation"]] == [19, 17]
    assert by_type["Observation"][0]["code"]["coding"][0]["system"] == "http://loinc.org"
    claim = by_type["Claim"][0]
    assert claim["use"] == "preauthorization"
    assert claim["item"][0]["quantity"]["value"] == 16
    condition = by_type["Condition"][0]
    assert condition["code"]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/icd-10-cm",
        "code": "F33.2",
        "display": "Major depressive disorder, recurrent, severe without psychotic features",
    }
    summary = base64.b64decode(by_type["DocumentReference"][0]["content"][0]["attachment"]["data"])
    assert "PHQ-9 or MADRS history: Met." in summary.decode()


def test_the_json_summary_counts_met_and_not_met(api, nurse, authorization):
    body = api(nurse).get(f"/authorizations/{authorization.id}/packet").json()
    assert (body["met"], body["not_met"], body["by_hand"]) == (4, 1, 1)
    assert body["checklist_source"].startswith("Osmind's published prior-authorization checklist")


def test_a_packet_without_a_checklist_lists_the_record_unchecked(
    clinic_hours, prescriber, front_desk, patient
):
    from ketaclinic.authorizations import services

    bare = services.create_authorization(
        actor=front_desk, patient=patient, protocol_code="esketamine_trd"
    )
    built = packet.build_packet(prescriber, bare)
    assert built.checklist is None and built.results == []
    text = pdf_text(packet.render_pdf(built))
    assert "No payer checklist was chosen" in text
    assert "No antidepressant trial recorded." in text
