"""The patient-name trigram index holds the folded name only, not (clinic_id, folded name).

With clinic_id in the GIN index every search read the clinic's whole posting list (one entry
per patient: 100,000 in a large clinic) to intersect it with the name's trigrams: 3-5 ms per
query whatever the query, and an MRN or a rare name paid it too. Without it the index returns
the few rows whose names hold the trigrams and the clinic is checked on those rows: 0.06-0.12 ms
for a rare name or an MRN, about half the time for a common one (docs/performance.md).
"""

from django.db import migrations

NAME = "ketaclinic_fold(given_name || ' ' || family_name) gin_trgm_ops"


def _swap(schema_editor, columns: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX patients_patient_name_trgm_new ON patients_patient USING gin ({columns})"
    )
    schema_editor.execute("DROP INDEX IF EXISTS patients_patient_name_trgm")
    schema_editor.execute(
        "ALTER INDEX patients_patient_name_trgm_new RENAME TO patients_patient_name_trgm"
    )


def name_only(apps, schema_editor):
    _swap(schema_editor, NAME)


def clinic_and_name(apps, schema_editor):
    _swap(schema_editor, f"clinic_id, {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_preferred_language"),
    ]

    operations = [
        migrations.RunPython(name_only, clinic_and_name, elidable=False),
    ]
