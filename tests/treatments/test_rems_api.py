"""The REMS Patient Monitoring Form from a completed session; due and overdue forms; notes."""

import datetime as dt
import re

import pytest

from ketaclinic.inventory import services as ledger
from ketaclinic.treatments import services
from ketaclinic.treatments.models import TreatmentSession
from tests.pdf import pdf_pages, pdf_text, split_across_lines
from tests.treatments.helpers import (
    ago,
    course_today,
    dosing_started,
    first_session,
    lot_in_stock,
    lot_location,
)

# These stories happen in clinic hours (a session dosed two hours ago, still today).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]

CALM = {"heart_rate": 76, "spo2": 97, "resp_rate": 14}
ALDRETE = dict.fromkeys(
    ["activity", "respiration", "circulation", "consciousness", "oxygen_saturation"], 2
)
# Every field of the current outpatient form (REMS modification of 31 Dec 2024).
REFERENCE_FIELDS = {
    "patient_name",
    "date_of_birth",
    "sex",
    "first_treatment",
    "patient_enrolled_in_rems",
    "benzodiazepines",
    "sedative_hypnotics",
    "psychostimulants",
    "maois",
    "opioids",
    "monitoring_provider",
    "monitoring_provider_telephone",
    "monitoring_provider_email",
    "healthcare_setting",
    "treatment_date",
    "dose",
    "lot_number",
    "total_monitoring_minutes",
    "ready_to_leave_minutes",
    "vitals_acceptable_before",
    "vitals_acceptable_at_completion",
    "bp_pre_dose",
    "bp_40_min",
    "bp_completion",
    "pulse_oximetry_monitored",
    "sedation",
    "sedation_resolved_at",
    "dissociation",
    "dissociation_resolved_at",
    "respiratory_depression",
    "respiratory_depression_resolved_at",
}


@pytest.fixture
def completed(api, clinic, prescriber, nurse, patient):
    """An esketamine session dosed 135 min ago, sedated for a while, discharged now."""
    clinic.phone, nurse.email = "(555) 010-0100", "sam.jones@example.org"
    clinic.save()
    nurse.save()
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=135)
    n = api(nurse)
    n.post(
        f"/sessions/{session.id}/vitals",
        CALM | {"systolic": 150, "diastolic": 90, "measured_at": ago(95).isoformat()},
    )
    n.post(
        f"/sessions/{session.id}/scales",
        {"scale": "moaas", "score": 4, "measured_at": ago(94).isoformat()},
    )
    n.post(
        f"/sessions/{session.id}/scales",
        {"scale": "moaas", "score": 5, "measured_at": ago(60).isoformat()},
    )
    n.post(
        f"/sessions/{session.id}/scales",
        {"scale": "aldrete", "items": ALDRETE, "measured_at": ago(59).isoformat()},
    )
    n.post(f"/sessions/{session.id}/vitals", CALM | {"systolic": 130, "diastolic": 80})
    assert n.post(f"/sessions/{session.id}/discharge", {"escort_present": True}).status_code == 200
    return TreatmentSession.objects.get(pk=session.id)


def fields(form):
    return {f["key"]: f["value"] for s in form["sections"] for f in s["fields"]}


def test_the_form_takes_dose_and_lot_from_the_ledger_administration(api, nurse, clinic, completed):
    # given the nurse drew two devices of another lot before the dose, gave one, returned one
    lot = lot_in_stock(clinic, "esketamine", lot_number="ESK-77")
    safe = {"location_id": str(lot_location(lot).pk)}
    ledger.draw_for_session(
        actor=nurse,
        session=completed.id,
        lot=lot,
        location=lot_location(lot),
        quantity=2,
        now=completed.dose_started_at - dt.timedelta(minutes=5),
    )
    n = api(nurse)
    base = {"session_id": str(completed.id), "lot_id": str(lot.pk)}
    assert n.post("/ledger/administrations", base | {"quantity": "1"}).status_code == 201
    assert n.post("/ledger/returns", base | safe | {"quantity": "1"}).status_code == 201

    values = fields(n.get(f"/sessions/{completed.id}/rems-form").json())

    # then the form says what the ledger says was given, not what was ordered
    assert values["dose"] == "other: 28 mg"
    assert values["lot_number"] == "ESK-77"


