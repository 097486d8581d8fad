"""Actions of the accounts app: API tokens, staff administration, the clinic's sign-in policy."""

from ketaclinic.core.permissions import Role, define_table

EVERYONE = frozenset(Role)  # the clinic's own roles and the network roles

define_table(
    [
        ("token.manage_own", "Create, list and revoke your own API tokens", EVERYONE),
        (
            "token.manage_clinic",
            "List and revoke the API tokens of everyone in the clinic",
            {Role.CLINIC_ADMIN},
        ),
        (
            "account.manage_own",
            "Change your own password and set up your own two-factor authentication",
            EVERYONE,
        ),
        (
            "staff.view",
            "List the clinic's staff with their role, status and two-factor enrollment",
            {Role.CLINIC_ADMIN},
        ),
        (
            "staff.manage",
            "Add staff, change a role, deactivate or reactivate, reset a password or two-factor "
            "authentication",
            {Role.CLINIC_ADMIN},
        ),
        (
            "staff.security_policy",
            "Require two-factor authentication for every role of the clinic",
            {Role.CLINIC_ADMIN},
        ),
    ],
    area="accounts",
)
define_table(
    [
        (
            "network.manage_staff",
            "Give a member of staff a role at another location of the organization",
            {Role.NETWORK_ADMIN},
        ),
    ],
    area="network",
)
