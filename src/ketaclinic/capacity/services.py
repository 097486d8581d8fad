"""Capacity writes: chairs, staff shifts, opening hours and staffing rules (audited)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketaclinic.accounts.queries import staff_here
from ketaclinic.audit.services import assign, record_event, save_changes, update_clinic_settings
from ketaclinic.core.errors import Conflict, InvalidInput, NotFound
from ketaclinic.core.permissions import require
from ketaclinic.treatments import queries as treatment_queries
from ketaclinic.treatments import services as treatment_services

from . import planner, planning
from .models import Chair, OpeningHours, ShiftRole, StaffingRules, StaffShift

MAX_CHAIRS_PER_NURSE = 20
# A session part longer than a working day is a typing error.
MAX_TIMING_MIN = 600
TIMING_FIELDS = ("arrival_min", "turnover_min", "observation_min")


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)) + ".", fields=errors)


def _chair_errors(actor, name: str, iv_infusion: bool, esketamine: bool, exclude=None):
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the chair a name."
    elif len(name) > 20:
        errors["name"] = "At most 20 characters."
    else:
        same = Chair.objects.filter(clinic_id=actor.clinic_id, name__iexact=name)
        if exclude is not None:
            same = same.exclude(pk=exclude.pk)
        if same.exists():
            errors["name"] = "Another chair already has this name."
    if not (iv_infusion or esketamine):
        errors["iv_infusion"] = "Tick what may be given in this chair (IV infusion, esketamine)."
    return name, errors


def add_chair(
    *, actor, name: str, location: str = "", iv_infusion: bool = False, esketamine: bool = False
) -> Chair:
    require(actor, "capacity.manage")
    name, errors = _chair_errors(actor, name, iv_infusion, esketamine)
    _refuse(errors)
    with transaction.atomic():
        chair = Chair.objects.create(
            clinic_id=actor.clinic_id,
            name=name,
            location=(location or "").strip()[:100],
            iv_infusion=bool(iv_infusion),
            esketamine=bool(esketamine),
        )
        record_event(
            actor=actor,
            action="capacity.chair_added",
            obj=chair,
            changes={"name": chair.name, "capabilities": chair.capabilities},
        )
    return chair


CHAIR_FIELDS = ("name", "location", "iv_infusion", "esketamine", "active")


def update_chair(*, actor, chair: Chair, **changes) -> Chair:
    """Rename, move, change capabilities, or set a chair active or inactive."""
    require(actor, "capacity.manage")
    unknown = set(changes) - set(CHAIR_FIELDS)
    _refuse(dict.fromkeys(unknown, "not a chair field"))
    with transaction.atomic():
        row = Chair.objects.select_for_update().filter(pk=chair.pk, clinic_id=actor.clinic_id)
        row = row.first()
        if row is None:
            raise NotFound("No such chair.")
        merged = {f: changes.get(f, getattr(row, f)) for f in CHAIR_FIELDS}
        name, errors = _chair_errors(
            actor, merged["name"], merged["iv_infusion"], merged["esketamine"], exclude=row
        )
        _refuse(errors)
        merged["name"], merged["location"] = name, (merged["location"] or "").strip()[:100]
        old_name = row.name
        before = assign(
            row, {f: merged[f] if f in ("name", "location") else bool(merged[f]) for f in merged}
        )
        save_changes(row, before, CHAIR_FIELDS, actor=actor, action="capacity.chair_changed")
        if row.name != old_name:
            # Sessions record the chair by name: those planned on it follow the new one.
            treatment_services.rename_chair(
                actor=actor,
                old=old_name,
                new=row.name,
                from_date=timezone.localdate(timezone.now(), actor.clinic.tz),
            )
    return row


def _time_errors(start: dt.time | None, end: dt.time | None, start_name: str, end_name: str):
    errors = {}
    if start is None:
        errors[start_name] = "Give a time (HH:MM)."
    if end is None:
        errors[end_name] = "Give a time (HH:MM)."
    if start is not None and end is not None and end <= start:
        errors[end_name] = "Must be after the start, on the same day."
    return errors


def _locked_hours(actor, weekday: int) -> OpeningHours | None:
    return (
        OpeningHours.objects.select_for_update()
        .filter(clinic_id=actor.clinic_id, weekday=weekday)
        .first()
    )


def set_opening_hours(*, actor, weekday: int, opens: dt.time, closes: dt.time) -> OpeningHours:
    """Open a weekday, or change its hours."""
    require(actor, "capacity.manage")
    errors = _time_errors(opens, closes, "opens", "closes")
    if weekday not in range(7):
        errors["weekday"] = "Monday (0) to Sunday (6)."
    _refuse(errors)
    with transaction.atomic():
        row = _locked_hours(actor, weekday)
        before = {"opens": row.opens, "closes": row.closes} if row else {}
        if row is None:
            row = OpeningHours(clinic_id=actor.clinic_id, weekday=weekday)
        row.opens, row.closes = opens, closes
        row.save()
        changes = {"weekday": row.get_weekday_display(), "opens": opens, "closes": closes}
        record_event(
            actor=actor, action="capacity.hours_set", obj=row, changes=changes | {"was": before}
        )
    return row


def close_weekday(*, actor, weekday: int) -> None:
    """Mark a weekday closed (no treatment hours)."""
    require(actor, "capacity.manage")
    with transaction.atomic():
        row = _locked_hours(actor, weekday)
        if row is None:
            return
        was = {"opens": row.opens, "closes": row.closes}
        record_event(
            actor=actor,
            action="capacity.weekday_closed",
            obj=row,
            changes={"weekday": row.get_weekday_display(), "was": was},
        )
        row.delete()


def _overlapping_shift(actor, staff, date, starts_at, ends_at) -> StaffShift | None:
    """The staff member's shift, here or at another location, that overlaps this one in time.

    Locations may keep different time zones: shifts are compared as instants, each on its own
    clinic's wall clock."""
    tz = actor.clinic.tz
    begins = dt.datetime.combine(date, starts_at, tz)
    ends = dt.datetime.combine(date, ends_at, tz)
    near = (
        StaffShift.objects.select_for_update(of=("self",))
        .filter(staff=staff, date__range=(date - dt.timedelta(days=1), date + dt.timedelta(days=1)))
        .select_related("clinic")
        .order_by("date", "starts_at")
    )
    for shift in near:
        other_tz = shift.clinic.tz
        other_begins = dt.datetime.combine(shift.date, shift.starts_at, other_tz)
        other_ends = dt.datetime.combine(shift.date, shift.ends_at, other_tz)
        if begins < other_ends and other_begins < ends:
            return shift
    return None


