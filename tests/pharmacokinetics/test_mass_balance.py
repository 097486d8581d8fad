"""What was given is found again at every step: in the body, eliminated, lost before
absorption, or still waiting to be absorbed, within 0.1%."""

import numpy as np
import pytest

from ketaclinic.pharmacokinetics import rules, simulator
from ketaclinic.pharmacokinetics.models_data import MODELS

IV_PLANS = {
    "one 40-minute infusion": [rules.Dose("iv", 35.0, 0.0, 40.0)],
    "bolus, infusion, bolus": [
        rules.Dose("iv", 5.0, 0.0, 0.0),
        rules.Dose("iv", 40.0, 2.5, 57.5),
        rules.Dose("iv", 7.3, 90.25, 0.0),
    ],
}
NASAL_PLANS = {
    "56 mg": [0.0, 5.0],
    "84 mg, devices off the grid": [0.0, 5.3, 11.7],
}


def ledger(code, patient, doses, *, method="auto", step=1.0):
    model = MODELS[code]
    system = rules.system_for(model, patient)
    inputs = rules.inputs_for(model, system, patient, doses)
    return simulator.balance(system, inputs, rules.time_grid(240.0, step), method=method)


@pytest.mark.parametrize("method", ["modal", "stepped"])
@pytest.mark.parametrize("plan", list(IV_PLANS))
@pytest.mark.parametrize("code", ["clements_1981", "domino_1982", "hijazi_2003"])
def test_intravenous_doses_are_accounted_for_at_every_step(code, plan, method):
    # Given an intravenous plan simulated on a 1-minute grid
    result = ledger(code, rules.Patient(70.0, 40.0), IV_PLANS[plan], method=method)
    # Then what was infused so far equals what is in the body plus what was eliminated
    assert result.given[-1] == pytest.approx(sum(d.mg for d in IV_PLANS[plan]))
    assert result.relative_error.max() < 0.001
    # and elimination only ever accumulates
    assert np.all(np.diff(result.eliminated) >= -1e-9)


@pytest.mark.parametrize("method", ["modal", "stepped"])
@pytest.mark.parametrize("plan", list(NASAL_PLANS))
def test_nasal_devices_are_accounted_for_at_every_step(plan, method):
    # Given 28 mg devices of esketamine
    doses = [rules.Dose("intranasal", 28.0, time_min=t) for t in NASAL_PLANS[plan]]
    result = ledger("perez_ruixo_2021", rules.Patient(70.0, 45.0), doses, method=method)
    # Then every sprayed mg is in a depot or compartment, eliminated, lost, or pending
    assert result.given[-1] == pytest.approx(28.0 * len(doses))
    assert result.relative_error.max() < 0.001
    # and the swallowed part destroyed before absorption is (1 - Fgut) of what was swallowed
    fgut = MODELS["perez_ruixo_2021"].value("Fgut")
    frn = MODELS["perez_ruixo_2021"].value("FRn")
    later = frn * MODELS["perez_ruixo_2021"].value("FRn_next_device")
    swallowed = 28.0 * ((1 - frn) + (len(doses) - 1) * (1 - later))
    assert result.lost[-1] == pytest.approx(swallowed * (1 - fgut))
    assert result.pending[-1] == pytest.approx(0.0)


def test_the_ledger_notices_drug_that_disappears():
    # Given a correct ledger, then the same ledger with 1% of the eliminated amount missing
    result = ledger("clements_1981", rules.Patient(70.0, 40.0), IV_PLANS["one 40-minute infusion"])
    broken = simulator.Balance(
        result.times,
        result.given,
        result.in_body,
        result.eliminated * 0.99,
        result.lost,
        result.pending,
    )
    assert result.relative_error.max() < 0.001
    assert broken.relative_error.max() > 0.001


def test_the_stepped_fallback_gives_the_same_curve_as_the_exact_solution():
    # Given a plan with doses between grid points, solved both ways
    model = MODELS["domino_1982"]
    patient = rules.Patient(80.0, 50.0)
    system = rules.system_for(model, patient)
    inputs = rules.inputs_for(model, system, patient, IV_PLANS["bolus, infusion, bolus"])
    times = rules.time_grid(240.0, 1.0)
    modal = simulator.curve(system, inputs, times, method="modal")
    stepped = simulator.curve(system, inputs, times, method="stepped")
    # Then plasma, effect site and AUC agree to a millionth
    assert np.allclose(modal.plasma, stepped.plasma, rtol=1e-6, atol=1e-9)
    assert np.allclose(modal.effect, stepped.effect, rtol=1e-6, atol=1e-9)
    assert modal.auc_ng_min_per_ml == pytest.approx(stepped.auc_ng_min_per_ml, rel=1e-6)


def test_a_cohort_simulated_at_once_matches_patients_simulated_one_by_one():
    # Given three patients of different weights and schedules on the Clements model
    model = MODELS["clements_1981"]
    base = rules.system_for(model, rules.Patient(70.0, 40.0))
    plans = [
        [simulator.Input(base.central, 0.0, 40.0, 30.0)],
        [simulator.Input(base.central, 0.0, 60.0, 70.0)],
        [simulator.Input(base.central, 0.0, 40.0, 45.0), simulator.Input(0, 90.0, 0.0, 5.0)],
    ]
    weights = np.array([60.0, 93.0, 90.0])
    times = rules.time_grid(240.0, 1.0)
    cohort = simulator.plasma_batch(base, plans, model.value("V1") * weights, times)
    for row, plan, weight in zip(cohort, plans, weights, strict=True):
        single = simulator.curve(base.with_volume(model.value("V1") * weight), plan, times)
        assert np.allclose(row, single.plasma, rtol=1e-12, atol=1e-9)


def test_an_uneven_time_grid_gives_the_same_values_as_an_even_one():
    # Given the same plan read on an even 1-minute grid and on uneven times within it
    model = MODELS["perez_ruixo_2021"]
    patient = rules.Patient(70.0, 45.0)
    system = rules.system_for(model, patient)
    doses = [rules.Dose("intranasal", 28.0, time_min=t) for t in (0.0, 5.5, 11.0)]
    inputs = rules.inputs_for(model, system, patient, doses)
    even = simulator.curve(system, inputs, np.arange(0.0, 241.0))
    uneven_times = np.array([0.0, 3.0, 4.0, 17.0, 60.0, 61.0, 199.0, 240.0])
    uneven = simulator.curve(system, inputs, uneven_times)
    # Then both computations agree at the shared times
    assert np.allclose(uneven.plasma, even.plasma[uneven_times.astype(int)], rtol=1e-10)
