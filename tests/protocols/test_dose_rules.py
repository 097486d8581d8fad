"""Dose math: infusion volumes and pump rates, nasal devices, caps, limits, cumulative exposure."""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest

from ketaclinic.protocols.definitions import PROTOCOLS, ExposureLimit
from ketaclinic.protocols.rules import (
    DoseInputError,
    calculate_devices,
    calculate_infusion,
    cumulative_exposure,
    exposure_warnings,
)

IV = PROTOCOLS["iv_ketamine"].dose
ESK = PROTOCOLS["esketamine_trd"].dose
D = Decimal


@pytest.mark.parametrize(
    ("weight", "conc", "bag", "per_kg", "minutes", "dose", "draw", "volume", "rate"),
    [
        # the example: 80 kg, 10 mg/mL, 100 mL bag, 0.5 mg/kg over 40 min
        ("80", "10", "100", None, None, "40.0", "4.00", "104.00", "156.0"),
        # 73.4 kg at 50 mg/mL: 36.7 mg = 0.734 mL, rounded to 0.73 mL
        ("73.4", "50", "100", None, None, "36.7", "0.73", "100.73", "151.0"),
        # 1.0 mg/kg over 60 min, 100 mg/mL, 250 mL bag
        ("92", "100", "250", "1.0", 60, "92.0", "0.92", "250.92", "250.9"),
        # 0.75 mg/kg of 61.3 kg = 45.975 mg, rounded DOWN to 45.9 mg
        ("61.3", "10", "50", "0.75", 45, "45.9", "4.59", "54.59", "72.7"),
        # the bag may be empty (syringe pump): rate from the drawn volume alone
        ("70", "10", "0", None, None, "35.0", "3.50", "3.50", "5.2"),
    ],
)
def test_infusion_math_is_exact(weight, conc, bag, per_kg, minutes, dose, draw, volume, rate):
    # when an infusion is calculated
    calc = calculate_infusion(
        IV,
        weight_kg=D(weight),
        concentration_mg_per_ml=D(conc),
        bag_volume_ml=D(bag),
        dose_mg_per_kg=D(per_kg) if per_kg else None,
        duration_min=minutes,
    )

    # then every number is the exact, documented rounding
    assert calc.dose_mg == D(dose)
    assert calc.draw_volume_ml == D(draw)
    assert calc.infusion_volume_ml == D(volume)
    assert calc.rate_ml_per_h == D(rate)
    assert calc.capped is False


def test_the_pump_rate_is_rounded_down_so_the_pump_never_runs_faster_than_ordered():
    # given 73.4 kg: 100.73 mL over 40 min is exactly 151.095 mL/h
    calc = calculate_infusion(
        IV, weight_kg=D("73.4"), concentration_mg_per_ml=D("50"), bag_volume_ml=D("100")
    )

    assert calc.rate_ml_per_h == D("151.0")
    assert calc.rate_ml_per_h * calc.duration_min / 60 <= calc.infusion_volume_ml
    # and the infusion at that setting takes a little longer than ordered, never shorter
    assert calc.actual_duration_min == D("40.0")
    assert calc.actual_duration_min >= calc.duration_min


def test_a_clinic_pump_with_whole_ml_steps_rounds_to_whole_ml_per_hour():
    rule = replace(IV, pump_rate_step_ml_per_h=D("1"))

    calc = calculate_infusion(
        rule, weight_kg=D("73.4"), concentration_mg_per_ml=D("50"), bag_volume_ml=D("100")
    )

    assert calc.rate_ml_per_h == D("151")


def test_a_clinic_maximum_caps_the_dose_and_flags_it():
    # given a clinic copy of IV ketamine with a 60 mg ceiling
    rule = replace(IV, max_dose_mg=D("60"))

    # when a 150 kg patient is calculated at 0.5 mg/kg (75 mg)
    calc = calculate_infusion(
        rule, weight_kg=D("150"), concentration_mg_per_ml=D("10"), bag_volume_ml=D("100")
    )

    # then the dose is the ceiling, flagged, and the volumes follow the capped dose
    assert calc.dose_mg == D("60")
    assert calc.capped is True
    assert calc.max_dose_mg == D("60")
    assert calc.draw_volume_ml == D("6.00")
    assert calc.infusion_volume_ml == D("106.00")
    assert calc.rate_ml_per_h == D("159.0")


