"""Charges from completed sessions (codes, units, drug), payments, balances and voids."""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.billing import charges, services
from ketaclinic.billing.models import Charge
from ketaclinic.billing.queries import account_of
from tests.billing.helpers import complete, fee_schedule, local, session, start_course

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def priced(clinic_admin):
    return fee_schedule(clinic_admin)


def _rows(body):
    return [(c["code"], c["quantity"], c["amount"]) for c in body]


def test_a_long_infusion_is_charged_with_an_additional_hour_and_the_drug_by_the_mg(
    api, priced, prescriber, nurse, front_desk, patient
):
    # given an IV infusion that ran 95 minutes with 36.2 mg ordered
    course = start_course(prescriber, nurse, patient, "iv_ketamine")
    done = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 3, 2),
        dose_mg="36.2",
        minutes=95,
    )
    # when the front desk charges it
    response = api(front_desk).post(f"/sessions/{done.id}/charges")
    # then 96365 x1, 96366 x1 and 36.2 mg of ketamine are charged
    assert response.status_code == 201
    assert _rows(response.json()) == [
        ("96365", "1.00", "450.00"),
        ("96366", "1.00", "95.00"),
        ("", "36.20", "19.91"),
    ]
    assert {c.basis for c in Charge.objects.filter(session=done)} == {
        "infusion 95 min (10:00-11:35), 36.2 mg ordered"
    }
    assert AuditEvent.objects.filter(action="billing.session_charged", object_id=str(done.id))


def test_a_40_minute_infusion_is_one_unit_of_96365(
    api, priced, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient, "iv_ketamine")
    done = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 3, 2),
        dose_mg="36.2",
        minutes=40,
    )
    body = api(front_desk).post(f"/sessions/{done.id}/charges").json()
    assert [c["code"] for c in body] == ["96365", ""]


def test_an_84_mg_esketamine_session_is_g2083_with_three_devices(
    api, priced, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient)
    done = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 3, 2),
        dose_mg="84",
        devices=3,
    )
    body = api(front_desk).post(f"/sessions/{done.id}/charges").json()
    assert _rows(body) == [("G2083", "1.00", "340.00"), ("", "3.00", "886.50")]


def test_a_session_is_charged_once_and_only_when_completed(
    api, priced, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient)
    planned = session(course, 2)
    assert api(front_desk).post(f"/sessions/{planned.id}/charges").status_code == 409
    done = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 3, 2),
        dose_mg="56",
        devices=2,
    )
    assert api(front_desk).post(f"/sessions/{done.id}/charges").status_code == 201
    again = api(front_desk).post(f"/sessions/{done.id}/charges")
    assert again.status_code == 409
    assert "already charged" in again.json()["detail"]


def test_charging_completed_sessions_in_bulk_skips_charged_and_unpriceable_ones(
    api, priced, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient)
    for number, day in ((1, 2), (2, 5)):
        complete(
            session(course, number),
            prescriber,
            nurse,
            at=local(patient.clinic, 2026, 3, day),
            dose_mg="56",
            devices=2,
        )
    first = api(front_desk).post("/charges/from-completed-sessions").json()
    assert first["charged_sessions"] == 2
    assert api(front_desk).post("/charges/from-completed-sessions").json()["charged_sessions"] == 0


def test_a_price_change_never_rewrites_a_past_charge(
    api, priced, clinic_admin, prescriber, nurse, front_desk, patient
):
    # given a session charged at $300
    course = start_course(prescriber, nurse, patient)
    done = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 3, 2),
        dose_mg="56",
        devices=2,
    )
    charges.charge_session(actor=front_desk, session=done)
    # when the clinic adds new prices from today
    fee_schedule(
        clinic_admin,
        effective_from=clinic_admin.clinic.today() + dt.timedelta(days=1),
        prices={"esketamine_session_up_to_56mg": ("G2082", "999.00", True)},
    )
    # then the charge keeps its price, and the schedule in force on its date is unchanged
    body = api(front_desk).get(f"/patients/{patient.id}/charges").json()
    assert body[0]["amount"] == "300.00"


def test_a_fee_schedule_cannot_be_back_dated_once_the_clinic_has_one(api, priced, clinic_admin):
    response = api(clinic_admin).post(
        "/fee-schedules",
        {
            "name": "Old",
            "effective_from": "2021-01-01",
            "items": [{"service": "consultation", "unit_price": "1.00"}],
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"effective_from": "today or later"}


def test_payments_lower_the_balance_and_a_voided_payment_no_longer_counts(
    api, priced, clinic_admin, front_desk, patient
):
    # given a consultation charge of $400
    charges.add_charge(
        actor=front_desk, patient=patient, service="consultation", service_date=dt.date(2026, 3, 2)
    )
    # when a $150 card payment is recorded
    response = api(front_desk).post(
        f"/patients/{patient.id}/payments",
        {"amount": "150.00", "method": "card", "received_on": "2026-03-02", "reference": "4242"},
    )
    assert response.status_code == 201
    assert api(front_desk).get(f"/patients/{patient.id}/account").json() == {
        "charged": "400.00",
        "discounts": "0.00",
        "net": "400.00",
        "paid": "150.00",
        "balance": "250.00",
    }
    # when it is voided with a reason, it no longer counts but stays on record
    payment_id = response.json()["id"]
    voided = api(clinic_admin).post(f"/payments/{payment_id}/void", {"reason": "Card declined"})
    assert voided.status_code == 200
    assert account_of(patient).balance == D("400.00")
    assert len(api(front_desk).get(f"/patients/{patient.id}/payments").json()) == 1
    assert AuditEvent.objects.filter(action="billing.payment_voided").count() == 1


def test_a_payment_must_be_positive_and_not_in_the_future(api, priced, front_desk, patient):
    bad = api(front_desk).post(
        f"/patients/{patient.id}/payments", {"amount": "0", "method": "cash"}
    )
    assert bad.status_code == 422
    future = api(front_desk).post(
        f"/patients/{patient.id}/payments",
        {"amount": "10", "method": "cash", "received_on": "2999-01-01"},
    )
    assert future.status_code == 422
    assert "received_on" in future.json()["fields"]


def test_a_voided_charge_leaves_the_balance_and_the_session_can_be_charged_again(
    api, priced, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient)
    done = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 3, 2),
        dose_mg="56",
        devices=2,
    )
    made = charges.charge_session(actor=front_desk, session=done)
    for charge in made:
        services.void_charge(actor=front_desk, charge=charge, reason="Wrong dose recorded")
    assert account_of(patient).balance == D("0.00")
    assert api(front_desk).post(f"/sessions/{done.id}/charges").status_code == 201
