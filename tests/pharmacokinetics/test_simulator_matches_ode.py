"""Every shipped model agrees with an independent ODE solution (scipy solve_ivp) within 0.5%."""

import numpy as np
import pytest

from ketaclinic.pharmacokinetics import rules
from ketaclinic.pharmacokinetics.models_data import MODELS
from tests.pharmacokinetics.odes import esketamine_plasma, iv_plasma

TWENTY_POINTS = np.linspace(3.0, 240.0, 20)
IV_MODELS = [code for code, m in MODELS.items() if m.routes == ("iv",)]


def relative_error(ours, reference):
    return np.abs(ours - reference) / np.abs(reference)


def predicted(code, patient, doses, times):
    # Simulate on a grid that holds exactly the twenty comparison points.
    result = rules.predict(code, patient, doses, until_min=240, step_min=1.0)
    index = [int(np.flatnonzero(np.isclose(result.times, t))[0]) for t in times]
    effect = result.effect[index] if result.effect is not None else None
    return result.plasma[index], effect


def test_every_shipped_model_is_checked_here():
    assert set(MODELS) == {*IV_MODELS, "perez_ruixo_2021"}
    assert len(IV_MODELS) == 3


@pytest.mark.parametrize("code", IV_MODELS)
def test_an_infusion_then_a_bolus_matches_the_ode_at_twenty_time_points(code):
    # Given 0.5 mg/kg over 40 minutes for a 70 kg adult, then a 10 mg bolus at 100 minutes
    doses = [rules.Dose("iv", 35.0, 0.0, 40.0), rules.Dose("iv", 10.0, 100.0, 0.0)]
    times = np.round(TWENTY_POINTS)
    # When the simulator and the hand-written ODE both compute plasma concentrations
    plasma, effect = predicted(code, rules.Patient(70.0, 40.0), doses, times)
    ode_plasma, ode_effect = iv_plasma(code, 70.0, [(0, 40, 35.0), (100, 0, 10.0)], times)
    # Then they agree within 0.5% at every one of the twenty points
    assert len(times) == 20
    assert relative_error(plasma, ode_plasma).max() < 0.005
    if MODELS[code].has_effect_site:
        assert relative_error(effect, ode_effect).max() < 0.005


@pytest.mark.parametrize("weight", [45.0, 110.0])
def test_weight_scales_the_curve_as_the_ode_does(weight):
    # Given a 60-minute infusion of 0.75 mg/kg for a light and a heavy patient
    dose = 0.75 * weight
    times = np.round(TWENTY_POINTS)
    plasma, _ = predicted(
        "domino_1982", rules.Patient(weight, 50.0), [rules.Dose("iv", dose, 0.0, 60.0)], times
    )
    reference, _ = iv_plasma("domino_1982", weight, [(0, 60, dose)], times)
    assert relative_error(plasma, reference).max() < 0.005


@pytest.mark.parametrize(
    ("age", "ancestry"),
    [(45.0, "non_asian"), (72.0, "non_asian"), (45.0, "japanese"), (30.0, "asian_non_japanese")],
)
def test_three_nasal_devices_match_the_ode_at_twenty_time_points(age, ancestry):
    # Given 84 mg of esketamine: three 28 mg devices five minutes apart
    devices = [0.0, 5.0, 10.0]
    doses = [rules.Dose("intranasal", 28.0, time_min=t) for t in devices]
    times = np.round(TWENTY_POINTS)
    # When both calculations run for this age and ancestry
    patient = rules.Patient(70.0, age, ancestry=ancestry)
    plasma, _ = predicted("perez_ruixo_2021", patient, doses, times)
    reference = esketamine_plasma(devices, times, age_years=age, ancestry=ancestry)
    # Then they agree within 0.5%
    assert relative_error(plasma, reference).max() < 0.005


def test_the_comparison_notices_a_central_volume_five_percent_off():
    # Given the simulator's curve and the ODE's for the same infusion
    times = np.round(TWENTY_POINTS)
    plasma, _ = predicted(
        "clements_1981", rules.Patient(70.0, 40.0), [rules.Dose("iv", 35.0, 0.0, 40.0)], times
    )
    honest, _ = iv_plasma("clements_1981", 70.0, [(0, 40, 35.0)], times)
    # When the ODE is given a central volume 5% too large (weight 5% too high, same dose)
    skewed, _ = iv_plasma("clements_1981", 70.0 * 1.05, [(0, 40, 35.0)], times)
    # Then the 0.5% comparison passes for the right one and fails at every point for the wrong
    assert relative_error(plasma, honest).max() < 0.005
    assert relative_error(plasma, skewed).min() > 0.04
