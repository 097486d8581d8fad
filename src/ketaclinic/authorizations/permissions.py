"""Actions of the authorizations app: the front desk manages coverage and authorizations,
clinical staff read them, and only clinical roles see the packet (it carries clinical data)."""

from ketaclinic.core.permissions import ALL_ROLES, CLINICAL_READERS, Role, define_table

define_table(
    [
        (
            "authorization.view",
            "See a patient's insurance coverage, benefits checks and prior authorizations with "
            "their units and warnings",
            ALL_ROLES,
        ),
        (
            "authorization.manage",
            "Record insurance coverage and benefits checks; create prior authorizations and "
            "record their submission, decisions and appeals",
            {Role.FRONT_DESK},
        ),
        (
            "authorization.packet",
            "Prepare a prior-authorization packet (diagnosis, antidepressant trials, rating "
            "scales, REMS, contraindications) with the payer's criteria checked",
            CLINICAL_READERS,
        ),
        (
            "authorization.configure",
            "Keep the payers' criteria checklists and the clinic's Spravato REMS certification",
            {Role.CLINIC_ADMIN},
        ),
    ],
    area="authorizations",
)
