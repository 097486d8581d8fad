"""Navigation of the controlled-substance ledger, and its lines on the home work queue."""

from django.urls import reverse
from django.utils import timezone

from ketaclinic.core.permissions import can
from ketaclinic.core.ui import NavItem, WorkItem, WorkSection, register
from ketaclinic.inventory import queries


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
            section="ledger",
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


def discrepancies(user) -> list[WorkItem]:
    """Count discrepancies nobody has resolved yet: for the clinic administrator, who resolves
    them, and the compliance officer, who reviews them."""
    if not (can(user, "ledger.resolve_discrepancy") or can(user, "ledger.diversion")):
        return []
    if not can(user, "ledger.view"):
        return []
    tz = user.clinic.tz
    return [
        WorkItem(
            label=(
                f"Discrepancy #{entry.sequence}: lot {entry.lot.lot_number} "
                f"at {entry.location.name}"
            ),
            detail=(
                f"counted {entry.data.get('counted')}, expected {entry.data.get('expected')} "
                f"{entry.unit}; found "
                f"{timezone.localtime(entry.occurred_at, tz):%Y-%m-%d %H:%M}; not resolved"
            ),
            url=reverse("inventory:reconciliation"),
            urgent=True,
            section="ledger",
        )
        for entry in queries.open_discrepancies(user)
    ]


register(
    nav=[NavItem("Drug ledger", "inventory:home", "ledger.view", order=50)],
    work_sections=[
        WorkSection(
            "ledger",
            "Drug ledger: records not reconciled, and discrepancies",
            order=60,
            nav_url_name="inventory:home",
        )
    ],
    work_items=[open_session_records, discrepancies],
)
