"""Actions of the audit app."""

from ketaclinic.core.permissions import Role, define

define(
    "audit.view",
    "Browse and filter the audit log",
    {Role.AUDITOR, Role.CLINIC_ADMIN},
    area="audit",
)
