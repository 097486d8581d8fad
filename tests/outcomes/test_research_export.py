"""The research export holds no direct identifier, keeps intervals, and its FHIR is valid."""

import csv
import json
import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pyarrow.parquet as pq
import pytest
import time_machine
from django.core.management import CommandError, call_command

from ketaclinic.audit.models import AuditEvent
from ketaclinic.outcomes.export import export_tables
from ketaclinic.outcomes.fhir_export import TYPES, export_fhir
from ketaclinic.outcomes.rules import pseudonym
from ketaclinic.treatments.models import AdverseEvent, Course, TreatmentSession
from tests.outcomes.builders import hand_built_registry, make_course, make_patient

pytestmark = pytest.mark.django_db
KEY_HEX = "ab" * 32
KEY = bytes.fromhex(KEY_HEX)
DOB = date(1931, 2, 17)


@pytest.fixture(autouse=True)
def research_key(monkeypatch):
    monkeypatch.setenv("KETACLINIC_RESEARCH_KEY", KEY_HEX)


@pytest.fixture
def registry(prescriber, front_desk):
    built = hand_built_registry(prescriber, front_desk)
    # a patient with every kind of identifier, and free text wherever the schema allows it
    odile = make_patient(
        front_desk,
        "Odilebertha",
        family_name="Quenneville-Ashdown",
        date_of_birth=DOB,
        phone="(555) 867-5309",
        email="odile.q@example.net",
        address_line="742 Evergreen Terrace",
        city="Shelbyvillage",
        postal_code="49007",
        emergency_contact_name="Marguerite Quenneville",
        emergency_contact_phone="(555) 311-4242",
    )
    course = make_course(
        prescriber,
        odile,
        "iv_ketamine",
        date(2025, 4, 7),
        "stopped",
        doses={1: 0, 2: 2},
        aborted=(3,),
        scores=((0, 21), (2, 14)),
    )
    Course.objects.filter(pk=course.course.pk).update(end_reason="Moved to Grandfalls Ridge")
    TreatmentSession.objects.filter(pk=course.sessions[3].pk).update(
        abort_reason="Odilebertha felt unwell at Grandfalls Ridge"
    )
    AdverseEvent.objects.create(
        clinic_id=odile.clinic_id,
        session=course.sessions[1],
        code="other",
        description="Told nurse about her cat Whiskerfield",
        severity="mild",
        onset_at=course.sessions[1].dose_started_at + timedelta(minutes=5),
        action="none",
        outcome="resolved",
        recorded_by=prescriber,
    )
    built["odile"] = odile
    built["odile_course"] = course
    return built


FORBIDDEN = (
    "Odilebertha",
    "Quenneville",
    "Ashdown",
    "867-5309",
    "8675309",
    "odile.q@example.net",
    "Evergreen",
    "Shelbyvillage",
    "49007",
    "Marguerite",
    "311-4242",
    "1931-02-17",
    "02/17/1931",
    "Grandfalls",
    "Whiskerfield",
    "Testperson",
    "jordan@example.com",
    "KC000",  # MRNs
)


def _found(needle: str, text: str) -> bool:
    """A number counts on its own (a ZIP code, a phone number), not as a run of digits inside a
    hexadecimal pseudonym, where any five digits turn up by chance; other needles anywhere."""
    if needle.isdigit():
        return re.search(rf"(?<![0-9a-fA-F]){needle}(?![0-9a-fA-F])", text) is not None
    return needle.lower() in text.lower()


def all_text(directory) -> str:
    parts = []
    for path in sorted(directory.iterdir()):
        if path.suffix == ".parquet":
            parts.append(json.dumps(pq.read_table(path).to_pylist(), default=str))
        else:
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "fhir"])
def test_no_direct_identifier_survives_anywhere_in_the_export(registry, clinic, tmp_path, fmt):
    # when the clinic is exported
    if fmt == "fhir":
        export_fhir([clinic.pk], tmp_path, KEY)
    else:
        export_tables([clinic.pk], tmp_path, fmt, KEY)
    text = all_text(tmp_path)
    # then no name, phone, email, address, date of birth, MRN or free text is in any file
    leaked = [needle for needle in FORBIDDEN if _found(needle, text)]
    assert leaked == []
    # and no real record id either
    assert str(registry["odile"].pk) not in text
    assert registry["odile"].pk.hex not in text


