"""Signed controlled-substance orders, as told by the app that keeps them.

The PDMP report lists, per prescriber, the orders that no check covered. Orders belong to the
treatments app, above this one: it registers its reader here in its AppConfig.ready(), so pdmp
never imports it. Without a reader the report has no orders to list (and says so).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SignedOrder:
    """A signed order as the report sees it."""

    order_id: uuid.UUID
    prescriber_id: uuid.UUID
    patient: object  # the patient row (pk, clinic_id, names, mrn)
    signed_at: datetime.datetime
    previous_order_at: datetime.datetime | None  # the patient's previous order, if any
    label: str  # what the order was for, e.g. "esketamine trd session 3"
    url: str  # the page where the order is seen


# (user, start, end) -> the user's clinic's orders signed in [start, end).
OrderReader = Callable[[object, datetime.datetime, datetime.datetime], Iterable[SignedOrder]]

_readers: list[OrderReader] = []


def register_signed_orders(reader: OrderReader) -> None:
    """Called once by the app that keeps orders, at start-up."""
    if reader not in _readers:
        _readers.append(reader)


def has_reader() -> bool:
    return bool(_readers)


def signed_orders(user, start: datetime.datetime, end: datetime.datetime) -> list[SignedOrder]:
    """Every registered reader's orders signed in [start, end), oldest first."""
    found = [order for reader in _readers for order in reader(user, start, end)]
    return sorted(found, key=lambda o: o.signed_at)
