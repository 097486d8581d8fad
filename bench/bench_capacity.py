"""Benchmark: plan a generated week of 12 chairs, 6 nurses and 120 active courses with CP-SAT.

    .venv/bin/python bench/bench_capacity.py                      # 30 s limit, 2 workers
    .venv/bin/python bench/bench_capacity.py --time-limit 10 --workers 4 --seed 3
    .venv/bin/python bench/bench_capacity.py --what-if             # also: one more chair

It prints the planning time, each objective's value, bound and gap, the sessions placed, and
the greedy first-fit baseline's placed count and time beside it. Every plan is run through the
independent checker. It asserts nothing about time. The staffing values below (3 chairs per
nurse, hours, shifts) are the generated clinic's own, not defaults of the planner.
"""

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

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
    one_more_chair,
    plan_week,
    week_hours,
    what_if,
)
from ketaclinic.capacity.planner.checker import check_plan

MONDAY = dt.date(2026, 3, 2)
T = dt.time
# Esketamine: pre-checks, 84 mg = 3 devices 5 min apart, observation to 120 min from the first
# device (label minimum), turnover. IV: 40-minute infusion, then the clinic's observation.
ESK = SessionTiming(20, 15, 105, 10, 120, "dose_start", "generated clinic")
IV_TIMING = SessionTiming(20, 40, 60, 15, 60, "dose_end", "generated clinic")


def generated_week(seed: int, *, courses: int = 120, waiting: int = 20) -> PlanningInput:
    rng = random.Random(seed)
    days = [MONDAY + dt.timedelta(days=d) for d in range(7)]
    weekday_hours = {d: (T(8), T(18)) for d in range(5)} | {5: (T(9), T(13))}
    opening = week_hours(MONDAY, weekday_hours)
    chairs = tuple(
        Chair(f"chair-{i:02d}", f"{i}", frozenset(kinds))
        for i, kinds in enumerate(
            [(IV, ESKETAMINE)] * 6 + [(ESKETAMINE,)] * 3 + [(IV,)] * 3, start=1
        )
    )
    shifts = []
    for d in days[:5]:
        off = rng.sample(range(6), 1)  # one nurse off each weekday
        for n in range(6):
            if n in off:
                continue
            start, end = ((T(8), T(16, 30)), (T(9, 30), T(18)))[n % 2]
            shifts.append(Shift(f"nurse-{n + 1}", NURSE, d, start, end))
        shifts.append(Shift("prescriber-1", PRESCRIBER, d, T(8), T(13)))
        shifts.append(Shift("prescriber-2", PRESCRIBER, d, T(12, 30), T(18)))
    for n in (1, 2):
        shifts.append(Shift(f"nurse-{n}", NURSE, days[5], T(9), T(13)))
    shifts.append(Shift("prescriber-1", PRESCRIBER, days[5], T(9), T(13)))

    sessions = []
    for c in range(courses):
        kind = ESKETAMINE if rng.random() < 0.6 else IV
        timing = ESK if kind == ESKETAMINE else IV_TIMING
        phase = rng.choices(["induction", "weekly", "maintenance"], [0.4, 0.3, 0.3])[0]
        availability = _availability(rng, days)
        common = {
            "patient_id": f"patient-{c:03d}",
            "course_id": f"course-{c:03d}",
            "kind": kind,
            "timing": timing,
            "availability": availability,
        }
        if phase == "induction":
            first = SessionDemand(
                id=f"s{c:03d}a",
                last_dosed_on=MONDAY - dt.timedelta(days=rng.choice((2, 3, 4))),
                min_gap_days=2,
                max_gap_days=7,
                priority=2,
                phase="induction",
                **common,
            )
            sessions.append(first)
            sessions.append(
                SessionDemand(
                    id=f"s{c:03d}b",
                    previous_id=first.id,
                    min_gap_days=2,
                    max_gap_days=7,
                    priority=2,
                    phase="induction",
                    **common,
                )
            )
        elif phase == "weekly":
            sessions.append(
                SessionDemand(
                    id=f"s{c:03d}a",
                    last_dosed_on=MONDAY - dt.timedelta(days=rng.choice((3, 4, 5, 6))),
                    min_gap_days=4,
                    max_gap_days=10,
                    priority=1,
                    phase="weekly",
                    **common,
                )
            )
        elif rng.random() < 0.5:  # every two weeks: due this week for about half
            sessions.append(
                SessionDemand(
                    id=f"s{c:03d}a",
                    last_dosed_on=MONDAY - dt.timedelta(days=rng.choice((8, 9, 10, 11))),
                    min_gap_days=10,
                    max_gap_days=17,
                    phase="maintenance",
                    **common,
                )
            )
    new_patients = tuple(
        NewPatientDemand(
            id=f"w{r:02d}",
            patient_id=f"waiting-{r:02d}",
            rank=r,
            kind=kind,
            timing=ESK if kind == ESKETAMINE else IV_TIMING,
            sessions_in_week=2,
            min_gap_days=2,
            availability=_availability(rng, days),
        )
        for r in range(1, waiting + 1)
        for kind in [ESKETAMINE if rng.random() < 0.6 else IV]
    )
    return PlanningInput(
        week_start=MONDAY,
        chairs=chairs,
        shifts=tuple(shifts),
        opening=opening,
        staffing=StaffingRules(chairs_per_nurse=3),
        sessions=tuple(sessions),
        new_patients=new_patients,
        grid_min=5,
    )


