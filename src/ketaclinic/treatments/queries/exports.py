"""Rows of several clinics for the research exports (outcomes), as plain values.

No permission check and no user: the export command and endpoint check theirs and choose the
clinics. Rows are streamed in chunks so a registry-scale export stays in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Min

from ketaclinic.treatments.models import Course, TreatmentSession, VitalSignsEntry


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
