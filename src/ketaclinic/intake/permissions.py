"""Actions of the intake app (front desk sees the waiting list, never clinical intake data)."""

from ketaclinic.core.permissions import (
    ALL_ROLES,
    CLINICAL_READERS,
    CLINICAL_STAFF,
    Role,
    define_table,
)

PRESCRIBERS = {Role.PRESCRIBER}
REFERRAL_DESK = {Role.FRONT_DESK, Role.NURSE, Role.PRESCRIBER, Role.CLINIC_ADMIN}

define_table(
    [
        ("referral.view", "See the intake waiting list (names and status only)", ALL_ROLES),
        ("referral.create", "Put a patient on the intake waiting list", REFERRAL_DESK),
        (
            "intake.view",
            "See intake history, contraindications, eligibility and consents",
            CLINICAL_READERS,
        ),
        (
            "intake.record",
            "Record antidepressant trials, treatment history and contraindication answers",
            CLINICAL_STAFF,
        ),
        (
            "intake.confirm_trial",
            "Confirm an imported trial or the dose of a drug missing from the dose table",
            PRESCRIBERS,
        ),
        ("intake.decide", "Approve or decline a patient's eligibility for a protocol", PRESCRIBERS),
        (
            "intake.import_fhir",
            "Import a referral (FHIR Bundle): creates or matches the patient and prefills trials",
            CLINICAL_STAFF,
        ),
        ("consent.record", "Record a signed consent or its revocation", CLINICAL_STAFF),
        (
            "consent.publish",
            "Publish a new version of a consent document",
            {Role.PRESCRIBER, Role.CLINIC_ADMIN},
        ),
        (
            "intake.configure",
            "Change the clinic's antidepressant dose table and intake thresholds",
            {Role.PRESCRIBER, Role.CLINIC_ADMIN},
        ),
    ],
    area="intake",
)
