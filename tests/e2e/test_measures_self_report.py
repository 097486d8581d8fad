"""Phone journey: staff send a PHQ-9 link, the patient answers item 9 = 1, a prescriber acts."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from ketaclinic.measures.models import SafetyAlert
from ketaclinic.measures.services import record_measure

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

PHQ9_ANSWERS = {"1": 2, "2": 2, "3": 1, "4": 2, "5": 1, "6": 1, "7": 1, "8": 0, "9": 1, "10": 1}


def test_a_self_reported_suicidal_thought_reaches_a_prescriber_who_acknowledges_it(
    page, new_page, login, screenshot, nurse, prescriber, patient
):
    # given a patient with five weekly PHQ-9s on file and a nurse on the Measures tab
    earlier = timezone.now() - timedelta(weeks=5)
    for week, total in enumerate([21, 18, 16, 13, 12]):
        answers = {str(n): min(3, max(0, total - 3 * (n - 1))) for n in range(1, 9)} | {"9": 0}
        record_measure(
            actor=nurse, patient=patient, instrument="phq9", answers=answers,
            administered_at=earlier + timedelta(weeks=week),
        )  # fmt: skip
    login(page, nurse)
    page.goto(f"/patients/{patient.id}/measures/")
    # when she creates a PHQ-9 link to show as a QR code
    page.get_by_role("checkbox", name="PHQ-9").check()
    page.get_by_role("radio", name="Link or QR code shown to staff").check()
    page.get_by_role("button", name="Create link").click()
    page.get_by_role("heading", name="Self-report link for PHQ-9").wait_for()
    link = page.locator("#self-report-url").input_value()
    screenshot(page, "measures-link-sent")

    # and the patient opens it on a phone, without logging in, and answers item 9 with 1
    phone = new_page(viewport=PHONE)
    phone.goto(urlparse(link).path)
    phone.get_by_role("heading", name="Your questionnaire").wait_for()
    assert phone.get_by_text("Thoughts that you would be better off dead").is_visible()
    for item, value in PHQ9_ANSWERS.items():
        phone.locator(f'input[name="phq9-{item}"][value="{value}"]').check()
    phone.evaluate("window.scrollTo(0, 0)")
    screenshot(phone, "measures-self-report-phone")
    phone.get_by_role("button", name="Send my answers").click()

    # then the patient sees thanks and crisis resources, not the score
    phone.get_by_role("heading", name="Thank you").wait_for()
    assert phone.get_by_text("988").first.is_visible()
    assert "moderately" not in phone.content()
    screenshot(phone, "measures-thanks-phone")

    # and the prescriber sees the open alert on the clinic list and acknowledges it
    doctor = new_page()
    login(doctor, prescriber)
    doctor.goto("/measures/alerts/")
    row = doctor.locator("tr", has_text=patient.family_name)
    assert "PHQ-9 item 9" in row.inner_text()
    screenshot(doctor, "measures-alerts")
    row.get_by_label("Action taken").fill("C-SSRS screener completed: low risk; safety plan made.")
    row.get_by_role("button", name="Acknowledge").click()
    doctor.get_by_text("Alert acknowledged").wait_for()
    assert doctor.get_by_text("No open safety alerts.").is_visible()
    alert = SafetyAlert.objects.get()
    assert (alert.status, alert.acknowledged_by_id) == ("acknowledged", prescriber.id)

    # and the chart shows the trajectory with the alert marked
    doctor.goto(f"/patients/{patient.id}/measures/")
    doctor.locator(".trajectory-panel svg").first.wait_for()
    screenshot(doctor, "measures-chart", full_page=True)


def test_a_used_link_shows_a_clear_page_on_the_phone(new_page, nurse, patient):
    from ketaclinic.measures.services import send_measure_request

    sent = send_measure_request(actor=nurse, patient=patient, instruments=["gad7"])
    phone = new_page(viewport=PHONE)
    phone.goto(urlparse(sent.url).path)
    for item in range(1, 8):
        phone.locator(f'input[name="gad7-{item}"][value="0"]').check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("heading", name="Thank you").wait_for()
    phone.goto(urlparse(sent.url).path)
    assert phone.get_by_role("heading", name="This link was already used").is_visible()
