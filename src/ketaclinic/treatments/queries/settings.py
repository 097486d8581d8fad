"""A clinic's treatment-day settings: one row, absent until an administrator sets one."""

from __future__ import annotations

from ketaclinic.treatments.models import TreatmentSettings


def treatment_settings(clinic_id) -> TreatmentSettings | None:
    return (
        TreatmentSettings.objects.filter(clinic_id=clinic_id).select_related("changed_by").first()
    )


def pk_threshold(clinic_id) -> float | None:
    """The clinic's chosen plasma threshold in ng/mL, or None when it has not chosen one."""
    value = (
        TreatmentSettings.objects.filter(clinic_id=clinic_id)
        .values_list("pk_threshold_ng_per_ml", flat=True)
        .first()
    )
    return float(value) if value is not None else None
