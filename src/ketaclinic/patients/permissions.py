"""Actions of the patients app."""

from ketaclinic.core.permissions import ALL_ROLES, CLINICAL_READERS, Role, define_table

REGISTRARS = {Role.FRONT_DESK, Role.NURSE, Role.PRESCRIBER, Role.CLINIC_ADMIN}

define_table(
    [
        ("patient.view", "See patients' demographics and contacts", ALL_ROLES),
        ("patient.register", "Register a new patient", REGISTRARS),
        ("patient.update", "Edit a patient's demographics", REGISTRARS),
        # The gate for everything clinical (scores, notes, sessions, eligibility): later apps
        # declare finer actions, and front desk is never among the roles.
        ("clinical.view", "See clinical information (scores, notes, sessions)", CLINICAL_READERS),
        (
            "patient.transfer",
            "Transfer a patient to another location of the organization, with their consent",
            {Role.PRESCRIBER, Role.CLINIC_ADMIN},
        ),
        (
            "clinic.weight_range",
            "Choose the clinic's plausible weight range for data entry",
            {Role.CLINIC_ADMIN, Role.PRESCRIBER},
        ),
    ],
    area="patients",
)
