"""The chair board reads every chair's vitals, alerts and protocol in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.treatments import services
from tests.treatments.helpers import ago, course_today, dosing_started, first_session, registered

# Sessions dosed minutes ago, still today: the stories run in the afternoon of the clinic date.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]


def chairs_in_monitoring(prescriber, nurse, front_desk, first, count):
    """`count` patients in monitoring, each with two vitals entries after the dose."""
    for n in range(first, first + count):
        patient = registered(front_desk, f"Pat{n}", f"Chair{n}")
        protocol = "iv_ketamine" if n % 2 else "esketamine_trd"
        course = course_today(prescriber, nurse, patient, protocol)
        session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)
        services.record_vitals(
            actor=nurse, session=session, measured_at=ago(20), systolic=130, diastolic=80
        )
        services.record_vitals(
            actor=nurse,
            session=session,
            measured_at=ago(5),
            heart_rate=70 + n,
            spo2=97,
            resp_rate=14,
        )


def board_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/treatments/board/")
    assert answer.status_code == 200
    return len(queries), answer.content.decode()


def test_the_board_costs_the_same_queries_for_two_and_for_six_chairs(
    web, prescriber, nurse, front_desk
):
    # given a nurse signed in, with two chairs in monitoring
    client = web(nurse)
    chairs_in_monitoring(prescriber, nurse, front_desk, 0, 2)
    client.get("/treatments/board/")  # the first request of a sign-in reads a bit more
    two, page = board_queries(client)
    assert page.count('class="chair"') == 2

    # when four more patients are dosed and charted
    chairs_in_monitoring(prescriber, nurse, front_desk, 2, 4)
    six, page = board_queries(client)

    # then the board shows all six with their vitals, for the same number of queries
    assert page.count('class="chair"') == 6
    assert page.count("<strong>130/80</strong>") == 6
    assert "<strong>75</strong>" in page
    assert six == two, f"{two} queries for 2 chairs, {six} for 6"
