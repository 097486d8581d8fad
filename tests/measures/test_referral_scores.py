"""A referral's PHQ-9 total: on the trajectory "from referral", never a baseline until confirmed.

Dates are explicit and computed from the clinic's local date, so the tests pass at any hour.
"""

import datetime as dt
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput
from ketaclinic.measures import queries
from ketaclinic.measures.models import MeasureResponse, SafetyAlert
from ketaclinic.measures.services import (
    confirm_referral_score,
    record_measure,
    record_referral_score,
)

from .conftest import phq9_total

pytestmark = pytest.mark.django_db

ORGANISATION = "Riverside Family Practice"


def local_today(clinic):
    return timezone.localdate(timezone.now(), clinic.tz)


@pytest.fixture
def referral_score(nurse, patient):
    """A PHQ-9 of 24 taken by the referring practice 20 days ago (clinic calendar)."""
    return record_referral_score(
        actor=nurse,
        patient=patient,
        total=24,
        observed_on=local_today(patient.clinic) - timedelta(days=20),
        organisation=ORGANISATION,
        referral_ref="REF-2026-0042",
    )


@pytest.fixture
def clinic_scores(nurse, patient):
    """Two PHQ-9s the clinic took itself, 14 days and 1 day ago: 18 then 8."""
    now = timezone.now()
    return [
        record_measure(
            actor=nurse,
            patient=patient,
            instrument="phq9",
            answers=phq9_total(total),
            administered_at=now - timedelta(days=days),
        )[0]
        for days, total in ((14, 18), (1, 8))
    ]


def history_by_total(nurse, patient):
    return {row.total: row for row in queries.patient_history(nurse, patient, "phq9")}


# --- recording ---------------------------------------------------------------------------------


def test_a_referral_score_is_stored_with_its_organisation_and_no_item_answers(
    referral_score, patient
):
    saved = MeasureResponse.objects.get()
    assert saved.source == "referral" and saved.get_source_display() == "From referral"
    assert (saved.total, saved.severity, saved.answers) == (24, "severe", {})
    assert (saved.referral_organisation, saved.referral_ref) == (ORGANISATION, "REF-2026-0042")
    # the referral gives a day: the score stands at the start of that clinic day
    local = timezone.localtime(saved.administered_at, patient.clinic.tz)
    assert local.date() == local_today(patient.clinic) - timedelta(days=20)
    assert (local.hour, local.minute) == (0, 0)


def test_recording_it_is_audited_and_raises_no_safety_alert(referral_score, nurse):
    event = AuditEvent.objects.get(action="measure.referral_recorded")
    assert (event.actor_id, event.changes["organisation"], event.changes["total"]) == (
        nurse.id,
        ORGANISATION,
        24,
    )
    assert not SafetyAlert.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total": 28}, "total"),
        ({"total": -1}, "total"),
        ({"total": "12"}, "total"),
        ({"total": True}, "total"),
        ({"observed_on": "tomorrow"}, "observed_on"),
        ({"organisation": "  "}, "organisation"),
        ({"instrument": "cssrs_screener"}, "instrument"),
    ],
)
def test_a_bad_referral_score_is_refused_naming_the_field(nurse, patient, changes, field):
    values = {
        "instrument": "phq9",
        "total": 12,
        "observed_on": local_today(patient.clinic),
        "organisation": ORGANISATION,
        "referral_ref": "R1",
    }
    if changes.get("observed_on") == "tomorrow":
        changes = {"observed_on": local_today(patient.clinic) + timedelta(days=1)}
    values.update(changes)
    with pytest.raises(InvalidInput) as refused:
        record_referral_score(actor=nurse, patient=patient, **values)
    assert field in refused.value.fields
    assert not MeasureResponse.objects.exists()


def test_the_phq9_range_is_0_to_27(nurse, patient):
    with pytest.raises(InvalidInput) as refused:
        record_referral_score(
            actor=nurse, patient=patient, total=28, observed_on=local_today(patient.clinic),
            organisation=ORGANISATION, referral_ref="",
        )  # fmt: skip
    assert refused.value.fields["total"] == "must be a whole number from 0 to 27"