def add_shift(
    *, actor, staff_id, date: dt.date, starts_at: dt.time, ends_at: dt.time
) -> StaffShift:
    """Put a nurse or prescriber of this clinic on site for a block of one day."""
    require(actor, "capacity.manage")
    errors = _time_errors(starts_at, ends_at, "starts_at", "ends_at")
    staff = staff_here(actor.clinic_id).filter(pk=staff_id).first() if staff_id else None
    if staff is None:
        errors["staff"] = "Choose a nurse or prescriber of this clinic."
    elif staff.role_here not in ShiftRole.values:
        errors["staff"] = "Shifts are planned for nurses and prescribers."
    if date is None:
        errors["date"] = "Give a date."
    _refuse(errors)
    with transaction.atomic():
        clash = _overlapping_shift(actor, staff, date, starts_at, ends_at)
        if clash is not None:
            where = "" if clash.clinic_id == actor.clinic_id else f" at {clash.clinic.name}"
            _refuse(
                {
                    "starts_at": f"{staff} already has a shift{where} overlapping this time "
                    f"({clash.date.isoformat()} {clash.starts_at:%H:%M}-{clash.ends_at:%H:%M})."
                }
            )
        shift = StaffShift.objects.create(
            clinic_id=actor.clinic_id,
            staff=staff,
            role=staff.role_here,
            date=date,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="capacity.shift_added",
            obj=shift,
            changes=_shift_changes(shift),
        )
    return shift


def _shift_changes(shift: StaffShift) -> dict:
    return {
        "staff": str(shift.staff),
        "role": shift.role,
        "date": shift.date,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
    }


