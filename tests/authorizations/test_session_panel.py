"""What the nurse and the prescriber see of the authorization on the session page and the chair
board (treatments shows the line; authorizations fills it in through a registration)."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.authorizations import services
from ketaclinic.treatments.models import TreatmentSession
from tests.authorizations.helpers import approved
from tests.treatments.helpers import course_today, dosing_started, first_session, registered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]


def sessions_of(course):
    return list(TreatmentSession.objects.filter(course=course).order_by("number"))


def page(client, session):
    return html.unescape(client.get(f"/treatments/sessions/{session.id}/").content.decode())


def test_the_nurse_sees_the_units_left_on_the_session_page_and_the_board(
    web, prescriber, nurse, front_desk, patient
):
    # given a course of 16 esketamine sessions under an approval for 12
    course = course_today(prescriber, nurse, patient)
    sessions = sessions_of(course)
    authorization = approved(front_desk, patient, units=12, course_id=course.id)
    expires = authorization.valid_to.isoformat()
    client = web(nurse)
    # then the first session's page shows the approval and the units left
    text = page(client, sessions[0])
    assert f'Authorization</strong> <a href="/patients/{patient.id}/coverage/' in text
    assert f"Approved, 12 of 12 sessions left, expires {expires} (PA-1)" in text
    # and the thirteenth session's page says it is not covered
    assert "Not covered: the approved units are used up" in page(client, sessions[12])

    # when session 1 is dosed, the board shows the chair with one unit used
    dosing_started(sessions[0], prescriber, nurse, minutes_ago=30)
    board = html.unescape(client.get("/treatments/board/rows/").content.decode())
    assert "<dt>Authorization</dt>" in board
    assert f"Approved, 11 of 12 sessions left, expires {expires} (PA-1)" in board


def test_the_prescriber_sees_it_too_and_a_session_without_any_authorization_says_so(
    web, prescriber, nurse, patient
):
    session = first_session(course_today(prescriber, nurse, patient))
    assert "No prior authorization on file" in page(web(prescriber), session)


def test_a_submitted_request_shows_as_waiting(web, prescriber, nurse, front_desk, patient):
    course = course_today(prescriber, nurse, patient)
    made = services.create_authorization(actor=front_desk, patient=patient, course_id=course.id)
    services.change_status(actor=front_desk, authorization=made, to="submitted")
    assert "Authorization submitted" in page(web(nurse), first_session(course))


def chair(prescriber, nurse, front_desk, n):
    """A patient in a chair, dosed, whose course has an approval for 12 sessions."""
    patient = registered(front_desk, f"Pat{n}", f"Chair{n}")
    course = course_today(prescriber, nurse, patient)
    approved(front_desk, patient, units=12, course_id=course.id)
    return dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)


def test_the_board_reads_the_authorizations_of_all_chairs_in_one_batch(
    web, prescriber, nurse, front_desk
):
    client = web(nurse)
    chair(prescriber, nurse, front_desk, 1)
    client.get("/treatments/board/rows/")  # the first request of a sign-in reads a bit more
    with CaptureQueriesContext(connection) as one:
        client.get("/treatments/board/rows/")
    for n in (2, 3, 4):
        chair(prescriber, nurse, front_desk, n)
    with CaptureQueriesContext(connection) as four:
        answer = client.get("/treatments/board/rows/")
    text = html.unescape(answer.content.decode())
    assert text.count("Approved, 11 of 12 sessions left") == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_session_page_does_not_read_more_with_more_authorizations(
    web, prescriber, nurse, front_desk, patient
):
    course = course_today(prescriber, nurse, patient)
    session = first_session(course)
    approved(front_desk, patient, units=4, course_id=course.id)
    client = web(nurse)
    client.get(f"/treatments/sessions/{session.id}/")  # the first request reads a bit more
    with CaptureQueriesContext(connection) as one:
        client.get(f"/treatments/sessions/{session.id}/")
    approved(front_desk, patient, units=12, course_id=course.id)
    with CaptureQueriesContext(connection) as two:
        client.get(f"/treatments/sessions/{session.id}/")
    assert len(two.captured_queries) == len(one.captured_queries)
