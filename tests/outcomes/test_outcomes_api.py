"""GET /api/v1/outcomes/summary and /outcomes/equity answer with counts and rates."""

import pytest

from tests.outcomes.builders import hand_built_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(prescriber, front_desk):
    return hand_built_registry(prescriber, front_desk)


def test_the_summary_answers_counts_and_every_rate_with_its_numerator_and_denominator(
    registry, api, prescriber
):
    # when a prescriber asks for the clinic summary
    response = api(prescriber).get("/outcomes/summary")
    # then the answer has the shape
    assert response.status_code == 200
    body = response.json()
    assert (body["patients"], body["courses"], body["sessions"]) == (6, 7, 18)
    assert body["response_rate"] == 0.8
    assert body["response"] == {"numerator": 4, "denominator": 5, "rate": 0.8}
    assert body["remission_rate"] == 0.4
    assert body["remission"] == {"numerator": 2, "denominator": 5, "rate": 0.4}
    assert set(body["by_protocol"]) == {"iv_ketamine", "esketamine_trd", "esketamine_mdsi"}
    assert body["by_protocol"]["iv_ketamine"]["response"]["denominator"] == 3
    assert body["definition"]["instrument"] == "phq9"


def test_the_summary_filters_by_protocol_and_dates(registry, api, auditor):
    response = api(auditor).get(
        "/outcomes/summary", protocol="iv_ketamine", **{"from": "2025-05-01", "to": "2025-12-31"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["filters"] == {"protocol": "iv_ketamine", "from": "2025-05-01", "to": "2025-12-31"}
    # only course G (2 June) and its 2 sessions
    assert (body["courses"], body["sessions"]) == (1, 2)
    assert body["response"] == {"numerator": 1, "denominator": 1, "rate": 1.0}


def test_an_unknown_protocol_is_refused_naming_the_field(registry, api, prescriber):
    response = api(prescriber).get("/outcomes/summary", protocol="nope")
    assert response.status_code == 422
    assert response.json()["fields"] == {"protocol": "not a protocol of this clinic"}


def test_a_range_that_ends_before_it_starts_is_refused(api, prescriber):
    response = api(prescriber).get(
        "/outcomes/summary", **{"from": "2025-06-01", "to": "2025-05-01"}
    )
    assert response.status_code == 422
    assert "to" in response.json()["fields"]


def test_a_malformed_date_is_refused(api, prescriber):
    response = api(prescriber).get("/outcomes/summary", **{"from": "yesterday"})
    assert response.status_code == 422


def test_an_empty_clinic_gets_zero_counts_and_null_rates(api, clinic_admin):
    body = api(clinic_admin).get("/outcomes/summary").json()
    assert (body["patients"], body["courses"], body["sessions"]) == (0, 0, 0)
    assert body["response"] == {"numerator": 0, "denominator": 0, "rate": None}
    assert body["time_to_response"]["median_days"] is None


def test_the_equity_breakdown_suppresses_small_counts(registry, api, clinic_admin):
    # given a registry far too small to show any group
    response = api(clinic_admin).get("/outcomes/equity")
    assert response.status_code == 200
    body = response.json()
    assert body["minimum_cell"] == 11
    race = body["dimensions"]["race"]["groups"]
    # then every group's count and rates come back as suppressed, never as a number
    assert {g["group"] for g in race} == {"white", "black"}
    for group in race:
        assert group["courses"] == {"value": None, "suppressed": True}
        assert group["response"]["numerator"] is None and group["response"]["suppressed"]
    ages = [g["group"] for g in body["dimensions"]["age_band"]["groups"]]
    assert "90+" in ages  # Cy, born 1930
