"""The PDMP API: record and list checks, corrections, the rule table, the status, the report."""

import datetime as dt

import pytest
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.patients.services import register_patient
from ketaclinic.pdmp import services
from ketaclinic.pdmp.models import PdmpCheck
from tests.pdmp.helpers import confirm_state, record

pytestmark = pytest.mark.django_db


def iso(hours_ago: float = 1) -> str:
    return (timezone.now() - dt.timedelta(hours=hours_ago)).isoformat()


def body(**changes) -> dict:
    return {
        "state": "NY",
        "checked_at": iso(),
        "transaction_id": "NY-5512",
        "finding": "no_concern",
    } | changes


def test_a_nurse_records_a_delegate_check_through_the_api(api, nurse, prescriber, patient):
    response = api(nurse).post(
        f"/patients/{patient.id}/pdmp-checks", body(prescriber_id=str(prescriber.id))
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["prescriber"] == "Asha Patel, MD"
    assert data["checked_by"] == "Sam Jones, RN"
    assert data["by_delegate"] is True and data["superseded"] is False


def test_a_check_without_a_utc_offset_is_refused(api, prescriber, patient):
    response = api(prescriber).post(
        f"/patients/{patient.id}/pdmp-checks", body(checked_at="2026-03-02T09:30:00")
    )
    assert response.status_code == 422
    assert "checked_at" in response.json()["fields"]
    assert not PdmpCheck.objects.exists()


def test_a_concern_without_a_note_is_refused_naming_the_field(api, prescriber, patient):
    response = api(prescriber).post(f"/patients/{patient.id}/pdmp-checks", body(finding="concern"))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"concern_note"}


def test_an_unknown_prescriber_id_is_refused(api, nurse, outsider, patient):
    response = api(nurse).post(
        f"/patients/{patient.id}/pdmp-checks", body(prescriber_id=str(outsider.id))
    )
    assert response.status_code == 422
    assert "prescriber_id" in response.json()["fields"]


def test_reading_the_log_is_audited_as_a_view_of_the_patient(api, auditor, prescriber, patient):
    record(prescriber, patient)
    response = api(auditor).get(f"/patients/{patient.id}/pdmp-checks")
    assert response.status_code == 200
    assert [c["transaction_id"] for c in response.json()] == ["TX-1001"]
    assert AuditEvent.objects.filter(
        action="patient.viewed", actor=auditor, patient=patient
    ).exists()


def test_a_correction_through_the_api_keeps_both_entries(api, prescriber, patient):
    wrong = record(prescriber, patient, transaction_id="NY-55I2")
    response = api(prescriber).post(
        f"/patients/{patient.id}/pdmp-checks/{wrong.id}/corrections",
        body(reason="Letter I for digit 1.", transaction_id="NY-5512"),
    )
    assert response.status_code == 201, response.content
    assert response.json()["corrects_id"] == str(wrong.id)
    log = api(prescriber).get(f"/patients/{patient.id}/pdmp-checks").json()
    by_id = {c["transaction_id"]: c for c in log}
    assert by_id["NY-55I2"]["superseded"] is True
    assert by_id["NY-5512"]["correction_reason"] == "Letter I for digit 1."


def test_a_check_of_another_patient_answers_404(api, prescriber, patient, front_desk):
    other = register_patient(
        actor=front_desk,
        given_name="Ana",
        family_name="Lopez",
        date_of_birth="1990-01-01",
        sex="female",
    )
    check = record(prescriber, patient)
    response = api(prescriber).post(
        f"/patients/{other.id}/pdmp-checks/{check.id}/corrections",
        {"reason": "x", "entered_in_error": True},
    )
    assert response.status_code == 404


def test_the_rule_table_lists_the_built_in_rows_with_their_sources(api, nurse):
    table = api(nurse).get("/pdmp/rules").json()
    assert table["practice_state"] is None
    rows = {r["state"]: r for r in table["rules"]}
    assert set(rows) == {"AK", "FL", "NY"}
    assert rows["AK"]["origin"] == "built_in"
    assert rows["AK"]["source"] == "Alaska Stat. § 17.30.200(k)(4)"
    assert rows["NY"]["window_days"] == 1 and rows["NY"]["frequency"] == "within_days"


def test_a_clinic_adds_its_own_row_and_confirms_its_state(api, clinic_admin):
    # when the administrator adds an Ohio row without a citation and confirms Ohio
    response = api(clinic_admin).put(
        "/pdmp/rules",
        {
            "practice_state": "oh",
            "rules": [
                {
                    "state": "OH",
                    "before_administering": True,
                    "frequency": "within_days",
                    "window_days": 1,
                }
            ],
        },
    )
    # then the row says clinic-entered and the state is confirmed, both audited
    assert response.status_code == 200, response.content
    table = response.json()
    assert table["practice_state"] == "OH"
    assert table["practice_state_confirmed_by"] == "Alex Morgan"
    ohio = next(r for r in table["rules"] if r["state"] == "OH")
    assert ohio["source"] == "clinic-entered" and ohio["origin"] == "clinic"
    assert ohio["replaces_built_in"] is False
    assert AuditEvent.objects.filter(action="pdmp.rule_set").count() == 1
    assert AuditEvent.objects.filter(action="pdmp.practice_state_confirmed").count() == 1


