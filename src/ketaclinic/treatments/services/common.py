"""Helpers every session service uses: the row lock, moving status, times, readiness."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, InvalidInput, NotFound
from ketaclinic.treatments import rules
from ketaclinic.treatments.models import SessionStatus, TreatmentSession
from ketaclinic.treatments.state import state_of

# Charting after the fact is normal; charting the future is a typing error. A minute of
# slack covers clocks of tablets a little ahead of the server.
CLOCK_SLACK = datetime.timedelta(minutes=1)


def _light():
    return TreatmentSession.objects.select_related("patient__clinic", "protocol_version")


def locked(session, *allowed: str, doing: str = "") -> TreatmentSession:
    """The session row under SELECT ... FOR UPDATE (this row only, not the joined ones);
    with `allowed` statuses, 409 unless it is in one of them (for `doing`).

    Every service that changes a session holds this lock for its whole transaction, so two
    nurses charting on one session at once are serialized and neither entry is lost.
    Related rows (vitals, alerts, ...) are read on demand, so they are always current.
    """
    row = _light().select_for_update(of=("self",)).get(pk=session.pk)
    if allowed:
        require_status(row, *allowed, doing=doing)
    return row


def audit(actor, action: str, obj, changes: dict | None = None, *, patient=None) -> None:
    """One audit event about `obj` (a session, course or one of their entries), filed under
    its patient: `patient` when given, else the object's own."""
    record_event(
        actor=actor, action=action, obj=obj, patient=patient or obj.patient, changes=changes
    )


def add_entry(actor, row, model, action: str, changes: dict, /, **fields):
    """Create one entry (vitals, scale, alert, adverse event) of the locked session `row`
    and audit it."""
    entry = model.objects.create(clinic_id=row.clinic_id, session=row, **fields)
    audit(actor, action, entry, changes, patient=row.patient)
    return entry


def locked_entry(model, row, entry_id, missing: str):
    """One entry of the locked session `row` under SELECT ... FOR UPDATE; 404 `missing` for
    an id that is malformed or not of this session."""
    try:
        entry_id = uuid.UUID(str(entry_id))
    except ValueError:
        raise NotFound(missing) from None
    entry = model.objects.select_for_update().filter(pk=entry_id, session=row).first()
    if entry is None:
        raise NotFound(missing)
    return entry


def move(actor, session, target: str, *, at=None, changes: dict | None = None) -> None:
    """Change status through the transition table; 409 for an illegal transition."""
    try:
        rules.check_transition(session.status, target)
    except rules.IllegalTransition as exc:
        raise Conflict(str(exc), code="illegal_transition") from exc
    before = session.status
    session.status = target
    session.save()
    audit(
        actor,
        f"session.{target}",
        session,
        {"status": {"from": before, "to": target}, **(changes or {})},
    )


def require_status(session, *allowed: str, doing: str) -> None:
    if session.status not in allowed:
        names = ", ".join(a.replace("_", " ") for a in allowed)
        raise Conflict(
            f"Cannot {doing}: the session is {session.status.replace('_', ' ')} (needs {names}).",
            code="illegal_transition",
        )


def moment(
    value: datetime.datetime | None,
    *,
    field: str,
    now: datetime.datetime,
    not_before: datetime.datetime | None = None,
    not_before_label: str = "",
) -> datetime.datetime:
    """A charted time: now by default, never in the future, never before the previous step."""
    if value is None:
        return now
    if timezone.is_naive(value):
        raise InvalidInput("Give the time with its time zone.", fields={field: "time zone needed"})
    if value > now + CLOCK_SLACK:
        raise InvalidInput(
            "A charted time cannot be in the future.", fields={field: "in the future"}
        )
    if not_before is not None and value < not_before:
        raise InvalidInput(
            f"The time cannot be before {not_before_label}.",
            fields={field: f"before {not_before_label}"},
        )
    return value


def since_dose(value: datetime.datetime | None, row, *, now: datetime.datetime, field: str = "at"):
    """A charted time of a dosed session: not before its dose started."""
    return moment(
        value,
        field=field,
        now=now,
        not_before=row.dose_started_at,
        not_before_label="the dose start",
    )


def require_still_scheduled(row, date: datetime.date, *, done: str, into_past: str) -> None:
    """Only a scheduled session gets a new date (409), and never one before the clinic's
    today (422); `done` and `into_past` word the two answers."""
    if row.status != SessionStatus.SCHEDULED:
        raise Conflict(
            f"Only a scheduled session can be {done}; this one is {row.status}.",
            code="illegal_transition",
        )
    today = timezone.localdate(timezone.now(), row.patient.clinic.tz)
    if date < today:
        raise InvalidInput(f"A session cannot {into_past}.", fields={"date": "today or later"})


def issues_fields(issues: list[rules.Issue]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for issue in issues:
        fields[issue.code] = (
            f"{fields[issue.code]} {issue.message}" if issue.code in fields else issue.message
        )
    return fields


def refresh_readiness(actor, row, *, at: datetime.datetime | None = None) -> TreatmentSession:
    """After an entry: mark ready for discharge when every clinical criterion holds, back to
    monitoring when one stops holding, and note when the patient was first ready to leave
    but for the 2-hour rule (a REMS field). `row` is the locked session; it is updated."""
    if row.status not in (SessionStatus.MONITORING, SessionStatus.READY_FOR_DISCHARGE):
        return row
    now = timezone.now()
    clinical = state_of(row, now).clinical_issues
    if row.ready_to_leave_at is None and all(i.code == "observation_time" for i in clinical):
        row.ready_to_leave_at = at or now
        row.save(update_fields=["ready_to_leave_at", "updated_at"])
    if row.status == SessionStatus.MONITORING and not clinical:
        row.ready_at = now
        move(actor, row, SessionStatus.READY_FOR_DISCHARGE)
    elif row.status == SessionStatus.READY_FOR_DISCHARGE and clinical:
        move(actor, row, SessionStatus.MONITORING, changes={"unmet": [i.code for i in clinical]})
    return row