def test_the_front_desk_cannot_record_a_referral_score(front_desk, patient):
    with pytest.raises(Forbidden):
        record_referral_score(
            actor=front_desk, patient=patient, total=12, observed_on=local_today(patient.clinic),
            organisation=ORGANISATION, referral_ref="",
        )  # fmt: skip


# --- baseline ----------------------------------------------------------------------------------


def test_an_unconfirmed_referral_score_is_never_the_baseline(
    referral_score, clinic_scores, nurse, patient
):
    # given the referral's 24 (the oldest score) and the clinic's own 18 and 8, no course yet
    rows = history_by_total(nurse, patient)
    # then the baseline is the clinic's first score, 18, and change is judged against it
    assert rows[18].is_baseline and not rows[24].is_baseline
    assert (rows[8].baseline, rows[8].change_from_baseline) == (18, -10)
    # and no outcome is judged on the referral's score itself
    assert rows[24].baseline is None and rows[24].outcome.remission is None


def test_an_unconfirmed_referral_score_alone_gives_no_baseline(referral_score, nurse, patient):
    row = queries.patient_history(nurse, patient)[0]
    assert (row.is_baseline, row.baseline) == (False, None)


def test_after_a_clinician_confirms_it_the_referral_score_may_serve_as_baseline(
    referral_score, clinic_scores, prescriber, patient
):
    # when a prescriber confirms the referral's score
    confirm_referral_score(actor=prescriber, response=referral_score)
    # then it is the first eligible score, so the baseline: 24 -> 8 is a response
    rows = history_by_total(prescriber, patient)
    assert rows[24].is_baseline and not rows[18].is_baseline
    assert (rows[8].baseline, rows[8].outcome.response) == (24, True)


def test_confirming_is_audited_and_done_once(referral_score, nurse):
    confirmed = confirm_referral_score(actor=nurse, response=referral_score)
    assert confirmed.referral_confirmed_by == nurse and confirmed.referral_confirmed_at
    event = AuditEvent.objects.get(action="measure.referral_confirmed")
    assert (event.actor_id, event.changes["organisation"]) == (nurse.id, ORGANISATION)
    with pytest.raises(Conflict):
        confirm_referral_score(actor=nurse, response=referral_score)


@pytest.mark.parametrize("role", ["front_desk", "auditor", "clinic_admin"])
def test_only_a_prescriber_or_nurse_may_confirm(referral_score, request, role):
    with pytest.raises(Forbidden):
        confirm_referral_score(actor=request.getfixturevalue(role), response=referral_score)
    assert MeasureResponse.objects.get().referral_confirmed_at is None


def test_a_score_the_clinic_took_needs_no_confirming(clinic_scores, prescriber):
    with pytest.raises(InvalidInput):
        confirm_referral_score(actor=prescriber, response=clinic_scores[0])


def test_the_database_refuses_a_confirmation_without_who_confirmed(referral_score):
    from django.db import IntegrityError, transaction

    referral_score.referral_confirmed_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        referral_score.save()


# --- shown to clinicians -----------------------------------------------------------------------


def chart_url(patient):
    return reverse("measures:chart", kwargs={"patient_id": patient.id})


def test_the_chart_shows_it_from_referral_with_its_organisation_and_date(
    web, nurse, patient, referral_score, clinic_scores
):
    html = web(nurse).get(chart_url(patient)).content.decode()
    observed = (local_today(patient.clinic) - timedelta(days=20)).isoformat()
    # the trajectory draws it as a distinct marker naming the organisation
    assert html.count(f"from referral, {ORGANISATION}</title>") == 1
    assert "from referral</text>" in html  # the legend
    # and the scores table gives date, source and organisation, not yet a baseline
    assert 'class="referral-row"' in html
    assert f">{observed}</a>" in html
    assert f"From referral: {ORGANISATION} (ref. REF-2026-0042)" in html
    assert "not used as a baseline until confirmed" in html
    assert "Confirm this score" in html


