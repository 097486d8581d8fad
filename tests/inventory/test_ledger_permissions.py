"""Every ledger endpoint x every role: the expected status (table-driven)."""

import datetime as dt

import pytest

from ketaclinic.core.permissions import Role
from ketaclinic.inventory import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

P, N, F, A, C, OUT, ANON = (
    Role.PRESCRIBER,
    Role.NURSE,
    Role.FRONT_DESK,
    Role.AUDITOR,
    Role.CLINIC_ADMIN,
    "outsider",
    "anonymous",
)
ROLES = [P, N, F, A, C, OUT, ANON]


def readers(outsider=200):
    """Read access: prescribers, nurses, auditors, clinic admins; front desk none."""
    return {P: 200, N: 200, F: 403, A: 200, C: 200, OUT: outsider, ANON: 401}


def allowed(roles, ok=201, outsider=404):
    table = {role: (ok if role in roles else 403) for role in (P, N, F, A, C)}
    return {**table, OUT: outsider, ANON: 401}


@pytest.fixture
def world(ketamine_lot, safe, cart, session, make_session, make_patient, nurse, at):
    """A lot with stock, a session holding 50 mg, a balanced session, a discrepancy, a loss."""
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )
    balanced = make_session(make_patient(given="Bal"))
    services.draw_for_session(
        actor=nurse, session=balanced, lot=ketamine_lot, location=safe, quantity="20", now=at()
    )
    services.administer(actor=nurse, session=balanced, quantity="20", now=at(minutes=5))
    found = services.count_stock(
        actor=nurse, lot=ketamine_lot, location=safe, counted="920", now=at(hours=1)
    ).discrepancy
    return {
        "lot": str(ketamine_lot.pk),
        "product": str(ketamine_lot.product_id),
        "safe": str(safe.pk),
        "cart": str(cart.pk),
        "session": str(session.pk),
        "balanced": str(balanced.pk),
        "discrepancy": str(found.pk),
    }


def _loss_id(world, prescriber):
    entry = services.record_loss(
        actor=prescriber,
        lot=world["lot"],
        location=world["safe"],
        quantity="10",
        loss_type="theft",
        discovered_on=dt.date(2026, 3, 2),
        circumstances="missing vial",
    )
    return str(entry.pk)


def _witness(username):
    return {"username": username, "password": PASSWORD}


