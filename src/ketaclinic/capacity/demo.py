"""Demo clinic resources: six chairs, opening hours, the clinic's own staffing rules, shifts."""

import datetime as dt

from . import services

ORDER = 52

# (name, location, IV infusion, esketamine). Names match the chairs the treatment-day demo
# checks patients into.
CHAIRS = (
    ("1", "Treatment room A", True, True),
    ("2", "Treatment room A", True, True),
    ("3", "Treatment room B", True, True),
    ("4", "Treatment room B", False, True),
    ("5", "Infusion bay", True, False),
    ("6", "Infusion bay", True, False),
)
# The demo clinic's own choices, shown as such: ketaclinic assumes no ratio.
CHAIRS_PER_NURSE = 3
HOURS = (dt.time(8), dt.time(18))
# The demo clinic's session minutes the protocols leave open: arrival and pre-checks, chair
# turnover, and observation after an IV infusion ends.
ARRIVAL_MIN, TURNOVER_MIN, OBSERVATION_MIN = 20, 15, 60
# username -> (from, to) on each open day
SHIFTS = {
    "nurse": (dt.time(8), dt.time(16, 30)),
    "nurse2": (dt.time(9, 30), dt.time(18)),
    "prescriber": (dt.time(8), dt.time(13)),
    "prescriber2": (dt.time(12, 30), dt.time(18)),
}


def seed(ctx) -> None:
    admin = ctx.user("admin")
    for name, location, iv, esk in CHAIRS:
        services.add_chair(
            actor=admin, name=name, location=location, iv_infusion=iv, esketamine=esk
        )
    open_weekdays = ctx.open_weekdays()  # the days the clinic calendar opens
    for weekday in open_weekdays:
        services.set_opening_hours(actor=admin, weekday=weekday, opens=HOURS[0], closes=HOURS[1])
    services.update_staffing_rules(
        actor=admin,
        chairs_per_nurse=CHAIRS_PER_NURSE,
        prescriber_for_esketamine=True,
        prescriber_for_iv=False,
        arrival_min=ARRIVAL_MIN,
        turnover_min=TURNOVER_MIN,
        observation_min=OBSERVATION_MIN,
    )
    today = ctx.clinic.today(ctx.now)
    monday = today - dt.timedelta(days=today.weekday())
    for offset in range(14):
        day = monday + dt.timedelta(days=offset)
        if day.weekday() not in open_weekdays:
            continue
        for username, (start, end) in SHIFTS.items():
            services.add_shift(
                actor=admin,
                staff_id=ctx.user(username).pk,
                date=day,
                starts_at=start,
                ends_at=end,
            )
    weekend = " and today" if len(open_weekdays) > 5 else ""
    ctx.notes.append(
        f"Capacity: {len(CHAIRS)} chairs, open Monday-Friday{weekend} "
        f"{HOURS[0]:%H:%M}-{HOURS[1]:%H:%M}, {CHAIRS_PER_NURSE} chairs per nurse (the demo "
        "clinic's own value), staff shifts for this week and next."
    )
