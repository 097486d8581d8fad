"""Demo PDMP data: the clinic confirms New York, and two checks are logged (no report kept)."""

from datetime import timedelta

from . import services

ORDER = 45


def seed(ctx) -> None:
    # No randomness is drawn here, so the later demo steps see the same random sequence.
    admin, prescriber, nurse = ctx.user("admin"), ctx.user("prescriber"), ctx.user("nurse")
    services.confirm_practice_state(actor=admin, state="NY")
    first, second = ctx.patients[0], ctx.patients[1]
    services.record_check(
        actor=prescriber,
        patient=first,
        state="NY",
        checked_at=ctx.now - timedelta(hours=3),
        transaction_id="NY-DEMO-0001",
        finding="no_concern",
        now=ctx.now,
    )
    services.record_check(
        actor=nurse,
        patient=second,
        prescriber=prescriber,
        state="NY",
        checked_at=ctx.now - timedelta(hours=2),
        transaction_id="NY-DEMO-0002",
        finding="concern",
        concern_note="Two other prescribers of a schedule IV drug in the last 60 days.",
        now=ctx.now,
    )
