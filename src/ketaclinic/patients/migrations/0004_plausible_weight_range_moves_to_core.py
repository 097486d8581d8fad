# PlausibleWeightRange now lives in core (core.0002) over the same table; the old model leaves
# the patients app's state. The table is not dropped.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_plausible_weight_range"),
        ("core", "0002_plausible_weight_range_moves_from_patients"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PlausibleWeightRange")],
            database_operations=[],
        ),
    ]
