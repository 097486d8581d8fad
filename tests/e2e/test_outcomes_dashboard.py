"""A prescriber opens the outcome dashboard and the equity view; both render with plots."""

from datetime import date

from playwright.sync_api import expect

from ketaclinic.accounts.models import User
from ketaclinic.core.permissions import Role
from ketaclinic_devtools.registry.seed import seed_registry
from tests.factories import PASSWORD, make_clinic, make_user

from .conftest import open_nav


def test_the_dashboard_and_equity_view_render_with_plots(page, new_page, login, screenshot):
    # given a synthetic registry of 150 patients
    seed_registry(patients=150, seed=11, as_of=date(2025, 6, 30), password=PASSWORD)
    prescriber = User.objects.get(username="reg1_prescriber1")

    # when the prescriber opens Outcomes from the navigation
    login(page, prescriber)
    open_nav(page).get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name="Outcomes", exact=True)).to_be_visible()

    # then the figures and every plot are drawn (server-side SVG)
    expect(page.locator('[data-kpi="response"]')).to_contain_text("%")
    for plot in ("plot-weekly", "plot-milestones", "plot-km", "plot-protocols"):
        svg = page.locator(f"#{plot} svg")
        expect(svg).to_be_visible()
        assert svg.bounding_box()["height"] > 100
        # drawn at its own size, never shrunk to the column: its 12 px text stays 12 px
        assert abs(svg.bounding_box()["width"] - float(svg.get_attribute("width"))) < 1
        label = svg.locator("text").first
        assert float(label.evaluate("t => getComputedStyle(t).fontSize").removesuffix("px")) >= 12
    expect(page.locator("#plot-km .km-curve").first).to_be_visible()
    expect(page.locator("#plot-weekly .bar").first).to_be_visible()
    screenshot(page, "outcomes-dashboard", full_page=True)

    # and filtering by protocol narrows the figures
    page.get_by_label("Protocol", exact=True).select_option("iv_ketamine")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="At a glance: IV racemic ketamine")).to_be_visible()
    expect(page.locator("#plot-protocols")).to_have_count(0)
    screenshot(page, "outcomes-dashboard-filtered")

    # when they switch to the equity view
    page.get_by_role("link", name="Equity view").click()
    expect(page.get_by_role("heading", name="Equity view")).to_be_visible()
    # then each dimension has its plot, and small groups show as suppressed
    for key in ("race", "ethnicity", "sex", "age_band", "payer_type", "income_band"):
        expect(page.locator(f"#plot-equity-{key} svg")).to_be_visible()
    expect(page.locator(".suppressed").first).to_be_visible()
    expect(page.locator("#plot-equity-race .suppressed").first).to_be_attached()
    screenshot(page, "outcomes-equity", full_page=True)


def test_front_desk_is_refused_the_dashboard(page, login):
    seed_registry(patients=5, seed=1, as_of=date(2025, 6, 30), password=PASSWORD)
    desk = User.objects.get(username="reg1_front_desk1")
    desk.set_password(PASSWORD)
    desk.save()
    login(page, desk)
    expect(page.get_by_role("link", name="Outcomes")).to_have_count(0)
    response = page.goto("/outcomes/")
    assert response.status == 403


def test_an_auditor_of_another_clinic_sees_an_empty_dashboard(page, login):
    seed_registry(patients=20, seed=2, as_of=date(2025, 6, 30), password=PASSWORD)
    other = make_clinic("Elsewhere", "elsewhere")
    auditor = make_user(other, "au_else", Role.AUDITOR)
    login(page, auditor)
    page.goto("/outcomes/")
    expect(page.locator('[data-kpi="patients"]')).to_have_text("0")
    expect(page.locator("#plot-weekly")).to_contain_text("No data for this selection")
