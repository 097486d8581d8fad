"""Charges at discharge: the clinic's setting (automatic by default) charges a session when
the patient leaves, in the discharge's transaction; manual leaves it to the billing page."""

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.billing import services
from ketaclinic.billing.models import Charge
from tests.billing.helpers import fee_schedule
from tests.treatments.test_discharge_api import dosed, recovered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]


def discharge(api, nurse, session):
    return api(nurse).post(f"/sessions/{session.id}/discharge", {"escort_present": True})


def test_by_default_the_session_is_charged_when_the_patient_is_discharged(
    api, clinic_admin, prescriber, nurse, patient
):
    fee_schedule(clinic_admin)
    session = dosed(prescriber, nurse, patient, minutes_ago=130)
    recovered(api, nurse, session)

    assert discharge(api, nurse, session).status_code == 200

    # the charges exist without anyone pressing the billing button: G2082 and two devices
    lines = sorted((c.code, str(c.quantity)) for c in Charge.objects.filter(session_id=session.id))
    assert lines == [("", "2.00"), ("G2082", "1.00")]
    events = list(
        AuditEvent.objects.filter(
            action__in=("session.discharged", "billing.session_charged")
        ).order_by("id")
    )
    assert [e.action for e in events] == ["session.discharged", "billing.session_charged"]
    assert events[1].changes["at_discharge"] is True
    # the billing button then finds nothing left to charge
    again = api(clinic_admin).post(f"/sessions/{session.id}/charges")
    assert again.status_code == 409


def test_a_refused_discharge_charges_nothing(api, clinic_admin, prescriber, nurse, patient):
    fee_schedule(clinic_admin)
    session = dosed(prescriber, nurse, patient, minutes_ago=60)  # before the 2 hours
    recovered(api, nurse, session)

    assert discharge(api, nurse, session).status_code == 409

    assert not Charge.objects.filter(session_id=session.id).exists()


def test_a_session_that_cannot_be_charged_is_still_discharged_and_the_reason_kept(
    api, prescriber, nurse, patient
):
    # no fee schedule at all
    session = dosed(prescriber, nurse, patient, minutes_ago=130)
    recovered(api, nurse, session)

    assert discharge(api, nurse, session).json()["status"] == "discharged"

    assert not Charge.objects.filter(session_id=session.id).exists()
    kept = AuditEvent.objects.get(action="billing.discharge_not_charged")
    assert "No fee schedule" in kept.changes["reason"]


def test_a_clinic_that_charges_by_hand_gets_no_charge_at_discharge(
    api, clinic_admin, front_desk, prescriber, nurse, patient
):
    fee_schedule(clinic_admin)
    services.update_billing_settings(actor=clinic_admin, charge_at_discharge="manual")
    session = dosed(prescriber, nurse, patient, minutes_ago=130)
    recovered(api, nurse, session)

    assert discharge(api, nurse, session).status_code == 200

    assert not Charge.objects.filter(session_id=session.id).exists()
    # the existing button path charges it
    assert api(front_desk).post(f"/sessions/{session.id}/charges").status_code == 201


def test_the_setting_takes_only_automatic_or_manual(api, clinic_admin):
    answer = api(clinic_admin).patch("/billing/settings", {"charge_at_discharge": "sometimes"})
    assert answer.status_code == 422
    answer = api(clinic_admin).patch("/billing/settings", {"charge_at_discharge": "manual"})
    assert answer.json()["charge_at_discharge"] == "manual"
