"""Front desk opens a patient's Good Faith Estimate PDF, records a payment, applies the
sliding scale, and the balance follows."""

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from ketaclinic.billing import charges
from ketaclinic.core.permissions import Role
from tests.billing.helpers import (
    complete,
    fee_schedule,
    local,
    session,
    sliding_scale,
    start_course,
)
from tests.factories import make_clinic, make_user


def test_front_desk_issues_an_estimate_records_a_payment_and_applies_the_sliding_scale(
    page, login, screenshot
):
    # given a patient in an esketamine course with one completed, charged session ($891.00)
    from ketaclinic.patients.services import register_patient

    clinic = make_clinic("Lakeside Clinic", "lakeside")
    admin = make_user(clinic, "admin", Role.CLINIC_ADMIN)
    prescriber = make_user(
        clinic,
        "drpatel",
        Role.PRESCRIBER,
        first_name="Asha",
        last_name="Patel",
        credentials="MD",
        npi="1987654326",
    )
    nurse = make_user(clinic, "nurse", Role.NURSE, first_name="Sam", last_name="Jones")
    desk = make_user(clinic, "desk", Role.FRONT_DESK, first_name="Kim", last_name="Lee")
    patient = register_patient(
        actor=desk,
        given_name="Marisol",
        family_name="Quintero",
        date_of_birth="1988-04-02",
        sex="female",
        payer_type="self_pay",
    )
    fee_schedule(admin)
    sliding_scale(admin)
    course = start_course(prescriber, nurse, patient)
    done = complete(
        session(course, 1), prescriber, nurse, at=local(clinic, 2026, 3, 2), dose_mg="56", devices=2
    )
    charges.charge_session(actor=desk, session=done)

    # when the front desk opens the patient's Billing tab
    login(page, desk)
    page.goto(f"/patients/{patient.id}/")
    page.get_by_role("link", name="Billing").last.click()
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    expect(page.get_by_test_id("balance")).to_have_text("$891.00")
    expect(page.get_by_test_id("estimate-total")).to_have_text("$14,256.00")
    screenshot(page, "billing-tab", full_page=True)

    # and issues the Good Faith Estimate, then opens its PDF
    page.get_by_role("button", name="Issue Good Faith Estimate").click()
    expect(page.get_by_text("Good Faith Estimate issued: $14,256.00")).to_be_visible()
    link = page.get_by_role("link", name="$14,256.00")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Good Faith Estimate" in text and "Marisol Quintero" in text and "G2082" in text

    # and records a $200 card payment
    page.get_by_label("Amount ($)").fill("200.00")
    page.get_by_label("Method").select_option("card")
    page.get_by_label("Reference").fill("4242")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text("Payment of $200.00 recorded.")).to_be_visible()
    expect(page.get_by_test_id("balance")).to_have_text("$691.00")

    # and applies the sliding scale from March (household of 1, $15,000: 75% off the $300 fee)
    page.get_by_text("Apply the sliding scale", exact=True).first.click()
    page.get_by_label("People in the household").fill("1")
    page.get_by_label("Household income per year ($)").fill("15000")
    page.get_by_label("Applies from").fill("2026-03-01")
    page.get_by_label("Documentation").fill("Tax return seen")
    screenshot(page, "billing-sliding-scale")
    page.get_by_role("button", name="Apply the sliding scale").click()

    # then the discount and who approved it show, and the balance drops by $225.00
    expect(page.get_by_text("Sliding scale applied: 75% discount.")).to_be_visible()
    expect(page.get_by_text("approved by Kim Lee")).to_be_visible()
    expect(page.get_by_test_id("balance")).to_have_text("$466.00")
    screenshot(page, "billing-after-payment", full_page=True)
