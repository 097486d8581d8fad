"""The session state machine allows the clinical order only, and abort from any open state."""

import itertools

import pytest

from ketaclinic.treatments.models import SessionStatus
from ketaclinic.treatments.rules import TRANSITIONS, IllegalTransition, check_transition

HAPPY_PATH = [
    SessionStatus.SCHEDULED,
    SessionStatus.CHECKED_IN,
    SessionStatus.PRE_CHECKS_DONE,
    SessionStatus.DOSING,
    SessionStatus.MONITORING,
    SessionStatus.READY_FOR_DISCHARGE,
    SessionStatus.DISCHARGED,
]
ALL = [code for code, _ in SessionStatus.choices]


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(ALL)


@pytest.mark.parametrize(("current", "target"), list(itertools.pairwise(HAPPY_PATH)))
def test_the_happy_path_is_allowed_step_by_step(current, target):
    check_transition(current, target)


@pytest.mark.parametrize("current", HAPPY_PATH[:-1])
def test_a_session_can_be_aborted_from_any_open_state(current):
    check_transition(current, SessionStatus.ABORTED)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (SessionStatus.SCHEDULED, SessionStatus.DOSING),
        (SessionStatus.CHECKED_IN, SessionStatus.DOSING),
        (SessionStatus.PRE_CHECKS_DONE, SessionStatus.MONITORING),
        (SessionStatus.MONITORING, SessionStatus.DISCHARGED),
        (SessionStatus.SCHEDULED, SessionStatus.DISCHARGED),
        (SessionStatus.DISCHARGED, SessionStatus.MONITORING),
        (SessionStatus.DISCHARGED, SessionStatus.ABORTED),
        (SessionStatus.ABORTED, SessionStatus.CHECKED_IN),
        (SessionStatus.DOSING, SessionStatus.CHECKED_IN),
    ],
)
def test_skipping_a_step_or_going_back_is_refused(current, target):
    with pytest.raises(IllegalTransition) as refused:
        check_transition(current, target)

    assert f"cannot become {target}" in str(refused.value)


def test_a_new_alert_may_send_a_ready_patient_back_to_monitoring():
    check_transition(SessionStatus.READY_FOR_DISCHARGE, SessionStatus.MONITORING)


def test_final_states_allow_nothing():
    assert TRANSITIONS[SessionStatus.DISCHARGED] == frozenset()
    assert TRANSITIONS[SessionStatus.ABORTED] == frozenset()
    with pytest.raises(IllegalTransition, match="none \\(final\\)"):
        check_transition(SessionStatus.DISCHARGED, SessionStatus.DISCHARGED)
