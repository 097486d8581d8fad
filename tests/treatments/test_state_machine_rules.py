"""The session state machine allows the clinical order only, and abort from any open state."""

import itertools

import pytest

from ketaclinic.treatments import codes as c
from ketaclinic.treatments.rules import TRANSITIONS, IllegalTransition, check_transition

HAPPY_PATH = [
    c.SCHEDULED,
    c.CHECKED_IN,
    c.PRE_CHECKS_DONE,
    c.DOSING,
    c.MONITORING,
    c.READY_FOR_DISCHARGE,
    c.DISCHARGED,
]
ALL = [code for code, _ in c.STATUSES]


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(ALL)


@pytest.mark.parametrize(("current", "target"), list(itertools.pairwise(HAPPY_PATH)))
def test_the_happy_path_is_allowed_step_by_step(current, target):
    check_transition(current, target)


@pytest.mark.parametrize("current", HAPPY_PATH[:-1])
def test_a_session_can_be_aborted_from_any_open_state(current):
    check_transition(current, c.ABORTED)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (c.SCHEDULED, c.DOSING),
        (c.CHECKED_IN, c.DOSING),
        (c.PRE_CHECKS_DONE, c.MONITORING),
        (c.MONITORING, c.DISCHARGED),
        (c.SCHEDULED, c.DISCHARGED),
        (c.DISCHARGED, c.MONITORING),
        (c.DISCHARGED, c.ABORTED),
        (c.ABORTED, c.CHECKED_IN),
        (c.DOSING, c.CHECKED_IN),
    ],
)
def test_skipping_a_step_or_going_back_is_refused(current, target):
    with pytest.raises(IllegalTransition) as refused:
        check_transition(current, target)

    assert f"cannot become {target}" in str(refused.value)


def test_a_new_alert_may_send_a_ready_patient_back_to_monitoring():
    check_transition(c.READY_FOR_DISCHARGE, c.MONITORING)


def test_final_states_allow_nothing():
    assert TRANSITIONS[c.DISCHARGED] == frozenset()
    assert TRANSITIONS[c.ABORTED] == frozenset()
    with pytest.raises(IllegalTransition, match="none \\(final\\)"):
        check_transition(c.DISCHARGED, c.DISCHARGED)
