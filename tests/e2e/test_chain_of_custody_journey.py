"""Browser journey on a tablet: the signed order drives the ledger. The nurse picks the lot
from the ledger, draws for the order, gives less than she drew, cannot close the drug record
until the rest is wasted with a witness's credential; at close the REMS form carries the
ledger's lot and dose, and the session is charged."""

import datetime as dt
import io

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from ketaclinic.billing.models import Charge
from ketaclinic.inventory import queries as ledger_queries
from ketaclinic.inventory.models import EntryType, LedgerEntry
from ketaclinic.treatments import services
from tests.billing.helpers import fee_schedule
from tests.factories import PASSWORD
from tests.treatments.helpers import (
    ALDRETE_10,
    course_today,
    first_session,
    lot_in_stock,
    pre_checked,
)


def clinic_at_midday(clinic):
    """Put the clinic in a zone where it is about noon, so back-charted times stay today."""
    offset = 12 - timezone.now().astimezone(dt.UTC).hour
    clinic.time_zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"
    clinic.save()


def ago(minutes):
    return timezone.now() - dt.timedelta(minutes=minutes)


def panel(page, heading: str):
    return page.locator("section", has=page.get_by_role("heading", name=heading))


def test_the_order_drives_the_ledger_from_lot_to_charge(
    page, new_page, login, screenshot, clinic, clinic_admin, prescriber, nurse, nurse2, patient
):
    # given a priced clinic, esketamine lot ESK-3107 on hand, and a pre-checked session with
    # a signed order of 56 mg (two devices)
    clinic_at_midday(clinic)
    patient.clinic.refresh_from_db()
    fee_schedule(clinic_admin)
    lot = lot_in_stock(clinic, "esketamine", lot_number="ESK-3107")
    session = first_session(course_today(prescriber, nurse, patient, "esketamine_trd"))
    pre_checked(session, nurse, minutes_ago=140)
    services.sign_order(actor=prescriber, session=session, dose_mg=56, at=ago(150))

    # when the second nurse picks the lot from the ledger's list at the second check
    second = new_page()
    login(second, nurse2)
    second.goto(f"/treatments/sessions/{session.id}/")
    check = second.locator("#second-check")
    choice = check.get_by_label("Product and lot (on hand in the ledger)")
    expect(choice.locator("option", has_text="lot ESK-3107")).to_have_count(1)
    choice.select_option(str(lot.pk))
    check.get_by_label("I re-checked the calculation").check()
    check.get_by_role("button", name="Record second check").click()
    expect(second.get_by_text("Second check recorded.")).to_be_visible()
    expect(second.locator("#order-details")).to_contain_text("lot ESK-3107")
    second.close()

    # and the nurse draws for the order: the order's lot and amount are offered; one device
    # misfires, so she draws a third and must say why
    login(page, nurse)
    page.goto(f"/ledger/sessions/{session.id}/")
    draw = panel(page, "Draw")
    expect(draw.get_by_label("Quantity")).to_have_value("2")
    expect(draw.get_by_label("Lot")).to_have_value(str(lot.pk))
    draw.get_by_label("From").select_option(index=1)
    draw.get_by_label("Quantity").fill("3")
    draw.get_by_role("button", name="Record draw").click()
    expect(page.get_by_text("required for a draw above the ordered amount")).to_be_visible()
    draw = panel(page, "Draw")
    draw.get_by_label("From").select_option(index=1)
    draw.get_by_label("Quantity").fill("3")
    draw.get_by_label("Reason").fill("Device 1 misfired: it did not spray")
    draw.get_by_role("button", name="Record draw").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded draw of 3 device")

    # the two devices are given (charted on the session, 140 and 135 minutes ago)
    services.start_dose(actor=nurse, session=session, at=ago(140))
    services.record_device(actor=nurse, session=session, at=ago(135))

    # she records the administration of two devices: less than she drew
    give = panel(page, "Administer")
    give.get_by_label("Quantity").fill("2")
    give.get_by_role("button", name="Record administration").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded administration of 2 device")

    # then the drug record cannot close while one device is not accounted for
    page.get_by_role("button", name="Close drug record").click()
    expect(page.get_by_text("does not balance")).to_be_visible()
    assert not ledger_queries.session_drug_balance(session.pk).closed

    # until the misfired device is wasted, the second nurse typing her own password
    waste = panel(page, "Waste (witnessed)")
    waste.get_by_label("Quantity").fill("1")
    waste.get_by_label("Witness username").fill(nurse2.username)
    waste.get_by_label("Witness password").fill(PASSWORD)
    waste.get_by_role("button", name="Record waste").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded waste of 1 device")
    page.get_by_role("button", name="Close drug record").click()
    expect(page.get_by_role("status")).to_contain_text("Drug record closed")
    screenshot(page, "chain-session-closed", full_page=True)

    # recovery charted, then the patient is discharged
    calm = {"heart_rate": 76, "spo2": 97, "resp_rate": 14}
    services.record_vitals(
        actor=nurse, session=session, systolic=136, diastolic=84, measured_at=ago(95), **calm
    )
    services.record_scale(actor=nurse, session=session, scale="moaas", score=5, measured_at=ago(20))
    services.record_scale(
        actor=nurse, session=session, scale="aldrete", items=ALDRETE_10, measured_at=ago(19)
    )
    services.record_vitals(
        actor=nurse, session=session, systolic=128, diastolic=80, measured_at=ago(2), **calm
    )
    page.goto(f"/treatments/sessions/{session.id}/")
    discharge = page.locator("#discharge")
    discharge.get_by_label("Escort present").check()
    discharge.get_by_label("Pulse oximetry monitored during observation").select_option("yes")
    discharge.get_by_role("button", name="Discharge").click()
    expect(page.get_by_text("Discharged.")).to_be_visible()

    # the REMS form carries the ledger's lot and dose
    href = page.locator("#rems").get_by_role("link", name="REMS form (PDF)").get_attribute("href")
    text = " ".join(
        PdfReader(io.BytesIO(page.request.get(href).body())).pages[0].extract_text().split()
    )
    assert "ESK-3107" in text
    assert "56 mg" in text
    # and the session is charged (automatic at discharge, the clinic's default)
    codes = sorted(c.code for c in Charge.objects.filter(session_id=session.id))
    assert codes == ["", "G2082"]
    # and the ledger holds the whole chain, the over-draw kept with its reason
    types = list(
        LedgerEntry.objects.filter(session_id=session.id)
        .order_by("sequence")
        .values_list("entry_type", flat=True)
    )
    assert types == [EntryType.DRAW, EntryType.ADMINISTRATION, EntryType.WASTE]
    assert ledger_queries.verify_clinic_chain(clinic.pk).valid
