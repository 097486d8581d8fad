"""Distribution to another registrant: the entry, its refusals, the page, the DEA reports."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from ketaclinic.core.errors import InvalidInput
from ketaclinic.inventory import queries, rules, services
from ketaclinic.inventory.definitions import DISTRIBUTIONS_LOG_FIELDS
from ketaclinic.inventory.models import EntryType, LedgerEntry
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

# 10:00 in New York on Monday 2026-03-02, an hour after the stock fixtures' receipt.
LATER_THAT_MORNING = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
# 23:30 in New York on 2026-03-02 is already 2026-03-03 in UTC.
LATE_EVENING = dt.datetime(2026, 3, 3, 4, 30, tzinfo=dt.UTC)
REVERSE_DISTRIBUTOR = {
    "recipient_name": "Return Logistics Inc.",
    "recipient_address": "9 Depot Road, Memphis, TN 38118",
    "recipient_dea": "RR1234563",
}
RANGE = {"from": "2026-03-01", "to": "2026-03-31"}
JSONB = "::jsonb" if connection.vendor == "postgresql" else ""


@pytest.fixture(autouse=True)
def frozen_morning():
    with time_machine.travel(LATER_THAT_MORNING, tick=False):
        yield


@pytest.fixture
def body(ketamine_lot, safe):
    """A valid API body: one 500 mg vial to a reverse distributor."""
    return {
        "lot_id": str(ketamine_lot.pk),
        "location_id": str(safe.pk),
        "quantity": "500",
        "kind": "reverse_distributor",
        "reference": "RD-2026-031",
        "reason": "expired",
        **REVERSE_DISTRIBUTOR,
    }


def verify_ledger() -> tuple[int, str]:
    """Run `ketaclinic verify_ledger`; return (exit code, stdout and stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_ledger", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- the entry --------------------------------------------------------------------------------


def test_a_transfer_to_a_reverse_distributor_records_every_1304_22_field(ketamine_lot, safe, nurse):
    # when a nurse sends one vial to a reverse distributor
    entry = services.distribute_stock(
        actor=nurse,
        lot=ketamine_lot,
        location=safe,
        quantity="500",
        kind="reverse_distributor",
        reference="RD-2026-031",
        **REVERSE_DISTRIBUTOR,
    )
    # then the entry names the recipient, its address and DEA number, the date and the units
    assert entry.entry_type == EntryType.DISTRIBUTION
    assert entry.data == {
        "kind": "reverse_distributor",
        "recipient_name": "Return Logistics Inc.",
        "recipient_address": "9 Depot Road, Memphis, TN 38118",
        "recipient_dea": "RR1234563",
        "distributed_on": "2026-03-02",
        "containers": "1",
        "reference": "RD-2026-031",
    }
    assert (entry.quantity, entry.unit) == (Decimal("500"), "mg")
    # and the stock left the safe
    assert queries.stock_balance(ketamine_lot.pk, safe.pk) == Decimal("500")


def test_a_return_to_the_supplier_normalizes_the_dea_number(ketamine_lot, safe, prescriber):
    entry = services.distribute_stock(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="250",
        kind="supplier_return",
        recipient_name="Acme Pharma Distribution",
        recipient_address="1 Supply Way, Columbus, OH 43004",
        recipient_dea="ra-000 0000",
    )
    assert entry.data["recipient_dea"] == "RA0000000"
    assert entry.data["containers"] == "0.5"


def test_the_date_is_the_clinics_date_late_in_the_evening(ketamine_lot, safe, nurse):
    # given 23:30 in New York, already the next day in UTC
    with time_machine.travel(LATE_EVENING, tick=False):
        entry = services.distribute_stock(
            actor=nurse,
            lot=ketamine_lot,
            location=safe,
            quantity="500",
            kind="supplier_return",
            **REVERSE_DISTRIBUTOR,
        )
    # then the distribution is dated the clinic's day, not the UTC day
    assert entry.data["distributed_on"] == "2026-03-02"


def test_a_distribution_dated_in_the_future_is_refused(ketamine_lot, safe, nurse):
    with pytest.raises(InvalidInput) as refused:
        services.distribute_stock(
            actor=nurse,
            lot=ketamine_lot,
            location=safe,
            quantity="500",
            kind="supplier_return",
            distributed_on=dt.date(2026, 3, 3),
            **REVERSE_DISTRIBUTOR,
        )
    assert "distributed_on" in refused.value.fields


def test_the_recipient_is_under_the_hash_and_the_chain_still_verifies(
    ketamine_lot, safe, nurse, clinic
):
    # given a ledger holding a receipt (an entry type older than distributions) and a distribution
    entry = services.distribute_stock(
        actor=nurse,
        lot=ketamine_lot,
        location=safe,
        quantity="500",
        kind="reverse_distributor",
        **REVERSE_DISTRIBUTOR,
    )
    # then the canonical content carries the recipient, and the whole chain verifies
    assert b'"recipient_dea":"RR1234563"' in rules.canonical_bytes(entry.hash_content())
    assert queries.verify_clinic_chain(clinic.pk).valid
    code, output = verify_ledger()
    assert code == 0 and "intact, 2 entries" in output
    # when the recipient's DEA number is rewritten in the database
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LedgerEntry._meta.db_table} SET data = %s{JSONB} WHERE id = %s",
            ['{"kind": "reverse_distributor", "recipient_dea": "RR9999999"}', entry.pk.hex],
        )
    # then verification names that entry as changed
    verdict = queries.verify_clinic_chain(clinic.pk)
    assert not verdict.valid
    assert (verdict.first_bad.sequence, str(verdict.first_bad.kind)) == (entry.sequence, "changed")
    code, output = verify_ledger()
    assert code == 1 and str(entry.pk) in output


