"""Pure tests of DEA registration numbers, the Form 106 24-month count and money amounts."""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.inventory.rules import (
    MoneyError,
    dea_check_digit,
    dea_number_problem,
    months_before,
    normalize_dea_number,
    parse_money,
    thefts_and_losses_before,
)

# --- DEA registration numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "worked"),
    [
        # 1+3+5 = 9; 2 x (2+4+6) = 24; 9 + 24 = 33 -> check digit 3
        ("AB1234563", "33"),
        # 5+3+7 = 15; 2 x (8+6+2) = 32; 47 -> 7
        ("AP5836727", "47"),
        # a registrant under a business name: 9 in place of the last-name letter
        ("F91234563", "33"),
        # all zeros: 0 -> 0
        ("RA0000000", "0"),
    ],
)
def test_a_well_formed_dea_number_passes_its_check_digit(number, worked):
    # then the last digit of the worked sum is the ninth character
    assert worked[-1] == number[-1]
    assert dea_number_problem(number) is None


def test_the_check_digit_is_the_last_digit_of_odd_plus_twice_even_positions():
    assert dea_check_digit("123456") == 3
    assert dea_check_digit("583672") == 7
    assert dea_check_digit("999999") == (27 + 54) % 10


def test_a_wrong_check_digit_is_refused_naming_the_digit_it_should_be():
    problem = dea_number_problem("AB1234567")
    assert problem is not None
    assert "check digit" in problem and "should be 3" in problem


@pytest.mark.parametrize(
    "number",
    ["", "A1234563", "AB123456", "AB12345634", "1B1234563", "A81234563", "ABC234563", "AB12E4563"],
)
def test_a_number_that_is_not_two_letters_and_seven_digits_is_refused(number):
    problem = dea_number_problem(number)
    assert problem is not None
    assert "check digit" not in problem


def test_spaces_hyphens_and_lower_case_are_normalized_before_checking():
    assert normalize_dea_number(" ab-123 4563 ") == "AB1234563"
    assert dea_number_problem(" ab-123 4563 ") is None


# --- Form 106: thefts and losses in the past 24 months ---------------------------------------


def test_months_before_keeps_the_calendar_day_or_takes_the_months_last_day():
    assert months_before(dt.date(2026, 3, 6), 24) == dt.date(2024, 3, 6)
    assert months_before(dt.date(2026, 1, 15), 1) == dt.date(2025, 12, 15)
    # 2024 is a leap year, 2026 is not
    assert months_before(dt.date(2026, 2, 28), 24) == dt.date(2024, 2, 28)
    assert months_before(dt.date(2028, 2, 29), 24) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)


def test_the_24_month_count_takes_earlier_losses_in_the_window_and_not_the_loss_itself():
    # given a loss discovered 2026-03-06 (sequence 50) and others around it
    this = (dt.date(2026, 3, 6), 50)
    others = [
        this,
        (dt.date(2024, 3, 5), 1),  # one day too early
        (dt.date(2024, 3, 6), 2),  # first day of the window
        (dt.date(2025, 12, 24), 20),
        (dt.date(2026, 3, 6), 40),  # same day, recorded before
        (dt.date(2026, 3, 6), 60),  # same day, recorded after: not "before" this one
        (dt.date(2026, 4, 1), 70),  # later
    ]
    # then the window counts the three in [2024-03-06, this]
    assert thefts_and_losses_before(this, others) == 3


def test_a_first_loss_has_no_earlier_thefts_or_losses():
    this = (dt.date(2026, 3, 6), 7)
    assert thefts_and_losses_before(this, [this]) == 0


def test_a_loss_recorded_late_counts_by_the_day_it_was_discovered():
    # given a loss recorded later (higher sequence) but discovered earlier
    this = (dt.date(2026, 3, 6), 10)
    backdated = (dt.date(2026, 3, 1), 11)
    assert thefts_and_losses_before(this, [this, backdated]) == 1


# --- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "amount"),
    [("1234.5", Decimal("1234.50")), ("0", Decimal("0.00")), (Decimal("99.99"), Decimal("99.99"))],
)
def test_purchase_values_are_kept_to_the_cent(given, amount):
    assert parse_money(given) == amount
    assert str(parse_money(given)) == str(amount)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("-1", "negative"),
        ("1.005", "2 decimal places"),
        ("abc", "not an amount"),
        ("NaN", "not an amount"),
        (12.5, "floats"),
        ("1000000000", "plausible"),
    ],
)
def test_an_impossible_purchase_value_is_refused_with_the_reason(given, says):
    with pytest.raises(MoneyError, match=says):
        parse_money(given)
