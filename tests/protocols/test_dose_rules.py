"""Dose math: infusion volumes and pump rates, dosing weight, label strengths and doses, limits."""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest

from ketaclinic.core.numbers import WeightRange
from ketaclinic.protocols.definitions import PROTOCOLS, ExposureLimit
from ketaclinic.protocols.rules import (
    DoseInputError,
    calculate_devices,
    calculate_infusion,
    cumulative_exposure,
    exposure_warnings,
    max_dose_note,
)

IV = PROTOCOLS["iv_ketamine"]
ESK = PROTOCOLS["esketamine_trd"]
ESK_EU = PROTOCOLS["esketamine_trd_eu"]
D = Decimal


def with_dose(protocol, **changes):
    return replace(protocol, dose=replace(protocol.dose, **changes))


def infusion(protocol=IV, **inputs):
    return calculate_infusion(
        protocol,
        **({"concentration_mg_per_ml": D("10"), "bag_volume_ml": D("100")} | inputs),
    )


@pytest.mark.parametrize(
    ("weight", "conc", "bag", "per_kg", "minutes", "calculated", "draw", "given", "volume", "rate"),
    [
        # 80 kg, 10 mg/mL, 100 mL bag, 0.5 mg/kg over 40 min
        ("80", "10", "100", None, None, "40.0", "4.00", "40.0", "104.00", "156.0"),
        # 73.4 kg at 50 mg/mL: 36.7 mg = 0.734 mL, drawn 0.73 mL = 36.5 mg (never more)
        ("73.4", "50", "100", None, None, "36.7", "0.73", "36.5", "100.73", "151.0"),
        # 1.0 mg/kg over 60 min, 100 mg/mL, 250 mL bag
        ("92", "100", "250", "1.0", 60, "92.0", "0.92", "92.0", "250.92", "250.9"),
        # 0.75 mg/kg of 61.3 kg = 45.975 mg, rounded DOWN to 45.9 mg
        ("61.3", "10", "50", "0.75", 45, "45.9", "4.59", "45.9", "54.59", "72.7"),
        # the bag may be empty (syringe pump) at 10 mg/mL: rate from the drawn volume alone
        ("70", "10", "0", None, None, "35.0", "3.50", "35.0", "3.50", "5.2"),
    ],
)
def test_infusion_math_is_exact(
    weight, conc, bag, per_kg, minutes, calculated, draw, given, volume, rate
):
    # when an infusion is calculated
    calc = calculate_infusion(
        IV,
        weight_kg=D(weight),
        concentration_mg_per_ml=D(conc),
        bag_volume_ml=D(bag),
        dose_mg_per_kg=D(per_kg) if per_kg else None,
        duration_min=minutes,
    )

    # then every number is the exact, documented rounding (all down)
    assert calc.calculated_dose_mg == D(calculated)
    assert calc.draw_volume_ml == D(draw)
    assert calc.dose_mg == D(given)
    assert calc.infusion_volume_ml == D(volume)
    assert calc.rate_ml_per_h == D(rate)


def test_a_55_55_kg_patient_at_1_mg_per_kg_of_100_mg_per_ml_draws_0_55_ml_not_0_56():
    # given the reviewers' example: 55.55 kg x 1.0 mg/kg = 55.5 mg at 100 mg/mL (0.555 mL)
    calc = infusion(weight_kg=D("55.55"), dose_mg_per_kg=D("1.0"), concentration_mg_per_ml=D("100"))

    # then the draw is rounded down to 0.55 mL, which holds 55.0 mg, and the answer says so
    assert (calc.calculated_dose_mg, calc.draw_volume_ml, calc.dose_mg) == (
        D("55.5"),
        D("0.55"),
        D("55.0"),
    )
    assert calc.dose_mg <= calc.max_dose_mg
    assert any("0.01 mL syringe step" in w for w in calc.warnings)


