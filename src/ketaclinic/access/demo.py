"""Demo access barriers: a few treated patients with what makes it hard to keep coming.

Runs after the billing demo (which charges and records payments), so the at-risk list
combines barriers with unpaid balances.
"""

from __future__ import annotations

from decimal import Decimal

from ketaclinic.treatments.queries import clinic_courses

from .services import record_barrier

ORDER = 95

BARRIERS = (
    ("transport", "No driver on weekdays; partner works nights", None),
    ("cost", "Paying out of pocket; worried about the maintenance phase", None),
    ("distance", "Lives in the next county", Decimal("58.0")),
    ("insurance_denial", "Insurer denied IV ketamine (off-label)", None),
    ("time_off_work", "Can only come after 3 pm", None),
)


def seed(ctx) -> None:
    desk = ctx.user("frontdesk")
    # Treated patients in the order their first course started; the first has no barrier.
    treated = list({c.patient_id: c.patient for c in clinic_courses(ctx.clinic)}.values())
    for patient, (kind, detail, miles) in zip(treated[1:], BARRIERS, strict=False):
        record_barrier(actor=desk, patient=patient, kind=kind, detail=detail, distance_miles=miles)
