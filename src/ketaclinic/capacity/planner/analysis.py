"""Reading a set of placements: the sessions with their times, why the rest were not placed,
and how much of each chair and nurse the week uses."""

from __future__ import annotations

import datetime as dt

from .occupancy import (
    Assignment,
    Occupancy,
    gap_ok,
    objective,
    occupancy_of,
    session_weight_base,
    started_groups,
)
from .problem import (
    CHAIRS,
    DAY,
    FAMILY_LABELS,
    NURSES,
    SPACING,
    TIME_LIMIT,
    Job,
    Problem,
)
from .result import INFEASIBLE, Level, PlannedSession, PlanResult, ResourceUse, Unplaced


def planned_sessions(problem: Problem, assignment: Assignment) -> tuple[PlannedSession, ...]:
    rows = []
    for index, (start, chair, nurse) in sorted(assignment.items(), key=lambda kv: kv[1]):
        job = problem.jobs[index]
        t = job.timing
        at = problem.moment(start)
        rows.append(
            PlannedSession(
                session_id=None if job.is_new else job.demand_id,
                new_patient_id=job.demand_id if job.is_new else None,
                sequence=job.sequence,
                patient_id=job.patient_id,
                kind=job.kind,
                chair_id=problem.chairs[chair].id,
                nurse_id=problem.nurses[nurse],
                start=at,
                dose_start=at + dt.timedelta(minutes=t.arrival_min),
                dose_end=at + dt.timedelta(minutes=t.arrival_min + t.dosing_min),
                end=at + dt.timedelta(minutes=t.patient_min),
                chair_free=at + dt.timedelta(minutes=t.chair_min),
            )
        )
    return tuple(rows)


def _blocked_at_every_start(
    problem: Problem, occ: Occupancy, job: Job, starts
) -> tuple[tuple[str, ...], str] | None:
    """Which resources are full at every start left; None if some start has room."""
    chairs_full_everywhere = nurses_full_everywhere = True
    for start in starts:
        chair_free = occ.free_chair(start, job) is not None
        nurse_free = occ.free_nurse(start, job) is not None
        if chair_free and nurse_free:
            return None
        chairs_full_everywhere &= not chair_free
        nurses_full_everywhere &= not nurse_free
    if chairs_full_everywhere and not nurses_full_everywhere:
        return (CHAIRS,), "every capable chair is taken at each time the session could start"
    if nurses_full_everywhere and not chairs_full_everywhere:
        return (NURSES,), (
            "every nurse on shift already watches as many chairs as the clinic's ratio allows"
        )
    if chairs_full_everywhere:
        return (CHAIRS, NURSES), "chairs and nurses are both full at every possible time"
    return (CHAIRS, NURSES), "at each possible time either the chairs or the nurses are full"


def _why(problem: Problem, occ: Occupancy, assignment: Assignment, job: Job, alone: bool):
    if job.static_block is not None:
        family, detail = job.static_block
        return (family,), detail
    starts = list(job.starts)
    if not alone and job.prev is not None:
        if job.prev not in assignment:
            return (SPACING,), "the course's earlier session this week is not placed"
        starts = [s for s in starts if gap_ok(problem, job, s, assignment)]
        if not starts:
            return (SPACING,), "no free day keeps the gap to the course's earlier session"
    return _blocked_at_every_start(problem, occ, job, starts)


def _free_days(problem: Problem, occ: Occupancy, job: Job) -> set[int]:
    return {
        s // DAY
        for s in job.starts
        if occ.free_chair(s, job) is not None and occ.free_nurse(s, job) is not None
    }


def _chain_fits(problem: Problem, jobs: list[Job], days: list[set[int]]) -> bool:
    def extend(k: int, last: int | None) -> bool:
        if k == len(jobs):
            return True
        for d in sorted(days[k]):
            gap_kept = last is None or (
                d - last >= jobs[k].min_gap
                and (jobs[k].max_gap is None or d - last <= jobs[k].max_gap)
            )
            if gap_kept and extend(k + 1, d):
                return True
        return False

    return extend(0, None)


