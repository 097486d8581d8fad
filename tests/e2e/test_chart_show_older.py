"""A prescriber opens the Treatment tab of a long record and loads older sessions in place."""

from playwright.sync_api import expect

from ketaclinic.core.permissions import Role
from tests.chart_history import build_history
from tests.factories import make_clinic, make_user


def test_show_older_adds_the_previous_sessions_below_the_latest(page, login):
    clinic = make_clinic("Lakeside Clinic", "lakeside")
    users = {
        "prescriber": make_user(clinic, "drpatel", Role.PRESCRIBER),
        "nurse": make_user(clinic, "nurse", Role.NURSE),
        "front_desk": make_user(clinic, "desk", Role.FRONT_DESK),
    }
    patient = build_history(clinic, users, 45)
    login(page, users["prescriber"])
    tab = f"/patients/{patient.id}/treatment/"
    page.goto(tab)
    rows = page.locator('table[aria-labelledby="sessions-h"] tbody tr:not(.older-row)')
    expect(page.get_by_test_id("session-summary")).to_contain_text("45 sessions")
    expect(rows).to_have_count(20)
    expect(rows.first.locator("td").first).to_have_text("45")

    page.get_by_role("link", name="Show older").click()
    expect(rows).to_have_count(40)
    expect(rows.nth(20).locator("td").first).to_have_text("25")
    assert page.url.endswith(tab)  # loaded in place, the tab stays open

    page.get_by_role("link", name="Show older").click()
    expect(rows).to_have_count(45)
    expect(rows.last.locator("td").first).to_have_text("1")
    expect(page.get_by_role("link", name="Show older")).to_have_count(0)
