"""What the controlled-substance ledger reads about sessions (registered with inventory).

The ledger sits below treatments and never imports it: TreatmentsConfig.ready() registers
`LedgerSessions` with `inventory.sessions`, which hands the ledger plain `SessionFacts`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from ketaclinic.inventory import queries as ledger_queries
from ketaclinic.inventory.sessions import SessionFacts
from ketaclinic.treatments.models import SessionStatus, TreatmentSession
from ketaclinic.treatments.state import definition_for

ENDED = {SessionStatus.DISCHARGED: "discharged_at", SessionStatus.ABORTED: "aborted_at"}


# The session's own fields the ledger reads as they are.
SESSION_FACTS = (
    "clinic_id",
    "patient_id",
    "protocol_code",
    "protocol_name",
    "number",
    "scheduled_date",
    "status",
    "chair",
)


def session_facts(session) -> SessionFacts:
    """The ledger's view of a session (its patient must be loaded or loadable)."""
    patient = session.patient
    ended_field = ENDED.get(session.status)
    order = getattr(session, "order", None)
    return SessionFacts(
        id=session.pk,
        patient_name=patient.full_name,
        patient_family_name=patient.family_name,
        patient_given_name=patient.given_name,
        patient_mrn=patient.mrn,
        status_label=session.get_status_display(),
        ended=ended_field is not None,
        ended_at=getattr(session, ended_field) if ended_field else None,
        **{name: getattr(session, name) for name in SESSION_FACTS},
        **_order_facts(order),
    )


def _order_facts(order) -> dict:
    """The signed order as the ledger needs it: the dose in mg, and in devices when it is one."""
    if order is None:
        return {}
    devices = order.devices
    return {
        "order_signed_at": order.signed_at,
        "ordered_mg": order.dose_mg,
        "ordered_quantity": Decimal(devices) if devices else order.dose_mg,
        "ordered_unit": "device" if devices else "mg",
        "order_lot_id": order.lot_id,
    }


def _of_clinic(user):
    return (
        TreatmentSession.objects.visible_to(user)
        .select_related("patient", "protocol_version")
        .prefetch_related("orders")
    )


class LedgerSessions:
    """The `inventory.sessions.SessionReader` of this app."""

    def access(self, user, session_id: uuid.UUID) -> SessionFacts | None:
        session = _of_clinic(user).filter(pk=session_id).first()
        return session_facts(session) if session is not None else None

    def open_on(self, user, day: datetime.date) -> list[SessionFacts]:
        sessions = (
            _of_clinic(user)
            .filter(scheduled_date=day)
            .exclude(status__in=tuple(ENDED))
            .order_by("chair", "created_at")
        )
        return [session_facts(s) for s in sessions]

    def of_ids(self, user, session_ids: Iterable[uuid.UUID]) -> list[SessionFacts]:
        return [session_facts(s) for s in _of_clinic(user).filter(pk__in=list(session_ids))]

    def of_ids_at(self, clinic_id, session_ids: Iterable[uuid.UUID]) -> list[SessionFacts]:
        rows = (
            TreatmentSession.objects.filter(clinic_id=clinic_id, pk__in=list(session_ids))
            .select_related("patient", "protocol_version")
            .prefetch_related("orders")
        )
        return [session_facts(s) for s in rows]


def lots_for_order(user, session) -> list:
    """The lots the second check may pick: the session's drug, unexpired, on hand."""
    day = timezone.localdate(timezone.now(), session.patient.clinic.tz)
    return ledger_queries.lots_on_hand(user, drug=definition_for(session).drug, day=day)


def ledger_administration(session) -> tuple:
    """(mg given, lot numbers) as the ledger recorded the administration; (None, []) if none."""
    return ledger_queries.session_administrations(session.pk)