def test_a_nurse_confirms_it_from_the_chart(web, nurse, patient, referral_score, clinic_scores):
    url = reverse(
        "measures:confirm_referral",
        kwargs={"patient_id": patient.id, "response_id": referral_score.id},
    )
    page = web(nurse).post(url, follow=True).content.decode()
    assert "confirmed: it may now serve as a course baseline" in page
    assert "confirmed by Sam Jones" in page
    assert history_by_total(nurse, patient)[24].is_baseline


def test_the_response_page_explains_where_the_score_came_from(web, nurse, patient, referral_score):
    url = reverse(
        "measures:response", kwargs={"patient_id": patient.id, "response_id": referral_score.id}
    )
    html = web(nurse).get(url).content.decode()
    assert f"Taken by <strong>{ORGANISATION}</strong>" in html
    assert "no item answers" in html


def test_the_api_lists_it_with_its_referral_and_confirms_it(api, nurse, patient, referral_score):
    client = api(nurse)
    row = client.get(f"/patients/{patient.id}/measures").json()[0]
    assert (row["source"], row["source_label"], row["is_baseline"]) == (
        "referral",
        "From referral",
        False,
    )
    assert row["referral"]["organisation"] == ORGANISATION
    assert (
        row["referral"]["observed_on"]
        == (local_today(patient.clinic) - timedelta(days=20)).isoformat()
    )
    assert row["referral"]["confirmed"] is False
    path = f"/patients/{patient.id}/measures/{referral_score.id}/confirm-referral"
    confirmed = client.post(path, {})
    assert confirmed.status_code == 200
    assert confirmed.json()["referral"]["confirmed_by"] == nurse.display_name
    assert client.post(path, {}).status_code == 409


def test_the_fhir_export_gives_it_as_an_observation_by_the_referring_organisation(
    api, nurse, patient, referral_score
):
    bundle = api(nurse).get(f"/patients/{patient.id}/fhir/measures").json()
    resources = [e["resource"] for e in bundle["entry"]]
    assert [r["resourceType"] for r in resources] == ["Observation"]
    assert resources[0]["performer"] == [{"display": ORGANISATION}]
    assert resources[0]["valueInteger"] == 24
    assert "derivedFrom" not in resources[0]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Pacific/Auckland"])
def test_the_fhir_export_dates_it_by_the_clinics_calendar(api, nurse, patient, zone):
    # given a clinic east or west of UTC and a referral score taken on 10 March 2025
    patient.clinic.time_zone = zone
    patient.clinic.save()
    record_referral_score(
        actor=nurse, patient=patient, total=14, observed_on=dt.date(2025, 3, 10),
        organisation=ORGANISATION, referral_ref="R-1",
    )  # fmt: skip
    # then the Observation is dated that day, as the chart and the measures list show it
    listed = api(nurse).get(f"/patients/{patient.id}/measures").json()
    bundle = api(nurse).get(f"/patients/{patient.id}/fhir/measures").json()
    assert listed[0]["referral"]["observed_on"] == "2025-03-10"
    assert bundle["entry"][0]["resource"]["effectiveDateTime"] == "2025-03-10"


def test_a_newer_referral_score_leaves_the_response_line_of_the_chart_in_place(
    web, nurse, patient, clinic_scores
):
    # given the clinic's 18 then 8, and a re-referral with a PHQ-9 of 15 taken today
    record_referral_score(
        actor=nurse, patient=patient, total=15, observed_on=local_today(patient.clinic),
        organisation=ORGANISATION, referral_ref="",
    )  # fmt: skip
    html = web(nurse).get(chart_url(patient)).content.decode()
    # then the response threshold still comes from the clinic's baseline of 18
    assert "response: 50% below baseline 18" in html
