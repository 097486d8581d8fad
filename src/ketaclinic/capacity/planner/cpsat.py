"""The week as an OR-Tools CP-SAT model, solved one objective at a time (lexicographic).

Variables per session that may be placed: `placed`, a start on the grid (its domain is every
start the static rules allow), one literal per capable chair and per nurse who could take it,
and one literal per day it could fall on. Chairs are no-overlap resources over the chair time
(turnover included); each nurse is a cumulative resource of capacity `chairs_per_nurse` over
the patient time. Levels: (1) due sessions placed, (2) waiting patients started, (3) idle chair
minutes. Each level is solved, its value is then fixed as a constraint and the next level is
solved from the previous solution as a hint, so a later level can never trade away an
earlier one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .occupancy import Assignment, new_patient_weights, objective, session_weight_base
from .problem import DAY, Problem
from .result import Level

SESSIONS_LEVEL = "due sessions placed (weighted by priority)"
NEW_PATIENTS_LEVEL = "waiting patients started (in rank order)"
IDLE_LEVEL = "idle chair minutes"
# How the time left is shared between the levels still to solve; time a level does not use
# passes on. Starting waiting patients is the hardest level and gets the most.
LEVEL_TIME_SHARES = (1, 2, 1)


@dataclass
class _Model:
    model: cp_model.CpModel
    placed: dict[int, cp_model.IntVar] = field(default_factory=dict)
    start: dict[int, cp_model.IntVar] = field(default_factory=dict)
    chair: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    nurse: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    day: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    started: dict[int, cp_model.IntVar] = field(default_factory=dict)
    used: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)


def build_model(problem: Problem) -> tuple[_Model, list[tuple[str, str, object, int]]]:
    """The CP-SAT model and its levels: (name, "max"/"min", linear expression, trivial bound)."""
    m = _Model(cp_model.CpModel())
    model, grid = m.model, problem.grid
    day_slots = DAY // grid
    chair_intervals: dict[int, list] = {c: [] for c in range(len(problem.chairs))}
    nurse_intervals: dict[int, list] = {n: [] for n in range(len(problem.nurses))}
    day_expr = {}
    for job in problem.jobs:
        if job.static_block is not None:
            continue
        j = job.index
        placed = m.placed[j] = model.new_bool_var(f"placed_{j}")
        slots = sorted({s // grid for s in job.starts})
        start = m.start[j] = model.new_int_var_from_domain(
            cp_model.Domain.from_values(slots), f"start_{j}"
        )
        chairs = []
        for c in job.chairs:
            x = m.chair[j, c] = model.new_bool_var(f"chair_{j}_{c}")
            chairs.append(x)
            chair_intervals[c].append(
                model.new_optional_fixed_size_interval_var(start, job.chair_slots, x, f"ci_{j}_{c}")
            )
        model.add(sum(chairs) == placed)
        nurses = []
        every = set(job.starts)
        for n, allowed in sorted(job.nurse_starts.items()):
            y = m.nurse[j, n] = model.new_bool_var(f"nurse_{j}_{n}")
            nurses.append(y)
            if set(allowed) != every:
                model.add_linear_expression_in_domain(
                    start, cp_model.Domain.from_values(sorted(a // grid for a in allowed))
                ).only_enforce_if(y)
            nurse_intervals[n].append(
                model.new_optional_fixed_size_interval_var(
                    start, job.patient_slots, y, f"ni_{j}_{n}"
                )
            )
        model.add(sum(nurses) == placed)
        days = []
        for d in sorted({s // DAY for s in job.starts}):
            z = m.day[j, d] = model.new_bool_var(f"day_{j}_{d}")
            days.append(z)
            model.add(start >= d * day_slots).only_enforce_if(z)
            model.add(start <= (d + 1) * day_slots - 1).only_enforce_if(z)
        model.add(sum(days) == placed)
        day_expr[j] = sum(d * m.day[j, d] for d in sorted({s // DAY for s in job.starts}))
    for job in problem.jobs:
        j, i = job.index, job.prev
        if i is None or j not in m.placed:
            continue
        if i not in m.placed:
            model.add(m.placed[j] == 0)
            continue
        model.add_implication(m.placed[j], m.placed[i])
        model.add(day_expr[j] - day_expr[i] >= job.min_gap).only_enforce_if(m.placed[j])
        if job.max_gap is not None:
            model.add(day_expr[j] - day_expr[i] <= job.max_gap).only_enforce_if(m.placed[j])
    for group in problem.groups:
        g = m.started[group.index] = model.new_bool_var(f"started_{group.index}")
        for j in group.jobs:
            model.add(m.placed[j] == g) if j in m.placed else model.add(g == 0)
    for intervals in chair_intervals.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    for intervals in nurse_intervals.values():
        if len(intervals) > problem.ratio:
            model.add_cumulative(intervals, [1] * len(intervals), problem.ratio)
    for (j, c), x in m.chair.items():
        for d in {d for (jj, d) in m.day if jj == j}:
            if (c, d) not in m.used:
                m.used[c, d] = model.new_bool_var(f"used_{c}_{d}")
            model.add_bool_or([x.Not(), m.day[j, d].Not(), m.used[c, d]])
    # Redundant, for a useful bound on idle time: on each day the chairs in use hold at least
    # the chair time of the sessions placed that day.
    for d in sorted({d for (_, d) in m.used}):
        model.add(
            sum(problem.open_minutes.get(d, 0) * u for (_, ud), u in m.used.items() if ud == d)
            >= sum(problem.jobs[j].timing.chair_min * z for (j, dd), z in m.day.items() if dd == d)
        )
    base = session_weight_base(problem)
    weights = new_patient_weights(problem)
    sessions = sum(
        (base + job.priority) * m.placed[job.index]
        for job in problem.due_jobs
        if job.index in m.placed
    )
    new_patients = sum(weights[g] * var for g, var in m.started.items())
    idle = sum(problem.open_minutes.get(d, 0) * u for (_, d), u in m.used.items()) - sum(
        problem.jobs[j].timing.chair_min * p for j, p in m.placed.items()
    )
    # Bounds that hold for any plan: every placeable session placed, every patient started,
    # and no idle chair minute (sessions always fit inside the chair-days they use).
    levels = [
        (
            SESSIONS_LEVEL,
            "max",
            sessions,
            sum(base + problem.jobs[j].priority for j in m.placed if not problem.jobs[j].is_new),
        ),
        (NEW_PATIENTS_LEVEL, "max", new_patients, sum(weights[g] for g in m.started)),
        (IDLE_LEVEL, "min", idle, 0),
    ]
    return m, levels


def _read(problem: Problem, m: _Model, solver: cp_model.CpSolver) -> Assignment:
    assignment: Assignment = {}
    for j, placed in m.placed.items():
        if not solver.boolean_value(placed):
            continue
        start = solver.value(m.start[j]) * problem.grid
        chair = next(c for c in problem.jobs[j].chairs if solver.boolean_value(m.chair[j, c]))
        nurse = next(
            n for n in sorted(problem.jobs[j].nurse_starts) if solver.boolean_value(m.nurse[j, n])
        )
        assignment[j] = (start, chair, nurse)
    return assignment


def _hint(problem: Problem, m: _Model, assignment: Assignment) -> None:
    model = m.model
    model.clear_hints()
    for j, placed in m.placed.items():
        at = assignment.get(j)
        model.add_hint(placed, at is not None)
        job = problem.jobs[j]
        model.add_hint(m.start[j], (at[0] if at else job.starts[0]) // problem.grid)
        for c in job.chairs:
            model.add_hint(m.chair[j, c], bool(at) and at[1] == c)
        for n in job.nurse_starts:
            model.add_hint(m.nurse[j, n], bool(at) and at[2] == n)
        for d in {d for (jj, d) in m.day if jj == j}:
            model.add_hint(m.day[j, d], bool(at) and at[0] // DAY == d)
    for g, var in m.started.items():
        model.add_hint(var, all(j in assignment for j in problem.groups[g].jobs))
    used = {(c, s // DAY) for s, c, _ in assignment.values()}
    for key, var in m.used.items():
        model.add_hint(var, key in used)


def _counts(problem: Problem, name: str, assignment: Assignment, bound: int) -> tuple[int, int]:
    """The level in plain numbers. Each weight is a count unit (base or 2^n) plus less than
    one unit in all, so dividing the bound by the unit bounds the count."""
    values = objective(problem, assignment)
    if name == SESSIONS_LEVEL:
        return values.sessions_placed, bound // session_weight_base(problem)
    if name == NEW_PATIENTS_LEVEL:
        return values.new_patients_started, bound // 2 ** len(problem.groups)
    return values.idle_chair_min, bound


def _true_value(problem: Problem, name: str, assignment: Assignment) -> int:
    values = objective(problem, assignment)
    return {
        SESSIONS_LEVEL: values.sessions_value,
        NEW_PATIENTS_LEVEL: values.new_patients_value,
        IDLE_LEVEL: values.idle_chair_min,
    }[name]


def _bound(sense: str, raw: float | None, value: int, trivial: int) -> int:
    """CP-SAT's proven bound; without one, the bound that holds for any plan."""
    if raw is not None and math.isfinite(raw):
        bound = math.floor(raw + 1e-6) if sense == "max" else math.ceil(raw - 1e-6)
        if (sense == "max" and bound >= value) or (sense == "min" and bound <= value):
            return bound
    return max(trivial, value) if sense == "max" else min(trivial, value)


