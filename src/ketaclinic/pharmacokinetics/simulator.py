"""Exact solutions of linear compartment models, vectorised over time with numpy and scipy.

A model is dx/dt = A x + inputs(t), amounts in mg and time in minutes. Inputs are boluses and
zero-order (constant-rate) inputs into any state. A is decomposed once per model and patient
(A = V diag(lambda) V^-1); every dose then contributes a sum of exponentials on the whole time
grid at once, so a 4-hour session on a 1-minute grid costs a few array operations and no
time-stepping loop. Elimination and the area under the curve are states of A, so the mass
balance is computed, not assumed. See docs/pharmacokinetics.md for the equations.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq

# Eigenvalues closer to zero than this are the accumulating states (eliminated, AUC).
_ZERO = 1e-13
# Beyond this condition number the eigenvectors are too close to parallel (a near-defective
# matrix, e.g. an absorption rate equal to a disposition rate): propagate with expm instead.
_MAX_CONDITION = 1e8


@dataclass(frozen=True)
class Input:
    """Drug entering `state`: a bolus (duration 0) or a constant rate over `duration_min`.

    `mg` is what enters the state. `given_mg` is what the patient was given for it; the
    difference is lost on the way (e.g. swallowed drug destroyed before it is absorbed) and is
    counted as such in the mass balance, in step with the input. `given_at_start` counts the
    whole of `given_mg` as given at the start (a nasal device: sprayed at once, the swallowed
    part absorbed later); otherwise it is given as it enters (an infusion).
    """

    state: int
    start_min: float
    duration_min: float
    mg: float
    given_mg: float | None = None
    given_at_start: bool = False

    @property
    def given(self) -> float:
        return self.mg if self.given_mg is None else self.given_mg


class LinearSystem:
    """A linear compartment model for one patient, decomposed once.

    `central` is the plasma compartment and `volume_l` its volume; `effect` (or None) is an
    effect-site state kept as an amount-equivalent (effect-site concentration x volume_l);
    `auc` integrates the central amount over time; `eliminated` accumulates what left the body;
    `mass` lists the states that hold drug (depots and compartments).
    """

    def __init__(
        self,
        names: tuple[str, ...],
        matrix: np.ndarray,
        *,
        central: int,
        volume_l: float,
        auc: int,
        eliminated: int,
        mass: tuple[int, ...],
        effect: int | None = None,
    ):
        self.names = names
        self.matrix = np.asarray(matrix, dtype=float)
        self.central = central
        self.volume_l = float(volume_l)
        self.auc = auc
        self.eliminated = eliminated
        self.mass = tuple(mass)
        self.effect = effect
        # Exponential tables per even time grid; shared with with_volume() copies.
        self.grids: dict[bytes, tuple | None] = {}
        self.grids_lock = threading.Lock()
        self._decompose()

    def _decompose(self) -> None:
        lam, vec = np.linalg.eig(self.matrix)
        real = np.all(np.abs(lam.imag) <= 1e-12 * np.maximum(1.0, np.abs(lam.real)))
        self.modal = bool(real) and np.linalg.cond(vec.real) < _MAX_CONDITION
        if self.modal:
            self.eigenvalues = lam.real
            self.vectors = vec.real
            self.inverse = np.linalg.inv(self.vectors)
            self.zero_modes = np.abs(self.eigenvalues) < _ZERO
            safe = np.where(self.zero_modes, 1.0, self.eigenvalues)
            self.inverse_eigenvalues = np.where(self.zero_modes, 0.0, 1.0 / safe)
            self.zero_index = np.flatnonzero(self.zero_modes)

    def with_volume(self, volume_l: float) -> LinearSystem:
        """The same system for another central volume (weight-scaled models share A)."""
        clone = object.__new__(LinearSystem)
        clone.__dict__.update(self.__dict__)
        clone.volume_l = float(volume_l)
        return clone


@dataclass(frozen=True)
class Trajectory:
    """States on the time grid (rows: the states asked for, in `rows` order)."""

    times: np.ndarray
    rows: tuple[int, ...]
    values: np.ndarray

    def row(self, state: int) -> np.ndarray:
        return self.values[self.rows.index(state)]


def _even_grid(system: LinearSystem, times: np.ndarray):
    """(table, first time, step) when `times` is evenly spaced, else None.

    table[:, k] = exp(lambda * k * step). On an even grid every dose's exponentials are this
    table shifted to the dose and scaled by exp(lambda * offset), so a dose costs a few
    multiplications instead of exponentials over the grid. Four grids are kept per system.
    """
    key = times.tobytes()
    found = system.grids.get(key, False)
    if found is not False:
        return found
    steps = np.diff(times)
    even = times.size > 1 and np.allclose(steps, steps[0], rtol=1e-12, atol=1e-12)
    grid = (
        (
            np.exp(np.multiply.outer(system.eigenvalues, times - times[0])),
            float(times[0]),
            float(steps[0]),
        )
        if even
        else None
    )
    with system.grids_lock:
        if len(system.grids) >= 4:
            system.grids.pop(next(iter(system.grids)))
        system.grids[key] = grid
    return grid


def _add_even(system, modes, item: Input, times, grid) -> None:
    """Add one input's modal response on an even grid (see _even_grid)."""
    table, origin, step = grid
    size = times.size
    lam = system.eigenvalues
    first = max(0, math.ceil((item.start_min - origin) / step - 1e-9))
    if first >= size:
        return
    scale = np.exp(lam * (times[first] - item.start_min))
    coefficients = system.inverse[:, item.state]
    if item.duration_min == 0:
        modes[:, first:] += (coefficients * (item.mg * scale))[:, None] * table[:, : size - first]
        return
    # Constant rate r from s to e: r * (F(t - s) - F(t - e)), F(u) = (exp(lambda u) - 1) / lambda
    # for u >= 0 and 0 before; the -1/lambda terms cancel once the input has ended.
    weighted = coefficients * (item.mg / item.duration_min) * system.inverse_eigenvalues
    end = item.start_min + item.duration_min
    ended = min(size, max(first, math.ceil((end - origin) / step - 1e-9)))
    modes[:, first:] += (weighted * scale)[:, None] * table[:, : size - first]
    modes[:, first:ended] -= weighted[:, None]
    if ended < size:
        late = weighted * np.exp(lam * (times[ended] - end))
        modes[:, ended:] -= late[:, None] * table[:, : size - ended]
    zero = system.zero_index
    if zero.size:
        given = np.clip(times[first:] - item.start_min, 0.0, item.duration_min)
        rate = item.mg / item.duration_min
        modes[zero, first:] += np.multiply.outer(coefficients[zero] * rate, given)


