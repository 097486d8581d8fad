"""Course estimates and Good Faith Estimates: lines per phase, exact totals, the PDF, disputes."""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.billing import charges, services
from ketaclinic.billing.models import GoodFaithEstimate
from tests.billing.helpers import (
    complete,
    fee_schedule,
    local,
    session,
    sliding_scale,
    start_course,
)
from tests.pdf import pdf_text, split_across_lines

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def priced(clinic_admin):
    fee_schedule(clinic_admin)
    sliding_scale(clinic_admin)


def test_an_esketamine_trd_estimate_lists_each_phase_and_its_total_is_the_sum_of_its_lines(
    api, priced, prescriber, nurse, front_desk, patient
):
    # given an esketamine course planned from the label schedule
    course = start_course(prescriber, nurse, patient, "esketamine_trd")
    # when the front desk asks for its estimate
    response = api(front_desk).get(f"/courses/{course.id}/estimate")
    # then each phase's sessions and codes are listed
    assert response.status_code == 200
    body = response.json()
    assert [(p["phase"], p["sessions"]) for p in body["sessions_by_phase"]] == [
        ("induction", 8),
        ("optimization", 4),
        ("maintenance", 4),
    ]
    codes = [(line["phase"], line["code"], line["quantity"]) for line in body["lines"]]
    assert ("induction", "G2082", "8") in codes
    assert ("optimization", "G2082", "4") in codes
    assert ("maintenance", "G2082", "4") in codes
    # and the total equals the sum of the lines, exactly, as decimal strings
    assert D(body["total"]) == sum(D(line["total"]) for line in body["lines"])
    assert body["total"] == "14256.00"
    assert body["discount"] == "0.00"
    for line in body["lines"]:
        assert D(line["total"]) == (D(line["quantity"]) * D(line["unit_price"])).quantize(D("0.01"))


def test_an_iv_estimate_prices_the_first_hour_and_the_planned_milligrams(
    api, priced, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient, "iv_ketamine")
    body = api(front_desk).get(f"/courses/{course.id}/estimate").json()
    # 72.5 kg x 0.5 mg/kg = 36.2 mg (rounded down to 0.1 mg) for each of 6 infusions
    assert [(line["code"], line["quantity"], line["total"]) for line in body["lines"]] == [
        ("96365", "6", "2700.00"),
        ("", "217.2", "119.46"),
    ]
    assert body["total"] == "2819.46"


def test_a_sliding_scale_discount_shows_on_the_estimate_with_its_rule(
    api, priced, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient, "esketamine_trd")
    services.apply_sliding_scale(
        actor=front_desk,
        patient=patient,
        household_size=1,
        annual_income="15650",
        effective_from=dt.date(2025, 1, 1),
    )
    body = api(front_desk).get(f"/courses/{course.id}/estimate").json()
    # 75% off the 16 session fees ($4,800); the drug is not discountable in this schedule
    assert body["discount"] == "3600.00"
    assert D(body["total"]) == sum(D(line["total"]) for line in body["lines"]) - D("3600.00")
    assert "band at or below 100%: 75% discount" in body["discount_rule"]


def test_an_estimate_before_a_course_uses_the_protocol_schedule(api, priced, front_desk, patient):
    response = api(front_desk).get(
        f"/patients/{patient.id}/estimate", protocol="esketamine_mdsi", start_date="2027-01-04"
    )
    body = response.json()
    # 84 mg twice weekly for 4 weeks: G2083 and three devices each time
    assert [(line["code"], line["quantity"]) for line in body["lines"]] == [
        ("G2083", "8"),
        ("", "24"),
    ]


def test_without_a_fee_schedule_the_estimate_says_what_is_missing(
    api, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient)
    response = api(front_desk).get(f"/courses/{course.id}/estimate")
    assert response.status_code == 409
    assert "no fee schedule" in response.json()["detail"]


def test_an_issued_estimate_is_kept_audited_and_its_pdf_carries_the_required_fields(
    api, priced, clinic_admin, prescriber, nurse, front_desk, patient
):
    # given billing identifiers, a diagnosis and a course
    services.update_billing_settings(
        actor=clinic_admin, billing_npi="1234567893", tax_id="12-3456789"
    )
    prescriber.npi = "1987654326"
    prescriber.save()
    services.set_diagnosis(actor=prescriber, patient=patient, code="F33.2")
    course = start_course(prescriber, nurse, patient)
    # when the front desk issues the Good Faith Estimate
    response = api(front_desk).post(
        f"/patients/{patient.id}/estimates", {"course_id": str(course.id)}
    )
    assert response.status_code == 201
    estimate = GoodFaithEstimate.objects.get(pk=response.json()["id"])
    assert AuditEvent.objects.filter(action="billing.estimate_issued", object_id=str(estimate.id))
    # then its PDF names patient, clinic, identifiers, diagnosis, codes, quantities and total
    pdf = api(front_desk).get(f"/estimates/{estimate.id}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in (
        "Good Faith Estimate",
        "Jordan Rivera",
        "1984-03-12",
        "Lakeside Clinic",
        "1234567893",
        "12-3456789",
        "1987654326",
        "F33.2",
        "G2082",
        "$14,256.00",
        "$400 more",
        "not a contract",
    ):
        assert expected in text, expected


