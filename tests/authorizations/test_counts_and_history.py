"""Units left counted over the approvals that can still be drawn on, and the coverage pages
and API reading the same number of queries however long the patient's history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.authorizations import queries, services
from ketaclinic.treatments.models import TreatmentSession
from tests.authorizations.helpers import approved, coverage, today
from tests.outcomes.builders import make_course
from tests.treatments.helpers import course_today, dosing_started

pytestmark = pytest.mark.django_db


def test_units_left_in_the_shortfall_warning_leave_out_an_expired_approval(
    clinic_hours, prescriber, nurse, front_desk, patient
):
    course = course_today(prescriber, nurse, patient)
    # an approval of 4 sessions: session 1 is given under it, then it is marked expired
    old = approved(front_desk, patient, units=4, days=90, course_id=course.id)
    dosing_started(TreatmentSession.objects.get(course=course, number=1), prescriber, nurse,
                   minutes_ago=30)  # fmt: skip
    services.change_status(actor=front_desk, authorization=old, to="expired")
    # a new approval of 6 sessions covers what is planned from now on
    new = approved(front_desk, patient, units=6, course_id=course.id)
    assert queries.authorization_view(front_desk, new).usage.left == 6
    [short] = [w for w in queries.warnings_for_clinic(front_desk) if w.kind == "units_short"]
    # the 3 units the expired approval never used cannot be drawn: 6 are left, not 9
    assert "6 left" in short.message, short.message


def _approved_course(desk, prescriber, patient, start):
    built = make_course(prescriber, patient, "esketamine_trd", start, "completed", doses={1: 0})
    made = services.create_authorization(actor=desk, patient=patient, course_id=built.course.id)
    services.change_status(actor=desk, authorization=made, to="submitted", on=start)
    services.change_status(actor=desk, authorization=made, to="approved", on=start,
                           approved_units=6, valid_from=start,
                           valid_to=start + dt.timedelta(days=60))  # fmt: skip


def test_the_coverage_tab_reads_as_many_queries_for_four_past_courses_as_for_one(
    clinic_hours, web, front_desk, prescriber, patient
):
    client = web(front_desk)

    def count():
        with CaptureQueriesContext(connection) as read:
            assert client.get(f"/patients/{patient.id}/coverage/").status_code == 200
        return len(read.captured_queries)

    start = today(patient.clinic) - dt.timedelta(days=400)
    _approved_course(front_desk, prescriber, patient, start)
    count()
    one = count()
    for n in range(1, 4):
        _approved_course(front_desk, prescriber, patient, start + dt.timedelta(days=91 * n))
    assert count() == one


def test_the_course_authorizations_api_reads_coverage_once_not_per_authorization(
    clinic_hours, api, front_desk, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient)
    client = api(front_desk)

    def count():
        with CaptureQueriesContext(connection) as read:
            assert client.get(f"/courses/{course.id}/authorizations").status_code == 200
        return len(read.captured_queries)

    first = coverage(front_desk, patient)
    services.create_authorization(
        actor=front_desk, patient=patient, course_id=course.id, coverage=first
    )
    count()
    one = count()
    for n in range(3):
        ended = today(patient.clinic) - dt.timedelta(days=900 - 100 * n)
        older = coverage(
            front_desk,
            patient,
            order=2,
            payer_name=f"Payer {n}",
            effective_from=ended - dt.timedelta(days=50),
            effective_to=ended,
        )
        services.create_authorization(
            actor=front_desk, patient=patient, course_id=course.id, coverage=older
        )
    assert count() == one
