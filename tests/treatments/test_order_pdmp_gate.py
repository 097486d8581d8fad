"""Acceptance: in a state whose rule requires a PDMP check before administering, signing an
order without a check in the window is refused, naming the rule and its source."""

import html

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.pdmp import services as pdmp_services
from ketaclinic.pdmp.models import PdmpSettings
from ketaclinic.treatments.models import DoseOrder, TreatmentSession
from tests.pdmp.helpers import record
from tests.treatments.helpers import (
    course_today,
    dosing_started,
    first_session,
    practising_in,
    pre_checked,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]

ALASKA = (
    "A PDMP check before every order for administering is required in AK "
    "(Alaska Stat. § 17.30.200(k)(4))"
)


@pytest.fixture
def alaska(clinic):
    practising_in(clinic, "AK")


def ready_session(prescriber, nurse, patient, protocol="esketamine_trd"):
    return pre_checked(first_session(course_today(prescriber, nurse, patient, protocol)), nurse)


def signed_events(session):
    return AuditEvent.objects.filter(action="session.order_signed", object_id=str(session.order.pk))


def test_an_order_without_a_check_is_refused_by_the_api_naming_the_rule_and_its_source(
    api, alaska, prescriber, nurse, patient
):
    # given a clinic in Alaska, whose statute wants a PDMP review before every administration
    session = ready_session(prescriber, nurse, patient)
    # when the prescriber signs without any check recorded
    answer = api(prescriber).post(f"/sessions/{session.id}/order", {"dose_mg": 56})
    # then it is refused with a 422 on the field pdmp_check, naming the rule and its source
    assert answer.status_code == 422
    message = answer.json()["fields"]["pdmp_check"]
    assert message == f"{ALASKA}: no check by or for this prescriber is recorded."
    # and nothing was signed
    assert not DoseOrder.objects.filter(session=session).exists()
    assert not AuditEvent.objects.filter(action="session.order_signed").exists()

    # when the nurse, as the prescriber's delegate, records the check, the order goes through
    record(nurse, patient, prescriber=prescriber, state="AK", hours_ago=0.25)
    answer = api(prescriber).post(f"/sessions/{session.id}/order", {"dose_mg": 56})
    assert answer.status_code == 200
    assert answer.json()["order"]["dose_mg"] in ("56", "56.0", 56)


def test_a_check_older_than_the_clinics_one_day_window_is_refused_and_a_fresh_one_is_not(
    api, clinic, clinic_admin, prescriber, nurse, patient
):
    # given a clinic in Ohio with its own row: a check within 1 day before administering
    practising_in(clinic, "OH")
    pdmp_services.set_rule(
        actor=clinic_admin,
        state="OH",
        before_prescribing=False,
        before_administering=True,
        frequency="within_days",
        window_days=1,
    )
    session = ready_session(prescriber, nurse, patient, "iv_ketamine")
    order = {"concentration_mg_per_ml": 10, "bag_volume_ml": 100}
    record(prescriber, patient, state="OH", hours_ago=30)
    # when the prescriber signs with a check 30 hours old
    answer = api(prescriber).post(f"/sessions/{session.id}/order", order)
    # then it is refused, naming the clinic's rule and that nobody cited a source for it
    assert answer.status_code == 422
    assert answer.json()["fields"]["pdmp_check"] == (
        "A PDMP check within 1 day before administering is required in OH (clinic-entered): "
        "the last check was 1 day ago."
    )
    # a check of another state's PDMP does not count
    record(prescriber, patient, state="PA", hours_ago=1)
    assert api(prescriber).post(f"/sessions/{session.id}/order", order).status_code == 422
    # and a fresh check of Ohio's does
    record(prescriber, patient, state="OH", hours_ago=1)
    assert api(prescriber).post(f"/sessions/{session.id}/order", order).status_code == 200


def test_only_the_ordering_prescribers_own_checks_count(
    api, alaska, prescriber, prescriber2, nurse, patient
):
    session = ready_session(prescriber, nurse, patient)
    record(prescriber2, patient, state="AK", hours_ago=1)
    answer = api(prescriber).post(f"/sessions/{session.id}/order", {"dose_mg": 56})
    assert answer.status_code == 422
    assert "no check by or for this prescriber" in answer.json()["fields"]["pdmp_check"]


