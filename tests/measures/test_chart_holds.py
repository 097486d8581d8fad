"""The measures chart holds against a long history and odd input: a course ended keeps its
own baseline (as the outcome dashboard counts it), a score dated in the year 1 and a
standard deviation the index cannot use are refused, and the due list reads every patient's
last session at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.measures.models import InstrumentSettings
from ketaclinic.measures.services import create_schedule
from tests.outcomes.builders import MARCH_3, at, make_course, make_patient, phq9

pytestmark = pytest.mark.django_db
PHQ9_ALL_ONES = {str(i): 1 for i in range(1, 10)}


def test_a_completed_course_is_judged_against_its_own_baseline_on_the_chart_as_on_the_dashboard(
    api, prescriber, front_desk
):
    # given an intake PHQ-9 of 26 eleven days before the course, and a completed course
    # whose own baseline is 20 and whose last score is 12 (40% lower: not a response)
    ada = make_patient(front_desk, "Ada")
    phq9(ada, at(MARCH_3, -11, 14), 26)
    make_course(prescriber, ada, "iv_ketamine", MARCH_3, "completed",
                doses={1: 0, 2: 2, 3: 4}, scores=((0, 20), (4, 12)))  # fmt: skip
    # the dashboard counts no responder (baseline 20)
    summary = api(prescriber).get("/outcomes/summary").json()
    assert summary["response"] == {"numerator": 0, "denominator": 1, "rate": 0.0}
    # and the chart judges the last score against the same baseline
    latest = api(prescriber).get(f"/patients/{ada.pk}/measures", instrument="phq9").json()[0]
    assert latest["total"] == 12
    assert (latest["baseline"], latest["response"]) == (20, False)


def test_a_score_dated_in_the_year_1_is_refused_and_the_chart_keeps_working(
    api, web, nurse, front_desk
):
    ada = make_patient(front_desk, "Ada")
    answer = api(nurse).post(
        f"/patients/{ada.pk}/measures",
        {"instrument": "phq9", "answers": PHQ9_ALL_ONES, "administered_at": "0001-01-01T03:00:00Z"},
    )
    assert answer.status_code == 422
    assert "1900-01-01" in answer.json()["fields"]["administered_at"]
    assert web(nurse).get(f"/patients/{ada.pk}/measures/").status_code == 200


@pytest.mark.parametrize("sd", ["1e-30", "Infinity", "NaN", "1e400000", "0.001"])
def test_a_standard_deviation_the_index_cannot_use_is_refused(web, prescriber, front_desk, sd):
    ada = make_patient(front_desk, "Ada")
    make_course(prescriber, ada, "iv_ketamine", MARCH_3, "active", doses={1: 0},
                scores=((0, 20), (2, 9)))  # fmt: skip
    client = web(prescriber)
    saved = client.post("/measures/settings/", {"instrument": "phq9", "sd": sd})
    assert saved.status_code != 302
    assert not InstrumentSettings.objects.exists()
    assert client.get(f"/patients/{ada.pk}/measures/").status_code == 200


def test_a_standard_deviation_saved_before_the_bounds_gives_way_to_the_published_one(
    api, prescriber, front_desk, clinic
):
    ada = make_patient(front_desk, "Ada")
    make_course(prescriber, ada, "iv_ketamine", MARCH_3, "active", doses={1: 0},
                scores=((0, 20), (2, 9)))  # fmt: skip
    InstrumentSettings.objects.create(clinic=clinic, instrument="phq9", overrides={"sd": "1e-30"})
    answer = api(prescriber).get(f"/patients/{ada.pk}/measures", instrument="phq9")
    assert answer.status_code == 200
    assert answer.json()[0]["total"] == 9


def _before_session_patient(prescriber, nurse, front_desk, name):
    p = make_patient(front_desk, name)
    make_course(prescriber, p, "iv_ketamine", MARCH_3, "active", doses={1: 0, 2: 2})
    create_schedule(actor=nurse, patient=p, instrument="phq9", frequency="before_session")
    return p


def test_the_due_list_needs_the_same_queries_for_one_and_for_four_patients(
    web, prescriber, nurse, front_desk
):
    client = web(nurse)
    _before_session_patient(prescriber, nurse, front_desk, "Ada")
    client.get("/measures/due/")  # warm up
    with CaptureQueriesContext(connection) as one:
        assert client.get("/measures/due/").status_code == 200
    for name in ("Bo", "Cy", "Di"):
        _before_session_patient(prescriber, nurse, front_desk, name)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/measures/due/")
    assert page.status_code == 200
    assert len(four.captured_queries) == len(one.captured_queries)
    assert all(name in page.content.decode() for name in ("Ada", "Bo", "Cy", "Di"))
