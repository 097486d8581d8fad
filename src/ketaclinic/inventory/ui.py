"""Navigation of the controlled-substance ledger, and its lines on the home work queue."""

from django.urls import reverse
from django.utils import timezone

from ketaclinic.core.permissions import can
from ketaclinic.core.ui import NavItem, WorkItem, register_nav_item, register_work_items
from ketaclinic.inventory import queries

register_nav_item(NavItem("Drug ledger", "inventory:home", "ledger.view", order=50))


def open_session_records(user) -> list[WorkItem]:
    """For the nurse (who closes them) and the compliance officer: every session whose drug
    record was not closed by the end of its clinic day."""
    if not (can(user, "ledger.close_session") or can(user, "ledger.diversion")):
        return []
    if not can(user, "ledger.view"):
        return []
    return [
        WorkItem(
            label=f"Drug record of {row.session.patient_name} not closed",
            detail=(
                f"session {row.session.number} of {row.session.scheduled_date:%Y-%m-%d}; "
                + rules_text(row)
            ),
            url=reverse("inventory:session", args=[row.session.id]),
            urgent=True,
        )
        for row in queries.unreconciled_sessions(user, now=timezone.now())
    ]


def rules_text(row) -> str:
    in_hand = [line for line in row.record.lines if line.balance.in_hand]
    if not in_hand:
        return "balanced, waiting to be closed"
    return "; ".join(
        f"lot {line.lot.lot_number}: {line.balance.in_hand.normalize():f} {line.unit} "
        "drawn and not accounted for"
        for line in in_hand
    )


register_work_items(open_session_records)