def test_the_form_of_a_completed_session_has_every_reference_field_filled(api, nurse, completed):
    answer = api(nurse).get(f"/sessions/{completed.id}/rems-form")

    assert answer.status_code == 200
    form = answer.json()
    values = fields(form)
    assert set(values) == REFERENCE_FIELDS
    assert form["missing"] == []
    assert all(values[key] for key in REFERENCE_FIELDS)
    assert values["patient_name"] == "Jordan Rivera"
    assert values["dose"] == "56 mg"
    # the lot the second check picked from the ledger
    assert values["lot_number"] == "ESK-1"
    assert values["monitoring_provider"] == "Sam Jones, RN"
    assert values["monitoring_provider_telephone"] == "(555) 010-0100"
    assert values["monitoring_provider_email"] == "sam.jones@example.org"
    # the first esketamine dose on record, enrollment confirmed at the pre-checks
    assert (values["first_treatment"], values["patient_enrolled_in_rems"]) == ("yes", "yes")
    # ready to leave when every other criterion held: minutes from the first device
    ready = completed.ready_to_leave_at - completed.dose_started_at
    assert values["ready_to_leave_minutes"] == str(int(ready.total_seconds() // 60))
    # SpO2 was charted after the dose, and no respiratory depression occurred
    assert values["pulse_oximetry_monitored"] == "yes"
    assert values["opioids"] == "no"
    assert values["bp_pre_dose"] == "128/80"
    assert values["bp_40_min"] == "150/90"
    assert values["bp_completion"] == "130/80"
    assert int(values["total_monitoring_minutes"]) >= 135
    # sedation (MOAA/S 4) occurred and resolved when MOAA/S was 5 again
    assert values["sedation"] == "yes"
    assert values["respiratory_depression"] == "no"
    assert form["deadline"] == (completed.scheduled_date + dt.timedelta(days=7)).isoformat()


def test_the_form_is_printable_as_a_pdf(api, web, nurse, completed):
    answer = api(nurse).get(f"/sessions/{completed.id}/rems-form.pdf")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer)
    assert "REMS Patient Monitoring Form" in text
    assert "Jordan Rivera" in text
    assert "150/90" in text
    # every field of the current form, labelled as the form asks it
    for label in (
        "First treatment?",
        "Patient enrolled in the SPRAVATO REMS?",
        "Telephone (555) 010-0100",
        "Email sam.jones@example.org",
        "minutes from the start of administration",
        "Respiratory status",
        "Pulse oximetry monitored during the observation period",
        "Respiratory depression: resolution time",
        "REMS modification of 31 Dec 2024",
    ):
        assert label in text, label
    assert "clinical.md" not in text
    page = web(nurse).get(f"/treatments/sessions/{completed.id}/rems.pdf")
    assert page["Content-Type"] == "application/pdf"


def test_due_forms_are_listed_with_their_deadline_until_marked_submitted(api, nurse, completed):
    due = api(nurse).get("/rems-forms/due").json()
    assert [(r["session_id"], r["overdue"], r["days_left"]) for r in due] == [
        (str(completed.id), False, 7)
    ]

    answer = api(nurse).post(
        f"/sessions/{completed.id}/rems-form/submitted", {"confirmation": "REMS-123"}
    )

    assert answer.status_code == 200
    assert answer.json()["rems_submitted_at"] is not None
    assert api(nurse).get("/rems-forms/due").json() == []
    again = api(nurse).post(f"/sessions/{completed.id}/rems-form/submitted", {})
    assert again.status_code == 409


def test_a_form_past_its_7_day_deadline_is_overdue_and_highlighted(api, web, nurse, completed):
    # given the session was 9 days ago
    TreatmentSession.objects.filter(pk=completed.id).update(
        dose_started_at=completed.dose_started_at - dt.timedelta(days=9)
    )

    due = api(nurse).get("/rems-forms/due").json()
    page = web(nurse).get("/treatments/rems/").content.decode()

    assert due[0]["overdue"] is True
    assert due[0]["days_left"] == -2
    assert "1 form overdue." in page
    assert "OVERDUE by 2 days" in page


def test_an_open_session_cannot_be_submitted(api, prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=20)

    answer = api(nurse).post(f"/sessions/{session.id}/rems-form/submitted", {})

    assert answer.status_code == 409
    assert answer.json()["code"] == "session_open"


def test_the_form_of_a_session_aborted_after_the_dose_can_be_marked_submitted(
    api, clinic, prescriber, nurse, patient
):
    # given an esketamine session dosed 30 min ago, with a high BP at 20 min, then aborted:
    # the patient goes to the emergency department
    clinic.phone, nurse.email = "(555) 010-0100", "sam.jones@example.org"
    clinic.save()
    nurse.save()
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)
    n = api(nurse)
    n.post(
        f"/sessions/{session.id}/vitals",
        CALM | {"systolic": 190, "diastolic": 115, "measured_at": ago(10).isoformat()},
    )
    reason = "Transferred to the emergency department"
    assert n.post(f"/sessions/{session.id}/abort", {"reason": reason}).json()["status"] == (
        "aborted"
    )
    assert [r["session_id"] for r in n.get("/rems-forms/due").json()] == [str(session.id)]

    form = n.get(f"/sessions/{session.id}/rems-form").json()
    values = fields(form)

    # monitoring ended at the abort; the last vitals were not acceptable (discharge criterion)
    assert 29 <= int(values["total_monitoring_minutes"]) <= 32
    assert values["vitals_acceptable_at_completion"] == "no"
    assert values["bp_completion"] == "190/115"
    # what monitoring could not record is said so, with the reason; nothing is left blank
    note = f"not recorded: the session ended early ({reason})"
    assert values["bp_40_min"] == note and values["ready_to_leave_minutes"] == note
    assert form["missing"] == [] and "bp_40_min" in form["not_recorded"]
    assert any("below the required 120 min" in line for line in form["problems"])
    # so the form can be marked submitted, and leaves the due list; a field the record
    # should hold whatever happened (the clinic's telephone) is still missing without it
    clinic.phone = ""
    clinic.save()
    form = n.get(f"/sessions/{session.id}/rems-form").json()
    assert form["missing"] == ["monitoring_provider_telephone"]
    assert n.post(f"/sessions/{session.id}/rems-form/submitted", {}).status_code == 409
    clinic.phone = "(555) 010-0100"
    clinic.save()
    answer = n.post(f"/sessions/{session.id}/rems-form/submitted", {"confirmation": "R-1"})
    assert answer.status_code == 200, answer.json()
    assert n.get("/rems-forms/due").json() == []


