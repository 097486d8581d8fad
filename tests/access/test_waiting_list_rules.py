"""Waiting-list order: clinical priority first, then waiting time, never ability to pay."""

import dataclasses
import datetime

from ketaclinic.access.rules import WaitingFacts, order_waiting_list, priority_of

TODAY = datetime.date(2025, 6, 30)


def _facts(key, days_ago, cssrs=None, **severity):
    return WaitingFacts(key, TODAY - datetime.timedelta(days=days_ago), cssrs, severity or None)


def test_a_high_risk_patient_goes_ahead_of_a_low_risk_one_who_waited_longer():
    ranked = order_waiting_list([_facts("low", 120, "low"), _facts("high", 3, "high")], TODAY)
    assert [r.key for r in ranked] == ["high", "low"]
    assert ranked[0].tier_label == "Urgent"
    assert ranked[1].days_waiting == 120


def test_severe_scores_come_before_routine_and_after_high_risk():
    ranked = order_waiting_list(
        [_facts("routine", 300), _facts("severe", 10, phq9="severe"), _facts("high", 1, "high")],
        TODAY,
    )
    assert [r.key for r in ranked] == ["high", "severe", "routine"]
    assert ranked[1].reasons == ("PHQ-9: severe",)


def test_within_a_tier_the_longest_wait_comes_first():
    ranked = order_waiting_list([_facts("b", 5), _facts("a", 50), _facts("c", 20)], TODAY)
    assert [r.key for r in ranked] == ["a", "c", "b"]
    assert [r.position for r in ranked] == [1, 2, 3]


def test_moderately_severe_is_not_severe_and_a_qids_very_severe_is():
    assert priority_of(_facts("x", 1, phq9="moderately severe"))[0] == 3
    assert priority_of(_facts("y", 1, qids_sr16="very severe"))[0] == 2


def test_the_order_has_no_input_for_payer_income_or_balance():
    # then the facts the order may use carry nothing about ability to pay
    names = {f.name for f in dataclasses.fields(WaitingFacts)}
    assert names == {"key", "referred_on", "cssrs_level", "latest_severity"}
