"""The Measures tab: trajectories with bands, clinician entry, a query budget that does not grow."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketaclinic.measures.models import ClinicInstrumentText, InstrumentText, MeasureResponse
from ketaclinic.measures.services import record_measure

from .conftest import phq9

pytestmark = pytest.mark.django_db


def chart_url(patient):
    return reverse("measures:chart", kwargs={"patient_id": patient.id})


def test_the_tab_draws_each_instruments_trajectory_on_its_bands(web, nurse, patient, history):
    # given four weekly PHQ-9s
    history(patient, [21, 15, 9, 4])
    # when the nurse opens the Measures tab
    html = web(nurse).get(chart_url(patient)).content.decode()
    # then the PHQ-9 chart is drawn with its bands and thresholds, and the outcome is summarised
    assert html.count("<svg") >= 1
    for band in ("minimal 0-4", "moderately severe 15-19", "severe 20-27"):
        assert band in html
    assert "remission: below 5" in html
    assert "response: 50% below baseline 21" in html
    assert "Baseline</strong> 21" in html


def test_the_chart_query_count_does_not_grow_with_history(web, nurse, patient, history):
    client = web(nurse)
    history(patient, [20, 18])
    client.get(chart_url(patient))  # warm up sessions and caches
    with CaptureQueriesContext(connection) as short:
        assert client.get(chart_url(patient)).status_code == 200
    history(patient, [17, 15, 14, 12, 11, 9, 8, 8, 6, 5, 4, 4] * 3)
    record_measure(
        actor=nurse, patient=patient, instrument="gad7", answers={str(n): 1 for n in range(1, 8)}
    )
    record_measure(actor=nurse, patient=patient, instrument="phq9", answers=phq9(item9=1))
    with CaptureQueriesContext(connection) as long:
        assert client.get(chart_url(patient)).status_code == 200
    assert len(long.captured_queries) == len(short.captured_queries)


def test_a_clinician_records_a_phq9_through_the_form(web, nurse, patient):
    form = {f"phq9-{k}": str(v) for k, v in phq9(each=2).items()}
    response = web(nurse).post(
        reverse("measures:record", kwargs={"patient_id": patient.id, "instrument": "phq9"}), form
    )
    assert response.status_code == 302
    assert MeasureResponse.objects.get().total == 16


def test_an_incomplete_form_names_the_items_and_saves_nothing(web, nurse, patient):
    form = {f"phq9-{k}": str(v) for k, v in phq9().items() if k not in ("2", "9")}
    response = web(nurse).post(
        reverse("measures:record", kwargs={"patient_id": patient.id, "instrument": "phq9"}), form
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html and html.count("Missing") == 2
    assert not MeasureResponse.objects.exists()


def test_the_madrs_form_shows_item_names_until_the_clinic_loads_its_text(
    web, prescriber, patient, tmp_path
):
    url = reverse("measures:record", kwargs={"patient_id": patient.id, "instrument": "madrs"})
    before = web(prescriber).get(url).content.decode()
    assert "Item names only" in before and "apparent sadness" in before
    # when the clinic loads its licensed text
    path = tmp_path / "madrs.json"
    path.write_text(
        json.dumps(
            {
                "instrument": "madrs",
                "licence_note": "Licensed copy",
                "items": {
                    "1": {"text": "Licensed wording of item one", "options": {"0": "anchor zero"}}
                },
            }
        )
    )
    call_command("load_instrument_text", str(path))
    # then the form shows it
    after = web(prescriber).get(url).content.decode()
    assert "Licensed wording of item one" in after and "anchor zero" in after
    assert "Item names only" not in after


def test_loading_text_for_an_unknown_item_fails_clearly(tmp_path, db):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"instrument": "madrs", "items": {"11": {"text": "x"}}}))
    with pytest.raises(CommandError, match=r"items\.11"):
        call_command("load_instrument_text", str(path))
    assert not InstrumentText.objects.exists()


def test_loaded_text_can_be_limited_to_one_clinic(tmp_path, clinic, other_clinic):
    path = tmp_path / "cssrs.json"
    path.write_text(json.dumps({"instrument": "cssrs_screener", "items": {"1": {"text": "Q1"}}}))
    call_command("load_instrument_text", str(path), "--clinic", other_clinic.slug)
    assert ClinicInstrumentText.objects.get().clinic == other_clinic
    assert not InstrumentText.objects.exists()


def test_the_send_link_page_shows_the_link_once_with_a_qr_code(web, nurse, patient):
    response = web(nurse).post(
        reverse("measures:send", kwargs={"patient_id": patient.id}),
        {"instruments": ["phq9", "gad7"], "delivery": "link"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "/r/" in html and "<svg" in html and "PHQ-9, GAD-7" in html
    assert response["Cache-Control"] == "no-store"


def test_the_response_page_shows_each_answer(web, nurse, patient):
    response, _ = record_measure(actor=nurse, patient=patient, instrument="phq9", answers=phq9())
    page = web(nurse).get(
        reverse("measures:response", kwargs={"patient_id": patient.id, "response_id": response.id})
    )
    assert "Little interest or pleasure in doing things" in page.content.decode()


def test_a_clinic_admin_changes_madrs_remission_on_the_settings_page(web, clinic_admin):
    response = web(clinic_admin).post(
        reverse("measures:settings"),
        {"instrument": "madrs", "remission_operator": "<=", "remission_value": "12"},
    )
    assert response.status_code == 302
    page = web(clinic_admin).get(reverse("measures:settings")).content.decode()
    assert "at or below 12" in page
