"""Home is today's work: each demo role signs in on a tablet and sees its own sections, with
the same counts beside the navigation links; the front desk checks a patient in from there."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# What each demo role is expected to find on its home page (the demo's story).
SECTIONS = {
    "nurse": {"Today's schedule", "Open safety alerts", "REMS forms due and overdue"},
    "prescriber": {"Open safety alerts", "Intake: referrals waiting and trials to confirm"},
    "frontdesk": {"Today's schedule", "Authorizations to act on"},
    "auditor": {"REMS forms due and overdue"},
}
# Sections whose count also shows beside a navigation link.
NAV_OF = {
    "Open safety alerts": "measures-alerts",
    "REMS forms due and overdue": "treatments-rems-due",
    "Self-report measures due": "measures-due",
    "Intake: referrals waiting and trials to confirm": "intake-waiting-list",
    "Authorizations to act on": "authorizations-work-queue",
}


def shown_sections(page) -> dict[str, int]:
    titles = page.locator("#work-queue h2").all_inner_texts()
    counts = {}
    for title in titles:
        name, count = re.match(r"(.*) \((\d+)", title).groups()
        counts[name] = int(count)
    return counts


def test_each_role_sees_its_work_with_counts_in_the_navigation(demo, sign_in, new_page, screenshot):
    for username, expected in SECTIONS.items():
        page = new_page()
        sign_in(page, username, demo)
        page.goto("/")
        sections = shown_sections(page)
        assert expected <= set(sections), (username, sections)
        # each section's count also shows beside its navigation link, once the page has loaded
        for title, count in sections.items():
            if title in NAV_OF:
                badge = page.locator(f"#nav-count-{NAV_OF[title]}")
                expect(badge).to_have_text(re.compile(rf"^{count}\b"))
        if username == "nurse":
            screenshot(page, "home-nurse")
        page.context.close()


def test_the_front_desk_checks_a_patient_in_from_the_schedule(demo, sign_in, new_page):
    page = new_page()
    sign_in(page, "frontdesk", demo)
    page.goto("/")
    schedule = page.locator("#work-schedule")
    row = schedule.locator("li", has=page.get_by_role("button", name="Check in")).first
    name = row.locator("a").inner_text().split(" · ")[-1]
    row.get_by_role("button", name="Check in").click()
    expect(page.locator(".messages")).to_contain_text(f"{name} checked in.")
    expect(
        schedule.locator("li", has_text=name).get_by_role("button", name="Check in")
    ).to_have_count(0)
    expect(schedule.locator("li", has_text=name)).to_contain_text("Checked in")
