"""Lists cost the same number of queries for a short and a long history."""

import datetime as dt

import pytest

from ketaclinic.billing import charges
from tests.access.helpers import CSSRS_LOW, person, referred, scale
from tests.billing.helpers import fee_schedule

pytestmark = pytest.mark.django_db


def _count(django_assert_max_num_queries, call, budget):
    call()  # warm up: the first request of a token records its use
    with django_assert_max_num_queries(budget) as captured:
        call()
    return len(captured.captured_queries)


def test_the_waiting_list_does_not_grow_in_queries_with_more_patients(
    api, nurse, front_desk, django_assert_max_num_queries
):
    client = api(nurse)
    first = person(front_desk, "One", "Only")
    referred(front_desk, first, 5)
    short = _count(django_assert_max_num_queries, lambda: client.get("/waiting-list"), 30)
    for i in range(6):
        more = person(front_desk, f"P{i}", "Many")
        referred(front_desk, more, 10 + i)
        scale(nurse, more, "cssrs_screener", CSSRS_LOW)
    long = _count(django_assert_max_num_queries, lambda: client.get("/waiting-list"), 30)
    assert long == short


def test_a_patients_charges_cost_the_same_queries_for_one_or_many(
    api, clinic_admin, front_desk, patient, django_assert_max_num_queries
):
    fee_schedule(clinic_admin)
    client = api(front_desk)
    charges.add_charge(
        actor=front_desk, patient=patient, service="consultation", service_date=dt.date(2026, 3, 1)
    )
    url = f"/patients/{patient.id}/charges"
    short = _count(django_assert_max_num_queries, lambda: client.get(url), 20)
    for day in range(2, 12):
        charges.add_charge(
            actor=front_desk,
            patient=patient,
            service="consultation",
            service_date=dt.date(2026, 3, day),
        )
    long = _count(django_assert_max_num_queries, lambda: client.get(url), 20)
    assert long == short
