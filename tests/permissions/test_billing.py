"""Every billing endpoint and page x every role: front desk handles money, auditors only read,
nurses have no billing access, another clinic sees nothing (404)."""

import datetime as dt

import pytest

from ketaclinic.billing import charges, services
from tests.billing.helpers import (
    complete,
    fee_schedule,
    local,
    session,
    sliding_scale,
    start_course,
)
from tests.permissions import EVERYONE, OUT, A, C, F, N, P, call, fill

pytestmark = pytest.mark.django_db

READERS = {P: 200, N: 403, F: 200, A: 200, C: 200}


def desk(ok):
    """Front desk and clinic admin may; others 403; another clinic's admin 404."""
    return {P: 403, N: 403, F: ok, A: 403, C: ok, OUT: 404}


def admin_only(ok):
    return {P: 403, N: 403, F: 403, A: 403, C: ok, OUT: ok}


FUTURE = "2031-01-01"
SCHEDULE = {
    "name": "New",
    "effective_from": FUTURE,
    "items": [{"service": "consultation", "code": "99205", "unit_price": "410.00"}],
}
TABLE = {
    "name": "New",
    "effective_from": FUTURE,
    "bands": [
        {"max_percent": "200", "discount_percent": "40"},
        {"max_percent": None, "discount_percent": "0"},
    ],
}
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}

# (method, path, body or query, {role: status})
API_MATRIX = [
    ("get", "/billing/settings", None, READERS | {OUT: 200}),
    ("patch", "/billing/settings", {"tax_id": "12-3456789"}, admin_only(200)),
    ("get", "/fee-schedules", None, READERS | {OUT: 200}),
    ("post", "/fee-schedules", SCHEDULE, admin_only(201)),
    ("get", "/fee-schedules/{schedule}", None, READERS | {OUT: 404}),
    ("get", "/sliding-scales", None, READERS | {OUT: 200}),
    ("post", "/sliding-scales", TABLE, admin_only(201)),
    ("get", "/poverty-guidelines", None, READERS | {OUT: 200}),
    (
        "put",
        "/poverty-guidelines/2026/contiguous",
        {"first_person": "16000", "each_additional": "5600", "source": "test"},
        admin_only(200),
    ),
    (
        "get",
        "/sliding-scale/lookup?household_size=2&annual_income=30000",
        None,
        READERS | {OUT: 409},
    ),
    ("get", "/patients/{patient}/sliding-scale", None, READERS | {OUT: 404}),
    (
        "post",
        "/patients/{patient}/sliding-scale",
        {"household_size": 2, "annual_income": "30000"},
        desk(201),
    ),
    ("get", "/patients/{patient}/diagnosis", None, READERS | {OUT: 404}),
    (
        "put",
        "/patients/{patient}/diagnosis",
        {"code": "F32.1"},
        {P: 200, N: 403, F: 403, A: 403, C: 403, OUT: 403},
    ),
    ("get", "/courses/{course}/estimate", None, READERS | {OUT: 404}),
    ("get", "/patients/{patient}/estimate?protocol=esketamine_trd", None, READERS | {OUT: 404}),
    ("get", "/patients/{patient}/estimates", None, READERS | {OUT: 404}),
    ("post", "/patients/{patient}/estimates", {"course_id": "{course}"}, desk(201)),
    ("get", "/estimates/{estimate}", None, READERS | {OUT: 404}),
    ("get", "/estimates/{estimate}/pdf", None, READERS | {OUT: 404}),
    ("get", "/patients/{patient}/charges", None, READERS | {OUT: 404}),
    (
        "post",
        "/patients/{patient}/charges",
        {"service": "consultation", "service_date": "2026-03-01"},
        desk(201),
    ),
    ("post", "/sessions/{uncharged}/charges", {}, desk(201)),
    ("post", "/charges/from-completed-sessions", {}, desk(200) | {OUT: 200}),
    ("post", "/charges/{charge}/void", {"reason": "test"}, desk(200)),
    ("get", "/patients/{patient}/payments", None, READERS | {OUT: 404}),
    ("post", "/patients/{patient}/payments", {"amount": "10.00", "method": "cash"}, desk(201)),
    ("post", "/payments/{payment}/void", {"reason": "test"}, desk(200)),
    ("get", "/patients/{patient}/account", None, READERS | {OUT: 404}),
    (
        "get",
        "/patients/{patient}/superbill?from=2026-03-01&to=2026-03-31",
        None,
        READERS | {OUT: 404},
    ),
    ("get", "/sessions/{charged}/superbill", None, READERS | {OUT: 404}),
    (
        "get",
        "/reports/billing?from=2026-01-01&to=2026-03-31",
        None,
        {P: 403, N: 403, F: 403, A: 200, C: 200, OUT: 200},
    ),
]

