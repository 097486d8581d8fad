"""Front desk records a transport barrier; the patient shows on the at-risk list with what
to do; the waiting list puts clinical priority first."""

import datetime as dt

from playwright.sync_api import expect

from ketaclinic.core.permissions import Role
from tests.access.helpers import CSSRS_HIGH, person, referred, scale
from tests.billing.helpers import start_course
from tests.factories import make_clinic, make_user

from .conftest import open_nav


def test_front_desk_records_a_barrier_and_sees_who_is_at_risk_and_who_waits_first(
    page, login, screenshot
):
    # given a patient in a course, and two referred patients (one high risk, waiting less)
    clinic = make_clinic("Lakeside Clinic", "lakeside")
    prescriber = make_user(clinic, "drpatel", Role.PRESCRIBER, first_name="Asha")
    nurse = make_user(clinic, "nurse", Role.NURSE, first_name="Sam")
    desk = make_user(clinic, "desk", Role.FRONT_DESK, first_name="Kim", last_name="Lee")
    patient = person(desk, "Marisol", "Quintero")
    start_course(prescriber, nurse, patient)
    waited = person(desk, "Lou", "Long")
    urgent = person(desk, "Hana", "Urgent")
    today = clinic.today()
    referred(desk, waited, 90, today)
    referred(desk, urgent, 3, today)
    scale(nurse, urgent, "cssrs_screener", CSSRS_HIGH)

    # when the front desk records that the patient has no ride
    login(page, desk)
    page.goto(f"/patients/{patient.id}/")
    page.get_by_role("link", name="Access").last.click()
    page.get_by_role("combobox", name="Barrier").select_option("transport")
    page.get_by_label("Detail").fill("No driver on weekdays")
    page.get_by_role("button", name="Record barrier").click()
    expect(page.get_by_text("Barrier recorded: Transport or escort needed.")).to_be_visible()
    screenshot(page, "access-barriers", full_page=True)

    # then the at-risk list shows the patient with the action to take
    open_nav(page).get_by_role("link", name="Access").click()
    page.get_by_role("link", name="At risk of dropping out").click()
    row = page.get_by_role("row", name="Quintero, Marisol")
    expect(row).to_contain_text("Arrange transport or an escort")
    screenshot(page, "access-at-risk")

    # and the waiting list puts the high-risk patient first, without showing why to the desk
    page.get_by_role("link", name="Waiting list by priority").click()
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Urgent, Hana")
    expect(rows.nth(0)).to_contain_text("Urgent")
    expect(rows.nth(0)).not_to_contain_text("C-SSRS")
    expect(rows.nth(1)).to_contain_text("Long, Lou")
    expect(rows.nth(1)).to_contain_text(str((today - (today - dt.timedelta(days=90))).days))
    screenshot(page, "access-waiting-list")
