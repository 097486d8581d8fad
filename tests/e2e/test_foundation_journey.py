"""Front desk registers a patient, finds them, opens the chart; the auditor sees the view."""

import re

from playwright.sync_api import expect

from ketaclinic.core.permissions import Role
from tests.factories import make_clinic, make_user

from .conftest import open_nav


def test_front_desk_registers_finds_and_opens_a_patient_and_the_auditor_sees_it(
    page, new_page, login, screenshot
):
    # given a clinic with a front-desk user and an auditor
    clinic = make_clinic("Lakeside Clinic", "lakeside")
    desk = make_user(clinic, "desk", Role.FRONT_DESK, first_name="Fatima")
    auditor = make_user(clinic, "audit", Role.AUDITOR, first_name="Avery")

    # when the front desk registers a patient
    login(page, desk)
    screenshot(page, "home-front-desk")
    open_nav(page).get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Given name").fill("Marisol")
    page.get_by_label("Family name").fill("Quintero")
    page.get_by_label("Date of birth").fill("1988-04-02")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Phone", exact=True).fill("(555) 010-2020")
    page.get_by_label("Weight (kg)").fill("64.5")
    screenshot(page, "patient-register", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Quintero, Marisol")).to_be_visible()
    mrn = page.locator(".chart-header").inner_text()
    assert re.search(r"MRN\s+KC000001", mrn)

    # and finds them again by search (htmx live results)
    open_nav(page).get_by_role("link", name="Patients").click()
    page.get_by_label("Search patients").fill("quint")
    row = page.get_by_role("link", name="Quintero, Marisol")
    expect(row).to_be_visible()
    screenshot(page, "patient-search")
    row.click()
    expect(page.get_by_role("heading", name="Quintero, Marisol")).to_be_visible()
    screenshot(page, "patient-chart")

    # then the auditor sees the patient.viewed event by the front desk user
    audit_page = new_page()
    login(audit_page, auditor)
    open_nav(audit_page).get_by_role("link", name="Audit log").click()
    audit_page.get_by_label("Action").fill("patient.viewed")
    audit_page.get_by_role("button", name="Filter").click()
    rows = audit_page.locator("tbody tr")
    expect(rows.first).to_contain_text("patient.viewed")
    expect(rows.first).to_contain_text("desk")
    screenshot(audit_page, "audit-log")


def test_a_locked_out_user_sees_a_clear_message(page, transactional_db):
    clinic = make_clinic("Lakeside Clinic", "lakeside")
    user = make_user(clinic, "nurse1", Role.NURSE)
    for _ in range(5):
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("locked")
