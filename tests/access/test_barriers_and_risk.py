"""Access barriers per patient and the list of patients at risk of dropping out."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.access import queries as access_queries
from ketaclinic.access.models import AccessBarrier
from ketaclinic.audit.models import AuditEvent
from ketaclinic.billing import charges
from tests.billing.helpers import complete, fee_schedule, local, session, start_course, today
from tests.outcomes.builders import make_patient

pytestmark = pytest.mark.django_db


def test_staff_record_and_resolve_a_barrier(api, nurse, front_desk, patient):
    # when the front desk records that the patient needs a ride
    response = api(front_desk).post(
        f"/patients/{patient.id}/barriers",
        {"kind": "transport", "detail": "No driver on Tuesdays", "distance_miles": "42.5"},
    )
    assert response.status_code == 201
    barrier = response.json()
    assert barrier["kind_label"] == "Transport or escort needed"
    # and a nurse resolves it with what was arranged
    resolved = api(nurse).post(
        f"/barriers/{barrier['id']}/resolve", {"resolution": "Volunteer driver arranged"}
    )
    assert resolved.status_code == 200
    assert resolved.json()["resolution"] == "Volunteer driver arranged"
    assert (
        api(nurse).post(f"/barriers/{barrier['id']}/resolve", {"resolution": "again"}).status_code
        == 409
    )
    assert AuditEvent.objects.filter(action__startswith="access.barrier_").count() == 2


def test_an_other_barrier_needs_a_description(api, front_desk, patient):
    response = api(front_desk).post(f"/patients/{patient.id}/barriers", {"kind": "other"})
    assert response.status_code == 422
    assert "detail" in response.json()["fields"]


def test_patients_at_risk_show_their_signals_and_what_to_do(
    api, clinic_admin, prescriber, nurse, front_desk, patient
):
    # given an IV course with one session given 40 days ago and unpaid, one missed session,
    # and a transport barrier
    fee_schedule(clinic_admin)
    start = today(patient.clinic) - dt.timedelta(days=40)
    course = start_course(prescriber, nurse, patient, "iv_ketamine")
    given = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, start.year, start.month, start.day),
        dose_mg="36.2",
        minutes=40,
    )
    charges.charge_session(actor=front_desk, session=given)
    from ketaclinic.treatments.models import TreatmentSession

    TreatmentSession.objects.filter(course=course, number=2).update(
        scheduled_date=start + dt.timedelta(days=3)
    )
    AccessBarrier.objects.create(
        clinic=patient.clinic, patient=patient, kind="transport", recorded_by=front_desk
    )
    AccessBarrier.objects.create(
        clinic=patient.clinic, patient=patient, kind="insurance_denial", recorded_by=front_desk
    )
    # when the front desk opens the at-risk list
    rows = api(front_desk).get("/at-risk").json()
    # then the patient is listed with each signal and an action
    assert len(rows) == 1
    signals = {s["code"]: s for s in rows[0]["signals"]}
    assert set(signals) == {"missed", "unpaid", "transport", "insurance"}
    assert signals["unpaid"]["message"] == "Unpaid balance of $469.91"
    assert signals["unpaid"]["action"] == "Offer the sliding scale"
    assert signals["transport"]["action"] == "Arrange transport or an escort"
    assert signals["insurance"]["action"] == "Discuss a covered protocol with the prescriber"
    # and a nurse (no billing access) sees that a balance is unpaid, not the amount
    nurse_signals = {s["code"]: s for s in api(nurse).get("/at-risk").json()[0]["signals"]}
    assert nurse_signals["unpaid"]["message"] == "Unpaid balance"


def test_a_patient_without_signals_is_not_at_risk(api, prescriber, nurse, patient):
    start_course(prescriber, nurse, patient)
    assert api(nurse).get("/at-risk").json() == []


def test_the_at_risk_list_reads_the_billing_of_active_courses_only(
    clinic_admin, prescriber, nurse, front_desk, patient
):
    # given a past patient with charges and no course, and a patient in an active course
    fee_schedule(clinic_admin)
    for day in range(5):
        charges.add_charge(
            actor=front_desk,
            patient=patient,
            service="consultation",
            service_date=today(patient.clinic) - dt.timedelta(days=day + 1),
        )
    current = make_patient(front_desk, "Current")
    start_course(prescriber, nurse, current)
    # when the at-risk list is read
    with CaptureQueriesContext(connection) as read:
        access_queries.at_risk(front_desk)
    # then billing is read for the patient in a course, and never for the past patient
    billing = [q["sql"] for q in read.captured_queries if "billing_" in q["sql"]]
    assert billing, "the balances of patients in a course are read"
    assert all(" IN (" in sql for sql in billing), billing
    for sql in billing:
        assert current.pk.hex in sql.replace("-", "")
        assert patient.pk.hex not in sql.replace("-", "")
