"""The baseline a planner is measured against: first fit, in priority order."""

from __future__ import annotations

from .occupancy import Assignment, Occupancy, gap_ok, occupancy_of
from .problem import Job, Problem


def _root(problem: Problem, job: Job) -> int:
    while job.prev is not None:
        job = problem.jobs[job.prev]
    return job.index


def first_fit(problem: Problem) -> Assignment:
    """Due sessions by priority (then the earliest deadline), then waiting patients by rank.

    Each session takes the earliest start at which a capable chair and a nurse with room are
    free, in the order chairs and nurses are listed; a waiting patient starts only if all of
    their first sessions fit.
    """
    occ = Occupancy(problem)
    assignment: Assignment = {}
    chains: dict[int, list[Job]] = {}
    for job in problem.due_jobs:
        chains.setdefault(_root(problem, job), []).append(job)
    order = sorted(
        chains.values(),
        key=lambda c: (-max(j.priority for j in c), min(j.day_hi for j in c), c[0].key),
    )
    for chain in order:
        for job in chain:
            _try(problem, occ, assignment, job)
    for group in sorted(problem.groups, key=lambda g: g.position):
        _try_group(problem, occ, assignment, group)
    return assignment


def _try_group(problem: Problem, occ: Occupancy, assignment: Assignment, group) -> None:
    """Place all of a group's jobs, or none of them (what was placed is taken back)."""
    placed = []
    for index in group.jobs:
        if not _try(problem, occ, assignment, problem.jobs[index]):
            break
        placed.append(index)
    if len(placed) < len(group.jobs):
        for index in placed:
            occ.remove(problem.jobs[index], assignment.pop(index))


def _try(problem: Problem, occ: Occupancy, assignment: Assignment, job: Job) -> bool:
    if job.static_block is not None:
        return False
    for start in job.starts:
        if not gap_ok(problem, job, start, assignment):
            continue
        chair = occ.free_chair(start, job)
        if chair is None:
            continue
        nurse = occ.free_nurse(start, job)
        if nurse is None:
            continue
        assignment[job.index] = (start, chair, nurse)
        occ.place(job, assignment[job.index])
        return True
    return False


def extend(problem: Problem, kept: Assignment) -> Assignment:
    """First fit of what `kept` leaves out, around it: due sessions, then waiting patients."""
    assignment = dict(kept)
    occ = occupancy_of(problem, assignment)
    for job in problem.due_jobs:
        if job.index not in assignment:
            _try(problem, occ, assignment, job)
    for group in sorted(problem.groups, key=lambda g: g.position):
        if not any(j in assignment for j in group.jobs):
            _try_group(problem, occ, assignment, group)
    return assignment