# --- the API ----------------------------------------------------------------------------------


def test_the_api_records_a_distribution(api, nurse, body):
    response = api(nurse).post("/ledger/distributions", body)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["entry_type"] == "distribution"
    assert answer["data"]["recipient_dea"] == "RR1234563"
    assert answer["quantity"] in ("500", "500.000")


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"recipient_dea": "RR123456"}, "recipient_dea", "two letters"),
        ({"recipient_dea": "1R1234563"}, "recipient_dea", "two letters"),
        ({"recipient_dea": "RR1234567"}, "recipient_dea", "check digit"),
        ({"quantity": "0"}, "quantity", "greater than zero"),
        ({"quantity": "-10"}, "quantity", "greater than zero"),
        ({"quantity": "1500"}, "quantity", "only 1000 mg"),
        ({"recipient_address": "   "}, "recipient_address", "required"),
        ({"kind": "gift"}, "kind", ""),
        ({"lot_id": "not-a-lot"}, "lot_id", ""),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    api, nurse, body, change, field, says
):
    before = LedgerEntry.objects.count()
    response = api(nurse).post("/ledger/distributions", {**body, **change})
    assert response.status_code == 422, response.content
    answer = response.json()
    assert field in answer["fields"], answer
    assert says in answer["fields"][field]
    assert LedgerEntry.objects.count() == before


def test_an_unknown_lot_and_another_clinics_lot_answer_alike(
    api, nurse, body, outsider, other_clinic
):
    # given a lot of another clinic
    from ketaclinic.inventory.models import Lot, Product

    product = Product.objects.create(
        clinic=other_clinic,
        name="Ketamine 10 mg/mL",
        drug="ketamine",
        ndc="11111-0010-10",
        form="injection_solution",
        concentration=Decimal("10"),
        units_per_container=Decimal("20"),
    )
    theirs = Lot.objects.create(
        clinic=other_clinic, product=product, lot_number="X1", expires_on=dt.date(2027, 1, 1)
    )
    # when a nurse names it, or a lot id that exists nowhere
    other = api(nurse).post("/ledger/distributions", {**body, "lot_id": str(theirs.pk)})
    unknown = api(nurse).post(
        "/ledger/distributions", {**body, "lot_id": "00000000-0000-0000-0000-000000000001"}
    )
    # then both are 404 with the same answer, so nothing says the other clinic's lot exists
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()


