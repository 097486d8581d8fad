"""Dates far outside the span the clinic works with are refused by name, never a server error."""

import datetime as dt

import pytest

from ketaclinic.core.calendar import FIRST_DAY, LAST_DAY, date_problem

pytestmark = pytest.mark.django_db

SPAN = "must be a date from 1900-01-01 to 2199-12-31"


def test_the_span_is_inclusive():
    assert date_problem(FIRST_DAY) is None and date_problem(LAST_DAY) is None
    assert date_problem(dt.date(9999, 12, 31)) == SPAN
    assert date_problem(dt.date(1, 1, 1)) == SPAN


def test_the_api_names_a_date_at_the_end_of_the_calendar(api, clinic_admin, auditor, front_desk):
    answers = {
        "plan": api(clinic_admin).post("/capacity/plan", {"week_start": "9999-12-27"}),
        "pdmp report": api(auditor).get(
            "/pdmp/report", **{"from": "9999-12-31", "to": "9999-12-31"}
        ),
    }
    for name, answer in answers.items():
        assert answer.status_code == 422, name
        assert SPAN in str(answer.json()), name


def test_an_estimate_preview_names_its_start_date(api, front_desk, patient):
    answer = api(front_desk).get(
        f"/patients/{patient.id}/estimate", protocol="iv_ketamine", start_date="9999-12-30"
    )
    assert answer.status_code == 422
    assert SPAN in str(answer.json())


def test_the_pages_answer_a_date_at_the_end_of_the_calendar(web, clinic_admin, auditor):
    # the week of shifts asked for is out of the span: this week's shifts, as for any bad week
    shifts = web(clinic_admin).get("/capacity/shifts/", {"week": "9999-12-31"})
    assert shifts.status_code == 200
    assert "Week of Monday" in shifts.content.decode()
    # a report period out of the span is named on the form
    report = web(auditor).get("/pdmp/report/", {"date_from": "9999-12-31", "date_to": "9999-12-31"})
    assert report.status_code in (200, 422)
    assert "The date must be a date from 1900-01-01 to 2199-12-31." in report.content.decode()
    plan = web(clinic_admin).get("/capacity/plan/", {"week": "9999-12-31"})
    assert plan.status_code in (200, 422)
    assert "The date must be a date from 1900-01-01 to 2199-12-31." in plan.content.decode()


def test_an_estimate_and_the_access_report_name_a_date_out_of_the_span(
    web, api, clinic_admin, front_desk, patient
):
    from tests.billing.helpers import fee_schedule

    fee_schedule(clinic_admin)
    estimate = web(front_desk).get(
        f"/patients/{patient.id}/billing/",
        {"protocol": "esketamine_trd", "start_date": "9999-12-28"},
    )
    assert estimate.status_code in (200, 422)
    assert "The date must be a date from 1900-01-01 to 2199-12-31." in estimate.content.decode()
    report = web(clinic_admin).get(
        "/access/report/", {"date_from": "9999-12-30", "date_to": "9999-12-31"}
    )
    assert report.status_code in (200, 422)
    assert "The date must be a date from 1900-01-01 to 2199-12-31." in report.content.decode()


def test_any_other_overflow_in_the_api_is_a_clear_422(api, prescriber, monkeypatch):
    from ketaclinic.patients import api as patients_api

    def overflow(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(patients_api, "paginate", overflow)
    answer = api(prescriber).get("/patients")
    assert answer.status_code == 422
    assert answer.json()["code"] == "out_of_range"
    assert "date value out of range" in answer.json()["detail"]
