"""The independent checker catches every broken rule in a plan (so a planner bug cannot hide)."""

import dataclasses
import datetime as dt

import pytest

from ketaclinic.capacity.planner import ESKETAMINE, IV, NewPatientDemand, SessionDemand, plan_week
from ketaclinic.capacity.planner.checker import check_plan

from .weeks import ESK, IV_40, MONDAY, TimeWindow, chair, day, hours, nurse, prescriber, week

MINUTES = dt.timedelta(minutes=1)


def shifted(session, minutes):
    """The same session moved by some minutes (all its times together)."""
    delta = minutes * MINUTES
    return dataclasses.replace(
        session,
        start=session.start + delta,
        dose_start=session.dose_start + delta,
        dose_end=session.dose_end + delta,
        end=session.end + delta,
        chair_free=session.chair_free + delta,
    )


@pytest.fixture(scope="module")
def legal():
    """A legal two-day plan: two esketamine sessions of one course, one IV session."""
    data = week(
        chairs=[chair(1, IV, ESKETAMINE), chair(2, IV)],
        shifts=[
            nurse("nurse-a", 0, (8, 0), (16, 0)),
            nurse("nurse-a", 2, (8, 0), (16, 0)),
            nurse("nurse-b", 0, (8, 0), (16, 0)),
            prescriber("doc", 0, (8, 0), (13, 0)),
            prescriber("doc", 2, (8, 0), (13, 0)),
        ],
        hours=[hours(0, (8, 0), (16, 0)), hours(2, (8, 0), (16, 0))],
        sessions=[
            SessionDemand(
                "esk-1",
                "p1",
                "c1",
                ESKETAMINE,
                ESK,
                last_dosed_on=MONDAY - dt.timedelta(days=3),
                min_gap_days=2,
                max_gap_days=7,
            ),
            SessionDemand(
                "esk-2", "p1", "c1", ESKETAMINE, ESK, previous_id="esk-1", min_gap_days=2
            ),
            SessionDemand(
                "iv-1",
                "p2",
                "c2",
                IV,
                IV_40,
                availability=(TimeWindow(day(0), dt.time(8), dt.time(12)),),
            ),
        ],
        new_patients=[
            NewPatientDemand("new-1", "p3", 1, IV, IV_40, sessions_in_week=2, min_gap_days=2)
        ],
        ratio=1,
    )
    plan = plan_week(data, time_limit_s=10, workers=2).plan
    assert plan.sessions_placed == 3 and plan.new_patients_started == 1
    assert check_plan(data, plan.sessions) == []
    return data, {s.session_id or f"{s.new_patient_id}#{s.sequence}": s for s in plan.sessions}


def rules_broken(data, sessions):
    return {v.rule for v in check_plan(data, sessions.values())}


def test_two_sessions_in_one_chair_at_once_are_caught(legal):
    data, sessions = legal
    first, iv = sessions["esk-1"], sessions["iv-1"]
    sessions = sessions | {
        "iv-1": dataclasses.replace(
            shifted(iv, (first.start - iv.start) / MINUTES), chair_id=first.chair_id
        )
    }
    assert "chair_overlap" in rules_broken(data, sessions)


def test_a_nurse_over_the_clinics_ratio_is_caught(legal):
    data, sessions = legal
    first, iv = sessions["esk-1"], sessions["iv-1"]
    # Same time, another chair, the same nurse: two patients for a 1-chair nurse.
    moved = dataclasses.replace(
        shifted(iv, (first.start - iv.start) / MINUTES), nurse_id=first.nurse_id
    )
    if moved.chair_id == first.chair_id:
        moved = dataclasses.replace(moved, chair_id="chair-2")
    assert "nurse_ratio" in rules_broken(data, sessions | {"iv-1": moved})


def test_esketamine_without_a_prescriber_on_site_is_caught(legal):
    data, sessions = legal
    # The prescriber leaves at 13:00; an afternoon esketamine session has nobody.
    first = sessions["esk-1"]
    late = shifted(first, (dt.datetime.combine(MONDAY, dt.time(13)) - first.start) / MINUTES)
    assert "prescriber" in rules_broken(data, sessions | {"esk-1": late})


def test_observation_shorter_than_the_protocol_is_caught(legal):
    data, sessions = legal
    first = sessions["esk-1"]
    short = dataclasses.replace(first, end=first.end - 10 * MINUTES)
    assert "observation_short" in rules_broken(data, sessions | {"esk-1": short})


def test_induction_sessions_closer_than_the_minimum_gap_are_caught(legal):
    data, sessions = legal
    first, second = sessions["esk-1"], sessions["esk-2"]
    one_day_later = shifted(second, ((first.start - second.start) / MINUTES) + 24 * 60)
    assert "spacing_min_gap" in rules_broken(data, sessions | {"esk-2": one_day_later})


def test_a_session_outside_opening_hours_is_caught(legal):
    data, sessions = legal
    iv = sessions["iv-1"]
    evening = shifted(iv, (dt.datetime.combine(iv.start.date(), dt.time(15)) - iv.start) / MINUTES)
    assert "hours" in rules_broken(data, sessions | {"iv-1": evening})


def test_a_chair_that_cannot_give_the_treatment_is_caught(legal):
    data, sessions = legal
    wrong = dataclasses.replace(sessions["esk-1"], chair_id="chair-2")  # IV only
    assert "chair_capability" in rules_broken(data, sessions | {"esk-1": wrong})


def test_a_nurse_off_shift_and_a_patient_not_available_are_caught(legal):
    data, sessions = legal
    iv = sessions["iv-1"]
    afternoon = shifted(iv, (dt.datetime.combine(MONDAY, dt.time(12)) - iv.start) / MINUTES)
    other_nurse = dataclasses.replace(sessions["esk-2"], nurse_id="nurse-b")  # not on Wednesday
    broken = rules_broken(data, sessions | {"iv-1": afternoon, "esk-2": other_nurse})
    assert {"patient_availability", "nurse_off_shift"} <= broken


def test_a_waiting_patient_started_with_only_part_of_their_sessions_is_caught(legal):
    data, sessions = legal
    partial = {k: v for k, v in sessions.items() if k != "new-1#2"}
    assert "incomplete_start" in rules_broken(data, partial)


def test_a_later_session_without_the_earlier_one_is_caught(legal):
    data, sessions = legal
    alone = {k: v for k, v in sessions.items() if k != "esk-1"}
    assert "spacing_order" in rules_broken(data, alone)
