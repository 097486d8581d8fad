"""The chair board, the session page's buttons, the chart tab and the trajectory markers."""

from decimal import Decimal

import pytest

from ketaclinic.core.ui import trajectory_markers
from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.treatments import services
from ketaclinic.treatments.models import TreatmentSession
from tests.treatments.helpers import (
    course_today,
    dosing_started,
    first_session,
    pre_checked,
    registered,
)

# Sessions dosed minutes ago, still today: the stories run in the afternoon of the clinic date.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]


def monitored_patients(prescriber, nurse, front_desk, count):
    """`count` patients in monitoring, each with vitals and one open alert."""
    sessions = []
    for n in range(count):
        patient = registered(front_desk, f"Pat{n}", f"Board{n}")
        course = course_today(prescriber, nurse, patient, "esketamine_trd")
        session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)
        for systolic in (130, 186):
            services.record_vitals(
                actor=nurse, session=session, systolic=systolic, diastolic=85, heart_rate=80
            )
        sessions.append(session)
    return sessions


def test_the_board_shows_each_chair_with_phase_time_and_next_vitals(
    web, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)

    page = web(nurse).get("/treatments/board/").content.decode()

    assert "Rivera, Jordan" in page
    assert "Chair 3" in page
    assert "Monitoring" in page
    assert "30 min" in page
    assert "40 min after dose" in page
    assert 'hx-trigger="every 5s"' in page
    assert "open alert" not in page


def test_the_board_shows_a_new_alert_at_the_next_poll(web, prescriber, nurse, patient):
    # given the board was loaded without alerts
    course = course_today(prescriber, nurse, patient, "iv_ketamine")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=10)
    client = web(nurse)
    assert 'role="alert"' not in client.get("/treatments/board/rows/").content.decode()

    # when a nurse records 185/95 on the IV session
    services.record_vitals(actor=nurse, session=session, systolic=185, diastolic=95)

    # then the next poll carries the banner and the alerting chair
    rows = client.get("/treatments/board/rows/").content.decode()
    assert 'data-alert-count="2"' in rows  # hypertension and the rise from baseline
    assert "1 open alert" not in rows
    assert "2 open alerts: acknowledge now" in rows
    assert "ALERT Hypertension: systolic BP 185 ≥ 180" in rows


