"""The gate before treatment: an approved decision for the drug and a signed, unrevoked consent."""

import datetime as dt

import pytest

from ketaclinic.core.errors import Conflict
from ketaclinic.intake import queries, services
from ketaclinic.intake.queries import treatment_blockers
from tests.intake.helpers import ALL_NO, approve_and_consent, eligible_intake

pytestmark = pytest.mark.django_db


def test_a_new_patient_may_not_be_treated(patient):
    assert treatment_blockers(patient, "esketamine_trd") == [
        "No approved eligibility decision for esketamine",
        "No signed, unrevoked consent (esketamine rems)",
    ]
    with pytest.raises(Conflict, match="Treatment cannot start"):
        services.require_may_treat(patient, "esketamine_trd")


def test_approval_and_signed_consent_open_the_gate(prescriber, nurse, patient):
    eligible_intake(nurse, patient)
    approve_and_consent(prescriber, nurse, patient, "esketamine_trd")
    assert treatment_blockers(patient, "esketamine_trd") == []
    services.require_may_treat(patient, "esketamine_trd")  # does not raise


def test_approval_without_consent_still_blocks(prescriber, nurse, patient):
    eligible_intake(nurse, patient)
    services.decide_eligibility(
        actor=prescriber, patient=patient, protocol_code="iv_ketamine", outcome="approve"
    )
    assert treatment_blockers(patient, "iv_ketamine") == [
        "No signed, unrevoked consent (ketamine off label)"
    ]


def test_the_consent_must_match_the_protocols_consent_type(prescriber, nurse, patient):
    # given approval for both drugs but only the esketamine REMS consent
    eligible_intake(nurse, patient)
    approve_and_consent(prescriber, nurse, patient, "esketamine_trd")
    services.decide_eligibility(
        actor=prescriber, patient=patient, protocol_code="iv_ketamine", outcome="approve"
    )
    # then IV ketamine is still blocked by the missing off-label consent
    assert treatment_blockers(patient, "iv_ketamine") == [
        "No signed, unrevoked consent (ketamine off label)"
    ]


def test_an_approval_for_the_other_drug_does_not_count(prescriber, nurse, patient):
    eligible_intake(nurse, patient)
    approve_and_consent(prescriber, nurse, patient, "iv_ketamine")
    assert "No approved eligibility decision for esketamine" in treatment_blockers(
        patient, "esketamine_mdsi"
    )


def test_a_revoked_consent_closes_the_gate(prescriber, nurse, patient):
    eligible_intake(nurse, patient)
    _, consent = approve_and_consent(prescriber, nurse, patient)
    services.revoke_consent(actor=nurse, consent=consent, reason="Patient withdrew consent")
    assert treatment_blockers(patient, "esketamine_trd") == [
        "No signed, unrevoked consent (esketamine rems)"
    ]


def test_a_later_decline_overrides_an_earlier_approval(prescriber, nurse, patient):
    eligible_intake(nurse, patient)
    approve_and_consent(prescriber, nurse, patient)
    services.decide_eligibility(
        actor=prescriber,
        patient=patient,
        protocol_code="esketamine_trd",
        outcome="decline",
        note="New information from the cardiologist",
    )
    assert treatment_blockers(patient, "esketamine_trd") == [
        "Eligibility for esketamine was declined"
    ]


def test_a_checklist_answer_turned_yes_after_approval_blocks(prescriber, nurse, patient):
    eligible_intake(nurse, patient)
    approve_and_consent(prescriber, nurse, patient)
    services.record_contraindications(
        actor=nurse, patient=patient, answers={"pregnancy_or_breastfeeding": "yes"}
    )
    (blocker,) = treatment_blockers(patient, "esketamine_trd")
    assert "re-assess eligibility" in blocker and "pregnancy" in blocker


def test_an_unknown_protocol_is_a_blocker_not_a_crash(patient):
    assert treatment_blockers(patient, "no_such_protocol") == [
        "Unknown protocol 'no_such_protocol'"
    ]


def test_the_blockers_endpoint_answers_may_treat(api, prescriber, nurse, patient):
    eligible_intake(nurse, patient, ALL_NO)
    before = api(nurse).get(f"/patients/{patient.id}/treatment-blockers", protocol="esketamine_trd")
    assert before.json()["may_treat"] is False
    approve_and_consent(prescriber, nurse, patient)
    after = api(nurse).get(f"/patients/{patient.id}/treatment-blockers", protocol="esketamine_trd")
    assert after.json() == {"protocol": "esketamine_trd", "may_treat": True, "blockers": []}


def test_a_consent_signed_in_the_future_is_refused(nurse, patient):
    from ketaclinic.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.record_consent(
            actor=nurse,
            patient=patient,
            consent_type="esketamine_rems",
            signer_name="J R",
            witness_name="S J",
            signed_on=queries.clinic_today(patient.clinic) + dt.timedelta(days=1),
        )
