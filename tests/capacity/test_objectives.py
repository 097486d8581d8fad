"""The planner's objectives in order: due sessions, then waiting patients by rank, then idle time;
and the input it refuses."""

import dataclasses
import datetime as dt

import pytest

from ketaclinic.capacity.planner import (
    ESKETAMINE,
    IV,
    NewPatientDemand,
    PlanningRefused,
    SessionDemand,
    SessionTiming,
    StaffingRules,
    plan_week,
)
from ketaclinic.capacity.planner.checker import check_plan

from .weeks import ESK, IV_40, chair, hours, nurse, prescriber, week

SHORT_IV = SessionTiming(0, 30, 30, 0, 30, "dose_end")  # one hour in the chair
LONG_IV = SessionTiming(0, 60, 60, 0, 60, "dose_end")  # two hours in the chair


def one_chair_until(close_hour, sessions=(), new_patients=(), chairs=1):
    return week(
        chairs=[chair(i + 1, IV) for i in range(chairs)],
        shifts=[nurse("a", 0, (8, 0), (18, 0))],
        hours=[hours(0, (8, 0), (close_hour, 0))],
        sessions=sessions,
        new_patients=new_patients,
    )


def planned(data):
    report = plan_week(data, time_limit_s=10, workers=2)
    assert check_plan(data, report.plan.sessions) == []
    return report.plan


def test_when_not_every_due_session_fits_the_higher_priority_one_is_placed():
    data = one_chair_until(
        10,
        sessions=[
            SessionDemand("routine", "p1", "c1", IV, LONG_IV, priority=0),
            SessionDemand("urgent", "p2", "c2", IV, LONG_IV, priority=3),
        ],
    )
    assert [s.session_id for s in planned(data).sessions] == ["urgent"]


def test_due_sessions_come_before_any_waiting_patient():
    data = one_chair_until(
        10,
        sessions=[SessionDemand("due", "p1", "c1", IV, LONG_IV)],
        new_patients=[NewPatientDemand("w1", "q1", 1, IV, SHORT_IV)],
    )
    result = planned(data)
    assert [s.session_id for s in result.sessions] == ["due"]
    assert [u.new_patient_id for u in result.not_started] == ["w1"]
    assert result.not_started[0].blocked_by == ("chairs",)


def test_the_first_on_the_waiting_list_starts_when_only_one_can():
    data = one_chair_until(
        9,
        new_patients=[
            NewPatientDemand("second", "q2", 2, IV, SHORT_IV),
            NewPatientDemand("first", "q1", 1, IV, SHORT_IV),
        ],
    )
    assert [s.new_patient_id for s in planned(data).sessions] == ["first"]


def test_more_patients_start_before_rank_is_weighed():
    # Given room for one long first session or two short ones: two patients start
    data = one_chair_until(
        10,
        new_patients=[
            NewPatientDemand("first", "q1", 1, IV, LONG_IV),
            NewPatientDemand("second", "q2", 2, IV, SHORT_IV),
            NewPatientDemand("third", "q3", 3, IV, SHORT_IV),
        ],
    )
    result = planned(data)
    assert sorted(s.new_patient_id for s in result.sessions) == ["second", "third"]
    assert result.new_patients_started == 2


def test_sessions_share_a_chair_rather_than_open_a_second_one():
    # Given two one-hour sessions and two chairs open 8-10: one chair holds both
    data = one_chair_until(
        10,
        sessions=[
            SessionDemand("s1", "p1", "c1", IV, SHORT_IV),
            SessionDemand("s2", "p2", "c2", IV, SHORT_IV),
        ],
        chairs=2,
    )
    result = planned(data)
    assert len({s.chair_id for s in result.sessions}) == 1
    assert result.idle_chair_min == 0
    assert result.status == "optimal"


def test_planning_is_refused_until_the_clinic_sets_its_chairs_per_nurse():
    data = dataclasses.replace(one_chair_until(12), staffing=StaffingRules(None))
    with pytest.raises(PlanningRefused) as refused:
        plan_week(data)
    assert "chairs_per_nurse" in refused.value.fields
    assert "assumes no ratio" in refused.value.message


def test_esketamine_observation_shorter_than_the_label_is_refused():
    short = SessionTiming(15, 15, 60, 10, None, "dose_start")  # 75 min from the first device
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", 0, (8, 0), (13, 0)), prescriber("doc", 0, (8, 0), (13, 0))],
        hours=[hours(0)],
        sessions=[SessionDemand("s1", "p1", "c1", ESKETAMINE, short)],
    )
    with pytest.raises(PlanningRefused) as refused:
        plan_week(data)
    assert "at least 120 min" in refused.value.message
    assert "Spravato" in refused.value.message


def test_a_timing_shorter_than_its_own_protocol_minimum_is_refused():
    timing = dataclasses.replace(IV_40, observation_min=20, minimum_observation_min=30)
    data = one_chair_until(12, sessions=[SessionDemand("s1", "p1", "c1", IV, timing)])
    with pytest.raises(PlanningRefused, match="shorter than the protocol's 30 min"):
        plan_week(data)


def test_an_esketamine_plan_keeps_two_hours_from_the_first_device():
    data = week(
        chairs=[chair(1)],
        shifts=[nurse("a", 0, (8, 0), (13, 0)), prescriber("doc", 0, (8, 0), (13, 0))],
        hours=[hours(0)],
        sessions=[SessionDemand("s1", "p1", "c1", ESKETAMINE, ESK)],
    )
    (session,) = planned(data).sessions
    assert session.end - session.dose_start >= dt.timedelta(minutes=120)


def test_a_negative_priority_is_refused():
    data = one_chair_until(
        12, sessions=[SessionDemand("s1", "p1", "c1", IV, SHORT_IV, priority=-1)]
    )
    with pytest.raises(PlanningRefused, match="priority"):
        plan_week(data)
