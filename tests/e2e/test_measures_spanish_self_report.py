"""Phone journey in Spanish: a patient who prefers Spanish answers the official Spanish PHQ-9 with
item 9 above 0, and the prescriber gets the same alert an English answer raises."""

from urllib.parse import urlparse

import pytest

from ketaclinic.measures import rules
from ketaclinic.measures.instruments import PHQ9
from ketaclinic.measures.models import MeasureResponse, SafetyAlert
from ketaclinic.measures.services import send_measure_request
from ketaclinic.patients.services import update_patient

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

PHQ9_ANSWERS = {"1": 2, "2": 2, "3": 1, "4": 2, "5": 1, "6": 1, "7": 1, "8": 0, "9": 2, "10": 1}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_spanish_speaker_answers_the_spanish_phq9_and_a_prescriber_is_alerted(
    new_page, login, screenshot, nurse, front_desk, prescriber, patient
):
    # given a patient whose preferred language is Spanish, sent a PHQ-9 link
    update_patient(actor=front_desk, patient=patient, preferred_language="es")
    sent = send_measure_request(actor=nurse, patient=patient, instruments=["phq9"])

    # when she opens it on her phone
    phone = new_page(viewport=PHONE)
    phone.goto(urlparse(sent.url).path)
    # then the questionnaire is the publisher's Spanish PHQ-9
    phone.get_by_role("heading", name="Su cuestionario").wait_for()
    assert phone.locator("html").get_attribute("lang") == "es"
    assert phone.get_by_text(
        "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias"
    ).is_visible()
    item9 = "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"
    assert phone.get_by_text(item9).is_visible()
    assert phone.get_by_text("Little interest or pleasure").count() == 0
    assert fits_the_screen(phone)
    screenshot(phone, "measures-self-report-spanish-phone")

    # when she answers every item, item 9 with "Más de la mitad de los días" (2), and sends
    for item, value in PHQ9_ANSWERS.items():
        phone.locator(f'input[name="phq9-{item}"][value="{value}"]').check()
    item9_group = phone.locator("fieldset", has_text=item9)
    assert item9_group.get_by_label("Más de la mitad de los días").is_checked()
    phone.get_by_role("button", name="Enviar mis respuestas").click()

    # then she is thanked in Spanish with crisis lines, never shown the score
    phone.get_by_role("heading", name="Gracias").wait_for()
    assert phone.get_by_text("Si necesita ayuda ahora").is_visible()
    assert phone.get_by_text("oprima 2").is_visible()
    assert "moderately" not in phone.content()

    # and the answers scored and alerted exactly as the same answers in English
    english = rules.score(PHQ9, PHQ9_ANSWERS)
    saved = MeasureResponse.objects.get()
    assert (saved.total, saved.severity) == (english.total, english.severity)
    alert = SafetyAlert.objects.get()
    assert [(alert.code, alert.message)] == [(a.code, a.message) for a in english.alerts]

    # and the prescriber sees the open alert on the clinic's list, in English as ever
    doctor = new_page()
    login(doctor, prescriber)
    doctor.goto("/measures/alerts/")
    row = doctor.locator("tr", has_text=patient.family_name)
    assert "PHQ-9 item 9" in row.inner_text()
    assert "answered 2" in row.inner_text()


def test_the_switch_on_the_page_changes_the_language_of_that_link(new_page, nurse, patient):
    # given an English-speaking patient's GAD-7 link
    sent = send_measure_request(actor=nurse, patient=patient, instruments=["gad7"])
    phone = new_page(viewport=PHONE)
    phone.goto(urlparse(sent.url).path)
    phone.get_by_role("heading", name="Your questionnaire").wait_for()
    # when they tap "Español"
    phone.get_by_role("link", name="Español").click()
    # then the GAD-7 is in Spanish, and "English" takes it back
    phone.get_by_role("heading", name="Su cuestionario").wait_for()
    item1 = "Sentirse nervioso/a, intranquilo/a o con los nervios de punta"
    assert phone.get_by_text(item1).is_visible()
    assert fits_the_screen(phone)
    phone.get_by_role("link", name="English").click()
    phone.get_by_role("heading", name="Your questionnaire").wait_for()
    assert phone.get_by_text("Feeling nervous, anxious or on edge").is_visible()
