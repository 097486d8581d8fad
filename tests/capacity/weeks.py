"""Small weeks for planner tests: chairs, shifts, hours, due sessions, waiting patients."""

import datetime as dt
import random

from ketaclinic.capacity.planner import (
    ESKETAMINE,
    IV,
    NURSE,
    PRESCRIBER,
    Chair,
    NewPatientDemand,
    PlanningInput,
    SessionDemand,
    SessionTiming,
    Shift,
    StaffingRules,
    TimeWindow,
)

MONDAY = dt.date(2026, 3, 2)
T = dt.time

# Esketamine: 120 min of observation counted from the first device (the label's minimum).
ESK = SessionTiming(30, 30, 90, 0, 120, "dose_start")
ESK_ODD = SessionTiming(15, 10, 110, 10, 120, "dose_start")  # off the 30-minute grid
IV_40 = SessionTiming(30, 60, 30, 30, 30, "dose_end")
IV_ODD = SessionTiming(20, 40, 30, 15, 30, "dose_end")


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def week(
    *,
    chairs,
    shifts,
    hours,
    sessions=(),
    new_patients=(),
    ratio=2,
    grid=30,
    prescriber_for=frozenset({ESKETAMINE}),
):
    return PlanningInput(
        week_start=MONDAY,
        chairs=tuple(chairs),
        shifts=tuple(shifts),
        opening=tuple(hours),
        staffing=StaffingRules(ratio, frozenset(prescriber_for)),
        sessions=tuple(sessions),
        new_patients=tuple(new_patients),
        grid_min=grid,
    )


def chair(i, *kinds):
    return Chair(f"chair-{i}", str(i), frozenset(kinds or (IV, ESKETAMINE)))


def nurse(staff_id, offset, start, end):
    return Shift(staff_id, NURSE, day(offset), T(*start), T(*end))


def prescriber(staff_id, offset, start, end):
    return Shift(staff_id, PRESCRIBER, day(offset), T(*start), T(*end))


def hours(offset, start=(8, 0), end=(13, 0)):
    return TimeWindow(day(offset), T(*start), T(*end))


def random_week(seed: int) -> PlanningInput:
    """A week of 1-2 open days, 2-3 chairs, 1-2 nurses and at most 8 sessions to place."""
    rng = random.Random(seed)
    open_days = sorted(rng.sample(range(5), rng.choice((1, 2))))
    day_hours = {d: ((8, 0), (rng.choice((12, 13, 14)), 0)) for d in open_days}
    n_chairs = rng.choice((2, 3))
    chairs = [chair(1, IV, ESKETAMINE)] + [
        chair(i, *rng.choice(((IV,), (ESKETAMINE,), (IV, ESKETAMINE))))
        for i in range(2, n_chairs + 1)
    ]
    shifts = []
    for d in open_days:
        close = day_hours[d][1]
        shifts.append(nurse("nurse-a", d, (8, 0), close))
        if rng.random() < 0.5:
            shifts.append(nurse("nurse-b", d, (rng.choice((8, 9, 10)), 0), close))
        if rng.random() < 0.85:
            shifts.append(prescriber("doc", d, (8, 0), (rng.choice((10, 11, 12)), 30)))
    timings = {ESKETAMINE: (ESK, ESK_ODD), IV: (IV_40, IV_ODD)}
    sessions = []
    total = rng.randint(3, 6)
    course = 0
    while len(sessions) < total:
        course += 1
        kind = rng.choice((IV, ESKETAMINE))
        timing = rng.choice(timings[kind])
        gap = rng.choice((1, 2))
        first = SessionDemand(
            id=f"s{len(sessions) + 1}",
            patient_id=f"p{course}",
            course_id=f"c{course}",
            kind=kind,
            timing=timing,
            last_dosed_on=MONDAY - dt.timedelta(days=rng.choice((1, 2, 3, 4))),
            min_gap_days=gap,
            max_gap_days=rng.choice((None, 7, 9)),
            priority=rng.choice((0, 0, 1, 2)),
            availability=_availability(rng, open_days),
        )
        sessions.append(first)
        if len(sessions) < total and len(open_days) == 2 and rng.random() < 0.4:
            sessions.append(
                SessionDemand(
                    id=f"s{len(sessions) + 1}",
                    patient_id=first.patient_id,
                    course_id=first.course_id,
                    kind=kind,
                    timing=timing,
                    previous_id=first.id,
                    min_gap_days=1,
                    priority=first.priority,
                )
            )
    new_patients = []
    slots_left = 8 - len(sessions)
    for rank in range(1, rng.choice((0, 1, 2, 3)) + 1):
        count = rng.choice((1, 1, 2)) if len(open_days) == 2 else 1
        if count > slots_left:
            break
        slots_left -= count
        kind = rng.choice((IV, ESKETAMINE))
        new_patients.append(
            NewPatientDemand(
                id=f"w{rank}",
                patient_id=f"q{rank}",
                rank=rank,
                kind=kind,
                timing=rng.choice(timings[kind]),
                sessions_in_week=count,
                min_gap_days=1,
            )
        )
    return week(
        chairs=chairs,
        shifts=shifts,
        hours=[hours(d, *day_hours[d]) for d in open_days],
        sessions=sessions,
        new_patients=new_patients,
        ratio=rng.choice((1, 2, 2)),
    )


def _availability(rng, open_days):
    if rng.random() < 0.7:
        return ()
    d = rng.choice(open_days)
    return (TimeWindow(day(d), T(8, 0), T(rng.choice((11, 12)), 0)),)
