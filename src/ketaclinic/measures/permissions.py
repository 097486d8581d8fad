"""Actions of the measures app (rating scales, safety alerts, self-report links, schedules)."""

from ketaclinic.core.permissions import (
    ALL_ROLES,
    CLINICAL_READERS,
    CLINICAL_STAFF,
    Role,
    define_table,
)

define_table(
    [
        (
            "measure.view",
            "See rating-scale scores, trajectories and a patient's safety alerts",
            CLINICAL_READERS,
        ),
        ("measure.record", "Record a rating scale in the chart", CLINICAL_STAFF),
        (
            "measure.request",
            "Send a patient a self-report link (email, QR code or copied link)",
            CLINICAL_STAFF,
        ),
        ("measure.alerts", "See the clinic-wide list of safety alerts", CLINICAL_STAFF),
        (
            "measure.acknowledge_alert",
            "Acknowledge a safety alert with a note of the action taken",
            {Role.PRESCRIBER},
        ),
        (
            "measure.schedule",
            "Set measurement schedules and see which scales are due or overdue",
            CLINICAL_STAFF,
        ),
        (
            "measure.configure",
            "Change the clinic's cut-offs for an instrument (remission, reliable change)",
            {Role.CLINIC_ADMIN, Role.PRESCRIBER},
        ),
        (
            "measure.instruments",
            "Read the rating-scale definitions: items, scoring, bands, safety items and sources",
            ALL_ROLES,
        ),
        (
            "measure.confirm_referral",
            "Confirm a score that came with a referral so that it may serve as a course baseline",
            CLINICAL_STAFF,
        ),
    ],
    area="measures",
)
