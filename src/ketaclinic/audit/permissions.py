"""Actions of the audit app."""

from ketaclinic.core.permissions import Role, define_table

define_table(
    [
        ("audit.view", "Browse and filter the audit log", {Role.AUDITOR, Role.CLINIC_ADMIN}),
    ],
    area="audit",
)
