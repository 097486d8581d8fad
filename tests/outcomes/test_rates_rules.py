"""Rates keep their numerator and denominator; a course's outcome follows the reference rules."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.outcomes.rules import (
    Score,
    course_outcome,
    days_between,
    per_100_sessions,
    rate,
)

PHQ9_REMISSION = INSTRUMENTS["phq9"].remission  # below 5 (clinical.md section 3)
START = date(2025, 3, 3)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, 3, hour, tzinfo=UTC) + timedelta(days=day)


def test_a_rate_shows_numerator_denominator_and_percent():
    # given 7 responders among 20 evaluable courses
    r = rate(7, 20)
    # then the answer keeps both counts and the percentage
    assert r.as_dict() == {"numerator": 7, "denominator": 20, "rate": 0.35}
    assert r.percent == Decimal("35.0")


def test_a_rate_over_nothing_has_no_value():
    assert rate(0, 0).percent is None
    assert rate(0, 0).as_dict()["rate"] is None


def test_a_rate_cannot_have_more_cases_than_its_denominator():
    with pytest.raises(ValueError):
        rate(5, 4)


def test_events_per_100_sessions_are_rounded_to_two_places():
    # given 3 adverse events in 7 sessions
    per = per_100_sessions(3, 7)
    # then 42.857... per 100 sessions rounds to 42.86
    assert per.value == Decimal("42.86")
    assert per.as_dict() == {"numerator": 3, "denominator": 7, "per_100_sessions": 42.86}


def test_days_are_counted_from_midnight_of_the_start_date():
    assert days_between(START, at(0, 23)) == 0
    assert days_between(START, at(14, 1)) == 14


def test_a_responder_who_then_remits_counts_for_both_at_the_last_score():
    # given baseline 20, then 14 after session 2, 9 after session 4, 4 after session 6
    scores = [Score(at(0, 8), 20), Score(at(4), 14), Score(at(11), 9), Score(at(18), 4)]
    doses = {1: at(0, 10), 2: at(3, 10), 4: at(10, 10), 6: at(17, 10)}
    # when the outcome is computed
    out = course_outcome(START, scores, doses, PHQ9_REMISSION)
    # then the last score is a response (4 <= 10) and a remission (4 < 5)
    assert out.evaluable and out.response and out.remission
    # and time to response is the first score at or below half the baseline: day 11 (9 <= 10)
    assert (out.km_days, out.km_event) == (11, True)
    # and after each milestone session the first later score is judged
    assert out.milestones == {2: (False, False), 4: (True, False), 6: (True, True)}


def test_a_non_responder_is_censored_at_the_last_score():
    scores = [Score(at(0), 18), Score(at(7), 15), Score(at(21), 12)]
    out = course_outcome(START, scores, {}, PHQ9_REMISSION)
    assert (out.response, out.remission) == (False, False)
    assert (out.km_days, out.km_event) == (21, False)
    # and with no dosed sessions recorded there is no milestone result
    assert out.milestones == {2: None, 4: None, 6: None}


def test_exactly_half_the_baseline_is_a_response():
    # 50% or more reduction (clinical.md section 3): 16 -> 8 is exactly 50%
    out = course_outcome(START, [Score(at(0), 16), Score(at(9), 8)], {}, PHQ9_REMISSION)
    assert out.response is True


def test_response_is_judged_at_the_last_score_even_after_an_earlier_response():
    # given a response at day 7 that is lost by day 21
    scores = [Score(at(0), 20), Score(at(7), 9), Score(at(21), 16)]
    out = course_outcome(START, scores, {}, PHQ9_REMISSION)
    # then the course is not a responder at its last score, but the time to response is day 7
    assert out.response is False
    assert (out.km_days, out.km_event) == (7, True)


def test_a_course_with_only_a_baseline_is_not_evaluable():
    out = course_outcome(START, [Score(at(0), 20)], {2: at(3)}, PHQ9_REMISSION)
    assert out.evaluable is False
    assert out.response is None and out.km_days is None
    assert out.milestones[2] is None


def test_a_baseline_of_zero_can_never_be_a_response():
    out = course_outcome(START, [Score(at(0), 0), Score(at(5), 0)], {}, PHQ9_REMISSION)
    assert out.response is False
    assert out.remission is True


def test_a_baseline_taken_after_the_milestone_session_gives_no_result_for_it():
    # given session 2 dosed on day 3 but the first score only on day 5
    scores = [Score(at(5), 20), Score(at(8), 8)]
    out = course_outcome(START, scores, {2: at(3), 4: at(7)}, PHQ9_REMISSION)
    # then there is no session-2 result, but session 4 is judged on day 8
    assert out.milestones[2] is None
    assert out.milestones[4] == (True, False)