def _modal(system: LinearSystem, inputs: list[Input], times: np.ndarray, rows) -> np.ndarray:
    lam, zero, inverse_lam = system.eigenvalues, system.zero_modes, system.inverse_eigenvalues
    modes = np.zeros((lam.size, times.size))
    grid = _even_grid(system, times)
    for item in inputs:
        if grid is not None:
            _add_even(system, modes, item, times, grid)
            continue
        first = int(np.searchsorted(times, item.start_min))
        elapsed = times[first:] - item.start_min
        if item.duration_min == 0:
            shape = np.exp(np.multiply.outer(lam, elapsed))
            rate = item.mg
        else:
            # Constant rate: the integral of exp(lambda u) over the part already given,
            # (expm1(lambda t1) - expm1(lambda t2)) / lambda, or t1 - t2 for lambda = 0.
            after_end = np.maximum(elapsed - item.duration_min, 0.0)
            shape = np.expm1(np.multiply.outer(lam, elapsed))
            shape -= np.expm1(np.multiply.outer(lam, after_end))
            shape *= inverse_lam[:, None]
            shape[zero] = elapsed - after_end
            rate = item.mg / item.duration_min
        modes[:, first:] += (system.inverse[:, item.state] * rate)[:, None] * shape
    return system.vectors[list(rows)] @ modes


