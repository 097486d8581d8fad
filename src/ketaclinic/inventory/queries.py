"""Reads of the ledger: scoped lookups, exact balances, session reconciliation, verification."""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, DecimalField, F, Sum, Value
from django.db.models.functions import Cast, Round

from ketaclinic.audit import queries as audit_queries
from ketaclinic.core.errors import InvalidInput, NotFound
from ketaclinic.core.permissions import require
from ketaclinic.inventory import anchors, rules, verification
from ketaclinic.inventory.models import (
    EntryType,
    LedgerChainHead,
    LedgerCheckpoint,
    LedgerEntry,
    Lot,
    Product,
    SessionDrugClosure,
    StorageLocation,
)
from ketaclinic.inventory.sessions import SessionFacts, session_reader

SESSION_TYPES = (
    EntryType.DRAW,
    EntryType.ADMINISTRATION,
    EntryType.WASTE,
    EntryType.RETURN,
)
_THOUSAND = Value(1000, output_field=DecimalField(max_digits=12, decimal_places=3))


def _micro_units(column: str):
    """A decimal column as whole thousandths, so SUM is exact on SQLite (REAL) and PostgreSQL."""
    scaled = F(column) * _THOUSAND
    return Cast(Round(scaled), BigIntegerField())


def _from_micro(total) -> Decimal:
    return Decimal(int(total or 0)).scaleb(-3).quantize(Decimal("0.001"))


def _uuid(value, what: str):
    try:
        return uuid.UUID(str(getattr(value, "pk", value)))
    except ValueError:
        raise NotFound(f"No such {what}.") from None


# --- scoped lookups ----------------------------------------------------------------------


def _access(queryset, user, pk, what: str, action: str):
    require(user, action)
    row = queryset.visible_to(user).filter(pk=_uuid(pk, what)).first()
    if row is None:
        raise NotFound(f"No such {what}.")
    return row


def access_product(user, product_id, *, action: str = "ledger.view") -> Product:
    return _access(Product.objects.all(), user, product_id, "product", action)


def access_location(user, location_id, *, action: str = "ledger.view") -> StorageLocation:
    return _access(StorageLocation.objects.all(), user, location_id, "storage location", action)


def access_entry(user, entry_id, *, action: str = "ledger.view") -> LedgerEntry:
    return _access(LedgerEntry.objects.all(), user, entry_id, "ledger entry", action)


def access_session(user, session, *, action: str = "ledger.view") -> SessionFacts:
    """A treatment session of the user's clinic (by id or facts), read from the treatments
    app's registered reader; NotFound for unknown ids and other clinics' sessions."""
    require(user, action)
    facts = session_reader().access(user, _uuid(session, "session"))
    if facts is None:
        raise NotFound("No such session.")
    return facts


def products(user, *, active_only: bool = False):
    require(user, "ledger.view")
    rows = Product.objects.visible_to(user)
    return rows.filter(active=True) if active_only else rows


def locations(user, *, active_only: bool = False):
    require(user, "ledger.view")
    rows = StorageLocation.objects.visible_to(user)
    return rows.filter(active=True) if active_only else rows


def lots(user):
    require(user, "ledger.view")
    return Lot.objects.visible_to(user).select_related("product")


def entries(
    user,
    *,
    lot=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    entry_type: str | None = None,
    session=None,
):
    """Ledger entries of the user's clinic, oldest first; dates are clinic-local days."""
    require(user, "ledger.view")
    rows = LedgerEntry.objects.visible_to(user).select_related(
        "lot__product", "location", "to_location", "patient"
    )
    if lot is not None:
        rows = rows.filter(lot_id=_uuid(lot, "lot"))
    if session is not None:
        rows = rows.filter(session_id=_uuid(session, "session"))
    if entry_type:
        rows = rows.filter(entry_type=entry_type)
    tz = user.clinic.tz
    if date_from is not None:
        rows = rows.filter(occurred_at__gte=dt.datetime.combine(date_from, dt.time.min, tz))
    if date_to is not None:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tz)
        rows = rows.filter(occurred_at__lt=end)
    return rows.order_by("sequence")