def solve(
    problem: Problem,
    *,
    start_from: Assignment,
    time_limit_s: float = 30.0,
    workers: int = 4,
    seed: int = 0,
    fixed: Assignment | None = None,
) -> tuple[Assignment, list[Level]]:
    """Solve the levels in order within the time limit, starting from a feasible assignment.

    `fixed`: sessions held at their start and chair (their nurse stays free), for example a
    week already scheduled; the rest is planned around them.
    """
    deadline = time.monotonic() + time_limit_s
    m, levels = build_model(problem)
    for j, (start, chair, _nurse) in (fixed or {}).items():
        if j in m.placed and (j, chair) in m.chair:
            m.model.add(m.placed[j] == 1)
            m.model.add(m.start[j] == start // problem.grid)
            m.model.add(m.chair[j, chair] == 1)
    best = dict(start_from)
    results: list[Level] = []
    for position, (name, sense, expr, trivial) in enumerate(levels):
        if isinstance(expr, int):  # nothing to decide at this level
            results.append(Level(name, sense, expr, expr, True))
            continue
        _hint(problem, m, best)
        m.model.maximize(expr) if sense == "max" else m.model.minimize(expr)
        solver = cp_model.CpSolver()
        remaining = max(0.05, deadline - time.monotonic())
        share = LEVEL_TIME_SHARES[position] / sum(LEVEL_TIME_SHARES[position:])
        solver.parameters.max_time_in_seconds = remaining * share
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        # Probing and symmetry detection cost seconds on week-sized models and rarely pay
        # back within a planning time limit (measured with bench/bench_capacity.py).
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        status = solver.solve(m.model)
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        value = _true_value(problem, name, best)
        if found:
            # Keep the better of the solver's answer and the plan it started from, so a level
            # never ends worse than the hint (or the baseline) it was given.
            candidate = _read(problem, m, solver)
            reached = _true_value(problem, name, candidate)
            if (reached >= value) if sense == "max" else (reached <= value):
                best, value = candidate, reached
        bound = _bound(sense, solver.best_objective_bound if found else None, value, trivial)
        optimal = status == cp_model.OPTIMAL
        results.append(Level(name, sense, value, bound, optimal))
        m.model.add(expr >= value) if sense == "max" else m.model.add(expr <= value)
    return best, [_final(problem, level, best) for level in results]


def _final(problem: Problem, level: Level, best: Assignment) -> Level:
    """A level as the final plan reaches it: a later level may have raised an earlier one
    above the value that was fixed (never below), and its bound still holds."""
    value = _true_value(problem, level.name, best)
    count, count_bound = _counts(problem, level.name, best, level.bound)
    optimal = level.optimal or value == level.bound
    return Level(level.name, level.sense, value, level.bound, optimal, count, count_bound)
