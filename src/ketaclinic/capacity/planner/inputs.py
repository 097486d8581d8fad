"""What the planner plans with: the clinic's resources and the week's demand, as plain data.

Nothing here touches the database. The capacity app fills the resources from its tables
(`capacity.queries.planning_resources`); the sessions that are due and the waiting patients who
could start are filled by the treatments side from its courses and the protocols' data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

IV = "iv"
ESKETAMINE = "esketamine"
KINDS = (IV, ESKETAMINE)
KIND_LABELS = {IV: "IV ketamine infusion", ESKETAMINE: "esketamine nasal spray"}

NURSE = "nurse"
PRESCRIBER = "prescriber"
STAFF_ROLES = (NURSE, PRESCRIBER)

DOSE_START = "dose_start"
DOSE_END = "dose_end"

# The Spravato label and REMS: observe at least 2 hours after dosing, counted from the first
# device. A timing below this floor is refused whatever a protocol copy says.
LABEL_OBSERVATION_FLOOR = {
    ESKETAMINE: (
        120,
        DOSE_START,
        "Spravato (esketamine) prescribing information, Dosage and Administration (DailyMed "
        "set id d81a6a79-a74a-44b7-822c-0dfa3036eaed); Spravato REMS (FDA REMS id 386)",
    ),
}

# Waiting patients weighed in strict rank order per week; the rest of the list waits a week.
MAX_NEW_PATIENTS_CONSIDERED = 40
MAX_CHAIRS_PER_NURSE = 50


class PlanningRefused(ValueError):
    """The input cannot be planned as given; `fields` names what must change."""

    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


@dataclass(frozen=True)
class Chair:
    """A treatment chair and what may be given in it (`IV`, `ESKETAMINE`)."""

    id: str
    name: str
    capabilities: frozenset[str]
    location: str = ""


@dataclass(frozen=True)
class Shift:
    """One block of time a nurse or prescriber is on site, on the clinic's wall clock."""

    staff_id: str
    role: str
    day: dt.date
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class TimeWindow:
    """A stretch of one day (opening hours, or when a patient can come)."""

    day: dt.date
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class SessionTiming:
    """How long one session of a protocol keeps a patient in the chair, in minutes.

    Filled from the protocol's data: `minimum_observation_min` and `observation_from` come from
    its observation rule (for esketamine: 120 minutes from the first device, per the label).
    """

    arrival_min: int  # arrival and pre-checks, before the dose starts
    dosing_min: int  # from the first device (or infusion start) to the end of dosing
    observation_min: int  # after dosing ends, until the patient may leave
    turnover_min: int  # cleaning the chair after the patient leaves
    minimum_observation_min: int | None = None
    observation_from: str = DOSE_START
    source: str = ""

    @property
    def patient_min(self) -> int:
        """Minutes the patient is in the chair and a nurse watches them."""
        return self.arrival_min + self.dosing_min + self.observation_min

    @property
    def chair_min(self) -> int:
        """Minutes the chair is taken, turnover included."""
        return self.patient_min + self.turnover_min

    @property
    def observed_min(self) -> int:
        """Observation as the protocol counts it (from the dose start or the dose end)."""
        if self.observation_from == DOSE_START:
            return self.dosing_min + self.observation_min
        return self.observation_min


@dataclass(frozen=True)
class SessionDemand:
    """One session of an active course that is due this week, with its spacing rules.

    The day it may fall on is bounded by `earliest`/`latest` (if given), by `min_gap_days`
    after `last_dosed_on` (the course's last dosed session before this week) and by
    `max_gap_days` (after which the course counts as interrupted). A course's later session in
    the same week names the earlier one in `previous_id`: the same gaps hold between them.
    """

    id: str
    patient_id: str
    course_id: str
    kind: str
    timing: SessionTiming
    last_dosed_on: dt.date | None = None
    previous_id: str | None = None
    min_gap_days: int = 1
    max_gap_days: int | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    availability: tuple[TimeWindow, ...] = ()  # empty: any time the clinic is open
    priority: int = 0  # higher first when not every due session fits
    phase: str = ""


@dataclass(frozen=True)
class NewPatientDemand:
    """A patient on the priority waiting list who could start this week (rank 1 first).

    Starting means placing all `sessions_in_week` first sessions (for example two for a
    twice-weekly induction), `min_gap_days` apart; either all are placed or none.
    """

    id: str
    patient_id: str
    rank: int
    kind: str
    timing: SessionTiming
    sessions_in_week: int = 1
    min_gap_days: int = 1
    max_gap_days: int | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    availability: tuple[TimeWindow, ...] = ()


@dataclass(frozen=True)
class StaffingRules:
    """The clinic's own staffing rules. No ratio is assumed: planning needs one set."""

    chairs_per_nurse: int | None
    prescriber_on_site_for: frozenset[str] = frozenset({ESKETAMINE})


@dataclass(frozen=True)
class PlanningInput:
    """Everything one week's plan depends on."""

    week_start: dt.date
    chairs: tuple[Chair, ...]
    shifts: tuple[Shift, ...]
    opening: tuple[TimeWindow, ...]
    staffing: StaffingRules
    sessions: tuple[SessionDemand, ...] = ()
    new_patients: tuple[NewPatientDemand, ...] = ()
    grid_min: int = 5
    days: int = 7
    notes: tuple[str, ...] = field(default=())

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=self.days - 1)

    def day_index(self, day: dt.date) -> int:
        return (day - self.week_start).days


