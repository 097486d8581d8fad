"""When a scheduled scale falls due (pure rules, controlled dates)."""

from datetime import UTC, date, datetime

import pytest

from ketaclinic.measures.rules import due_status, schedule_due_on

START = date(2025, 3, 3)


def at(day, hour=10):
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def weekly(last_response_at):
    return schedule_due_on(
        frequency="interval",
        interval_days=7,
        starts_on=START,
        last_response_at=last_response_at,
        last_session_at=None,
    )


def before_session(last_response_at, last_session_at):
    return schedule_due_on(
        frequency="before_session",
        interval_days=None,
        starts_on=START,
        last_response_at=last_response_at,
        last_session_at=last_session_at,
    )


def test_a_weekly_scale_is_due_on_the_start_date_before_any_response():
    assert weekly(None) == START


def test_a_weekly_scale_falls_due_seven_days_after_the_last_response():
    assert weekly(at(5)) == date(2025, 3, 12)


def test_a_response_from_before_the_schedule_started_does_not_count():
    assert weekly(datetime(2025, 2, 1, tzinfo=UTC)) == START


def test_before_session_is_due_after_each_session_until_answered():
    # given a session on the 10th
    session = at(10, hour=14)
    # then a score from before that session leaves the next one due from the 10th
    assert before_session(at(7), session) == date(2025, 3, 10)
    # and a score after the session satisfies it
    assert before_session(at(11), session) is None


def test_a_score_the_morning_before_an_afternoon_session_does_not_cover_the_next_one():
    assert before_session(at(10, hour=9), at(10, hour=14)) == date(2025, 3, 10)


def test_before_session_before_any_session_asks_for_one_baseline():
    assert before_session(None, None) == START
    assert before_session(at(4), None) is None


def test_an_interval_schedule_needs_days():
    with pytest.raises(ValueError):
        schedule_due_on(
            frequency="interval",
            interval_days=0,
            starts_on=START,
            last_response_at=None,
            last_session_at=None,
        )


@pytest.mark.parametrize(
    ("due_on", "status"),
    [(date(2025, 3, 9), "overdue"), (date(2025, 3, 10), "due"), (date(2025, 3, 11), "upcoming"),
     (None, None)],
)  # fmt: skip
def test_due_status_against_today(due_on, status):
    assert due_status(due_on, date(2025, 3, 10)) == status
