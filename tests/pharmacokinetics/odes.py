"""An independent calculation for the tests: each model's differential equations, written out by
hand from the published parameters and integrated with scipy's solve_ivp at tight tolerances.

Nothing here uses the simulator's matrices or its eigen-decomposition.
"""

import itertools

import numpy as np
from scipy.integrate import solve_ivp

from ketaclinic.pharmacokinetics.models_data import MODELS

RTOL, ATOL = 1e-10, 1e-12


def _integrate(rhs, size, boluses, rate_changes, times):
    """Integrate piecewise between dose events; boluses are jumps (state, amount) at a time."""
    events = sorted({0.0, *boluses, *rate_changes, float(times[-1])})
    wanted = np.asarray(times, dtype=float)
    out = np.zeros((size, wanted.size))
    x = np.zeros(size)
    for start, end in itertools.pairwise(events):
        for state, amount in boluses.get(start, ()):
            x[state] += amount
        inside = wanted[(wanted >= start) & (wanted <= end)]
        # Always evaluate at the segment's end too: the next segment starts from that state.
        evaluate = np.union1d(inside, [end])
        solution = solve_ivp(
            lambda t, y, start=start: rhs(t, y, start),
            (start, end),
            x,
            method="Radau",
            t_eval=evaluate,
            rtol=RTOL,
            atol=ATOL,
        )
        for t in inside:
            out[:, np.searchsorted(wanted, t)] = solution.y[:, np.searchsorted(evaluate, t)]
        x = solution.y[:, -1]
    return out


def iv_plasma(code, weight_kg, infusions, times):
    """Plasma (and effect-site) ng/mL for a mammillary model; infusions: (start, minutes, mg)."""
    model = MODELS[code]
    p = {q.name: q.value for q in model.parameters}
    v1 = p["V1"] * weight_kg
    k13, k31, ke0 = p.get("k13", 0.0), p.get("k31", 0.0), p.get("ke0", 0.0)

    def rate(t):
        return sum(mg / d for s, d, mg in infusions if d > 0 and s <= t < s + d)

    def rhs(t, y, segment_start):
        a1, a2, a3, ce = y
        r = rate(segment_start)  # constant on each segment between events
        return [
            r - (p["k10"] + p["k12"] + k13) * a1 + p["k21"] * a2 + k31 * a3,
            p["k12"] * a1 - p["k21"] * a2,
            k13 * a1 - k31 * a3,
            ke0 * (a1 / v1 - ce),
        ]

    boluses = {}
    for s, d, mg in infusions:
        if d == 0:
            boluses.setdefault(float(s), []).append((0, mg))
    changes = [x for s, d, _ in infusions if d > 0 for x in (s, s + d)]
    y = _integrate(rhs, 4, boluses, changes, times)
    return y[0] / v1 * 1000.0, y[3] * 1000.0


def esketamine_plasma(device_times, times, *, age_years=45.0, ancestry=None):
    """Esketamine plasma ng/mL after 28 mg devices, from the equations of Perez-Ruixo 2021.

    Nasal share of each device (FRn, x 0.62 after the first device, x 1.34 if Japanese) goes to
    the nasal depot; the swallowed rest reaches the gut depot at a constant rate over Dsw with
    the fraction Fgut, then the liver; the liver exchanges with plasma at hepatic blood flow
    and eliminates with kel + kmet (kel x 0.36 if Asian). Rates in the paper are per hour.
    """
    p = {q.name: q.value for q in MODELS["perez_ruixo_2021"].parameters}
    h = 60.0
    qh = (p["Qh"] - p["Qh_age"] * max(0.0, age_years - 60.0)) / h
    asian = ancestry in ("asian_non_japanese", "japanese")
    kel = p["kel"] * (p["kel_asian"] if asian else 1.0) / h
    kmet = p["kmet"] / h
    frn = p["FRn"] * (p["FRn_japanese"] if ancestry == "japanese" else 1.0)
    dsw = p["Dsw"] * h
    ordered = sorted(device_times)
    shares = [frn * (p["FRn_next_device"] if i else 1.0) for i in range(len(ordered))]

    def gut_rate(t):
        return sum(
            (1 - share) * 28.0 * p["Fgut"] / dsw
            for at, share in zip(ordered, shares, strict=True)
            if at <= t < at + dsw
        )

    def rhs(t, y, segment_start):
        nasal, gut, c, p1, p2, liver = y
        ka_n, ka_sw = p["ka_n"] / h, p["ka_sw"] / h
        q1, q2 = p["Q1"] / h, p["Q2"] / h
        return [
            -ka_n * nasal,
            gut_rate(segment_start) - ka_sw * gut,
            ka_n * nasal
            + q1 / p["Vp1"] * p1
            + q2 / p["Vp2"] * p2
            + qh / p["Vh"] * liver
            - (q1 + q2 + qh) / p["Vc"] * c,
            q1 / p["Vc"] * c - q1 / p["Vp1"] * p1,
            q2 / p["Vc"] * c - q2 / p["Vp2"] * p2,
            ka_sw * gut + qh / p["Vc"] * c - (qh / p["Vh"] + kel + kmet) * liver,
        ]

    boluses = {}
    for at, share in zip(ordered, shares, strict=True):
        boluses.setdefault(float(at), []).append((0, share * 28.0))
    changes = [x for at in ordered for x in (at, at + dsw)]
    y = _integrate(rhs, 6, boluses, changes, times)
    return y[2] / p["Vc"] * 1000.0