@pytest.mark.parametrize("weight", ["40", "55.5", "80", "120", "200"])
@pytest.mark.parametrize("per_kg", ["0.5", "0.75", "1.0"])
def test_an_iv_dose_never_exceeds_the_per_kg_maximum(weight, per_kg):
    calc = calculate_infusion(
        IV,
        weight_kg=D(weight),
        concentration_mg_per_ml=D("10"),
        bag_volume_ml=D("100"),
        dose_mg_per_kg=D(per_kg),
    )

    assert calc.dose_mg <= D(weight) * IV.max_mg_per_kg
    assert calc.dose_mg <= calc.max_dose_mg


def test_mg_per_kg_and_duration_outside_the_protocol_limits_are_refused_with_field_names():
    with pytest.raises(DoseInputError) as refused:
        calculate_infusion(
            IV,
            weight_kg=D("80"),
            concentration_mg_per_ml=D("10"),
            bag_volume_ml=D("100"),
            dose_mg_per_kg=D("1.5"),
            duration_min=20,
        )

    assert set(refused.value.errors) == {"dose_mg_per_kg", "duration_min"}
    assert "0.5 and 1.0" in refused.value.errors["dose_mg_per_kg"]
    assert "40 and 60" in refused.value.errors["duration_min"]


def test_nonsense_weights_and_concentrations_are_refused():
    with pytest.raises(DoseInputError) as refused:
        calculate_infusion(
            IV, weight_kg=D("0"), concentration_mg_per_ml=D("-1"), bag_volume_ml=D("-5")
        )

    assert set(refused.value.errors) == {"weight_kg", "concentration_mg_per_ml", "bag_volume_ml"}


@pytest.mark.parametrize(("dose", "devices"), [("28", 1), ("56", 2), ("84", 3)])
def test_esketamine_doses_are_whole_28_mg_devices(dose, devices):
    calc = calculate_devices(ESK, dose_mg=D(dose))

    assert calc.devices == devices
    assert calc.device_mg == D("28")
    assert calc.dose_mg == D(dose)
    assert calc.rest_between_devices_min == 5
    assert calc.capped is False


def test_an_esketamine_dose_that_is_not_a_label_dose_is_refused():
    with pytest.raises(DoseInputError) as refused:
        calculate_devices(ESK, dose_mg=D("70"))

    assert "28, 56, 84" in refused.value.errors["dose_mg"]


def test_an_esketamine_dose_above_a_clinic_maximum_is_capped_and_flagged():
    rule = replace(ESK, max_dose_mg=D("56"))

    calc = calculate_devices(rule, dose_mg=D("84"))

    assert (calc.dose_mg, calc.devices, calc.capped) == (D("56"), 2, True)


def test_the_wrong_calculator_for_a_protocol_is_refused():
    with pytest.raises(DoseInputError):
        calculate_devices(IV, dose_mg=D("56"))
    with pytest.raises(DoseInputError):
        calculate_infusion(
            ESK, weight_kg=D("80"), concentration_mg_per_ml=D("10"), bag_volume_ml=D("100")
        )


def test_cumulative_exposure_counts_sessions_and_mg_in_the_last_30_days():
    # given doses on days 0..40 before today, twice weekly at 84 mg
    today = datetime.date(2025, 6, 30)
    doses = [
        (today - datetime.timedelta(days=d), D("84"))
        for d in (0, 3, 7, 10, 14, 17, 21, 24, 28, 31, 35)
    ]

    exposure = cumulative_exposure(doses, today)

    # then only the 9 doses within 30 days (today and 29 days before) count
    assert exposure.sessions == 9
    assert exposure.total_mg == D("756")
    assert exposure.window_start == datetime.date(2025, 6, 1)


def test_exposure_above_the_protocol_limit_warns_about_dependence_risk():
    limit = PROTOCOLS["esketamine_trd"].exposure
    today = datetime.date(2025, 6, 30)
    at_limit = cumulative_exposure(
        [(today - datetime.timedelta(days=3 * d), D("84")) for d in range(9)], today
    )
    above = cumulative_exposure(
        [(today - datetime.timedelta(days=3 * d), D("84")) for d in range(10)], today
    )

    assert exposure_warnings(at_limit, limit) == []
    warnings = exposure_warnings(above, limit)
    assert len(warnings) == 2
    assert "10 sessions in 30 days is above the limit of 9" in warnings[0]
    assert "840 mg" in warnings[1]


def test_an_exposure_limit_without_values_never_warns():
    limit = ExposureLimit(30, None, None, "clinic-defined")
    exposure = cumulative_exposure(
        [(datetime.date(2025, 1, 1), D("500"))] * 20, datetime.date(2025, 1, 1)
    )

    assert exposure_warnings(exposure, limit) == []
