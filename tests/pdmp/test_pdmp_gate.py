"""The gate at signing: check_status and require_recent_check under the clinic's state rule."""

import datetime as dt

import pytest
from django.utils import timezone

from ketaclinic.core.errors import InvalidInput
from ketaclinic.pdmp import queries, services
from tests.pdmp.helpers import confirm_state, record

pytestmark = pytest.mark.django_db


def ohio_row(admin, **changes):
    """A clinic-entered row: a check within 1 day before administering (no citation typed)."""
    row = {
        "state": "OH",
        "before_prescribing": False,
        "before_administering": True,
        "frequency": "within_days",
        "window_days": 1,
    } | changes
    return services.set_rule(actor=admin, **row)


def test_signing_without_a_check_is_refused_naming_the_rule_and_its_source(
    clinic_admin, prescriber, patient, clinic_hours
):
    # given a clinic in Alaska, whose statute requires a review before administering
    confirm_state(clinic_admin, "AK")
    # when the prescriber signs an order to administer without any check
    with pytest.raises(InvalidInput) as refused:
        services.require_recent_check(
            prescriber=prescriber, patient=patient, event="administering", at=timezone.now()
        )
    # then it is refused with a 422 naming the field pdmp_check, the rule and its source
    assert refused.value.status == 422
    message = refused.value.fields["pdmp_check"]
    assert message == refused.value.message
    assert message == (
        "A PDMP check before every order for administering is required in AK "
        "(Alaska Stat. § 17.30.200(k)(4)): no check by or for this prescriber is recorded."
    )


def test_a_check_since_the_previous_order_lets_the_order_through(
    clinic_admin, prescriber, nurse, patient, clinic_hours
):
    confirm_state(clinic_admin, "AK")
    previous = timezone.now() - dt.timedelta(days=3)
    record(nurse, patient, prescriber=prescriber, state="AK", hours_ago=4 * 24)
    with pytest.raises(InvalidInput, match="before the previous order"):
        services.require_recent_check(
            prescriber=prescriber,
            patient=patient,
            event="administering",
            at=timezone.now(),
            previous_order_at=previous,
        )
    # when the nurse, as delegate, checks again today
    record(nurse, patient, prescriber=prescriber, state="AK", hours_ago=0.5)
    status = services.require_recent_check(
        prescriber=prescriber,
        patient=patient,
        event="administering",
        at=timezone.now(),
        previous_order_at=previous,
    )
    assert status.required and status.satisfied
    assert status.message.endswith("the last check was 30 minutes ago.")


def test_a_clinic_row_with_a_one_day_window_counts_back_24_hours(
    clinic_admin, prescriber, patient, at_clinic_time
):
    # given a clinic-entered Ohio row and a check at 09:00 clinic time
    confirm_state(clinic_admin, "OH")
    ohio_row(clinic_admin)
    checked = at_clinic_time(9, 0)
    record(prescriber, patient, state="OH", hours_ago=0)
    # when the order is signed at 08:59 the next day, then the check counts
    at_clinic_time(8, 59, days=1)
    ok = services.require_recent_check(
        prescriber=prescriber, patient=patient, event="administering", at=timezone.now()
    )
    assert ok.satisfied and ok.last_check_at.replace(second=0, microsecond=0) == checked
    # when it is signed at 09:30 that day, then the check is more than a day old
    at_clinic_time(9, 30)
    with pytest.raises(InvalidInput) as refused:
        services.require_recent_check(
            prescriber=prescriber, patient=patient, event="administering", at=timezone.now()
        )
    assert refused.value.fields["pdmp_check"] == (
        "A PDMP check within 1 day before administering is required in OH (clinic-entered): "
        "the last check was 1 day ago."
    )


def test_a_state_that_requires_nothing_before_administering_lets_it_through(
    clinic_admin, prescriber, patient
):
    confirm_state(clinic_admin, "NY")
    status = services.require_recent_check(
        prescriber=prescriber, patient=patient, event="administering", at=timezone.now()
    )
    assert not status.required


def test_without_a_confirmed_state_the_gate_refuses_and_says_what_to_do(prescriber, patient):
    with pytest.raises(InvalidInput) as refused:
        services.require_recent_check(
            prescriber=prescriber, patient=patient, event="prescribing", at=timezone.now()
        )
    assert "has not confirmed the state it practises in" in refused.value.fields["pdmp_check"]


def test_an_unknown_event_is_refused(clinic_admin, prescriber, patient):
    confirm_state(clinic_admin, "NY")
    with pytest.raises(InvalidInput) as refused:
        services.require_recent_check(
            prescriber=prescriber, patient=patient, event="dispensing", at=timezone.now()
        )
    assert "event" in refused.value.fields


def test_another_prescribers_check_does_not_count(clinic_admin, prescriber, prescriber2, patient):
    confirm_state(clinic_admin, "NY")
    record(prescriber2, patient, hours_ago=1)
    status = queries.check_status(patient, prescriber, "NY", "prescribing", timezone.now())
    assert status.blocks


def test_a_check_marked_in_error_no_longer_counts(clinic_admin, prescriber, patient):
    confirm_state(clinic_admin, "NY")
    check = record(prescriber, patient, hours_ago=1)
    assert queries.check_status(patient, prescriber, "NY", "prescribing", timezone.now()).satisfied
    services.correct_check(
        actor=prescriber, check=check, reason="Wrong patient.", entered_in_error=True
    )
    assert queries.check_status(patient, prescriber, "NY", "prescribing", timezone.now()).blocks


def test_a_corrected_check_counts_at_its_corrected_time(clinic_admin, prescriber, patient):
    confirm_state(clinic_admin, "NY")
    wrong = record(prescriber, patient, hours_ago=30)
    services.correct_check(
        actor=prescriber,
        check=wrong,
        reason="Time typed a day early.",
        state="NY",
        checked_at=timezone.now() - dt.timedelta(hours=6),
        transaction_id=wrong.transaction_id,
        finding="no_concern",
    )
    status = queries.check_status(patient, prescriber, "NY", "prescribing", timezone.now())
    assert status.satisfied and status.message.endswith("the last check was 6 hours ago.")


def test_the_clinics_row_replaces_the_built_in_row_of_its_state(clinic_admin, prescriber, patient):
    # given the clinic's own Alaska row that asks for a check within 7 days before administering
    confirm_state(clinic_admin, "AK")
    services.set_rule(
        actor=clinic_admin,
        state="AK",
        before_prescribing=True,
        before_administering=True,
        frequency="within_days",
        window_days=7,
        source="Alaska Stat. § 17.30.200(k)(4) as read by our counsel",
    )
    record(prescriber, patient, state="AK", hours_ago=5 * 24)
    status = services.require_recent_check(
        prescriber=prescriber,
        patient=patient,
        event="administering",
        at=timezone.now(),
        previous_order_at=timezone.now() - dt.timedelta(days=1),
    )
    assert status.satisfied
    assert "within 7 days" in status.message and "as read by our counsel" in status.message
