"""Actions of the billing app: front desk handles money, never clinical notes; auditors read."""

from ketaclinic.core.permissions import Role, define_table

DESK = {Role.FRONT_DESK, Role.CLINIC_ADMIN}

define_table(
    [
        (
            "billing.view",
            "See fee schedules, estimates, charges, payments, balances and superbills",
            {Role.FRONT_DESK, Role.CLINIC_ADMIN, Role.AUDITOR, Role.PRESCRIBER},
        ),
        ("billing.estimate", "Issue a Good Faith Estimate", DESK),
        ("billing.charge", "Create charges from completed sessions, add or void a charge", DESK),
        ("billing.payment", "Record or void a payment", DESK),
        (
            "billing.sliding_scale",
            "Apply the sliding scale to a patient (recorded as the approver)",
            DESK,
        ),
        (
            "billing.diagnosis",
            "Set the ICD-10 diagnosis printed on estimates and superbills",
            {Role.PRESCRIBER},
        ),
        (
            "billing.configure",
            "Change fee schedules, the sliding-scale table, poverty guidelines and billing "
            "identifiers",
            {Role.CLINIC_ADMIN},
        ),
        (
            "billing.reports",
            "See revenue, outstanding balance and discount reports",
            {Role.CLINIC_ADMIN, Role.AUDITOR},
        ),
    ],
    area="billing",
)
