"""Pharmacokinetic simulator speed: simulations per second, next to scipy's solve_ivp (no asserts).

    .venv/bin/python bench/bench_pk.py [--seconds 2]

Each figure is a 4-hour session on a 1-minute grid (241 points). Single-patient figures call
the simulator once per patient with the model decomposed once per model and covariates, as the
API does; the cohort figure simulates many patients in one call. The peer integrates the same
equations with scipy.integrate.solve_ivp (LSODA, rtol 1e-8), measured in the same run.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ketaclinic.pharmacokinetics import rules, simulator
from ketaclinic.pharmacokinetics.models_data import MODELS

TARGET = 10_000
GRID = rules.time_grid(240.0, 1.0)


def rate(function, seconds: float, batch: int = 1) -> float:
    """Calls per second of CPU time (x batch), best of three runs of about `seconds` / 3 each.

    CPU time of this process, not wall-clock: colleagues share the machine, and a loaded
    machine would otherwise report their load as our slowness.
    """
    best = 0.0
    for _ in range(3):
        count, started = 0, time.process_time()
        while time.process_time() - started < seconds / 3:
            function()
            count += 1
        best = max(best, count * batch / (time.process_time() - started))
    return best


def clements_case(weight=70.0):
    model = MODELS["clements_1981"]
    patient = rules.Patient(weight, 40.0)
    system = rules.system_for(model, patient)
    doses = [rules.Dose("iv", 0.5 * weight, 0.0, 40.0)]
    return model, patient, system, rules.inputs_for(model, system, patient, doses), doses


def esketamine_case():
    model = MODELS["perez_ruixo_2021"]
    patient = rules.Patient(70.0, 45.0, ancestry="non_asian")
    system = rules.system_for(model, patient)
    doses = [rules.Dose("intranasal", 28.0, time_min=t) for t in (0.0, 5.0, 10.0)]
    return system, rules.inputs_for(model, system, patient, doses)


def solve_ivp_clements(weight=70.0):
    """The same session integrated numerically: infusion segment, then the decline."""
    p = {q.name: q.value for q in MODELS["clements_1981"].parameters}
    v1, dose = p["V1"] * weight, 0.5 * weight

    def rhs(_t, y, r):
        return [
            r - (p["k10"] + p["k12"]) * y[0] + p["k21"] * y[1],
            p["k12"] * y[0] - p["k21"] * y[1],
        ]

    during = solve_ivp(
        rhs,
        (0, 40),
        [0.0, 0.0],
        t_eval=GRID[GRID <= 40],
        args=(dose / 40,),
        method="LSODA",
        rtol=1e-8,
        atol=1e-10,
    )
    after = solve_ivp(
        rhs,
        (40, 240),
        during.y[:, -1],
        t_eval=GRID[GRID > 40],
        args=(0.0,),
        method="LSODA",
        rtol=1e-8,
        atol=1e-10,
    )
    return np.concatenate([during.y[0], after.y[0]]) / v1 * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measure")
    parser.add_argument("--cohort", type=int, default=10_000, help="patients per cohort call")
    args = parser.parse_args()

    model, patient, system, inputs, doses = clements_case()
    ours = simulator.curve(system, inputs, GRID).plasma
    peer = solve_ivp_clements()
    agreement = float(np.max(np.abs(ours - peer) / np.maximum(peer, 1e-12)))

    def single():
        simulator.curve(system, inputs, GRID)

    def full_path():
        rules.predict("clements_1981", patient, doses, until_min=240.0, step_min=1.0)

    es_system, es_inputs = esketamine_case()

    def single_esketamine():
        simulator.curve(es_system, es_inputs, GRID)

    rng = np.random.default_rng(2026)
    weights = rng.uniform(45.0, 130.0, args.cohort)
    per_kg = rng.choice([0.5, 0.75, 1.0], args.cohort)
    minutes = rng.choice([40.0, 60.0], args.cohort)

    def cohort():
        plans = [
            [simulator.Input(system.central, 0.0, float(d), float(k * w))]
            for d, k, w in zip(minutes, per_kg, weights, strict=True)
        ]
        simulator.plasma_batch(system, plans, model.value("V1") * weights, GRID)

    rows = [
        (
            "simulator, one patient per call (Clements, 0.5 mg/kg over 40 min)",
            rate(single, args.seconds),
        ),
        ("same, through rules.predict (checks, warnings, metrics)", rate(full_path, args.seconds)),
        (
            "simulator, one patient per call (esketamine 84 mg, 3 devices)",
            rate(single_esketamine, args.seconds),
        ),
        (
            f"simulator, cohort of {args.cohort:,} patients per call (Clements)",
            rate(cohort, args.seconds, args.cohort),
        ),
        (
            "peer: scipy solve_ivp LSODA, one patient per call (Clements)",
            rate(solve_ivp_clements, args.seconds),
        ),
    ]
    peer_rate = rows[-1][1]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(
        f"pharmacokinetic simulator ({platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}; load average {load:.1f})"
    )
    print(
        f"4-hour session, 1-minute grid ({GRID.size} points); simulations per CPU second; "
        f"target >= {TARGET:,}/s"
    )
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value:12,.0f} /s  ({value / peer_rate:8,.1f} x solve_ivp)")
    print(f"  agreement with solve_ivp on this session: max relative difference {agreement:.1e}")


if __name__ == "__main__":
    main()
