"""The intake pages: the guided chart tab, the waiting list and referral import."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.audit.models import AuditEvent
from ketaclinic.intake import services
from ketaclinic.intake.models import (
    AntidepressantTrial,
    ConsentRecord,
    ContraindicationAnswer,
    EligibilityDecision,
    Referral,
)
from ketaclinic.intake.rules import QUESTION_KEYS
from ketaclinic.patients.services import register_patient
from tests.intake.helpers import approve_and_consent, eligible_intake

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def chart(patient):
    return f"/patients/{patient.id}/intake/"


def test_the_intake_tab_shows_each_step_and_records_the_view(web, nurse, patient):
    response = web(nurse).get(chart(patient))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "1. Treatment history",
        "2. Antidepressant trials",
        "3. Contraindication",
        "4. Eligibility",
        "5. Consent",
    ):
        assert heading in html
    assert AuditEvent.objects.filter(action="patient.viewed", patient=patient).exists()


def test_front_desk_cannot_open_the_intake_tab(web, front_desk, patient):
    assert web(front_desk).get(chart(patient)).status_code == 403


def test_another_clinics_patient_is_not_found(web, nurse, other_patient):
    assert web(nurse).get(chart(other_patient)).status_code == 404


def test_an_auditor_reads_without_forms(web, auditor, nurse, patient):
    eligible_intake(nurse, patient)
    html = web(auditor).get(chart(patient)).content.decode()
    assert "sertraline" in html
    assert "Add trial" not in html and "Record decision" not in html


def test_the_guided_forms_save_history_trial_and_checklist(web, nurse, patient):
    client = web(nurse)
    response = client.post(
        chart(patient) + "history/",
        {
            "history-episode_onset": "2023-05-01",
            "history-current_severity": "moderate",
            "history-ect_used": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(
        chart(patient) + "trials/",
        {
            "trial-drug": "Lexapro",
            "trial-daily_dose_mg": "20",
            "trial-weeks": "8",
            "trial-adherence": "good",
            "trial-outcome": "no_response",
            "trial-current_episode": "on",
        },
    )
    assert response.status_code == 302
    assert AntidepressantTrial.objects.get(patient=patient).drug == "escitalopram"
    answers = {f"check-{key}": "no" for key in QUESTION_KEYS}
    response = client.post(chart(patient) + "checklist/", {**answers, "check-note": "patient"})
    assert response.status_code == 302
    assert ContraindicationAnswer.objects.filter(patient=patient, answer="no").count() == len(
        QUESTION_KEYS
    )
    html = client.get(chart(patient)).content.decode()
    assert "counts toward TRD" in html and "Recorded by Sam Jones" in html


def test_each_trial_shows_its_dose_rows_verification_mark_and_source(
    web, nurse, prescriber, patient
):
    # given a venlafaxine trial at 75 mg/day and a higher one the table cannot judge
    low = services.record_trial(
        actor=nurse, patient=patient, drug="venlafaxine", daily_dose_mg=75, weeks=7
    )
    high = services.record_trial(
        actor=nurse,
        patient=patient,
        drug="venlafaxine",
        daily_dose_mg=225,
        weeks=8,
        outcome="no_response",
    )
    html = web(prescriber).get(chart(patient)).content.decode()
    # then each trial row carries the mark and the row's source
    for trial in (low, high):
        row = html.split(f'id="trial-{trial.id}"')[1].split("</tr>")[0]
        assert "dose minimum not verified" in row
        assert "Current Psychiatry 2012" in row
    low_row = html.split(f'id="trial-{low.id}"')[1].split("</tr>")[0]
    high_row = html.split(f'id="trial-{high.id}"')[1].split("</tr>")[0]
    assert "too low for an adequate trial" in low_row and "Confirm dose adequate" not in low_row
    assert "Confirm dose adequate" in high_row


def test_a_bad_trial_shows_the_errors_on_the_form(web, nurse, patient):
    response = web(nurse).post(
        chart(patient) + "trials/",
        {
            "trial-drug": "sertraline",
            "trial-started_on": "2024-05-01",
            "trial-ended_on": "2024-01-01",
            "trial-adherence": "good",
        },
    )
    assert response.status_code == 200
    assert "cannot end before it started" in response.content.decode()
    assert not AntidepressantTrial.objects.exists()


def test_a_prescriber_records_a_decision_from_the_panel(web, prescriber, nurse, patient):
    eligible_intake(nurse, patient)
    response = web(prescriber).post(
        chart(patient) + "decision/",
        {
            "decision-protocol": "iv_ketamine",
            "decision-outcome": "approve",
            "decision-note": "Ready to start",
        },
    )
    assert response.status_code == 302
    decision = EligibilityDecision.objects.get()
    assert (decision.drug, decision.decided_by) == ("ketamine", prescriber)
    html = web(prescriber).get(chart(patient) + "?protocol=iv_ketamine").content.decode()
    assert "Ready to start" in html and prescriber.display_name in html


def test_approving_against_the_recommendation_without_justification_shows_why(
    web, prescriber, nurse, patient
):
    eligible_intake(nurse, patient)
    services.record_contraindications(
        actor=nurse, patient=patient, answers={"psychosis_history": "yes"}
    )
    response = web(prescriber).post(
        chart(patient) + "decision/",
        {"decision-protocol": "esketamine_trd", "decision-outcome": "approve"},
    )
    assert response.status_code == 200
    assert "needs a written justification" in response.content.decode()
    assert not EligibilityDecision.objects.exists()


def test_the_eligibility_panel_follows_the_protocol_choice(web, nurse, patient):
    eligible_intake(nurse, patient)
    services.record_contraindications(
        actor=nurse, patient=patient, answers={"hypersensitivity": "yes"}
    )
    response = web(nurse).get(
        chart(patient) + "?protocol=esketamine_trd&panel=eligibility", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<h2" not in html and "ineligible" in html


CLINIC_TZ = ZoneInfo("America/New_York")  # the time zone of the test clinic (tests/factories.py)
# Moments when the clinic's date and the UTC date differ, and one where they agree.
FROZEN_MOMENTS = [
    pytest.param(dt.datetime(2026, 3, 9, 23, 30, tzinfo=CLINIC_TZ), id="23:30 clinic time"),
    pytest.param(dt.datetime(2026, 3, 10, 2, 0, tzinfo=CLINIC_TZ), id="02:00 clinic time"),
    pytest.param(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC), id="02:00 UTC"),
]


@pytest.mark.parametrize("moment", FROZEN_MOMENTS)
def test_a_nurse_records_and_revokes_consent(web, nurse, patient, moment):
    # given the clock at a moment where the clinic's date may differ from the UTC date
    with time_machine.travel(moment, tick=False):
        client = web(nurse)
        # when the nurse records a consent signed today, in the clinic's own calendar
        response = client.post(
            chart(patient) + "consents/",
            {
                "consent-consent_type": "ketamine_off_label",
                "consent-signer_name": "Jordan Rivera",
                "consent-signer_relationship": "patient",
                "consent-witness_name": "Sam Jones",
                "consent-signed_on": moment.astimezone(CLINIC_TZ).date().isoformat(),
            },
        )
        # then it is accepted, and can be revoked
        assert response.status_code == 302, response.content.decode()[:2000]
        consent = ConsentRecord.objects.get()
        client.post(chart(patient) + f"consents/{consent.id}/revoke/", {"reason": "changed mind"})
    consent.refresh_from_db()
    assert consent.signed_on == moment.astimezone(CLINIC_TZ).date()
    assert consent.revoked_by == nurse and consent.revocation_reason == "changed mind"


@pytest.mark.parametrize("moment", FROZEN_MOMENTS)
def test_a_consent_dated_tomorrow_in_the_clinic_is_refused(web, nurse, patient, moment):
    with time_machine.travel(moment, tick=False):
        tomorrow = moment.astimezone(CLINIC_TZ).date() + dt.timedelta(days=1)
        response = web(nurse).post(
            chart(patient) + "consents/",
            {
                "consent-consent_type": "ketamine_off_label",
                "consent-signer_name": "Jordan Rivera",
                "consent-signer_relationship": "patient",
                "consent-witness_name": "Sam Jones",
                "consent-signed_on": tomorrow.isoformat(),
            },
        )
    assert response.status_code == 200
    assert "The signing date cannot be in the future." in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_the_waiting_list_shows_referred_patients_with_status(web, front_desk, nurse, patient):
    services.create_referral(actor=front_desk, patient=patient, referring_clinician="Dr. Shah")
    eligible_intake(nurse, patient)
    response = web(front_desk).get("/intake/waiting-list/?status=intake_in_progress")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rivera, Jordan" in html and "Intake in progress" in html and "Dr. Shah" in html
    assert (
        "Rivera, Jordan"
        not in web(front_desk).get("/intake/waiting-list/?status=eligible").content.decode()
    )


def test_front_desk_adds_a_referral_by_mrn(web, front_desk, patient):
    response = web(front_desk).post(
        "/intake/waiting-list/add/", {"mrn": patient.mrn, "referring_clinician": "Dr. Shah"}
    )
    assert response.status_code == 302
    assert Referral.objects.get(patient=patient).status == "referred"
    unknown = web(front_desk).post("/intake/waiting-list/add/", {"mrn": "NOPE"})
    assert "No patient with this MRN" in unknown.content.decode()


def test_importing_a_referral_file_from_the_page(web, nurse):
    upload = SimpleUploadedFile(
        "referral.json", (FIXTURES / "ehr_referral.json").read_bytes(), "application/json"
    )
    response = web(nurse).post("/intake/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "New patient registered" in html and "Okafor" in html
    assert "Practitioner/pr1" in html


def test_a_broken_referral_file_shows_a_clear_message(web, nurse):
    response = web(nurse).post("/intake/import/", {"text": '{"resourceType": "Observation"}'})
    assert "Expected a FHIR Bundle" in response.content.decode()


def test_front_desk_cannot_import(web, front_desk):
    assert web(front_desk).get("/intake/import/").status_code == 403


def _chart_queries(client, patient):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(chart(patient)).status_code == 200
    return len(ctx.captured_queries)


def test_the_intake_tab_query_count_does_not_grow_with_history(
    web, prescriber, nurse, front_desk, patient
):
    # given one patient with a short history and one with a long one
    eligible_intake(nurse, patient)
    approve_and_consent(prescriber, nurse, patient)
    long = register_patient(
        actor=front_desk,
        given_name="Lee",
        family_name="Long",
        date_of_birth="1970-01-01",
        sex="male",
    )
    eligible_intake(nurse, long)
    for drug in (
        "citalopram",
        "fluoxetine",
        "paroxetine",
        "mirtazapine",
        "bupropion",
        "duloxetine",
    ):
        services.record_trial(
            actor=nurse, patient=long, drug=drug, daily_dose_mg=300, weeks=8, outcome="no_response"
        )
    for _ in range(3):
        approve_and_consent(prescriber, nurse, long)
    client = web(prescriber)
    _chart_queries(client, patient)  # warm caches (session, content types)
    # then the page costs the same number of queries
    assert _chart_queries(client, long) == _chart_queries(client, patient)


def test_the_waiting_list_query_count_does_not_grow(web, front_desk, clinic):
    client = web(front_desk)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/intake/waiting-list/")
        return len(ctx.captured_queries)

    for i in range(2):
        p = register_patient(
            actor=front_desk,
            given_name=f"A{i}",
            family_name="Short",
            date_of_birth="1980-01-01",
            sex="female",
        )
        services.create_referral(actor=front_desk, patient=p)
    count()
    few = count()
    for i in range(10):
        p = register_patient(
            actor=front_desk,
            given_name=f"B{i}",
            family_name="Many",
            date_of_birth="1980-01-01",
            sex="female",
        )
        services.create_referral(actor=front_desk, patient=p)
    assert count() == few


def test_removing_a_trial_asks_for_confirmation_first(web, nurse, patient):
    trial = services.record_trial(
        actor=nurse, patient=patient, drug="sertraline", daily_dose_mg=100, weeks=8
    )
    url = chart(patient) + f"trials/{trial.id}/remove/"
    client = web(nurse)
    # when Remove is pressed, a confirmation page names the trial and the trial stays
    asked = client.post(url)
    html = asked.content.decode()
    assert "Remove this antidepressant trial?" in html and "Remove the trial of sertraline" in html
    assert patient.antidepressant_trials.filter(pk=trial.pk).exists()
    assert not AuditEvent.objects.filter(action="intake.trial_removed").exists()
    # when the removal is confirmed, it is removed and audited
    client.post(url, {"confirmed": "yes"})
    assert not patient.antidepressant_trials.filter(pk=trial.pk).exists()
    assert AuditEvent.objects.filter(action="intake.trial_removed").count() == 1


def test_the_history_form_labels_ect_and_tms_as_acronyms(web, nurse, patient):
    html = web(nurse).get(chart(patient)).content.decode()
    assert ">ECT notes<" in html and ">TMS notes<" in html
    assert "Ect notes" not in html and "Tms notes" not in html


def test_the_waiting_list_pages_keep_the_status_and_search(web, front_desk, clinic):
    """Next and Previous links carry the list's filter, so page 2 is page 2 of the same list."""
    for i in range(27):
        p = register_patient(
            actor=front_desk,
            given_name=f"Pat{i}",
            family_name="Paged Smith",
            date_of_birth="1980-01-01",
            sex="female",
        )
        services.create_referral(actor=front_desk, patient=p)
    client = web(front_desk)
    first = client.get("/intake/waiting-list/", {"status": "referred", "q": "Paged Smith"})
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?status=referred&amp;q=Paged+Smith&amp;page=2">Next</a>' in html
    second = client.get(
        "/intake/waiting-list/", {"status": "referred", "q": "Paged Smith", "page": "2"}
    ).content.decode()
    assert "Page 2 of 2" in second
    assert 'href="?status=referred&amp;q=Paged+Smith&amp;page=1">Previous</a>' in second
    assert second.count("Paged Smith") >= 2
