"""The week as the planner sees it: one job per session to place, with every start it may take.

Starts are minutes from the week's first midnight on the clinic's wall clock, on the grid. The
rules that do not depend on other sessions (spacing window, chair capability, opening hours,
patient availability, prescriber on site, a nurse on shift) are applied here once, so the
solver, the greedy baseline and the analysis of unplaced sessions share one reading of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .inputs import (
    KIND_LABELS,
    MAX_NEW_PATIENTS_CONSIDERED,
    NURSE,
    PRESCRIBER,
    NewPatientDemand,
    PlanningInput,
    SessionDemand,
    SessionTiming,
    TimeWindow,
    minute_of_day,
    validate,
)

DAY = 1440

SPACING = "spacing"
CHAIRS = "chairs"
NURSES = "nurses"
PRESCRIBER_ON_SITE = "prescriber"
HOURS = "hours"
AVAILABILITY = "patient_availability"
TIME_LIMIT = "time_limit"
FAMILIES = (SPACING, CHAIRS, NURSES, PRESCRIBER_ON_SITE, HOURS, AVAILABILITY)
FAMILY_LABELS = {
    SPACING: "course spacing",
    CHAIRS: "chairs",
    NURSES: "nurses",
    PRESCRIBER_ON_SITE: "prescriber on site",
    HOURS: "opening hours",
    AVAILABILITY: "patient availability",
    TIME_LIMIT: "time limit",
}


@dataclass
class Job:
    """One session to place: a due course session or one of a new patient's first sessions."""

    index: int
    key: str
    demand_id: str
    is_new: bool
    group: int | None
    sequence: int
    patient_id: str
    kind: str
    timing: SessionTiming
    priority: int
    prev: int | None
    min_gap: int
    max_gap: int | None
    day_lo: int
    day_hi: int
    chairs: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()
    nurse_starts: dict[int, frozenset[int]] = field(default_factory=dict)
    static_block: tuple[str, str] | None = None
    chair_slots: int = 0
    patient_slots: int = 0
    availability: tuple[TimeWindow, ...] = ()
    own_day_lo: int = 0  # before the gap after the course's earlier session is applied


@dataclass
class Group:
    """A waiting patient who starts only if all of their first sessions are placed."""

    index: int
    demand: NewPatientDemand
    position: int  # 0 = first on the waiting list among those considered
    jobs: list[int] = field(default_factory=list)