def test_the_distribution_is_a_line_in_the_dispensing_log_and_its_own_report(
    api, nurse, auditor, body
):
    # given a distribution to a reverse distributor
    api(nurse).post("/ledger/distributions", body)
    # then the dispensing log carries it with the recipient's name, address and DEA number
    rows = csv_rows(api(auditor).get("/ledger/reports/dispensing", **RANGE))
    line = next(r for r in rows if r["Recipient DEA registration number"])
    assert line["Distributed to (registrant name)"] == "Return Logistics Inc."
    assert line["Recipient address"] == "9 Depot Road, Memphis, TN 38118"
    assert line["Recipient DEA registration number"] == "RR1234563"
    assert line["Quantity"] == "500"
    assert "reverse distributor" in line["Manner of disposal"]
    # and the distributions report lists it with the number of containers
    report = csv_rows(api(auditor).get("/ledger/reports/distributions", **RANGE))
    assert list(report[0]) == [label for _key, label in DISTRIBUTIONS_LOG_FIELDS]
    assert report[0]["Number of containers"] == "1"
    assert report[0]["Date distributed"] == "2026-03-02"
    assert report[0]["Invoice or shipping reference"] == "RD-2026-031"


def test_the_distributions_pdf_cites_the_regulation(api, nurse, auditor, body):
    api(nurse).post("/ledger/distributions", body)
    response = api(auditor).get("/ledger/reports/distributions", **RANGE, format="pdf")
    text = pdf_text(response)
    assert "RR1234563" in text
    assert "1304.22(a)(2)(vii)" in text


# --- the page ---------------------------------------------------------------------------------


def test_a_nurse_records_a_distribution_on_the_page_and_sees_it_listed(
    web, nurse, ketamine_lot, safe
):
    client = web(nurse)
    url = reverse("inventory:distributions")
    form = {
        "kind": "supplier_return",
        "lot": str(ketamine_lot.pk),
        "location": str(safe.pk),
        "quantity": "500",
        "recipient_name": "Acme Pharma Distribution",
        "recipient_address": "1 Supply Way, Columbus, OH 43004",
        "recipient_dea": "RA0000000",
        "distributed_on": "2026-03-02",
        "reference": "RMA-5",
    }
    response = client.post(url, form, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme Pharma Distribution" in page and "RA0000000" in page
    assert "Return to the supplier" in page
    assert "500 mg" in page and "5E+2" not in page
    assert LedgerEntry.objects.filter(entry_type=EntryType.DISTRIBUTION).count() == 1


def test_the_page_puts_a_bad_dea_number_on_its_field(web, nurse, ketamine_lot, safe):
    response = web(nurse).post(
        reverse("inventory:distributions"),
        {
            "kind": "reverse_distributor",
            "lot": str(ketamine_lot.pk),
            "location": str(safe.pk),
            "quantity": "500",
            "recipient_name": "Return Logistics Inc.",
            "recipient_address": "9 Depot Road",
            "recipient_dea": "RR1234567",
        },
    )
    assert response.status_code == 200
    assert "check digit" in response.context["form"].errors["recipient_dea"][0]
    assert not LedgerEntry.objects.filter(entry_type=EntryType.DISTRIBUTION).exists()


def test_an_auditor_sees_the_list_but_has_no_form_and_cannot_post(web, auditor, ketamine_lot, safe):
    client = web(auditor)
    page = client.get(reverse("inventory:distributions"))
    assert page.status_code == 200
    assert "Record distribution" not in page.content.decode()
    refused = client.post(reverse("inventory:distributions"), {"kind": "supplier_return"})
    assert refused.status_code == 403
