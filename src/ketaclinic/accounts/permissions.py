"""Actions of the accounts app."""

from ketaclinic.core.permissions import ALL_ROLES, Role, define

define(
    "token.manage_own", "Create, list and revoke your own API tokens", ALL_ROLES, area="accounts"
)
define(
    "token.manage_clinic",
    "List and revoke the API tokens of everyone in the clinic",
    {Role.CLINIC_ADMIN},
    area="accounts",
)