def read_csv(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_intervals_between_a_patients_events_are_preserved(registry, clinic, tmp_path):
    export_tables([clinic.pk], tmp_path, "csv", KEY)
    odile = pseudonym(KEY, "patient", registry["odile"].pk.hex)
    course = next(r for r in read_csv(tmp_path / "courses.csv") if r["patient"] == odile)
    sessions = [r for r in read_csv(tmp_path / "sessions.csv") if r["patient"] == odile]
    scores = [r for r in read_csv(tmp_path / "measure_responses.csv") if r["patient"] == odile]
    start = date.fromisoformat(course["start_date"])
    # the dates moved ...
    assert start != date(2025, 4, 7)
    # ... but every interval is exact: session 2 was dosed 2 days + 15 h after the start
    dosed = {
        int(s["number"]): datetime.fromisoformat(s["dose_started_at"])
        for s in sessions
        if s["dose_started_at"]
    }
    midnight = datetime(start.year, start.month, start.day, tzinfo=dosed[1].tzinfo)
    assert dosed[2] - midnight == timedelta(days=2, hours=15)
    taken = sorted(datetime.fromisoformat(s["administered_at"]) for s in scores)
    assert taken[1] - taken[0] == timedelta(days=2)


def test_ages_over_89_are_top_coded_and_no_birth_date_is_exported(registry, clinic, tmp_path):
    export_tables([clinic.pk], tmp_path, "csv", KEY)
    patients = read_csv(tmp_path / "patients.csv")
    assert "date_of_birth" not in patients[0]
    odile = pseudonym(KEY, "patient", registry["odile"].pk.hex)
    assert next(p for p in patients if p["patient"] == odile)["age_at_index"] == "90+"
    ages = {p["age_at_index"] for p in patients}
    assert "44" in ages  # born 15 June 1980, first course 3 March 2025


def test_the_age_at_registration_counts_the_clinics_date(front_desk, clinic, tmp_path):
    # registered at 21:30 in New York on 1 March 2026 (already 2 March in UTC), the day before
    # the 36th birthday, never treated: 35 at the index date
    with time_machine.travel(datetime(2026, 3, 2, 2, 30, tzinfo=UTC), tick=False):
        eve = make_patient(front_desk, "Eve", date_of_birth=date(1990, 3, 2))
    export_tables([clinic.pk], tmp_path, "csv", KEY)
    eve_id = pseudonym(KEY, "patient", eve.pk.hex)
    row = next(p for p in read_csv(tmp_path / "patients.csv") if p["patient"] == eve_id)
    assert row["age_at_index"] == "35"


def test_pseudonyms_link_exports_made_with_one_key_and_differ_with_another(
    registry, clinic, tmp_path
):
    for name in "abc":
        (tmp_path / name).mkdir()
    export_tables([clinic.pk], tmp_path / "a", "csv", KEY)
    export_tables([clinic.pk], tmp_path / "b", "csv", KEY)
    export_tables([clinic.pk], tmp_path / "c", "csv", bytes(range(32)))
    first = {r["patient"] for r in read_csv(tmp_path / "a" / "patients.csv")}
    again = {r["patient"] for r in read_csv(tmp_path / "b" / "patients.csv")}
    other = {r["patient"] for r in read_csv(tmp_path / "c" / "patients.csv")}
    assert first == again
    assert first.isdisjoint(other)


def test_the_data_dictionary_describes_every_exported_column(registry, clinic, tmp_path):
    export_tables([clinic.pk], tmp_path, "parquet", KEY)
    described = {(r["table"], r["column"]) for r in read_csv(tmp_path / "data_dictionary.csv")}
    for path in tmp_path.glob("*.parquet"):
        for column in pq.read_schema(path).names:
            assert (path.stem, column) in described
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["tables"]["courses"] == 8
    assert "key_fingerprint" in manifest and KEY_HEX not in (tmp_path / "manifest.json").read_text()


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


def test_every_fhir_ndjson_line_is_a_valid_r4_resource(registry, clinic, tmp_path):
    result = export_fhir([clinic.pk], tmp_path, KEY)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [o["type"] for o in manifest["output"]] == list(TYPES)
    for output in manifest["output"]:
        lines = (tmp_path / output["url"]).read_text().splitlines()
        assert len(lines) == output["count"] == result.counts[output["type"]] > 0
        cls = fhir_class(output["type"])
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == output["type"]
            cls.model_validate(resource)  # raises on any invalid resource


def test_fhir_resources_reference_each_other_by_pseudonym(registry, clinic, tmp_path):
    export_fhir([clinic.pk], tmp_path, KEY)
    patients = {json.loads(x)["id"] for x in (tmp_path / "Patient.ndjson").read_text().splitlines()}
    encounters = [json.loads(x) for x in (tmp_path / "Encounter.ndjson").read_text().splitlines()]
    assert len(patients) == 7  # six hand-built patients and Odile
    assert {e["subject"]["reference"][len("Patient/") :] for e in encounters} <= patients
    loinc = {
        c["code"]
        for x in (tmp_path / "Observation.ndjson").read_text().splitlines()
        for c in json.loads(x)["code"]["coding"]
    }
    assert "44261-6" in loinc  # PHQ-9 total (measures.fhir)


def test_the_command_exports_a_clinic_for_its_admin_and_audits_it(registry, clinic_admin, tmp_path):
    out = StringIO()
    call_command(
        "export_research", str(tmp_path / "x"), format="csv", user=clinic_admin.username, stdout=out
    )
    assert (tmp_path / "x" / "patients.csv").exists()
    event = AuditEvent.objects.get(action="outcomes.research_exported")
    assert event.actor == clinic_admin and event.changes["format"] == "csv"


def test_the_command_refuses_a_user_without_the_export_permission(prescriber, tmp_path):
    with pytest.raises(CommandError, match="may not export"):
        call_command("export_research", str(tmp_path / "x"), user=prescriber.username)


def test_the_command_never_writes_into_a_directory_that_is_not_empty(clinic, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_research", str(tmp_path), clinic=[clinic.slug])
