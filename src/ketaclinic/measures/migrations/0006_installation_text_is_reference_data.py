from django.db import migrations, models


class Migration(migrations.Migration):
    """Installation-wide instrument text is reference data: no clinic (docs/scale.md). The
    clinics' own text moved to ClinicInstrumentText in 0005; a separate migration, so that
    PostgreSQL alters the table in a transaction without the rows just moved."""

    dependencies = [
        ("measures", "0005_clinic_instrument_text"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="instrumenttext",
            name="instrument_text_once_per_clinic_language",
        ),
        migrations.RemoveConstraint(
            model_name="instrumenttext",
            name="instrument_text_once_installation_wide_language",
        ),
        migrations.RemoveField(
            model_name="instrumenttext",
            name="clinic",
        ),
        migrations.AddConstraint(
            model_name="instrumenttext",
            constraint=models.UniqueConstraint(
                fields=("instrument", "language"), name="instrument_text_once_per_language"
            ),
        ),
    ]