def test_drawn_mg_never_exceeds_the_ceiling_over_every_weight_dose_and_strength():
    # for every weight from 20.0 to 400.0 kg in 0.1 kg steps, every mg/kg step of the range
    # and every marketed strength: the drawn mg never exceeds the calculated dose, the
    # per-kg ceiling or a clinic maximum, and the draw is a whole number of syringe steps
    clinic_max = with_dose(IV, max_dose_mg=D("400"))
    checked = 0
    for tenths in range(200, 4001, 7):
        weight = D(tenths) / 10
        for per_kg in (D("0.5"), D("0.55"), D("0.625"), D("0.75"), D("0.875"), D("1.0")):
            for conc in (D("10"), D("50"), D("100")):
                calc = calculate_infusion(
                    clinic_max,
                    weight_kg=weight,
                    concentration_mg_per_ml=conc,
                    bag_volume_ml=D("100"),
                    dose_mg_per_kg=per_kg,
                )
                drawn = calc.draw_volume_ml * conc
                assert drawn == calc.dose_mg, (weight, per_kg, conc)
                assert drawn <= calc.calculated_dose_mg <= calc.max_dose_mg
                assert drawn <= weight * IV.dose.max_mg_per_kg
                assert drawn <= D("400")
                assert calc.draw_volume_ml % IV.dose.syringe_step_ml == 0
                checked += 1
    assert checked == 543 * 6 * 3


def test_the_pump_rate_is_rounded_down_so_the_pump_never_runs_faster_than_ordered():
    # given 73.4 kg: 100.73 mL over 40 min is exactly 151.095 mL/h
    calc = infusion(weight_kg=D("73.4"), concentration_mg_per_ml=D("50"))

    assert calc.rate_ml_per_h == D("151.0")
    assert calc.rate_ml_per_h * calc.duration_min / 60 <= calc.infusion_volume_ml
    # and the infusion at that setting takes a little longer than ordered, never shorter
    assert calc.actual_duration_min == D("40.0")
    assert calc.actual_duration_min >= calc.duration_min


def test_a_clinic_pump_with_whole_ml_steps_rounds_to_whole_ml_per_hour():
    protocol = with_dose(IV, pump_rate_step_ml_per_h=D("1"))

    calc = infusion(protocol, weight_kg=D("73.4"), concentration_mg_per_ml=D("50"))

    assert calc.rate_ml_per_h == D("151")


def test_a_dose_above_the_clinic_maximum_is_refused_naming_the_mg_per_kg():
    # given a clinic version of IV ketamine with a 60 mg maximum per session
    protocol = with_dose(IV, max_dose_mg=D("60"))

    # when a 150 kg patient is calculated at 0.5 mg/kg (75 mg)
    with pytest.raises(DoseInputError) as refused:
        infusion(protocol, weight_kg=D("150"))

    # then nothing is capped silently: the field is named with the clinic's maximum
    message = refused.value.errors["dose_mg_per_kg"]
    assert "75.0 mg is above the clinic's maximum of 60 mg per session" in message
    assert "the clinic's choice" in message


def test_a_dose_at_the_clinic_maximum_is_allowed_and_the_ceiling_is_the_maximum():
    protocol = with_dose(IV, max_dose_mg=D("60"))

    calc = infusion(protocol, weight_kg=D("120"))

    assert (calc.dose_mg, calc.max_dose_mg, calc.clinic_max_dose_mg) == (
        D("60.0"),
        D("60"),
        D("60"),
    )


def test_without_a_clinic_maximum_the_calculation_says_none_is_set():
    assert IV.dose.max_dose_mg is None
    assert max_dose_note(IV).startswith("no clinic maximum set")
    assert "the clinic's choice, not a clinical fact" in max_dose_note(
        with_dose(IV, max_dose_mg=D("70"))
    )


@pytest.mark.parametrize("conc", ["20", "25", "1", "500"])
def test_a_strength_that_is_not_marketed_is_refused_naming_the_label_strengths(conc):
    with pytest.raises(DoseInputError) as refused:
        infusion(weight_kg=D("80"), concentration_mg_per_ml=D(conc))

    message = refused.value.errors["concentration_mg_per_ml"]
    assert "must be one of 10, 50, 100 mg/mL" in message
    assert "Ketalar" in message and "DailyMed" in message


