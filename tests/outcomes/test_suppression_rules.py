"""Counts under 11 are suppressed, and no hidden cell can be worked out from a total."""

from ketaclinic.outcomes.rules import (
    COMPLEMENT,
    SMALL,
    SMALL_COMPLEMENT,
    suppress_breakdown,
    suppress_count,
    suppress_rates,
)


def shown(cells):
    return {k: c.value for k, c in cells.items()}


def test_counts_from_1_to_10_are_suppressed_and_11_is_shown():
    assert suppress_count(1).suppressed
    assert suppress_count(10).suppressed
    assert suppress_count(11).value == 11
    assert str(suppress_count(7)) == "suppressed"


def test_zero_is_shown():
    # CMS policy: cells of 1-10 are hidden; an empty cell reveals no one.
    assert suppress_count(0).value == 0


def test_one_small_cell_takes_the_smallest_other_cell_with_it():
    # given a breakdown whose total (138) is published on the dashboard
    cells = suppress_breakdown({"asian": 8, "black": 30, "white": 100, "other": 0})
    # then 8 is hidden, and so is 30: otherwise 138 - 100 - 0 would reveal the 8
    assert shown(cells) == {"asian": None, "black": None, "white": 100, "other": 0}
    assert cells["asian"].reason == SMALL
    assert cells["black"].reason == COMPLEMENT


def test_two_small_cells_need_no_complementary_cell():
    cells = suppress_breakdown({"a": 3, "b": 4, "c": 50})
    assert shown(cells) == {"a": None, "b": None, "c": 50}


def test_a_breakdown_without_small_cells_is_shown_whole():
    assert shown(suppress_breakdown({"a": 11, "b": 0, "c": 50})) == {"a": 11, "b": 0, "c": 50}


def test_a_rate_is_hidden_when_few_are_left_in_the_group():
    # given 45 responders among 50: the 5 non-responders would be a small cell
    rates = suppress_rates({"medicaid": (45, 50), "commercial": (60, 120), "va": (20, 40)})
    # then the medicaid numerator is hidden, and one more numerator with it
    assert rates["medicaid"].numerator.reason == SMALL_COMPLEMENT
    assert rates["medicaid"].percent is None
    hidden = [k for k, r in rates.items() if r.suppressed]
    assert sorted(hidden) == ["medicaid", "va"]
    # and every denominator (all 11 or more) is still shown
    assert [r.denominator.value for r in rates.values()] == [50, 120, 40]


def test_a_small_group_hides_its_rate_and_a_partner_group():
    rates = suppress_rates({"under 18": (2, 6), "18-24": (30, 70), "25-34": (50, 90)})
    assert rates["under 18"].denominator.suppressed
    assert rates["under 18"].numerator.suppressed
    # the smallest other group is hidden too, so 166 - 90 cannot reveal the 6
    assert rates["18-24"].denominator.reason == COMPLEMENT
    assert rates["25-34"].percent is not None
    assert str(rates["25-34"].percent) == "55.6"


def test_a_hidden_numerator_cannot_be_recovered_from_the_published_total():
    # Whatever is hidden, never exactly one cell of a row is hidden.
    cases = [
        {"a": (5, 40), "b": (20, 40), "c": (30, 40)},
        {"a": (0, 0), "b": (12, 12), "c": (30, 45)},
        {"a": (11, 30), "b": (15, 26), "c": (3, 3)},
    ]
    for case in cases:
        rates = suppress_rates(case)
        numerators_hidden = sum(r.numerator.suppressed for r in rates.values())
        denominators_hidden = sum(r.denominator.suppressed for r in rates.values())
        assert numerators_hidden != 1, case
        assert denominators_hidden != 1, case
