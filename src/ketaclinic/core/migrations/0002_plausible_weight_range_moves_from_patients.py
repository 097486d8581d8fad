# PlausibleWeightRange moves from the patients app to core without touching the database: the
# table keeps its name (patients_plausibleweightrange, see the model's Meta.db_table), so only
# Django's model state changes. This depends on patients.0003, which created the table;
# patients.0004 then removes the old model from the state.

import uuid
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, source: str, target: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label=target, model="plausibleweightrange").exists():
        content_types.filter(app_label=source, model="plausibleweightrange").update(
            app_label=target
        )


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "patients", "core")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "core", "patients")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("patients", "0003_plausible_weight_range"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PlausibleWeightRange",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "min_kg",
                            models.DecimalField(
                                decimal_places=1, default=Decimal("20.0"), max_digits=5
                            ),
                        ),
                        (
                            "max_kg",
                            models.DecimalField(
                                decimal_places=1, default=Decimal("400.0"), max_digits=5
                            ),
                        ),
                        ("note", models.TextField(blank=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "changed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "clinic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.clinic",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "patients_plausibleweightrange",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("clinic",), name="one_weight_range_per_clinic"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
