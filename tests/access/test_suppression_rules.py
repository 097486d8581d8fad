"""Small-cell suppression: counts of 1 to 10, and anything derived from them, are hidden."""

from decimal import Decimal

import pytest

from ketaclinic.access.rules import GroupFacts, equity_rows, suppress_column, suppressed


@pytest.mark.parametrize(("count", "hidden"), [(0, False), (1, True), (10, True), (11, False)])
def test_counts_under_11_but_not_zero_are_suppressed(count, hidden):
    assert suppressed(count) is hidden


def test_a_single_hidden_cell_takes_the_next_smallest_with_it():
    # given a column whose total is shown elsewhere
    shown = suppress_column({"a": 40, "b": 3, "c": 15, "d": 0})
    # then b cannot be worked out from the total: c is hidden too, zero stays shown
    assert shown == {"a": 40, "b": None, "c": None, "d": 0}


def test_two_hidden_cells_need_no_extra_suppression():
    assert suppress_column({"a": 40, "b": 3, "c": 5}) == {"a": 40, "b": None, "c": None}


def _group(referred, treated, days, courses, dropped):
    return GroupFacts(referred, treated, tuple(days), courses, dropped)


def test_a_median_and_a_rate_are_shown_only_when_their_counts_are():
    rows = equity_rows(
        {
            "self_pay": _group(30, 12, [10] * 6 + [20] * 6, 12, 0),
            "medicaid": _group(25, 11, [30] * 11, 11, 11),
            "commercial": _group(28, 4, [5] * 4, 4, 2),
            "medicare": _group(26, 14, [7] * 14, 14, 12),
        }
    )
    by = {r.group: r for r in rows}
    assert by["self_pay"].median_days_to_first_treatment == Decimal("15.0")
    assert by["self_pay"].dropout_rate == Decimal("0.0")
    assert by["medicare"].dropout_rate == Decimal("85.7")
    assert by["commercial"].treated is None
    assert by["commercial"].median_days_to_first_treatment is None
    assert by["commercial"].dropout_rate is None
    assert by["commercial"].suppressed
    # and the next-smallest counts (medicaid, 11) are hidden so 4 and 2 cannot be derived
    assert by["medicaid"].treated is None
    assert by["medicaid"].median_days_to_first_treatment is None
    assert by["medicaid"].dropout_rate is None
    assert by["medicaid"].referred == 25
