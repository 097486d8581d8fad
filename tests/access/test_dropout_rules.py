"""Dropout-risk signals, each with what staff can do about it."""

from decimal import Decimal

from ketaclinic.access.rules import DropoutFacts, DropoutRule, dropout_signals


def _codes(**facts):
    return [s.code for s in dropout_signals(DropoutFacts(**facts))]


def test_a_patient_with_nothing_wrong_has_no_signal():
    assert _codes() == []


def test_missed_and_cancelled_sessions_are_signals():
    assert _codes(missed_sessions=1, cancelled_sessions=2) == ["missed", "cancelled"]


def test_an_unpaid_balance_counts_only_once_it_is_old_enough():
    assert _codes(balance=Decimal("300"), oldest_charge_days=29) == []
    signals = dropout_signals(DropoutFacts(balance=Decimal("300"), oldest_charge_days=30))
    assert [(s.code, s.action) for s in signals] == [("unpaid", "Offer the sliding scale")]


def test_a_transport_barrier_suggests_arranging_transport():
    signals = dropout_signals(DropoutFacts(transport_barrier=True))
    assert signals[0].action == "Arrange transport or an escort"


def test_an_insurance_denial_on_a_self_pay_protocol_suggests_a_covered_protocol():
    assert _codes(insurance_denied=True, self_pay_protocol=True) == ["insurance"]
    assert _codes(insurance_denied=True, self_pay_protocol=False) == []


def test_thresholds_are_configurable():
    rule = DropoutRule(missed_sessions=2)
    assert dropout_signals(DropoutFacts(missed_sessions=1), rule) == []
