"""A treatment session's drug: draw, administer, waste (witnessed), return, and closing.

`session` is a session id or its `inventory.sessions.SessionFacts`; either way it is read
again through the registered reader, scoped to the actor's clinic.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.inventory import definitions as d
from ketaclinic.inventory import queries, rules
from ketaclinic.inventory.models import (
    EntryType,
    LedgerEntry,
    Lot,
    Product,
    SessionDrugClosure,
)
from ketaclinic.inventory.services.ledger import (
    _append,
    _create_audited,
    _location,
    _lock_head,
    _lock_lot,
    _now,
    _quantity,
    _refuse,
    _take_out,
    _try_decimal,
)
from ketaclinic.inventory.sessions import SessionFacts
from ketaclinic.inventory.witness import WitnessCredentials, WitnessRefused, authenticate_witness
from ketaclinic.protocols.queries import UnknownProtocol, protocol_facts

# --- the session's drug: draw, administer, waste, return -------------------------------------


def _session_for(actor, session, *, for_draw: bool = False, now=None):
    session = queries.access_session(actor, session, action="ledger.draw")
    if SessionDrugClosure.objects.filter(session_id=session.pk).exists():
        raise Conflict(
            "This session's drug record is closed; record corrections as new entries on an "
            "open session or a count.",
            code="session_closed",
        )
    if for_draw and session.ended_by(now):
        raise Conflict(f"The session is {session.status}; no more drug can be drawn for it.")
    return session


def _check_drug_matches(session: SessionFacts, product: Product) -> None:
    try:
        drug = protocol_facts(session.clinic_id, session.protocol_code).drug
    except UnknownProtocol:
        return
    if drug != product.drug:
        raise InvalidInput(
            f"The session's protocol uses {drug}, not {product.drug}.",
            fields={"lot": f"choose a lot of {drug}"},
        )


def draw_for_session(
    *, actor, session, lot, location, quantity, reason: str = "", now=None
) -> LedgerEntry:
    """Take drug out of stock for a treatment session (the nurse now holds it)."""
    require(actor, "ledger.draw")
    now = _now(now)
    session = _session_for(actor, session, for_draw=True, now=now)
    place = _location(actor, location)
    with transaction.atomic():
        locked = _lock_lot(actor, lot)
        _check_drug_matches(session, locked.product)
        if locked.expires_on < timezone.localdate(now, actor.clinic.tz):
            raise Conflict(
                f"Lot {locked.lot_number} expired on {locked.expires_on:%Y-%m-%d}; "
                "record its destruction instead.",
                fields={"lot": "expired"},
            )
        return _take_out(
            actor=actor,
            entry_type=EntryType.DRAW,
            lot=locked,
            location=place,
            quantity=quantity,
            now=now,
            session=session,
            patient=session.patient_id,
            reason=reason.strip(),
            data=lambda amount: _check_against_order(session, locked.product, amount, reason),
        )


def _check_against_order(session: SessionFacts, product: Product, amount, reason: str) -> dict:
    """A draw beyond the signed order (past what the vial or device size forces) needs a
    written reason; the entry then records the order it exceeded (a diversion signal)."""
    if session.ordered_mg is None:
        return {}
    unit = d.BaseUnit(product.unit)
    allowance = rules.draw_allowance(session.ordered_mg, unit, product.concentration)
    beyond = rules.over_draw(queries.session_net_drawn(session.pk, unit), amount, allowance)
    if beyond <= 0:
        return {}
    ordered = rules.describe_quantity(session.ordered_mg, d.BaseUnit.MG)
    if not (reason or "").strip():
        raise InvalidInput(
            f"This draw goes {rules.describe_quantity(beyond, unit)} beyond the signed order "
            f"({ordered}; up to {rules.describe_quantity(allowance, unit)} with the "
            "container size): write the reason.",
            fields={"reason": "required for a draw above the ordered amount"},
            code="over_draw",
        )
    return {
        "ordered_mg": rules.canonical_decimal(session.ordered_mg),
        "allowance": rules.canonical_decimal(allowance),
        "over_draw": rules.canonical_decimal(beyond),
    }


def _session_lot(actor, session, lot) -> Lot:
    if lot is None:
        in_hand = queries.session_lots_in_hand(session.pk)
        if len(in_hand) != 1:
            raise InvalidInput(
                "Name the lot: the session holds drug of "
                + ("no lot." if not in_hand else "several lots."),
                fields={"lot": "required"},
            )
        lot = in_hand[0]
    return _lock_lot(actor, lot)


def _dispose(
    *,
    actor,
    entry_type: EntryType,
    session,
    lot,
    quantity,
    now,
    location=None,
    witnesses=None,
    reason="",
    data=None,
) -> LedgerEntry:
    """Account for drug the session holds: given, wasted or returned to stock (the latter at
    `location`, the others where it was drawn). `witnesses`, when given, is a function of the
    session that authenticates the witnesses (or refuses) before anything is written."""
    require(actor, "ledger.draw")
    now = _now(now)
    session = _session_for(actor, session)
    if location is not None:
        location = _location(actor, location)
    users = witnesses(session) if witnesses else ()
    with transaction.atomic():
        locked = _session_lot(actor, session, lot)
        amount = _quantity(quantity, locked.product.unit)
        balance = queries.session_lot_balance(session.pk, locked.pk)
        check = rules.check_session_disposition(
            balance, entry_type, amount, d.BaseUnit(locked.product.unit)
        )
        if not check.allowed:
            raise Conflict(check.reason, fields={"quantity": check.reason})
        draw = (
            LedgerEntry.objects.filter(
                session_id=session.pk, lot_id=locked.pk, entry_type=EntryType.DRAW
            )
            .order_by("-sequence")
            .first()
        )
        delta = amount if entry_type == EntryType.RETURN else Decimal(0)
        return _append(
            actor=actor,
            entry_type=entry_type,
            lot=locked,
            quantity=amount,
            stock_delta=delta,
            now=now,
            location=location if location is not None else draw.location,
            session=session,
            patient=session.patient_id,
            related_entry=draw,
            witnesses=users,
            reason=reason,
            data=data,
        )


def administer(*, actor, session, quantity, lot=None, reason: str = "", now=None) -> LedgerEntry:
    """Record the amount given to the patient from what was drawn for the session."""
    return _dispose(
        actor=actor,
        entry_type=EntryType.ADMINISTRATION,
        session=session,
        lot=lot,
        quantity=quantity,
        now=now,
        reason=reason,
    )


def record_waste(
    *,
    actor,
    session,
    quantity,
    method: str,
    witness: WitnessCredentials | None,
    lot=None,
    reason: str = "",
    now=None,
    request=None,
) -> LedgerEntry:
    """Waste what is left after a dose, witnessed by a second user who authenticates now.

    A waste without a valid witness is refused and the attempt is kept (a diversion signal).
    """

    def witnessed(session) -> list:
        if not (method or "").strip():
            raise InvalidInput("Say how the drug was wasted.", fields={"method": "required"})
        try:
            return [
                authenticate_witness(
                    actor=actor, credentials=witness, action="ledger.witness_waste", request=request
                )
            ]
        except WitnessRefused as exc:
            _refuse(
                actor=actor,
                entry_type=EntryType.WASTE,
                reason=str(exc),
                session=session,
                quantity=_try_decimal(quantity),
                witness=(witness.username if witness else ""),
            )
            raise InvalidInput(
                str(exc), fields={"witness": str(exc)}, code="witness_refused"
            ) from exc

    return _dispose(
        actor=actor,
        entry_type=EntryType.WASTE,
        session=session,
        lot=lot,
        quantity=quantity,
        now=now,
        witnesses=witnessed,
        reason=reason,
        data={"method": (method or "").strip()},
    )


def return_to_stock(
    *, actor, session, quantity, location, lot=None, reason: str = "", now=None
) -> LedgerEntry:
    """Put unused, intact drug back into stock (e.g. an unopened device)."""
    return _dispose(
        actor=actor,
        entry_type=EntryType.RETURN,
        session=session,
        lot=lot,
        quantity=quantity,
        now=now,
        location=location,
        reason=reason,
    )


def close_session_drug_record(*, actor, session, now=None) -> SessionDrugClosure:
    """Close a session's drug record; refused while drawn != administered + wasted + returned."""
    require(actor, "ledger.close_session")
    now = _now(now)
    session = _session_for(actor, session)
    with transaction.atomic():
        head = _lock_head(actor.clinic_id)
        record = queries.session_drug_balance(session)
        if not record.balanced:
            open_lines = ", ".join(
                f"lot {line.lot.lot_number}: "
                + rules.describe_quantity(line.balance.in_hand, line.unit)
                + " not accounted for"
                for line in record.lines
                if not line.balance.balanced
            )
            raise Conflict(
                f"The drug record does not balance ({open_lines}): record the administration, "
                "waste or return first.",
                code="unbalanced",
            )
        if record.drawn == 0 and not session.ended_by(now):
            # A closed record takes no draws: closing an empty one would leave the session
            # unable to get its dose.
            raise Conflict(
                "Nothing has been drawn for this session yet: close its drug record once the "
                "dose is drawn and accounted for, or after the session ends.",
                code="nothing_drawn",
            )
        return _create_audited(
            actor,
            SessionDrugClosure,
            "ledger.session_closed",
            {
                "session_id": session.id,
                "closed_by": actor,
                "closed_at": now,
                "drawn": record.drawn,
                "administered": record.administered,
                "wasted": record.wasted,
                "returned": record.returned,
                "ledger_head": head.head_hash,
            },
            patient=session.patient_id,
            changes={"drawn": str(record.drawn), "administered": str(record.administered)},
        )
