"""An independent check of a plan against every rule, written apart from the planner.

It reads only the planner's input and the planned sessions (their clock times), and shares no
code with the model, the greedy baseline or their precomputed starts, so a mistake there shows
up here. Every test of the planner runs its plans through `check_plan`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass

from .inputs import DOSE_START, LABEL_OBSERVATION_FLOOR, NURSE, PRESCRIBER, PlanningInput

MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Violation:
    rule: str
    ids: tuple[str, ...]
    detail: str


def _at(day: dt.date, clock: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, clock)


def covered_by(spans, start: dt.datetime, end: dt.datetime) -> bool:
    """Is [start, end] inside the union of the spans (touching spans join)?"""
    joined: list[list[dt.datetime]] = []
    for a, b in sorted(spans):
        if joined and a <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], b)
        else:
            joined.append([a, b])
    return any(a <= start and end <= b for a, b in joined)


def _minutes(delta: dt.timedelta) -> float:
    return delta / MINUTE


def check_plan(data: PlanningInput, sessions) -> list[Violation]:
    """Every rule the plan breaks (an empty list: the plan keeps them all)."""
    found: list[Violation] = []

    def bad(rule: str, detail: str, *ids: str) -> None:
        found.append(Violation(rule, tuple(ids), detail))

    sessions = list(sessions)
    due = {s.id: s for s in data.sessions}
    waiting = {p.id: p for p in data.new_patients}
    chairs = {c.id: c for c in data.chairs}
    opening = defaultdict(list)
    for w in data.opening:
        opening[w.day].append((_at(w.day, w.start), _at(w.day, w.end)))
    nurse_shifts = defaultdict(list)
    prescriber_shifts = []
    for shift in data.shifts:
        span = (_at(shift.day, shift.start), _at(shift.day, shift.end))
        if shift.role == NURSE:
            nurse_shifts[shift.staff_id].append(span)
        elif shift.role == PRESCRIBER:
            prescriber_shifts.append(span)
    week_from = _at(data.week_start, dt.time())
    week_to = week_from + dt.timedelta(days=data.days)

    seen: dict[tuple[str, int], int] = defaultdict(int)
    demand_of = {}
    for p in sessions:
        key = p.session_id or p.new_patient_id
        demand = due.get(p.session_id) if p.session_id else waiting.get(p.new_patient_id)
        if demand is None:
            bad("unknown", "the plan places something that is not in the week's demand", key)
            continue
        demand_of[id(p)] = demand
        seen[key, p.sequence] += 1
        if seen[key, p.sequence] > 1:
            bad("duplicate", "placed twice", key)
        t = demand.timing
        if p.kind != demand.kind:
            bad("kind", "planned as the wrong kind of session", key)
        parts = (
            _minutes(p.dose_start - p.start),
            _minutes(p.dose_end - p.dose_start),
            _minutes(p.end - p.dose_end),
            _minutes(p.chair_free - p.end),
        )
        if parts != (t.arrival_min, t.dosing_min, t.observation_min, t.turnover_min):
            bad("timing", f"parts {parts} differ from the protocol's timing", key)
        counted = p.dose_start if t.observation_from == DOSE_START else p.dose_end
        observed = _minutes(p.end - counted)
        if t.minimum_observation_min is not None and observed < t.minimum_observation_min:
            bad("observation_short", f"observed {observed:.0f} min", key)
        floor = LABEL_OBSERVATION_FLOOR.get(p.kind)
        if floor is not None:
            start_of_count = p.dose_start if floor[1] == DOSE_START else p.dose_end
            if _minutes(p.end - start_of_count) < floor[0]:
                bad("observation_short", f"below the label's {floor[0]} min", key)
        chair = chairs.get(p.chair_id)
        if chair is None or p.kind not in chair.capabilities:
            bad("chair_capability", f"chair {p.chair_id} cannot give {p.kind}", key)
        if not (week_from <= p.start and p.chair_free <= week_to):
            bad("hours", "outside the planned week", key)
        elif not covered_by(opening.get(p.start.date(), []), p.start, p.chair_free):
            bad("hours", "outside opening hours", key)
        if demand.availability:
            windows = [(_at(w.day, w.start), _at(w.day, w.end)) for w in demand.availability]
            if not any(a <= p.start and p.end <= b for a, b in windows):
                bad("patient_availability", "outside the patient's available times", key)
        if not any(a <= p.start and p.end <= b for a, b in nurse_shifts.get(p.nurse_id, [])):
            bad("nurse_off_shift", f"nurse {p.nurse_id} is not on shift", key)
        if p.kind in data.staffing.prescriber_on_site_for and not covered_by(
            prescriber_shifts, p.dose_start, p.end
        ):
            bad("prescriber", "no prescriber on site during dosing and observation", key)

    _check_chairs(sessions, bad)
    _check_nurses(data, sessions, bad)
    _check_patients(sessions, bad)
    _check_spacing(data, sessions, demand_of, bad)
    return found


def _grouped(sessions, key) -> dict:
    groups = defaultdict(list)
    for p in sessions:
        groups[key(p)].append(p)
    return groups


def _consecutive(sessions, key):
    """Each pair of one group's sessions that follow each other by start time."""
    for rows in _grouped(sessions, key).values():
        rows.sort(key=lambda p: p.start)
        yield from itertools.pairwise(rows)


