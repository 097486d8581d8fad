"""The ledger pages: who may open them, and the session, count and end-of-day flows."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ketaclinic.core.permissions import Role
from ketaclinic.inventory import queries, services
from ketaclinic.inventory.models import EntryType, LedgerEntry
from ketaclinic.inventory.views import count_field
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = {
    "inventory:home": {Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN},
    "inventory:entries": {Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN},
    "inventory:reconciliation": {Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN},
    "inventory:verify": {Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN},
    "inventory:setup": {Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN},
    # Readers see the list; the form is shown to those who may distribute.
    "inventory:distributions": {Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN},
    "inventory:receive": {Role.PRESCRIBER, Role.NURSE, Role.CLINIC_ADMIN},
    "inventory:draw": {Role.PRESCRIBER, Role.NURSE},
    "inventory:count": {Role.PRESCRIBER, Role.NURSE, Role.CLINIC_ADMIN},
    "inventory:transfer": {Role.PRESCRIBER, Role.NURSE, Role.CLINIC_ADMIN},
    "inventory:destroy": {Role.PRESCRIBER, Role.CLINIC_ADMIN},
    "inventory:loss": {Role.PRESCRIBER, Role.CLINIC_ADMIN},
    "inventory:reports": {Role.PRESCRIBER, Role.AUDITOR, Role.CLINIC_ADMIN},
    "inventory:diversion": {Role.AUDITOR, Role.CLINIC_ADMIN},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url_name", list(PAGES))
def test_each_page_opens_for_its_roles_and_is_403_for_others(
    url_name, role, personas, web, ketamine_lot
):
    response = web(personas[role]).get(reverse(url_name))
    expected = 200 if role in PAGES[url_name] else 403
    assert response.status_code == expected, (url_name, role)


def test_the_session_page_of_another_clinic_is_404(web, outsider, session):
    response = web(outsider).get(reverse("inventory:session", args=[session.pk]))
    assert response.status_code == 404


def test_the_home_page_shows_stock_with_its_volume(web, nurse, ketamine_lot):
    page = web(nurse).get(reverse("inventory:home")).content.decode()
    assert "1000 mg (20.000 mL)" in page
    assert "K100" in page


def test_a_nurse_draws_gives_and_wastes_with_a_witness_on_the_session_page(
    web, nurse, nurse2, session, ketamine_lot, safe
):
    client = web(nurse)
    url = reverse("inventory:session", args=[session.pk])
    # draw 50 mg
    response = client.post(
        url,
        {
            "action": "draw",
            "draw-lot": ketamine_lot.pk,
            "draw-location": safe.pk,
            "draw-quantity": "50",
        },
    )
    assert response.status_code == 302
    # administer 40 mg
    client.post(url, {"action": "give", "give-quantity": "40"})
    # waste 10 mg: the witness types their own password
    client.post(
        url,
        {
            "action": "waste",
            "waste-quantity": "10",
            "waste-method": "Expelled into drug disposal container",
            "waste-witness_username": nurse2.username,
            "waste-witness_password": PASSWORD,
        },
    )
    # then the record balances and can be closed
    assert queries.session_drug_balance(session).balanced
    client.post(url, {"action": "close"})
    assert queries.session_drug_balance(session).closed
    page = client.get(url).content.decode()
    assert "closed" in page


def test_a_waste_with_a_wrong_witness_password_shows_the_refusal(
    web, nurse, nurse2, session, ketamine_lot, safe
):
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="10"
    )
    response = web(nurse).post(
        reverse("inventory:session", args=[session.pk]),
        {
            "action": "waste",
            "waste-quantity": "10",
            "waste-method": "sink",
            "waste-witness_username": nurse2.username,
            "waste-witness_password": "wrong-password",
        },
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not LedgerEntry.objects.filter(entry_type=EntryType.WASTE).exists()


def test_the_end_of_day_count_opens_a_discrepancy_shown_on_reconciliation(
    web, nurse, clinic_admin, ketamine_lot, receive, ketamine, cart
):
    receive(ketamine, cart, containers=1, lot_number="K200")
    # when the nurse counts 1000 mg in the safe and 499 mg on the cart
    rows = queries.balances(nurse)
    values = {
        count_field(row): ("1000" if row.location.name == "Main safe" else "499") for row in rows
    }
    response = web(nurse).post(reverse("inventory:count"), values)
    assert response.status_code == 302
    # then one discrepancy of -1 mg is open, and the admin can resolve it with a reason
    page = web(nurse).get(reverse("inventory:reconciliation")).content.decode()
    assert "1 open difference" in page
    found = queries.open_discrepancies(nurse).get()
    assert found.quantity == Decimal("-1")
    web(clinic_admin).post(
        reverse("inventory:resolve", args=[found.pk]), {"reason": "1 mg spilled, documented"}
    )
    page = web(nurse).get(reverse("inventory:reconciliation")).content.decode()
    assert "No open differences" in page


def test_a_report_downloads_from_the_reports_page(web, auditor, ketamine_lot):
    response = web(auditor).get(
        reverse("inventory:reports"),
        {"report": "receipts", "format": "csv", "date_from": "2026-03-01", "date_to": "2026-03-31"},
    )
    assert response.status_code == 200
    assert "Supplier DEA number" in response.content.decode()


def test_the_verify_page_shows_the_head(web, auditor, ketamine_lot, clinic):
    page = web(auditor).get(reverse("inventory:verify")).content.decode()
    assert "Intact: 1 entry" in page
    assert queries.head_of(clinic.pk) in page


def test_a_clinic_admin_adds_a_product_and_a_location(web, clinic_admin):
    client = web(clinic_admin)
    client.post(
        reverse("inventory:setup"),
        {
            "action": "product",
            "name": "Ketamine 10 mg/mL",
            "drug": "ketamine",
            "ndc": "00000-0010-20",
            "form": "injection_solution",
            "concentration": "10",
            "units_per_container": "20",
        },
    )
    client.post(
        reverse("inventory:setup"), {"action": "location", "name": "Safe B", "kind": "safe"}
    )
    assert [p.name for p in queries.products(clinic_admin)] == ["Ketamine 10 mg/mL"]
    assert [loc.name for loc in queries.locations(clinic_admin)] == ["Safe B"]


def _home_queries(web, user, django_assert_max_num_queries, limit):
    client = web(user)
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(reverse("inventory:home")).status_code == 200
    return len(captured.captured_queries)


def test_the_stock_page_query_count_does_not_grow_with_the_ledger(
    web, nurse, ketamine_lot, safe, cart, django_assert_max_num_queries
):
    # given a short ledger, the number of queries of the stock page
    short = _home_queries(web, nurse, django_assert_max_num_queries, 30)
    # when forty more movements are recorded
    for _ in range(20):
        services.transfer_stock(
            actor=nurse, lot=ketamine_lot, from_location=safe, to_location=cart, quantity="1"
        )
        services.transfer_stock(
            actor=nurse, lot=ketamine_lot, from_location=cart, to_location=safe, quantity="1"
        )
    # then the page needs no more queries than before
    assert _home_queries(web, nurse, django_assert_max_num_queries, 30) == short


def test_a_blank_count_is_refused_by_name_and_nothing_is_written(web, nurse, ketamine_lot):
    # given one lot on the shelf and no count yet
    before = LedgerEntry.objects.filter(entry_type=EntryType.COUNT).count()
    # when the nurse submits the count form with the counted quantity left blank
    row = queries.balances(nurse)[0]
    response = web(nurse).post(reverse("inventory:count"), {count_field(row): "  "})
    # then the page stays, names the blank field and claims no match
    page = response.content.decode()
    assert response.status_code == 200
    assert "Counted (mg) for lot K100 at Main safe: enter the quantity counted" in page
    assert "matches the ledger" not in page
    assert 'aria-invalid="true"' in page
    # and nothing was written to the ledger
    assert LedgerEntry.objects.filter(entry_type=EntryType.COUNT).count() == before


def test_a_count_with_one_row_blank_writes_none_of_the_rows(
    web, nurse, ketamine_lot, receive, ketamine, cart
):
    receive(ketamine, cart, containers=1, lot_number="K200")
    rows = queries.balances(nurse)
    assert len(rows) == 2
    # when the first row is counted and the second left blank
    response = web(nurse).post(
        reverse("inventory:count"), {count_field(rows[0]): "1000", count_field(rows[1]): ""}
    )
    # then the entered value is kept for correction and no count entry exists
    page = response.content.decode()
    assert 'value="1000"' in page
    assert f"lot {rows[1].lot.lot_number} at {rows[1].location.name}: enter" in page
    assert not LedgerEntry.objects.filter(entry_type=EntryType.COUNT).exists()


def test_a_count_is_booked_against_the_rows_it_was_typed_for(
    web, nurse, ketamine_lot, safe, cart, make_session, patient
):
    # given 50 mg in the safe and 950 mg on the cart, both counted right on the page
    services.transfer_stock(
        actor=nurse, lot=ketamine_lot, from_location=safe, to_location=cart, quantity="950"
    )
    rows = queries.balances(nurse)
    typed = {count_field(r): ("50" if r.location == safe else "950") for r in rows}
    # when a colleague draws the safe's last 50 mg before the count is submitted
    services.draw_for_session(
        actor=nurse, session=make_session(patient), lot=ketamine_lot, location=safe, quantity="50"
    )
    response = web(nurse).post(reverse("inventory:count"), typed)
    # then nothing is booked (no value moves to another row), and the page asks again
    assert response.status_code == 200
    assert "changed while you were counting" in response.content.decode()
    assert queries.stock_balance(ketamine_lot.pk, cart.pk) == Decimal("950")
    assert not LedgerEntry.objects.filter(entry_type=EntryType.COUNT).exists()
    # and the count of the rows now on hand goes through
    cart_row = queries.balances(nurse)[0]
    again = web(nurse).post(reverse("inventory:count"), {count_field(cart_row): "950"})
    assert again.status_code == 302
    assert not LedgerEntry.objects.filter(entry_type=EntryType.DISCREPANCY).exists()


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("inventory:reconciliation", {"date_from": "9999-12-31"}),
        ("inventory:entries", {"date_to": "9999-12-31"}),
        ("inventory:diversion", {"date_to": "0001-01-01"}),
        ("inventory:reports", {"report": "receipts", "format": "csv", "date_to": "9999-12-31"}),
    ],
)
def test_a_far_off_date_on_a_ledger_page_is_not_a_server_error(
    web, clinic_admin, ketamine_lot, url_name, query
):
    client = web(clinic_admin)
    client.raise_request_exception = False
    response = client.get(reverse(url_name), query)
    assert response.status_code in (200, 422)


def test_the_api_names_a_far_off_ledger_date(api, auditor):
    answer = api(auditor).get("/ledger/entries", **{"to": "9999-12-31"})
    assert answer.status_code == 422
    assert "must be a date from 1900-01-01 to 2199-12-31" in str(answer.json())