def test_a_nurse_records_that_pulse_oximetry_was_not_monitored_at_discharge(
    api, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=125)
    n = api(nurse)
    n.post(f"/sessions/{session.id}/scales", {"scale": "moaas", "score": 5})
    n.post(f"/sessions/{session.id}/scales", {"scale": "aldrete", "items": ALDRETE})
    n.post(f"/sessions/{session.id}/vitals", CALM | {"systolic": 130, "diastolic": 80})

    answer = n.post(
        f"/sessions/{session.id}/discharge",
        {"escort_present": True, "pulse_oximetry_monitored": False},
    )

    assert answer.json()["pulse_oximetry_monitored"] is False
    form = n.get(f"/sessions/{session.id}/rems-form").json()
    assert fields(form)["pulse_oximetry_monitored"] == "no"


def test_a_later_treatment_is_not_a_first_treatment(api, prescriber, nurse, patient, completed):
    # given a second esketamine session of the same course, dosed after the completed one
    second = TreatmentSession.objects.get(course=completed.course, number=2)
    TreatmentSession.objects.filter(pk=second.pk).update(
        status="discharged", dose_started_at=completed.discharged_at
    )

    form = api(nurse).get(f"/sessions/{second.id}/rems-form").json()

    assert fields(form)["first_treatment"] == "no"
    assert fields(form)["patient_enrolled_in_rems"] == "yes"