def _availability(rng, days):
    roll = rng.random()
    if roll < 0.15:  # mornings only
        return tuple(TimeWindow(d, T(8), T(12, 30)) for d in days[:6])
    if roll < 0.25:  # after work
        return tuple(TimeWindow(d, T(14), T(18)) for d in days[:5])
    if roll < 0.35:  # three fixed weekdays
        return tuple(TimeWindow(d, T(8), T(18)) for d in rng.sample(days[:5], 3))
    return ()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--courses", type=int, default=120)
    parser.add_argument("--waiting", type=int, default=20)
    parser.add_argument("--what-if", action="store_true")
    args = parser.parse_args()

    data = generated_week(args.seed, courses=args.courses, waiting=args.waiting)
    print(
        f"week of {data.week_start}: {len(data.chairs)} chairs, "
        f"{len({s.staff_id for s in data.shifts if s.role == NURSE})} nurses, "
        f"{args.courses} courses -> {len(data.sessions)} due sessions, "
        f"{len(data.new_patients)} waiting patients; grid {data.grid_min} min; "
        f"limit {args.time_limit:.0f} s, {args.workers} workers"
    )
    began = time.monotonic()
    report = plan_week(data, time_limit_s=args.time_limit, workers=args.workers)
    total = time.monotonic() - began
    plan, base = report.plan, report.baseline
    print(f"planning time: {total:.1f} s (CP-SAT {plan.seconds:.1f} s)   status: {plan.status}")
    for level in plan.levels:
        gap = abs(level.count_bound - level.count)
        print(
            f"  {level.name:42s} {level.count:>6} (bound {level.count_bound:>5}, gap {gap:>5})"
            f"  {'optimal' if level.optimal else 'time limit'}"
        )
    placed = {name: len(r.sessions) for name, r in (("cp-sat", plan), ("greedy", base))}
    for name, result in (("CP-SAT", plan), ("greedy", base)):
        print(
            f"{name:6s}: {len(result.sessions):3d} sessions placed = {result.sessions_placed}/"
            f"{result.sessions_due} due + first sessions of {result.new_patients_started}/"
            f"{len(data.new_patients)} waiting patients; "
            f"{result.idle_chair_min} idle chair minutes; {result.seconds:.2f} s"
        )
    print(
        f"CP-SAT / greedy: {placed['cp-sat'] / max(placed['greedy'], 1):.2f}x sessions placed "
        f"({plan.sessions_placed - base.sessions_placed:+d} due, "
        f"{plan.new_patients_started - base.new_patients_started:+d} waiting patients started) "
        f"for {total / max(base.seconds, 1e-3):.0f}x the time"
    )
    print(f"blocked (CP-SAT plan): {plan.blocking_counts or 'nothing'}")
    for name, result in (("CP-SAT", plan), ("greedy", base)):
        problems = check_plan(data, result.sessions)
        print(f"checker on the {name} plan: {len(problems)} rule(s) broken")
    if args.what_if:
        report2 = what_if(
            data,
            one_more_chair(),
            before=report,
            time_limit_s=args.time_limit,
            workers=args.workers,
        )
        print(
            f"what-if one more chair: {report2.extra_sessions:+d} due sessions, "
            f"{report2.extra_new_patients:+d} waiting patients start; "
            f"bottleneck before: {report2.bottleneck}"
        )


if __name__ == "__main__":
    main()
