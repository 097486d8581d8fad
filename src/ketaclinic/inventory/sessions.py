"""The treatment sessions the ledger serves, as plain facts read through a registered reader.

The ledger sits below treatments and never imports it. The treatments app registers a
`SessionReader` here in its AppConfig.ready(); the ledger asks it for one session (scoped to
the user's clinic), for the day's open sessions, and for the sessions behind a day's entries.
Services take a session id or its `SessionFacts`, so the treatments app can also drive the
ledger by passing the facts of a session it has already read.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class SessionFacts:
    """What the ledger needs to know about a treatment session."""

    id: uuid.UUID
    clinic_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    patient_family_name: str
    patient_given_name: str
    patient_mrn: str
    protocol_code: str
    protocol_name: str
    number: int
    scheduled_date: datetime.date
    status: str
    status_label: str
    chair: str = ""
    # Discharged or aborted (no more drug is drawn for it from `ended_at` on).
    ended: bool = False
    ended_at: datetime.datetime | None = None
    # The signed dose order: the dose in mg and, for nasal devices, the number of devices
    # (ordered_unit "device"; else "mg", with ordered_quantity the mg). None: no signed order.
    order_signed_at: datetime.datetime | None = None
    ordered_mg: Decimal | None = None
    ordered_quantity: Decimal | None = None
    ordered_unit: str = ""
    # The lot the second check picked from the ledger (None until checked).
    order_lot_id: uuid.UUID | None = None

    @property
    def pk(self) -> uuid.UUID:
        return self.id

    @property
    def ordered(self) -> bool:
        return self.order_signed_at is not None

    def ended_by(self, now: datetime.datetime) -> bool:
        """Whether the session had ended at `now` (charting late keeps its time)."""
        return self.ended and (self.ended_at is None or now >= self.ended_at)


class SessionReader(Protocol):
    def access(self, user, session_id: uuid.UUID) -> SessionFacts | None:
        """The session when it belongs to the user's clinic, else None."""

    def open_on(self, user, day: datetime.date) -> list[SessionFacts]:
        """The user's clinic's sessions planned for a day that have not ended."""

    def of_ids(self, user, session_ids: Iterable[uuid.UUID]) -> list[SessionFacts]:
        """The sessions of the user's clinic among these ids."""

    def of_ids_at(
        self, clinic_id: uuid.UUID, session_ids: Iterable[uuid.UUID]
    ) -> list[SessionFacts]:
        """The sessions of one clinic among these ids, for a report whose reader was
        authorized by its caller (the network's diversion signals)."""


class _NoSessions:
    """Until (or unless) the treatments app registers: the ledger knows no session."""

    def access(self, user, session_id):
        return None

    def open_on(self, user, day):
        return []

    def of_ids(self, user, session_ids):
        return []

    def of_ids_at(self, clinic_id, session_ids):
        return []


_reader: SessionReader = _NoSessions()


def register_session_reader(reader: SessionReader) -> None:
    """Called once by the treatments app when Django starts."""
    global _reader
    _reader = reader


def session_reader() -> SessionReader:
    return _reader
