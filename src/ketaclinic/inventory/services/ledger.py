"""The ledger's write core: locking, the hash-chained append, quantity checks, refusals.

Each movement locks its lot (SELECT ... FOR UPDATE on PostgreSQL; on SQLite every
transaction is BEGIN IMMEDIATE, see settings) and then the clinic's chain head, computes
the balance from the entries, and appends one hash-chained entry. Lock order is always
lot, then chain head, so two movements can never deadlock.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, InvalidInput, NotFound
from ketaclinic.inventory import definitions as d
from ketaclinic.inventory import queries, rules
from ketaclinic.inventory.models import (
    EntryType,
    LedgerChainHead,
    LedgerEntry,
    Lot,
    RefusedMovement,
    StorageLocation,
)

MAX_QUANTITY = Decimal("999999999")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _quantity(value, unit: str, field: str = "quantity") -> Decimal:
    try:
        quantity = rules.parse_quantity(value, d.BaseUnit(unit))
    except rules.QuantityError as exc:
        raise InvalidInput(str(exc), fields={field: str(exc)}) from exc
    if quantity > MAX_QUANTITY:
        raise InvalidInput("That quantity is not plausible.", fields={field: "too large"})
    return quantity


def _lock_lot(actor, lot) -> Lot:
    """The actor's clinic's lot, row-locked until the end of the transaction."""
    lot_id = queries._uuid(lot, "lot")
    locked = (
        Lot.objects.select_for_update()
        .filter(clinic_id=actor.clinic_id, pk=lot_id)
        .select_related("product")
        .first()
    )
    if locked is None:
        raise NotFound("No such lot.")
    return locked


def _location(actor, location) -> StorageLocation:
    # Unknown and other clinics' locations are both "not found" (404): no existence leak.
    return queries.access_location(actor, location, action="ledger.view")


def _lock_head(clinic_id) -> LedgerChainHead:
    """The clinic's chain head (created on first use), row-locked until the end of the
    transaction; take it after any lot lock."""
    LedgerChainHead.objects.get_or_create(clinic_id=clinic_id)
    return LedgerChainHead.objects.select_for_update().get(clinic_id=clinic_id)


def _append(
    *,
    actor,
    entry_type: EntryType,
    lot: Lot,
    quantity: Decimal,
    stock_delta: Decimal,
    now: dt.datetime,
    location=None,
    to_location=None,
    session=None,
    patient=None,
    related_entry=None,
    witnesses=(),
    reason: str = "",
    data: dict | None = None,
) -> LedgerEntry:
    """Append one entry to the clinic's chain. Call inside a transaction holding the lot lock."""
    head = _lock_head(actor.clinic_id)
    witness = witnesses[0] if len(witnesses) > 0 else None
    second = witnesses[1] if len(witnesses) > 1 else None
    entry = LedgerEntry(
        clinic_id=actor.clinic_id,
        sequence=head.sequence + 1,
        entry_type=entry_type,
        occurred_at=now,
        actor=actor,
        actor_name=actor.display_name,
        lot=lot,
        location=location,
        to_location=to_location,
        quantity=quantity,
        stock_delta=stock_delta,
        unit=lot.product.unit,
        session_id=getattr(session, "pk", session),
        patient_id=getattr(patient, "pk", patient),
        related_entry=related_entry,
        witness=witness,
        witness_name=witness.display_name if witness else "",
        second_witness=second,
        second_witness_name=second.display_name if second else "",
        reason=reason.strip(),
        data=rules.canonical_value(data or {}),
        prev_hash=head.head_hash,
    )
    entry.hash = rules.chain_hash(entry.prev_hash, entry.hash_content())
    entry.save()
    LedgerChainHead.objects.filter(pk=head.pk).update(
        sequence=entry.sequence, head_hash=entry.hash, updated_at=timezone.now()
    )
    record_event(
        actor=actor,
        action=f"ledger.{entry_type}",
        obj=entry,
        patient=patient,
        changes={
            "sequence": entry.sequence,
            "lot": lot.lot_number,
            "quantity": str(quantity),
            "unit": entry.unit,
        },
    )
    return entry


def _check_stock(
    lot: Lot, location, delta: Decimal, field: str = "quantity", *, error=Conflict
) -> None:
    balance = queries.stock_balance(lot.pk, location.pk)
    check = rules.check_stock_movement(balance, delta, d.BaseUnit(lot.product.unit))
    if not check.allowed:
        raise error(check.reason, fields={field: check.reason}, code="insufficient_stock")


def _take_out(
    *,
    actor,
    entry_type: EntryType,
    lot: Lot,
    location,
    quantity,
    now: dt.datetime,
    data=None,
    error=Conflict,
    **fields,
) -> LedgerEntry:
    """Append an entry taking `quantity` of a locked lot out of stock at `location`.

    The quantity is read in the lot's unit; `data` may be a function of it (called before the
    stock check, so its own refusals come first). More than is on hand raises `error`.
    """
    amount = _quantity(quantity, lot.product.unit)
    if callable(data):
        data = data(amount)
    _check_stock(lot, location, -amount, error=error)
    return _append(
        actor=actor,
        entry_type=entry_type,
        lot=lot,
        quantity=amount,
        stock_delta=-amount,
        now=now,
        location=location,
        data=data,
        **fields,
    )


def _raise_errors(errors: dict) -> None:
    """Refuse the input at once, naming every field in `errors` (field: problem)."""
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)) + ".", fields=errors)


def _create_audited(actor, model, action: str, fields: dict, *, patient=None, changes=None):
    """Create a row of `model` with `fields` in the actor's clinic and audit it as `action`."""
    row = model.objects.create(clinic_id=actor.clinic_id, **fields)
    record_event(actor=actor, action=action, obj=row, patient=patient, changes=changes)
    return row


def _refuse(*, actor, entry_type, reason, lot=None, session=None, quantity=None, witness=""):
    """Keep a refused movement (a diversion signal) even though the movement itself fails."""
    with transaction.atomic():
        _create_audited(
            actor,
            RefusedMovement,
            "ledger.refused",
            {
                "entry_type": entry_type,
                "actor": actor,
                "occurred_at": timezone.now(),
                "lot": lot,
                "session_id": getattr(session, "pk", session),
                "quantity": quantity,
                "witness_username": witness[:150],
                "reason": reason,
            },
            changes={"entry_type": str(entry_type), "reason": reason},
        )


def _try_decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() and abs(number) <= MAX_QUANTITY else None


def _counted(value, unit: str) -> Decimal:
    """A counted quantity: like any quantity, except that an empty shelf counts as zero."""
    number = _try_decimal(value)
    if number is not None and number == 0 and not isinstance(value, float):
        return Decimal(0)
    return _quantity(value, unit, "counted")