def plasma_batch(
    system: LinearSystem, plans: list[list[Input]], volumes_l, times: np.ndarray
) -> np.ndarray:
    """Plasma ng/mL of many patients sharing one decomposition (one row per patient).

    By linearity each input is its amount times the response to a unit input of the same
    state, start and duration; patients on the same schedule share those unit responses, so a
    cohort costs one matrix product once the distinct schedules are simulated.
    """
    times = np.asarray(times, dtype=float)
    keys: dict[tuple, int] = {}
    weights: list[tuple[int, int, float]] = []
    for patient, plan in enumerate(plans):
        for item in plan:
            key = (item.state, item.start_min, item.duration_min)
            column = keys.setdefault(key, len(keys))
            weights.append((patient, column, item.mg))
    units = [Input(state, start, duration, 1.0) for state, start, duration in keys]
    responses = np.vstack([_modal(system, [unit], times, [system.central])[0] for unit in units])
    amounts = np.zeros((len(plans), len(units)))
    for patient, column, mg in weights:
        amounts[patient, column] += mg
    return amounts @ responses / np.asarray(volumes_l, dtype=float)[:, None] * 1000.0


def _stepped(system: LinearSystem, inputs: list[Input], times: np.ndarray, rows) -> np.ndarray:
    """Propagate with matrix exponentials between breakpoints (inputs constant in between)."""
    n = system.matrix.shape[0]
    edges = {float(t) for t in times}
    for item in inputs:
        edges.update((item.start_min, item.start_min + item.duration_min))
    edges = sorted(e for e in edges if e >= min(0.0, float(times[0])))
    wanted = {float(t): k for k, t in enumerate(times)}
    out = np.zeros((len(rows), len(times)))
    x = np.zeros(n)
    previous = edges[0]
    for edge in edges:
        span = edge - previous
        if span > 0:
            rate = np.zeros(n)
            for item in inputs:
                if item.duration_min > 0 and item.start_min <= previous < (
                    item.start_min + item.duration_min
                ):
                    rate[item.state] += item.mg / item.duration_min
            augmented = np.zeros((n + 1, n + 1))
            augmented[:n, :n] = system.matrix
            augmented[:n, n] = rate
            x = (expm(augmented * span) @ np.append(x, 1.0))[:n]
        for item in inputs:
            if item.duration_min == 0 and item.start_min == edge:
                x[item.state] += item.mg
        if edge in wanted:
            out[:, wanted[edge]] = x[list(rows)]
        previous = edge
    return out


def simulate(
    system: LinearSystem, inputs: list[Input], times: np.ndarray, rows=None, *, method="auto"
) -> Trajectory:
    """The states `rows` (default: all) at `times` (minutes, ascending) for these inputs."""
    times = np.asarray(times, dtype=float)
    rows = tuple(range(system.matrix.shape[0])) if rows is None else tuple(rows)
    if not inputs:
        return Trajectory(times, rows, np.zeros((len(rows), len(times))))
    use_modal = method == "modal" or (method == "auto" and system.modal)
    solver = _modal if use_modal else _stepped
    return Trajectory(times, rows, solver(system, inputs, times, rows))


def concentration_ng_per_ml(system: LinearSystem, amounts: np.ndarray) -> np.ndarray:
    """Central (or effect-site amount-equivalent) mg -> ng/mL (mg/L x 1000)."""
    return amounts / system.volume_l * 1000.0


@dataclass(frozen=True)
class Curve:
    """What a clinician reads from one simulation."""

    times: np.ndarray
    plasma: np.ndarray
    effect: np.ndarray | None
    auc_ng_min_per_ml: float

    @property
    def cmax(self) -> float:
        return float(self.plasma.max())

    @property
    def tmax(self) -> float:
        return float(self.times[int(self.plasma.argmax())])


