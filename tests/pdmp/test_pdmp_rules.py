"""Pure PDMP rules: when a check is required, which checks count, and what the message says."""

import datetime as dt

import pytest

from ketaclinic.pdmp import rules
from ketaclinic.pdmp.rules import Check, Event, Frequency, StateRule, evaluate
from ketaclinic.pdmp.state_rules import BUILT_IN_BY_STATE, BUILT_IN_RULES

AT = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
NY = BUILT_IN_BY_STATE["NY"]
AK = BUILT_IN_BY_STATE["AK"]


def ohio_clinic_row(**changes) -> StateRule:
    values = {
        "state": "OH",
        "before_prescribing": False,
        "before_administering": True,
        "frequency": Frequency.WITHIN_DAYS,
        "window_days": 1,
        "source": rules.CLINIC_ENTERED,
        "last_reviewed_on": dt.date(2026, 3, 1),
    }
    return StateRule(**(values | changes))


def check(hours_before: float, state="NY", prescriber="dr-a") -> Check:
    return Check(AT - dt.timedelta(hours=hours_before), state, prescriber)


def status(rule, event, *checks, state=None, previous_order_at=None):
    return evaluate(
        rule,
        state=state or (rule.state if rule else "TX"),
        event=event,
        at=AT,
        prescriber="dr-a",
        checks=checks,
        previous_order_at=previous_order_at,
    )


def test_a_check_23_hours_before_prescribing_meets_new_yorks_24_hour_rule():
    # given New York's rule (history obtained no more than 24 hours before prescribing)
    # when the prescriber checked 23 hours ago
    found = status(NY, Event.PRESCRIBING, check(23))
    # then the order may go ahead, and the message says so with the regulation
    assert found.required and found.satisfied and not found.blocks
    assert found.message == (
        "A PDMP check within 1 day before prescribing is required in NY "
        "(10 NYCRR § 80.63(c)(1) (N.Y. Public Health Law § 3343-a)): "
        "the last check was 23 hours ago."
    )


def test_a_check_25_hours_before_prescribing_is_too_old_in_new_york():
    found = status(NY, Event.PRESCRIBING, check(25))
    assert found.blocks
    assert found.message.endswith("the last check was 1 day ago.")
    assert found.last_check_at == AT - dt.timedelta(hours=25)


def test_the_clinics_own_row_is_named_clinic_entered_in_the_message():
    # given a clinic row: a check within 1 day before administering, with no citation typed
    # when the last check was three days ago
    found = status(ohio_clinic_row(), Event.ADMINISTERING, check(72, state="OH"))
    # then the message names the rule, its source and how old the check is
    assert found.blocks
    assert found.message == (
        "A PDMP check within 1 day before administering is required in OH (clinic-entered): "
        "the last check was 3 days ago."
    )


def test_no_check_at_all_is_said_plainly():
    found = status(NY, Event.PRESCRIBING)
    assert found.blocks
    assert found.message.endswith("no check by or for this prescriber is recorded.")


def test_new_york_requires_no_check_before_administering():
    found = status(NY, Event.ADMINISTERING)
    assert not found.required and not found.blocks
    assert "requires no PDMP check before administering" in found.message


def test_a_state_without_a_row_requires_nothing_and_says_so():
    found = status(None, Event.ADMINISTERING, state="TX")
    assert not found.required
    assert found.message == (
        "The clinic's rule table has no row for TX: it requires no PDMP check before administering."
    )


def test_before_every_order_needs_a_check_after_the_previous_order():
    # given Alaska's rule (review before dispensing, prescribing or administering)
    previous = AT - dt.timedelta(days=2)
    # when the last check was before the previous order, then this order is refused
    stale = status(AK, Event.ADMINISTERING, check(72, "AK"), previous_order_at=previous)
    assert stale.blocks
    assert stale.message == (
        "A PDMP check before every order for administering is required in AK "
        "(Alaska Stat. § 17.30.200(k)(4)): the last check was 3 days ago, before the previous "
        "order (2 days ago)."
    )
    # when a check was made after the previous order, then it goes ahead
    fresh = status(AK, Event.ADMINISTERING, check(1, "AK"), previous_order_at=previous)
    assert fresh.required and fresh.satisfied


def test_before_the_first_order_any_earlier_check_counts_for_every_order_rules():
    found = status(AK, Event.PRESCRIBING, check(24 * 30, "AK"))
    assert found.satisfied


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (check(1, state="NJ"), "another state's PDMP"),
        (check(1, prescriber="dr-b"), "another prescriber's check"),
        (check(-1), "a check after the order"),
    ],
)
def test_only_the_prescribers_own_earlier_checks_of_that_state_count(other, why):
    found = status(NY, Event.PRESCRIBING, other)
    assert found.blocks, why


def test_the_newest_of_several_checks_decides():
    found = status(NY, Event.PRESCRIBING, check(72), check(2), check(30))
    assert found.satisfied and found.last_check_at == AT - dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (30, "just now"),
        (60, "1 minute ago"),
        (45 * 60, "45 minutes ago"),
        (3600, "1 hour ago"),
        (23 * 3600 + 59 * 60, "23 hours ago"),
        (86400, "1 day ago"),
        (3 * 86400 + 5, "3 days ago"),
    ],
)
def test_durations_read_as_people_say_them(seconds, said):
    assert rules.ago(dt.timedelta(seconds=seconds)) == said


def test_a_row_needs_a_window_only_when_it_counts_days():
    base = {
        "state": "OH",
        "before_prescribing": True,
        "before_administering": False,
        "source": "",
    }
    assert rules.rule_problems(**base, frequency="within_days", window_days=7) == {}
    assert "window_days" in rules.rule_problems(**base, frequency="within_days", window_days=None)
    assert "window_days" in rules.rule_problems(**base, frequency="within_days", window_days=0)
    assert "window_days" in rules.rule_problems(**base, frequency="every_order", window_days=3)
    assert rules.rule_problems(**base, frequency="every_order", window_days=None) == {}
    assert "state" in rules.rule_problems(
        **(base | {"state": "XX"}), frequency="every_order", window_days=None
    )
    assert "frequency" in rules.rule_problems(**base, frequency="weekly", window_days=None)


def test_built_in_rows_each_cite_a_statute_or_regulation_and_a_review_date():
    # Only states whose primary text was read ship; if in doubt, fewer states.
    assert sorted(r.state for r in BUILT_IN_RULES) == ["AK", "FL", "NY"]
    for rule in BUILT_IN_RULES:
        assert rule.source and rule.source != rules.CLINIC_ENTERED
        assert any(mark in rule.source for mark in ("§", "Stat.", "NYCRR"))
        assert rule.last_reviewed_on is not None and rule.scope
        assert rule.events, rule.state
        assert (
            rules.rule_problems(
                state=rule.state,
                before_prescribing=rule.before_prescribing,
                before_administering=rule.before_administering,
                frequency=rule.frequency,
                window_days=rule.window_days,
                source=rule.source,
            )
            == {}
        )


def test_alaska_is_the_built_in_state_that_requires_a_check_before_administering():
    assert [r.state for r in BUILT_IN_RULES if r.before_administering] == ["AK"]
