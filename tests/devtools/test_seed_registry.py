"""`seed_registry` builds a plausible, deterministic registry that every app can read.

Small N only: the 100,000-patient runs are benchmarks (bench/), not tests.
"""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from ketaclinic.accounts.models import User
from ketaclinic.core.models import Clinic
from ketaclinic.intake.models import ConsentDocument
from ketaclinic.inventory.models import LedgerEntry
from ketaclinic.inventory.queries import verify_clinic_chain
from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.measures.models import MeasureResponse
from ketaclinic.outcomes import queries
from ketaclinic.outcomes.rules import Score, course_outcome
from ketaclinic.patients.models import Patient
from ketaclinic.protocols.models import ProtocolVersion
from ketaclinic.treatments.models import SessionAlert, TreatmentSession, VitalSignsEntry
from ketaclinic_devtools.registry import seed as seeding
from ketaclinic_devtools.registry.bulk import Table
from ketaclinic_devtools.registry.clinic import ClinicContext, Staff
from ketaclinic_devtools.registry.generator import Course
from ketaclinic_devtools.registry.seed import Plan, _generator, seed_registry

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 6, 30)


def seed(**kwargs):
    options = {"patients": 60, "seed": 7, "as_of": AS_OF, "password": "pw-for-tests"}
    return seed_registry(**(options | kwargs))


def fingerprint():
    return (
        list(Patient.objects.order_by("mrn").values_list("id", "mrn", "given_name", "race")),
        list(Course.objects.order_by("id").values_list("id", "protocol_code", "start_date")),
        list(MeasureResponse.objects.order_by("id").values_list("id", "total", "administered_at")),
        VitalSignsEntry.objects.count(),
    )


def test_the_command_seeds_patients_across_clinics_and_reports_what_it_did():
    # when the command runs for 60 patients in 2 clinics
    out = StringIO()
    call_command(
        "seed_registry", patients=60, clinics=2, seed=3, as_of=AS_OF, quiet=True, stdout=out
    )
    # then the clinics, their staff and every patient exist
    assert sorted(Clinic.objects.values_list("slug", flat=True)) == ["registry-1", "registry-2"]
    assert Patient.objects.count() == 60
    assert Patient.objects.filter(clinic__slug="registry-2").count() == 30
    assert User.objects.filter(username="reg2_prescriber1", role="prescriber").exists()
    assert "Seeded 60 patients in 2 clinic(s)" in out.getvalue()


def test_the_registry_has_courses_sessions_vitals_scores_and_alerts():
    result = seed(patients=120)
    # every patient has a referral; most have a course under a built-in protocol
    assert result.patients == 120
    codes = set(Course.objects.values_list("protocol_code", flat=True))
    assert codes <= {"iv_ketamine", "esketamine_trd", "esketamine_mdsi"}
    assert Course.objects.count() > 80
    # dosed sessions have vitals; some raised alerts
    dosed = TreatmentSession.objects.filter(dose_started_at__isnull=False)
    assert dosed.count() > 500
    assert VitalSignsEntry.objects.filter(pre_dose=True).count() == dosed.count()
    assert SessionAlert.objects.exists()
    # and trajectories include responders, remitters and non-responders
    statuses = set(Course.objects.values_list("status", flat=True))
    assert statuses == {"active", "completed", "stopped"}


def test_the_ledger_chain_of_a_seeded_clinic_verifies():
    seed(patients=40, ledger_days=120)
    clinic = Clinic.objects.get(slug="registry-1")
    verdict = verify_clinic_chain(clinic.pk)
    assert verdict.valid
    assert verdict.entries > 20


def test_verify_ledger_finds_every_seeded_clinics_chain_intact():
    # given a registry of two clinics with draws, administrations and wastes
    seed(patients=60, clinics_count=2, ledger_days=200)
    # when the ledger's own verification command runs over every clinic
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    # then each chain is intact (a broken chain exits 1 and names the entry)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["registry-1", "registry-2"]
    assert all(": intact, " in line for line in lines)
    wastes = LedgerEntry.objects.filter(entry_type="waste", witness__isnull=False)
    assert wastes.exists()


def test_the_same_seed_and_as_of_date_give_the_same_registry():
    # given a registry seeded once and rolled back
    with pytest.raises(RuntimeError), transaction.atomic():
        seed(patients=25)
        first = fingerprint()
        raise RuntimeError("roll back")
    # when it is seeded again with the same seed and date
    seed(patients=25)
    # then every row is the same
    assert fingerprint() == first


def test_a_second_run_into_the_same_database_is_refused():
    seed(patients=5)
    with pytest.raises(CommandError, match="already exist"):
        call_command("seed_registry", patients=5, quiet=True, stdout=StringIO())


