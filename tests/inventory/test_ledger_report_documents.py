"""DEA reports as printed documents: identifiers whole, 25+ rows a page, clinic time, print view."""

import datetime as dt
import re

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.formats import local_moment
from ketaclinic.inventory import reports, services
from ketaclinic.inventory.models import EntryType, LedgerChainHead, LedgerEntry
from tests.pdf import overflowing_words, pdf_pages, pdf_text, split_across_lines

pytestmark = pytest.mark.django_db
RANGE = {"from": "2026-03-01", "to": "2026-03-31"}
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
NDC, LOT, CLINIC_DEA, RECIPIENT_DEA, SUPPLIER_DEA = (
    "00000-0050-10",
    "K100",
    "AL1234563",
    "RR1234563",
    "RA0000000",
)
POLICE_REPORT = "MPD-2026-0412"
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


@pytest.fixture
def ledger(ketamine_lot, safe, session, patient, nurse, nurse2, prescriber, witness_of, at):
    """March with each kind of disposition: administered, wasted, distributed, destroyed, lost."""
    patient.address_line, patient.city = "1200 Lakeshore Drive, Apt 4B", "Springfield"
    patient.region, patient.postal_code = "IL", "62701"
    patient.save()
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
    services.distribute_stock(
        actor=nurse,
        lot=ketamine_lot,
        location=safe,
        quantity="500",
        kind="reverse_distributor",
        recipient_name="Return Logistics Inc.",
        recipient_address="9 Depot Road, Memphis, TN 38118",
        recipient_dea=RECIPIENT_DEA,
        reference="RD-2026-031",
        now=at(hours=3),
    )
    services.destroy_stock(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="400",
        method="reverse distributor",
        reason="vial cracked",
        witnesses=[witness_of(nurse), witness_of(nurse2)],
        now=at(days=1),
    )
    services.record_loss(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="10",
        loss_type="theft",
        discovered_on=dt.date(2026, 3, 3),
        circumstances="vial missing from the locked safe at the evening count",
        police_report=POLICE_REPORT,
        purchase_value="42.50",
        now=at(days=1, hours=2),
    )


def test_no_ndc_lot_dea_number_or_hash_is_broken_across_lines(ledger, api, auditor, clinic):
    # when the auditor downloads March's dispensing log
    response = api(auditor).get("/ledger/reports/dispensing", **RANGE, format="pdf")
    # then every identifier is printed whole on one line, the chain head's hash included
    head = LedgerChainHead.objects.get(clinic=clinic)
    tokens = [NDC, LOT, CLINIC_DEA, RECIPIENT_DEA, head.head_hash]
    assert split_across_lines(response.content, tokens) == []
    assert any(line.strip() == head.head_hash for page in pdf_pages(response) for line in page)


def test_times_are_the_clinics_local_time_never_iso(ledger, api, auditor, clinic):
    administered = LedgerEntry.objects.get(entry_type=EntryType.ADMINISTRATION)
    text = pdf_text(api(auditor).get("/ledger/reports/dispensing", **RANGE, format="pdf"))
    # "2 Mar 2026, 09:05 EST": the clinic's clock, its zone named
    assert local_moment(administered.occurred_at, clinic.tz) in text
    assert local_moment(administered.occurred_at, clinic.tz).endswith(" EST")
    assert ISO_MOMENT.findall(text) == []
    # while the CSV keeps the sortable form a spreadsheet reads
    csv = api(auditor).get("/ledger/reports/dispensing", **RANGE, format="csv").content.decode()
    local = administered.occurred_at.astimezone(clinic.tz)
    assert f"{local:%Y-%m-%d %H:%M}," in csv


@pytest.mark.parametrize(
    "code",
    ["dispensing", "receipts", "distributions", "inventory", "form41", "form106", "open_sessions"],
)
def test_every_column_of_every_report_is_wide_enough_for_its_words(ledger, auditor, code):
    built = reports.build_report(auditor, code, *MARCH)
    assert overflowing_words(reports.to_html(built, for_pdf=True)) == []


@pytest.mark.parametrize(
    ("code", "tokens"),
    [
        ("receipts", [NDC, LOT, SUPPLIER_DEA, "INV-1001"]),
        ("distributions", [NDC, LOT, RECIPIENT_DEA, "RD-2026-031"]),
        ("form41", [NDC, LOT]),
        ("form106", [NDC, LOT, POLICE_REPORT]),
    ],
)
def test_other_reports_keep_their_identifiers_whole(ledger, api, auditor, code, tokens):
    response = api(auditor).get(f"/ledger/reports/{code}", **RANGE, format="pdf")
    assert split_across_lines(response.content, [*tokens, CLINIC_DEA]) == []


def test_a_dispensing_log_of_60_rows_prints_25_or_more_rows_a_page(ledger, auditor):
    # given a dispensing log of 60 dispositions (the month's five, repeated)
    built = reports.build_report(auditor, "dispensing", *MARCH)
    assert len(built.rows) == 5
    built.rows = [built.rows[i % 5] | {"entry_sequence": 100 + i} for i in range(60)]
    # when it is printed
    pages = pdf_pages(reports.to_pdf(built))
    # then each page but the last holds at least 25 rows (one NDC a row), all 60 are there,
    # and every page repeats the column headings
    rows = [sum(line.count(NDC) for line in page) for page in pages]
    assert sum(rows) == 60
    assert len(pages) >= 2
    assert all(n >= 25 for n in rows[:-1]), rows
    for page in pages:
        assert "Patient address" in " ".join(page)
    assert split_across_lines(reports.to_pdf(built), [NDC, LOT, RECIPIENT_DEA]) == []


def test_the_print_view_is_the_same_document_and_is_audited_as_an_export(ledger, web, auditor):
    query = {"report": "dispensing", "date_from": "2026-03-01", "date_to": "2026-03-31"}
    page = web(auditor).get("/ledger/reports/", query | {"format": "print"})
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "<h1>Dispensing log</h1>" in html
    assert "<thead>" in html and "Patient address" in html
    assert NDC in html and CLINIC_DEA in html
    assert "format=pdf" in html  # a link to the PDF of the same report
    exported = AuditEvent.objects.filter(action="ledger.report_exported").latest("occurred_at")
    assert exported.changes["format"] == "print"
    assert exported.changes["report"] == "dispensing"
    assert exported.changes["rows"] == 5


def test_the_print_view_is_refused_to_whoever_may_not_export(ledger, web, nurse, front_desk):
    query = {"report": "dispensing", "format": "print"}
    for user in (nurse, front_desk):
        assert web(user).get("/ledger/reports/", query).status_code == 403
