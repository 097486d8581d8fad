"""The clinic's treatment-day settings, set by its administrators and audited."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.protocols.services import set_clinic_value
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
    return set_clinic_value(
        TreatmentSettings,
        actor=actor,
        field="pk_threshold_ng_per_ml",
        value=value,
        action="clinic.pk_threshold_set",
        changed_by=actor,
        changed_at=timezone.now(),
    )
