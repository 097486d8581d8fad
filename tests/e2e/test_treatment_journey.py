"""Browser journey on a tablet: a whole esketamine session, check-in to discharge and REMS PDF."""

import datetime as dt
import io

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from ketaclinic.treatments.models import TreatmentSession
from tests.treatments.helpers import course_today, first_session, lot_in_stock

from .conftest import open_nav


def clinic_at_midday(clinic):
    """Put the clinic in a zone where it is about noon, so back-charted clock times stay today."""
    offset = 12 - timezone.now().astimezone(dt.UTC).hour
    clinic.time_zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"
    clinic.save()


def clock(minutes_ago: int, clinic) -> str:
    return (
        (timezone.now() - dt.timedelta(minutes=minutes_ago)).astimezone(clinic.tz).strftime("%H:%M")
    )


def test_a_whole_esketamine_session_on_a_tablet(
    page, new_page, login, screenshot, clinic, prescriber, nurse, nurse2, patient
):
    # given an eligible, consented patient whose esketamine course has a session today
    clinic_at_midday(clinic)
    clinic.phone = "(555) 010-0100"
    clinic.save()
    nurse.email = "sam.jones@example.org"
    nurse.save()
    patient.clinic.refresh_from_db()
    session = first_session(course_today(prescriber, nurse, patient, "esketamine_trd"))
    lot = lot_in_stock(clinic, "esketamine", lot_number="ESK-2231")
    t = lambda minutes: clock(minutes, clinic)  # noqa: E731

    # when the nurse opens the chair board and the patient's session
    login(page, nurse)
    open_nav(page).get_by_role("link", name="Chair board").click()
    expect(page.get_by_role("heading", name="Chair board")).to_be_visible()
    page.get_by_role("link", name="Rivera, Jordan").click()

    # check-in (charted as it happened, 150 minutes ago)
    checkin = page.locator("#check-in")
    checkin.get_by_label("Chair").fill("4")
    checkin.get_by_label("Arrived at").fill(t(150))
    checkin.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Checked in.")).to_be_visible()

    # pre-checks: fasting, escort, medications, measures, pre-dose vitals
    pre = page.locator("#pre-checks")
    pre.get_by_label("Last food at").fill(t(330))
    pre.get_by_label("Last liquids at").fill(t(190))
    pre.get_by_label("Escort / ride home confirmed").check()
    pre.get_by_label("Escort name").fill("Sam Rivera")
    pre.get_by_label("A prescriber is on site during administration and monitoring").check()
    pre.get_by_label("Patient enrolled in the SPRAVATO REMS (confirmed)").select_option("yes")
    pre.get_by_label("Concomitant medications reviewed").check()
    pre.get_by_label("Pre-session measures done").check()
    pre.get_by_label("Pregnancy test").select_option("not_applicable")
    pre.get_by_label("Systolic").fill("128")
    pre.get_by_label("Diastolic").fill("80")
    pre.get_by_label("Heart rate").fill("72")
    pre.get_by_label("SpO2 %").fill("98")
    pre.get_by_label("Respiratory rate").fill("14")
    pre.get_by_label("Pre-dose vitals measured at").fill(t(145))
    screenshot(page, "treatment-pre-checks", full_page=True)
    pre.get_by_role("button", name="Save pre-checks").click()
    expect(page.get_by_text("Pre-checks saved.")).to_be_visible()
    expect(page.locator('[aria-current="step"]')).to_have_text("Pre-checks done")

    # the prescriber signs the order on their own device
    doctor = new_page()
    login(doctor, prescriber)
    doctor.goto(f"/treatments/sessions/{session.id}/")
    order = doctor.locator("#order")
    expect(order.get_by_label("Dose (mg)")).to_have_value("56.0")
    expect(order.locator("#order-maximum")).to_contain_text("84 mg per session")
    order.get_by_role("button", name="Sign order").click()
    expect(doctor.get_by_text("Order signed.")).to_be_visible()

    # a second nurse confirms product, lot and calculation
    second = new_page()
    login(second, nurse2)
    second.goto(f"/treatments/sessions/{session.id}/")
    expect(second.locator("#order-details")).to_contain_text("56.0 mg = 2 devices of 28 mg")
    check = second.locator("#second-check")
    check.get_by_label("Product and lot (on hand in the ledger)").select_option(str(lot.pk))
    check.get_by_label("I re-checked the calculation").check()
    check.get_by_role("button", name="Record second check").click()
    expect(second.get_by_text("Second check recorded.")).to_be_visible()

    # the nurse gives the two devices, 5 minutes apart
    page.reload()
    page.locator("#start-dose").get_by_label("At").fill(t(140))
    page.get_by_role("button", name="First device given").click()
    expect(page.get_by_text("Dose started.")).to_be_visible()
    page.locator("#device").get_by_label("At").fill(t(135))
    page.get_by_role("button", name="Device 2 given").click()
    expect(page.locator('[aria-current="step"]')).to_have_text("Monitoring")

    # vitals at about 40 minutes: 182/96 raises a BP alert, impossible to miss
    vitals = page.locator("#vitals")
    vitals.get_by_label("Systolic").fill("182")
    vitals.get_by_label("Diastolic").fill("96")
    vitals.get_by_label("Heart rate").fill("88")
    vitals.get_by_label("Measured at").fill(t(97))
    vitals.get_by_role("button", name="Save vitals").click()
    alerts = page.locator(".open-alert")
    expect(alerts).to_have_count(2)  # hypertension, and the rise of 54 from the baseline
    expect(alerts.first).to_contain_text("ALERT: Hypertension: systolic BP 182 ≥ 180")
    expect(alerts.nth(1)).to_contain_text("BP rise from baseline")
    screenshot(page, "treatment-alert")

    # the chair board shows it too
    board = new_page()
    login(board, prescriber)
    board.goto("/treatments/board/")
    # (the banner counts the alerts and links to the chair; the alert itself is on the card)
    expect(board.get_by_role("alert")).to_contain_text("2 open alerts")
    expect(board.get_by_role("alert").get_by_role("link", name="Chair 4 · Rivera")).to_be_visible()
    expect(board.locator(".chair.alerting")).to_contain_text("Chair 4")
    expect(board.locator(".chair.alerting")).to_contain_text("Hypertension: systolic BP 182 ≥ 180")
    screenshot(board, "treatment-board")
    # (the board polls every few seconds; the test's SQLite live server serves one writer at a
    # time, so the board is closed while the nurse charts and opened again afterwards)
    board.close()

    # the nurse acknowledges each alert with the intervention
    for remaining in (1, 0):
        alert = page.locator(".open-alert").first
        alert.get_by_label("Intervention").select_option("rechecked")
        alert.get_by_label("Note").fill("Rechecked after 5 minutes of rest")
        alert.get_by_role("button", name="Acknowledge alert").click()
        expect(page.get_by_text("Alert acknowledged.")).to_be_visible()
        expect(page.locator(".open-alert")).to_have_count(remaining)
    # and the board no longer shows it
    board = new_page()
    login(board, prescriber)
    board.goto("/treatments/board/")
    expect(board.locator(".chair", has_text="Rivera, Jordan")).to_be_visible()
    expect(board.get_by_role("alert")).to_have_count(0)
    board.close()

    # recovery: BP back down, MOAA/S 5, modified Aldrete 10
    vitals = page.locator("#vitals")
    vitals.get_by_label("Systolic").fill("138")
    vitals.get_by_label("Diastolic").fill("84")
    vitals.get_by_label("Heart rate").fill("76")
    vitals.get_by_label("Measured at").fill(t(92))
    vitals.get_by_role("button", name="Save vitals").click()
    expect(page.get_by_text("Vitals recorded.")).to_be_visible()
    # the scales are folded while recording vitals is the step at hand
    page.locator("#scale summary").first.click()
    page.get_by_label("MOAA/S (0-5)").fill("5")
    page.locator("#scale").get_by_role("button", name="Save MOAA/S").click()
    expect(page.get_by_text("Entry recorded.")).to_be_visible()
    page.locator("#scale summary").first.click()
    for item in ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"):
        page.locator(f"#aldrete-{item}").fill("2")
    page.get_by_role("button", name="Save Aldrete").click()
    expect(page.get_by_text("Entry recorded.")).to_be_visible()
    vitals = page.locator("#vitals")
    # every clinical criterion met: the discharge is the open step, vitals one click away
    expect(page.locator("#discharge-ready")).to_be_visible()
    expect(vitals.get_by_label("Systolic")).to_be_hidden()
    vitals.locator("summary").first.click()
    vitals.get_by_label("Systolic").fill("130")
    vitals.get_by_label("Diastolic").fill("80")
    vitals.get_by_role("button", name="Save vitals").click()
    expect(page.locator("#discharge-ready")).to_be_visible()
    screenshot(page, "treatment-discharge", full_page=True)

    # discharge with the escort present
    discharge = page.locator("#discharge")
    discharge.get_by_label("Escort present").check()
    discharge.get_by_label("Pulse oximetry monitored during observation").select_option("yes")
    discharge.get_by_role("button", name="Discharge").click()
    expect(page.get_by_text("Discharged.")).to_be_visible()
    assert TreatmentSession.objects.get(pk=session.id).status == "discharged"

    # then the REMS form is complete and printable
    rems = page.locator("#rems")
    expect(rems).not_to_contain_text("Not yet filled")
    rems.scroll_into_view_if_needed()
    screenshot(page, "treatment-rems")
    href = rems.get_by_role("link", name="REMS form (PDF)").get_attribute("href")
    pdf = page.request.get(href)
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "Jordan Rivera" in text
    assert "ESK-2231" in text
    assert "182/96" in text
    assert "Pulse oximetry monitored during the observation period" in " ".join(text.split())