def curve(system: LinearSystem, inputs: list[Input], times: np.ndarray, *, method="auto") -> Curve:
    rows = [system.central, system.auc] + ([system.effect] if system.effect is not None else [])
    traj = simulate(system, inputs, times, rows, method=method)
    plasma = concentration_ng_per_ml(system, traj.row(system.central))
    effect = (
        concentration_ng_per_ml(system, traj.row(system.effect))
        if system.effect is not None
        else None
    )
    auc = float(concentration_ng_per_ml(system, traj.row(system.auc))[-1])
    return Curve(traj.times, plasma, effect, auc)


# Just after a bolus: the concentration the instant after the dose enters.
PEAK_AFTER_BOLUS_MIN = 1e-6


def below_from(
    system: LinearSystem, inputs: list[Input], result: Curve, threshold: float
) -> float | None:
    """The time after which plasma concentration stays below `threshold` within the span.

    None when it is still at or above the threshold at the end of the span. The crossing is
    found exactly (root of the closed-form curve) inside the last grid interval above it.
    """

    def excess(t: float) -> float:
        amount = simulate(system, inputs, np.array([t]), [system.central]).values[0, 0]
        return float(concentration_ng_per_ml(system, amount)) - threshold

    times = result.times
    above = np.flatnonzero(result.plasma >= threshold)
    if above.size == 0:
        # No grid point reaches it, but a peak between two (just after a bolus, at the end of
        # an infusion) may: the crossing is then after the last such peak.
        start, end = float(times[0]), float(times[-1])
        events = sorted(
            {
                t
                for i in inputs
                for t in (i.start_min + PEAK_AFTER_BOLUS_MIN, i.start_min + i.duration_min)
                if start <= t < end
            }
        )
        peaks = [t for t in events if excess(t) >= 0]
        if not peaks:
            return start
        lo = peaks[-1]
        hi = float(times[np.searchsorted(times, lo, side="right")])
        if excess(lo) <= 0:
            return lo
        return hi if excess(hi) >= 0 else float(brentq(excess, lo, hi, xtol=1e-6))
    last = int(above[-1])
    if last == len(times) - 1:
        return None
    lo, hi = float(times[last]), float(times[last + 1])

    if excess(lo) <= 0:
        return lo
    if excess(hi) >= 0:  # rounding puts both ends above: the grid point after is the answer
        return hi
    return float(brentq(excess, lo, hi, xtol=1e-6))


@dataclass(frozen=True)
class Balance:
    """Mass balance on the grid: given = in the body + eliminated + lost + still to be absorbed."""

    times: np.ndarray
    given: np.ndarray
    in_body: np.ndarray
    eliminated: np.ndarray
    lost: np.ndarray
    pending: np.ndarray

    @property
    def relative_error(self) -> np.ndarray:
        accounted = self.in_body + self.eliminated + self.lost + self.pending
        scale = np.where(self.given > 0, self.given, 1.0)
        return np.where(self.given > 0, np.abs(self.given - accounted) / scale, 0.0)


def _released(item: Input, times: np.ndarray) -> np.ndarray:
    """Fraction of the input that has entered by each time."""
    if item.duration_min == 0:
        return (times >= item.start_min).astype(float)
    return np.clip((times - item.start_min) / item.duration_min, 0.0, 1.0)


def balance(
    system: LinearSystem, inputs: list[Input], times: np.ndarray, *, method="auto"
) -> Balance:
    times = np.asarray(times, dtype=float)
    rows = [*system.mass, system.eliminated]
    traj = simulate(system, inputs, times, rows, method=method)
    given = np.zeros_like(times)
    lost = np.zeros_like(times)
    pending = np.zeros_like(times)
    for item in inputs:
        released = _released(item, times)
        lost += (item.given - item.mg) * released
        if item.given_at_start:
            started = (times >= item.start_min).astype(float)
            given += item.given * started
            pending += item.given * (started - released)
        else:
            given += item.given * released
    in_body = traj.values[: len(system.mass)].sum(axis=0)
    return Balance(times, given, in_body, traj.row(system.eliminated), lost, pending)