def remove_shift(*, actor, shift: StaffShift) -> None:
    require(actor, "capacity.manage")
    with transaction.atomic():
        row = StaffShift.objects.filter(pk=shift.pk, clinic_id=actor.clinic_id).first()
        if row is None:
            raise NotFound("No such shift.")
        record_event(
            actor=actor,
            action="capacity.shift_removed",
            obj=row,
            changes=_shift_changes(row),
        )
        row.delete()


def update_staffing_rules(
    *,
    actor,
    chairs_per_nurse: int | None,
    prescriber_for_esketamine: bool,
    prescriber_for_iv: bool,
    arrival_min: int | None = None,
    turnover_min: int | None = None,
    observation_min: int | None = None,
) -> StaffingRules:
    """Set the clinic's chairs-per-nurse ratio, when a prescriber must be on site, and the
    session minutes the protocols leave to the clinic (arrival, turnover, observation)."""
    require(actor, "capacity.manage")
    errors = {}
    if chairs_per_nurse is not None and not (
        isinstance(chairs_per_nurse, int) and 1 <= chairs_per_nurse <= MAX_CHAIRS_PER_NURSE
    ):
        errors["chairs_per_nurse"] = f"A whole number from 1 to {MAX_CHAIRS_PER_NURSE}."
    timing = {
        "arrival_min": arrival_min,
        "turnover_min": turnover_min,
        "observation_min": observation_min,
    }
    for name, value in timing.items():
        low = 1 if name == "observation_min" else 0
        if value is not None and not (isinstance(value, int) and low <= value <= MAX_TIMING_MIN):
            errors[name] = f"A whole number of minutes from {low} to {MAX_TIMING_MIN}."
    _refuse(errors)
    values = {
        **timing,
        "chairs_per_nurse": chairs_per_nurse,
        "prescriber_for_esketamine": bool(prescriber_for_esketamine),
        "prescriber_for_iv": bool(prescriber_for_iv),
    }
    return update_clinic_settings(
        StaffingRules, actor=actor, values=values, action="capacity.staffing_rules_changed"
    )


def apply_plan(*, actor, token: str, confirm: bool) -> dict:
    """Schedule a plan's course sessions (date, start, chair) once an administrator confirms.

    All or nothing, each session under its row lock; a session already in its planned slot
    is left alone, so applying the same plan again changes nothing and records nothing.
    Waiting patients' first sessions are shown in the plan but not applied: starting a
    course stays the prescriber's decision. A plan that would now put a patient on a chair
    another session holds (another plan applied since), or on a day already begun, is refused
    whole (409 `plan_outdated`).
    """
    require(actor, "capacity.apply")
    if confirm is not True:
        raise InvalidInput(
            "Confirm that the plan's sessions are to be scheduled.",
            fields={"confirm": "confirm to apply the plan"},
        )
    try:
        week_start, rows = planning.read_token(actor, token or "")
    except planner.PlanningRefused as exc:
        raise InvalidInput(exc.message, fields=exc.fields) from None
    ids = [r[0] for r in rows]
    changed = 0
    with transaction.atomic():
        # The week's sessions stay put while the plan is checked against them and applied.
        treatment_services.hold_slots(
            actor=actor,
            first_day=week_start,
            last_day=week_start + dt.timedelta(days=6),
            session_ids=ids,
        )
        try:
            clashes = planning.chair_clashes(actor, week_start, rows)
        except planner.PlanningRefused as exc:
            raise InvalidInput(exc.message, fields=exc.fields) from None
        if clashes:
            raise Conflict(
                "The plan no longer fits the week: plan it again. " + " ".join(clashes),
                code="plan_outdated",
            )
        found = {str(s.pk): s for s in treatment_queries.sessions_by_ids(actor, ids)}
        for session_id, day, start, chair in rows:
            session = found.get(session_id)
            if session is None:
                raise NotFound("A session of the plan no longer exists.")
            _, did = treatment_services.schedule_session(
                actor=actor, session=session, date=day, start=start, chair=chair
            )
            changed += int(did)
        if changed:
            record_event(
                actor=actor,
                action="capacity.plan_applied",
                clinic=actor.clinic,
                changes={
                    "week_start": week_start,
                    "sessions_in_plan": len(rows),
                    "sessions_changed": changed,
                },
            )
    return {"week_start": week_start, "sessions": len(rows), "changed": changed}
