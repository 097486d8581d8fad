"""Actions of the patients app."""

from ketaclinic.core.permissions import ALL_ROLES, CLINICAL_READERS, Role, define

REGISTRARS = {Role.FRONT_DESK, Role.NURSE, Role.PRESCRIBER, Role.CLINIC_ADMIN}

define("patient.view", "See patients' demographics and contacts", ALL_ROLES, area="patients")
define("patient.register", "Register a new patient", REGISTRARS, area="patients")
define("patient.update", "Edit a patient's demographics", REGISTRARS, area="patients")
# The gate for everything clinical (scores, notes, sessions, eligibility): later apps
# declare finer actions, and front desk is never among the roles.
define(
    "clinical.view",
    "See clinical information (scores, notes, sessions)",
    CLINICAL_READERS,
    area="patients",
)
define(
    "clinic.weight_range",
    "Choose the clinic's plausible weight range for data entry",
    {Role.CLINIC_ADMIN, Role.PRESCRIBER},
    area="patients",
)
