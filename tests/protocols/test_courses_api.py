"""Courses: started for eligible, consented patients; planned sessions; rescheduling; exposure."""

import datetime as dt

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.protocols import services
from ketaclinic.treatments import services as treatment_services
from ketaclinic.treatments.models import TreatmentSession
from ketaclinic.treatments.queries import current_course_started_on
from tests.treatments.helpers import (
    course_today,
    dosing_started,
    first_session,
    make_treatable,
    today,
)

pytestmark = pytest.mark.django_db


def next_monday(clinic):
    day = today(clinic)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 or 7)


def test_a_prescriber_starts_a_course_and_gets_the_planned_sessions(
    api, prescriber, nurse, patient
):
    # given an eligible, consented patient
    make_treatable(prescriber, nurse, patient, "esketamine_trd")
    monday = next_monday(patient.clinic)

    # when the prescriber starts an esketamine course on a Monday
    answer = api(prescriber).post(
        f"/patients/{patient.id}/courses",
        {"protocol": "esketamine_trd", "start_date": monday.isoformat()},
    )

    # then the answer lists the planned sessions: 8 in weeks 1-4, day 1 at 56 mg
    assert answer.status_code == 201
    body = answer.json()
    assert body["protocol"] == "esketamine_trd"
    sessions = body["sessions"]
    assert len([s for s in sessions if s["phase"] == "induction"]) == 8
    assert sessions[0]["planned_dose_mg"] == "56.0"
    assert sessions[0]["date"] == monday.isoformat()
    assert all(s["status"] == "scheduled" for s in sessions)
    assert body["exposure"]["sessions"] == 0
    # and the course is the patient's current one
    assert current_course_started_on(patient) == monday
    assert TreatmentSession.objects.filter(patient=patient).count() == len(sessions)


def test_a_patient_without_approval_and_consent_cannot_start_a_course(api, prescriber, patient):
    answer = api(prescriber).post(
        f"/patients/{patient.id}/courses",
        {"protocol": "esketamine_trd", "start_date": next_monday(patient.clinic).isoformat()},
    )

    assert answer.status_code == 409
    assert "No approved eligibility decision for esketamine" in answer.json()["detail"]
    assert TreatmentSession.objects.count() == 0


def test_a_second_active_course_is_refused(api, prescriber, nurse, patient):
    make_treatable(prescriber, nurse, patient, "esketamine_trd")
    start = {"protocol": "esketamine_trd", "start_date": next_monday(patient.clinic).isoformat()}
    assert api(prescriber).post(f"/patients/{patient.id}/courses", start).status_code == 201

    answer = api(prescriber).post(f"/patients/{patient.id}/courses", start)

    assert answer.status_code == 409
    assert answer.json()["code"] == "active_course"


def test_a_nurse_cannot_start_a_course(api, prescriber, nurse, patient):
    make_treatable(prescriber, nurse, patient, "esketamine_trd")

    answer = api(nurse).post(
        f"/patients/{patient.id}/courses",
        {"protocol": "esketamine_trd", "start_date": next_monday(patient.clinic).isoformat()},
    )

    assert answer.status_code == 403


def test_an_iv_course_needs_a_weight(api, prescriber, nurse, patient):
    make_treatable(prescriber, nurse, patient, "iv_ketamine")
    patient.weight_kg = None
    patient.save()

    answer = api(prescriber).post(
        f"/patients/{patient.id}/courses",
        {"protocol": "iv_ketamine", "start_date": next_monday(patient.clinic).isoformat()},
    )

    assert answer.status_code == 422
    assert "weight_kg" in answer.json()["fields"]


def test_rescheduling_that_breaks_the_minimum_gap_answers_warnings(api, prescriber, nurse, patient):
    # given an esketamine course planned Monday/Thursday
    make_treatable(prescriber, nurse, patient, "esketamine_trd")
    monday = next_monday(patient.clinic)
    course = treatment_services.start_course(
        actor=prescriber, patient=patient, protocol_code="esketamine_trd", start_date=monday
    )
    second = TreatmentSession.objects.get(course=course, number=2)

    # when the nurse moves session 2 to the Tuesday right after session 1
    answer = api(nurse).post(
        f"/sessions/{second.id}/reschedule", {"date": (monday + dt.timedelta(days=1)).isoformat()}
    )

    # then the move is made and the answer warns about the minimum gap
    assert answer.status_code == 200
    assert any("at least 2 days" in w for w in answer.json()["warnings"])
    second.refresh_from_db()
    assert second.scheduled_date == monday + dt.timedelta(days=1)


