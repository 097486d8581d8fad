"""A nurse of two locations switches clinics in the header; the network compliance officer
reads every location's ledger status."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from ketaclinic.accounts.services import grant_membership
from ketaclinic.inventory import services as inventory_services
from tests.factories import add_course_facts, add_ketamine, make_clinic, make_user
from tests.treatments.helpers import registered

from .conftest import open_nav


def _night_receipt(clinic) -> None:
    """Stock received at 02:00 the night before, clinic time: a movement outside hours."""
    admin = make_user(clinic, f"ad_{clinic.slug}", "clinic_admin")
    nurse = make_user(clinic, f"rn_{clinic.slug}", "nurse", first_name="Night", last_name="Owl")
    vault = inventory_services.create_location(actor=admin, name="Vault", kind="safe")
    product = add_ketamine(admin)
    local = timezone.localdate(timezone.now(), clinic.tz)
    night = dt.datetime.combine(local - dt.timedelta(days=1), dt.time(2, 0), clinic.tz)
    inventory_services.receive_stock(
        actor=nurse,
        product=product,
        location=vault,
        lot_number="K9",
        expires_on=local + dt.timedelta(days=400),
        containers=1,
        supplier_name="Acme Pharma Distribution",
        supplier_address="1 Supply Way, Columbus, OH 43004",
        supplier_dea="RA0000000",
        invoice="INV-9",
        now=night,
    )


def test_a_nurse_switches_clinics_and_the_compliance_officer_sees_every_location(
    page, new_page, login, screenshot
):
    # given two locations of one organization, a patient at each, and a nurse of both
    lakeside = make_clinic("Lakeside Clinic", "lakeside", dea_registration_number="AL1234563")
    riverside = make_clinic("Riverside Clinic", "riverside", organization=lakeside.organization)
    registered(make_user(lakeside, "fd_lake", "front_desk"), "Jordan", "Rivera")
    registered(make_user(riverside, "fd_river", "front_desk"), "Casey", "Okoro")
    nurse = make_user(lakeside, "rn_jones", "nurse", first_name="Sam", last_name="Jones")
    grant_membership(actor=None, user=nurse, clinic=riverside, role="nurse")
    officer = make_user(lakeside, "net_comp", "network_compliance", first_name="Omar")
    _night_receipt(riverside)
    add_course_facts(lakeside, 30, responders=16, remitters=9, race="white")
    add_course_facts(lakeside, 18, responders=8, remitters=5, race="black")
    add_course_facts(lakeside, 14, responders=7, remitters=3, race="asian")
    add_course_facts(riverside, 15, responders=7, remitters=4, race="white")
    add_course_facts(riverside, 12, responders=5, remitters=2, race="black")
    add_course_facts(riverside, 4, responders=2, remitters=1, race="asian")

    # when the nurse signs in, she works at her home clinic
    login(page, nurse)
    page.goto("/patients/")
    expect(page.get_by_role("cell", name="Rivera")).to_be_visible()
    expect(page.get_by_label("Clinic")).to_have_value(str(lakeside.pk))
    screenshot(page, "network-clinic-switcher")
    # and when she switches to Riverside, every page is Riverside's
    page.get_by_label("Clinic").select_option(label="Riverside Clinic")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_text("You are now working at Riverside Clinic as Nurse.")).to_be_visible()
    page.goto("/patients/")
    expect(page.get_by_role("cell", name="Okoro")).to_be_visible()
    expect(page.get_by_role("cell", name="Rivera")).to_have_count(0)

    # the network compliance officer reads both locations' ledgers, and no patient
    officer_page = new_page()
    login(officer_page, officer)
    open_nav(officer_page).get_by_role("link", name="Network").click()
    officer_page.get_by_role("link", name="Ledger compliance").click()
    rows = officer_page.locator("#ledger-status tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Lakeside Clinic")
    expect(rows.first).to_contain_text("not verified")
    screenshot(officer_page, "network-compliance", full_page=True)
    # and each location's diversion signals: a receipt at Riverside at 02:00 is one
    officer_page.get_by_role("link", name="Diversion signals").click()
    river = officer_page.locator('#network-diversion tr[data-location="riverside"]')
    expect(river).to_contain_text("1")
    expect(officer_page.get_by_text("Night Owl")).to_be_visible()
    screenshot(officer_page, "network-diversion", full_page=True)
    # and outcomes by race at both locations, Riverside's 4 Asian patients' courses hidden
    officer_page.get_by_role("link", name="Equity by location").click()
    race = officer_page.locator('[data-dimension="race"]')
    expect(race.locator('tr[data-group="white"]')).to_contain_text("45")
    expect(race.locator('tr[data-group="asian"]')).to_contain_text("suppressed")
    screenshot(officer_page, "network-equity", full_page=False)
    officer_page.goto("/patients/")
    expect(officer_page.get_by_text("Your role may not")).to_be_visible()
