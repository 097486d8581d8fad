"""Rows of several clinics for the research exports (outcomes), as plain values.

No permission check and no user: the export command and endpoint check theirs and choose the
clinics. Rows are streamed in chunks so a registry-scale export stays in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Max, Min, Q

from ketaclinic.treatments.models import Course, TreatmentSession, VitalSignsEntry

# What a pharmacokinetic prediction of a dosed session needs, and what was observed after it.
PREDICTION_FIELDS = (
    "id",
    "protocol_version__definition__route",
    "order__dose_mg",
    "order__duration_min",
    "order__devices",
    "order__weight_kg",
    "weight_kg",
    "patient__date_of_birth",
    "patient__sex",
    "dose_started_at",
    "infusion_ended_at",
    "last_device_at",
    "devices_given",
    "ready_to_leave_at",
    "discharged_at",
    "peak_cadss6",
)


def session_rows(clinic_ids, fields: tuple[str, ...], chunk_size: int = 5000) -> Iterator[dict]:
    """The named fields (lookups allowed) of every session of the clinics."""
    rows = TreatmentSession.objects.filter(clinic_id__in=clinic_ids).order_by().values(*fields)
    return rows.iterator(chunk_size=chunk_size)


def vitals_rows(clinic_ids, fields: tuple[str, ...], chunk_size: int = 10000) -> Iterator[dict]:
    """The named fields (lookups allowed) of every vital-signs entry of the clinics."""
    rows = VitalSignsEntry.objects.filter(clinic_id__in=clinic_ids).order_by().values(*fields)
    return rows.iterator(chunk_size=chunk_size)


def first_course_starts(clinic_ids) -> list[tuple]:
    """(patient id, start of the patient's first course) for every treated patient."""
    return list(
        Course.objects.filter(clinic_id__in=clinic_ids)
        .values("patient_id")
        .annotate(first=Min("start_date"))
        .order_by()
        .values_list("patient_id", "first")
    )


def sessions_for_prediction(clinic_id, *, limit: int = 500) -> list[dict]:
    """The clinic's most recent discharged sessions with a signed order (newest first, at most
    `limit`): the dose as ordered and given, the patient's covariates, the times of dosing,
    readiness and discharge, and the session's highest CADSS-6 score (None without one)."""
    rows = (
        TreatmentSession.objects.filter(
            clinic_id=clinic_id,
            discharged_at__isnull=False,
            dose_started_at__isnull=False,
            order__isnull=False,
        )
        .annotate(peak_cadss6=Max("scales__score", filter=Q(scales__scale="cadss6")))
        .order_by("-dose_started_at")
        .values(*PREDICTION_FIELDS)
    )
    return list(rows[:limit])
