"""Course and the plausible-weight range moved app without moving data: an existing database
upgrades in place and keeps its rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ketaclinic.core.models import PlausibleWeightRange
from ketaclinic.protocols.services import ensure_version
from ketaclinic.treatments.models import Course
from tests.migration_steps import migrate_to

# The last migrations before the moves.
BEFORE = [
    ("core", "0001_initial"),
    ("patients", "0003_plausible_weight_range"),
    ("protocols", "0002_course_rems_enrollment"),
    ("treatments", "0003_rems_form_2024_and_dosing_weight"),
    ("billing", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_a_course_and_a_weight_range_written_before_the_move_are_read_after_it(
    clinic, prescriber, patient
):
    # given a database at the migrations before the moves, with a course and a weight range
    version = ensure_version(clinic, "esketamine_trd")
    old = migrate_to(BEFORE)
    course_id = (
        old.get_model("protocols", "Course")
        .objects.create(
            clinic_id=clinic.id,
            patient_id=patient.id,
            protocol_version_id=version.id,
            protocol_code="esketamine_trd",
            start_date=dt.date(2026, 3, 2),
            started_by_id=prescriber.id,
        )
        .id
    )
    old.get_model("patients", "PlausibleWeightRange").objects.create(
        clinic_id=clinic.id, min_kg=Decimal("35.0"), max_kg=Decimal("250.0")
    )
    # (going back, the content types went back to their old apps)
    assert ContentType.objects.filter(app_label="protocols", model="course").exists()
    # when it migrates to the newest state
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then the rows are there under their new apps, and the content types followed them
    course = Course.objects.get(pk=course_id)
    assert (course.patient_id, course.start_date) == (patient.id, dt.date(2026, 3, 2))
    weights = PlausibleWeightRange.objects.get(clinic=clinic)
    assert (weights.min_kg, weights.max_kg) == (Decimal("35.0"), Decimal("250.0"))
    assert ContentType.objects.filter(app_label="treatments", model="course").exists()
    assert not ContentType.objects.filter(app_label="protocols", model="course").exists()
    assert ContentType.objects.filter(app_label="core", model="plausibleweightrange").exists()


def test_the_course_table_keeps_its_name():
    # Existing databases, SQL analytics and research exports read the table by this name.
    assert Course._meta.db_table == "protocols_course"
    assert PlausibleWeightRange._meta.db_table == "patients_plausibleweightrange"
