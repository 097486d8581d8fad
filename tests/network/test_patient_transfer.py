"""A patient moves to another location of the organization: an explicit, audited transfer with
the patient's consent. The receiving location reads the history written at the sending one and
cannot change it; every ledger and DEA record stays with the location that made it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput
from ketaclinic.inventory.queries import verify_clinic_ledger
from ketaclinic.measures.services import record_measure
from ketaclinic.patients.models import Patient, PatientTransfer
from ketaclinic.patients.services import transfer_patient
from tests.factories import make_user
from tests.inventory.conftest import (  # noqa: F401
    MORNING,
    at,
    ketamine,
    make_session,
    receive,
    safe,
)
from tests.measures.conftest import phq9_total

pytestmark = pytest.mark.django_db

CONSENT = "Signed transfer consent form, witnessed by the front desk"


@pytest.fixture
def river_nurse(riverside):
    return make_user(riverside, "rn_river", "nurse")


@pytest.fixture
def history_at_lakeside(
    patient,
    nurse,
    make_session,  # noqa: F811
    receive,  # noqa: F811
    ketamine,  # noqa: F811
    safe,  # noqa: F811
):
    """Jordan's course at Lakeside with a PHQ-9, and Lakeside's ledger with a receipt."""
    session = make_session(patient)
    record_measure(
        actor=nurse,
        patient=patient,
        instrument="phq9",
        answers=phq9_total(19),
        administered_at=MORNING,
    )
    receive(ketamine, safe, lot_number="LAKE-7")
    return session


def _ledgers(*clinics) -> list:
    """What each location's ledger reports: its verification and its entries."""
    return [
        (verdict.valid, verdict.entries, verdict.head)
        for verdict in (verify_clinic_ledger(c.pk, full=True) for c in clinics)
    ]


def test_a_transfer_moves_the_patient_and_the_receiving_location_reads_the_history_only(
    web, prescriber, river_nurse, riverside, clinic, patient, history_at_lakeside
):
    ledgers_before = _ledgers(clinic, riverside)
    # when Lakeside's prescriber transfers Jordan to Riverside with her consent (the page)
    answer = web(prescriber).post(
        reverse("patients:transfer", args=[patient.pk]),
        {"to_clinic": str(riverside.pk), "consent_note": CONSENT},
    )
    assert answer.status_code == 302
    received = Patient.objects.get(clinic=riverside)
    # then Riverside has Jordan with its own MRN and the same demographics
    assert (received.family_name, received.date_of_birth) == ("Rivera", patient.date_of_birth)
    assert received.mrn.startswith("RV") and patient.mrn.startswith("KC")
    # and both locations recorded the transfer with the consent, in their own audit logs
    out = PatientTransfer.objects.get(clinic=clinic, direction="out")
    into = PatientTransfer.objects.get(clinic=riverside, direction="in")
    assert (out.patient_id, out.other_patient_id) == (patient.pk, received.pk)
    assert (into.patient_id, into.other_patient_id) == (received.pk, patient.pk)
    assert into.consent_note == CONSENT
    assert AuditEvent.objects.get(action="patient.transferred_out").clinic_id == clinic.pk
    assert AuditEvent.objects.get(action="patient.transferred_in").clinic_id == riverside.pk

    # the receiving location sees the history, read-only
    client = web(river_nurse)
    chart = client.get(reverse("patients:chart", args=[received.pk])).content.decode()
    assert "Transferred from <strong>Lakeside Clinic</strong>" in chart
    earlier = client.get(reverse("network:earlier_care", args=[received.pk]))
    assert earlier.status_code == 200
    page = earlier.content.decode()
    courses = page.split('id="earlier-courses"')[1].split("</table>")[0]
    assert history_at_lakeside.course.protocol_name in courses
    scores = page.split('id="earlier-scores"')[1].split("</table>")[0]
    assert "PHQ-9" in scores and "<td>19</td>" in scores
    assert "<form" not in page.split('id="earlier-h"')[1]
    assert AuditEvent.objects.get(action="patient.earlier_care_viewed").clinic_id == riverside.pk
    # and it cannot open or change the record where it was written
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 404
    assert client.get(reverse("patients:edit", args=[patient.pk])).status_code == 404
    # the sending location still has its record, marked as transferred
    sent = web(prescriber).get(reverse("patients:chart", args=[patient.pk])).content.decode()
    assert "Transferred to <strong>Riverside Clinic</strong>" in sent

    # the ledgers of both locations are unchanged, and verify_ledger finds both intact
    assert _ledgers(clinic, riverside) == ledgers_before
    report = io.StringIO()
    call_command("verify_ledger", "--clinic", "lakeside", stdout=report)
    call_command("verify_ledger", "--clinic", "riverside", stdout=report)
    assert "lakeside: intact" in report.getvalue()
    assert "riverside: intact" in report.getvalue()


def test_a_transfer_needs_consent_a_location_of_the_organization_and_the_right_role(
    prescriber, nurse, clinic, riverside, other_clinic, patient
):
    with pytest.raises(InvalidInput, match="consent_note"):
        transfer_patient(actor=prescriber, patient=patient, to_clinic=riverside, consent_note=" ")
    with pytest.raises(InvalidInput, match="to_clinic"):
        transfer_patient(
            actor=prescriber, patient=patient, to_clinic=other_clinic, consent_note=CONSENT
        )
    with pytest.raises(InvalidInput, match="to_clinic"):
        transfer_patient(actor=prescriber, patient=patient, to_clinic=clinic, consent_note=CONSENT)
    with pytest.raises(Forbidden):
        transfer_patient(actor=nurse, patient=patient, to_clinic=riverside, consent_note=CONSENT)
    assert not Patient.objects.filter(clinic=riverside).exists()
    transfer_patient(actor=prescriber, patient=patient, to_clinic=riverside, consent_note=CONSENT)
    with pytest.raises(Conflict):
        transfer_patient(
            actor=prescriber, patient=patient, to_clinic=riverside, consent_note=CONSENT
        )
    assert Patient.objects.filter(clinic=riverside).count() == 1


def test_a_patient_who_was_not_transferred_has_no_earlier_care(web, nurse, patient, other_clinic):
    answer = web(nurse).get(reverse("network:earlier_care", args=[patient.pk]))
    assert answer.status_code == 200 and 'id="no-transfer"' in answer.content.decode()
    assert not AuditEvent.objects.filter(action="patient.earlier_care_viewed").exists()
    outsider = make_user(other_clinic, "rn_hill", "nurse")
    assert web(outsider).get(reverse("network:earlier_care", args=[patient.pk])).status_code == 404