PAGE_MATRIX = [
    ("/patients/{patient}/billing/", READERS | {OUT: 404}),
    ("/billing/", READERS | {OUT: 200}),
    ("/billing/fee-schedule/", READERS | {OUT: 200}),
    ("/billing/sliding-scale/", READERS | {OUT: 200}),
    ("/billing/settings/", admin_only(200)),
    ("/billing/reports/", {P: 403, N: 403, F: 403, A: 200, C: 200, OUT: 200}),
    ("/billing/estimates/{estimate}.pdf", READERS | {OUT: 404}),
    ("/billing/estimates/{estimate}/", READERS | {OUT: 404}),
    (
        "/patients/{patient}/billing/superbill.pdf?date_from=2026-03-01&date_to=2026-03-31",
        READERS | {OUT: 404},
    ),
    (
        "/patients/{patient}/billing/superbill/?date_from=2026-03-01&date_to=2026-03-31",
        READERS | {OUT: 404},
    ),
]

POST_PAGES = [
    (
        "/patients/{patient}/billing/payments/",
        {"payment-amount": "20.00", "payment-method": "cash", "payment-received_on": "2026-03-02"},
        desk(302),
    ),
    (
        "/patients/{patient}/billing/sliding-scale/",
        {
            "scale-household_size": "2",
            "scale-annual_income": "30000",
            "scale-effective_from": "2026-03-01",
        },
        desk(302),
    ),
    (
        "/patients/{patient}/billing/charges/",
        {
            "charge-service": "consultation",
            "charge-service_date": "2026-03-01",
            "charge-quantity": "1",
        },
        desk(302),
    ),
    (
        "/patients/{patient}/billing/diagnosis/",
        {"dx-code": "F33.1"},
        {P: 302, N: 403, F: 403, A: 403, C: 403, OUT: 403},
    ),
    ("/billing/charges/{charge}/void/", {"reason": "test"}, desk(302)),
]


@pytest.fixture(scope="module")
def world(clinic_admin, prescriber, nurse, front_desk, patient):
    fee_schedule(clinic_admin)
    sliding_scale(clinic_admin)
    services.set_diagnosis(actor=prescriber, patient=patient, code="F33.2")
    course = start_course(prescriber, nurse, patient)
    clinic = patient.clinic
    charged = complete(
        session(course, 1), prescriber, nurse, at=local(clinic, 2026, 3, 2), dose_mg="56", devices=2
    )
    made = charges.charge_session(actor=front_desk, session=charged)
    uncharged = complete(
        session(course, 2), prescriber, nurse, at=local(clinic, 2026, 3, 5), dose_mg="56", devices=2
    )
    payment = services.record_payment(
        actor=front_desk,
        patient=patient,
        amount="100",
        method="card",
        received_on=dt.date(2026, 3, 2),
    )
    estimate = services.issue_estimate(actor=front_desk, patient=patient, course=course)
    from ketaclinic.billing.models import FeeSchedule

    return {
        "patient": patient.id,
        "course": course.id,
        "charged": charged.id,
        "uncharged": uncharged.id,
        "charge": made[0].id,
        "payment": payment.id,
        "estimate": estimate.id,
        "schedule": FeeSchedule.objects.get(clinic=clinic).id,
    }


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_permission_matrix(api, personas, world, role, method, path, body, expected):
    response = call(api(personas[role]), method, fill(path, world), fill(body, world))
    assert response.status_code == expected[role], (role, method, path, response.content[:300])


@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_without_a_token_answers_401(api, world, method, path, body, expected):
    response = call(api(), method, fill(path, world), fill(body, world))
    assert response.status_code == 401


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "expected"), PAGE_MATRIX)
def test_page_permission_matrix(web, personas, world, role, path, expected):
    response = web(personas[role]).get(fill(path, world))
    assert response.status_code == expected[role], (role, path)


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "data", "expected"), POST_PAGES)
def test_page_forms_permission_matrix(web, personas, world, role, path, data, expected):
    response = web(personas[role]).post(fill(path, world), data)
    assert response.status_code == expected[role], (role, path, response.content[:500])


def test_auditors_may_read_everything_and_change_nothing():
    for method, path, _, expected in API_MATRIX:
        assert expected[A] == (200 if method == "get" else 403), (method, path)


def test_front_desk_sees_charges_but_not_clinical_notes(api, world, front_desk):
    client = api(front_desk)
    charges_body = client.get(f"/patients/{world['patient']}/charges")
    assert charges_body.status_code == 200
    # the charge says what was billed and why, never the session's clinical record
    assert set(charges_body.json()[0]) >= {"code", "quantity", "amount", "basis"}
    assert "note" not in charges_body.content.decode()
    assert client.get(f"/sessions/{world['charged']}").status_code == 403
    assert client.get(f"/patients/{world['patient']}/measures").status_code == 403
