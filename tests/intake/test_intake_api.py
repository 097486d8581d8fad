"""Intake through the API: trials, checklist, eligibility, decisions, consent, the waiting list."""

import datetime as dt

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.intake import queries
from ketaclinic.intake.models import AntidepressantTrial, EligibilityDecision, Referral
from tests.intake.helpers import ALL_NO, eligible_intake, two_failed_trials

pytestmark = pytest.mark.django_db

SERTRALINE = {
    "drug": "sertraline",
    "daily_dose_mg": 150,
    "weeks": 8,
    "outcome": "no_response",
    "current_episode": True,
}


def trials_url(patient):
    return f"/patients/{patient.id}/antidepressant-trials"


# --- trials -------------------------------------------------------------------------------------


def test_a_nurse_records_a_trial_and_sees_it_judged_adequate(api, nurse, patient):
    # when
    response = api(nurse).post(trials_url(patient), SERTRALINE)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["drug"] == "sertraline" and body["in_dose_table"]
    assert body["adequate"] and body["counts_toward_trd"]
    assert body["drug_class"] == "SSRI"
    listed = api(nurse).get(trials_url(patient)).json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert AuditEvent.objects.filter(action="intake.trial_recorded", patient=patient).exists()


def test_an_unknown_drug_is_accepted_flagged_and_not_counted(api, nurse, patient):
    response = api(nurse).post(trials_url(patient), {**SERTRALINE, "drug": "Agomelatine"})
    body = response.json()
    assert response.status_code == 201
    assert body["drug"] == "agomelatine"
    assert not body["in_dose_table"]
    assert body["status"] == "not in dose table — needs confirmation"
    assert not body["counts_toward_trd"]


