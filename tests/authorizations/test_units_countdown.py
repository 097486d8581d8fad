"""Acceptance: a course of 16 esketamine sessions under 12 approved units warns from the day it
is planned and counts down as sessions are dosed (through the treatment services)."""

import pytest

from ketaclinic.authorizations import queries
from ketaclinic.treatments.models import TreatmentSession
from tests.authorizations.helpers import approved
from tests.treatments.helpers import course_today, dosing_started

pytestmark = pytest.mark.django_db


def units_short(user):
    return [w for w in queries.warnings_for_clinic(user) if w.kind == "units_short"]


def left(user, authorization):
    return queries.authorization_view(user, authorization).usage.left


def test_sixteen_sessions_under_twelve_units_warn_and_count_down(
    clinic_hours, at_clinic_time, prescriber, nurse, front_desk, patient
):
    # given an esketamine course of 16 sessions planned today, approved for 12 sessions
    course = course_today(prescriber, nurse, patient)
    sessions = list(TreatmentSession.objects.filter(course=course).order_by("number"))
    assert len(sessions) == 16
    authorization = approved(front_desk, patient, units=12, course_id=course.id)
    # then, the day it is planned, the front desk's queue says the units run out at session 13
    warning = units_short(front_desk)
    assert len(warning) == 1 and warning[0].patient_id == patient.id
    assert f"planned session 13 on {sessions[12].scheduled_date.isoformat()}" in warning[0].message
    assert left(front_desk, authorization) == 12

    # when session 1 is dosed today
    dosing_started(sessions[0], prescriber, nurse, minutes_ago=30)
    # then one unit is used
    assert left(front_desk, authorization) == 11

    # when session 2 is dosed on its own day
    days_ahead = (sessions[1].scheduled_date - sessions[0].scheduled_date).days
    at_clinic_time(14, days=days_ahead)
    dosing_started(
        TreatmentSession.objects.get(pk=sessions[1].pk), prescriber, nurse, minutes_ago=30
    )
    # then two are used, and the warning still names session 13 with the new count
    assert left(front_desk, authorization) == 10
    warning = units_short(front_desk)
    assert "planned session 13" in warning[0].message
    assert "12 approved, 2 used, 10 left" in warning[0].message

    # and the session page's short status says so for a covered and an uncovered session
    covered = queries.status_for_session(sessions[2].id, user=nurse)
    assert covered.level == "ok" and "10 of 12 sessions left" in covered.text
    beyond = queries.status_for_session(sessions[12].id, user=nurse)
    assert beyond.text == "Not covered: the approved units are used up"


def test_a_session_without_any_authorization_says_so(clinic_hours, prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient)
    session = TreatmentSession.objects.get(course=course, number=1)
    status = queries.status_for_session(session.id, user=nurse)
    assert (status.level, status.text) == ("none", "No prior authorization on file")
