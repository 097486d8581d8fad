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
