# The course foreign keys follow Course to the treatments app. The table (protocols_course)
# and the columns are unchanged, so this only changes Django's model state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("treatments", "0004_course_moves_from_protocols"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="charge",
                    name="course",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="treatments.course",
                    ),
                ),
                migrations.AlterField(
                    model_name="goodfaithestimate",
                    name="course",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="treatments.course",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