@dataclass
class Problem:
    data: PlanningInput
    grid: int
    ratio: int
    nurses: tuple[str, ...]
    jobs: list[Job]
    groups: list[Group]
    open_windows: dict[int, list[tuple[int, int]]]
    open_minutes: dict[int, int]
    nurse_shifts: dict[tuple[int, int], list[tuple[int, int]]]
    prescriber_cover: dict[int, list[tuple[int, int]]]
    not_considered: tuple[NewPatientDemand, ...] = ()

    @property
    def chairs(self):
        return self.data.chairs

    @property
    def due_jobs(self) -> list[Job]:
        return [j for j in self.jobs if not j.is_new]

    def moment(self, minute: int) -> dt.datetime:
        """A minute of the week as a wall-clock datetime."""
        day = self.data.week_start + dt.timedelta(days=minute // DAY)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute % DAY)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _window(data: PlanningInput, earliest, latest, last_dosed_on, min_gap, max_gap):
    lo, hi = 0, data.days - 1
    if earliest is not None:
        lo = max(lo, data.day_index(earliest))
    if latest is not None:
        hi = min(hi, data.day_index(latest))
    if last_dosed_on is not None:
        lo = max(lo, data.day_index(last_dosed_on) + min_gap)
        if max_gap is not None:
            hi = min(hi, data.day_index(last_dosed_on) + max_gap)
    return lo, hi


def build(data: PlanningInput) -> Problem:
    """Validate the input and work out every job's possible starts."""
    validate(data)
    in_week = range(data.days)
    open_windows: dict[int, list[tuple[int, int]]] = {}
    for w in data.opening:
        d = data.day_index(w.day)
        if d in in_week:
            open_windows.setdefault(d, []).append((minute_of_day(w.start), minute_of_day(w.end)))
    open_windows = {d: _merge(ws) for d, ws in open_windows.items()}
    open_minutes = {d: sum(e - s for s, e in ws) for d, ws in open_windows.items()}

    nurses = tuple(dict.fromkeys(s.staff_id for s in data.shifts if s.role == NURSE))
    nurse_index = {n: i for i, n in enumerate(nurses)}
    nurse_shifts: dict[tuple[int, int], list[tuple[int, int]]] = {}
    prescriber: dict[int, list[tuple[int, int]]] = {}
    for s in data.shifts:
        d = data.day_index(s.day)
        if d not in in_week:
            continue
        span = (minute_of_day(s.start), minute_of_day(s.end))
        if s.role == NURSE:
            nurse_shifts.setdefault((nurse_index[s.staff_id], d), []).append(span)
        elif s.role == PRESCRIBER:
            prescriber.setdefault(d, []).append(span)
    problem = Problem(
        data=data,
        grid=data.grid_min,
        ratio=data.staffing.chairs_per_nurse,
        nurses=nurses,
        jobs=[],
        groups=[],
        open_windows=open_windows,
        open_minutes=open_minutes,
        nurse_shifts={k: _merge(v) for k, v in nurse_shifts.items()},
        prescriber_cover={d: _merge(v) for d, v in prescriber.items()},
    )
    by_id: dict[str, int] = {}
    for demand in _course_order(data.sessions):
        prev = by_id.get(demand.previous_id) if demand.previous_id else None
        lo, hi = _window(
            data,
            demand.earliest,
            demand.latest,
            None if demand.previous_id else demand.last_dosed_on,
            demand.min_gap_days,
            demand.max_gap_days,
        )
        job = _add_job(problem, demand, demand.id, None, 1, demand.priority, prev, lo, hi)
        by_id[demand.id] = job.index
    ranked = sorted(data.new_patients, key=lambda p: (p.rank, p.id))
    problem.not_considered = tuple(ranked[MAX_NEW_PATIENTS_CONSIDERED:])
    for position, demand in enumerate(ranked[:MAX_NEW_PATIENTS_CONSIDERED]):
        group = Group(index=len(problem.groups), demand=demand, position=position)
        problem.groups.append(group)
        lo, hi = _window(data, demand.earliest, demand.latest, None, 1, None)
        prev = None
        for sequence in range(1, demand.sessions_in_week + 1):
            key = f"{demand.id}#{sequence}"
            job = _add_job(problem, demand, key, group.index, sequence, 0, prev, lo, hi)
            group.jobs.append(job.index)
            prev = job.index
    for job in problem.jobs:
        _static_starts(problem, job)
    return problem


def _course_order(sessions: tuple[SessionDemand, ...]) -> list[SessionDemand]:
    """Sessions with every course's earlier session before its later ones."""
    by_id = {s.id: s for s in sessions}
    done: set[str] = set()
    ordered: list[SessionDemand] = []

    def visit(s: SessionDemand, seen: frozenset[str]):
        if s.id in done:
            return
        if s.id in seen:
            raise ValueError(f"Session {s.id} follows itself")
        if s.previous_id in by_id:
            visit(by_id[s.previous_id], seen | {s.id})
        done.add(s.id)
        ordered.append(s)

    for s in sessions:
        visit(s, frozenset())
    return ordered


def _add_job(problem, demand, key, group, sequence, priority, prev, lo, hi) -> Job:
    own_lo = lo
    if prev is not None:
        before = problem.jobs[prev]
        lo = max(lo, before.day_lo + demand.min_gap_days)
        if demand.max_gap_days is not None:
            hi = min(hi, before.day_hi + demand.max_gap_days)
    timing = demand.timing
    job = Job(
        index=len(problem.jobs),
        key=key,
        demand_id=demand.id,
        is_new=group is not None,
        group=group,
        sequence=sequence,
        patient_id=demand.patient_id,
        kind=demand.kind,
        timing=timing,
        priority=priority,
        prev=prev,
        min_gap=demand.min_gap_days,
        max_gap=demand.max_gap_days,
        day_lo=lo,
        day_hi=hi,
        chair_slots=-(-timing.chair_min // problem.grid),
        patient_slots=-(-timing.patient_min // problem.grid),
        availability=demand.availability,
        own_day_lo=own_lo,
    )
    problem.jobs.append(job)
    return job


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _static_starts(problem: Problem, job: Job) -> None:
    """Every start of the job that the rules not involving other sessions allow."""
    data, grid, timing = problem.data, problem.grid, job.timing
    label = KIND_LABELS[job.kind]
    if job.prev is not None and problem.jobs[job.prev].static_block is not None:
        job.static_block = (SPACING, "the course's earlier session this week cannot be placed")
        return
    if job.day_lo > job.day_hi:
        job.static_block = (SPACING, _spacing_detail(problem, job))
        return
    job.chairs = tuple(i for i, c in enumerate(data.chairs) if job.kind in c.capabilities)
    if not job.chairs:
        job.static_block = (CHAIRS, f"no active chair is set up for {label}")
        return
    hours: list[int] = []
    for d in range(job.day_lo, job.day_hi + 1):
        for open_start, open_end in problem.open_windows.get(d, ()):
            first = -(-open_start // grid) * grid
            for m in range(first, open_end - timing.chair_min + 1, grid):
                hours.append(d * DAY + m)
    if not hours and job.prev is not None and _has_hours(problem, job.own_day_lo, job.day_hi):
        job.static_block = (
            SPACING,
            f"the gap of {job.min_gap} day(s) after the course's earlier session leaves no "
            "open day this week",
        )
        return
    if not hours:
        job.static_block = (
            HOURS,
            f"no opening hours between {_day(problem, job.day_lo)} and "
            f"{_day(problem, job.day_hi)} fit a {timing.chair_min}-minute session",
        )
        return
    starts = hours
    if job.availability:
        spans: dict[int, list[tuple[int, int]]] = {}
        for w in job.availability:
            spans.setdefault(data.day_index(w.day), []).append(
                (minute_of_day(w.start), minute_of_day(w.end))
            )
        starts = [
            m
            for m in starts
            if _covered(spans.get(m // DAY, []), m % DAY, m % DAY + timing.patient_min)
        ]
        if not starts:
            job.static_block = (
                AVAILABILITY,
                "the patient's available times do not fit the session in opening hours",
            )
            return
    if job.kind in data.staffing.prescriber_on_site_for:
        starts = [
            m
            for m in starts
            if _covered(
                problem.prescriber_cover.get(m // DAY, []),
                m % DAY + timing.arrival_min,
                m % DAY + timing.patient_min,
            )
        ]
        if not starts:
            job.static_block = (
                PRESCRIBER_ON_SITE,
                f"no prescriber is on site for the whole dosing and observation of {label}",
            )
            return
    nurse_starts: dict[int, list[int]] = {}
    for m in starts:
        d, t = divmod(m, DAY)
        for n in range(len(problem.nurses)):
            if _covered(problem.nurse_shifts.get((n, d), []), t, t + timing.patient_min):
                nurse_starts.setdefault(n, []).append(m)
    reachable = sorted({m for ms in nurse_starts.values() for m in ms})
    if not reachable:
        job.static_block = (NURSES, "no nurse's shift covers the whole session")
        return
    job.starts = tuple(reachable)
    job.nurse_starts = {n: frozenset(ms) for n, ms in nurse_starts.items()}


def _has_hours(problem: Problem, lo: int, hi: int) -> bool:
    return any(problem.open_windows.get(d) for d in range(max(lo, 0), hi + 1))


def _day(problem: Problem, index: int) -> str:
    return (problem.data.week_start + dt.timedelta(days=index)).strftime("%a %d %b")


def _spacing_detail(problem: Problem, job: Job) -> str:
    first = problem.data.week_start + dt.timedelta(days=job.day_lo)
    last = problem.data.week_start + dt.timedelta(days=job.day_hi)
    if job.day_lo >= problem.data.days:
        return f"the minimum gap puts the session on or after {first:%a %d %b}, after this week"
    if job.day_hi < 0:
        return f"the maximum gap ended on {last:%a %d %b}, before this week (course interrupted)"
    return f"no day between {first:%a %d %b} and {last:%a %d %b} keeps the course's spacing"
