"""Actions of the protocols app: protocols, dose calculation, the clinic's open days."""

from ketaclinic.core.permissions import ALL_ROLES, CLINICAL_STAFF, Role, define_table

define_table(
    [
        # Protocols are clinic rules, not patient data: every role may read them and preview a
        # schedule (front desk uses it for cost estimates).
        ("protocol.view", "See protocols and preview course schedules", ALL_ROLES),
        (
            "protocol.configure",
            "Copy a protocol or change its values (a new version)",
            {Role.PRESCRIBER},
        ),
        (
            "clinic.calendar",
            "Set the clinic's open days and closed dates",
            {Role.PRESCRIBER, Role.CLINIC_ADMIN},
        ),
        ("dose.calculate", "Calculate a dose", CLINICAL_STAFF),
    ],
    area="protocols",
)
