"""The test clock: run the suite at any moment of the clinic's day, and tell clinic-day stories.

`KETACLINIC_TEST_CLOCK` moves the clock of a whole run (the clock keeps ticking from there):

    KETACLINIC_TEST_CLOCK=23:30 make test               # 23:30 today, clinic time
    KETACLINIC_TEST_CLOCK=02:00 make test               # 02:00 today, clinic time
    KETACLINIC_TEST_CLOCK=2026-12-03T02:30:00Z make test  # an exact instant

Clinic time is the test clinics' time zone (America/New_York). A test whose story needs the
clinic to be open (a session dosed two hours ago, still today) asks for `clinic_hours`, which
moves the clock to the afternoon of the current clinic date: the story then holds whatever the
hour of the run. Tests about what happens around midnight set their own time with `at_clinic_time`.
"""

import datetime as dt
import os
import zoneinfo

import time_machine

CLINIC_TZ = zoneinfo.ZoneInfo("America/New_York")
ENV = "KETACLINIC_TEST_CLOCK"


def clinic_moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at the clinic's wall-clock time on that day."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CLINIC_TZ)


def clinic_today() -> dt.date:
    return dt.datetime.now(CLINIC_TZ).date()


def parse_clock(value: str) -> dt.datetime:
    """'HH:MM' (today, clinic time) or an ISO 8601 instant with its offset."""
    value = value.strip()
    if len(value) == 5 and value[2] == ":":
        return clinic_moment(clinic_today(), int(value[:2]), int(value[3:]))
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{ENV}={value!r}: give an offset (e.g. Z or -05:00) or HH:MM")
    return moment


def start_run_clock():
    """Travel for the whole run when KETACLINIC_TEST_CLOCK is set; returns the traveller."""
    value = os.environ.get(ENV)
    if not value:
        return None
    traveller = time_machine.travel(parse_clock(value), tick=True)
    traveller.start()
    return traveller