def _why_not_spaced(problem: Problem, occ: Occupancy, jobs: list[Job]):
    """Each first session fits somewhere alone: why not all of them, far enough apart?"""
    free = [_free_days(problem, occ, j) for j in jobs]
    if _chain_fits(problem, jobs, free):
        return (TIME_LIMIT,), "there is room; the solver stopped before starting them"
    days = sorted(set().union(*free))
    names = ", ".join(problem.moment(d * DAY).strftime("%a") for d in days)
    full = [s for s in jobs[0].starts if s // DAY not in free[0]]
    families = _blocked_at_every_start(problem, occ, jobs[0], full) if full else None
    detail = (
        f"there is room only on {names}: too close together for {len(jobs)} sessions "
        f"{jobs[-1].min_gap} day(s) apart"
    )
    if families is None:
        return (SPACING,), detail
    return families[0], f"{detail}; on the other days {describe(families[0])} are full"


def unplaced(problem: Problem, assignment: Assignment) -> tuple[list[Unplaced], list[Unplaced]]:
    """Each due session not placed and each waiting patient not started, with what blocked it."""
    occ = occupancy_of(problem, assignment)
    sessions = []
    for job in problem.due_jobs:
        if job.index in assignment:
            continue
        why = _why(problem, occ, assignment, job, alone=False) or (
            (TIME_LIMIT,),
            "a chair and a nurse are free for it; the solver stopped before placing it",
        )
        sessions.append(Unplaced(job.demand_id, None, job.patient_id, why[0], why[1]))
    started = set(started_groups(problem, assignment))
    waiting = []
    for group in problem.groups:
        if group.index in started:
            continue
        jobs = [problem.jobs[j] for j in group.jobs]
        why = None
        for job in jobs:
            why = _why(problem, occ, assignment, job, alone=True)
            if why is not None:
                break
        if why is None:
            why = _why_not_spaced(problem, occ, jobs)
        demand = group.demand
        waiting.append(Unplaced(None, demand.id, demand.patient_id, why[0], why[1]))
    for demand in problem.not_considered:
        waiting.append(
            Unplaced(
                None,
                demand.id,
                demand.patient_id,
                (),
                "further down the waiting list than the patients weighed this week",
            )
        )
    return sessions, waiting


def utilisation(problem: Problem, assignment: Assignment):
    """Chairs: occupied minutes of the open minutes; nurses: patient minutes of shift x ratio."""
    open_total = sum(problem.open_minutes.values())
    chair_used = [0] * len(problem.chairs)
    nurse_used = [0] * len(problem.nurses)
    for index, (_, chair, nurse) in assignment.items():
        timing = problem.jobs[index].timing
        chair_used[chair] += timing.chair_min
        nurse_used[nurse] += timing.patient_min
    shift_min = [0] * len(problem.nurses)
    for (n, _), spans in problem.nurse_shifts.items():
        shift_min[n] += sum(e - s for s, e in spans)
    chairs = {c.id: ResourceUse(chair_used[i], open_total) for i, c in enumerate(problem.chairs)}
    nurses = {
        n: ResourceUse(nurse_used[i], shift_min[i] * problem.ratio)
        for i, n in enumerate(problem.nurses)
    }
    return chairs, nurses


def status_of(problem: Problem, levels: list[Level], placed: int) -> str:
    """Infeasible when it is proven that not every due session can be kept in its spacing."""
    due = len(problem.due_jobs)
    if placed < due:
        bound = levels[0].bound if levels else 0
        if bound < session_weight_base(problem) * due:
            return INFEASIBLE
    return "optimal" if all(level.optimal for level in levels) else "feasible"


def result(
    problem: Problem,
    assignment: Assignment,
    *,
    method: str,
    status: str,
    levels: list[Level],
    seconds: float,
    notes: tuple[str, ...] = (),
) -> PlanResult:
    values = objective(problem, assignment)
    missing, waiting = unplaced(problem, assignment)
    chairs, nurses = utilisation(problem, assignment)
    return PlanResult(
        method=method,
        status=status,
        levels=tuple(levels),
        sessions=planned_sessions(problem, assignment),
        unplaced=tuple(missing),
        not_started=tuple(waiting),
        chairs=chairs,
        nurses=nurses,
        sessions_due=len(problem.due_jobs),
        sessions_placed=values.sessions_placed,
        new_patients_started=values.new_patients_started,
        idle_chair_min=values.idle_chair_min,
        seconds=seconds,
        notes=notes,
    )


def describe(families: tuple[str, ...]) -> str:
    return " and ".join(FAMILY_LABELS.get(f, f) for f in families) or "not weighed"
