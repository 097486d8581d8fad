"""How much a session may draw for its order without a reason (pure rules, no database)."""

from decimal import Decimal

import pytest

from ketaclinic.inventory.definitions import BaseUnit
from ketaclinic.inventory.rules import administered_mg, draw_allowance, over_draw

D = Decimal


@pytest.mark.parametrize(
    ("ordered_mg", "unit", "concentration", "allowance"),
    [
        ("56", BaseUnit.DEVICE, "28", "2"),  # two whole devices
        ("84", BaseUnit.DEVICE, "28", "3"),
        ("60", BaseUnit.DEVICE, "28", "3"),  # a part of a device takes a whole one
        ("36.5", BaseUnit.MG, "10", "40"),  # up to the next whole mL of 10 mg/mL
        ("40", BaseUnit.MG, "10", "40"),  # already whole: nothing more
        ("45", BaseUnit.MG, "50", "50"),
        ("0.5", BaseUnit.MG, "50", "50"),
    ],
)
def test_the_allowance_is_the_order_rounded_up_to_what_the_container_forces(
    ordered_mg, unit, concentration, allowance
):
    assert draw_allowance(D(ordered_mg), unit, D(concentration)) == D(allowance)


def test_an_over_draw_counts_what_the_session_already_drew():
    assert over_draw(D("0"), D("40"), D("40")) == 0
    assert over_draw(D("30"), D("20"), D("40")) == D("10")
    assert over_draw(D("0"), D("3"), D("2")) == D("1")


def test_devices_administered_are_counted_in_mg():
    assert administered_mg(D("2"), BaseUnit.DEVICE, D("28")) == D("56")
    assert administered_mg(D("36.5"), BaseUnit.MG, D("10")) == D("36.5")
