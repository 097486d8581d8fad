"""Browser journey: the session page is built around the flowsheet.

A nurse at the chair (tablet, 1024x768) sees the vital signs' trend chart without scrolling,
keeps the patient, protocol, dose and latest vitals in view while scrolling, and finds only the
current step's form open; on a phone the header wraps without a sideways scroll.
"""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from ketaclinic.treatments import services
from tests.e2e.conftest import PHONE
from tests.treatments.helpers import course_today, dosing_started, first_session

READINGS = (
    (50, 132, 82, 76, 98),
    (35, 138, 84, 80, 97),
    (20, 134, 83, 78, 98),
    (5, 131, 80, 74, 99),
)


def _monitored_session(prescriber, nurse, patient):
    """An esketamine session in monitoring, dosed an hour ago, with several vitals entries."""
    session = dosing_started(
        first_session(course_today(prescriber, nurse, patient)), prescriber, nurse, minutes_ago=60
    )
    for minutes, systolic, diastolic, heart_rate, spo2 in READINGS:
        services.record_vitals(
            actor=nurse,
            session=session,
            systolic=systolic,
            diastolic=diastolic,
            heart_rate=heart_rate,
            spo2=spo2,
            resp_rate=14,
            measured_at=timezone.now() - dt.timedelta(minutes=minutes),
        )
    return session


def test_the_trend_chart_is_in_view_and_the_header_stays_while_scrolling(
    clinic_hours, page, new_page, login, screenshot, prescriber, nurse, patient
):
    session = _monitored_session(prescriber, nurse, patient)
    login(page, nurse)
    page.goto(f"/treatments/sessions/{session.id}/")

    # the trend chart is drawn and fully visible without scrolling
    chart = page.locator("#vitals-trend svg[role='img']")
    expect(chart).to_have_attribute(
        "aria-labelledby", f"vitals-{session.id}-t vitals-{session.id}-d"
    )
    assert page.evaluate("window.scrollY") == 0
    box = chart.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    # its points carry their values for hover and keyboard focus
    expect(chart.locator("[tabindex='0']").first).to_have_attribute(
        "aria-label", re.compile(r"\d\d:\d\d: Systolic BP 1\d\d")
    )
    screenshot(page, "session-flowsheet")

    # the header names the protocol and shows the latest blood pressure
    header = page.locator("#session-header")
    expect(header).to_contain_text("Esketamine nasal spray")
    expect(header).not_to_contain_text("esketamine_trd")
    expect(header.locator("[data-vital='bp']")).to_contain_text("131/80")
    expect(header.locator("#header-lot")).to_contain_text("ESK-1")

    # only the current step (recording vitals) is open
    open_steps = page.locator("details.step-fold[open]")
    expect(open_steps).to_have_count(1)
    expect(page.locator("#vitals details.step-fold")).to_have_attribute("open", "")
    expect(page.locator("#vitals").get_by_label("Systolic")).to_be_visible()
    expect(page.locator("#discharge").get_by_role("button", name="Discharge")).to_be_hidden()

    # scrolled to the bottom, the header is still on screen
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("window.scrollY > 0")
    top = header.bounding_box()
    assert top is not None and top["y"] >= 0 and top["y"] + top["height"] <= 768, top
    expect(header.locator("[data-vital='bp']")).to_be_in_viewport()

    # on a phone the header wraps: the page does not scroll sideways
    phone = new_page(viewport=PHONE)
    login(phone, nurse)
    phone.goto(f"/treatments/sessions/{session.id}/")
    expect(phone.locator("#session-header")).to_contain_text("131/80")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
