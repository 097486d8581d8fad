"""Helpers every session service uses: the row lock, moving status, times, readiness."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.treatments import rules
from ketaclinic.treatments.models import SessionStatus, TreatmentSession
from ketaclinic.treatments.state import state_of

# Charting after the fact is normal; charting the future is a typing error. A minute of
# slack covers clocks of tablets a little ahead of the server.
CLOCK_SLACK = datetime.timedelta(minutes=1)


def _light():
    return TreatmentSession.objects.select_related("patient__clinic", "protocol_version")


def locked(session) -> TreatmentSession:
    """The session row under SELECT ... FOR UPDATE (this row only, not the joined ones).

    Every service that changes a session holds this lock for its whole transaction, so two
    nurses charting on one session at once are serialized and neither entry is lost.
    Related rows (vitals, alerts, ...) are read on demand, so they are always current.
    """
    return _light().select_for_update(of=("self",)).get(pk=session.pk)


def move(actor, session, target: str, *, at=None, changes: dict | None = None) -> None:
    """Change status through the transition table; 409 for an illegal transition."""
    try:
        rules.check_transition(session.status, target)
    except rules.IllegalTransition as exc:
        raise Conflict(str(exc), code="illegal_transition") from exc
    before = session.status
    session.status = target
    session.save()
    record_event(
        actor=actor,
        action=f"session.{target}",
        obj=session,
        patient=session.patient,
        changes={"status": {"from": before, "to": target}, **(changes or {})},
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
