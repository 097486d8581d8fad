"""The plausible-weight rule: plain finite numbers inside the clinic's data-entry range."""

from decimal import Decimal

import pytest

from ketaclinic.core.numbers import (
    DEFAULT_WEIGHT_RANGE,
    WeightRange,
    number_problem,
    range_problem,
)

D = Decimal


@pytest.mark.parametrize("value", ["20", "20.0", "72.5", "400", D("400.0"), 80, 80.5])
def test_plain_weights_inside_20_to_400_kg_are_plausible(value):
    assert DEFAULT_WEIGHT_RANGE.problem(value) is None


@pytest.mark.parametrize("value", ["19.9", "400.1", "500", "1000", "0", "-72"])
def test_weights_outside_the_range_name_the_range_and_what_it_is(value):
    assert DEFAULT_WEIGHT_RANGE.problem(value) == (
        "must be between 20-400 kg (the clinic's data-entry plausibility range)"
    )


@pytest.mark.parametrize(
    "value",
    ["1e3", "5e1", "5E1", "NaN", "nan", "Infinity", "-Infinity", "inf", D("NaN"), D("5E+1")],
)
def test_exponents_and_non_finite_numbers_are_refused_even_inside_the_range(value):
    assert number_problem(value) is not None
    assert DEFAULT_WEIGHT_RANGE.problem(value) is not None


@pytest.mark.parametrize("value", ["eighty", "", True, None])
def test_what_is_not_a_number_is_refused(value):
    assert number_problem(value) is not None


def test_a_clinic_range_is_described_with_its_own_bounds():
    assert WeightRange(D("35.0"), D("250.0")).text == (
        "35-250 kg (the clinic's data-entry plausibility range)"
    )


def test_a_clinic_may_narrow_the_range_but_not_widen_or_invert_it():
    assert range_problem(D("35"), D("250")) == {}
    assert set(range_problem(D("10"), D("500"))) == {"min_kg", "max_kg"}
    assert range_problem(D("200"), D("100")) == {"max_kg": "must be above min_kg"}
    assert "min_kg" in range_problem("1e1", D("100"))
