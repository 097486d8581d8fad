"""The week planner fed from the clinic: due course sessions, waiting patients, resources.

Reads only: building the planner's input, running it and shaping its answer. Applying a plan
is in services (apply_plan).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone

from ketaclinic.access import queries as access_queries
from ketaclinic.core.permissions import can, require
from ketaclinic.intake.queries import intake_settings
from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.treatments import queries as treatment_queries

from . import planner
from .planner.checker import covered_by
from .planner.inputs import DOSE_END, DOSE_START
from .queries import planning_resources, staffing_rules

# The solver's limit for a week from the page or the API (the bench measures 12 chairs).
TIME_LIMIT_S = 20.0
TOKEN_SALT = "ketaclinic.capacity.plan"
TOKEN_MAX_AGE_S = 24 * 3600
ESKETAMINE_DRUG = "esketamine"
FIRST_DEVICE = "first_device"


def dose_plan_timing(definition, dose_mg, rules) -> planner.SessionTiming:
    """A session's minutes from the protocol's dose and observation rules and the clinic's
    arrival, turnover and (where the protocol sets none) observation minutes."""
    dose = definition.dose
    if dose.device_mg:  # nasal devices, a rest between them (Spravato label)
        mg = dose_mg or dose.first_dose_mg or (dose.allowed_doses_mg or (dose.device_mg,))[0]
        devices = max(1, math.ceil(mg / dose.device_mg))
        dosing = max(1, (devices - 1) * (dose.rest_between_devices_min or 0))
    else:
        dosing = dose.default_duration_min or dose.min_duration_min
        if not dosing:
            raise planner.PlanningRefused(
                f"{definition.name}: the protocol gives no infusion time.",
                fields={"protocol": f"{definition.code}: set the infusion duration"},
            )
    rule = definition.observation
    minimum = rule.minimum_min
    source = rule.source
    if minimum is None:
        minimum = rules.observation_min
        source = "the clinic's observation time"
    observed_from = DOSE_END if rule.measured_from == "infusion_end" else DOSE_START
    observation = max(0, minimum - dosing) if observed_from == DOSE_START else minimum
    return planner.SessionTiming(
        arrival_min=rules.arrival_min,
        dosing_min=dosing,
        observation_min=observation,
        turnover_min=rules.turnover_min,
        minimum_observation_min=minimum,
        observation_from=observed_from,
        source=source,
    )


def _kind(definition) -> str:
    return planner.ESKETAMINE if definition.drug == ESKETAMINE_DRUG else planner.IV


def _phase(definition, code: str):
    return next((p for p in definition.phases if p.code == code), definition.phases[0])


@dataclass(frozen=True)
class Week:
    """A week's planner input and what the answer needs to name things."""

    data: planner.PlanningInput
    chair_names: dict[str, str]
    patients: dict[str, str]  # patient id -> name
    sessions: dict[str, object]  # session id -> the session row
    kept: tuple[planner.PlannedSession, ...]


def _refuse_missing(user, rules, resources) -> None:
    fields = {}
    if resources.missing:
        fields["resources"] = " ".join(resources.missing)
    for name, label in (
        ("arrival_min", "arrival and pre-checks"),
        ("turnover_min", "chair turnover"),
    ):
        if getattr(rules, name) is None:
            fields[name] = f"Set the clinic's {label} minutes (staffing rules)."
    if fields:
        raise planner.PlanningRefused(
            "The week cannot be planned yet: " + " ".join(fields.values()), fields=fields
        )