# --- balances ------------------------------------------------------------------------------


def stock_balance(lot_id, location_id) -> Decimal:
    """Exact stock of a lot at a location, derived from every entry (call under the lot lock)."""
    outgoing = LedgerEntry.objects.filter(lot_id=lot_id, location_id=location_id).aggregate(
        total=Sum(_micro_units("stock_delta"))
    )["total"]
    incoming = LedgerEntry.objects.filter(
        lot_id=lot_id, to_location_id=location_id, entry_type=EntryType.TRANSFER
    ).aggregate(total=Sum(_micro_units("quantity")))["total"]
    return _from_micro((outgoing or 0) + (incoming or 0))


@dataclass(frozen=True)
class BalanceRow:
    lot: Lot
    location: StorageLocation
    quantity: Decimal

    @property
    def product(self) -> Product:
        return self.lot.product

    @property
    def unit(self) -> str:
        return self.lot.product.unit

    @property
    def described(self) -> str:
        product = self.lot.product
        concentration = product.concentration if product.unit == "mg" else None
        return rules.describe_quantity(self.quantity, product.unit, concentration)


def _balances(clinic_id, *, lot_ids=None) -> dict[tuple, Decimal]:
    base = LedgerEntry.objects.filter(clinic_id=clinic_id)
    if lot_ids is not None:
        base = base.filter(lot_id__in=lot_ids)
    totals: dict[tuple, int] = defaultdict(int)
    for row in (
        base.exclude(location_id=None)
        .values("lot_id", "location_id")
        .annotate(total=Sum(_micro_units("stock_delta")))
        .order_by()
    ):
        totals[(row["lot_id"], row["location_id"])] += int(row["total"] or 0)
    for row in (
        base.filter(entry_type=EntryType.TRANSFER)
        .values("lot_id", "to_location_id")
        .annotate(total=Sum(_micro_units("quantity")))
        .order_by()
    ):
        totals[(row["lot_id"], row["to_location_id"])] += int(row["total"] or 0)
    return {key: _from_micro(total) for key, total in totals.items()}


def balances(user, *, include_empty: bool = False) -> list[BalanceRow]:
    """Stock per lot and location, in three queries whatever the ledger's length."""
    require(user, "ledger.view")
    totals = _balances(user.clinic_id)
    lots_by_id = {lot.pk: lot for lot in Lot.objects.visible_to(user).select_related("product")}
    places = {loc.pk: loc for loc in StorageLocation.objects.visible_to(user)}
    rows = [
        BalanceRow(lots_by_id[lot_id], places[location_id], quantity)
        for (lot_id, location_id), quantity in totals.items()
        if include_empty or quantity != 0
    ]
    return sorted(
        rows,
        key=lambda r: (r.lot.product.name, r.lot.expires_on, r.lot.lot_number, r.location.name),
    )


# --- session reconciliation ------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLotLine:
    """One lot's drug in a session: drawn = administered + wasted + returned when balanced."""

    lot: Lot
    balance: rules.SessionDrugBalance

    @property
    def unit(self) -> str:
        return self.lot.product.unit


@dataclass(frozen=True)
class SessionDrugRecord:
    """A session's drug record across lots, and whether it is closed."""

    session_id: uuid.UUID
    lines: list[SessionLotLine] = field(default_factory=list)
    closure: SessionDrugClosure | None = None

    @property
    def balanced(self) -> bool:
        return all(line.balance.balanced for line in self.lines)

    @property
    def closed(self) -> bool:
        return self.closure is not None

    def _total(self, name: str) -> Decimal:
        return sum((getattr(line.balance, name) for line in self.lines), Decimal(0))

    @property
    def drawn(self) -> Decimal:
        return self._total("drawn")

    @property
    def administered(self) -> Decimal:
        return self._total("administered")

    @property
    def wasted(self) -> Decimal:
        return self._total("wasted")

    @property
    def returned(self) -> Decimal:
        return self._total("returned")

    @property
    def in_hand(self) -> Decimal:
        return self._total("in_hand")

    @property
    def units(self) -> set[str]:
        return {line.unit for line in self.lines}


