"""Access writes: record and resolve barriers, change the clinic's thresholds (audited)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import record_event, update_clinic_settings
from ketaclinic.core.errors import Conflict, InvalidInput, raise_invalid
from ketaclinic.core.permissions import require

from .models import AccessBarrier, AccessSettings, BarrierKind


def record_barrier(
    *, actor, patient, kind: str, detail: str = "", distance_miles=None
) -> AccessBarrier:
    """Record a barrier the patient reports (transport, cost, denial, work, distance)."""
    require(actor, "access.record")
    errors = {}
    if kind not in BarrierKind.values:
        errors["kind"] = "Unknown barrier."
    miles = None
    if distance_miles not in (None, ""):
        try:
            miles = Decimal(str(distance_miles))
        except InvalidOperation:
            miles = None
        if miles is None or not miles.is_finite() or not 0 <= miles < 10000:
            errors["distance_miles"] = "Miles between 0 and 10,000."
    if kind == BarrierKind.OTHER and not (detail or "").strip():
        errors["detail"] = "Describe the barrier."
    raise_invalid(errors)
    with transaction.atomic():
        barrier = AccessBarrier.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            kind=kind,
            detail=(detail or "").strip()[:300],
            distance_miles=miles,
            recorded_by=actor,
        )
        record_event(
            actor=actor,
            action="access.barrier_recorded",
            obj=barrier,
            patient=patient,
            changes={"kind": kind, "detail": barrier.detail, "distance_miles": miles},
        )
    return barrier


def resolve_barrier(*, actor, barrier: AccessBarrier, resolution: str) -> AccessBarrier:
    """Close a barrier with what was done (transport arranged, sliding scale applied...)."""
    require(actor, "access.record")
    if not (resolution or "").strip():
        raise InvalidInput("Say what resolved it.", fields={"resolution": "required"})
    with transaction.atomic():
        row = AccessBarrier.objects.select_for_update().get(
            pk=barrier.pk, clinic_id=actor.clinic_id
        )
        if row.resolved_at is not None:
            raise Conflict("The barrier is already resolved.")
        row.resolved_at, row.resolved_by = timezone.now(), actor
        row.resolution = resolution.strip()[:300]
        row.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        record_event(
            actor=actor,
            action="access.barrier_resolved",
            obj=row,
            patient=row.patient,
            changes={"kind": row.kind, "resolution": row.resolution},
        )
    return row


LIMITS = {
    "missed_sessions": (1, 20),
    "cancelled_sessions": (1, 20),
    "unpaid_after_days": (0, 365),
    "suppression_threshold": (1, 100),
}


def update_access_settings(*, actor, **changes) -> AccessSettings:
    require(actor, "access.configure")
    errors = {}
    for name, value in changes.items():
        if name not in LIMITS:
            errors[name] = "not an access setting"
            continue
        low, high = LIMITS[name]
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"Between {low} and {high}."
    raise_invalid(errors)
    return update_clinic_settings(
        AccessSettings, actor=actor, values=changes, action="access.settings_changed"
    )
