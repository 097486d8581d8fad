"""The prior-authorization state machine as pure rules: who may follow whom, what each needs."""

import datetime as dt

import pytest

from ketaclinic.authorizations import rules
from ketaclinic.authorizations.rules import Status

TODAY = dt.date(2026, 5, 14)
LEGAL = [(a, b) for a, following in rules.TRANSITIONS.items() for b in sorted(following)]
ILLEGAL = [(a, b) for a in Status for b in Status if b not in rules.TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_every_listed_step_is_allowed(current, target):
    assert rules.transition_problem(current, target) is None


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_other_step_is_refused_with_what_may_follow(current, target):
    problem = rules.transition_problem(current, target)
    assert problem is not None
    assert rules.LABELS[Status(current)].lower() in problem


def test_a_draft_cannot_be_approved_before_it_is_submitted():
    # given a draft
    # when the front desk tries to record an approval
    problem = rules.transition_problem("draft", "approved")
    # then it is refused and says that it may only be submitted
    assert problem.endswith("it may become: submitted.")


def test_an_expired_authorization_is_final():
    assert rules.allowed_next("expired") == []
    assert "nothing" in rules.transition_problem("expired", "approved")


def test_an_appeal_only_answers_a_denial():
    assert [s for s in Status if rules.transition_problem(s, "appealed") is None] == [Status.DENIED]


def test_an_unknown_status_is_named():
    assert "'cancelled' is not" in rules.transition_problem("draft", "cancelled")


def _errors(target, on=TODAY, last=None, **details):
    return rules.transition_errors(target, details, on=on, today=TODAY, last_change_on=last)


def test_an_approval_needs_units_and_the_dates_it_is_valid():
    errors = _errors("approved")
    assert set(errors) == {"approved_units", "valid_from", "valid_to"}


def test_an_approval_ending_before_it_starts_is_refused():
    errors = _errors(
        "approved",
        approved_units=12,
        valid_from=TODAY,
        valid_to=TODAY - dt.timedelta(days=1),
    )
    assert errors == {"valid_to": "on or after valid_from"}


def test_zero_approved_units_are_refused():
    errors = _errors("approved", approved_units=0, valid_from=TODAY, valid_to=TODAY)
    assert set(errors) == {"approved_units"}


def test_a_denial_needs_the_payers_reason_and_an_appeal_what_it_argues():
    assert set(_errors("denied", reason="  ")) == {"reason"}
    assert set(_errors("appealed")) == {"note"}
    assert _errors("denied", reason="Not enough failed trials documented") == {}


def test_a_step_cannot_be_dated_in_the_future_or_before_the_previous_one():
    assert _errors("submitted", on=TODAY + dt.timedelta(days=1)) == {"on": "today or earlier"}
    before = _errors("pending", on=TODAY - dt.timedelta(days=3), last=TODAY - dt.timedelta(days=1))
    assert "on or after the previous change" in before["on"]
