"""Helpers for PDMP tests: record a check some hours ago, confirm the clinic's state."""

import datetime as dt

from django.utils import timezone

from ketaclinic.pdmp import services


def record(actor, patient, *, hours_ago: float = 1, state: str = "NY", **fields):
    values = {
        "state": state,
        "checked_at": timezone.now() - dt.timedelta(hours=hours_ago),
        "transaction_id": "TX-1001",
        "finding": "no_concern",
    } | fields
    return services.record_check(actor=actor, patient=patient, **values)


def confirm_state(admin, state: str):
    return services.confirm_practice_state(actor=admin, state=state)
