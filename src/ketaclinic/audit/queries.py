"""Reads of the audit log, scoped to the actor's clinic."""

from datetime import date

from ketaclinic.core.permissions import require

from .models import AuditEvent


def audit_events_for(
    user,
    *,
    patient_id=None,
    action: str | None = None,
    actor_username: str | None = None,
    since: date | None = None,
    until: date | None = None,
):
    require(user, "audit.view")
    events = AuditEvent.objects.visible_to(user).select_related("patient")
    if patient_id:
        events = events.filter(patient_id=patient_id)
    if action:
        events = events.filter(action=action)
    if actor_username:
        events = events.filter(actor_label=actor_username)
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    return events


def object_ids_of_actions(clinic_id, actions, *, since=None):
    """(object id, action, time) of a clinic's events with these action codes, oldest first,
    streamed: a system read for integrity checks (the ledger's own verification)."""
    events = AuditEvent.objects.filter(clinic_id=clinic_id, action__in=list(actions))
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    return (
        events.order_by("occurred_at")
        .values_list("object_id", "action", "occurred_at")
        .iterator(chunk_size=5000)
    )


def latest_event(clinic_id, action: str) -> AuditEvent | None:
    """A clinic's latest event with this action code (a system read, e.g. the last ledger
    verification for the network compliance view, which authorizes its reader)."""
    return (
        AuditEvent.objects.filter(clinic_id=clinic_id, action=action)
        .order_by("-occurred_at")
        .first()
    )
