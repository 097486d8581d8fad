"""On tiny weeks the solver's objectives equal an exhaustive search's, and every plan is legal."""

import functools

import pytest

from ketaclinic.capacity.planner import plan_week
from ketaclinic.capacity.planner.checker import check_plan

from .brute import best_objective
from .weeks import random_week

# Generated weeks: 1-2 open days, 2-3 chairs, 1-2 nurses, a prescriber on some days, up to 8
# sessions (due sessions, second sessions of a course, waiting patients' first sessions).
SEEDS = range(20)


@functools.cache
def planned(seed):
    data = random_week(seed)
    return data, plan_week(data, time_limit_s=20, workers=2)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_solver_reaches_the_best_objective_an_exhaustive_search_finds(seed):
    # Given a small week, when it is planned and searched exhaustively
    data, report = planned(seed)
    assert len(data.chairs) in (2, 3)
    assert len(data.sessions) + sum(p.sessions_in_week for p in data.new_patients) <= 8
    sessions, new_patients, idle = (level.value for level in report.plan.levels)
    # Then the three objectives are the best there are, and the solver proved it
    assert (sessions, new_patients, -idle) == best_objective(data)
    assert all(level.optimal and level.gap == 0 for level in report.plan.levels)
    counts = [level.count for level in report.plan.levels]
    assert counts == [
        report.plan.sessions_placed,
        report.plan.new_patients_started,
        report.plan.idle_chair_min,
    ]
    assert report.plan.status in ("optimal", "infeasible")
    assert (report.plan.status == "infeasible") == (
        report.plan.sessions_placed < report.plan.sessions_due
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_every_plan_and_every_baseline_keeps_every_rule(seed):
    data, report = planned(seed)
    assert check_plan(data, report.plan.sessions) == []
    assert check_plan(data, report.baseline.sessions) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_the_solver_never_does_worse_than_first_fit(seed):
    _, report = planned(seed)
    plan, baseline = report.plan, report.baseline
    assert (plan.sessions_placed, plan.new_patients_started) >= (
        baseline.sessions_placed,
        baseline.new_patients_started,
    )
    assert len(plan.unplaced) == plan.sessions_due - plan.sessions_placed
    assert all(item.blocked_by for item in plan.unplaced)
