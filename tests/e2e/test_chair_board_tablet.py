"""The chair board on the nurses' 1024x768 tablet: six chairs at a glance, no scrolling."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from ketaclinic.patients.services import register_patient
from ketaclinic.treatments import services
from ketaclinic.treatments.models import SessionAlert, TreatmentSession
from tests.treatments.helpers import course_today, dosing_started, first_session

from .conftest import PHONE, open_nav

WIDE = {"width": 1440, "height": 900}


def clinic_at_midday(clinic):
    """Put the clinic in a zone where it is about noon, so charted times stay today."""
    offset = 12 - timezone.now().astimezone(dt.UTC).hour
    clinic.time_zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"
    clinic.save()


def six_chairs(clinic, prescriber, nurse, front_desk) -> dict[str, dict]:
    """Six patients in monitoring (esketamine and IV), each with its own vitals after the dose;
    the patient in chair 2 has a BP of 186/85 (an alert). {family name: recorded vitals}."""
    clinic_at_midday(clinic)
    recorded = {}
    for n in range(6):
        family = f"Chairside{n + 1}"
        patient = register_patient(
            actor=front_desk,
            given_name="Pat",
            family_name=family,
            date_of_birth="1980-01-01",
            sex="female",
            weight_kg="70",
        )
        protocol = "iv_ketamine" if n % 2 else "esketamine_trd"
        session = dosing_started(
            first_session(course_today(prescriber, nurse, patient, protocol)),
            prescriber,
            nurse,
            minutes_ago=30 + 5 * n,
        )
        TreatmentSession.objects.filter(pk=session.pk).update(chair=str(n + 1))
        vitals = {
            "systolic": 186 if n == 1 else 121 + n,
            "diastolic": 85 if n == 1 else 71 + n,
            "heart_rate": 61 + n,
            "spo2": 94 + n % 5,
            "resp_rate": 12 + n,
        }
        services.record_vitals(
            actor=nurse,
            session=session,
            measured_at=timezone.now() - dt.timedelta(minutes=4),
            **vitals,
        )
        recorded[family] = vitals
    return recorded


def inside(box, viewport) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def test_six_chairs_fit_the_tablet_with_their_vitals_and_each_alert_once(
    page, new_page, login, screenshot, clinic, prescriber, nurse, front_desk
):
    # given six patients in chairs, each charted, one with a blood pressure alert
    recorded = six_chairs(clinic, prescriber, nurse, front_desk)
    alerts = list(SessionAlert.objects.values_list("message", flat=True))
    assert alerts  # 186/85 raises at least the hypertension alert

    # when the nurse opens the chair board on the 1024x768 tablet
    login(page, nurse)
    page.goto("/treatments/board/")
    cards = page.locator("ul.chairs > li.chair")
    expect(cards).to_have_count(6)

    # then all six cards are inside the screen, and the page need not scroll to show them
    viewport = page.viewport_size
    for i in range(6):
        box = cards.nth(i).bounding_box()
        assert inside(box, viewport), f"card {i + 1} at {box} is outside {viewport}"
    chairs_bottom = page.evaluate(
        "document.querySelector('ul.chairs').getBoundingClientRect().bottom + window.scrollY"
    )
    assert chairs_bottom <= page.evaluate("innerHeight")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    # and each card shows the BP, HR, SpO2 and RR that were recorded, with their age
    for family, v in recorded.items():
        card = cards.filter(has=page.get_by_role("link", name=re.compile(family)))
        expect(card.locator('[data-vital="bp"]')).to_contain_text(
            f"{v['systolic']}/{v['diastolic']}"
        )
        expect(card.locator('[data-vital="hr"]')).to_contain_text(str(v["heart_rate"]))
        expect(card.locator('[data-vital="spo2"]')).to_contain_text(str(v["spo2"]))
        expect(card.locator('[data-vital="rr"]')).to_contain_text(str(v["resp_rate"]))
        expect(card.locator('[data-vital="bp"]')).to_contain_text(re.compile(r"\d+ min ago"))
        expect(card).not_to_contain_text("_")  # no internal codes such as esketamine_trd

    # and the banner counts the alerts and names the chair, while each alert's text is shown
    # once, on its card
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text(f"{len(alerts)} open alert")
    expect(banner.get_by_role("link", name=re.compile("Chair 2"))).to_be_visible()
    text = page.locator("main").inner_text()
    for message in alerts:
        assert text.count(message) == 1, f"{message!r} shown {text.count(message)} times"
    expect(cards.filter(has_text="Chairside2")).to_contain_text(alerts[0])
    screenshot(page, "chair-board-tablet")

    # and at 1024 px the navigation is folded behind the Menu button, which opens it
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    nav_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients")
    expect(nav_link).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav_link).to_be_visible()
    # Escape closes it and gives the focus back to the button
    page.keyboard.press("Escape")
    expect(nav_link).to_be_hidden()
    expect(menu).to_be_focused()
    # the keyboard opens it too
    page.keyboard.press("Enter")
    expect(nav_link).to_be_visible()
    page.keyboard.press("Escape")

    # when the same board is opened on a wide screen, the navigation shows without a button
    wide = new_page(viewport=WIDE)
    login(wide, nurse)
    wide.goto("/treatments/board/")
    expect(
        wide.get_by_role("navigation", name="Main").get_by_role("link", name="Patients")
    ).to_be_visible()
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()

    # and on a phone the board does not scroll sideways
    phone = new_page(viewport=PHONE)
    login(phone, nurse)
    phone.goto("/treatments/board/")
    expect(phone.locator("ul.chairs > li.chair")).to_have_count(6)
    assert phone.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_link_of_the_folded_navigation_opens_its_page(page, login, nurse):
    # given the nurse on the chair board on the tablet, the navigation folded
    login(page, nurse)
    page.goto("/treatments/board/")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()

    # when she opens the menu and chooses Patients
    open_nav(page).get_by_role("link", name="Patients").click()

    # then the patient list opens, with the menu folded again
    expect(page.get_by_role("heading", name="Patients", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")
