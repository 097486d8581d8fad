# Course now lives in the treatments app (treatments.0004) over the same table; once every
# foreign key points there (treatments.0004, billing.0002), the old model leaves the state.
# The table is not dropped.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("protocols", "0002_course_rems_enrollment"),
        ("treatments", "0004_course_moves_from_protocols"),
        ("billing", "0002_course_moves_to_treatments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Course")],
            database_operations=[],
        ),
    ]