def test_the_100_mg_per_ml_strength_is_never_given_undiluted():
    with pytest.raises(DoseInputError) as refused:
        infusion(weight_kg=D("80"), concentration_mg_per_ml=D("100"), bag_volume_ml=D("0"))

    assert "without dilution" in refused.value.errors["bag_volume_ml"]


@pytest.mark.parametrize("weight", ["500", "1000", "19.9", "400.1", "0", "-5"])
def test_an_implausible_weight_is_refused_with_the_range(weight):
    with pytest.raises(DoseInputError) as refused:
        infusion(weight_kg=D(weight))

    assert refused.value.errors["weight_kg"] == (
        "must be between 20-400 kg (the clinic's data-entry plausibility range)"
    )


@pytest.mark.parametrize("weight", ["1e3", "5e1", "NaN", "Infinity", D("NaN"), D("5E+1")])
def test_a_weight_in_exponent_notation_or_not_finite_is_refused(weight):
    with pytest.raises(DoseInputError) as refused:
        infusion(weight_kg=weight)

    assert "weight_kg" in refused.value.errors


def test_the_clinics_own_range_applies():
    with pytest.raises(DoseInputError) as refused:
        infusion(weight_kg=D("260"), weight_range=WeightRange(D("35"), D("250")))

    assert "35-250 kg" in refused.value.errors["weight_kg"]


def test_mg_per_kg_and_duration_outside_the_protocol_limits_are_refused_with_field_names():
    with pytest.raises(DoseInputError) as refused:
        infusion(weight_kg=D("80"), dose_mg_per_kg=D("1.5"), duration_min=20)

    assert set(refused.value.errors) == {"dose_mg_per_kg", "duration_min"}
    assert "0.5 and 1.0" in refused.value.errors["dose_mg_per_kg"]
    assert "40 and 60" in refused.value.errors["duration_min"]


def test_nonsense_weights_and_concentrations_are_refused():
    with pytest.raises(DoseInputError) as refused:
        infusion(weight_kg=D("0"), concentration_mg_per_ml=D("-1"), bag_volume_ml=D("-5"))

    assert set(refused.value.errors) == {"weight_kg", "concentration_mg_per_ml", "bag_volume_ml"}


# --- dosing weight ------------------------------------------------------------------------------


def test_ideal_body_weight_follows_devine_for_a_man_of_70_inches():
    # given a protocol on ideal body weight and a man of 177.8 cm (70 inches), 110 kg
    protocol = with_dose(IV, dosing_weight="ideal")

    calc = infusion(protocol, weight_kg=D("110"), height_cm=D("177.8"), sex="male")

    # then the dosing weight is 50 + 2.3 x 10 = 73.0 kg and 0.5 mg/kg of it is 36.5 mg
    assert (calc.dosing_weight_kg, calc.ideal_body_weight_kg) == (D("73.0"), D("73.0"))
    assert calc.calculated_dose_mg == D("36.5")
    assert "Devine" in calc.dosing_weight_source


def test_adjusted_body_weight_is_ideal_plus_0_4_of_the_excess():
    # given a woman of 162.56 cm (64 inches), 110 kg: ideal 45.5 + 2.3 x 4 = 54.7 kg
    protocol = with_dose(IV, dosing_weight="adjusted")

    calc = infusion(protocol, weight_kg=D("110"), height_cm=D("162.56"), sex="female")

    # then adjusted = 54.7 + 0.4 x 55.3 = 76.82, rounded down to 76.8 kg
    assert (calc.ideal_body_weight_kg, calc.dosing_weight_kg) == (D("54.7"), D("76.8"))
    assert "Bauer" in calc.dosing_weight_source


def test_ideal_or_adjusted_weight_needs_height_and_sex():
    protocol = with_dose(IV, dosing_weight="ideal")

    with pytest.raises(DoseInputError) as refused:
        infusion(protocol, weight_kg=D("80"), sex="unknown")

    assert set(refused.value.errors) == {"height_cm", "sex"}
    assert "ideal body weight" in refused.value.errors["height_cm"]


