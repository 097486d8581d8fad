"""Infusion units by duration (CPT 96365/96366) and esketamine codes by dose (G2082/G2083)."""

from decimal import Decimal

import pytest

from ketaclinic.billing.definitions import ESK_OVER_56, ESK_UP_TO_56, InfusionTimeRule
from ketaclinic.billing.rules import devices_for, esketamine_service, infusion_units


@pytest.mark.parametrize(
    ("minutes", "initial", "additional"),
    [
        (16, 1, 0),
        (40, 1, 0),
        (60, 1, 0),
        (90, 1, 0),  # exactly 30 min beyond the hour: not MORE than 30
        (91, 1, 1),
        (120, 1, 1),
        (150, 1, 1),
        (151, 1, 2),
        (210, 1, 2),
        (211, 1, 3),
    ],
)
def test_infusion_units_follow_the_cpt_time_rule(minutes, initial, additional):
    units = infusion_units(minutes)
    assert (units.initial, units.additional) == (initial, additional)


def test_an_infusion_of_15_minutes_or_less_gives_no_96365_and_says_why():
    units = infusion_units(15)
    assert (units.initial, units.additional) == (0, 0)
    assert "15 min or less" in units.warnings[0]


def test_a_payer_counting_30_minutes_as_enough_is_a_configuration_change():
    # given a payer whose additional hour needs more than 29 minutes (30 or more)
    rule = InfusionTimeRule(additional_more_than_minutes=29)
    # then 90 minutes already earns an additional hour
    assert infusion_units(90, rule).additional == 1


def test_a_negative_duration_is_refused():
    with pytest.raises(ValueError):
        infusion_units(-1)


@pytest.mark.parametrize(
    ("dose", "service"),
    [("28", ESK_UP_TO_56), ("56", ESK_UP_TO_56), ("56.0", ESK_UP_TO_56), ("84", ESK_OVER_56)],
)
def test_esketamine_up_to_56_mg_is_g2082_and_above_is_g2083(dose, service):
    assert esketamine_service(Decimal(dose)) == service


def test_devices_are_whole_28_mg_devices():
    assert devices_for(Decimal("56"), Decimal("28")) == 2
    assert devices_for(Decimal("84"), Decimal("28")) == 3
    assert devices_for(Decimal("30"), Decimal("28")) == 2
