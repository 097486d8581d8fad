"""The schema is ready to shard by clinic (docs/scale.md): every unique constraint of a
clinic-scoped table includes the clinic, every model is classified, reference data depends on
no clinic, and clinic-scoped tables point only to classified tables.

The data-level half (no foreign key joins two clinics) runs on the demo clinic:
tests/demo/test_clinic_foreign_keys.py."""

from pathlib import Path

import pytest
from django.db import models
from django.test.utils import isolate_apps

from ketaclinic.core import sharding
from ketaclinic.core.management.commands.scale_doc import render_document
from ketaclinic.core.models import Clinic, ClinicScopedModel


def test_the_schema_is_ready_to_shard_by_clinic():
    found = sharding.violations()
    assert not found, "\n".join(str(v) for v in found)


def test_every_listed_table_exists_and_is_not_also_clinic_scoped_by_mistake():
    listed = {**sharding.REFERENCE, **sharding.INSTALLATION_WIDE}
    assert all(reason.strip() for reason in listed.values())
    assert not set(sharding.REFERENCE) & set(sharding.INSTALLATION_WIDE)


def test_the_primary_key_is_exempt_but_every_other_unique_field_counts():
    with isolate_apps("ketaclinic.core"):

        class Token(ClinicScopedModel):
            token_hash = models.CharField(max_length=64, unique=True)

            class Meta:
                app_label = "core"

        found = [str(v) for v in sharding.model_violations(Token, "clinic")]
    assert found == ["core.Token: unique field 'token_hash' does not include clinic"]


@pytest.mark.parametrize(
    "constraint",
    [
        models.UniqueConstraint(fields=["patient_ref", "key"], name="global_key"),
        models.UniqueConstraint(
            fields=["patient_ref"], condition=models.Q(active=True), name="global_active"
        ),
        models.UniqueConstraint(models.functions.Lower("key"), name="global_lower_key"),
    ],
    ids=["fields", "conditional", "expression"],
)
def test_the_checker_names_a_global_unique_constraint_on_a_clinic_scoped_model(constraint):
    with isolate_apps("ketaclinic.core"):

        class Thing(ClinicScopedModel):
            patient_ref = models.UUIDField()
            key = models.CharField(max_length=20)
            active = models.BooleanField(default=True)

            class Meta:
                app_label = "core"
                constraints = [constraint]

        found = [str(v) for v in sharding.model_violations(Thing, "clinic")]
    assert len(found) == 1
    assert found[0].startswith("core.Thing: ")
    assert repr(constraint.name) in found[0] and found[0].endswith("does not include clinic")


def test_a_unique_constraint_with_the_clinic_passes():
    with isolate_apps("ketaclinic.core"):

        class Thing(ClinicScopedModel):
            key = models.CharField(max_length=20)
            other = models.CharField(max_length=20, unique=True)

            class Meta:
                app_label = "core"
                unique_together = [("clinic", "other")]
                constraints = [models.UniqueConstraint(fields=["clinic", "key"], name="k")]

        found = [str(v) for v in sharding.model_violations(Thing, "clinic")]
    # The unique field is still global; unique_together and the constraint hold the clinic.
    assert found == ["core.Thing: unique field 'other' does not include clinic"]


def test_a_new_model_must_be_classified():
    with isolate_apps("ketaclinic.core"):

        class Loose(models.Model):  # noqa: DJ008
            name = models.CharField(max_length=20)

            class Meta:
                app_label = "core"

        found = [str(v) for v in sharding.violations([Loose])]
    assert found == [
        "core.Loose: has no clinic and is not listed as reference data or installation-wide "
        "(ketaclinic.core.sharding)"
    ]


def test_reference_data_depends_on_no_clinic():
    with isolate_apps("ketaclinic.core"):

        class Definition(models.Model):  # noqa: DJ008
            clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")

            class Meta:
                app_label = "core"

        class Scoped(ClinicScopedModel):
            class Meta:
                app_label = "core"

        class Wording(models.Model):  # noqa: DJ008
            owner = models.ForeignKey(Scoped, on_delete=models.CASCADE, related_name="+")

            class Meta:
                app_label = "core"

        clinic_column = [str(v) for v in sharding.model_violations(Definition, "reference")]
        pointing = [str(v) for v in sharding.model_violations(Wording, "reference")]
    assert "core.Definition: is reference data but has a clinic column" in clinic_column
    assert pointing == [
        "core.Wording: is reference data but 'owner' points to core.Scoped (clinic)"
    ]


def test_a_clinic_scoped_model_points_only_to_classified_tables():
    with isolate_apps("ketaclinic.core"):

        class Loose(models.Model):  # noqa: DJ008
            class Meta:
                app_label = "core"

        class Scoped(ClinicScopedModel):
            loose = models.ForeignKey(Loose, on_delete=models.CASCADE, related_name="+")

            class Meta:
                app_label = "core"

        found = [str(v) for v in sharding.model_violations(Scoped, "clinic")]
    assert found == [
        "core.Scoped: foreign key 'loose' points to core.Loose, which is neither clinic-scoped "
        "nor reference data nor installation-wide"
    ]


def test_every_foreign_key_between_clinic_scoped_tables_is_checked_by_the_data_test():
    keys = {f"{m._meta.label}.{f.name}" for m, f in sharding.clinic_foreign_keys()}
    assert "treatments.TreatmentSession.course" in keys
    assert "inventory.LedgerEntry.session" in keys
    # Users are installation-wide: a key to a user is not a clinic-to-clinic key.
    assert not any(k.endswith(".created_by") for k in keys)


def test_the_scale_document_lists_the_tables_as_the_code_classifies_them():
    doc = Path(__file__).resolve().parents[2] / "docs" / "scale.md"
    current = doc.read_text()
    assert render_document(current) == current, "run `ketaclinic scale_doc`"
