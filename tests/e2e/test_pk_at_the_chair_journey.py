"""Browser journey: predicted concentrations at the chair.

The simulate API answers in the browser's session; the prescriber previews the dose being
ordered against a second dose; the nurse sees the dose as given redrawn with what was observed.
"""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from ketaclinic.treatments import services
from ketaclinic.treatments.models import TreatmentSession
from tests.treatments.helpers import course_today, first_session, ordered, pre_checked


def _ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def test_the_simulator_the_order_preview_and_the_session_overlay(
    clinic_hours, page, new_page, login, screenshot, prescriber, nurse, patient
):
    # given a pre-checked esketamine session
    session = first_session(course_today(prescriber, nurse, patient, "esketamine_trd"))
    pre_checked(session, nurse, minutes_ago=40)

    # the prescriber's browser calls the simulator
    login(page, prescriber)
    page.goto(f"/treatments/sessions/{session.id}/")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(
        "/api/v1/pk/simulate",
        headers={"X-CSRFToken": token, "Referer": page.url},
        data={
            "model": "clements_1981",
            "weight_kg": 70,
            "age_years": 40,
            "sex": "female",
            "doses": [{"route": "iv", "start_min": 0, "duration_min": 40, "mg": 35}],
            "until_min": 240,
            "step_min": 1,
        },
    )
    assert answer.status == 200, answer.text()
    body = answer.json()
    assert len(body["times_min"]) == 241
    assert 150 < body["cmax_ng_per_ml"] < 230

    # the order form previews the planned 56 mg, then compares it with 84 mg
    preview = page.locator("#pk-preview")
    expect(preview.locator("path.pk-curve")).to_have_count(1)
    expect(preview.locator(".pk-citation")).to_contain_text("Perez-Ruixo")
    expect(page.locator("#pk").get_by_text("decision support").first).to_be_visible()
    page.get_by_label("Compare with (mg)").fill("84")
    page.locator("#pk-preview-form").get_by_role("button", name="Preview").click()
    expect(page.locator("#pk-preview path.pk-curve")).to_have_count(2)
    figures = page.locator("#pk-preview .pk-figures li")
    expect(figures).to_have_count(2)
    expect(figures.nth(1)).to_contain_text("84 mg (compared): predicted Cmax")
    screenshot(page, "pk-order-preview", full_page=True)

    # given the order signed, checked and given 30 minutes ago, with vitals and a MOAA/S score
    ordered(TreatmentSession.objects.get(pk=session.pk), prescriber, nurse)
    row = services.start_dose(actor=nurse, session=session, at=_ago(30))
    services.record_device(actor=nurse, session=row, at=_ago(25))
    services.record_vitals(actor=nurse, session=row, systolic=132, diastolic=82)
    services.record_scale(actor=nurse, session=row, scale="moaas", score=4)

    # the nurse sees the predicted curve of the dose as given with the events beneath it
    chair = new_page()
    login(chair, nurse)
    chair.goto(f"/treatments/sessions/{session.id}/")
    overlay = chair.locator("#pk-session")
    expect(overlay.locator("svg.pk-chart")).to_be_visible()
    expect(overlay.locator("path.pk-curve")).to_have_count(1)
    expect(overlay.locator('.pk-event[aria-label^="Vitals"]')).to_have_count(1)
    expect(overlay.locator('.pk-event[aria-label^="MOAA/S"]')).to_have_count(1)
    expect(overlay.locator(".pk-figures li")).to_contain_text("56 mg as given: predicted Cmax")
    expect(chair.locator("#pk-threshold-unset")).to_be_visible()
    screenshot(chair, "pk-session-overlay", full_page=True)
