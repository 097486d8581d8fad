"""Plan a week: CP-SAT beside the greedy baseline, and what one more chair, nurse or hour buys."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from dataclasses import dataclass

from . import analysis, cpsat, greedy
from .inputs import ESKETAMINE, IV, NURSE, Chair, PlanningInput, Shift, TimeWindow, minute_of_day
from .occupancy import assignment_from, objective
from .problem import FAMILIES, build
from .result import PlanResult

DEFAULT_TIME_LIMIT_S = 30.0
ANSWER_RESERVE_S = 0.5


def default_workers() -> int:
    """CP-SAT search workers: one per core, at most 8 (its portfolio gains little beyond)."""
    return max(1, min(8, os.cpu_count() or 1))


@dataclass(frozen=True)
class PlanReport:
    plan: PlanResult
    baseline: PlanResult

    def as_dict(self) -> dict:
        return self.plan.as_dict() | {"baseline": self.baseline.as_dict()}


def plan_week(
    data: PlanningInput,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    workers: int | None = None,
    seed: int = 0,
    start_from=(),
    keep=(),
) -> PlanReport:
    """The week's plan from CP-SAT, and the first-fit baseline beside it.

    `start_from`: planned sessions of an earlier plan (the week before a what-if change, or
    the last run); the solver starts from them when they are better than first fit.
    `keep`: the week as already scheduled (planned sessions, nurse may be empty). When those
    slots, with first fit around them, are as good as the solver's answer on every objective,
    they are the plan: re-planning a planned week moves nothing.
    Raises `PlanningRefused` when the input cannot be planned (for example no chairs-per-nurse
    ratio set).
    """
    began = time.monotonic()
    problem = build(data)
    greedy_from = time.monotonic()
    first_fit = greedy.first_fit(problem)
    greedy_seconds = time.monotonic() - greedy_from
    baseline = analysis.result(
        problem,
        first_fit,
        method="greedy",
        status="feasible",
        levels=[],
        seconds=greedy_seconds,
    )
    hint = first_fit
    kept = assignment_from(problem, keep) if keep else {}
    for earlier in (assignment_from(problem, start_from) if start_from else {}, kept):
        if earlier:
            earlier = greedy.extend(problem, earlier)
            if objective(problem, earlier).key > objective(problem, hint).key:
                hint = earlier
    # The week's scheduled slots are held only when every one of them still fits.
    hold = kept if keep and len(kept) == len(keep) else None
    solve_from = time.monotonic()
    # The limit covers the whole call: building the week, the baseline and reading the
    # answer (a reserve) count against it.
    remaining = max(0.5, time_limit_s - (solve_from - began) - ANSWER_RESERVE_S)
    kwargs = {"workers": workers or default_workers(), "seed": seed}
    notes = [f"week built in {solve_from - began:.2f} s"]
    if hold is None:
        assignment, levels = cpsat.solve(problem, start_from=hint, time_limit_s=remaining, **kwargs)
    else:
        # Plan freely and around the scheduled slots, half the time each; the slots stay
        # unless moving them is better on some objective, so re-planning moves nothing.
        assignment, levels = cpsat.solve(
            problem, start_from=hint, time_limit_s=remaining / 2, **kwargs
        )
        held_from = greedy.extend(problem, hold)
        left = max(0.25, time_limit_s - (time.monotonic() - began) - ANSWER_RESERVE_S)
        held, held_levels = cpsat.solve(
            problem, start_from=held_from, time_limit_s=left, fixed=hold, **kwargs
        )
        if objective(problem, held).key >= objective(problem, assignment).key:
            assignment, levels = held, held_levels
            notes.append(
                "the week's scheduled sessions keep their slots: moving them gains nothing"
            )
    status = analysis.status_of(problem, levels, objective(problem, assignment).sessions_placed)
    plan = analysis.result(
        problem,
        assignment,
        method="cp-sat",
        status=status,
        levels=levels,
        seconds=time.monotonic() - solve_from,
        notes=tuple(notes),
    )
    return PlanReport(plan=plan, baseline=baseline)


@dataclass(frozen=True)
class WhatIf:
    """A change to the week's resources: chairs added, nurse shifts added, longer days."""

    extra_chairs: tuple[Chair, ...] = ()
    extra_nurse_shifts: tuple[Shift, ...] = ()
    open_earlier_min: int = 0
    close_later_min: int = 0

    @property
    def label(self) -> str:
        parts = []
        if self.extra_chairs:
            parts.append(f"{len(self.extra_chairs)} more chair(s)")
        if self.extra_nurse_shifts:
            parts.append(f"{len(self.extra_nurse_shifts)} more nurse shift(s)")
        if self.open_earlier_min:
            parts.append(f"opening {self.open_earlier_min} min earlier")
        if self.close_later_min:
            parts.append(f"closing {self.close_later_min} min later")
        return ", ".join(parts) or "no change"


