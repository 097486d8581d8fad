"""Placements, what they occupy, and the objective values a set of placements reaches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .problem import DAY, Job, Problem

# job index -> (start minute of the week, chair index, nurse index)
Placement = tuple[int, int, int]
Assignment = dict[int, Placement]


class Occupancy:
    """Chair slots taken and nurse loads per grid slot, for first-fit search and analysis."""

    def __init__(self, problem: Problem):
        self.problem = problem
        slots = problem.data.days * DAY // problem.grid
        self.chair = [bytearray(slots + 1) for _ in problem.chairs]
        self.load = [bytearray(slots + 1) for _ in problem.nurses]

    def chair_free(self, chair: int, start: int, job: Job) -> bool:
        slot = start // self.problem.grid
        return self.chair[chair].find(1, slot, slot + job.chair_slots) == -1

    def free_chair(self, start: int, job: Job) -> int | None:
        for chair in job.chairs:
            if self.chair_free(chair, start, job):
                return chair
        return None

    def nurse_free(self, nurse: int, start: int, job: Job) -> bool:
        if start not in job.nurse_starts.get(nurse, ()):
            return False
        slot = start // self.problem.grid
        return max(self.load[nurse][slot : slot + job.patient_slots]) < self.problem.ratio

    def free_nurse(self, start: int, job: Job) -> int | None:
        for nurse in sorted(job.nurse_starts):
            if self.nurse_free(nurse, start, job):
                return nurse
        return None

    def place(self, job: Job, placement: Placement, sign: int = 1) -> None:
        start, chair, nurse = placement
        slot = start // self.problem.grid
        for i in range(slot, slot + job.chair_slots):
            self.chair[chair][i] = 1 if sign > 0 else 0
        for i in range(slot, slot + job.patient_slots):
            self.load[nurse][i] += sign

    def remove(self, job: Job, placement: Placement) -> None:
        self.place(job, placement, -1)


def occupancy_of(problem: Problem, assignment: Assignment) -> Occupancy:
    occ = Occupancy(problem)
    for index, placement in assignment.items():
        occ.place(problem.jobs[index], placement)
    return occ


def gap_ok(problem: Problem, job: Job, start: int, assignment: Assignment) -> bool:
    """The start keeps the course's gaps to its earlier session of the week (if placed)."""
    if job.prev is None:
        return True
    before = assignment.get(job.prev)
    if before is None:
        return False
    days = start // DAY - before[0] // DAY
    if days < job.min_gap:
        return False
    return job.max_gap is None or days <= job.max_gap


@dataclass(frozen=True)
class Objective:
    """The three objectives, in order, and the plain counts behind them."""

    sessions_value: int
    new_patients_value: int
    idle_chair_min: int
    sessions_placed: int
    new_patients_started: int

    @property
    def key(self) -> tuple[int, int, int]:
        """Larger is better, compared in order."""
        return (self.sessions_value, self.new_patients_value, -self.idle_chair_min)


def session_weight_base(problem: Problem) -> int:
    """Each placed due session is worth more than all priorities together (count first)."""
    return 1 + sum(j.priority for j in problem.due_jobs)


def new_patient_weights(problem: Problem) -> list[int]:
    """Per waiting patient: 2^n for starting (count first) plus 2^(n-1-position) (rank order)."""
    n = len(problem.groups)
    return [2**n + 2 ** (n - 1 - g.position) for g in problem.groups]


def started_groups(problem: Problem, assignment: Assignment) -> list[int]:
    return [g.index for g in problem.groups if all(j in assignment for j in g.jobs)]


def objective(problem: Problem, assignment: Assignment) -> Objective:
    base = session_weight_base(problem)
    due = [j for j in problem.due_jobs if j.index in assignment]
    started = started_groups(problem, assignment)
    weights = new_patient_weights(problem)
    used_days = {(chair, start // DAY) for start, chair, _ in assignment.values()}
    open_min = sum(problem.open_minutes.get(day, 0) for _, day in used_days)
    busy = sum(problem.jobs[i].timing.chair_min for i in assignment)
    return Objective(
        sessions_value=sum(base + j.priority for j in due),
        new_patients_value=sum(weights[g] for g in started),
        idle_chair_min=open_min - busy,
        sessions_placed=len(due),
        new_patients_started=len(started),
    )


def assignment_from(problem: Problem, sessions) -> Assignment:
    """A plan's sessions (for example last run's) as placements in this problem, keeping
    only those that still fit together here."""
    keys = {job.key: job for job in problem.jobs}
    chairs = {c.id: i for i, c in enumerate(problem.chairs)}
    nurses = {n: i for i, n in enumerate(problem.nurses)}
    occ = Occupancy(problem)
    assignment: Assignment = {}
    for s in sorted(sessions, key=lambda s: s.start):
        job = keys.get(s.session_id or f"{s.new_patient_id}#{s.sequence}")
        if job is None or s.chair_id not in chairs or (s.nurse_id and s.nurse_id not in nurses):
            continue
        start = (s.start - problem.moment(0)) // dt.timedelta(minutes=1)
        # A slot kept without its nurse (a session scheduled earlier) takes the first nurse
        # with room, as first fit does.
        nurse = nurses[s.nurse_id] if s.nurse_id else occ.free_nurse(start, job)
        chair = chairs[s.chair_id]
        if (
            nurse is not None
            and start in job.starts
            and chair in job.chairs
            and occ.chair_free(chair, start, job)
            and occ.nurse_free(nurse, start, job)
            and gap_ok(problem, job, start, assignment)
        ):
            assignment[job.index] = (start, chair, nurse)
            occ.place(job, assignment[job.index])
    for group in problem.groups:  # a waiting patient starts with all first sessions or none
        if not all(j in assignment for j in group.jobs):
            for j in group.jobs:
                assignment.pop(j, None)
    return assignment