def test_the_board_query_count_does_not_grow_with_sessions_or_entries(
    web, prescriber, nurse, front_desk, django_assert_max_num_queries
):
    client = web(nurse)
    monitored_patients(prescriber, nurse, front_desk, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/treatments/board/rows/")
    monitored_patients(prescriber, nurse, front_desk, 4)

    with django_assert_max_num_queries(len(one)):
        answer = client.get("/treatments/board/rows/")

    assert answer.content.decode().count('class="chair alerting"') == 5


def test_the_session_page_walks_a_nurse_through_check_in_and_vitals(
    web, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = first_session(course)
    client = web(nurse)
    base = f"/treatments/sessions/{session.id}"

    page = client.get(f"{base}/").content.decode()
    assert "Check in" in page
    answer = client.post(f"{base}/check-in/", {"chair": "7"}, follow=True)
    assert "Checked in." in answer.content.decode()
    assert TreatmentSession.objects.get(pk=session.id).status == "checked_in"

    # a refused step shows why, and nothing changes
    answer = client.post(f"{base}/start-dose/", {}, follow=True)
    assert "The dose cannot start: the pre-checks are not done" in answer.content.decode()
    assert TreatmentSession.objects.get(pk=session.id).status == "checked_in"


def test_the_session_page_shows_an_alert_until_it_is_acknowledged(web, prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)
    client = web(nurse)
    base = f"/treatments/sessions/{session.id}"

    answer = client.post(
        f"{base}/vitals/", {"systolic": "188", "diastolic": "96", "heart_rate": "90"}, follow=True
    )
    page = answer.content.decode()
    assert "ALERT: Hypertension: systolic BP 188 ≥ 180" in page
    alert = session.alerts.get(code="hypertension")

    answer = client.post(
        f"{base}/alerts/{alert.id}/acknowledge/",
        {"intervention": "observation_extended", "note": "Recheck in 5"},
        follow=True,
    )

    assert "Alert acknowledged." in answer.content.decode()
    assert "ALERT: Hypertension" not in answer.content.decode()


def test_the_pre_check_page_form_completes_the_checklist(web, prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = first_session(course)
    services.check_in(actor=nurse, session=session, chair="2")
    client = web(nurse)

    answer = client.post(
        f"/treatments/sessions/{session.id}/pre-checks/",
        {
            "last_food_at": "00:00",
            "escort_confirmed": "on",
            "medications_reviewed": "on",
            "measures_done": "on",
            "pregnancy_test": "not_applicable",
            "systolic": "126",
            "diastolic": "80",
            "heart_rate": "70",
        },
        follow=True,
    )

    # last liquids were not given: the checklist says so and the session waits
    assert "Time of last liquids not recorded" in answer.content.decode()
    assert TreatmentSession.objects.get(pk=session.id).status == "checked_in"


def test_the_chart_tab_shows_courses_sessions_and_exposure(web, prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)

    page = web(nurse).get(f"/patients/{patient.id}/treatment/").content.decode()

    assert f"{PROTOCOLS['esketamine_trd'].name} (version 1) from" in page
    assert "Cumulative exposure (esketamine, last 30 days)" in page
    assert "<strong>1</strong> session" in page
    assert "56.0 mg" in page


def test_a_prescriber_starts_a_course_from_the_chart(web, prescriber, nurse, patient):
    from tests.treatments.helpers import make_treatable, today

    make_treatable(prescriber, nurse, patient, "iv_ketamine")

    answer = web(prescriber).post(
        f"/patients/{patient.id}/courses/start/",
        {"protocol": "iv_ketamine", "start_date": today(patient.clinic).isoformat()},
        follow=True,
    )

    assert "Course started: iv_ketamine" in answer.content.decode()


def test_dosed_sessions_are_markers_on_the_trajectory_chart(prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)

    markers = [m for m in trajectory_markers(patient) if m.kind == "session"]

    assert [(m.at, m.label) for m in markers] == [
        (session.dose_started_at, "Session 1 (esketamine trd)")
    ]


def test_the_pre_checks_show_the_measures_due_before_the_session(web, prescriber, nurse, patient):
    from ketaclinic.measures.services import create_schedule

    # given a PHQ-9 every 7 days that has never been answered
    create_schedule(
        actor=prescriber, patient=patient, instrument="phq9", frequency="interval", interval_days=7
    )
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = first_session(course)
    services.check_in(actor=nurse, session=session, chair="2")

    page = web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()

    assert 'id="measures-due"' in page
    assert "PHQ-9" in page


def test_the_iv_order_form_says_no_clinic_maximum_is_set_and_refuses_an_exponent(
    web, prescriber, nurse, patient
):

    session = pre_checked(
        first_session(course_today(prescriber, nurse, patient, "iv_ketamine")), nurse
    )
    client = web(prescriber)
    base = f"/treatments/sessions/{session.id}"

    page = client.get(f"{base}/").content.decode()
    answer = client.post(
        f"{base}/order/",
        {"weight_kg": "1e3", "concentration_mg_per_ml": "10", "bag_volume_ml": "100"},
        follow=True,
    )
    heavy = client.post(
        f"{base}/order/",
        {"weight_kg": "450", "concentration_mg_per_ml": "10", "bag_volume_ml": "100"},
        follow=True,
    )

    assert "Maximum per session: no clinic maximum set" in page
    assert "actual body weight" in page
    assert "no exponent" in answer.content.decode()
    assert "20-400 kg (the clinic&#x27;s data-entry plausibility range)" in heavy.content.decode()
    assert TreatmentSession.objects.get(pk=session.pk).order is None


def test_the_signed_iv_order_shows_the_calculated_and_the_drawn_dose(
    web, prescriber, nurse, patient
):

    session = pre_checked(
        first_session(course_today(prescriber, nurse, patient, "iv_ketamine")), nurse
    )
    services.sign_order(
        actor=prescriber,
        session=session,
        dose_mg_per_kg=Decimal("0.75"),
        concentration_mg_per_ml=Decimal("100"),
        bag_volume_ml=Decimal("100"),
    )

    page = web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()

    # 72.5 kg x 0.75 = 54.3 mg calculated; 0.54 mL drawn holds 54.0 mg
    assert "54.3 mg calculated" in page
    assert "draw <strong>0.54 mL</strong> of 100.00 mg/mL" in page
    assert "(rounded down to the syringe step: 54.0 mg given)" in page


def test_an_empty_pre_check_submit_says_nothing_was_entered_and_saves_nothing(
    web, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = first_session(course)
    services.check_in(actor=nurse, session=session, chair="2")
    # when the pre-check form is submitted with nothing filled in
    answer = web(nurse).post(
        f"/treatments/sessions/{session.id}/pre-checks/", {"pregnancy_test": ""}, follow=True
    )
    # then the page says nothing was entered, not "saved", and no pre-check exists
    html = answer.content.decode()
    assert "Nothing entered: fill in at least one pre-check before saving." in html
    assert "Pre-checks saved." not in html and "__all__" not in html
    assert TreatmentSession.objects.get(pk=session.id).pre_check is None
