"""Scheduling a planned session: its date, arrival time and chair (from a week plan)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q

from ketaclinic.core.errors import InvalidInput, NotFound
from ketaclinic.core.permissions import require
from ketaclinic.treatments.models import SessionStatus, TreatmentSession
from ketaclinic.treatments.services.common import audit, require_still_scheduled

CHAIR_MAX_LENGTH = TreatmentSession._meta.get_field("chair").max_length


def schedule_session(
    *, actor, session, date: datetime.date, start: datetime.time, chair: str
) -> tuple[TreatmentSession, bool]:
    """Give a scheduled session its date, start time and chair, under a row lock.

    Answers the session and whether anything changed: setting the same slot again changes
    nothing and records no audit event, so applying the same plan twice is harmless.
    """
    require(actor, "session.schedule")
    chair = (chair or "").strip()
    errors = {}
    if not chair:
        errors["chair"] = "required"
    elif len(chair) > CHAIR_MAX_LENGTH:
        errors["chair"] = f"at most {CHAIR_MAX_LENGTH} characters"
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        errors["date"] = "a date"
    if not isinstance(start, datetime.time):
        errors["start"] = "a time of day"
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)) + ".", fields=errors)
    with transaction.atomic():
        row = (
            TreatmentSession.objects.filter(clinic_id=actor.clinic_id)
            .select_related("patient__clinic")
            .select_for_update(of=("self",))
            .filter(pk=getattr(session, "pk", session))
            .first()
        )
        if row is None:
            raise NotFound("No such session.")
        start = start.replace(second=0, microsecond=0, tzinfo=None)
        if (row.scheduled_date, row.scheduled_start, row.chair) == (date, start, chair):
            return row, False
        require_still_scheduled(row, date, done="planned", into_past="be planned in the past")
        before = {
            "date": row.scheduled_date,
            "start": row.scheduled_start,
            "chair": row.chair,
        }
        after = {"date": date, "start": start, "chair": chair}
        row.scheduled_date, row.scheduled_start, row.chair = date, start, chair
        row.save(update_fields=["scheduled_date", "scheduled_start", "chair", "updated_at"])
        audit(
            actor,
            "session.slot_set",
            row,
            {
                key: {"from": before[key], "to": after[key]}
                for key in after
                if before[key] != after[key]
            },
        )
    return row, True


def hold_slots(*, actor, first_day: datetime.date, last_day: datetime.date, session_ids) -> None:
    """Lock, until the caller's transaction ends, the clinic's sessions dated in the range and
    the named ones: a week plan is checked against the chairs and applied while no one else
    moves them (two administrators applying two plans at once wait for each other)."""
    require(actor, "session.schedule")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("hold_slots locks rows for a transaction: call it inside one.")
    list(
        TreatmentSession.objects.filter(clinic_id=actor.clinic_id)
        .filter(Q(scheduled_date__range=(first_day, last_day)) | Q(pk__in=list(session_ids)))
        .order_by("pk")
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )


def rename_chair(*, actor, old: str, new: str, from_date: datetime.date) -> int:
    """The sessions planned on a chair from a date on follow the chair's new name, each under
    its row lock and audited (`session.slot_set`), so the chair is still seen as taken."""
    require(actor, "session.schedule")
    with transaction.atomic():
        rows = list(
            TreatmentSession.objects.filter(
                clinic_id=actor.clinic_id,
                status=SessionStatus.SCHEDULED,
                chair=old,
                scheduled_date__gte=from_date,
            )
            .order_by("pk")
            .select_for_update(of=("self",))
        )
        for row in rows:
            row.chair = new
            row.save(update_fields=["chair", "updated_at"])
            audit(actor, "session.slot_set", row, {"chair": {"from": old, "to": new}})
    return len(rows)
