"""A nurse's controlled-substance day: receive, draw for a session, administer, waste with a
witness, and count at the end of the day."""

from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from ketaclinic.core.permissions import Role
from ketaclinic.inventory import queries, services
from ketaclinic.inventory.models import EntryType, LedgerEntry
from tests.factories import PASSWORD, add_ketamine, make_clinic, make_user

from .conftest import open_nav


def _todays_session(clinic, prescriber, front_desk):
    from ketaclinic.patients.services import register_patient
    from ketaclinic.protocols.services import ensure_version
    from ketaclinic.treatments.models import Course, TreatmentSession

    patient = register_patient(
        actor=front_desk,
        given_name="Marisol",
        family_name="Quintero",
        date_of_birth="1988-04-02",
        sex="female",
        address_line="12 Elm Street",
        city="Springfield",
    )
    today = timezone.localdate(timezone.now(), clinic.tz)
    version = ensure_version(clinic, "iv_ketamine")
    course = Course.objects.create(
        clinic=clinic,
        patient=patient,
        protocol_version=version,
        protocol_code="iv_ketamine",
        start_date=today,
        started_by=prescriber,
    )
    return TreatmentSession.objects.create(
        clinic=clinic,
        patient=patient,
        course=course,
        protocol_version=version,
        protocol_code="iv_ketamine",
        number=1,
        phase="induction",
        scheduled_date=today,
        status="checked_in",
        chair="2",
    )


def panel(page, heading: str):
    return page.locator("section", has=page.get_by_role("heading", name=heading))


def test_a_nurse_receives_draws_administers_wastes_with_a_witness_and_counts(
    page, login, screenshot
):
    # given a clinic with a safe, a ketamine product, two nurses and a session today
    clinic = make_clinic("Lakeside Clinic", "lakeside", dea_registration_number="AL1234563")
    admin = make_user(clinic, "admin", Role.CLINIC_ADMIN)
    prescriber = make_user(clinic, "drpatel", Role.PRESCRIBER, first_name="Asha")
    desk = make_user(clinic, "desk", Role.FRONT_DESK)
    nurse = make_user(clinic, "rnjones", Role.NURSE, first_name="Sam", last_name="Jones")
    witness = make_user(clinic, "rnokafor", Role.NURSE, first_name="Grace", last_name="Okafor")
    safe = services.create_location(actor=admin, name="Main safe")
    add_ketamine(admin)
    session = _todays_session(clinic, prescriber, desk)

    # when the nurse receives two vials into the safe
    login(page, nurse)
    open_nav(page).get_by_role("link", name="Drug ledger").click()
    page.get_by_role("link", name="Receive", exact=True).click()
    page.get_by_label("Product").select_option(index=1)
    page.get_by_label("Received into").select_option(label="Main safe")
    page.get_by_label("Lot number").fill("K2417")
    page.get_by_label("Expiry date").fill("2028-06-30")
    page.get_by_label("Containers received").fill("2")
    page.get_by_label("Supplier name").fill("Acme Pharma Distribution")
    page.get_by_label("Supplier address").fill("1 Supply Way, Columbus, OH 43004")
    page.get_by_label("Supplier DEA number").fill("RA0000000")
    screenshot(page, "inventory-receive", full_page=True)
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Received 2 container(s)")
    expect(page.locator("table")).to_contain_text("1000 mg (20.000 mL)")
    screenshot(page, "inventory-stock")

    # and draws 50 mg for the session
    page.get_by_role("link", name="Draw for a session").click()
    page.get_by_role("link", name="Drug record of Marisol Quintero").click()
    draw = panel(page, "Draw")
    draw.get_by_label("Lot").select_option(index=1)
    draw.get_by_label("From").select_option(label="Main safe")
    draw.get_by_label("Quantity").fill("50")
    draw.get_by_role("button", name="Record draw").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded draw of 50 mg")

    # and administers 36.5 mg
    give = panel(page, "Administer")
    give.get_by_label("Quantity").fill("36.5")
    give.get_by_role("button", name="Record administration").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded administration of 36.5 mg")

    # and wastes the remaining 13.5 mg, the second nurse typing their own password
    waste = panel(page, "Waste (witnessed)")
    waste.get_by_label("Quantity").fill("13.5")
    waste.get_by_label("Witness username").fill(witness.username)
    waste.get_by_label("Witness password").fill(PASSWORD)
    screenshot(page, "inventory-waste-witness", full_page=True)
    waste.get_by_role("button", name="Record waste").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded waste of 13.5 mg")
    expect(page.locator("#drug-record")).to_contain_text("0")
    expect(page.get_by_text("balances", exact=True)).to_be_visible()
    screenshot(page, "inventory-session", full_page=True)
    page.get_by_role("button", name="Close drug record").click()
    expect(page.get_by_role("status")).to_contain_text("Drug record closed")

    # and counts the safe at the end of the day
    page.get_by_role("link", name="Count", exact=True).click()
    page.get_by_label("Counted (mg) for lot K2417 at Main safe").fill("950")
    screenshot(page, "inventory-count")
    page.get_by_role("button", name="Record count").click()

    # then the end-of-day view shows nothing open, and the ledger holds every step
    expect(page.locator("#open-differences")).to_contain_text("No open differences")
    screenshot(page, "inventory-end-of-day", full_page=True)
    types = list(LedgerEntry.objects.order_by("sequence").values_list("entry_type", flat=True))
    assert types == [
        EntryType.RECEIPT,
        EntryType.DRAW,
        EntryType.ADMINISTRATION,
        EntryType.WASTE,
        EntryType.COUNT,
    ]
    assert LedgerEntry.objects.get(entry_type=EntryType.WASTE).witness == witness
    assert queries.session_drug_balance(session).closed
    assert queries.stock_balance(LedgerEntry.objects.first().lot_id, safe.pk) == Decimal("950")
    assert queries.verify_clinic_chain(clinic.pk).valid

    # and returns one vial to the supplier on the Distributions page
    page.get_by_role("link", name="Distributions").click()
    page.locator("#id_kind").select_option("supplier_return")
    page.locator("#id_lot").select_option(index=1)
    page.locator("#id_location").select_option(label="Main safe")
    page.get_by_label("Quantity").fill("500")
    page.get_by_label("Recipient registrant name").fill("Acme Pharma Distribution")
    page.get_by_label("Recipient address").fill("1 Supply Way, Columbus, OH 43004")
    page.get_by_label("Recipient DEA registration number").fill("RA0000000")
    screenshot(page, "inventory-distribution", full_page=True)
    page.get_by_role("button", name="Record distribution").click()
    expect(page.get_by_role("status")).to_contain_text("Acme Pharma Distribution (RA0000000)")
    assert queries.stock_balance(LedgerEntry.objects.first().lot_id, safe.pk) == Decimal("450")
    distribution = LedgerEntry.objects.get(entry_type=EntryType.DISTRIBUTION)
    assert distribution.data["recipient_dea"] == "RA0000000"
    assert queries.verify_clinic_chain(clinic.pk).valid
