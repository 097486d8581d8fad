"""Predicted concentrations on the session page: the order preview and the session overlay."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.audit.models import AuditEvent
from ketaclinic.inventory import services as ledger
from ketaclinic.pharmacokinetics import rules as pk
from ketaclinic.treatments import services
from tests.treatments.helpers import (
    ago,
    course_today,
    dosing_started,
    first_session,
    lot_location,
    pre_checked,
)

# Sessions dosed minutes ago, still today: the stories run in the afternoon of the clinic date.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]

ALDRETE = dict.fromkeys(
    ["activity", "respiration", "circulation", "consciousness", "oxygen_saturation"], 2
)


def _cmax(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"predicted Cmax <strong>(\d+) ng/mL", page)]


def lane_count(page: str, lane: str) -> int:
    """Observed events drawn in one lane of the session overlay (each names its lane)."""
    return len(re.findall(rf'aria-label="{re.escape(lane)}[ :][^"]*"[^>]*class="pk-event"', page))


def _preview_page(web, prescriber, nurse, patient, protocol, query=""):
    course = course_today(prescriber, nurse, patient, protocol)
    session = first_session(course)
    pre_checked(session, nurse)
    page = web(prescriber).get(f"/treatments/sessions/{session.id}/{query}")
    return session, page.content.decode()


def test_the_order_form_previews_the_planned_nasal_dose_against_a_second_one(
    web, prescriber, nurse, patient
):
    # when the prescriber previews 56 mg against 84 mg of esketamine
    _, page = _preview_page(
        web, prescriber, nurse, patient, "esketamine_trd", "?pk_dose=56&pk_compare=84"
    )

    # then two curves are drawn, labelled decision support, with the model's citation
    assert 'id="pk-preview"' in page
    assert "decision support" in page
    assert "Perez-Ruixo" in page
    assert page.count('class="pk-curve"') == 2
    assert "84 mg (compared)" in page
    low, high = _cmax(page)
    assert high > low > 0  # more drug, a higher predicted peak


def test_the_order_form_previews_an_infusion_with_the_clements_model(
    web, prescriber, nurse, patient
):
    _, page = _preview_page(
        web, prescriber, nurse, patient, "iv_ketamine", "?pk_dose=35&pk_duration=40"
    )

    assert "Clements" in page
    assert page.count('class="pk-curve"') == 1
    # 0.5 mg/kg over 40 min in a 70 kg adult: about 185 ng/mL at the end of the infusion
    (cmax,) = _cmax(page)
    assert 150 <= cmax <= 230


def test_an_infusion_preview_without_its_minutes_uses_the_protocols_time_not_a_bolus(
    web, prescriber, nurse, patient
):
    _, blank = _preview_page(
        web, prescriber, nurse, patient, "iv_ketamine", "?pk_dose=35&pk_duration="
    )
    # the protocol's 40 minutes: about 185 ng/mL at the end (as a bolus it would peak near 285)
    (cmax,) = _cmax(blank)
    assert 150 <= cmax <= 230


def test_an_infusion_preview_with_no_time_anywhere_asks_for_it():
    from types import SimpleNamespace

    from ketaclinic.treatments import pk_chart

    patient = SimpleNamespace(weight_kg=70, date_of_birth=dt.date(1980, 1, 1), sex="female")
    session = SimpleNamespace(patient=patient, weight_kg=70, scheduled_date=dt.date(2026, 12, 7))
    dose = SimpleNamespace(device_mg=None, rest_between_devices_min=None, default_duration_min=None)
    definition = SimpleNamespace(route="intravenous", dose=dose)
    chart, reason = pk_chart.preview(session, definition, dose_mg=35.0, duration_min=None)
    assert chart is None and reason == "Give the infusion time (minutes) to preview it."


def test_a_bad_preview_dose_names_the_field_and_draws_nothing(web, prescriber, nurse, patient):
    _, page = _preview_page(web, prescriber, nurse, patient, "esketamine_trd", "?pk_dose=-5")

    assert 'id="pk_dose_error"' in page
    assert 'class="pk-curve"' not in page


def test_the_front_desk_sees_no_prediction(web, prescriber, nurse, front_desk, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = first_session(course)
    pre_checked(session, nurse)

    page = web(front_desk).get(f"/treatments/sessions/{session.id}/").content.decode()

    assert 'id="pk"' not in page


def test_the_session_page_overlays_the_dose_as_given_with_what_was_observed(
    web, prescriber, nurse, patient
):
    # given a nasal session dosed 30 minutes ago, with vitals, a MOAA/S score and an alert
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)
    services.record_vitals(actor=nurse, session=session, systolic=130, diastolic=80)
    services.record_vitals(actor=nurse, session=session, systolic=186, diastolic=85)
    services.record_scale(actor=nurse, session=session, scale="moaas", score=4)

    page = web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()

    # then the predicted curve of the two devices given is drawn with the events beneath it
    assert 'id="pk-session"' in page
    assert "56 mg as given" in page
    assert lane_count(page, "Vitals") == 2
    assert lane_count(page, "MOAA/S") == 1
    assert lane_count(page, "Alerts") >= 1
    assert ">Now</text>" in page
    # and, with no threshold chosen by the clinic, no time below it is invented
    assert "The clinic has not set a plasma concentration threshold" in page


def test_the_session_page_query_count_does_not_grow_with_entries(
    web, prescriber, nurse, patient, django_assert_max_num_queries
):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=40)
    client = web(nurse)
    url = f"/treatments/sessions/{session.id}/"
    services.record_vitals(actor=nurse, session=session, systolic=130, diastolic=80)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for systolic in (131, 186, 132):
        services.record_vitals(actor=nurse, session=session, systolic=systolic, diastolic=80)
    services.record_scale(actor=nurse, session=session, scale="moaas", score=5)

    with django_assert_max_num_queries(len(one)):
        page = client.get(url).content.decode()

    assert lane_count(page, "Vitals") == 4


def test_an_administrator_sets_the_threshold_and_the_discharge_panel_predicts_the_time(
    web, prescriber, nurse, clinic_admin, patient
):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)
    url = f"/treatments/sessions/{session.id}/"

    # when the clinic administrator sets 50 ng/mL
    answer = web(clinic_admin).post("/treatments/settings/", {"pk_threshold_ng_per_ml": "50"})
    assert answer.status_code == 302

    # then the nurse sees when the prediction falls below it, as a clock time
    page = web(nurse).get(url).content.decode()
    assert "Predicted to fall below 50 ng/mL at <strong>" in page
    assert 'class="pk-threshold"' in page
    # and the change is audited with who set what
    event = AuditEvent.objects.get(action="clinic.pk_threshold_set")
    assert event.actor_id == clinic_admin.id
    assert event.changes["pk_threshold_ng_per_ml"]["to"] in ("50", 50, "50.0", 50.0)

    # when it is cleared, no time is predicted again
    web(clinic_admin).post("/treatments/settings/", {"pk_threshold_ng_per_ml": ""})
    assert "The clinic has not set" in web(nurse).get(url).content.decode()


def test_a_bad_threshold_is_refused_naming_the_field(web, clinic_admin):
    answer = web(clinic_admin).post("/treatments/settings/", {"pk_threshold_ng_per_ml": "-3"})

    assert answer.status_code == 422
    assert 'id="id_pk_threshold_ng_per_ml_error"' in answer.content.decode()
    assert not AuditEvent.objects.filter(action="clinic.pk_threshold_set").exists()


def test_only_administrators_set_the_threshold(web, prescriber, nurse):
    for user in (prescriber, nurse):
        assert (
            web(user).post("/treatments/settings/", {"pk_threshold_ng_per_ml": "50"}).status_code
            == 403
        )
    assert not AuditEvent.objects.filter(action="clinic.pk_threshold_set").exists()


def test_an_infusion_is_redrawn_over_the_minutes_it_ran(web, prescriber, nurse, patient):
    # given 0.5 mg/kg (35 mg for 70 kg) ordered over 40 minutes that ran for only 20
    course = course_today(prescriber, nurse, patient, "iv_ketamine")
    session = dosing_started(
        first_session(course),
        prescriber,
        nurse,
        minutes_ago=60,
        dose_mg_per_kg=Decimal("0.5"),
        weight_kg=Decimal("70"),
        duration_min=40,
    )
    services.end_infusion(actor=nurse, session=session, at=ago(40))

    page = web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()

    # then the curve peaks at 20 minutes, as the faster infusion predicts (not at 40)
    ran = pk.predict(
        "clements_1981",
        pk.Patient(weight_kg=70, age_years=40),
        [pk.Dose("iv", 35, start_min=0, duration_min=20)],
        until_min=120,
        step_min=1,
    )
    assert "Clements" in page
    assert "35 mg as given" in page
    assert f"at {round(ran.tmax)} min</li>" in page
    (cmax,) = _cmax(page)
    assert abs(cmax - ran.cmax) <= 2


def test_the_curve_uses_the_amount_the_ledger_recorded_as_given(web, prescriber, nurse, patient):
    # given 35 mg ordered and drawn, and 30 mg recorded as administered
    course = course_today(prescriber, nurse, patient, "iv_ketamine")
    session = dosing_started(
        first_session(course),
        prescriber,
        nurse,
        minutes_ago=30,
        dose_mg_per_kg=Decimal("0.5"),
        weight_kg=Decimal("70"),
        duration_min=40,
    )
    lot = session.order.lot
    ledger.draw_for_session(
        actor=nurse, session=session.pk, lot=lot, location=lot_location(lot), quantity="35"
    )
    ledger.administer(actor=nurse, session=session.pk, quantity="30")

    page = web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()

    assert "30 mg as given" in page
    assert "the 30" in page and "mg the ledger recorded as given" in page


def test_a_nasal_preview_not_in_whole_devices_says_why_and_draws_nothing(
    web, prescriber, nurse, patient
):
    _, page = _preview_page(
        web, prescriber, nurse, patient, "esketamine_trd", "?pk_dose=56&pk_compare=60"
    )

    assert "Compare with: the nasal spray is given in whole 28 mg devices" in page
    assert 'class="pk-curve"' not in page


def test_a_discharged_session_shows_the_discharge_on_the_curve(
    web, prescriber, nurse, clinic_admin, patient
):
    # given an esketamine session discharged after 125 minutes, the clinic's threshold 20 ng/mL
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=125)
    services.record_scale(actor=nurse, session=session, scale="moaas", score=5)
    services.record_scale(actor=nurse, session=session, scale="aldrete", items=ALDRETE)
    services.record_vitals(
        actor=nurse, session=session, systolic=132, diastolic=82, heart_rate=76, spo2=97
    )
    services.discharge(actor=nurse, session=session, escort_present=True)
    services.set_pk_threshold(actor=clinic_admin, threshold_ng_per_ml=Decimal("20"))

    page = web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()

    # then the discharge is a line on the time axis, no "Now", and the crossing time is given
    assert ">Discharged</text>" in page
    assert ">Now</text>" not in page
    assert "Predicted to fall below 20 ng/mL at <strong>" in page
