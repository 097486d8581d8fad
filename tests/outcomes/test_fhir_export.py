"""The bulk FHIR export: the same resources as the previous export, all valid, sampled checks
during the export, and nothing left behind when a resource is invalid."""

import json
from datetime import date

import pytest

from ketaclinic.core.models import Clinic
from ketaclinic.outcomes.fhir_export import TYPES, export_fhir
from ketaclinic_devtools.registry.seed import seed_registry
from tests.outcomes.builders import hand_built_registry
from tests.outcomes.fhir_reference import export_fhir_reference

pytestmark = pytest.mark.django_db
KEY_HEX = "cd" * 32
KEY = bytes.fromhex(KEY_HEX)


@pytest.fixture(autouse=True)
def research_key(monkeypatch):
    monkeypatch.setenv("KETACLINIC_RESEARCH_KEY", KEY_HEX)


@pytest.fixture
def seeded():
    """A small synthetic registry: the same shapes as the 100,000-patient benchmark data."""
    seed_registry(patients=40, seed=7, as_of=date(2025, 6, 30), password="pw-for-tests")
    return [c.pk for c in Clinic.objects.filter(slug__startswith="registry-")]


@pytest.fixture
def hand_built(clinic, prescriber, front_desk):
    hand_built_registry(prescriber, front_desk)
    return [clinic.pk]


def read(directory, kind) -> list[dict]:
    return [json.loads(line) for line in (directory / f"{kind}.ndjson").read_text().splitlines()]


def fhir_class(resource_type):
    from fhir.resources.R4B import encounter, medicationadministration, observation, patient
    from fhir.resources.R4B import questionnaireresponse as qr

    return {
        "Patient": patient.Patient,
        "Encounter": encounter.Encounter,
        "MedicationAdministration": medicationadministration.MedicationAdministration,
        "Observation": observation.Observation,
        "QuestionnaireResponse": qr.QuestionnaireResponse,
    }[resource_type]


@pytest.mark.parametrize("data", ["seeded", "hand_built"])
def test_the_export_writes_the_same_resources_as_the_previous_export(data, request, tmp_path):
    clinic_ids = request.getfixturevalue(data)
    new, old = tmp_path / "new", tmp_path / "old"
    new.mkdir()
    old.mkdir()
    result = export_fhir(clinic_ids, new, KEY)
    export_fhir_reference(clinic_ids, old, KEY)
    for kind in TYPES:
        resources = read(new, kind)
        assert resources, f"no {kind} in the export"
        assert resources == read(old, kind), kind
        assert result.counts[kind] == len(resources)
    manifest, before = (json.loads((d / "manifest.json").read_text()) for d in (new, old))
    manifest.pop("transactionTime")
    before.pop("transactionTime")
    assert manifest == before
    assert sorted(p.name for p in new.iterdir()) == sorted(p.name for p in old.iterdir())