def week(user, week_start: dt.date) -> Week:
    """The week's planner input: due sessions of active courses and the waiting patients who
    could start, on the clinic's chairs, shifts and hours. Refuses (PlanningRefused naming
    the field) what cannot be planned."""
    require(user, "capacity.plan")
    if week_start.weekday() != 0:
        raise planner.PlanningRefused(
            "A week starts on a Monday.", fields={"week_start": "a Monday (YYYY-MM-DD)"}
        )
    today = timezone.localdate(timezone.now(), user.clinic.tz)
    week_end = week_start + dt.timedelta(days=6)
    if week_end < today:
        raise planner.PlanningRefused(
            "That week is over.", fields={"week_start": "this week or a later one"}
        )
    weekdays, closed = protocol_queries.clinic_calendar(user.clinic_id)
    resources = planning_resources(user, week_start, open_weekdays=weekdays, closed_dates=closed)
    rules = staffing_rules(user)
    _refuse_missing(user, rules, resources)
    earliest = max(week_start, today + dt.timedelta(days=1))
    definitions: dict = {}

    def definition_for(version):
        if version.pk not in definitions:
            definitions[version.pk] = protocol_queries.definition_of(version)
        return definitions[version.pk]

    # Today's sessions are on today's chair board already: the plan starts tomorrow.
    rows = list(treatment_queries.sessions_to_plan(user, earliest, week_end))
    # Every dose before the first day planned counts, this week's included (today's too).
    last = treatment_queries.last_dosed_dates(user, {r.course_id for r in rows}, earliest)
    chair_ids = {c.name: c.id for c in resources.chairs}
    sessions, kept, patients, by_id = [], [], {}, {}
    previous: dict = {}
    for row in rows:
        definition = definition_for(row.protocol_version)
        if not definition.phases:
            continue
        phase = _phase(definition, row.phase)
        timing = dose_plan_timing(definition, row.planned_dose_mg, rules)
        key = str(row.pk)
        if timing.minimum_observation_min is None:
            raise planner.PlanningRefused(
                f"{definition.name} leaves observation to the clinic and none is set.",
                fields={"observation_min": "Set the clinic's observation minutes."},
            )
        sessions.append(
            planner.SessionDemand(
                id=key,
                patient_id=str(row.patient_id),
                course_id=str(row.course_id),
                kind=_kind(definition),
                timing=timing,
                last_dosed_on=last.get(row.course_id),
                previous_id=previous.get(row.course_id),
                min_gap_days=phase.min_gap_days,
                earliest=earliest,
                # The first phase (induction) goes first when not everything fits.
                priority=1 if phase is definition.phases[0] else 0,
                phase=phase.code,
            )
        )
        previous[row.course_id] = key
        patients[str(row.patient_id)] = row.patient.full_name
        by_id[key] = row
        if row.scheduled_start is not None and row.chair in chair_ids:
            start = dt.datetime.combine(row.scheduled_date, row.scheduled_start)
            kept.append(
                planner.PlannedSession(
                    session_id=key,
                    new_patient_id=None,
                    sequence=0,
                    patient_id=str(row.patient_id),
                    kind=_kind(definition),
                    chair_id=chair_ids[row.chair],
                    nurse_id="",
                    start=start,
                    dose_start=start,
                    dose_end=start,
                    end=start,
                    chair_free=start,
                )
            )
    new_patients = []
    if can(user, "access.view"):
        code = intake_settings(user.clinic).default_protocol_code
        version = protocol_queries.latest_version(user.clinic_id, code)
        definition = definition_for(version) if version is not None else None
        if definition is not None and definition.configured and definition.phases:
            first = definition.phases[0]
            timing = dose_plan_timing(definition, first.planned_dose_mg, rules)
            per_week = first.sessions_per_period if first.period_weeks == 1 else 1
            ready = access_queries.ready_to_start(user, today)
            for rank, row in enumerate(ready[: planner.inputs.MAX_NEW_PATIENTS_CONSIDERED], 1):
                if timing.minimum_observation_min is None:
                    break
                new_patients.append(
                    planner.NewPatientDemand(
                        id=f"new-{row.patient.pk}",
                        patient_id=str(row.patient.pk),
                        rank=rank,
                        kind=_kind(definition),
                        timing=timing,
                        sessions_in_week=per_week,
                        min_gap_days=first.min_gap_days,
                        earliest=earliest,
                    )
                )
                patients[str(row.patient.pk)] = row.patient.full_name
    data = planner.PlanningInput(
        week_start=week_start,
        chairs=resources.chairs,
        shifts=resources.shifts,
        opening=resources.opening,
        staffing=resources.staffing,
        sessions=tuple(sessions),
        new_patients=tuple(new_patients),
    )
    return Week(
        data=data,
        chair_names={c.id: c.name for c in resources.chairs},
        patients=patients,
        sessions=by_id,
        kept=tuple(kept),
    )


