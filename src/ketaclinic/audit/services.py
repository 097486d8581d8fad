"""Writing audit events. Services call record_event inside their own transaction."""

import getpass
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.core import context

from . import codes
from .models import AuditEvent


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


_listeners: list[Callable[[AuditEvent], None]] = []


def on_record(callback: Callable[[AuditEvent], None]) -> None:
    """Call `callback(event)` after each event is written, in the same transaction (for data
    an app above derives from the writes of the apps below: they audit, it follows)."""
    if callback not in _listeners:
        _listeners.append(callback)


def record_event(
    *,
    actor,
    action: str,
    clinic=None,
    obj=None,
    patient=None,
    changes: dict | None = None,
) -> AuditEvent:
    """Append one audit event. `actor` None means the system (a command or task); `patient`
    is the patient row or its id.

    `action` is a code of the registry in codes.py; an undefined code is refused.
    """
    codes.check(action)
    ctx = context.current()
    if actor is not None:
        label = actor.username
    elif ctx.via == "cli":
        label = f"system (command line, OS user {_os_user()})"
    else:
        label = f"system ({ctx.via})"
    if clinic is None:
        clinic = getattr(obj, "clinic", None) or getattr(patient, "clinic", None)
        if clinic is None and actor is not None:
            clinic = actor.clinic
    with transaction.atomic(savepoint=False):
        event = AuditEvent.objects.create(
            occurred_at=timezone.now(),
            clinic=clinic,
            actor=actor,
            actor_label=label,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            patient_id=getattr(patient, "pk", patient),
            via=ctx.via if ctx.via in {"web", "api", "cli", "task"} else "system",
            ip_address=ctx.ip_address,
            changes=_jsonable(changes or {}),
        )
        for listener in _listeners:
            listener(event)
    return event


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def diff(instance, before: dict, fields) -> dict:
    """{field: {"from": old, "to": new}} for each field whose value changed."""
    changed = {}
    for name in fields:
        new = getattr(instance, name)
        old = before.get(name)
        if old != new:
            changed[name] = {"from": _jsonable(old), "to": _jsonable(new)}
    return changed


def assign(instance, values: dict) -> dict:
    """Set each field of `values` on `instance`; return the fields' values before."""
    before = {name: getattr(instance, name) for name in values}
    for name, value in values.items():
        setattr(instance, name, value)
    return before


def save_changes(
    instance, before: dict, fields, *, actor, action: str, clinic=None, patient=None
) -> dict:
    """Save `instance` and record one audit event naming what changed among `fields`, or do
    nothing when nothing changed. Returns the changes ({} when none)."""
    changed = diff(instance, before, fields)
    if changed:
        instance.save()
        record_event(
            actor=actor,
            action=action,
            obj=instance,
            clinic=clinic,
            patient=patient,
            changes=changed,
        )
    return changed


def update_clinic_settings(model, *, actor, values: dict, action: str):
    """Change fields of the clinic's one settings row of `model` (created on first use) and
    record `action` naming what changed; the row is locked for the change."""
    with transaction.atomic():
        row, _ = model.objects.select_for_update().get_or_create(clinic_id=actor.clinic_id)
        before = assign(row, values)
        row.updated_by = actor
        save_changes(row, before, values, actor=actor, action=action, clinic=actor.clinic)
    return row
