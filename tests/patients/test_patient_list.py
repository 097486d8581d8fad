"""The patient list and the list API at registry size: flat query counts, a capped count."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.patients.models import Patient

pytestmark = pytest.mark.django_db


def _add_patients(clinic, n: int, start: int = 0) -> None:
    """n patients written in bulk, as the registry loader does (services would take minutes)."""
    Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            mrn=f"BULK{i:06d}",
            given_name=f"Pat{i:04d}",
            family_name="Many",
            date_of_birth=date(1980, 1, 1),
            sex="female",
        )
        for i in range(start, start + n)
    )


def _queries(fetch) -> int:
    fetch()  # warm the session and the token
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("q", ["", "many", "pat", "BULK000001", "1980-01-01"])
def test_the_list_page_and_api_cost_the_same_queries_for_30_or_1200_patients(
    web, api, nurse, clinic, q
):
    # given a first page that is full (a page that is not full is the last, and is not counted)
    page, client = web(nurse), api(nurse)
    _add_patients(clinic, 30)
    small = (
        _queries(lambda: page.get("/patients/", {"q": q})),
        _queries(lambda: client.get("/patients", q=q)),
    )
    # when the clinic grows past the count's cap
    _add_patients(clinic, 1170, start=30)
    large = (
        _queries(lambda: page.get("/patients/", {"q": q})),
        _queries(lambda: client.get("/patients", q=q)),
    )
    # then
    assert large == small


def test_past_1000_patients_the_list_says_1000_plus_and_keeps_paging(web, api, nurse, clinic):
    # given
    _add_patients(clinic, 1200)
    # when
    html = web(nurse).get("/patients/").content.decode()
    first = api(nurse).get("/patients").json()
    deep = api(nurse).get("/patients", page=45).json()
    last = api(nurse).get("/patients", page=48).json()
    # then
    assert "1,000+ patients" in html and "Page 1 of 41 or more" in html
    assert (first["count"], first["count_is_exact"], first["pages"]) == (1000, False, 41)
    assert (deep["page"], len(deep["items"]), deep["pages"]) == (45, 25, 46)
    assert (last["count"], last["count_is_exact"], last["pages"]) == (1200, True, 48)
    assert last["items"][-1]["given_name"] == "Pat1199"


def test_a_short_list_is_counted_exactly(web, api, nurse, clinic):
    _add_patients(clinic, 30)
    body = api(nurse).get("/patients", q="many").json()
    assert (body["count"], body["count_is_exact"], body["pages"]) == (30, True, 2)
    assert "30 patients matching “many”" in web(nurse).get("/patients/", {"q": "many"}).text


def test_the_list_answer_has_exactly_the_fields_its_openapi_schema_declares(api, nurse, patient):
    # given
    client = api(nurse)
    schema = client.get("/openapi.json").json()["components"]["schemas"]["PatientPage"]
    # when
    body = client.get("/patients", q="rivera").json()
    # then
    assert set(body) == set(schema["properties"]) == set(schema["required"])
    assert schema["properties"]["count_is_exact"]["type"] == "boolean"
    assert body["count_is_exact"] is True and body["count"] == 1
