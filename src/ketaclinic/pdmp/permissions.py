"""Actions of the PDMP check log: record (prescriber, or nurse as delegate), see, rules, report."""

from ketaclinic.core.permissions import Role, define_table

define_table(
    [
        # Clinic administrators act as the compliance officer; front desk sees nothing of the log.
        (
            "pdmp.view",
            "See a patient's PDMP check log (who checked, when, the finding)",
            {Role.PRESCRIBER, Role.AUDITOR, Role.CLINIC_ADMIN},
        ),
        ("pdmp.record", "Record a PDMP check the prescriber made", {Role.PRESCRIBER}),
        (
            "pdmp.record_delegate",
            "Record a PDMP check made as a delegate on behalf of a named prescriber",
            {Role.NURSE},
        ),
        (
            "pdmp.status",
            "See whether a recent enough PDMP check exists before an order (not the finding)",
            {Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN},
        ),
        (
            "pdmp.rules_view",
            "See the clinic's PDMP rule table and the state it practises in",
            {Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN},
        ),
        (
            "pdmp.rules_manage",
            "Add or change rows of the PDMP rule table and confirm the clinic's state",
            {Role.CLINIC_ADMIN},
        ),
        (
            "pdmp.report",
            "See the PDMP report: checks per prescriber and findings with a concern",
            {Role.AUDITOR, Role.CLINIC_ADMIN},
        ),
    ],
    area="pdmp",
)
