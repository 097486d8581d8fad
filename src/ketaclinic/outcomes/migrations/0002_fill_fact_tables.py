"""Fill the fact tables from the records already there (a database upgraded to this version)."""

from django.db import migrations


def fill(apps, schema_editor):
    # The facts are written by the same SQL as at run time, which reads the clinical tables as
    # they are at this point of the migration history (the dependencies below).
    from ketaclinic.outcomes.facts import rebuild  # noqa: PLC0415 (only when migrating)

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_fact_tables"),
        ("core", "0002_plausible_weight_range_moves_from_patients"),
        ("patients", "0006_preferred_language"),
        ("measures", "0003_instrument_text_language"),
        ("treatments", "0007_treatment_settings"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
