"""Shared helpers for intake tests: build a patient's intake through the services."""

from ketaclinic.intake import queries, rules, services

ALL_NO = dict.fromkeys(rules.QUESTION_KEYS, "no")


def two_failed_trials(actor, patient):
    services.record_trial(
        actor=actor,
        patient=patient,
        drug="sertraline",
        daily_dose_mg=150,
        weeks=8,
        outcome="no_response",
    )
    services.record_trial(
        actor=actor,
        patient=patient,
        drug="duloxetine",
        daily_dose_mg=90,
        weeks=10,
        outcome="partial_response",
    )


def eligible_intake(actor, patient, answers=None):
    """A TRD patient with every checklist question answered no."""
    two_failed_trials(actor, patient)
    services.record_contraindications(actor=actor, patient=patient, answers=answers or ALL_NO)


def approve_and_consent(prescriber, nurse, patient, protocol="esketamine_trd"):
    facts = queries.resolve_protocol(patient.clinic, protocol)
    decision = services.decide_eligibility(
        actor=prescriber, patient=patient, protocol_code=protocol, outcome="approve"
    )
    consent = services.record_consent(
        actor=nurse,
        patient=patient,
        consent_type=facts.consent_type,
        signer_name=patient.full_name,
        witness_name=nurse.get_full_name(),
        signed_on=queries.clinic_today(patient.clinic),
    )
    return decision, consent
