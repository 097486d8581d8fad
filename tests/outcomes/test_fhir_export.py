"""The bulk FHIR export: the same resources as the previous export, all valid, sampled checks
during the export, and nothing left behind when a resource is invalid."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.models import Clinic
from ketaclinic.outcomes import fhir_export
from ketaclinic.outcomes.fhir_export import TYPES, FhirExportError, export_fhir
from ketaclinic.outcomes.rules import pseudonym
from ketaclinic.patients.models import Patient
from ketaclinic_devtools.registry.seed import seed_registry
from tests.outcomes.builders import hand_built_registry
from tests.outcomes.fhir_reference import export_fhir_reference

pytestmark = pytest.mark.django_db
KEY_HEX = "cd" * 32
KEY = bytes.fromhex(KEY_HEX)
VITAL_CODES = {"85354-9", "8867-4", "2708-6", "9279-1"}


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


def test_every_resource_of_a_registry_export_is_valid_fhir_r4b(seeded, tmp_path):
    export_fhir(seeded, tmp_path, KEY)
    for kind in TYPES:
        resources = read(tmp_path, kind)
        assert resources
        cls = fhir_class(kind)
        for resource in resources:
            assert resource["resourceType"] == kind
            cls.model_validate(resource)  # raises on any invalid resource
    codes = {c["code"] for o in read(tmp_path, "Observation") for c in o["code"]["coding"]}
    assert codes >= VITAL_CODES
    assert "44261-6" in codes  # PHQ-9 total


@pytest.mark.parametrize("data", ["seeded", "hand_built"])
def test_every_exported_resource_is_labelled_pseudonymised(data, request, tmp_path):
    export_fhir(request.getfixturevalue(data), tmp_path, KEY)
    unlabelled = {}
    for kind in TYPES:
        for resource in read(tmp_path, kind):
            codes = {s.get("code") for s in resource.get("meta", {}).get("security", [])}
            if "PSEUDED" not in codes:
                unlabelled[kind] = unlabelled.get(kind, 0) + 1
    assert unlabelled == {}


def test_the_export_checks_the_first_resource_of_each_type_and_every_hundredth(
    seeded, tmp_path, monkeypatch
):
    checked = []
    original = fhir_export.validate_resource
    monkeypatch.setattr(
        fhir_export,
        "validate_resource",
        lambda resource: checked.append(resource["resourceType"]) or original(resource),
    )
    result = export_fhir(seeded, tmp_path, KEY)
    for kind in TYPES:
        assert checked.count(kind) == 1 + result.counts[kind] // 100, kind


def test_the_export_reads_each_table_once_whatever_the_number_of_patients(
    seeded, tmp_path, django_assert_num_queries
):
    # patients, sessions, vital signs, scale responses
    with django_assert_num_queries(4):
        export_fhir(seeded, tmp_path, KEY)


def test_an_invalid_resource_stops_the_export_and_leaves_nothing_behind(seeded, tmp_path):
    Patient.objects.update(sex="")  # an empty code is not valid FHIR
    with pytest.raises(FhirExportError, match=r"Patient [0-9a-f]{32} is not a valid FHIR") as e:
        export_fhir(seeded, tmp_path, KEY)
    assert "gender" in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_the_command_reports_an_invalid_resource_and_writes_nothing(seeded, tmp_path):
    Patient.objects.update(sex="")
    target = tmp_path / "out"
    with pytest.raises(CommandError, match=r"Patient [0-9a-f]{32} is not a valid FHIR"):
        call_command("export_research", str(target), format="fhir", all_clinics=True)
    assert not target.exists() or list(target.iterdir()) == []
    assert not AuditEvent.objects.filter(action="outcomes.research_exported").exists()


def test_the_command_writes_the_fhir_files_and_a_manifest(seeded, tmp_path):
    out = StringIO()
    target = tmp_path / "out"
    call_command("export_research", str(target), format="fhir", all_clinics=True, stdout=out)
    names = sorted(p.name for p in target.iterdir())
    assert names == sorted([f"{t}.ndjson" for t in TYPES] + ["manifest.json"])
    manifest = json.loads((target / "manifest.json").read_text())
    for output in manifest["output"]:
        assert output["count"] == len(read(target, output["type"]))
    assert "Exported" in out.getvalue()


@pytest.mark.parametrize("kind", ["patient", "session", "vitals-spo2", "response"])
def test_the_export_pseudonyms_are_the_research_tables_pseudonyms(kind):
    identifier = "0f" * 16
    assert fhir_export.Pseudonyms(KEY)(kind, identifier) == pseudonym(KEY, kind, identifier)
