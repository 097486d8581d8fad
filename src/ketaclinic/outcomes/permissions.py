"""Actions of the outcomes app (clinic analytics and research exports)."""

from ketaclinic.core.permissions import Role, define_table

# Aggregates of the whole clinic: prescribers, clinic administrators and auditors. Front desk
# and nurses see no outcome analytics (see docs/outcomes.md).
OUTCOME_READERS = {Role.PRESCRIBER, Role.CLINIC_ADMIN, Role.AUDITOR}

define_table(
    [
        (
            "outcomes.view",
            "See the clinic's outcome dashboard, equity view and outcome summary API",
            OUTCOME_READERS,
        ),
        (
            "outcomes.export",
            "Export the clinic's de-identified research data (Parquet/CSV, FHIR NDJSON)",
            {Role.CLINIC_ADMIN},
        ),
    ],
    area="outcomes",
)
