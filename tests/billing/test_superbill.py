"""Superbills: a patient's month or one session, with diagnosis, codes, units, fees, payments."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.billing import charges, services
from tests.billing.helpers import complete, fee_schedule, local, session, start_course
from tests.pdf import pdf_text, split_across_lines

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def march(clinic_admin, prescriber, nurse, front_desk, patient):
    """Three esketamine sessions and a consultation in March 2026, one in April, payments."""
    fee_schedule(clinic_admin)
    services.update_billing_settings(
        actor=clinic_admin, billing_npi="1234567893", tax_id="12-3456789"
    )
    prescriber.npi = "1987654326"
    prescriber.save()
    services.set_diagnosis(actor=prescriber, patient=patient, code="F33.2")
    course = start_course(prescriber, nurse, patient)
    clinic = patient.clinic
    for number, (day, dose, devices) in enumerate(
        [(3, "56", 2), (6, "56", 2), (10, "84", 3), (2, "84", 3)], start=1
    ):
        month = 4 if number == 4 else 3
        done = complete(
            session(course, number),
            prescriber,
            nurse,
            at=local(clinic, 2026, month, day),
            dose_mg=dose,
            devices=devices,
        )
        charges.charge_session(actor=front_desk, session=done)
    charges.add_charge(
        actor=front_desk,
        patient=patient,
        service="consultation",
        service_date=dt.date(2026, 3, 1),
        rendering_provider=prescriber,
    )
    services.record_payment(
        actor=front_desk,
        patient=patient,
        amount="500.00",
        method="card",
        received_on=dt.date(2026, 3, 3),
        reference="A-1",
    )
    services.record_payment(
        actor=front_desk,
        patient=patient,
        amount="250.00",
        method="cash",
        received_on=dt.date(2026, 4, 2),
    )
    return course


def test_a_superbill_for_a_patients_month_matches_the_records(api, march, front_desk, patient):
    # when the front desk opens March's superbill as JSON and as PDF
    client = api(front_desk)
    data = client.get(
        f"/patients/{patient.id}/superbill",
        **{"from": "2026-03-01", "to": "2026-03-31", "format": "json"},
    ).json()
    response = client.get(
        f"/patients/{patient.id}/superbill", **{"from": "2026-03-01", "to": "2026-03-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    # then the diagnosis, identifiers and every March line are in it, April's are not
    assert data["diagnosis"] == {
        "code": "F33.2",
        "description": "Major depressive disorder, recurrent, severe without psychotic features",
    }
    codes = [(line["date"], line["code"], line["units"], line["fee"]) for line in data["lines"]]
    assert codes == [
        ("2026-03-01", "99205", "1", "400.00"),
        ("2026-03-03", "G2082", "1", "300.00"),
        ("2026-03-03", "", "2", "591.00"),
        ("2026-03-06", "G2082", "1", "300.00"),
        ("2026-03-06", "", "2", "591.00"),
        ("2026-03-10", "G2083", "1", "340.00"),
        ("2026-03-10", "", "3", "886.50"),
    ]
    assert data["payments"] == [
        {"date": "2026-03-03", "method": "Card", "reference": "A-1", "amount": "500.00"}
    ]
    assert data["totals"]["fees"] == "3408.50"
    for expected in (
        "Superbill",
        "F33.2",
        "Jordan Rivera",
        "1984-03-12",
        "1234567893",
        "12-3456789",
        "1987654326",
        "99205",
        "G2082",
        "G2083",
        "$886.50",
        "$3,408.50",
        "$500.00",
    ):
        assert expected in text, expected
    assert "2026-04-02" not in text
    # and every code line of the PDF carries its date, units and fee as recorded
    for line in data["lines"]:
        if line["code"]:
            pattern = rf"{line['date']}\s+11\s+{line['code']}.*\s{line['units']}\s+\${line['fee']}"
            assert re.search(pattern, text), pattern


def test_a_superbill_for_one_session(api, march, front_desk):
    from ketaclinic.treatments.models import TreatmentSession

    third = TreatmentSession.objects.get(course=march, number=3)
    data = api(front_desk).get(f"/sessions/{third.id}/superbill", format="json").json()
    assert [line["code"] for line in data["lines"]] == ["G2083", ""]
    assert data["period"] == {"from": "2026-03-10", "to": "2026-03-10"}


def test_a_superbill_period_must_be_in_order_and_at_most_a_year(api, march, front_desk, patient):
    client = api(front_desk)
    backwards = client.get(
        f"/patients/{patient.id}/superbill", **{"from": "2026-03-31", "to": "2026-03-01"}
    )
    assert backwards.status_code == 422
    too_long = client.get(
        f"/patients/{patient.id}/superbill", **{"from": "2024-01-01", "to": "2026-03-01"}
    )
    assert too_long.status_code == 422


def test_the_billing_report_shows_revenue_discounts_and_outstanding_balances(
    api, march, clinic_admin, auditor
):
    body = api(auditor).get("/reports/billing", **{"from": "2026-03-01", "to": "2026-04-30"}).json()
    assert [m["month"] for m in body["months"]] == ["2026-03", "2026-04"]
    assert body["totals"]["charged"] == "4635.00"
    assert body["totals"]["received"] == "750.00"
    assert body["received_by_method"] == {"card": "500.00", "cash": "250.00"}
    assert body["outstanding"]["patients"] == 1
    assert body["outstanding"]["total"] == "3885.00"


ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def test_the_superbills_identifiers_and_codes_are_never_split_across_lines(
    api, march, front_desk, patient
):
    response = api(front_desk).get(f"/patients/{patient.id}/superbill", **MARCH)
    tokens = ["1234567893", "12-3456789", "1987654326", patient.mrn, "F33.2", "G2082", "99205"]
    assert split_across_lines(response.content, tokens) == []
    assert ISO_MOMENT.findall(pdf_text(response)) == []


def test_the_superbill_print_view_is_the_same_document_and_audited_like_the_pdf(
    web, march, front_desk, outsider, patient
):
    # given the number of times the record was opened so far
    viewed = AuditEvent.objects.filter(action="patient.viewed", patient=patient)
    before = viewed.count()
    period = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    # when the front desk opens the print view of March's superbill
    page = web(front_desk).get(f"/patients/{patient.id}/billing/superbill/", period)
    # then it is the superbill's document, linking to its PDF, and the view is audited
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Superbill</h1>" in html and "Itemized statement" in html
    assert "G2082" in html and "$3,408.50" in html
    assert f"/patients/{patient.id}/billing/superbill.pdf?" in html
    assert viewed.count() == before + 1
    # and another clinic does not find it
    url = f"/patients/{patient.id}/billing/superbill/"
    assert web(outsider).get(url, period).status_code == 404


def test_the_superbill_print_view_costs_the_same_queries_for_more_lines(
    web, march, front_desk, patient, django_assert_max_num_queries
):
    client = web(front_desk)
    url = f"/patients/{patient.id}/billing/superbill/"
    period = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    client.get(url, period)  # warm the session
    with django_assert_max_num_queries(60) as few:
        client.get(url, period)
    for day in range(12, 24):
        charges.add_charge(
            actor=front_desk,
            patient=patient,
            service="consultation",
            service_date=dt.date(2026, 3, day),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url, period)
    assert page.content.decode().count("2026-03-23") >= 1