def minute_of_day(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def week_hours(
    week_start: dt.date,
    weekday_hours: dict[int, tuple[dt.time, dt.time]],
    *,
    closed_dates=frozenset(),
    open_weekdays=None,
    days: int = 7,
) -> tuple[TimeWindow, ...]:
    """The week's opening windows from hours per weekday (Monday = 0) and the closed dates.

    `open_weekdays`, when given, is the clinic calendar's open days: a weekday outside it is
    closed even if it has hours.
    """
    windows = []
    for offset in range(days):
        day = week_start + dt.timedelta(days=offset)
        if day in closed_dates or day.weekday() not in weekday_hours:
            continue
        if open_weekdays is not None and day.weekday() not in open_weekdays:
            continue
        opens, closes = weekday_hours[day.weekday()]
        windows.append(TimeWindow(day, opens, closes))
    return tuple(windows)


def weekly_windows(
    week_start: dt.date, by_weekday: dict[int, list[tuple[dt.time, dt.time]]], days: int = 7
) -> tuple[TimeWindow, ...]:
    """A patient's usual availability (per weekday) as this week's windows."""
    windows = []
    for offset in range(days):
        day = week_start + dt.timedelta(days=offset)
        for start, end in by_weekday.get(day.weekday(), ()):
            windows.append(TimeWindow(day, start, end))
    return tuple(windows)


def validate(data: PlanningInput) -> None:
    """Refuse input the planner cannot plan honestly, naming what must change."""
    errors: dict[str, str] = {}
    ratio = data.staffing.chairs_per_nurse
    if ratio is None:
        errors["chairs_per_nurse"] = (
            "Set how many chairs one nurse may watch at once; the planner assumes no ratio."
        )
    elif not 1 <= ratio <= MAX_CHAIRS_PER_NURSE:
        errors["chairs_per_nurse"] = f"Chairs per nurse must be 1 to {MAX_CHAIRS_PER_NURSE}."
    if not 1 <= data.grid_min <= 60 or 1440 % data.grid_min:
        errors["grid_min"] = "The grid must divide a day into whole steps of 1 to 60 minutes."
    if not 1 <= data.days <= 14:
        errors["days"] = "Plan between 1 and 14 days."
    for window in (*data.opening, *(s for s in data.shifts)):
        if minute_of_day(window.end) <= minute_of_day(window.start):
            errors["opening" if isinstance(window, TimeWindow) else "shifts"] = (
                f"{window.day}: the end must be after the start."
            )
    for shift in data.shifts:
        if shift.role not in STAFF_ROLES:
            errors["shifts"] = f"Unknown staff role {shift.role!r}."
    ids = [s.id for s in data.sessions]
    if len(set(ids)) != len(ids):
        errors["sessions"] = "Session ids must be unique."
    known = set(ids)
    for session in data.sessions:
        if session.previous_id is not None and session.previous_id not in known:
            errors["sessions"] = (
                f"Session {session.id}: previous session {session.previous_id} "
                "is not in this week's demand."
            )
    new_ids = [p.id for p in data.new_patients]
    if len(set(new_ids)) != len(new_ids) or known & set(new_ids):
        errors["new_patients"] = "Waiting-patient ids must be unique and differ from session ids."
    for demand in (*data.sessions, *data.new_patients):
        problem = _demand_problem(demand)
        if problem:
            errors["new_patients" if isinstance(demand, NewPatientDemand) else "sessions"] = (
                f"{demand.id}: {problem}"
            )
    if errors:
        raise PlanningRefused(
            "The week cannot be planned: " + "; ".join(errors.values()), fields=errors
        )


def _demand_problem(demand) -> str:
    if demand.kind not in KINDS:
        return f"unknown kind {demand.kind!r}"
    timing = demand.timing
    parts = (timing.arrival_min, timing.dosing_min, timing.observation_min, timing.turnover_min)
    if min(parts) < 0 or timing.patient_min <= 0:
        return "session timing must be positive minutes"
    if timing.observation_from not in (DOSE_START, DOSE_END):
        return "observation is counted from the dose start or the dose end"
    if (
        timing.minimum_observation_min is not None
        and timing.observed_min < timing.minimum_observation_min
    ):
        return (
            f"observation of {timing.observed_min} min is shorter than the protocol's "
            f"{timing.minimum_observation_min} min"
        )
    floor = LABEL_OBSERVATION_FLOOR.get(demand.kind)
    if floor is not None:
        minutes, counted_from, source = floor
        observed = (
            timing.dosing_min + timing.observation_min
            if counted_from == DOSE_START
            else timing.observation_min
        )
        if observed < minutes:
            return f"observation must last at least {minutes} min after dosing ({source})"
    if getattr(demand, "priority", 0) < 0:
        return "priority is 0 or more (higher first)"
    if demand.min_gap_days < 1:
        return "sessions of one course are at least one day apart"
    if demand.max_gap_days is not None and demand.max_gap_days < demand.min_gap_days:
        return "the maximum gap is shorter than the minimum gap"
    if isinstance(demand, NewPatientDemand) and not 1 <= demand.sessions_in_week <= 7:
        return "a new patient starts with 1 to 7 sessions in the week"
    return ""