@dataclass(frozen=True)
class Change:
    """A what-if asked for: chairs, one nurse shift, earlier opening, later closing."""

    extra_chairs: int = 0
    nurse_shift: tuple[dt.date, dt.time, dt.time] | None = None
    open_earlier_min: int = 0
    close_later_min: int = 0

    def as_what_if(self) -> planner.WhatIf:
        chairs = tuple(
            planner.Chair(
                f"what-if-chair-{n}",
                f"Extra chair {n}",
                frozenset((planner.IV, planner.ESKETAMINE)),
            )
            for n in range(1, self.extra_chairs + 1)
        )
        shifts = ()
        if self.nurse_shift:
            day, start, end = self.nurse_shift
            shifts = (planner.Shift("what-if-nurse", planner.NURSE, day, start, end),)
        return planner.WhatIf(
            extra_chairs=chairs,
            extra_nurse_shifts=shifts,
            open_earlier_min=self.open_earlier_min,
            close_later_min=self.close_later_min,
        )


def _named(result_dict: dict, names: dict[str, str], patients: dict[str, str]) -> dict:
    """A plan's answer with chair names (what a session records) beside the chair ids."""
    out = dict(result_dict)
    sessions = []
    for s in result_dict["sessions"]:
        sessions.append(
            s
            | {
                "chair_id": s["chair"],
                "chair": names.get(s["chair"], s["chair"]),
                "patient": patients.get(s["patient_id"], ""),
            }
        )
    out["sessions"] = sessions
    util = dict(result_dict["utilisation"])
    util["chairs"] = {names.get(k, k): v for k, v in util["chairs"].items()}
    out["utilisation"] = util
    return out


def plan(user, week_start: dt.date, change: Change | None = None, *, time_limit_s=None) -> dict:
    """The week's plan (CP-SAT), the first-fit baseline beside it, the what-if when asked,
    and a signed token an administrator may apply."""
    found = week(user, week_start)
    limit = time_limit_s or TIME_LIMIT_S
    report = planner.plan_week(found.data, time_limit_s=limit, keep=found.kept)
    answer = report.plan.as_dict()
    body = _named(answer, found.chair_names, found.patients)
    body["baseline"] = _named(report.baseline.as_dict(), found.chair_names, found.patients)
    body["week_start"] = week_start.isoformat()
    body["apply_token"] = signing.dumps(
        {
            "clinic": str(user.clinic_id),
            "week": week_start.isoformat(),
            "sessions": [
                [
                    s.session_id,
                    s.start.date().isoformat(),
                    s.start.strftime("%H:%M"),
                    found.chair_names[s.chair_id],
                ]
                for s in report.plan.sessions
                if s.session_id
            ],
        },
        salt=TOKEN_SALT,
    )
    body["what_if"] = None
    if change is not None:
        changed = change.as_what_if()
        outcome = planner.what_if(found.data, changed, before=report, time_limit_s=limit)
        names = found.chair_names | {c.id: c.name for c in changed.extra_chairs}
        body["what_if"] = {
            "change": outcome.change.label,
            "extra_sessions": outcome.extra_sessions,
            "extra_new_patients": outcome.extra_new_patients,
            "bottleneck": outcome.bottleneck,
            "blocking_counts": outcome.before.plan.blocking_counts,
            "after": _named(outcome.after.plan.as_dict(), names, found.patients),
        }
    return body


KIND_WORDS = {planner.IV: "IV infusions", planner.ESKETAMINE: "esketamine sessions"}