def session_lot_balance(session_id, lot_id) -> rules.SessionDrugBalance:
    rows = (
        LedgerEntry.objects.filter(
            session_id=session_id, lot_id=lot_id, entry_type__in=SESSION_TYPES
        )
        .values("entry_type")
        .annotate(total=Sum(_micro_units("quantity")))
        .order_by()
    )
    return rules.session_balance((r["entry_type"], _from_micro(r["total"])) for r in rows)


def session_lot_balances(clinic_id, session_ids) -> dict[tuple, rules.SessionDrugBalance]:
    """{(session id, lot id): balance} of these sessions' lots, one grouped query."""
    rows = (
        LedgerEntry.objects.filter(
            clinic_id=clinic_id, session_id__in=list(session_ids), entry_type__in=SESSION_TYPES
        )
        .values("session_id", "lot_id", "entry_type")
        .annotate(total=Sum(_micro_units("quantity")))
        .order_by()
    )
    totals: dict[tuple, list] = {}
    for r in rows:
        totals.setdefault((r["session_id"], r["lot_id"]), []).append(
            (r["entry_type"], _from_micro(r["total"]))
        )
    return {key: rules.session_balance(entries) for key, entries in totals.items()}


def session_drug_balance(session) -> SessionDrugRecord:
    """The drug record of a treatment session: per lot drawn/administered/wasted/returned.

    For other apps (the treatment day): `.balanced`, `.closed`, `.drawn`, `.administered`,
    `.wasted`, `.returned`, `.in_hand`. The caller has already checked access to the session.
    """
    session_id = _uuid(session, "session")
    rows = (
        LedgerEntry.objects.filter(session_id=session_id, entry_type__in=SESSION_TYPES)
        .values("lot_id", "entry_type")
        .annotate(total=Sum(_micro_units("quantity")))
        .order_by()
    )
    per_lot: dict = defaultdict(list)
    for row in rows:
        per_lot[row["lot_id"]].append((row["entry_type"], _from_micro(row["total"])))
    lots_by_id = Lot.objects.select_related("product").in_bulk(list(per_lot))
    lines = [
        SessionLotLine(lots_by_id[lot_id], rules.session_balance(totals))
        for lot_id, totals in per_lot.items()
    ]
    lines.sort(key=lambda line: (line.lot.product.name, line.lot.lot_number))
    closure = SessionDrugClosure.objects.filter(session_id=session_id).first()
    return SessionDrugRecord(session_id=session_id, lines=lines, closure=closure)


def session_net_drawn(session_id, unit: str) -> Decimal:
    """What a session has drawn in one unit (mg or device), less what it returned."""
    rows = (
        LedgerEntry.objects.filter(
            session_id=session_id,
            unit=unit,
            entry_type__in=(EntryType.DRAW, EntryType.RETURN),
        )
        .values("entry_type")
        .annotate(total=Sum(_micro_units("quantity")))
        .order_by()
    )
    totals = {row["entry_type"]: _from_micro(row["total"]) for row in rows}
    return totals.get(EntryType.DRAW, Decimal(0)) - totals.get(EntryType.RETURN, Decimal(0))


def session_lots_in_hand(session_id) -> list[uuid.UUID]:
    """Lots of which the session still holds drawn drug."""
    record = session_drug_balance(session_id)
    return [line.lot.pk for line in record.lines if line.balance.in_hand > 0]


# --- discrepancies -------------------------------------------------------------------------