def one_more_chair(capabilities=(IV, ESKETAMINE)) -> WhatIf:
    return WhatIf(extra_chairs=(Chair("what-if-chair", "Extra chair", frozenset(capabilities)),))


def one_more_nurse_shift(day: dt.date, start: dt.time, end: dt.time) -> WhatIf:
    return WhatIf(extra_nurse_shifts=(Shift("what-if-nurse", NURSE, day, start, end),))


def extended_hours(*, earlier_min: int = 0, later_min: int = 0) -> WhatIf:
    return WhatIf(open_earlier_min=earlier_min, close_later_min=later_min)


def _shift_time(value: dt.time, minutes: int) -> dt.time:
    total = min(max(minute_of_day(value) + minutes, 0), 1439)
    return dt.time(total // 60, total % 60)


def apply(data: PlanningInput, change: WhatIf) -> PlanningInput:
    """The same week with the change made (the clinic's own tables are not touched)."""
    opening = tuple(
        TimeWindow(
            w.day,
            _shift_time(w.start, -change.open_earlier_min),
            _shift_time(w.end, change.close_later_min),
        )
        for w in data.opening
    )
    return dataclasses.replace(
        data,
        chairs=data.chairs + change.extra_chairs,
        shifts=data.shifts + change.extra_nurse_shifts,
        opening=opening,
    )


@dataclass(frozen=True)
class WhatIfReport:
    change: WhatIf
    before: PlanReport
    after: PlanReport

    @property
    def extra_sessions(self) -> int:
        return self.after.plan.sessions_placed - self.before.plan.sessions_placed

    @property
    def extra_new_patients(self) -> int:
        return self.after.plan.new_patients_started - self.before.plan.new_patients_started

    @property
    def bottleneck(self) -> str | None:
        """The constraint family that blocked most sessions and starts in the week as it is."""
        counts = {k: v for k, v in self.before.plan.blocking_counts.items() if k in FAMILIES and v}
        return next(iter(counts), None)

    def as_dict(self) -> dict:
        return {
            "change": self.change.label,
            "extra_sessions": self.extra_sessions,
            "extra_new_patients": self.extra_new_patients,
            "bottleneck": self.bottleneck,
            "blocking_counts": self.before.plan.blocking_counts,
            "before": self.before.plan.as_dict(),
            "after": self.after.plan.as_dict(),
        }


def what_if(
    data: PlanningInput,
    change: WhatIf,
    *,
    before: PlanReport | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    workers: int | None = None,
    seed: int = 0,
) -> WhatIfReport:
    """Plan the week as it is and with the change; report what the change buys."""
    kwargs = {"time_limit_s": time_limit_s, "workers": workers, "seed": seed}
    before = before or plan_week(data, **kwargs)
    # Every change adds resources, so the plan as it is still holds and is where to start.
    after = plan_week(apply(data, change), start_from=before.plan.sessions, **kwargs)
    return WhatIfReport(change=change, before=before, after=after)
