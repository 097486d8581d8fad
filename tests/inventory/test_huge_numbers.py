"""Numbers past any real stock or money (more digits than decimal arithmetic carries) are
refused naming the field, on the API and on the count page, and nothing is written."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ketaclinic.inventory import queries
from ketaclinic.inventory.models import LedgerEntry
from ketaclinic.inventory.views import count_field

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 3, 20, 16, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_a_huge_purchase_value_is_422_not_500(api, prescriber, ketamine_lot, safe):
    before = LedgerEntry.objects.count()
    response = api(prescriber).post(
        "/ledger/losses",
        {
            "lot_id": str(ketamine_lot.pk),
            "location_id": str(safe.pk),
            "quantity": "10",
            "loss_type": "theft",
            "discovered_on": "2026-03-06",
            "circumstances": "vial missing",
            "purchase_value": "1E+30",
        },
    )
    assert response.status_code == 422
    assert "purchase_value" in response.json()["fields"]
    assert LedgerEntry.objects.count() == before


BIG = "12345678901234567890123456.0001"  # 30 significant digits


def test_a_huge_quantity_with_a_fraction_is_422_not_500(api, nurse, ketamine_lot, safe, cart):
    before = LedgerEntry.objects.count()
    response = api(nurse).post(
        "/ledger/transfers",
        {
            "lot_id": str(ketamine_lot.pk),
            "from_location_id": str(safe.pk),
            "to_location_id": str(cart.pk),
            "quantity": BIG,
        },
    )
    assert response.status_code == 422
    assert "quantity" in response.json()["fields"]
    assert LedgerEntry.objects.count() == before


def test_a_huge_count_on_the_count_page_is_refused_not_500(web, nurse, ketamine_lot, safe):
    rows = queries.balances(nurse)
    response = web(nurse).post(reverse("inventory:count"), {count_field(row): BIG for row in rows})
    assert response.status_code in (200, 422)
    assert "not a plausible quantity" in response.content.decode()
    assert LedgerEntry.objects.filter(entry_type="count").count() == 0
