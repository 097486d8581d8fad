"""The PDMP report's orders with no check: orders (kept by treatments) against checks (pdmp)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.patients.services import register_patient
from ketaclinic.pdmp import queries, services
from tests.pdmp.helpers import record
from tests.treatments.helpers import course_today, dosing_started, first_session, practising_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]


def new_patient(front_desk, n):
    return register_patient(
        actor=front_desk,
        given_name=f"Pat{n}",
        family_name=f"Order{n}",
        date_of_birth="1980-01-01",
        sex="female",
        weight_kg="70",
    )


def dosed(prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient)
    return dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)


def row_of(report, prescriber):
    return next(r for r in report["rows"] if r.prescriber.pk == prescriber.pk)


def today(clinic):
    return clinic.today()


def test_an_order_whose_check_was_withdrawn_is_listed_with_the_rule(
    api, web, clinic, auditor, prescriber, nurse, patient, front_desk
):
    # given a clinic in Alaska and two orders, each signed after a check
    practising_in(clinic, "AK")
    withdrawn = record(prescriber, patient, state="AK", hours_ago=1)
    first = dosed(prescriber, nurse, patient)
    other = new_patient(front_desk, 1)
    record(prescriber, other, state="AK", hours_ago=1)
    dosed(prescriber, nurse, other)
    # when the first check is withdrawn as entered in error (it was another patient's)
    services.correct_check(
        actor=prescriber,
        check=withdrawn,
        reason="Recorded on the wrong patient.",
        entered_in_error=True,
    )
    # then the report counts two orders, and lists the first as having no check, with the rule
    report = queries.report(auditor, today(clinic), today(clinic))
    row = row_of(report, prescriber)
    assert row.orders == 2
    assert [(o.order.patient.pk, o.reason) for o in row.orders_without_check] == [
        (
            patient.pk,
            "A PDMP check before every order for administering is required in AK "
            "(Alaska Stat. § 17.30.200(k)(4)): no check by or for this prescriber is recorded.",
        )
    ]
    assert row.orders_without_check[0].order.url == f"/treatments/sessions/{first.id}/"
    # and the API and the page say the same
    day = today(clinic).isoformat()
    body = api(auditor).get("/pdmp/report", **{"from": day, "to": day}).json()
    mine = next(p for p in body["prescribers"] if p["prescriber_id"] == str(prescriber.pk))
    assert mine["orders"] == 2
    assert [o["mrn"] for o in mine["orders_without_check"]] == [patient.mrn]
    assert body["practice_state"] == "AK"
    page = web(auditor).get("/pdmp/report/").content.decode()
    assert "Orders with no check" in page
    assert f"Rivera, Jordan ({patient.mrn})" in page
    assert f'href="/treatments/sessions/{first.id}/"' in page


def test_where_the_rule_requires_no_check_an_order_with_none_before_it_is_listed(
    clinic, auditor, prescriber, nurse, patient, front_desk
):
    # given a clinic in New York (no check required before administering)
    practising_in(clinic, "NY")
    dosed(prescriber, nurse, patient)
    checked = new_patient(front_desk, 2)
    record(prescriber, checked, state="NY", hours_ago=5)
    dosed(prescriber, nurse, checked)
    # then the order with no check at all is listed, the one after a check is not
    row = row_of(queries.report(auditor, today(clinic), today(clinic)), prescriber)
    assert row.orders == 2
    assert [(o.order.patient.pk, o.reason) for o in row.orders_without_check] == [
        (patient.pk, "No NY PDMP check by or for the prescriber before the order.")
    ]


def test_orders_outside_the_period_and_of_another_clinic_are_not_counted(
    clinic, auditor, outsider, prescriber, nurse, patient
):
    practising_in(clinic, "NY")
    dosed(prescriber, nurse, patient)
    yesterday = today(clinic) - dt.timedelta(days=1)
    assert row_of(queries.report(auditor, yesterday, yesterday), prescriber).orders == 0
    assert row_of(queries.report(auditor, yesterday, today(clinic)), prescriber).orders == 1
    theirs = queries.report(outsider, today(clinic), today(clinic))
    assert all(r.orders == 0 for r in theirs["rows"])


def test_the_report_reads_orders_and_their_checks_in_a_fixed_number_of_queries(
    clinic, auditor, prescriber, nurse, patient, front_desk
):
    practising_in(clinic, "AK")
    record(prescriber, patient, state="AK", hours_ago=1)
    dosed(prescriber, nurse, patient)
    with CaptureQueriesContext(connection) as one:
        queries.report(auditor, today(clinic), today(clinic))
    for n in (3, 4):
        other = new_patient(front_desk, n)
        record(nurse, other, prescriber=prescriber, state="AK", hours_ago=1)
        dosed(prescriber, nurse, other)
    with CaptureQueriesContext(connection) as three:
        report = queries.report(auditor, today(clinic), today(clinic))
    assert row_of(report, prescriber).orders == 3
    assert len(three.captured_queries) == len(one.captured_queries)
