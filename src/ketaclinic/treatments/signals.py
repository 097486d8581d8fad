"""Signals the treatments app sends to the apps above it (which it never imports).

`session_discharged` is sent inside the discharge's transaction, after its audit event: a
receiver that writes (billing's charges at discharge) commits or rolls back with it.
"""

from django.dispatch import Signal

# kwargs: actor (the discharging user), session (the locked, discharged TreatmentSession)
session_discharged = Signal()