def test_a_clinic_row_replaces_the_built_in_row_and_edits_are_audited(api, clinic_admin):
    row = {
        "state": "FL",
        "before_prescribing": True,
        "frequency": "every_order",
        "source": "Fla. Stat. § 893.055(8)",
        "scope": "Our counsel's reading.",
    }
    api(clinic_admin).put("/pdmp/rules", {"rules": [row]})
    table = (
        api(clinic_admin)
        .put("/pdmp/rules", {"rules": [row | {"before_administering": True}]})
        .json()
    )
    florida = next(r for r in table["rules"] if r["state"] == "FL")
    assert florida["origin"] == "clinic" and florida["replaces_built_in"] is True
    assert florida["before_administering"] is True
    edits = AuditEvent.objects.filter(action="pdmp.rule_set").order_by("occurred_at")
    assert [e.changes.get("created") for e in edits] == [True, False]
    assert edits.last().changes["before_administering"] == {"from": False, "to": True}


def test_a_bad_row_saves_nothing_and_names_the_field(api, clinic_admin):
    response = api(clinic_admin).put(
        "/pdmp/rules",
        {
            "practice_state": "NY",
            "rules": [
                {"state": "OH", "before_administering": True, "frequency": "every_order"},
                {"state": "NJ", "before_prescribing": True, "frequency": "within_days"},
            ],
        },
    )
    assert response.status_code == 422
    assert "rules.1.window_days" in response.json()["fields"]
    assert api(clinic_admin).get("/pdmp/rules").json()["practice_state"] is None


def test_the_status_endpoint_answers_for_the_asking_prescriber(
    api, clinic_admin, prescriber, patient
):
    confirm_state(clinic_admin, "NY")
    record(prescriber, patient, hours_ago=30)
    found = api(prescriber).get(f"/patients/{patient.id}/pdmp-status", event="prescribing")
    assert found.status_code == 200
    data = found.json()
    assert data["required"] is True and data["satisfied"] is False
    assert data["message"].endswith("the last check was 1 day ago.")
    assert data["rule"]["source"].startswith("10 NYCRR")


def test_a_nurse_asks_the_status_for_a_named_prescriber(
    api, clinic_admin, nurse, prescriber, patient
):
    confirm_state(clinic_admin, "AK")
    missing = api(nurse).get(f"/patients/{patient.id}/pdmp-status", event="administering")
    assert missing.status_code == 422 and "prescriber_id" in missing.json()["fields"]
    found = (
        api(nurse)
        .get(
            f"/patients/{patient.id}/pdmp-status",
            event="administering",
            prescriber_id=str(prescriber.id),
        )
        .json()
    )
    assert found["required"] is True and found["satisfied"] is False


def test_the_report_counts_checks_per_prescriber_and_lists_concerns(
    api, auditor, prescriber, prescriber2, nurse, patient, clinic_hours
):
    # given checks today: two of the prescriber's (one by a delegate, with a concern) and a
    # wrong one replaced by nothing
    record(prescriber, patient, hours_ago=2)
    record(
        nurse,
        patient,
        prescriber=prescriber,
        hours_ago=1,
        finding="concern",
        concern_note="Four prescribers in 90 days.",
    )
    wrong = record(prescriber2, patient, hours_ago=1)
    services.correct_check(actor=prescriber2, check=wrong, reason="dup", entered_in_error=True)
    today = timezone.localdate(timezone.now(), patient.clinic.tz).isoformat()
    # when the auditor opens the report for today
    response = api(auditor).get("/pdmp/report", **{"from": today, "to": today})
    # then each prescriber has their standing checks and the concern is listed
    assert response.status_code == 200, response.content
    rows = {r["prescriber"]: r for r in response.json()["prescribers"]}
    assert rows["Asha Patel, MD"]["checks"] == 2
    assert rows["Asha Patel, MD"]["by_delegate"] == 1
    assert [c["concern_note"] for c in rows["Asha Patel, MD"]["concerns"]] == [
        "Four prescribers in 90 days."
    ]
    assert rows["Dan Kim"]["checks"] == 0 and rows["Dan Kim"]["last_check_at"] is None
    assert AuditEvent.objects.filter(action="pdmp.report_viewed", actor=auditor).exists()


def test_the_report_refuses_a_period_that_ends_before_it_starts(api, auditor):
    response = api(auditor).get("/pdmp/report", **{"from": "2026-03-02", "to": "2026-03-01"})
    assert response.status_code == 422 and "to" in response.json()["fields"]
