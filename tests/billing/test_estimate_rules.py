"""Course estimates: each phase's sessions and codes, priced, with a total that adds up."""

from decimal import Decimal

from ketaclinic.billing.definitions import (
    ESK_OVER_56,
    ESK_UP_TO_56,
    ESKETAMINE_PER_DEVICE,
    IV_ADDITIONAL_HOUR,
    IV_FIRST_HOUR,
    KETAMINE_PER_MG,
)
from ketaclinic.billing.rules import ESKETAMINE, INFUSION, Price, Visit, estimate, visit_lines

D = Decimal
PRICES = {
    IV_FIRST_HOUR: Price(IV_FIRST_HOUR, "96365", "IV infusion, first hour", D("450.00")),
    IV_ADDITIONAL_HOUR: Price(IV_ADDITIONAL_HOUR, "96366", "each additional hour", D("95.00")),
    ESK_UP_TO_56: Price(ESK_UP_TO_56, "G2082", "Esketamine up to 56 mg", D("300.00")),
    ESK_OVER_56: Price(ESK_OVER_56, "G2083", "Esketamine over 56 mg", D("340.00")),
    KETAMINE_PER_MG: Price(KETAMINE_PER_MG, "", "Ketamine per mg", D("0.55"), False),
    ESKETAMINE_PER_DEVICE: Price(ESKETAMINE_PER_DEVICE, "", "Device", D("295.50"), False),
}


def _esk(phase, dose="56"):
    return Visit(ESKETAMINE, D(dose), device_mg=D("28"), phase=phase, phase_name=phase.title())


def test_an_esketamine_course_lists_each_phase_with_its_sessions_and_codes():
    # given the label schedule: 8 induction, 4 optimization, 4 planned maintenance sessions
    visits = [_esk("induction")] * 8 + [_esk("optimization")] * 4 + [_esk("maintenance")] * 4
    # when it is estimated
    result = estimate(visits, PRICES)
    # then each phase has its session code and drug line, and the total adds up
    rows = [(p.line.phase, p.line.code, p.line.quantity) for p in result.totals.lines]
    assert rows == [
        ("induction", "G2082", 8),
        ("induction", "", 16),
        ("optimization", "G2082", 4),
        ("optimization", "", 8),
        ("maintenance", "G2082", 4),
        ("maintenance", "", 8),
    ]
    assert result.totals.total == sum(p.total for p in result.totals.lines)
    assert result.totals.total == D("16") * D("300.00") + D("32") * D("295.50")
    assert result.sessions_by_phase == (
        ("induction", "Induction", 8),
        ("optimization", "Optimization", 4),
        ("maintenance", "Maintenance", 4),
    )


def test_an_84_mg_session_is_billed_as_g2083_with_three_devices():
    lines = visit_lines(_esk("induction", "84"), PRICES).lines
    assert [(line.code, line.quantity) for line in lines] == [("G2083", 1), ("", 3)]


def test_an_iv_course_bills_the_first_hour_and_the_drug_by_the_mg():
    visits = [Visit(INFUSION, D("36.3"), duration_min=40, phase="induction")] * 6
    result = estimate(visits, PRICES)
    assert [(p.line.code, p.line.quantity, p.total) for p in result.totals.lines] == [
        ("96365", 6, D("2700.00")),
        ("", D("217.8"), D("119.79")),
    ]


def test_a_long_infusion_adds_an_additional_hour():
    lines = visit_lines(Visit(INFUSION, D("40"), duration_min=95), PRICES).lines
    assert [(line.code, line.quantity) for line in lines] == [("96365", 1), ("96366", 1), ("", 40)]


def test_a_discount_applies_only_to_discountable_lines():
    result = estimate([_esk("induction")], PRICES, discount_percent=D("25"))
    # then 25% of the $300 session fee; the drug devices are not discountable here
    assert result.totals.discount == D("75.00")
    assert result.totals.total == D("300.00") + D("591.00") - D("75.00")


def test_a_session_code_without_a_price_is_warned_about_and_left_out():
    prices = {k: v for k, v in PRICES.items() if k != ESK_UP_TO_56}
    result = estimate([_esk("induction")], prices)
    assert "has no price" in result.warnings[0]
    assert [p.line.service for p in result.totals.lines] == [ESKETAMINE_PER_DEVICE]
