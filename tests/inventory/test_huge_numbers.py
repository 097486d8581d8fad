"""A quantity past any real stock (more digits than decimal arithmetic carries) is refused
naming the field, on the API and on the count page, and nothing is written."""

import pytest
from django.urls import reverse

from ketaclinic.inventory import queries
from ketaclinic.inventory.models import LedgerEntry
from ketaclinic.inventory.views import count_field

pytestmark = pytest.mark.django_db


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
