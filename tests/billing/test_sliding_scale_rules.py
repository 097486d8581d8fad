"""Sliding scale: income as a percent of the poverty guideline, exact at every boundary."""

from decimal import Decimal

import pytest

from ketaclinic.billing.poverty_guidelines import CONTIGUOUS, SHIPPED
from ketaclinic.billing.rules import (
    ScaleBand,
    dispute_check,
    guideline_amount,
    sliding_scale,
    validate_bands,
)

D = Decimal
G2025 = next(g for g in SHIPPED if g.year == 2025 and g.region == CONTIGUOUS)
TABLE = [
    ScaleBand(D("100"), D("75")),
    ScaleBand(D("150"), D("50")),
    ScaleBand(D("200"), D("25")),
    ScaleBand(None, D("0")),
]


def test_the_guideline_grows_by_a_fixed_amount_per_additional_person():
    assert guideline_amount(G2025, 1) == D("15650")
    assert guideline_amount(G2025, 4) == D("32150")


@pytest.mark.parametrize(
    ("income", "discount"),
    [
        ("0", "75"),
        ("32150.00", "75"),  # exactly 100%
        ("32150.01", "50"),  # a cent above
        ("48225.00", "50"),  # exactly 150%
        ("48225.01", "25"),
        ("64300.00", "25"),  # exactly 200%
        ("64300.01", "0"),
        ("250000", "0"),
    ],
)
def test_discounts_apply_exactly_at_the_boundaries_of_the_table(income, discount):
    # given a household of 4 (guideline $32,150 in 2025)
    result = sliding_scale(D(income), 4, G2025, TABLE)
    assert result.discount_percent == D(discount)


def test_a_percent_that_does_not_terminate_is_compared_exactly():
    # given a limit of 100% and a guideline of $15,650 for one person, income 1/3 cent above
    bands = [ScaleBand(D("100"), D("80")), ScaleBand(None, D("0"))]
    just_above = sliding_scale(D("15650.01"), 1, G2025, bands)
    # then it is above the limit, although the percent reads 100.1% (rounded up for display)
    assert just_above.discount_percent == D("0")
    assert just_above.percent == D("100.1")


def test_the_rule_shown_names_household_income_percent_year_source_and_band():
    result = sliding_scale(D("40000"), 3, G2025, TABLE)
    assert result.rule == (
        "Household of 3 people, annual income $40,000.00 = 150.1% of the 2025 poverty "
        "guideline ($26,650; HHS poverty guidelines (ASPE), Federal Register 90 FR 5917, "
        "January 17, 2025); band above 150% and at or below 200%: 25% discount."
    )


@pytest.mark.parametrize(
    ("bands", "problem"),
    [
        ([], "at least one band"),
        ([ScaleBand(D("100"), D("50"))], "last band must be open-ended"),
        (
            [ScaleBand(D("200"), D("50")), ScaleBand(D("100"), D("25")), ScaleBand(None, D("0"))],
            "must increase",
        ),
        ([ScaleBand(None, D("10")), ScaleBand(None, D("0"))], "only the last band"),
        ([ScaleBand(D("100"), D("120")), ScaleBand(None, D("0"))], "between 0 and 100"),
    ],
)
def test_a_malformed_table_is_refused_with_the_reason(bands, problem):
    assert any(problem in p for p in validate_bands(bands))


def test_a_household_needs_at_least_one_person():
    with pytest.raises(ValueError):
        sliding_scale(D("1000"), 0, G2025, TABLE)


@pytest.mark.parametrize(
    ("estimated", "charged", "flag"),
    [("5000.00", "5399.99", False), ("5000.00", "5400.00", True), ("5000.00", "4000.00", False)],
)
def test_charges_400_dollars_or_more_above_the_estimate_are_flagged(estimated, charged, flag):
    check = dispute_check(D(estimated), D(charged), D("400.00"))
    assert check.exceeds is flag
    assert check.difference == D(charged) - D(estimated)
