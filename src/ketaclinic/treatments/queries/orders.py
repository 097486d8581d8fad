"""Signed dose orders as the PDMP gate and the PDMP report read them.

A session keeps one order (re-signing replaces it), so "the patient's previous order" is the
newest order of the patient's other sessions.
"""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from ketaclinic.pdmp.orders import SignedOrder
from ketaclinic.treatments.models import DoseOrder


def previous_signed_order_at(session, before: datetime.datetime) -> datetime.datetime | None:
    """When the patient's previous order was signed (another session's), or None.

    The order being replaced on the same session does not count: it was never given."""
    return (
        DoseOrder.objects.filter(
            clinic_id=session.clinic_id,
            session__patient_id=session.patient_id,
            signed_at__lt=before,
        )
        .exclude(session_id=session.pk)
        .order_by("-signed_at")
        .values_list("signed_at", flat=True)
        .first()
    )


def signed_orders_between(
    user, start: datetime.datetime, end: datetime.datetime
) -> list[SignedOrder]:
    """The clinic's orders signed in [start, end), oldest first, each with the patient's
    previous order (one query, whatever the number of orders)."""
    previous = (
        DoseOrder.objects.filter(
            clinic_id=OuterRef("clinic_id"),
            session__patient_id=OuterRef("session__patient_id"),
            signed_at__lt=OuterRef("signed_at"),
        )
        .exclude(session_id=OuterRef("session_id"))
        .order_by("-signed_at")
        .values("signed_at")[:1]
    )
    rows = (
        DoseOrder.objects.visible_to(user)
        .filter(signed_at__gte=start, signed_at__lt=end)
        .select_related("session", "session__patient")
        .annotate(previous_order_at=Subquery(previous))
        .order_by("signed_at")
    )
    return [
        SignedOrder(
            order_id=row.pk,
            prescriber_id=row.ordered_by_id,
            patient=row.session.patient,
            signed_at=row.signed_at,
            previous_order_at=row.previous_order_at,
            label=f"{row.session.protocol_code.replace('_', ' ')} session {row.session.number}",
            url=reverse("treatments:session", args=[row.session_id]),
        )
        for row in rows
    ]
