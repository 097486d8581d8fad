"""Referral import at its edges: other FHIR versions, contained resources, size, clinic dates."""

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from ketaclinic.audit.models import AuditEvent
from ketaclinic.intake.models import AntidepressantTrial, FhirImport, Referral, ReferralItem
from ketaclinic.patients.models import Patient

from .synthea_like import large_bundle
from .test_fhir_import import everything_saved, post_bundle

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MB = 1024 * 1024


def bundle(name):
    return (FIXTURES / name).read_text()


# --- another FHIR version ----------------------------------------------------------------------


def test_a_dstu2_bundle_answers_422_naming_the_resource_and_version_and_saves_nothing(api, nurse):
    # given a referral exported by a DSTU2-era EHR (it holds a MedicationOrder)
    before = everything_saved()
    # when a nurse imports it
    response = post_bundle(api(nurse), bundle("dstu2_referral.json"))
    # then it is refused, not a server error, and says what and which version
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "unsupported_fhir_version"
    assert "MedicationOrder" in body["detail"] and "FHIR DSTU2" in body["detail"]
    assert "FHIR R4 only" in body["fields"]["bundle"]
    # and nothing was saved
    assert everything_saved() == before
    assert not AuditEvent.objects.filter(action="intake.fhir_imported").exists()


def test_the_command_exits_with_an_error_when_the_bundle_is_refused(nurse, tmp_path):
    # given the DSTU2 file on disk
    path = tmp_path / "dstu2.json"
    path.write_text(bundle("dstu2_referral.json"))
    # when the command imports it, it fails with CommandError (exit status 1 from the shell)
    with pytest.raises(CommandError, match="MedicationOrder resource, a FHIR DSTU2"):
        call_command("import_fhir", str(path), "--user", nurse.username)
    assert not Patient.objects.exists()


# --- contained resources ------------------------------------------------------------------------


def test_a_contained_medication_becomes_a_trial_to_review(api, nurse):
    response = post_bundle(api(nurse), bundle("contained_medication_referral.json"))
    assert response.status_code == 201, response.content
    assert response.json()["imported"]["trials"] == 1
    trial = AntidepressantTrial.objects.get()
    assert (trial.drug, trial.daily_dose_mg, trial.needs_review) == ("escitalopram", 20, True)
    assert trial.source_text == "Escitalopram 10 MG Oral Tablet"


# --- size -----------------------------------------------------------------------------------------


def test_a_4_mb_synthea_style_bundle_is_accepted(api, nurse, settings):
    # given a Synthea-style Bundle of about 4 MB (one patient, years of encounters and vitals),
    # larger than Django's limit for request bodies (2.5 MB unless configured)
    body = large_bundle(4 * MB)
    assert len(body) > max(4 * MB, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    # when it is posted to the API
    response = post_bundle(api(nurse), body)
    # then it is imported, and what intake does not use is listed, not dropped
    assert response.status_code == 201, response.content[:500]
    result = response.json()
    assert result["created"] is True and result["imported"]["trials"] == 1
    assert len(result["unmapped"]) > 1000
    assert FhirImport.objects.get().patient_id is not None


def test_a_bundle_over_the_limit_answers_413_and_names_the_limit(api, nurse, settings):
    # given a clinic server set to read Bundles up to 1 MB
    settings.KETACLINIC_FHIR_MAX_BUNDLE_MB = 1
    before = everything_saved()
    # when a 1.5 MB Bundle is posted
    response = post_bundle(api(nurse), large_bundle(int(1.5 * MB)))
    # then it is refused with a message naming the size limit and the setting
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "bundle_too_large"
    assert "up to 1 MB" in body["detail"] and "KETACLINIC_FHIR_MAX_BUNDLE_MB" in body["detail"]
    assert everything_saved() == before


def test_the_limit_defaults_to_20_mb(api, nurse, settings):
    del settings.KETACLINIC_FHIR_MAX_BUNDLE_MB
    from ketaclinic.intake.fhir_import import max_bundle_bytes

    assert max_bundle_bytes() == 20 * MB


def test_the_import_page_refuses_a_file_over_the_limit(web, nurse, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.KETACLINIC_FHIR_MAX_BUNDLE_MB = 1
    upload = SimpleUploadedFile(
        "big.json", large_bundle(int(1.2 * MB)).encode(), content_type="application/json"
    )
    response = web(nurse).post("/intake/import/", {"file": upload})
    assert response.status_code == 200
    assert "Bundles up to 1 MB can be imported" in response.content.decode()
    assert not Patient.objects.exists()


# --- dates and referral scores ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc_moment", "clinic_date"),
    [
        # 02:00 UTC is still the evening before in New York (the clinic's time zone)
        ("2026-03-10T02:00:00+00:00", dt.date(2026, 3, 9)),
        # 23:30 clinic time is 03:30 or 04:30 UTC the next day
        ("2026-07-15T03:30:00+00:00", dt.date(2026, 7, 14)),
        ("2026-07-15T14:00:00+00:00", dt.date(2026, 7, 15)),
    ],
)
def test_an_imported_referral_is_dated_by_the_clinics_local_date(
    api, nurse, utc_moment, clinic_date
):
    assert nurse.clinic.time_zone == "America/New_York"
    with time_machine.travel(dt.datetime.fromisoformat(utc_moment), tick=False):
        response = post_bundle(api(nurse), bundle("synthea_referral.json"))
    assert response.status_code == 201
    assert Referral.objects.get().referred_on == clinic_date


def test_the_referrals_phq9_total_stays_with_the_referral(api, nurse):
    # the PHQ-9 total a referral carries is kept as referral data, not as a score the clinic took
    post_bundle(api(nurse), bundle("synthea_referral.json"))
    item = ReferralItem.objects.get(kind="observation")
    assert (item.code, item.value, item.recorded_on) == ("44261-6", 19, dt.date(2023, 4, 1))


def test_an_import_keeps_the_bundle_hash_for_each_attempt(api, nurse):
    data = json.loads(bundle("contained_medication_referral.json"))
    post_bundle(api(nurse), json.dumps(data))
    post_bundle(api(nurse), json.dumps(data))
    assert FhirImport.objects.count() == 2
    assert AntidepressantTrial.objects.count() == 1
