"""Actions of the access app: barriers, the prioritized waiting list, dropout risk, equity."""

from ketaclinic.core.permissions import ALL_ROLES, Role, define_table

define_table(
    [
        (
            "access.view",
            "See access barriers, the prioritized waiting list and patients at risk of dropping "
            "out",
            ALL_ROLES,
        ),
        (
            "access.record",
            "Record or resolve a patient's access barrier",
            {Role.FRONT_DESK, Role.NURSE, Role.PRESCRIBER, Role.CLINIC_ADMIN},
        ),
        (
            "access.reports",
            "See the access equity report (small cells suppressed)",
            {Role.CLINIC_ADMIN, Role.AUDITOR, Role.PRESCRIBER},
        ),
        (
            "access.configure",
            "Change the dropout-signal thresholds and the report's suppression threshold",
            {Role.CLINIC_ADMIN},
        ),
    ],
    area="access",
)
