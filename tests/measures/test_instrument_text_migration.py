"""Instrument text loaded before it was split: the installation's rows stay in InstrumentText
(reference data, no clinic), a clinic's own rows move to ClinicInstrumentText."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ketaclinic.measures.models import ClinicInstrumentText, InstrumentText

BEFORE = [("measures", "0004_unique_constraints_include_clinic")]


@pytest.mark.django_db(transaction=True)
def test_a_clinics_own_text_moves_and_the_installations_stays(clinic, other_clinic):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("measures", "InstrumentText")
    items = {"1": {"text": "Licensed wording"}}
    old.objects.create(instrument="madrs", language="en", items=items)
    loaded = old.objects.create(clinic_id=clinic.id, instrument="madrs", language="en", items={})
    old.objects.filter(pk=loaded.pk).update(loaded_at="2026-01-05T10:00:00Z")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(InstrumentText.objects.values_list("instrument", "items")) == [("madrs", items)]
    own = ClinicInstrumentText.objects.get()
    assert (own.clinic_id, own.instrument, own.language) == (clinic.id, "madrs", "en")
    assert own.loaded_at.isoformat().startswith("2026-01-05T10:00:00")
