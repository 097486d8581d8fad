"""Actions of the capacity app: see and manage chairs, shifts, opening hours, staffing rules."""

from ketaclinic.core.permissions import ALL_ROLES, CLINICAL_STAFF, Role, define_table

define_table(
    [
        # Resources are the clinic's set-up, not patient data: every role may see them (front desk
        # books around the chairs and hours); only clinic administrators change them.
        (
            "capacity.view",
            "See the clinic's chairs, staff shifts, opening hours and staffing rules",
            ALL_ROLES,
        ),
        (
            "capacity.manage",
            "Change the clinic's chairs, staff shifts, opening hours and staffing rules",
            {Role.CLINIC_ADMIN},
        ),
        # A plan names patients: clinical staff and administrators see it; administrators apply it.
        (
            "capacity.plan",
            "Plan a week of sessions onto the chairs and see what one more chair, nurse or hour "
            "buys",
            CLINICAL_STAFF | {Role.CLINIC_ADMIN},
        ),
        (
            "capacity.apply",
            "Apply a week plan: schedule its sessions' dates, start times and chairs",
            {Role.CLINIC_ADMIN},
        ),
    ],
    area="capacity",
)
