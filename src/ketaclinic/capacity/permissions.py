"""Actions of the capacity app: see and manage chairs, shifts, opening hours, staffing rules."""

from ketaclinic.core.permissions import ALL_ROLES, Role, define

# Resources are the clinic's set-up, not patient data: every role may see them (front desk
# books around the chairs and hours); only clinic administrators change them.
define(
    "capacity.view",
    "See the clinic's chairs, staff shifts, opening hours and staffing rules",
    ALL_ROLES,
    area="capacity",
)
define(
    "capacity.manage",
    "Change the clinic's chairs, staff shifts, opening hours and staffing rules",
    {Role.CLINIC_ADMIN},
    area="capacity",
)
