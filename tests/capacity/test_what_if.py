"""What one more chair, one more nurse shift or longer hours would buy, and what held the week."""

import datetime as dt

import pytest

from ketaclinic.capacity import queries
from ketaclinic.capacity.planner import (
    IV,
    NewPatientDemand,
    SessionDemand,
    extended_hours,
    one_more_chair,
    one_more_nurse_shift,
    plan_week,
    what_if,
)
from ketaclinic.capacity.planner.checker import check_plan
from ketaclinic.capacity.planner.plan import apply

from .weeks import IV_40, chair, day, hours, nurse, random_week, week


def iv(sid):
    return SessionDemand(sid, f"p-{sid}", f"c-{sid}", IV, IV_40)


def checked(data, report):
    for result in (report.before.plan, report.after.plan):
        assert result.status != "feasible"  # tiny weeks are solved to a proof
    assert check_plan(data, report.before.plan.sessions) == []
    assert check_plan(apply(data, report.change), report.after.plan.sessions) == []
    return report


def test_one_more_chair_buys_the_session_a_full_chair_blocked():
    # Given one chair open 8:00-13:00 (two 150-minute sessions) and three due, nurses to spare
    data = week(
        chairs=[chair(1, IV)],
        shifts=[nurse("a", 0, (8, 0), (13, 0)), nurse("b", 0, (8, 0), (13, 0))],
        hours=[hours(0)],
        sessions=[iv("s1"), iv("s2"), iv("s3")],
        new_patients=[NewPatientDemand("w1", "q1", 1, IV, IV_40)],
    )
    report = checked(data, what_if(data, one_more_chair(), time_limit_s=10, workers=2))
    # Then the extra chair places the third session and starts the waiting patient
    assert report.bottleneck == "chairs"
    assert (report.extra_sessions, report.extra_new_patients) == (1, 1)
    assert report.after.plan.sessions_placed == 3
    assert report.as_dict()["change"] == "1 more chair(s)"


def test_one_more_nurse_shift_buys_the_session_the_ratio_blocked():
    data = week(
        chairs=[chair(1, IV), chair(2, IV)],
        shifts=[nurse("a", 0, (8, 0), (13, 0))],
        hours=[hours(0)],
        sessions=[iv("s1"), iv("s2"), iv("s3"), iv("s4")],
        ratio=1,
    )
    change = one_more_nurse_shift(day(0), dt.time(8), dt.time(13))
    report = checked(data, what_if(data, change, time_limit_s=10, workers=2))
    assert report.bottleneck == "nurses"
    assert report.before.plan.sessions_placed == 2
    assert report.extra_sessions == 2


def test_longer_hours_buy_the_session_that_did_not_fit_in_the_day():
    data = week(
        chairs=[chair(1, IV)],
        shifts=[nurse("a", 0, (7, 0), (16, 0))],
        hours=[hours(0, (8, 0), (13, 0))],
        sessions=[iv("s1"), iv("s2"), iv("s3")],
    )
    change = extended_hours(earlier_min=60, later_min=90)
    report = checked(data, what_if(data, change, time_limit_s=10, workers=2))
    assert report.extra_sessions == 1
    assert report.after.plan.sessions[0].start.time() == dt.time(7, 0)


def test_a_change_that_relieves_nothing_buys_nothing():
    # Given a week held by nurses, one more chair adds no session
    data = week(
        chairs=[chair(1, IV), chair(2, IV)],
        shifts=[nurse("a", 0, (8, 0), (13, 0))],
        hours=[hours(0)],
        sessions=[iv("s1"), iv("s2"), iv("s3")],
        ratio=1,
    )
    report = checked(data, what_if(data, one_more_chair(), time_limit_s=10, workers=2))
    assert report.bottleneck == "nurses"
    assert report.extra_sessions == 0


@pytest.mark.parametrize("seed", range(8))
def test_one_more_chair_never_places_fewer_sessions(seed):
    data = random_week(seed)
    report = checked(data, what_if(data, one_more_chair(), time_limit_s=20, workers=2))
    before, after = report.before.plan, report.after.plan
    assert (after.sessions_placed, after.new_patients_started) >= (
        before.sessions_placed,
        before.new_patients_started,
    )


@pytest.mark.parametrize("seed", range(4))
def test_re_planning_from_the_last_plan_keeps_at_least_what_it_placed(seed):
    # Given last run's plan, when the week is planned again with almost no time
    data = random_week(seed)
    last = plan_week(data, time_limit_s=10, workers=2).plan
    again = plan_week(data, time_limit_s=0.1, workers=1, start_from=last.sessions).plan
    # Then nothing it placed is lost
    assert check_plan(data, again.sessions) == []
    assert (again.sessions_placed, again.new_patients_started) >= (
        last.sessions_placed,
        last.new_patients_started,
    )


@pytest.mark.parametrize("end", ["12:00Z", "12:00+02:00"])
def test_a_what_if_shift_with_a_utc_offset_is_refused_naming_the_field(api, clinic_admin, end):
    monday = queries.week_of(clinic_admin.clinic.today()) + dt.timedelta(days=7)
    body = {
        "week_start": monday.isoformat(),
        "what_if": {
            "extra_nurse_shift": {"date": monday.isoformat(), "start": "08:00", "end": end}
        },
    }
    answer = api(clinic_admin).post("/capacity/plan", body)
    assert answer.status_code == 422
    assert "without a UTC offset" in str(answer.json())
