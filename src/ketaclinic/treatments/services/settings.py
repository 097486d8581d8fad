"""The clinic's treatment-day settings, set by its administrators and audited."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.treatments.models import TreatmentSettings

# Input bounds, not clinical advice: a positive figure a plasma assay could report.
MAX_THRESHOLD = Decimal("10000")


def set_pk_threshold(*, actor, threshold_ng_per_ml: Decimal | None) -> TreatmentSettings:
    """Set (or clear, with None) the concentration whose predicted crossing the session shows."""
    require(actor, "treatments.settings")
    value = threshold_ng_per_ml
    if value is not None and not (Decimal(0) < value <= MAX_THRESHOLD):
        raise InvalidInput(
            "The threshold cannot be saved.",
            fields={
                "pk_threshold_ng_per_ml": f"Give a concentration above 0 and at most "
                f"{MAX_THRESHOLD} ng/mL, or leave it empty."
            },
        )
    with transaction.atomic():
        row, _ = TreatmentSettings.objects.select_for_update().get_or_create(
            clinic_id=actor.clinic_id
        )
        before = row.pk_threshold_ng_per_ml
        row.pk_threshold_ng_per_ml = value
        row.changed_by, row.changed_at = actor, timezone.now()
        row.save()
        record_event(
            actor=actor,
            action="clinic.pk_threshold_set",
            obj=row,
            changes={"pk_threshold_ng_per_ml": {"from": before, "to": value}},
        )
    return row
