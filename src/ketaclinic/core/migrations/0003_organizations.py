"""Organizations: every existing clinic becomes an organization of one."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def organization_of_one(apps, schema_editor):
    Clinic = apps.get_model("core", "Clinic")
    Organization = apps.get_model("core", "Organization")
    for clinic in Clinic.objects.filter(organization__isnull=True):
        clinic.organization = Organization.objects.create(name=clinic.name)
        clinic.save(update_fields=["organization"])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_plausible_weight_range_moves_from_patients")]

    operations = [
        migrations.CreateModel(
            name="Organization",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="clinic",
            name="organization",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="clinics",
                to="core.organization",
            ),
        ),
        migrations.RunPython(organization_of_one, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="clinic",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="clinics",
                to="core.organization",
            ),
        ),
    ]