def _check_chairs(sessions, bad) -> None:
    for a, b in _consecutive(sessions, lambda p: p.chair_id):
        if b.start < a.chair_free:
            bad("chair_overlap", f"two sessions in chair {a.chair_id}", a.demand_id, b.demand_id)


def _check_nurses(data, sessions, bad) -> None:
    ratio = data.staffing.chairs_per_nurse or 0
    for nurse, rows in _grouped(sessions, lambda p: p.nurse_id).items():
        # Ends sort before starts at the same moment: a patient leaving frees the place.
        events = sorted(
            [(p.start, 1, p) for p in rows] + [(p.end, -1, p) for p in rows],
            key=lambda e: (e[0], e[1]),
        )
        load = 0
        for moment, step, p in events:
            load += step
            if load > ratio:
                bad("nurse_ratio", f"nurse {nurse} watches {load} chairs at {moment}", p.demand_id)


def _check_patients(sessions, bad) -> None:
    for a, b in _consecutive(sessions, lambda p: p.patient_id):
        if b.start < a.end:
            bad("patient_overlap", "one patient in two sessions", a.demand_id, b.demand_id)


def _in_window(demand, day: dt.date) -> bool:
    return not (
        (demand.earliest and day < demand.earliest) or (demand.latest and day > demand.latest)
    )


def _check_spacing(data, sessions, demand_of, bad) -> None:
    placed = {p.session_id: p for p in sessions if p.session_id}
    for sid, p in placed.items():
        demand = demand_of.get(id(p))
        if demand is None:
            continue
        day = p.start.date()
        if not _in_window(demand, day):
            bad("spacing_window", "outside the course's window", sid)
        before = None
        if demand.previous_id:
            earlier = placed.get(demand.previous_id)
            if earlier is None:
                bad("spacing_order", "placed without the course's earlier session", sid)
                continue
            before = earlier.start.date()
        elif demand.last_dosed_on:
            before = demand.last_dosed_on
        if before is not None:
            gap = (day - before).days
            if gap < demand.min_gap_days:
                bad("spacing_min_gap", f"{gap} day(s) after the previous dose", sid)
            if demand.max_gap_days is not None and gap > demand.max_gap_days:
                bad("spacing_max_gap", f"{gap} day(s) after the previous dose", sid)
    starts = defaultdict(list)
    for p in sessions:
        if p.new_patient_id:
            starts[p.new_patient_id].append(p)
    for pid, demand in {p.id: p for p in data.new_patients}.items():
        rows = sorted(starts.get(pid, []), key=lambda p: p.start)
        if not rows:
            continue
        if len(rows) != demand.sessions_in_week:
            bad("incomplete_start", f"{len(rows)} of {demand.sessions_in_week} sessions", pid)
        for p in rows:
            day = p.start.date()
            if not _in_window(demand, day):
                bad("spacing_window", "outside the patient's window", pid)
        for a, b in itertools.pairwise(rows):
            gap = (b.start.date() - a.start.date()).days
            if gap < demand.min_gap_days:
                bad("spacing_min_gap", f"{gap} day(s) between first sessions", pid)
            if demand.max_gap_days is not None and gap > demand.max_gap_days:
                bad("spacing_max_gap", f"{gap} day(s) between first sessions", pid)