def test_an_iv_session_has_no_rems_form(api, prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "iv_ketamine")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=20)

    assert api(nurse).get(f"/sessions/{session.id}/rems-form").status_code == 422
    assert api(nurse).get("/rems-forms/due").json() == []


def test_the_note_is_signed_and_locked_then_only_addenda(api, prescriber, nurse, completed):
    path = f"/sessions/{completed.id}/note"
    assert api(nurse).put(path, {"text": "Tolerated well."}).status_code == 200
    # only a prescriber signs
    assert api(nurse).post(f"{path}/sign").status_code == 403
    signed = api(prescriber).post(f"{path}/sign")
    assert signed.status_code == 200
    assert signed.json()["note"]["signed_by"] == "Asha Patel, MD"
    # the signed text is locked
    assert api(nurse).put(path, {"text": "Changed"}).status_code == 409
    answer = api(nurse).post(f"{path}/addenda", {"text": "Called next day: feeling well."})
    assert answer.status_code == 201
    note = answer.json()["note"]
    assert note["text"] == "Tolerated well."
    assert [a["text"] for a in note["addenda"]] == ["Called next day: feeling well."]


def test_a_note_cannot_be_signed_while_the_session_is_open(api, prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=20)
    services.save_note(actor=nurse, session=session, text="Draft")

    answer = api(prescriber).post(f"/sessions/{session.id}/note/sign")

    assert answer.status_code == 409


LOCAL_MOMENT = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} [A-Z]{3,4}\b")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def test_the_pdf_keeps_every_identifier_whole_on_one_page_in_clinic_time(api, nurse, completed):
    form = api(nurse).get(f"/sessions/{completed.id}/rems-form").json()
    values = {f["key"]: f["value"] for s in form["sections"] for f in s["fields"]}
    answer = api(nurse).get(f"/sessions/{completed.id}/rems-form.pdf")
    # the lot, the session id, the provider's telephone and email are each whole on one line
    tokens = [values["lot_number"], str(completed.id), "(555) 010-0100", "sam.jones@example.org"]
    assert split_across_lines(answer.content, tokens) == []
    # every field fits one Letter page
    assert len(pdf_pages(answer)) == 1
    # the sedation's resolution time reads in the clinic's clock, never as an ISO string
    text = pdf_text(answer)
    assert values["sedation_resolved_at"][:4].isdigit()  # the JSON keeps ISO with offset
    assert LOCAL_MOMENT.search(text.split("Sedation: resolution time", 1)[1])
    assert ISO_MOMENT.findall(text) == []


def test_the_print_view_is_the_pdfs_document_for_the_same_readers(
    web, personas, nurse, front_desk, outsider, completed
):
    page = web(nurse).get(f"/treatments/sessions/{completed.id}/rems/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Spravato REMS Patient Monitoring Form</h1>" in html
    assert "Pulse oximetry monitored during the observation period" in html
    assert f"/treatments/sessions/{completed.id}/rems.pdf" in html
    # whoever may not open the PDF may not open the print view either, and the reverse
    url = f"/treatments/sessions/{completed.id}/"
    for user, status in ((front_desk, 403), (outsider, 404)):
        assert web(user).get(url + "rems.pdf").status_code == status
        assert web(user).get(url + "rems/").status_code == status
    for role in sorted(personas):
        client = web(personas[role])
        pdf, page = client.get(url + "rems.pdf"), client.get(url + "rems/")
        assert pdf.status_code == page.status_code, role