def open_discrepancies(user):
    """Discrepancies found by counts that no clinic admin has resolved yet."""
    require(user, "ledger.view")
    resolved = LedgerEntry.objects.filter(
        clinic_id=user.clinic_id,
        entry_type=EntryType.DISCREPANCY,
        data__kind="resolution",
    ).values("related_entry_id")
    return (
        LedgerEntry.objects.visible_to(user)
        .filter(entry_type=EntryType.DISCREPANCY, data__kind="found")
        .exclude(pk__in=resolved)
        .select_related("lot__product", "location")
        .order_by("sequence")
    )


# --- verification ----------------------------------------------------------------------------

# The chain's readers and verifiers live in inventory.verification; other apps read them here.
LedgerVerdict = verification.LedgerVerdict
chain_rows = verification.chain_rows
verify_clinic_chain = verification.verify_clinic_chain
verify_clinic_ledger = verification.verify_clinic_ledger
latest_checkpoint = verification.latest_checkpoint
# The checkpoint key, for operators' tools (restore checks checkpoints with the backup's key).
CHECKPOINT_KEY_FILE = anchors.FILE_NAME
CHECKPOINT_KEY_ENV = anchors.ENV
CheckpointKeyError = anchors.CheckpointKeyError
checkpoint_key = anchors.checkpoint_key
checkpoint_key_from_file_bytes = anchors.key_from_file_bytes


def verify_ledger(
    user, *, saved_head: str | None = None, full: bool = False
) -> verification.LedgerVerdict:
    """The user's clinic's ledger: chain, latest checkpoint and audit trail (incremental from
    the checkpoint unless `full` or a saved head is given)."""
    require(user, "ledger.view")
    return verification.verify_clinic_ledger(user.clinic_id, saved_head=saved_head, full=full)


def checkpoints_of(user, *, limit: int = 30):
    require(user, "ledger.view")
    return LedgerCheckpoint.objects.visible_to(user).order_by("-taken_at")[:limit]


def head_facts(clinic_id) -> tuple[int, str, dt.datetime | None]:
    """(sequence, hash, time of the last append) of a clinic's chain head."""
    head = LedgerChainHead.objects.filter(clinic_id=clinic_id).first()
    if head is None:
        return 0, rules.GENESIS_HASH, None
    return head.sequence, head.head_hash, head.updated_at


@dataclass(frozen=True)
class LedgerStatus:
    """Where a clinic's ledger stands: its head, its latest checkpoint, its last verification."""

    entries: int
    last_entry_at: dt.datetime | None
    checkpoint_at: dt.datetime | None
    checkpoint_sequence: int | None
    verified_at: dt.datetime | None
    verified_valid: bool | None
    verified_mode: str
    failed_at: dt.datetime | None

    @property
    def state(self) -> str:
        """ "intact", "failed" (the last verification found a problem), or "not verified"."""
        if self.verified_at is None:
            return "failed" if self.failed_at is not None else "not verified"
        if not self.verified_valid or (self.failed_at and self.failed_at > self.verified_at):
            return "failed"
        return "intact"


def ledger_status(clinic_id) -> LedgerStatus:
    """A clinic's ledger status for the network compliance view (which authorizes its reader):
    no entry is read, only the head, the latest checkpoint and the last verification events."""
    sequence, _hash, last_at = head_facts(clinic_id)
    checkpoint = verification.latest_checkpoint(clinic_id)
    verified = audit_queries.latest_event(clinic_id, "ledger.verified")
    failed = audit_queries.latest_event(clinic_id, "ledger.verification_failed")
    changes = verified.changes if verified is not None else {}
    return LedgerStatus(
        entries=sequence,
        last_entry_at=last_at,
        checkpoint_at=checkpoint.taken_at if checkpoint else None,
        checkpoint_sequence=checkpoint.sequence if checkpoint else None,
        verified_at=verified.occurred_at if verified else None,
        verified_valid=bool(changes.get("valid")) if verified else None,
        verified_mode=str(changes.get("mode", "")),
        failed_at=failed.occurred_at if failed else None,
    )