def test_a_prescriber_confirms_an_unknown_drugs_dose_and_it_counts(api, nurse, prescriber, patient):
    trial_id = (
        api(nurse).post(trials_url(patient), {**SERTRALINE, "drug": "agomelatine"}).json()["id"]
    )
    # a nurse may not confirm
    refused = api(nurse).post(f"{trials_url(patient)}/{trial_id}/confirm", {"dose_adequate": True})
    assert refused.status_code == 403
    confirmed = api(prescriber).post(
        f"{trials_url(patient)}/{trial_id}/confirm", {"dose_adequate": True}
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["counts_toward_trd"]
    assert confirmed.json()["reviewed_by"] == prescriber.display_name


def test_venlafaxine_75_mg_for_7_weeks_is_not_adequate_and_carries_its_source(
    api, nurse, prescriber, patient
):
    # given the ATRQ authors' own case: venlafaxine 75 mg/day for 7 weeks
    payload = {**SERTRALINE, "drug": "Effexor", "daily_dose_mg": 75, "weeks": 7}
    body = api(nurse).post(trials_url(patient), payload).json()
    # then the trial is not adequate, says why, and shows its dose row's source and mark
    assert body["drug"] == "venlafaxine"
    assert not body["adequate"] and not body["counts_toward_trd"]
    assert "too low for an adequate trial" in body["reasons"][0]
    assert body["needs_verification"] is True
    assert "Current Psychiatry 2012" in body["dose_source"]
    assert body["min_daily_dose_mg"] is None and not body["dose_needs_confirmation"]
    # and no clinician can confirm a dose the source calls too low
    refused = api(prescriber).post(
        f"{trials_url(patient)}/{body['id']}/confirm", {"dose_adequate": True}
    )
    assert refused.status_code == 409


def test_a_higher_venlafaxine_dose_counts_once_a_prescriber_confirms_it(
    api, nurse, prescriber, patient
):
    payload = {**SERTRALINE, "drug": "venlafaxine", "daily_dose_mg": 225}
    body = api(nurse).post(trials_url(patient), payload).json()
    assert body["status"] == "dose needs a clinician's confirmation"
    assert body["dose_needs_confirmation"] and not body["counts_toward_trd"]
    url = f"{trials_url(patient)}/{body['id']}"
    confirmed = api(prescriber).post(f"{url}/confirm", {"dose_adequate": True}).json()
    assert confirmed["counts_toward_trd"] and confirmed["status"] == "recorded"
    # when the dose is corrected afterwards, the confirmation no longer applies
    corrected = api(nurse).patch(url, {"daily_dose_mg": 150}).json()
    assert not corrected["clinician_confirmed_adequate"]
    assert corrected["dose_needs_confirmation"] and not corrected["counts_toward_trd"]


def test_a_brand_name_is_stored_as_the_generic(api, nurse, patient):
    body = api(nurse).post(trials_url(patient), {**SERTRALINE, "drug": "Zoloft"}).json()
    assert body["drug"] == "sertraline"


def test_weeks_come_from_start_and_end_dates(api, nurse, patient):
    payload = {**SERTRALINE, "started_on": "2024-01-01", "ended_on": "2024-03-01"}
    del payload["weeks"]
    body = api(nurse).post(trials_url(patient), payload).json()
    assert body["weeks"] == "8.6"


def test_a_trial_ending_before_it_starts_is_refused(api, nurse, patient):
    payload = {**SERTRALINE, "started_on": "2024-03-01", "ended_on": "2024-01-01"}
    response = api(nurse).post(trials_url(patient), payload)
    assert response.status_code == 422
    assert "ended_on" in response.json()["fields"]
    assert not AntidepressantTrial.objects.exists()


@pytest.mark.parametrize(
    ("started_on", "named"),
    [
        ("1024-01-10", "must be a date from 1900-01-01 to 2199-12-31"),
        ("1900-01-10", "weeks, more than 1000: check the start date"),
    ],
    ids=["year-typed-wrong", "duration-beyond-any-trial"],
)
def test_a_mistyped_start_year_is_refused_naming_the_start(api, nurse, patient, started_on, named):
    client = api(nurse)
    payload = {**SERTRALINE, "started_on": started_on, "ended_on": "2024-03-10"}
    payload.pop("weeks", None)
    response = client.post(trials_url(patient), payload)
    assert response.status_code == 422
    assert named in response.json()["fields"]["started_on"]
    assert not AntidepressantTrial.objects.exists()
    assert client.get(trials_url(patient)).status_code == 200


def test_bad_trial_input_names_every_field(api, nurse, patient):
    response = api(nurse).post(
        trials_url(patient), {"drug": "", "daily_dose_mg": -5, "outcome": "cured"}
    )
    assert response.status_code == 422
    assert {"drug", "daily_dose_mg", "outcome"} <= set(response.json()["fields"])


def test_a_trial_can_be_corrected_and_removed(api, nurse, patient):
    client = api(nurse)
    trial_id = client.post(trials_url(patient), {**SERTRALINE, "daily_dose_mg": 25}).json()["id"]
    patched = client.patch(f"{trials_url(patient)}/{trial_id}", {"daily_dose_mg": 100})
    assert patched.json()["adequate"]
    assert client.delete(f"{trials_url(patient)}/{trial_id}").status_code == 204
    assert client.get(trials_url(patient)).json() == []
    removed = AuditEvent.objects.get(action="intake.trial_removed")
    assert removed.changes["drug"] == "sertraline"


# --- history and checklist ----------------------------------------------------------------------


def test_history_is_set_field_by_field(api, nurse, patient):
    client = api(nurse)
    client.put(f"/patients/{patient.id}/treatment-history", {"episode_onset": "2023-01-15"})
    body = client.put(
        f"/patients/{patient.id}/treatment-history",
        {"current_severity": "severe_without_psychosis", "ect_used": True},
    ).json()
    assert body["episode_onset"] == "2023-01-15"
    assert body["current_severity"] == "severe_without_psychosis" and body["ect_used"]
    assert body["updated_by"] == nurse.display_name


def test_checklist_answers_keep_who_recorded_them(api, nurse, patient):
    response = api(nurse).put(
        f"/patients/{patient.id}/contraindications",
        {"hypersensitivity": "no", "psychosis_history": "unknown"},
    )
    assert response.status_code == 200, response.content
    rows = {r["key"]: r for r in response.json()}
    assert rows["hypersensitivity"]["answer"] == "no"
    assert rows["hypersensitivity"]["recorded_by"] == nurse.display_name
    assert rows["aneurysmal_vascular_disease"]["answer"] == "unknown"
    assert rows["aneurysmal_vascular_disease"]["recorded_by"] is None


def test_an_unknown_checklist_key_or_answer_is_refused(api, nurse, patient):
    response = api(nurse).put(
        f"/patients/{patient.id}/contraindications", {"gout": "yes", "hypersensitivity": "maybe"}
    )
    assert response.status_code == 422
    assert {"gout", "hypersensitivity"} <= set(response.json()["fields"])


# --- eligibility --------------------------------------------------------------------------------


def test_two_adequate_failed_trials_and_clear_checklist_are_eligible(api, nurse, patient):
    eligible_intake(nurse, patient)
    body = api(nurse).get(f"/patients/{patient.id}/eligibility", protocol="esketamine_trd").json()
    assert body["trd"] is True
    assert body["adequate_failed_trials"] == 2
    assert body["recommendation"] == "eligible"
    assert body["contraindications"] == [] and body["cautions"] == []
    assert body["maudsley"]["score"] is None and "episode onset" in body["maudsley"]["missing"]


def test_an_under_dosed_and_an_intolerance_trial_do_not_make_trd(api, nurse, patient):
    client = api(nurse)
    client.post(trials_url(patient), SERTRALINE)
    client.post(trials_url(patient), {**SERTRALINE, "drug": "fluoxetine", "daily_dose_mg": 10})
    client.post(
        trials_url(patient),
        {**SERTRALINE, "drug": "bupropion", "daily_dose_mg": 300, "outcome": "intolerance"},
    )
    client.post(
        trials_url(patient), {**SERTRALINE, "drug": "escitalopram", "daily_dose_mg": 20, "weeks": 4}
    )
    body = client.get(f"/patients/{patient.id}/eligibility", protocol="iv_ketamine").json()
    assert (body["trd"], body["adequate_failed_trials"]) == (False, 1)
    assert body["recommendation"] == "review"


def test_an_esketamine_contraindication_makes_esketamine_ineligible_only(api, nurse, patient):
    eligible_intake(nurse, patient, ALL_NO | {"arteriovenous_malformation": "yes"})
    client = api(nurse)
    esk = client.get(f"/patients/{patient.id}/eligibility", protocol="esketamine_trd").json()
    iv = client.get(f"/patients/{patient.id}/eligibility", protocol="iv_ketamine").json()
    assert esk["recommendation"] == "ineligible"
    assert esk["contraindications"] == ["arteriovenous_malformation"]
    assert iv["recommendation"] == "review" and iv["cautions"] == ["arteriovenous_malformation"]


@pytest.mark.parametrize("key", ["hypersensitivity", "uncontrolled_hypertension"])
def test_a_ketamine_label_contraindication_makes_iv_ketamine_ineligible(api, nurse, patient, key):
    eligible_intake(nurse, patient, ALL_NO | {key: "yes"})
    iv = api(nurse).get(f"/patients/{patient.id}/eligibility", protocol="iv_ketamine").json()
    assert iv["recommendation"] == "ineligible"
    assert iv["contraindications"] == [key]
    answers = api(nurse).get(f"/patients/{patient.id}/contraindications").json()
    row = next(a for a in answers if a["key"] == key)
    assert "ketamine" in row["absolute_for"] and "Ketalar" in row["source"]


def test_without_a_protocol_the_clinic_default_is_used(api, nurse, patient):
    body = api(nurse).get(f"/patients/{patient.id}/eligibility").json()
    assert body["protocol"]["code"] == "esketamine_trd"


def test_an_unknown_protocol_is_a_clear_422(api, nurse, patient):
    response = api(nurse).get(f"/patients/{patient.id}/eligibility", protocol="lsd_microdose")
    assert response.status_code == 422
    assert "protocol" in response.json()["fields"]


# --- decisions ----------------------------------------------------------------------------------


def decisions_url(patient):
    return f"/patients/{patient.id}/eligibility/decisions"


def test_a_prescriber_approves_an_eligible_patient(api, nurse, prescriber, patient):
    eligible_intake(nurse, patient)
    response = api(prescriber).post(
        decisions_url(patient),
        {"protocol": "esketamine_trd", "outcome": "approve", "note": "Good candidate."},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["drug"], body["recommendation"], body["against_recommendation"]) == (
        "esketamine",
        "eligible",
        False,
    )
    assert body["decided_by"] == prescriber.display_name
    assert Referral.objects.get(patient=patient).status == "eligible"
    event = AuditEvent.objects.get(action="intake.eligibility_decided")
    assert event.actor == prescriber and event.changes["outcome"] == "approve"


def test_unknown_answers_block_approval(api, nurse, prescriber, patient):
    two_failed_trials(nurse, patient)
    response = api(prescriber).post(
        decisions_url(patient),
        {"protocol": "iv_ketamine", "outcome": "approve", "justification": "urgent"},
    )
    assert response.status_code == 422
    assert "contraindications" in response.json()["fields"]
    assert not EligibilityDecision.objects.exists()


def test_approving_against_the_recommendation_needs_a_justification(
    api, nurse, prescriber, patient
):
    eligible_intake(nurse, patient, ALL_NO | {"uncontrolled_hypertension": "yes"})
    client = api(prescriber)
    refused = client.post(decisions_url(patient), {"protocol": "iv_ketamine", "outcome": "approve"})
    assert refused.status_code == 422
    assert "justification" in refused.json()["fields"]
    approved = client.post(
        decisions_url(patient),
        {
            "protocol": "iv_ketamine",
            "outcome": "approve",
            "justification": "BP controlled on repeat readings; cardiology agrees.",
        },
    )
    assert approved.status_code == 201
    assert approved.json()["against_recommendation"] is True
    event = AuditEvent.objects.get(action="intake.eligibility_decided")
    assert event.changes["against_recommendation"] is True
    assert "cardiology" in event.changes["justification"]


def test_a_decline_marks_the_referral_declined(api, nurse, prescriber, patient):
    two_failed_trials(nurse, patient)
    response = api(prescriber).post(
        decisions_url(patient), {"protocol": "esketamine_trd", "outcome": "decline", "note": "No"}
    )
    assert response.status_code == 201
    assert Referral.objects.get(patient=patient).status == "declined"
    assert [d["outcome"] for d in api(nurse).get(decisions_url(patient)).json()] == ["decline"]


def test_a_nurse_cannot_decide(api, nurse, patient):
    eligible_intake(nurse, patient)
    response = api(nurse).post(decisions_url(patient), {"outcome": "approve"})
    assert response.status_code == 403


# --- consent ------------------------------------------------------------------------------------


CONSENT = {
    "consent_type": "esketamine_rems",
    "signer_name": "Jordan Rivera",
    "witness_name": "Sam Jones",
    "signed_on": "2025-01-10",
}


def test_consent_documents_name_the_off_label_use_and_rems(api, nurse):
    docs = {d["consent_type"]: d for d in api(nurse).get("/consent-documents").json()}
    assert "OFF-LABEL" in docs["ketamine_off_label"]["body"]
    assert "REMS" in docs["esketamine_rems"]["body"]
    assert docs["esketamine_rems"]["version"] == 1


def test_a_signed_consent_records_signer_witness_date_and_version(api, nurse, patient):
    response = api(nurse).post(f"/patients/{patient.id}/consents", CONSENT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["signer_name"], body["witness_name"], body["signed_on"], body["version"]) == (
        "Jordan Rivera",
        "Sam Jones",
        "2025-01-10",
        1,
    )
    assert body["active"]


def test_a_new_document_version_is_used_for_later_signatures(api, nurse, prescriber, patient):
    api(nurse).post(f"/patients/{patient.id}/consents", CONSENT)
    published = api(prescriber).post(
        "/consent-documents",
        {"consent_type": "esketamine_rems", "title": "REMS consent v2", "body": "REMS text v2"},
    )
    assert published.status_code == 201 and published.json()["version"] == 2
    second = api(nurse).post(f"/patients/{patient.id}/consents", CONSENT).json()
    assert (second["version"], second["document_title"]) == (2, "REMS consent v2")


def test_the_witness_must_not_be_the_signer(api, nurse, patient):
    response = api(nurse).post(
        f"/patients/{patient.id}/consents", {**CONSENT, "witness_name": "jordan rivera"}
    )
    assert response.status_code == 422 and "witness_name" in response.json()["fields"]


def test_a_revoked_consent_is_kept_with_who_and_why(api, nurse, patient):
    consent_id = api(nurse).post(f"/patients/{patient.id}/consents", CONSENT).json()["id"]
    response = api(nurse).post(
        f"/patients/{patient.id}/consents/{consent_id}/revoke", {"reason": "Patient withdrew"}
    )
    body = response.json()
    assert response.status_code == 200
    assert not body["active"] and body["revoked_by"] == nurse.display_name
    again = api(nurse).post(
        f"/patients/{patient.id}/consents/{consent_id}/revoke", {"reason": "again"}
    )
    assert again.status_code == 409


# --- waiting list -------------------------------------------------------------------------------


def test_front_desk_puts_a_patient_on_the_waiting_list_and_sees_status(api, front_desk, patient):
    created = api(front_desk).post(
        "/intake/referrals",
        {"patient_id": str(patient.id), "referring_clinician": "Dr. Whitfield"},
    )
    assert created.status_code == 201, created.content
    listed = api(front_desk).get("/intake/referrals", status="referred").json()
    assert [r["patient_id"] for r in listed["items"]] == [str(patient.id)]
    assert listed["items"][0]["status"] == "referred"
    twice = api(front_desk).post("/intake/referrals", {"patient_id": str(patient.id)})
    assert twice.status_code == 409


def test_recording_intake_moves_a_referral_to_in_progress(api, front_desk, nurse, patient):
    api(front_desk).post("/intake/referrals", {"patient_id": str(patient.id)})
    api(nurse).post(trials_url(patient), SERTRALINE)
    assert Referral.objects.get(patient=patient).status == "intake_in_progress"


def test_a_future_referral_date_is_refused(api, front_desk, patient):
    tomorrow = (queries.clinic_today(patient.clinic) + dt.timedelta(days=1)).isoformat()
    response = api(front_desk).post(
        "/intake/referrals", {"patient_id": str(patient.id), "referred_on": tomorrow}
    )
    assert response.status_code == 422


# --- configuration ------------------------------------------------------------------------------


def test_a_clinic_overrides_a_dose_and_the_verdict_follows(api, clinic_admin, nurse, patient):
    client = api(clinic_admin)
    response = client.put(
        "/intake/antidepressants/sertraline",
        {"drug_class": "SSRI", "min_daily_dose_mg": 200, "source": "Clinic ATRQ copy, p. 3"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["needs_verification"] is False
    body = api(nurse).post(trials_url(patient), SERTRALINE).json()
    assert not body["adequate"]
    table = {r["name"]: r for r in client.get("/intake/antidepressants").json()}
    assert table["sertraline"]["min_daily_dose_mg"] == "200.00"
    assert table["fluoxetine"]["needs_verification"] is True


def test_the_clinic_changes_the_trial_length(api, clinic_admin, nurse, patient):
    api(clinic_admin).put("/intake/settings", {"min_trial_weeks": 4})
    body = api(nurse).post(trials_url(patient), {**SERTRALINE, "weeks": 5}).json()
    assert body["adequate"]


# --- suicide risk from the measures app ---------------------------------------------------------


def test_a_high_risk_cssrs_screen_flags_urgent_review_without_contraindicating(
    api, nurse, prescriber, patient
):
    from ketaclinic.measures.services import record_measure

    # given an eligible patient whose latest C-SSRS screen is high risk (yes to question 4)
    eligible_intake(nurse, patient)
    record_measure(
        actor=prescriber,
        patient=patient,
        instrument="cssrs_screener",
        answers={"1": 1, "2": 1, "3": 1, "4": 1, "5": 0, "6": 0},
    )
    # when the eligibility is read
    body = api(nurse).get(f"/patients/{patient.id}/eligibility", protocol="esketamine_trd").json()
    # then it asks for urgent review but lists no contraindication
    assert body["suicide_risk"] == {"level": "high", "urgent_review": True}
    assert body["contraindications"] == []
    assert body["recommendation"] == "review"
    assert any("urgent clinical review" in r for r in body["reasons"])