def test_before_every_order_the_next_session_needs_a_check_after_the_previous_order(
    api, at_clinic_time, alaska, prescriber, nurse, patient
):
    # given session 1 ordered and dosed after a check
    course = course_today(prescriber, nurse, patient)
    sessions = list(TreatmentSession.objects.filter(course=course).order_by("number"))
    record(prescriber, patient, state="AK", hours_ago=2)
    dosing_started(sessions[0], prescriber, nurse, minutes_ago=30)
    # when session 2 comes, on its own day, with no new check
    at_clinic_time(14, days=(sessions[1].scheduled_date - sessions[0].scheduled_date).days)
    second = pre_checked(TreatmentSession.objects.get(pk=sessions[1].pk), nurse)
    answer = api(prescriber).post(f"/sessions/{second.id}/order", {"dose_mg": 56})
    # then the earlier check does not count: it was made before the previous order
    assert answer.status_code == 422
    assert "before the previous order" in answer.json()["fields"]["pdmp_check"]
    # when the prescriber checks again, the order is signed
    record(prescriber, patient, state="AK", hours_ago=0.1)
    assert api(prescriber).post(f"/sessions/{second.id}/order", {"dose_mg": 56}).status_code == 200
    # and re-signing this session's order (a corrected dose) needs no further check: the order
    # it replaces was never given
    answer = api(prescriber).post(f"/sessions/{second.id}/order", {"dose_mg": 84})
    assert answer.status_code == 200 and answer.json()["order"]["devices"] == 3


def test_in_new_york_no_check_is_required_before_administering(
    api, clinic, prescriber, nurse, patient
):
    # New York's rule asks for a check before prescribing, not before administering
    practising_in(clinic, "NY")
    session = ready_session(prescriber, nurse, patient)
    assert api(prescriber).post(f"/sessions/{session.id}/order", {"dose_mg": 56}).status_code == 200


def test_an_unconfirmed_practice_state_refuses_the_order(api, prescriber, nurse, patient):
    session = first_session(course_today(prescriber, nurse, patient))
    # the administrator's confirmation is withdrawn (a clinic that never confirmed its state)
    PdmpSettings.objects.filter(clinic_id=patient.clinic_id).delete()
    session = pre_checked(session, nurse)
    answer = api(prescriber).post(f"/sessions/{session.id}/order", {"dose_mg": 56})
    assert answer.status_code == 422
    assert "has not confirmed the state it practises in" in answer.json()["fields"]["pdmp_check"]


def test_the_order_form_shows_the_rule_before_signing_and_the_refusal_after(
    web, alaska, prescriber, nurse, patient
):
    session = ready_session(prescriber, nurse, patient)
    client = web(prescriber)
    refusal = f"{ALASKA}: no check by or for this prescriber is recorded."
    # before signing, the order form says what the state's rule asks, with its source
    form = html.unescape(client.get(f"/treatments/sessions/{session.id}/").content.decode())
    assert f'id="order-pdmp"><strong>PDMP</strong> {refusal}' in form
    assert f'href="/patients/{patient.id}/pdmp/"' in form
    # when the prescriber submits the order form without a check
    page = html.unescape(
        client.post(
            f"/treatments/sessions/{session.id}/order/", {"dose_mg": "56"}, follow=True
        ).content.decode()
    )
    # then the page says why it was refused, once, naming the rule and its source
    assert f'<li class="message error">{refusal}</li>' in page
    assert "Order signed." not in page
    assert not DoseOrder.objects.filter(session=session).exists()
    # and once a check is recorded, the form says so and the order is signed
    record(prescriber, patient, state="AK", hours_ago=0.1)
    form = html.unescape(client.get(f"/treatments/sessions/{session.id}/").content.decode())
    assert f"{ALASKA}: the last check was 6 minutes ago." in form
    page = client.post(
        f"/treatments/sessions/{session.id}/order/", {"dose_mg": "56"}, follow=True
    ).content.decode()
    assert "Order signed." in page


def test_a_nurse_sees_no_pdmp_line_on_the_order_form(web, alaska, prescriber, nurse, patient):
    session = ready_session(prescriber, nurse, patient)
    assert (
        'id="order-pdmp"'
        not in web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()
    )
