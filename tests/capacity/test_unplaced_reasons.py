"""A week that cannot hold every due session says which constraint blocked each one."""

import datetime as dt

from ketaclinic.capacity.planner import ESKETAMINE, IV, SessionDemand, plan_week
from ketaclinic.capacity.planner.checker import check_plan

from .weeks import ESK, IV_40, MONDAY, TimeWindow, chair, day, hours, nurse, prescriber, week


def due(sid, kind=IV, timing=IV_40, patient=None, **extra):
    return SessionDemand(sid, patient or f"patient-{sid}", f"course-{sid}", kind, timing, **extra)


def plan(data):
    report = plan_week(data, time_limit_s=10, workers=2)
    assert check_plan(data, report.plan.sessions) == []
    return report.plan


def blocked(result):
    return {u.session_id: u.blocked_by for u in result.unplaced}


MONDAY_ONLY = {"hours": [hours(0, (8, 0), (13, 0))]}


def test_a_full_chair_blocks_the_session_that_does_not_fit():
    # Given one chair open 8:00-11:00 and two 150-minute IV sessions, nurses to spare
    data = week(
        chairs=[chair(1, IV)],
        shifts=[nurse("a", 0, (8, 0), (13, 0)), nurse("b", 0, (8, 0), (13, 0))],
        hours=[hours(0, (8, 0), (11, 0))],
        sessions=[due("s1"), due("s2")],
    )
    result = plan(data)
    # Then one is placed, the other is blocked by chairs, and the week is infeasible
    assert result.sessions_placed == 1
    assert list(blocked(result).values()) == [("chairs",)]
    assert result.status == "infeasible"


def test_a_nurse_at_her_ratio_blocks_the_next_patient():
    # Given two chairs but one nurse who may watch one chair at a time
    data = week(
        chairs=[chair(1, IV), chair(2, IV)],
        shifts=[nurse("a", 0, (8, 0), (11, 0))],
        hours=[hours(0, (8, 0), (11, 0))],
        sessions=[due("s1"), due("s2")],
        ratio=1,
    )
    result = plan(data)
    assert result.sessions_placed == 1
    assert list(blocked(result).values()) == [("nurses",)]


def test_esketamine_without_a_prescriber_on_site_is_not_placed():
    # Given a prescriber on site only until 9:00, and nobody later
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", 0, (8, 0), (13, 0)), prescriber("doc", 0, (8, 0), (9, 0))],
        sessions=[due("s1", ESKETAMINE, ESK)],
        **MONDAY_ONLY,
    )
    result = plan(data)
    assert blocked(result) == {"s1": ("prescriber",)}
    assert "prescriber" in result.unplaced[0].detail


def test_the_prescriber_rule_can_be_set_for_iv_too():
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", 0, (8, 0), (13, 0))],
        sessions=[due("s1")],
        prescriber_for={ESKETAMINE, IV},
        **MONDAY_ONLY,
    )
    assert blocked(plan(data)) == {"s1": ("prescriber",)}


def test_no_chair_set_up_for_the_treatment_blocks_it():
    data = week(
        chairs=[chair(1, IV)],
        shifts=[nurse("a", 0, (8, 0), (13, 0)), prescriber("doc", 0, (8, 0), (13, 0))],
        sessions=[due("s1", ESKETAMINE, ESK)],
        **MONDAY_ONLY,
    )
    result = plan(data)
    assert blocked(result) == {"s1": ("chairs",)}
    assert "esketamine" in result.unplaced[0].detail


def test_a_day_too_short_for_the_session_blocks_it_on_hours():
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", 0, (8, 0), (13, 0)), prescriber("doc", 0, (8, 0), (13, 0))],
        hours=[hours(0, (8, 0), (10, 0))],
        sessions=[due("s1", ESKETAMINE, ESK)],
    )
    assert blocked(plan(data)) == {"s1": ("hours",)}


def test_a_patient_free_only_when_the_clinic_is_closed_is_blocked_by_availability():
    evenings = (TimeWindow(day(0), dt.time(17), dt.time(21)),)
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", 0, (8, 0), (13, 0))],
        sessions=[due("s1", availability=evenings)],
        **MONDAY_ONLY,
    )
    assert blocked(plan(data)) == {"s1": ("patient_availability",)}


def test_a_nurse_shift_too_short_for_the_whole_session_blocks_it_on_nurses():
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", 0, (8, 0), (9, 0))],
        sessions=[due("s1")],
        **MONDAY_ONLY,
    )
    assert blocked(plan(data)) == {"s1": ("nurses",)}


def test_a_course_past_its_maximum_gap_is_blocked_by_spacing():
    # Given a course last dosed ten days before the week, interrupted after nine
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", 0, (8, 0), (13, 0))],
        sessions=[
            due("s1", last_dosed_on=MONDAY - dt.timedelta(days=10), min_gap_days=2, max_gap_days=9)
        ],
        **MONDAY_ONLY,
    )
    result = plan(data)
    assert blocked(result) == {"s1": ("spacing",)}
    assert "interrupted" in result.unplaced[0].detail


def test_the_second_induction_session_waits_the_minimum_gap():
    # Given a twice-weekly course open only Monday and Tuesday, two days apart at least
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", d, (8, 0), (13, 0)) for d in (0, 1)],
        hours=[hours(0), hours(1)],
        sessions=[
            due("s1", patient="p"),
            due("s2", patient="p", previous_id="s1", min_gap_days=2),
        ],
    )
    result = plan(data)
    assert [s.session_id for s in result.sessions] == ["s1"]
    assert blocked(result) == {"s2": ("spacing",)}
