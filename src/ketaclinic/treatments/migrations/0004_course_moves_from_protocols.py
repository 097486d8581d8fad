# Course moves from the protocols app to treatments without touching the database: the table
# keeps its name (protocols_course, see Course.Meta.db_table), so only Django's model state
# changes here. protocols.0003 removes the old model from the state once every foreign key
# points at treatments.Course (this migration and billing.0002).

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, source: str, target: str) -> None:
    # Permissions and any generic relation follow the model to its new app label.
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label=target, model="course").exists():
        content_types.filter(app_label=source, model="course").update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "protocols", "treatments")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "treatments", "protocols")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("patients", "0003_plausible_weight_range"),
        ("protocols", "0002_course_rems_enrollment"),
        ("treatments", "0003_rems_form_2024_and_dosing_weight"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Course",
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
                        ("protocol_code", models.SlugField(max_length=60)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("active", "Active"),
                                    ("completed", "Completed"),
                                    ("stopped", "Stopped"),
                                ],
                                default="active",
                                max_length=12,
                            ),
                        ),
                        ("start_date", models.DateField()),
                        (
                            "weight_kg",
                            models.DecimalField(
                                blank=True, decimal_places=1, max_digits=5, null=True
                            ),
                        ),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                        ("end_reason", models.TextField(blank=True)),
                        ("planning_warnings", models.JSONField(blank=True, default=list)),
                        ("rems_enrolled", models.BooleanField(blank=True, null=True)),
                        (
                            "rems_enrollment_confirmed_at",
                            models.DateTimeField(blank=True, null=True),
                        ),
                        (
                            "clinic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.clinic",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "protocol_version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="courses",
                                to="protocols.protocolversion",
                            ),
                        ),
                        (
                            "rems_enrollment_confirmed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "started_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "protocols_course",
                        "ordering": ["-start_date", "-created_at"],
                        "indexes": [
                            models.Index(
                                fields=["clinic", "status"], name="protocols_c_clinic__636c1c_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "active")),
                                fields=("patient",),
                                name="one_active_course_per_patient",
                            )
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="treatmentsession",
                    name="course",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="treatments.course",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