def chair_clashes(user, week_start: dt.date, rows) -> list[str]:
    """A plan's placements (as its token carries them) that no longer fit the week, in words:
    a chair now shared with a session outside the plan, taken out of use or no longer fit for
    the treatment; outside the opening hours; without a nurse on shift for the whole patient
    time or (esketamine) a prescriber on site; on a day already begun. Empty while it fits.

    A plan stays valid for a day; meanwhile another plan of the week may have been applied
    (placing a course started since), and a placement must not land on that patient's chair."""
    found = week(user, week_start)
    earliest = min((day for _, day, _, _ in rows), default=None)
    today = timezone.localdate(timezone.now(), user.clinic.tz)
    if earliest is not None and earliest <= today:
        return [f"The plan places sessions on {earliest.isoformat()}, a day already begun."]
    timing = {s.id: s.timing for s in found.data.sessions}
    in_plan = {session_id for session_id, _, _, _ in rows}
    taken = defaultdict(list)  # (date, chair name) -> [(from, to, patient)]
    for key, row in found.sessions.items():
        if key in in_plan or row.scheduled_start is None or not row.chair or key not in timing:
            continue
        begins = dt.datetime.combine(row.scheduled_date, row.scheduled_start)
        ends = begins + dt.timedelta(minutes=timing[key].chair_min)
        who = found.patients.get(str(row.patient_id), "another patient")
        taken[(row.scheduled_date, row.chair)].append((begins, ends, who))
    chairs = {c.name: c for c in found.data.chairs}  # the active chairs
    kinds = {s.id: s.kind for s in found.data.sessions}
    opening, nurses, prescribers = defaultdict(list), defaultdict(list), defaultdict(list)
    for w in found.data.opening:
        opening[w.day].append(
            (dt.datetime.combine(w.day, w.start), dt.datetime.combine(w.day, w.end))
        )
    for shift in found.data.shifts:
        span = (
            dt.datetime.combine(shift.day, shift.start),
            dt.datetime.combine(shift.day, shift.end),
        )
        (nurses if shift.role == planner.NURSE else prescribers)[shift.day].append(span)
    clashes = []
    for session_id, day, start, chair in rows:
        if session_id not in timing:
            continue  # no longer due: scheduling it refuses it by name
        if chair not in chairs:
            clashes.append(f"Chair {chair} is no longer in use.")
            continue
        if kinds[session_id] not in chairs[chair].capabilities:
            clashes.append(f"Chair {chair} no longer takes {KIND_WORDS[kinds[session_id]]}.")
            continue
        begins = dt.datetime.combine(day, start)
        ends = begins + dt.timedelta(minutes=timing[session_id].chair_min)
        leaves = begins + dt.timedelta(minutes=timing[session_id].patient_min)
        at = f"{day.isoformat()} at {start:%H:%M}"
        if not covered_by(opening[day], begins, ends):
            clashes.append(f"The session on {at} is now outside the opening hours.")
        if not any(a <= begins and leaves <= b for a, b in nurses[day]):
            clashes.append(f"No nurse is on shift any more for the whole session on {at}.")
        if kinds[session_id] in found.data.staffing.prescriber_on_site_for and not covered_by(
            prescribers[day],
            begins + dt.timedelta(minutes=timing[session_id].arrival_min),
            leaves,
        ):
            clashes.append(f"No prescriber is on site any more for the session on {at}.")
        for other_begins, other_ends, who in taken.get((day, chair), ()):
            if begins < other_ends and other_begins < ends:
                clashes.append(
                    f"Chair {chair} on {day.isoformat()} at {start:%H:%M} is now taken by "
                    f"{who} ({other_begins:%H:%M}-{other_ends:%H:%M})."
                )
    return clashes


def read_token(user, token: str) -> tuple[dt.date, list[tuple[str, dt.date, dt.time, str]]]:
    """The placements a plan token carries, if it was made for this clinic and is recent."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_S)
    except signing.SignatureExpired:
        raise planner.PlanningRefused(
            "The plan is older than a day: plan the week again.", fields={"token": "expired"}
        ) from None
    except signing.BadSignature:
        raise planner.PlanningRefused(
            "This is not a plan made here.", fields={"token": "not a valid plan"}
        ) from None
    if data.get("clinic") != str(user.clinic_id):
        raise planner.PlanningRefused(
            "This is not a plan made here.", fields={"token": "not a valid plan"}
        )
    rows = [
        (sid, dt.date.fromisoformat(day), dt.time.fromisoformat(start), chair)
        for sid, day, start, chair in data["sessions"]
    ]
    return dt.date.fromisoformat(data["week"]), rows


__all__ = ["Change", "Week", "chair_clashes", "plan", "read_token", "week"]
