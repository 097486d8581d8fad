"""Intake inputs are stored as given or refused naming the field: a dose finer than its column
and dates outside the calendar's span."""

import pytest

from ketaclinic.intake.models import AntidepressantTrial, ConsentRecord, Referral, TreatmentHistory

pytestmark = pytest.mark.django_db


def test_a_sub_cent_daily_dose_is_refused_not_stored_as_zero(api, nurse, patient):
    response = api(nurse).post(
        f"/patients/{patient.id}/antidepressant-trials",
        {"drug": "sertraline", "daily_dose_mg": "0.001", "weeks": 8, "outcome": "no_response"},
    )
    # it would be stored as 0.00 mg, a dose the service forbids
    assert response.status_code == 422, response.content
    assert "daily_dose_mg" in response.json()["fields"]
    assert not AntidepressantTrial.objects.filter(daily_dose_mg=0).exists()


def test_trial_weeks_finer_than_a_tenth_are_refused(api, nurse, patient):
    response = api(nurse).post(
        f"/patients/{patient.id}/antidepressant-trials",
        {"drug": "sertraline", "daily_dose_mg": "100", "weeks": "6.05", "outcome": "no_response"},
    )
    assert response.status_code == 422
    assert response.json()["fields"]["weeks"] == "At most 1 decimal place."


@pytest.mark.parametrize(
    "method,path,body,field,model",
    [
        ("post", "/intake/referrals", {"referred_on": "0001-01-01"}, "referred_on", Referral),
        (
            "post",
            "/patients/{id}/consents",
            {
                "consent_type": "esketamine_rems",
                "signer_name": "Jordan Rivera",
                "witness_name": "Nurse Example",
                "signed_on": "0001-01-01",
            },
            "signed_on",
            ConsentRecord,
        ),
        (
            "put",
            "/patients/{id}/treatment-history",
            {"episode_onset": "0001-01-01"},
            "episode_onset",
            TreatmentHistory,
        ),
    ],
)
def test_intake_dates_in_year_1_are_refused_naming_the_field(
    api, nurse, patient, method, path, body, field, model
):
    if path == "/intake/referrals":
        body = {**body, "patient_id": str(patient.id)}
    response = getattr(api(nurse), method)(path.format(id=patient.id), body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert not model.objects.filter(**{field: "0001-01-01"}).exists()
