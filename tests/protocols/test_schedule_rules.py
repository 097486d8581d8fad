"""Course planning: the label schedules, IV minimum gaps, open days and rescheduling warnings."""

import datetime
import itertools
from dataclasses import replace
from decimal import Decimal

import pytest

from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.protocols.rules import (
    PlannedSession,
    ProtocolNotConfigured,
    check_reschedule,
    plan_course,
)

MONDAY = datetime.date(2025, 3, 3)
MON, TUE, WED, THU, FRI = range(5)


def weekdays(sessions):
    return [s.date.strftime("%a") for s in sessions]


def test_an_esketamine_trd_course_from_a_monday_follows_the_label_schedule():
    # given the built-in esketamine TRD protocol and a Monday start
    protocol = PROTOCOLS["esketamine_trd"]

    # when the course is planned
    plan = plan_course(protocol, MONDAY)

    # then weeks 1-4 hold 8 sessions, twice weekly (Monday and Thursday)
    induction = [s for s in plan.sessions if s.phase == "induction"]
    assert len(induction) == 8
    assert weekdays(induction) == ["Mon", "Thu"] * 4
    assert {s.week for s in induction} == {1, 2, 3, 4}
    for week in (1, 2, 3, 4):
        assert len([s for s in induction if s.week == week]) == 2
    # and day 1 is 56 mg, later induction doses are planned at 56 mg (56 or 84 allowed)
    assert plan.sessions[0].date == MONDAY
    assert plan.sessions[0].planned_dose_mg == Decimal("56")
    assert all(s.planned_dose_mg == Decimal("56") for s in induction[1:])
    # and weeks 5-8 are weekly
    optimization = [s for s in plan.sessions if s.phase == "optimization"]
    assert [s.week for s in optimization] == [5, 6, 7, 8]
    assert [s.date for s in optimization] == [
        MONDAY + datetime.timedelta(weeks=w) for w in (4, 5, 6, 7)
    ]
    # and maintenance from week 9 is every 2 weeks (the least frequent label option)
    maintenance = [s for s in plan.sessions if s.phase == "maintenance"]
    assert [s.week for s in maintenance] == [9, 11, 13, 15]
    assert plan.warnings == []


def test_sessions_are_numbered_in_date_order():
    plan = plan_course(PROTOCOLS["esketamine_trd"], MONDAY)

    assert [s.number for s in plan.sessions] == list(range(1, len(plan.sessions) + 1))
    assert [s.date for s in plan.sessions] == sorted(s.date for s in plan.sessions)


@pytest.mark.parametrize("age", [40, 65, 70, 90])
def test_on_the_us_label_every_adult_starts_esketamine_at_56_mg(age):
    # given the US protocol (the US label has no 28 mg dose) and a patient of any age
    plan = plan_course(PROTOCOLS["esketamine_trd"], MONDAY, age_years=age)

    assert plan.sessions[0].planned_dose_mg == Decimal("56")
    assert plan.sessions[1].planned_dose_mg == Decimal("56")


@pytest.mark.parametrize(("age", "day_one"), [(64, "56"), (65, "28"), (80, "28")])
def test_on_the_eu_smpc_patients_65_and_over_start_at_28_mg(age, day_one):
    plan = plan_course(PROTOCOLS["esketamine_trd_eu"], MONDAY, age_years=age)

    assert plan.sessions[0].planned_dose_mg == Decimal(day_one)
    assert plan.sessions[1].planned_dose_mg == Decimal("56")


def test_an_iv_plan_shows_no_mg_above_the_clinic_maximum_and_says_why():
    protocol = replace(
        PROTOCOLS["iv_ketamine"],
        dose=replace(PROTOCOLS["iv_ketamine"].dose, max_dose_mg=Decimal("50")),
    )

    plan = plan_course(protocol, MONDAY, weight_kg=Decimal("120"))

    assert all(s.planned_dose_mg is None for s in plan.sessions)
    assert all(s.planned_dose_mg_per_kg == Decimal("0.5") for s in plan.sessions)
    assert any("above the clinic's maximum of 50 mg" in w for w in plan.warnings)


def test_an_iv_plan_on_ideal_body_weight_leaves_the_mg_to_the_order():
    protocol = replace(
        PROTOCOLS["iv_ketamine"], dose=replace(PROTOCOLS["iv_ketamine"].dose, dosing_weight="ideal")
    )

    plan = plan_course(protocol, MONDAY, weight_kg=Decimal("120"))

    assert plan.sessions[0].planned_dose_mg is None
    assert plan.sessions[0].planned_dose_mg_per_kg == Decimal("0.5")


def test_the_maintenance_horizon_can_be_chosen_for_cost_estimates():
    plan = plan_course(PROTOCOLS["esketamine_trd"], MONDAY, maintenance_sessions=6)

    assert len([s for s in plan.sessions if s.phase == "maintenance"]) == 6


def test_an_mdsi_course_is_84_mg_twice_weekly_for_4_weeks():
    plan = plan_course(PROTOCOLS["esketamine_mdsi"], MONDAY)

    assert len(plan.sessions) == 8
    assert weekdays(plan.sessions) == ["Mon", "Thu"] * 4
    assert all(s.planned_dose_mg == Decimal("84") for s in plan.sessions)
    assert plan.sessions[-1].week == 4