ENDPOINTS = [
    # (name, method, path template, body builder, expected statuses by role)
    ("entries", "get", "/ledger/entries", None, readers()),
    ("balances", "get", "/ledger/balances", None, readers()),
    ("verify", "get", "/ledger/verify", None, readers()),
    ("products", "get", "/ledger/products", None, readers()),
    ("locations", "get", "/ledger/locations", None, readers()),
    ("lots", "get", "/ledger/lots", None, readers()),
    ("discrepancies", "get", "/ledger/discrepancies", None, readers()),
    ("session record", "get", "/ledger/sessions/{session}", None, readers(outsider=404)),
    ("diversion", "get", "/ledger/diversion", None, {**allowed({A, C}, ok=200, outsider=200)}),
    (
        "dispensing report",
        "get",
        "/ledger/reports/dispensing",
        None,
        allowed({P, A, C}, ok=200, outsider=200),
    ),
    (
        "create product",
        "post",
        "/ledger/products",
        lambda w, u: {
            "name": "Ketamine 100 mg/mL",
            "drug": "ketamine",
            "ndc": "00000-0100-10",
            "form": "injection_solution",
            "concentration": "100",
            "units_per_container": "5",
        },
        allowed({C}, outsider=201),
    ),
    (
        "create location",
        "post",
        "/ledger/locations",
        lambda w, u: {"name": "Second safe"},
        allowed({C}, outsider=201),
    ),
    (
        "receipt",
        "post",
        "/ledger/receipts",
        lambda w, u: {
            "product_id": w["product"],
            "location_id": w["safe"],
            "lot_number": "K200",
            "expires_on": "2027-06-30",
            "containers": 1,
            "supplier_name": "Acme",
            "supplier_address": "1 Supply Way",
            "supplier_dea": "RA0000000",
        },
        allowed({P, N, C}),
    ),
    (
        "draw",
        "post",
        "/ledger/draws",
        lambda w, u: {
            "session_id": w["session"],
            "lot_id": w["lot"],
            "location_id": w["safe"],
            "quantity": "10",
        },
        allowed({P, N}, outsider=403),
    ),
    (
        "administration",
        "post",
        "/ledger/administrations",
        lambda w, u: {"session_id": w["session"], "quantity": "30"},
        allowed({P, N}, outsider=403),
    ),
    (
        "waste",
        "post",
        "/ledger/wastes",
        lambda w, u: {
            "session_id": w["session"],
            "quantity": "5",
            "method": "sink",
            "witness": _witness("rn_okafor"),
        },
        allowed({P, N}, outsider=403),
    ),
    (
        "return",
        "post",
        "/ledger/returns",
        lambda w, u: {"session_id": w["session"], "quantity": "5", "location_id": w["safe"]},
        allowed({P, N}, outsider=403),
    ),
    (
        "transfer",
        "post",
        "/ledger/transfers",
        lambda w, u: {
            "lot_id": w["lot"],
            "from_location_id": w["safe"],
            "to_location_id": w["cart"],
            "quantity": "100",
        },
        allowed({P, N, C}),
    ),
    (
        "count",
        "post",
        "/ledger/counts",
        lambda w, u: {"lot_id": w["lot"], "location_id": w["safe"], "counted": "920"},
        allowed({P, N, C}),
    ),
    (
        "destruction",
        "post",
        "/ledger/destructions",
        lambda w, u: {
            "lot_id": w["lot"],
            "location_id": w["safe"],
            "quantity": "100",
            "method": "reverse distributor",
            "reason": "expired",
            "witnesses": [_witness("rn_jones"), _witness("rn_okafor")],
        },
        allowed({P, C}),
    ),
    (
        "loss",
        "post",
        "/ledger/losses",
        lambda w, u: {
            "lot_id": w["lot"],
            "location_id": w["safe"],
            "quantity": "10",
            "loss_type": "theft",
            "discovered_on": "2026-03-02",
            "circumstances": "vial missing",
        },
        allowed({P, C}),
    ),
    (
        "distribution",
        "post",
        "/ledger/distributions",
        lambda w, u: {
            "lot_id": w["lot"],
            "location_id": w["safe"],
            "quantity": "100",
            "kind": "reverse_distributor",
            "recipient_name": "Return Logistics Inc.",
            "recipient_address": "9 Depot Road, Memphis, TN 38118",
            "recipient_dea": "RR1234563",
        },
        allowed({P, N, C}),
    ),
    (
        "loss filing",
        "post",
        "/ledger/losses/{loss}/filings",
        lambda w, u: {"kind": "notice", "filed_on": "2026-03-03"},
        allowed({P, C}),
    ),
    (
        "resolve discrepancy",
        "post",
        "/ledger/discrepancies/{discrepancy}/resolution",
        lambda w, u: {"reason": "recount found a mislabelled vial"},
        allowed({C}),
    ),
    (
        "close session drug record",
        "post",
        "/ledger/sessions/{balanced}/close",
        lambda w, u: {},
        allowed({P, N}, outsider=403),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "path", "body", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_permission_matrix(
    name, method, path, body, expected, role, world, personas, prescriber, nurse2, api
):
    # given the world and one persona (the nurse2 fixture exists to witness)
    if "{loss}" in path:
        world = {**world, "loss": _loss_id(world, prescriber)}
    user = None if role == ANON else personas[role]
    client = api(user)
    url = path.format(**world)
    # when the persona calls the endpoint
    response = client.get(url) if method == "get" else client.post(url, body(world, user))
    # then the status is the one in the table
    assert response.status_code == expected[role], (name, role, response.content[:300])