def test_dates_past_the_calendar_are_refused_on_the_api_and_the_page(
    api, web, prescriber, nurse, patient
):
    make_treatable(prescriber, nurse, patient, "esketamine_trd")
    # a course starting in the year 9999 would plan sessions past the end of the calendar
    page = web(prescriber).post(
        f"/patients/{patient.id}/courses/start/",
        {"protocol": "esketamine_trd", "start_date": "9999-12-20"},
    )
    assert page.status_code == 302
    assert not TreatmentSession.objects.filter(course__patient=patient).exists()
    answer = api(prescriber).post(
        f"/patients/{patient.id}/courses",
        {"protocol": "esketamine_trd", "start_date": "9999-12-20"},
    )
    assert answer.status_code == 422
    assert "2199-12-31" in answer.json()["fields"]["start_date"]
    # and a session is not moved there either
    course = treatment_services.start_course(
        actor=prescriber,
        patient=patient,
        protocol_code="esketamine_trd",
        start_date=next_monday(patient.clinic),
    )
    second = TreatmentSession.objects.get(course=course, number=2)
    moved = api(nurse).post(f"/sessions/{second.id}/reschedule", {"date": "9999-12-31"})
    assert moved.status_code == 422
    assert "date" in moved.json()["fields"]
    assert not TreatmentSession.objects.filter(scheduled_date__year__gt=2199).exists()


def test_stopping_a_course_cancels_its_planned_sessions(api, prescriber, nurse, patient):
    make_treatable(prescriber, nurse, patient, "esketamine_trd")
    course = treatment_services.start_course(
        actor=prescriber,
        patient=patient,
        protocol_code="esketamine_trd",
        start_date=next_monday(patient.clinic),
    )

    answer = api(prescriber).post(f"/courses/{course.id}/stop", {"reason": "Patient moved away."})

    assert answer.status_code == 200
    assert answer.json()["status"] == "stopped"
    assert {s["status"] for s in answer.json()["sessions"]} == {"aborted"}
    assert current_course_started_on(patient) is None
    # each cancelled session has its own audit event, with the reason, by the prescriber
    sessions = TreatmentSession.objects.filter(course=course)
    events = AuditEvent.objects.filter(action="session.aborted")
    assert sorted(e.object_id for e in events) == sorted(str(s.pk) for s in sessions)
    assert {e.changes["reason"] for e in events} == {"Course stopped: Patient moved away."}
    assert {e.actor_id for e in events} == {prescriber.id}
    stopped = AuditEvent.objects.get(action="course.stopped")
    assert stopped.changes["sessions_cancelled"] == sessions.count()


def test_exposure_above_the_protocol_limit_is_warned(
    clinic_hours, api, prescriber, nurse, patient, clinic
):
    # given a clinic version of esketamine with an exposure limit of 0 sessions per 30 days
    services.change_protocol(
        actor=prescriber,
        code="esketamine_trd",
        changes={"exposure": {"max_sessions": 0}},
        note="Test: warn on any exposure.",
    )
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    dosing_started(first_session(course), prescriber, nurse, minutes_ago=20)

    # when the exposure is read
    answer = api(nurse).get(f"/patients/{patient.id}/exposure", protocol="esketamine_trd")

    # then one session of 56 mg is counted and warned about
    body = answer.json()
    assert (body["sessions"], body["total_mg"]) == (1, "56.0")
    assert len(body["warnings"]) == 1
    assert "1 sessions in 30 days is above the limit of 0" in body["warnings"][0]


def test_other_clinics_courses_are_not_found(api, outsider, prescriber, nurse, patient):
    make_treatable(prescriber, nurse, patient, "esketamine_trd")
    course = treatment_services.start_course(
        actor=prescriber,
        patient=patient,
        protocol_code="esketamine_trd",
        start_date=next_monday(patient.clinic),
    )

    assert api(outsider).get(f"/courses/{course.id}").status_code == 404
    assert api(outsider).get(f"/patients/{patient.id}/courses").status_code == 404
