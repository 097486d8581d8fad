"""DEA reports: dispensing log and biennial inventory as CSV and PDF with the required fields."""

import csv
import datetime as dt
import io

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.inventory import services
from ketaclinic.inventory.definitions import DISPENSING_LOG_FIELDS, RECEIPTS_LOG_FIELDS
from ketaclinic.inventory.models import LedgerChainHead
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db
RANGE = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def month(ketamine_lot, safe, session, nurse, nurse2, prescriber, witness_of, at):
    """A session with administration and witnessed waste, a biennial inventory, a destruction."""
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )
    services.administer(actor=nurse, session=session, quantity="36.5", now=at(minutes=5))
    services.record_waste(
        actor=nurse,
        session=session,
        quantity="13.5",
        method="syringe into disposal container",
        witness=witness_of(nurse2),
        now=at(minutes=50),
    )
    services.count_stock(
        actor=nurse,
        lot=ketamine_lot,
        location=safe,
        counted="950",
        kind="biennial",
        timing="close",
        now=at(hours=7),
    )
    services.destroy_stock(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="500",
        method="reverse distributor",
        reason="vial cracked",
        witnesses=[witness_of(nurse), witness_of(nurse2)],
        now=at(days=1),
    )


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_dispensing_log_csv_has_every_1304_22_c_field(month, api, auditor, patient):
    # when the auditor exports the dispensing log for March
    response = api(auditor).get("/ledger/reports/dispensing", **RANGE, format="csv")
    # then it is a CSV download with the required columns and one row per disposition
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == [label for _key, label in DISPENSING_LOG_FIELDS]
    given = rows[0]
    assert given["Name of the substance"] == "Ketamine HCl injection 50 mg/mL"
    assert given["Finished form and units per container"] == "50 mg/mL injection, 10 mL vial"
    assert given["Quantity"] == "36.5"
    assert given["Patient name"] == patient.full_name
    assert given["Name or initials of the person who administered or disposed"] == "Sam Jones, RN"
    wasted = rows[1]
    assert wasted["Manner of disposal"] == "wasted: syringe into disposal container"
    assert wasted["Witnesses"] == "Grace Okafor"
    destroyed = rows[2]
    assert (
        destroyed["Disposition (administered, wasted, destroyed, lost, distributed)"]
        == "Destruction"
    )
    assert len(rows) == 3


def test_the_dispensing_log_pdf_names_the_registrant_and_the_fields(month, api, auditor, clinic):
    response = api(auditor).get("/ledger/reports/dispensing", **RANGE, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    assert clinic.name in text
    assert "AL1234563" in text  # the clinic's DEA registration
    assert "Patient name" in text and "Patient address" in text
    assert "Jordan Rivera" in text
    assert "3 record(s)" in text


def test_every_report_pdf_prints_the_ledger_head_with_its_sequence_and_time(
    month, api, auditor, clinic
):
    head = LedgerChainHead.objects.get(clinic=clinic)
    local = head.updated_at.astimezone(clinic.tz)
    text = "".join(
        pdf_text(api(auditor).get("/ledger/reports/dispensing", **RANGE, format="pdf")).split()
    )
    assert f"Ledgerheadatexport:entry#{head.sequence},hash{head.head_hash}" in text
    # in the clinic's time, as people read it ("2 Mar 2026, 14:05 EST"), not as an ISO string
    assert f"lastwritten{local.day}{local:%b%Y,%H:%M%Z}." in text


def test_the_biennial_inventory_records_close_of_business_in_csv_and_pdf(month, api, auditor):
    response = api(auditor).get("/ledger/reports/inventory", **RANGE, format="csv")
    rows = csv_rows(response)
    assert len(rows) == 1
    assert rows[0]["Inventory"] == "biennial"
    assert rows[0]["Opening or close of business"] == "close of business"
    assert rows[0]["Quantity counted"] == "950"
    assert rows[0]["Containers"] == "1.9"
    text = pdf_text(api(auditor).get("/ledger/reports/inventory", **RANGE, format="pdf"))
    assert "close of business" in text
    assert "1304.11" in text


def test_the_receipts_log_carries_the_suppliers_dea_number(month, api, auditor):
    rows = csv_rows(api(auditor).get("/ledger/reports/receipts", **RANGE))
    assert list(rows[0]) == [label for _key, label in RECEIPTS_LOG_FIELDS]
    assert rows[0]["Supplier DEA number"] == "RA0000000"
    assert rows[0]["Number of containers received"] == "2"


def test_form_41_data_lists_both_witnesses(month, api, auditor):
    rows = csv_rows(api(auditor).get("/ledger/reports/form41", **RANGE))
    assert [(r["Witness 1"], r["Witness 2"], r["NDC"]) for r in rows] == [
        ("Sam Jones, RN", "Grace Okafor", "00000-0050-10")
    ]


def test_form_106_data_shows_deadlines_and_filings(
    ketamine_lot, safe, prescriber, api, auditor, at
):
    loss = services.record_loss(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="50",
        loss_type="theft",
        discovered_on=dt.date(2026, 3, 6),
        circumstances="safe forced",
        now=at(days=4),
    )
    services.record_loss_filing(
        actor=prescriber, loss=loss, kind="notice", filed_on=dt.date(2026, 3, 9)
    )
    rows = csv_rows(api(auditor).get("/ledger/reports/form106", **RANGE))
    assert rows[0]["Notice due (1 business day)"] == "2026-03-09"
    assert rows[0]["Notice"] == "met"
    assert rows[0]["Form 106 due (45 days)"] == "2026-04-20"


def test_a_date_range_outside_the_records_is_empty_but_valid(month, api, auditor):
    response = api(auditor).get(
        "/ledger/reports/dispensing", **{"from": "2025-01-01", "to": "2025-01-31"}
    )
    assert response.status_code == 200
    assert csv_rows(response) == []


def test_exports_are_audited(month, api, auditor):
    api(auditor).get("/ledger/reports/dispensing", **RANGE, format="pdf")
    event = AuditEvent.objects.get(action="ledger.report_exported")
    assert event.changes["report"] == "dispensing" and event.changes["format"] == "pdf"


def test_an_unknown_report_or_reversed_range_is_422(api, auditor):
    assert api(auditor).get("/ledger/reports/nonsense").status_code == 422
    reversed_range = {"from": "2026-03-31", "to": "2026-03-01"}
    assert api(auditor).get("/ledger/reports/dispensing", **reversed_range).status_code == 422


def test_a_cell_that_looks_like_a_formula_is_neutralised(
    ketamine_lot, safe, session, nurse, api, auditor, at
):
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="10", now=at()
    )
    services.administer(
        actor=nurse, session=session, quantity="10", reason="=HYPERLINK(1)", now=at(minutes=1)
    )
    # given a patient whose name was entered as a spreadsheet formula
    session.patient.given_name = "=SUM(A1)"
    session.patient.save()
    # then the exported cell starts with a quote, so no spreadsheet runs it
    rows = csv_rows(api(auditor).get("/ledger/reports/dispensing", **RANGE))
    assert rows[0]["Patient name"] == "'=SUM(A1) Rivera"
