"""Research across a network: each location is exported into its own folder with one key for
the organization, the folders form one Parquet dataset that DuckDB reads with the location as a
column, and pseudonyms are the same in every location's tables and differ for another
organization."""

import io
import json

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketaclinic.audit.models import AuditEvent
from ketaclinic.outcomes.export import export_tables
from ketaclinic.outcomes.keys import organization_key
from ketaclinic.outcomes.rules import pseudonym
from tests.factories import make_user
from tests.outcomes.builders import make_patient

pytestmark = pytest.mark.django_db
KEY_HEX = "cd" * 32
KEY = bytes.fromhex(KEY_HEX)


@pytest.fixture(autouse=True)
def research_key(monkeypatch):
    monkeypatch.setenv("KETACLINIC_RESEARCH_KEY", KEY_HEX)


@pytest.fixture
def network_patients(front_desk, riverside, other_clinic):
    lakeside = [make_patient(front_desk, name) for name in ("Ada", "Bo", "Cy")]
    river = [make_patient(make_user(riverside, "fd_river", "front_desk"), "Di")]
    make_patient(make_user(other_clinic, "fd_hill", "front_desk"), "Ed")
    return lakeside, river


def test_the_network_export_is_one_dataset_of_its_locations(
    network_patients, clinic, riverside, tmp_path
):
    lakeside, river = network_patients
    out = tmp_path / "network"
    call_command("export_research", "--organization", "lakeside", str(out), stdout=io.StringIO())
    # one folder per location of the organization (Hilltop is another organization)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "location=lakeside",
        "location=riverside",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["locations"]["lakeside"]["patients"] == 3
    assert manifest["locations"]["riverside"]["patients"] == 1
    # DuckDB reads the folders as one dataset, the location a column
    counts = duckdb.sql(
        f"SELECT location, count(*) FROM read_parquet('{out}/*/patients.parquet', "
        "hive_partitioning = true) GROUP BY location ORDER BY location"
    ).fetchall()
    assert counts == [("lakeside", 3), ("riverside", 1)]
    # pseudonyms come from the organization's key, the same in every location's tables
    key = organization_key(KEY, clinic.organization_id)
    expected = {pseudonym(key, "patient", p.pk.hex) for p in lakeside + river}
    found = {
        row[0]
        for row in duckdb.sql(
            f"SELECT patient FROM read_parquet('{out}/*/patients.parquet', hive_partitioning = 1)"
        ).fetchall()
    }
    assert found == expected
    # and both locations' exports are audited at each location
    events = AuditEvent.objects.filter(action="outcomes.research_exported")
    assert {e.clinic_id for e in events} == {clinic.pk, riverside.pk}


def test_pseudonyms_agree_within_an_organization_and_differ_across_organizations(
    network_patients, clinic, other_clinic, tmp_path
):
    ours = organization_key(KEY, clinic.organization_id)
    theirs = organization_key(KEY, other_clinic.organization_id)
    assert ours != theirs and len(ours) == 32
    for name, key in (("a", ours), ("b", ours), ("c", theirs)):
        (tmp_path / name).mkdir()
        export_tables([clinic.pk], tmp_path / name, "parquet", key)
    read = {
        name: {
            r[0]
            for r in duckdb.sql(
                f"SELECT patient FROM read_parquet('{tmp_path / name}/patients.parquet')"
            ).fetchall()
        }
        for name in "abc"
    }
    assert read["a"] == read["b"] and read["a"].isdisjoint(read["c"])


def test_the_network_export_refuses_fhir_an_unknown_clinic_and_a_used_folder(clinic, tmp_path):
    with pytest.raises(CommandError, match="not FHIR"):
        call_command("export_research", "--organization", "lakeside", "--format", "fhir", "x")
    with pytest.raises(CommandError, match="No clinic with slug 'nowhere'"):
        call_command("export_research", "--organization", "nowhere", str(tmp_path / "y"))
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "file").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_research", "--organization", "lakeside", str(tmp_path / "used"))