def head_of(clinic_id) -> str:
    head = LedgerChainHead.objects.filter(clinic_id=clinic_id).first()
    return head.head_hash if head else rules.GENESIS_HASH


def ledger_heads() -> dict:
    """{clinic id: (sequence, head hash)} of every clinic with a ledger, for operators' tools
    (backup, restore): a system read across clinics, never shown to a clinic user."""
    heads = {
        clinic_id: (sequence, head_hash)
        for clinic_id, sequence, head_hash in LedgerChainHead.objects.values_list(
            "clinic_id", "sequence", "head_hash"
        )
    }
    for clinic_id in LedgerEntry.objects.values_list("clinic_id", flat=True).distinct():
        heads.setdefault(clinic_id, (0, rules.GENESIS_HASH))
    return heads


# --- the treatment day -----------------------------------------------------------------------


def sessions_to_draw_for(user, day: dt.date) -> list[SessionFacts]:
    """The day's sessions still open, for the draw page (by chair)."""
    require(user, "ledger.view")
    return session_reader().open_on(user, day)


@dataclass
class DayReconciliation:
    """End of day: every open difference, so nothing is left unexplained overnight."""

    day: dt.date
    sessions: list = field(default_factory=list)  # (SessionFacts, SessionDrugRecord)
    discrepancies: list = field(default_factory=list)
    uncounted: list = field(default_factory=list)  # BalanceRow without a count that day

    @property
    def unbalanced(self) -> list:
        return [(s, r) for s, r in self.sessions if not r.balanced]

    @property
    def open_differences(self) -> int:
        return len(self.unbalanced) + len(self.discrepancies) + len(self.uncounted)


def day_reconciliation(user, day: dt.date) -> DayReconciliation:
    require(user, "ledger.view")
    tz = user.clinic.tz
    start = dt.datetime.combine(day, dt.time.min, tz)
    end = start + dt.timedelta(days=1)
    todays = LedgerEntry.objects.visible_to(user).filter(
        occurred_at__gte=start, occurred_at__lt=end
    )
    session_ids = set(
        todays.filter(entry_type__in=SESSION_TYPES).values_list("session_id", flat=True)
    )
    sessions = session_reader().of_ids(user, session_ids)
    counted = set(todays.filter(entry_type=EntryType.COUNT).values_list("lot_id", "location_id"))
    return DayReconciliation(
        day=day,
        sessions=sorted(
            ((s, session_drug_balance(s)) for s in sessions),
            key=lambda pair: (pair[1].balanced, pair[0].patient_family_name),
        ),
        discrepancies=list(open_discrepancies(user)),
        uncounted=[row for row in balances(user) if (row.lot.pk, row.location.pk) not in counted],
    )


# --- lots a dose order may name --------------------------------------------------------------


@dataclass(frozen=True)
class LotOnHand:
    """A lot with stock on hand, as the second check offers it."""

    lot: Lot
    quantity: Decimal

    @property
    def label(self) -> str:
        product = self.lot.product
        concentration = product.concentration if product.unit == "mg" else None
        on_hand = rules.describe_quantity(self.quantity, product.unit, concentration)
        return (
            f"{product.name}, lot {self.lot.lot_number} "
            f"(exp {self.lot.expires_on:%Y-%m-%d}, {on_hand} on hand)"
        )


def lots_on_hand(user, *, drug: str, day: dt.date) -> list[LotOnHand]:
    """The clinic's unexpired lots of a drug with stock on hand, soonest expiry first."""
    lots = {
        lot.pk: lot
        for lot in Lot.objects.visible_to(user)
        .select_related("product")
        .filter(product__drug=drug, product__active=True, expires_on__gte=day)
    }
    if not lots:
        return []
    totals: dict = defaultdict(Decimal)
    for (lot_id, _location), quantity in _balances(user.clinic_id, lot_ids=list(lots)).items():
        totals[lot_id] += quantity
    found = [LotOnHand(lots[pk], quantity) for pk, quantity in totals.items() if quantity > 0]
    return sorted(found, key=lambda r: (r.lot.expires_on, r.lot.lot_number))