def test_an_issued_estimate_never_changes_when_prices_change(
    api, priced, clinic_admin, prescriber, nurse, front_desk, patient
):
    course = start_course(prescriber, nurse, patient)
    issued = services.issue_estimate(actor=front_desk, patient=patient, course=course)
    # when the clinic raises its prices from tomorrow
    fee_schedule(
        clinic_admin,
        effective_from=course.start_date + dt.timedelta(days=1),
        prices={"esketamine_session_up_to_56mg": ("G2082", "900.00", True)},
    )
    # then the issued estimate keeps its total
    issued.refresh_from_db()
    assert issued.total == D("14256.00")
    assert api(front_desk).get(f"/estimates/{issued.id}").json()["total"] == "14256.00"


def test_charges_400_or_more_above_the_issued_estimate_are_flagged_with_the_difference(
    api, clinic_admin, prescriber, nurse, front_desk, patient
):
    # given an issued estimate of the whole course at 56 mg ($14,256.00)
    fee_schedule(clinic_admin)
    course = start_course(prescriber, nurse, patient, "esketamine_trd")
    estimate = services.issue_estimate(actor=front_desk, patient=patient, course=course)
    # when two sessions at 84 mg are charged ($340 + 3 x $295.50 = $1,226.50 each)
    first = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 1, 5),
        dose_mg="84",
        devices=3,
    )
    second = complete(
        session(course, 2),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 1, 8),
        dose_mg="84",
        devices=3,
    )
    for s in (first, second):
        charges.charge_session(actor=front_desk, session=s)
    body = api(front_desk).get(f"/courses/{course.id}/estimate").json()
    dispute = body["dispute"]
    assert dispute["estimate_id"] == str(estimate.id)
    assert dispute["charged"] == "2453.00"
    assert dispute["exceeds"] is False
    # when further 84 mg sessions take the charges $400 past the estimate
    for number in range(3, 15):
        s = complete(
            session(course, number),
            prescriber,
            nurse,
            at=local(patient.clinic, 2026, 2, number),
            dose_mg="84",
            devices=3,
        )
        charges.charge_session(actor=front_desk, session=s)
    dispute = api(front_desk).get(f"/courses/{course.id}/estimate").json()["dispute"]
    # 14 x 1226.50 = 17171.00, estimate 14256.00: 2915.00 above
    assert dispute["charged"] == "17171.00"
    assert dispute["difference"] == "2915.00"
    assert dispute["exceeds"] is True


def test_the_estimates_pdf_and_print_view_keep_each_identifier_whole(
    api, web, priced, clinic_admin, prescriber, nurse, front_desk, outsider, patient
):
    # given an issued estimate with billing identifiers and a diagnosis
    services.update_billing_settings(
        actor=clinic_admin, billing_npi="1234567893", tax_id="12-3456789"
    )
    prescriber.npi = "1987654326"
    prescriber.save()
    services.set_diagnosis(actor=prescriber, patient=patient, code="F33.2")
    course = start_course(prescriber, nurse, patient)
    estimate = services.issue_estimate(actor=front_desk, patient=patient, course=course)
    # when the front desk prints it
    pdf = api(front_desk).get(f"/estimates/{estimate.id}/pdf")
    # then no identifier is broken over two lines: the estimate's id, NPIs, EIN, MRN, codes
    tokens = [str(estimate.id), "1234567893", "12-3456789", "1987654326", patient.mrn, "F33.2"]
    assert split_across_lines(pdf.content, [*tokens, "G2082"]) == []
    # and the print view is the same document, linking to the PDF, for the same readers
    page = web(front_desk).get(f"/billing/estimates/{estimate.id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Good Faith Estimate</h1>" in html and "not a contract" in html
    assert f"/billing/estimates/{estimate.id}.pdf" in html
    assert web(outsider).get(f"/billing/estimates/{estimate.id}/").status_code == 404