def test_devine_is_not_extrapolated_below_5_feet():
    protocol = with_dose(IV, dosing_weight="ideal")

    with pytest.raises(DoseInputError) as refused:
        infusion(protocol, weight_kg=D("50"), height_cm=D("150"), sex="female")

    assert "152.4 cm" in refused.value.errors["height_cm"]


def test_a_mistyped_height_that_gives_an_implausible_dosing_weight_is_refused():
    protocol = with_dose(IV, dosing_weight="ideal")

    with pytest.raises(DoseInputError) as refused:
        infusion(protocol, weight_kg=D("80"), height_cm=D("999.9"), sex="male")

    assert "dosing weight" in refused.value.errors["height_cm"]


# --- esketamine devices and label doses ---------------------------------------------------------


@pytest.mark.parametrize(("dose", "devices"), [("56", 2), ("84", 3)])
def test_esketamine_doses_are_whole_28_mg_devices(dose, devices):
    calc = calculate_devices(ESK, dose_mg=D(dose))

    assert calc.devices == devices
    assert calc.device_mg == D("28")
    assert calc.dose_mg == D(dose)
    assert calc.rest_between_devices_min == 5


@pytest.mark.parametrize("age", [None, 40, 65, 70, 90])
def test_a_us_protocol_refuses_28_mg_at_any_age_citing_the_us_label(age):
    with pytest.raises(DoseInputError) as refused:
        calculate_devices(ESK, dose_mg=D("28"), age_years=age)

    message = refused.value.errors["dose_mg"]
    assert "must be one of 56, 84 mg" in message
    assert "the US label has no 28 mg dose" in message
    assert "DailyMed set id d81a6a79-a74a-44b7-822c-0dfa3036eaed" in message


def test_a_us_clinic_copy_that_still_lists_28_mg_is_held_to_the_us_label():
    # given an older clinic copy that allows 28 mg and starts patients 65+ at 28 mg
    legacy = with_dose(
        ESK,
        allowed_doses_mg=(D("28"), D("56"), D("84")),
        first_dose_mg_age_65_plus=D("28"),
    )

    with pytest.raises(DoseInputError):
        calculate_devices(legacy, dose_mg=D("28"), age_years=70)


def test_an_eu_protocol_allows_28_mg_from_65_and_says_why_not_below():
    assert calculate_devices(ESK_EU, dose_mg=D("28"), age_years=65).devices == 1
    with pytest.raises(DoseInputError) as younger:
        calculate_devices(ESK_EU, dose_mg=D("28"), age_years=64)
    with pytest.raises(DoseInputError) as unknown_age:
        calculate_devices(ESK_EU, dose_mg=D("28"))

    assert "65 and over" in younger.value.errors["dose_mg"]
    assert "EU SmPC" in younger.value.errors["dose_mg"]
    assert "age_years" in unknown_age.value.errors["dose_mg"]


def test_an_esketamine_dose_that_is_not_a_label_dose_is_refused():
    with pytest.raises(DoseInputError) as refused:
        calculate_devices(ESK, dose_mg=D("70"))

    assert "56, 84" in refused.value.errors["dose_mg"]


def test_an_esketamine_dose_above_a_clinic_maximum_is_refused():
    protocol = with_dose(ESK, max_dose_mg=D("56"))

    with pytest.raises(DoseInputError) as refused:
        calculate_devices(protocol, dose_mg=D("84"))

    assert "above the maximum of 56 mg per session" in refused.value.errors["dose_mg"]


def test_the_wrong_calculator_for_a_protocol_is_refused():
    with pytest.raises(DoseInputError):
        calculate_devices(IV, dose_mg=D("56"))
    with pytest.raises(DoseInputError):
        infusion(ESK, weight_kg=D("80"))


# --- cumulative exposure ------------------------------------------------------------------------


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
