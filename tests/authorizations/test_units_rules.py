"""Units as pure rules: which approval covers each session, the countdown, and the warnings."""

import datetime as dt
from decimal import Decimal

from ketaclinic.authorizations import rules
from ketaclinic.authorizations.rules import Grant, Visit

START = dt.date(2026, 3, 2)


def planned(n, *, first=1, start=START, every=3, dose="56", devices=2):
    return [
        Visit(i, start + dt.timedelta(days=every * (i - 1)), False, devices, Decimal(dose))
        for i in range(first, first + n)
    ]


def given(numbers, *, start=START, every=3, devices=2, dose="56"):
    return [
        Visit(i, start + dt.timedelta(days=every * (i - 1)), True, devices, Decimal(dose))
        for i in numbers
    ]


def grant(units, *, unit="session", start=START, days=180, key="pa1", **extra):
    return Grant(key, start, start + dt.timedelta(days=days), units, unit, **extra)


def kinds(warnings):
    return [w.kind for w in warnings]


def test_a_course_of_16_under_12_units_warns_at_planned_session_13():
    # given a planned course of 16 sessions and an approval of 12 sessions
    visits = planned(16)
    # when the course is planned (nothing given yet)
    warnings = rules.course_warnings(visits, [grant(12)], START)
    # then the front desk is told the units run out, and at which planned session
    assert kinds(warnings) == ["units_short"]
    assert "planned session 13 on 2026-04-07 is the first not covered" in warnings[0].message
    assert "4 of 16 planned sessions not covered; 12 approved, 0 used, 12 left" in (
        warnings[0].message
    )
    assert warnings[0].session_number == 13


def test_given_sessions_count_down_the_units():
    # given 3 sessions given and 13 still planned under 12 approved units
    visits = given([1, 2, 3]) + planned(13, first=4)
    coverage = rules.allocate(visits, [grant(12)])
    usage = rules.usage(grant(12), coverage)
    # then 3 are used, 9 are left, and the 9 next planned sessions are covered
    assert (usage.used, usage.left, usage.planned) == (3, 9, 9)
    today = START + dt.timedelta(days=9)
    warning = rules.course_warnings(visits, [grant(12)], today)[0]
    assert "planned session 13" in warning.message and "3 used, 9 left" in warning.message


def test_devices_count_by_the_planned_dose():
    # given 56 mg sessions (2 devices of 28 mg) and 20 devices approved
    visits = planned(12)
    coverage = rules.allocate(visits, [grant(20, unit="device")])
    # then 10 sessions are covered and the 11th is the first that is not
    assert [c.visit.number for c in coverage if c.covered] == list(range(1, 11))
    assert coverage[10].problem == rules.Problem.UNITS_USED_UP
    assert rules.planned_devices(Decimal("84"), Decimal("28")) == 3


def test_devices_given_are_counted_as_given():
    visits = given([1], devices=3, dose="84")
    usage = rules.usage(
        grant(20, unit="device"), rules.allocate(visits, [grant(20, unit="device")])
    )
    assert usage.used == 3


def test_sessions_after_the_approval_ends_are_outside_its_dates():
    # given an approval valid 30 days and sessions every 3 days for 16 sessions
    warnings = rules.course_warnings(planned(16), [grant(40, days=29)], START)
    # then the sessions after its last day are named
    assert kinds(warnings) == ["outside_dates"]
    assert warnings[0].message.startswith("Sessions 11-16 (from 2026-04-01) scheduled outside")
    assert "2026-03-02 to 2026-03-31" in warnings[0].message


def test_without_any_approval_sessions_wait_for_the_one_in_process():
    warnings = rules.course_warnings(planned(4), [], START, in_process=True)
    assert kinds(warnings) == ["not_approved"]
    assert "4 planned sessions" in warnings[0].message
    assert "still in process" in warnings[0].message


def test_a_session_given_without_cover_is_flagged():
    # given a session given the day before the approval starts
    visits = [Visit(1, START - dt.timedelta(days=1), True, 2, Decimal("56"))]
    warnings = rules.course_warnings(visits, [grant(12)], START)
    assert kinds(warnings) == ["given_uncovered"]
    assert "outside the approved dates" in warnings[0].message


def test_missed_sessions_before_today_draw_nothing_and_warn_nothing():
    # given session 1 planned three days ago and never given, session 2 today, 1 unit approved
    earlier = START - dt.timedelta(days=3)
    visits = planned(2, start=earlier)
    approval = grant(1, start=earlier)
    # when today is session 2's day
    coverage = rules.allocate(visits, [approval], START)
    # then the missed session is left out and session 2 gets the unit, with no warning
    assert [(c.visit.number, c.covered) for c in coverage] == [(2, True)]
    assert rules.course_warnings(visits, [approval], START) == []


def test_a_renewal_takes_over_when_the_first_approval_runs_out():
    # given 4 sessions approved, then a renewal of 12 from the same day
    first, renewal = grant(4, days=60, key="a"), grant(12, days=180, key="b")
    coverage = rules.allocate(planned(16), [first, renewal])
    # then the approval that expires first is used first, the renewal covers the rest
    assert [c.grant for c in coverage] == ["a"] * 4 + ["b"] * 12


def test_an_approval_marked_expired_covers_what_was_given_but_nothing_planned():
    expired = grant(12, active=False)
    coverage = rules.allocate(given([1, 2]) + planned(2, first=3), [expired])
    assert [c.covered for c in coverage] == [True, True, False, False]
    assert coverage[2].problem == rules.Problem.NO_APPROVAL


def test_a_planned_dose_above_the_approved_dose_is_flagged():
    visits = planned(1, dose="84", devices=3)
    warnings = rules.course_warnings(visits, [grant(12, dose_mg=Decimal("56"))], START)
    assert kinds(warnings) == ["dose_above_approved"]
    assert "84 mg is above the approved 56 mg per session" in warnings[0].message


def test_expiry_is_warned_within_the_window_and_after_the_last_day():
    approval = grant(12, days=10, label="PA-7")
    assert rules.expiry_warning(approval, START, 14).message == (
        "Approval PA-7 expires on 2026-03-12 (in 10 days)."
    )
    assert rules.expiry_warning(approval, START - dt.timedelta(days=5), 14) is None
    assert "today" in rules.expiry_warning(approval, START + dt.timedelta(days=10), 14).message
    past = rules.expiry_warning(approval, START + dt.timedelta(days=11), 14)
    assert past.kind == "expired" and "renew it" in past.message
