"""Acceptance: an authorization expiring in 10 days is on the front desk's work queue."""

import datetime as dt

import pytest

from ketaclinic.authorizations import queries, services
from tests.authorizations.helpers import approved, today

pytestmark = pytest.mark.django_db


def kinds(items):
    return [(i.kind, i.patient_id) for i in items]


def test_an_approval_expiring_in_10_days_is_on_the_front_desks_queue(
    clinic_hours, api, web, front_desk, patient
):
    # given an approval whose last day is 10 days from today
    start = today(patient.clinic) - dt.timedelta(days=80)
    authorization = approved(front_desk, patient, units=12, start=start, days=90)
    # when the front desk's work queue is read
    items = queries.warnings_for_clinic(front_desk)
    # then it is there, saying when it expires
    assert kinds(items) == [("expiring", patient.id)]
    assert items[0].authorization_id == authorization.id
    assert items[0].message == (
        f"Approval PA-1 expires on {authorization.valid_to.isoformat()} (in 10 days)."
    )
    # and the same list is served to the API and the page
    response = api(front_desk).get("/authorization-warnings")
    assert [w["kind"] for w in response.json()] == ["expiring"]
    page = web(front_desk).get("/authorizations/")
    assert page.status_code == 200 and "(in 10 days)" in page.content.decode()
    # and on the front desk's home page, under "Waiting for you", linked to the approval
    home = web(front_desk).get("/").content.decode()
    queue = home[home.index('id="work-queue"') :]
    assert "(in 10 days)" in queue
    assert f"/authorizations/{authorization.id}/" in queue


def test_the_home_queue_shows_authorization_warnings_only_to_who_manages_them(
    clinic_hours, web, front_desk, nurse, patient
):
    start = today(patient.clinic) - dt.timedelta(days=80)
    approved(front_desk, patient, units=12, start=start, days=90)
    assert "(in 10 days)" in web(front_desk).get("/").content.decode()
    assert "(in 10 days)" not in web(nurse).get("/").content.decode()


def test_an_approval_expiring_later_than_the_window_is_not_listed_until_the_clinic_widens_it(
    clinic_hours, clinic_admin, front_desk, patient
):
    approved(front_desk, patient, units=12, days=20)
    assert queries.warnings_for_clinic(front_desk) == []
    services.update_settings(actor=clinic_admin, expiry_warning_days=30)
    assert kinds(queries.warnings_for_clinic(front_desk)) == [("expiring", patient.id)]


def test_the_queue_is_read_as_of_a_given_day(clinic_hours, front_desk, patient):
    approved(front_desk, patient, units=12, days=30)
    later = today(patient.clinic) + dt.timedelta(days=31)
    items = queries.warnings_for_clinic(front_desk, later)
    assert [i.kind for i in items] == ["expired"]


def test_another_clinic_sees_nothing_of_this_clinics_queue(
    clinic_hours, front_desk, outsider, patient
):
    approved(front_desk, patient, units=12, days=5)
    assert queries.warnings_for_clinic(outsider) == []


def test_an_unlinked_authorization_is_flagged_once_the_course_starts(
    clinic_hours, prescriber, nurse, front_desk, patient
):
    from tests.treatments.helpers import course_today

    # given an approval for esketamine before any course, then a course starts
    approved(front_desk, patient, units=16)
    course_today(prescriber, nurse, patient)
    # then the queue asks to link it so that its sessions count
    items = queries.warnings_for_clinic(front_desk)
    assert [i.kind for i in items] == ["link_course"]
    assert "not linked to this authorization" in items[0].message


def test_the_queue_reads_as_many_queries_for_many_unlinked_approvals_as_for_one(
    clinic_hours, prescriber, nurse, front_desk, patient
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ketaclinic.patients.services import register_patient
    from tests.treatments.helpers import course_today

    def queries_read():
        with CaptureQueriesContext(connection) as read:
            items = queries.warnings_for_clinic(front_desk)
        return len(read.captured_queries), [i.kind for i in items]

    # given approvals made before a course, for patients whose courses have started
    approved(front_desk, patient, units=16)
    course_today(prescriber, nurse, patient)
    one = queries_read()
    for n in range(4):
        other = register_patient(
            actor=front_desk, given_name=f"P{n}", family_name="Queue",
            date_of_birth=dt.date(1980, 1, 1 + n), sex="female",
        )  # fmt: skip
        approved(front_desk, other, units=16)
        course_today(prescriber, nurse, other)
    many = queries_read()
    # then each is flagged, and the queue reads no query more per authorization
    assert one[1] == ["link_course"] and many[1] == ["link_course"] * 5
    assert many[0] == one[0]
