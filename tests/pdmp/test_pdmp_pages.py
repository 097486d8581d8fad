"""The PDMP pages: the chart tab's form and log, corrections, the rule table, the report."""

import datetime as dt

import pytest
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.pdmp.models import PdmpCheck, PdmpRule
from tests.pdmp.helpers import confirm_state, record

pytestmark = pytest.mark.django_db


def local_now(patient) -> str:
    return timezone.localtime(timezone.now(), patient.clinic.tz).strftime("%Y-%m-%dT%H:%M")


def test_the_tab_warns_never_to_keep_the_report_and_records_a_check(web, prescriber, patient):
    client = web(prescriber)
    page = client.get(f"/patients/{patient.id}/pdmp/").content.decode()
    assert "terms of use commonly forbid keeping a copy" in page
    assert "No PDMP check recorded." in page
    response = client.post(
        f"/patients/{patient.id}/pdmp/checks/",
        {
            "state": "NY",
            "checked_at": local_now(patient),
            "transaction_id": "NY-9001",
            "finding": "no_concern",
        },
    )
    assert response.status_code == 302
    check = PdmpCheck.objects.get()
    assert check.prescriber == prescriber and check.transaction_id == "NY-9001"
    # The typed time is clinic time.
    assert abs(check.checked_at - timezone.now()) < dt.timedelta(minutes=2)
    page = client.get(f"/patients/{patient.id}/pdmp/").content.decode()
    assert "NY-9001" in page and "no concern" in page
    assert AuditEvent.objects.filter(action="patient.viewed", actor=prescriber).count() == 2


def test_a_concern_without_a_note_returns_the_form_with_the_field_marked(web, prescriber, patient):
    response = web(prescriber).post(
        f"/patients/{patient.id}/pdmp/checks/",
        {
            "state": "NY",
            "checked_at": local_now(patient),
            "transaction_id": "NY-9002",
            "finding": "concern",
        },
    )
    assert response.status_code == 422
    assert "Say what the concern is" in response.content.decode()
    assert not PdmpCheck.objects.exists()


def test_a_nurse_records_for_a_prescriber_but_does_not_see_the_log(web, nurse, prescriber, patient):
    record(prescriber, patient, transaction_id="SECRET-LOG-ENTRY")
    client = web(nurse)
    page = client.get(f"/patients/{patient.id}/pdmp/").content.decode()
    assert "SECRET-LOG-ENTRY" not in page
    assert "Checked on behalf of" in page
    assert "visible to prescribers, clinic administrators and auditors" in page
    response = client.post(
        f"/patients/{patient.id}/pdmp/checks/",
        {
            "prescriber": str(prescriber.id),
            "state": "NY",
            "checked_at": local_now(patient),
            "transaction_id": "NY-9003",
            "finding": "no_concern",
        },
    )
    assert response.status_code == 302
    assert PdmpCheck.objects.get(transaction_id="NY-9003").checked_by == nurse


def test_the_tab_shows_the_prescribers_status_under_the_clinic_rule(
    web, clinic_admin, prescriber, patient
):
    confirm_state(clinic_admin, "AK")
    page = web(prescriber).get(f"/patients/{patient.id}/pdmp/").content.decode()
    assert "Alaska Stat. § 17.30.200(k)(4)" in page
    assert "check needed" in page