def lot_for_order(user, lot, *, drug: str, day: dt.date, field_name: str = "lot_id") -> Lot:
    """A lot the order may name: of the clinic, of the session's drug, unexpired, in stock.

    Anything else answers 422 naming `field_name`, with what is wrong.
    """
    if lot in (None, ""):
        raise InvalidInput("Pick the lot from the ledger.", fields={field_name: "required"})
    try:
        lot_id = uuid.UUID(str(lot))
    except ValueError:
        raise InvalidInput(
            "Pick the lot from the ledger.", fields={field_name: "not a lot of this clinic"}
        ) from None
    row = Lot.objects.visible_to(user).select_related("product").filter(pk=lot_id).first()
    problem = ""
    if row is None:
        problem = "not a lot of this clinic"
    elif row.product.drug != drug:
        problem = f"a lot of {row.product.drug}, the session's protocol uses {drug}"
    elif row.expires_on < day:
        problem = f"expired on {row.expires_on:%Y-%m-%d}"
    elif not any(r.lot.pk == row.pk for r in lots_on_hand(user, drug=drug, day=day)):
        problem = "none of this lot is on hand"
    if problem:
        raise InvalidInput(f"This lot cannot be used: {problem}.", fields={field_name: problem})
    return row


def session_administrations(session_id) -> tuple[Decimal | None, list[str]]:
    """What the ledger says the patient was given: total mg and the lots (None: nothing)."""
    rows = list(
        LedgerEntry.objects.filter(session_id=session_id, entry_type=EntryType.ADMINISTRATION)
        .select_related("lot__product")
        .order_by("sequence")
    )
    if not rows:
        return None, []
    total = sum(
        (
            rules.administered_mg(r.quantity, r.lot.product.unit, r.lot.product.concentration)
            for r in rows
        ),
        Decimal(0),
    )
    return total, list(dict.fromkeys(r.lot.lot_number for r in rows))


# --- session drug records left open past their clinic day -----------------------------------


def reconciliation_deadline(session: SessionFacts, first_draw_at: dt.datetime, tz) -> dt.datetime:
    """When a session's drug record must be closed: the end (midnight) of its clinic day."""
    day = max(session.scheduled_date, first_draw_at.astimezone(tz).date())
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz)


@dataclass(frozen=True)
class UnreconciledSession:
    """A session whose drug record was still open at the end of its clinic day."""

    session: SessionFacts
    record: SessionDrugRecord
    deadline: dt.datetime
    entry_ids: list


def unreconciled_sessions(user, *, now: dt.datetime) -> list[UnreconciledSession]:
    """The clinic's sessions with drug drawn whose record is not closed past the deadline."""
    require(user, "ledger.view")
    closed = SessionDrugClosure.objects.filter(clinic_id=user.clinic_id).values("session_id")
    entries = (
        LedgerEntry.objects.filter(
            clinic_id=user.clinic_id, entry_type__in=SESSION_TYPES, session_id__isnull=False
        )
        .exclude(session_id__in=closed)
        .order_by("sequence")
        .values_list("session_id", "id", "occurred_at")
    )
    by_session: dict = defaultdict(list)
    first_at: dict = {}
    for session_id, entry_id, occurred_at in entries:
        by_session[session_id].append(entry_id)
        first_at.setdefault(session_id, occurred_at)
    tz = user.clinic.tz
    found = []
    for facts in session_reader().of_ids(user, list(by_session)):
        deadline = reconciliation_deadline(facts, first_at[facts.id], tz)
        if now >= deadline:
            found.append(
                UnreconciledSession(
                    facts, session_drug_balance(facts.id), deadline, by_session[facts.id]
                )
            )
    return sorted(found, key=lambda u: (u.deadline, u.session.patient_family_name))
