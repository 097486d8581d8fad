"""The demo clinic shows coverage and authorizations: a covered course short of units, an
approval expiring in 10 days on the work queue, and a packet with the example checklist."""

import pytest

from ketaclinic.accounts.models import User
from ketaclinic.authorizations import packet, queries
from ketaclinic.authorizations.definitions import EXAMPLE_PAYER_NAME
from ketaclinic.intake.queries import trials_of
from ketaclinic.measures.queries import patient_history
from tests.pdf import pdf_text


@pytest.fixture
def desk(demo_clinic, db):
    return User.objects.get(clinic=demo_clinic, role="front_desk", username="frontdesk")


def test_the_demo_work_queue_has_an_expiring_approval_and_a_course_short_of_units(desk):
    items = queries.warnings_for_clinic(desk)
    kinds = {i.kind for i in items}
    assert {"expiring", "units_short"} <= kinds
    expiring = next(i for i in items if i.kind == "expiring")
    assert "(in 10 days)" in expiring.message


def test_the_demo_patient_has_a_coverage_a_benefits_check_and_a_packet(desk, demo_clinic):
    prescriber = User.objects.get(clinic=demo_clinic, username="prescriber")
    item = next(i for i in queries.warnings_for_clinic(desk) if i.kind == "units_short")
    patient = queries.access_coverage_patient(desk, item.patient_id)
    overview = queries.patient_overview(desk, patient)
    assert overview.coverages[0].payer_name == EXAMPLE_PAYER_NAME
    assert overview.checks[0].prior_authorization_required == "yes"
    authorization = overview.rows[0].authorization
    assert authorization.status == "approved"
    built = packet.build_packet(prescriber, authorization)
    assert built.checklist.payer_name == EXAMPLE_PAYER_NAME
    assert built.tally["met"] >= 1 and len(built.results) == 6


def test_the_demo_patients_packet_pdf_reads_back_with_every_trial_and_the_phq9_history(
    desk, demo_clinic, web
):
    # given the demo patient whose course is short of units, and the demo prescriber
    prescriber = User.objects.get(clinic=demo_clinic, username="prescriber")
    item = next(i for i in queries.warnings_for_clinic(desk) if i.kind == "units_short")
    patient = queries.access_coverage_patient(desk, item.patient_id)
    authorization = queries.patient_overview(desk, patient).rows[0].authorization
    # when the prescriber downloads the packet's PDF
    url = f"/patients/{patient.id}/coverage/authorizations/{authorization.id}/packet.pdf"
    response = web(prescriber).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    # then every antidepressant trial the intake record holds is listed, with its dose
    trials = list(trials_of(patient))
    assert sum(1 for t in trials if t.outcome in ("no_response", "partial_response")) >= 2
    for trial in trials:
        assert trial.drug in text.lower(), trial.drug
        if trial.daily_dose_mg is not None:
            assert f"{trial.daily_dose_mg.normalize():f} mg" in text, trial.daily_dose_mg
    # and every PHQ-9 score of the patient's history
    phq9 = patient_history(prescriber, patient, "phq9")
    assert phq9
    for row in phq9:
        assert f"PHQ-9 {row.total}" in text
    # and which payer criteria are met
    assert "Met" in text and EXAMPLE_PAYER_NAME in text
