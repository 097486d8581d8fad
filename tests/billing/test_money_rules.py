"""Exact money: half-up cents once per line, totals that always add up, patient balances."""

from decimal import Decimal

from ketaclinic.billing.rules import Line, account, money, price_lines

D = Decimal


def _line(qty, price, discountable=True, service="x"):
    return Line(service, "C", "desc", D(qty), D(price), discountable)


def test_amounts_are_rounded_half_up_to_the_cent():
    assert money("10.005") == D("10.01")
    assert money("10.004") == D("10.00")
    assert money("0.125") == D("0.13")


def test_a_line_total_is_quantity_times_unit_price_rounded_once():
    # given 36.3 mg of drug at $0.55 per mg (19.965)
    line = _line("36.3", "0.55")
    # then the line total is rounded half-up to the cent
    assert line.total == D("19.97")


def test_the_total_equals_the_sum_of_the_lines_without_a_discount():
    lines = [_line("8", "650.00"), _line("16", "14.33"), _line("1", "0.10")]
    totals = price_lines(lines)
    assert totals.subtotal == sum(p.total for p in totals.lines)
    assert totals.total == totals.subtotal == D("5429.38")
    assert totals.discount == D("0.00")


def test_a_discount_is_rounded_per_line_and_the_total_is_subtotal_minus_discount():
    # given a 33% discount on $10.01 (3.3033) and on $20.02 (6.6066)
    totals = price_lines([_line("1", "10.01"), _line("1", "20.02")], D("33"))
    # then each line discount is rounded half-up and the totals still add up exactly
    assert [p.discount for p in totals.lines] == [D("3.30"), D("6.61")]
    assert totals.discount == D("9.91")
    assert totals.total == totals.subtotal - totals.discount == D("20.12")


def test_lines_the_clinic_marks_not_discountable_keep_their_full_price():
    totals = price_lines([_line("1", "100"), _line("2", "50", discountable=False)], D("50"))
    assert [p.discount for p in totals.lines] == [D("50.00"), D("0.00")]
    assert totals.total == D("150.00")


def test_a_balance_is_net_charges_minus_payments():
    acct = account([(D("650.00"), D("162.50")), (D("650.00"), D("0"))], [D("300.00")])
    assert acct.charged == D("1300.00")
    assert acct.discounts == D("162.50")
    assert acct.net == D("1137.50")
    assert acct.balance == D("837.50")


def test_an_overpayment_shows_as_a_negative_balance_credit():
    acct = account([(D("100.00"), D("0"))], [D("150.00")])
    assert acct.balance == D("-50.00")