def test_the_summary_sql_agrees_with_the_reference_rules_on_a_synthetic_registry():
    # given a synthetic registry with every kind of trajectory
    seed(patients=150)
    user = User.objects.get(username="reg1_prescriber1")
    # when the database computes the summary
    summary, _ = queries.summary(user)
    # then the readable reference (rules.course_outcome) gives the same answers
    expected = reference_counts(INSTRUMENTS["phq9"].remission)
    o = summary.overall
    assert (o.evaluable, o.response.numerator, o.remission.numerator) == (
        expected["evaluable"],
        expected["responders"],
        expected["remitters"],
    )
    for k in (2, 4, 6):
        response, remission = o.by_session[k]
        assert (response.denominator, response.numerator, remission.numerator) == expected[k]
    km = {}
    for step in o.km:
        km[(step.time, True)] = step.events
        km[(step.time, False)] = step.censored
    assert {k: v for k, v in km.items() if v} == expected["km"]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def reference_counts(remission):
    """The summary counted course by course in Python with rules.course_outcome."""
    courses = list(Course.objects.order_by("patient_id", "start_date", "created_at", "id"))
    scores: dict = {}
    for r in MeasureResponse.objects.filter(instrument="phq9").order_by("administered_at", "id"):
        scores.setdefault(r.patient_id, []).append(r)
    doses: dict = {}
    for s in TreatmentSession.objects.filter(dose_started_at__isnull=False):
        doses.setdefault(s.course_id, {})[s.number] = s.dose_started_at
    counts = {"evaluable": 0, "responders": 0, "remitters": 0, "km": {}}
    for k in (2, 4, 6):
        counts[k] = (0, 0, 0)
    for i, course in enumerate(courses):
        following = courses[i + 1] if i + 1 < len(courses) else None
        end = None
        if following is not None and following.patient_id == course.patient_id:
            end = _midnight(following.start_date)
        mine = [
            Score(r.administered_at, r.total)
            for r in scores.get(course.patient_id, [])
            if r.administered_at >= _midnight(course.start_date)
            and (end is None or r.administered_at < end)
        ]
        out = course_outcome(course.start_date, mine, doses.get(course.id, {}), remission)
        if out.evaluable:
            counts["evaluable"] += 1
            counts["responders"] += out.response
            counts["remitters"] += out.remission
            key = (out.km_days, out.km_event)
            counts["km"][key] = counts["km"].get(key, 0) + 1
        for k, result in out.milestones.items():
            if result is not None:
                n, resp, rem = counts[k]
                counts[k] = (n + 1, resp + result[0], rem + result[1])
    return counts


def test_seeded_dates_stay_within_the_history_window():
    seed(patients=30, years=1)
    first = Course.objects.order_by("start_date").first().start_date
    assert first >= AS_OF - timedelta(days=366)
    last = MeasureResponse.objects.order_by("-administered_at").first().administered_at
    assert last < _midnight(AS_OF) + timedelta(days=1)


def dangling_references() -> dict[str, int]:
    """Rows whose foreign key points at no row, for every foreign key of every project model."""
    qn = connection.ops.quote_name
    found = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model.__module__.startswith("ketaclinic"):
                continue
            for f in model._meta.concrete_fields:
                if not f.is_relation:
                    continue
                parent = f.related_model._meta
                cursor.execute(
                    f"SELECT COUNT(*) FROM {qn(model._meta.db_table)} c "
                    f"LEFT JOIN {qn(parent.db_table)} p ON p.{qn(f.target_field.column)} = "
                    f"c.{qn(f.column)} WHERE c.{qn(f.column)} IS NOT NULL "
                    f"AND p.{qn(f.target_field.column)} IS NULL"
                )
                count = cursor.fetchone()[0]
                if count:
                    found[f"{model._meta.label}.{f.name}"] = count
    return found


def test_a_seeded_registry_passes_the_databases_own_foreign_key_checks():
    # given a registry of two clinics with a ledger
    seed(patients=80, clinics_count=2, ledger_days=200)
    # when the database checks every deferred foreign key now (SQLite: PRAGMA
    # foreign_key_check; PostgreSQL: SET CONSTRAINTS ALL IMMEDIATE), then nothing fails
    connection.check_constraints()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
    # and no row of any project table points at a missing row
    assert dangling_references() == {}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_write_exactly_what_one_process_would():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    # given a registry written by two worker processes in chunks

    original = seeding.CHUNK
    seeding.CHUNK = 15
    try:
        seed(patients=40, workers=2)
    finally:
        seeding.CHUNK = original
    # when the same patients are generated again in this one process
    clinic = Clinic.objects.get(slug="registry-1")
    staff = {}
    for user in User.objects.filter(clinic=clinic).order_by("username"):
        staff.setdefault(user.role, []).append(Staff(user.pk, user.username, user.username))
    ctx = ClinicContext(clinic=clinic, index=1, id=clinic.pk, staff=staff)
    ctx.versions = {v.code: v for v in ProtocolVersion.objects.filter(clinic=clinic)}
    documents = ConsentDocument.objects.filter(clinic=clinic)
    ctx.consent_documents = {d.consent_type: d for d in documents}
    rows = {}

    class Capture:
        vendor = "postgresql"
        batch_size = 10**9

        def __init__(self):
            self.tables = {}

        def table(self, model, columns):
            return self.tables.setdefault(model, Table(self, model, columns))

        def write(self, table, columns, data):
            rows.setdefault(table, []).extend(dict(zip(columns, r, strict=True)) for r in data)

    generator = _generator(Plan(7, AS_OF, 2, 90), Capture())
    for number in range(1, 41):
        generator.patient(ctx, number)
    for table in generator.w.tables.values():
        table.flush()
    # then patients and courses are the same, row for row
    expected = sorted((r["id"], r["mrn"], r["given_name"]) for r in rows[Patient._meta.db_table])
    actual = sorted(
        (p.hex, m, g) for p, m, g in Patient.objects.values_list("id", "mrn", "given_name")
    )
    assert actual == expected
    expected_courses = sorted(
        (r["id"], r["protocol_code"], r["start_date"], r["status"])
        for r in rows[Course._meta.db_table]
    )
    actual_courses = sorted(
        (i.hex, c, d, s)
        for i, c, d, s in Course.objects.values_list("id", "protocol_code", "start_date", "status")
    )
    assert actual_courses == expected_courses