def test_a_correction_through_the_page_keeps_the_wrong_entry_marked(web, prescriber, patient):
    wrong = record(prescriber, patient, transaction_id="NY-0O1")
    client = web(prescriber)
    form = client.get(f"/patients/{patient.id}/pdmp/checks/{wrong.id}/correct/")
    assert "NY-0O1" in form.content.decode()
    response = client.post(
        f"/patients/{patient.id}/pdmp/checks/{wrong.id}/correct/",
        {
            "reason": "Letter O for zero.",
            "state": "NY",
            "checked_at": timezone.localtime(wrong.checked_at, patient.clinic.tz).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "transaction_id": "NY-001",
            "finding": "no_concern",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/patients/{patient.id}/pdmp/").content.decode()
    assert "Corrects the entry of" in page and "Letter O for zero." in page
    assert "Replaced on" in page


def test_the_administrator_confirms_the_state_and_adds_a_row(web, clinic_admin):
    client = web(clinic_admin)
    page = client.get("/pdmp/rules/").content.decode()
    assert "not confirmed" in page and "Alaska Stat. § 17.30.200(k)(4)" in page
    assert client.post("/pdmp/rules/practice-state/", {"practice_state": "OH"}).status_code == 302
    assert client.get("/pdmp/rules/?state=oh").url == "/pdmp/rules/OH/"
    response = client.post(
        "/pdmp/rules/OH/",
        {
            "before_administering": "on",
            "frequency": "within_days",
            "window_days": "1",
            "source": "",
            "last_reviewed_on": patient_today(clinic_admin),
        },
    )
    assert response.status_code == 302
    row = PdmpRule.objects.get(state="OH")
    assert row.source == "clinic-entered" and row.before_administering
    page = client.get("/pdmp/rules/").content.decode()
    assert "clinic-entered" in page and "practice state" in page


def patient_today(user) -> str:
    return user.clinic.today().isoformat()


def test_a_row_with_a_window_but_no_days_is_refused_on_the_form(web, clinic_admin):
    response = web(clinic_admin).post(
        "/pdmp/rules/OH/",
        {"frequency": "within_days", "last_reviewed_on": patient_today(clinic_admin)},
    )
    assert response.status_code == 422
    assert "A number of days from 1 to 365." in response.content.decode()
    assert not PdmpRule.objects.exists()


def test_the_report_page_lists_prescribers_and_concerns(
    web, auditor, prescriber, patient, clinic_hours
):
    record(prescriber, patient, finding="concern", concern_note="Overlapping benzodiazepines.")
    page = web(auditor).get("/pdmp/report/").content.decode()
    assert "Asha Patel, MD" in page and "Overlapping benzodiazepines." in page
    assert patient.mrn in page


def test_the_tab_costs_the_same_queries_for_a_long_history(
    web, prescriber, patient, django_assert_max_num_queries
):
    client = web(prescriber)
    record(prescriber, patient)
    client.get(f"/patients/{patient.id}/pdmp/")  # warm the session
    with django_assert_max_num_queries(40) as short:
        client.get(f"/patients/{patient.id}/pdmp/")
    for hours in range(2, 22):
        record(prescriber, patient, hours_ago=hours)
    with django_assert_max_num_queries(len(short.captured_queries)):
        client.get(f"/patients/{patient.id}/pdmp/")


def test_only_who_may_correct_an_entry_opens_its_correction_form(web, nurse, prescriber, patient):
    # given a prescriber's check with a concern; nurses record checks for a prescriber but do
    # not read the log (its findings)
    check = record(
        prescriber, patient, finding="concern", concern_note="Three prescribers in 30 days"
    )
    path = f"/patients/{patient.id}/pdmp/checks/{check.id}/correct/"
    # when a nurse who had no part in it opens its correction form
    answer = web(nurse).get(path)
    # then it is refused and shows nothing of the entry
    assert answer.status_code == 403
    assert b"Three prescribers in 30 days" not in answer.content
    assert web(prescriber).get(path).status_code == 200


def test_the_log_offers_correct_only_on_entries_the_reader_may_correct(
    web, prescriber, prescriber2, patient
):
    # given a check by one prescriber
    check = record(prescriber, patient)
    link = f'href="/patients/{patient.id}/pdmp/checks/{check.id}/correct/"'
    # then she is offered its correction, and another prescriber, who had no part in it, is not
    assert link in web(prescriber).get(f"/patients/{patient.id}/pdmp/").content.decode()
    other = web(prescriber2).get(f"/patients/{patient.id}/pdmp/").content.decode()
    assert check.transaction_id in other
    assert link not in other