def test_an_iv_induction_is_6_infusions_over_2_weeks_when_the_clinic_is_open_all_week():
    # given a weekday clinic and an 80 kg patient
    plan = plan_course(
        PROTOCOLS["iv_ketamine"],
        MONDAY,
        open_weekdays={MON, TUE, WED, THU, FRI},
        weight_kg=Decimal("80"),
    )

    # then 6 infusions, Monday-Wednesday-Friday, at 0.5 mg/kg = 40 mg
    assert len(plan.sessions) == 6
    assert weekdays(plan.sessions) == ["Mon", "Wed", "Fri"] * 2
    assert all(s.planned_dose_mg == Decimal("40.0") for s in plan.sessions)
    assert all(s.planned_dose_mg_per_kg == Decimal("0.5") for s in plan.sessions)


def test_iv_infusions_are_never_closer_than_the_minimum_gap():
    # given a clinic open on consecutive days only (Monday, Tuesday, Wednesday)
    protocol = PROTOCOLS["iv_ketamine"]
    gap = protocol.phases[0].min_gap_days

    # when an IV course is planned
    plan = plan_course(protocol, MONDAY, open_weekdays={MON, TUE, WED})

    # then no two infusions are fewer than the minimum gap apart
    dates = [s.date for s in plan.sessions]
    assert all((later - earlier).days >= gap for earlier, later in itertools.pairwise(dates))
    # and, with only Monday and Wednesday usable, the course needs the third week
    assert weekdays(plan.sessions) == ["Mon", "Wed"] * 3
    assert plan.sessions[-1].week == 3
    assert plan.warnings == []


def test_a_clinic_open_one_day_a_week_cannot_fit_an_iv_induction_and_is_told_so():
    plan = plan_course(PROTOCOLS["iv_ketamine"], MONDAY, open_weekdays={MON})

    assert len(plan.sessions) == 3
    assert any("planned 3 of 6" in w for w in plan.warnings)


def test_planning_moves_sessions_off_closed_days_within_the_same_week():
    # given a clinic closed on Thursdays
    plan = plan_course(PROTOCOLS["esketamine_trd"], MONDAY, open_weekdays={MON, TUE, WED, FRI})

    # then the second weekly induction session moves to the nearest open day (Friday)
    induction = [s for s in plan.sessions if s.phase == "induction"]
    assert weekdays(induction) == ["Mon", "Fri"] * 4


def test_a_holiday_moves_that_session_and_a_closed_start_day_moves_day_one():
    holiday = MONDAY + datetime.timedelta(days=3)  # the first Thursday
    plan = plan_course(PROTOCOLS["esketamine_trd"], MONDAY, closed_dates={holiday, MONDAY})

    assert plan.sessions[0].date == MONDAY + datetime.timedelta(days=1)
    assert holiday not in [s.date for s in plan.sessions]
    assert any("closed on 2025-03-03" in w for w in plan.warnings)


def test_a_clinic_defined_placeholder_cannot_be_planned_until_configured():
    with pytest.raises(ProtocolNotConfigured, match="not configured"):
        plan_course(PROTOCOLS["im_ketamine"], MONDAY)
    with pytest.raises(ProtocolNotConfigured):
        plan_course(PROTOCOLS["oral_ketamine"], MONDAY)


def test_rescheduling_onto_the_next_day_warns_about_the_minimum_gap():
    # given a planned esketamine course (Monday, Thursday, ...)
    protocol = PROTOCOLS["esketamine_trd"]
    sessions = plan_course(protocol, MONDAY).sessions

    # when session 2 moves from Thursday to Tuesday (the day after session 1)
    warnings = check_reschedule(protocol, sessions, 2, MONDAY + datetime.timedelta(days=1))

    # then the move is allowed with a warning naming the minimum gap
    assert any("at least 2 days" in w for w in warnings)


def test_rescheduling_within_the_rules_gives_no_warning():
    protocol = PROTOCOLS["esketamine_trd"]
    sessions = plan_course(protocol, MONDAY).sessions

    assert check_reschedule(protocol, sessions, 2, MONDAY + datetime.timedelta(days=4)) == []


def test_rescheduling_onto_a_closed_day_warns():
    protocol = PROTOCOLS["esketamine_trd"]
    sessions = plan_course(protocol, MONDAY).sessions

    saturday = MONDAY + datetime.timedelta(days=5)
    warnings = check_reschedule(
        protocol, sessions, 2, saturday, open_weekdays={MON, TUE, WED, THU, FRI}
    )

    assert warnings == ["The clinic is not open on Saturdays."]


def test_rescheduling_a_weekly_session_into_a_week_that_already_has_one_warns_about_frequency():
    # given the optimization phase (weekly) of an esketamine course
    protocol = PROTOCOLS["esketamine_trd"]
    sessions = plan_course(protocol, MONDAY).sessions
    week_6 = next(s for s in sessions if s.week == 6)

    # when the week-6 session moves to the Friday of week 5
    friday_week_5 = MONDAY + datetime.timedelta(weeks=4, days=4)
    warnings = check_reschedule(protocol, sessions, week_6.number, friday_week_5)

    # then the warning says the phase allows one session a week
    assert any("2 sessions in one week" in w and "allows 1" in w for w in warnings)


def test_rescheduling_out_of_order_or_out_of_phase_warns():
    protocol = PROTOCOLS["esketamine_mdsi"]
    sessions = plan_course(protocol, MONDAY).sessions

    warnings = check_reschedule(protocol, sessions, 8, MONDAY + datetime.timedelta(weeks=5))

    assert any("outside the treatment phase" in w for w in warnings)
    assert not any("order" in w for w in warnings)
    warnings = check_reschedule(
        protocol, sessions, 3, sessions[0].date + datetime.timedelta(days=2)
    )
    assert any("order" in w for w in warnings)


def test_planned_session_shape_is_what_the_preview_answers():
    session = plan_course(PROTOCOLS["esketamine_trd"], MONDAY).sessions[0]

    assert session == PlannedSession(1, MONDAY, "induction", 1, Decimal("56"), None)
