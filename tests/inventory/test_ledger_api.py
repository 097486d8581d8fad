"""The ledger API end to end: movements, balances, entries by lot and date, refusals."""

from decimal import Decimal

import pytest

from ketaclinic.inventory.models import EntryType, LedgerEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(ketamine, safe, cart, session):
    return {
        "product": str(ketamine.pk),
        "safe": str(safe.pk),
        "cart": str(cart.pk),
        "session": str(session.pk),
    }


def receive(client, ids, **extra):
    body = {
        "product_id": ids["product"],
        "location_id": ids["safe"],
        "lot_number": "K300",
        "expires_on": "2027-12-31",
        "containers": 2,
        "supplier_name": "Acme Pharma Distribution",
        "supplier_address": "1 Supply Way, Columbus, OH",
        "supplier_dea": "RA0000000",
        "invoice": "INV-77",
        **extra,
    }
    return client.post("/ledger/receipts", body)


def test_a_nurse_runs_a_session_through_the_api(api, nurse, nurse2, ids):
    client = api(nurse)
    # receive two vials
    receipt = receive(client, ids)
    assert receipt.status_code == 201, receipt.content
    lot = receipt.json()["lot_id"]
    assert Decimal(receipt.json()["quantity"]) == 1000
    # draw, administer, waste with a witness's password
    draw = client.post(
        "/ledger/draws",
        {"session_id": ids["session"], "lot_id": lot, "location_id": ids["safe"], "quantity": "50"},
    )
    assert draw.status_code == 201, draw.content
    given = client.post(
        "/ledger/administrations", {"session_id": ids["session"], "quantity": "42.5"}
    )
    assert given.status_code == 201, given.content
    waste = client.post(
        "/ledger/wastes",
        {
            "session_id": ids["session"],
            "quantity": "7.5",
            "method": "syringe into disposal container",
            "witness": {"username": nurse2.username, "password": PASSWORD},
        },
    )
    assert waste.status_code == 201, waste.content
    assert waste.json()["witness_name"] == nurse2.display_name
    # the session balances and closes
    record = client.get(f"/ledger/sessions/{ids['session']}").json()
    assert record["balanced"] is True
    assert client.post(f"/ledger/sessions/{ids['session']}/close").status_code == 201
    # and the safe holds 950 mg
    balances = client.get("/ledger/balances").json()
    assert [(b["location"], Decimal(b["quantity"]), Decimal(b["volume_ml"])) for b in balances] == [
        ("Main safe", Decimal("950"), Decimal("19"))
    ]


def test_waste_without_witness_credentials_is_a_422_naming_the_witness(
    api, nurse, ids, ketamine_lot
):
    client = api(nurse)
    client.post(
        "/ledger/draws",
        {
            "session_id": ids["session"],
            "lot_id": str(ketamine_lot.pk),
            "location_id": ids["safe"],
            "quantity": "10",
        },
    )
    response = client.post(
        "/ledger/wastes", {"session_id": ids["session"], "quantity": "10", "method": "sink"}
    )
    assert response.status_code == 422
    assert "witness" in response.json()["fields"]
    assert not LedgerEntry.objects.filter(entry_type=EntryType.WASTE).exists()


def test_a_draw_beyond_the_balance_is_a_409_with_a_clear_message(api, nurse, ids, ketamine_lot):
    response = api(nurse).post(
        "/ledger/draws",
        {
            "session_id": ids["session"],
            "lot_id": str(ketamine_lot.pk),
            "location_id": ids["safe"],
            "quantity": "2000",
        },
    )
    assert response.status_code == 409
    assert "1000 mg on hand" in response.json()["detail"]


@pytest.mark.parametrize("quantity", ["0", "-1", "0.0001", "abc", "1e400"])
def test_bad_quantities_are_422_not_500(api, nurse, ids, ketamine_lot, quantity):
    response = api(nurse).post(
        "/ledger/draws",
        {
            "session_id": ids["session"],
            "lot_id": str(ketamine_lot.pk),
            "location_id": ids["safe"],
            "quantity": quantity,
        },
    )
    assert response.status_code == 422, response.content


def test_a_receipt_missing_the_supplier_dea_number_names_the_field(api, nurse, ids):
    response = receive(api(nurse), ids, supplier_dea="")
    assert response.status_code == 422
    assert "supplier_dea" in response.json()["fields"]


def test_a_count_with_a_discrepancy_returns_both_entries(api, nurse, ids, ketamine_lot):
    response = api(nurse).post(
        "/ledger/counts",
        {"lot_id": str(ketamine_lot.pk), "location_id": ids["safe"], "counted": "995"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["count"]["entry_type"] == "count"
    assert Decimal(body["discrepancy"]["quantity"]) == Decimal("-5")
    open_ones = api(nurse).get("/ledger/discrepancies").json()
    assert [d["id"] for d in open_ones] == [body["discrepancy"]["id"]]


def test_a_count_claiming_another_expected_value_is_refused(api, nurse, ids, ketamine_lot):
    response = api(nurse).post(
        "/ledger/counts",
        {
            "lot_id": str(ketamine_lot.pk),
            "location_id": ids["safe"],
            "counted": "995",
            "expected": "995",
        },
    )
    assert response.status_code == 422
    assert "expected" in response.json()["fields"]


def test_entries_filter_by_lot_and_clinic_dates(
    api, nurse, ids, ketamine_lot, receive, ketamine, safe
):
    other = receive(ketamine, safe, lot_number="K999").lot
    client = api(nurse)
    by_lot = client.get("/ledger/entries", lot=str(ketamine_lot.pk)).json()
    assert [e["lot_id"] for e in by_lot["items"]] == [str(ketamine_lot.pk)]
    assert client.get("/ledger/entries", lot=str(other.pk)).json()["count"] == 1
    # the fixtures' receipts happened on 2026-03-02 (clinic time)
    assert (
        client.get("/ledger/entries", **{"from": "2026-03-02", "to": "2026-03-02"}).json()["count"]
        == 2
    )
    assert client.get("/ledger/entries", **{"from": "2026-03-03"}).json()["count"] == 0


def test_another_clinics_session_is_404(api, outsider, session):
    assert api(outsider).get(f"/ledger/sessions/{session.pk}").status_code == 404


def test_another_clinics_ledger_is_invisible(api, outsider, ketamine_lot):
    assert api(outsider).get("/ledger/entries").json()["count"] == 0
    assert api(outsider).get("/ledger/balances").json() == []
