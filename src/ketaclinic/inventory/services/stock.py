"""Stock movements: products, locations, receipts, transfers, counts, destruction and loss."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ketaclinic.core.errors import Conflict, InvalidInput, NotFound
from ketaclinic.core.permissions import require
from ketaclinic.inventory import definitions as d
from ketaclinic.inventory import queries, rules
from ketaclinic.inventory.config import get_config
from ketaclinic.inventory.models import (
    EntryType,
    FilingKind,
    LedgerEntry,
    LossFiling,
    Lot,
    Product,
    StorageLocation,
)
from ketaclinic.inventory.services.ledger import (
    _append,
    _check_stock,
    _counted,
    _create_audited,
    _location,
    _lock_lot,
    _now,
    _quantity,
    _raise_errors,
    _refuse,
    _take_out,
    _try_decimal,
)
from ketaclinic.inventory.witness import WitnessCredentials, WitnessRefused, authenticate_witness

# --- products and locations ------------------------------------------------------------------


def create_product(
    *,
    actor,
    name: str,
    drug: str,
    ndc: str,
    form: str,
    concentration,
    units_per_container,
    schedule: str = "III",
) -> Product:
    """Add a stocked product; its facts are never edited afterwards (entries refer to them)."""
    require(actor, "ledger.manage_stock")
    errors = {}
    if not name.strip():
        errors["name"] = "This field is required."
    if not ndc.strip():
        errors["ndc"] = "This field is required."
    if form not in d.ProductForm.__members__.values():
        errors["form"] = "unknown form"
    for field, value in (
        ("concentration", concentration),
        ("units_per_container", units_per_container),
    ):
        try:
            if Decimal(str(value)) <= 0:
                errors[field] = "must be greater than zero"
        except ArithmeticError:
            errors[field] = "not a number"
    if (
        not errors
        and form == d.ProductForm.NASAL_SPRAY_DEVICE
        and Decimal(str(units_per_container)) % 1
    ):
        errors["units_per_container"] = "a pack holds whole devices"
    if Product.objects.filter(clinic_id=actor.clinic_id, ndc=ndc.strip()).exists():
        errors["ndc"] = "a product with this NDC exists"
    _raise_errors(errors)
    with transaction.atomic():
        return _create_audited(
            actor,
            Product,
            "ledger.product_created",
            {
                "name": name.strip(),
                "drug": drug,
                "ndc": ndc.strip(),
                "schedule": schedule,
                "form": form,
                "concentration": Decimal(str(concentration)),
                "units_per_container": Decimal(str(units_per_container)),
            },
        )


def create_location(*, actor, name: str, kind: str = "safe", description: str = ""):
    require(actor, "ledger.manage_stock")
    if not name.strip():
        raise InvalidInput("A location needs a name.", fields={"name": "This field is required."})
    if StorageLocation.objects.filter(clinic_id=actor.clinic_id, name=name.strip()).exists():
        raise InvalidInput("That location exists.", fields={"name": "already exists"})
    with transaction.atomic():
        return _create_audited(
            actor,
            StorageLocation,
            "ledger.location_created",
            {"name": name.strip(), "kind": kind, "description": description},
        )


# --- receipts and stock movements ------------------------------------------------------------


def receive_stock(
    *,
    actor,
    product,
    location,
    lot_number: str,
    expires_on: dt.date,
    containers: int,
    supplier_name: str,
    supplier_address: str,
    supplier_dea: str,
    invoice: str = "",
    received_on: dt.date | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> LedgerEntry:
    """Record containers received from a supplier (21 CFR 1304.22(c) receipt record)."""
    require(actor, "ledger.receive")
    now = _now(now)
    product = queries.access_product(actor, product)
    place = _location(actor, location)
    errors = {}
    for field, value in (
        ("lot_number", lot_number),
        ("supplier_name", supplier_name),
        ("supplier_address", supplier_address),
        ("supplier_dea", supplier_dea),
    ):
        if not (value or "").strip():
            errors[field] = "This field is required."
    if not isinstance(containers, int) or containers < 1:
        errors["containers"] = "at least one whole container"
    _raise_errors(errors)
    quantity = product.quantity_per_container * containers
    with transaction.atomic():
        lot, created = Lot.objects.get_or_create(
            clinic_id=actor.clinic_id,
            product=product,
            lot_number=lot_number.strip(),
            defaults={"expires_on": expires_on},
        )
        if not created and lot.expires_on != expires_on:
            raise InvalidInput(
                f"Lot {lot.lot_number} is recorded with expiry {lot.expires_on:%Y-%m-%d}.",
                fields={"expires_on": "does not match the lot's recorded expiry"},
            )
        lot = _lock_lot(actor, lot)
        return _append(
            actor=actor,
            entry_type=EntryType.RECEIPT,
            lot=lot,
            quantity=quantity,
            stock_delta=quantity,
            now=now,
            location=place,
            reason=reason,
            data={
                "containers": containers,
                "supplier_name": supplier_name.strip(),
                "supplier_address": supplier_address.strip(),
                "supplier_dea": supplier_dea.strip(),
                "invoice": invoice.strip(),
                "received_on": received_on or timezone.localdate(now, actor.clinic.tz),
            },
        )


def transfer_stock(
    *, actor, lot, from_location, to_location, quantity, reason: str = "", now=None
) -> LedgerEntry:
    """Move stock of a lot between two locations (one entry: minus here, plus there)."""
    require(actor, "ledger.transfer")
    now = _now(now)
    source = _location(actor, from_location)
    target = _location(actor, to_location)
    if source.pk == target.pk:
        raise InvalidInput(
            "Choose two different locations.", fields={"to_location": "same as the source"}
        )
    with transaction.atomic():
        return _take_out(
            actor=actor,
            entry_type=EntryType.TRANSFER,
            lot=_lock_lot(actor, lot),
            location=source,
            quantity=quantity,
            now=now,
            to_location=target,
            reason=reason,
        )


# --- counts and discrepancies ----------------------------------------------------------------


class CountKind:
    DAILY = "daily"
    INITIAL = "initial"
    BIENNIAL = "biennial"
    ALL = (DAILY, INITIAL, BIENNIAL)


@dataclass(frozen=True)
class CountOutcome:
    count: LedgerEntry
    discrepancy: LedgerEntry | None


def count_stock(
    *,
    actor,
    lot,
    location,
    counted,
    expected=None,
    kind: str = CountKind.DAILY,
    timing: str = "",
    estimated: bool = False,
    reason: str = "",
    now=None,
) -> CountOutcome:
    """Record a physical count; a difference from the book opens a discrepancy at once.

    A count that states an expected quantity other than the ledger's is refused: it would
    hide a discrepancy.
    """
    require(actor, "ledger.count")
    now = _now(now)
    place = _location(actor, location)
    if kind not in CountKind.ALL:
        raise InvalidInput("Unknown kind of count.", fields={"kind": "daily, initial or biennial"})
    if kind != CountKind.DAILY and timing not in d.InventoryTiming.__members__.values():
        raise InvalidInput(
            "An inventory records whether it was taken at opening or close of business.",
            fields={"timing": "opening or close"},
        )
    with transaction.atomic():
        locked = _lock_lot(actor, lot)
        unit = locked.product.unit
        amount = _counted(counted, unit)
        claimed = None if expected in (None, "") else _try_decimal(expected)
        book = queries.stock_balance(locked.pk, place.pk)
        try:
            result = rules.evaluate_count(book, amount, claimed)
        except rules.QuantityError as exc:
            raise InvalidInput(str(exc), fields={"expected": str(exc)}) from exc
        data = {
            "kind": kind,
            "timing": timing,
            "expected": result.expected,
            "counted": result.counted,
            "estimated": bool(estimated),
        }
        count = _append(
            actor=actor,
            entry_type=EntryType.COUNT,
            lot=locked,
            quantity=amount,
            stock_delta=Decimal(0),
            now=now,
            location=place,
            reason=reason,
            data=data,
        )
        discrepancy = None
        if result.needs_discrepancy:
            discrepancy = _append(
                actor=actor,
                entry_type=EntryType.DISCREPANCY,
                lot=locked,
                quantity=result.difference,
                stock_delta=result.difference,
                now=now,
                location=place,
                related_entry=count,
                reason="Count differs from the ledger",
                data={
                    "kind": "found",
                    "expected": result.expected,
                    "counted": result.counted,
                },
            )
    return CountOutcome(count=count, discrepancy=discrepancy)


def resolve_discrepancy(*, actor, discrepancy, reason: str, now=None) -> LedgerEntry:
    """A clinic admin closes an open discrepancy with the reason found (a new entry)."""
    require(actor, "ledger.resolve_discrepancy")
    now = _now(now)
    found = queries.access_entry(actor, discrepancy, action="ledger.resolve_discrepancy")
    if found.entry_type != EntryType.DISCREPANCY or found.data.get("kind") != "found":
        raise NotFound("No such discrepancy.")
    if not (reason or "").strip():
        raise InvalidInput("Give the reason for the discrepancy.", fields={"reason": "required"})
    with transaction.atomic():
        locked = _lock_lot(actor, found.lot_id)
        if LedgerEntry.objects.filter(
            related_entry=found, entry_type=EntryType.DISCREPANCY, data__kind="resolution"
        ).exists():
            raise Conflict("This discrepancy is already resolved.")
        return _append(
            actor=actor,
            entry_type=EntryType.DISCREPANCY,
            lot=locked,
            quantity=Decimal(0),
            stock_delta=Decimal(0),
            now=now,
            location=found.location,
            related_entry=found,
            reason=reason,
            data={"kind": "resolution", "resolves": found.sequence},
        )


# --- destruction and loss --------------------------------------------------------------------


def destroy_stock(
    *,
    actor,
    lot,
    location,
    quantity,
    method: str,
    reason: str,
    witnesses: list[WitnessCredentials],
    now=None,
    request=None,
) -> LedgerEntry:
    """Destroy expired or unusable stock with two authorized witnesses (DEA Form 41 data)."""
    require(actor, "ledger.destroy")
    now = _now(now)
    place = _location(actor, location)
    errors = {}
    if not (method or "").strip():
        errors["method"] = "required"
    if not (reason or "").strip():
        errors["reason"] = "required"
    _raise_errors(errors)
    rule = d.ENTRY_TYPE_RULES[d.EntryType.DESTRUCTION]
    credentials = list(witnesses or [])
    try:
        if len(credentials) < rule.witnesses:
            raise WitnessRefused(
                f"destruction needs {rule.witnesses} witnesses ({rule.witness_source})"
            )
        users = [
            authenticate_witness(
                actor=actor, credentials=c, action="ledger.witness_destruction", request=request
            )
            for c in credentials
        ]
        check = rules.check_witnesses(d.EntryType.DESTRUCTION, actor.pk, [u.pk for u in users])
        if not check.allowed:
            raise WitnessRefused(check.reason.removeprefix("refused: "))
    except WitnessRefused as exc:
        _refuse(
            actor=actor,
            entry_type=EntryType.DESTRUCTION,
            reason=str(exc),
            quantity=_try_decimal(quantity),
            witness=",".join(c.username for c in credentials),
        )
        raise InvalidInput(
            str(exc), fields={"witnesses": str(exc)}, code="witness_refused"
        ) from exc
    with transaction.atomic():
        locked = _lock_lot(actor, lot)
        product = locked.product
        return _take_out(
            actor=actor,
            entry_type=EntryType.DESTRUCTION,
            lot=locked,
            location=place,
            quantity=quantity,
            now=now,
            witnesses=users,
            reason=reason,
            data=lambda amount: {
                "method": method.strip(),
                "form_41": {
                    "ndc": product.ndc,
                    "name": product.name,
                    "strength": product.concentration_label,
                    "form": product.container_label,
                    "containers": (amount / product.quantity_per_container).quantize(
                        Decimal("0.001")
                    ),
                    "destroyed_on": timezone.localdate(now, actor.clinic.tz),
                },
            },
        )


class LossType:
    THEFT = "theft"
    SIGNIFICANT_LOSS = "significant_loss"
    IN_TRANSIT = "lost_in_transit"
    ALL = (THEFT, SIGNIFICANT_LOSS, IN_TRANSIT)


def record_loss(
    *,
    actor,
    lot,
    location,
    quantity,
    loss_type: str,
    discovered_on: dt.date,
    circumstances: str,
    police_report: str = "",
    discrepancy=None,
    purchase_value=None,
    now=None,
) -> LedgerEntry:
    """Record a theft or significant loss (Form 106 data) and its DEA deadlines.

    When the loss was found by a count, name the discrepancy: the count already took the
    quantity off the books, so the loss entry records it without moving stock again.
    `purchase_value` (dollars, Decimal) is what DEA Form 106 asks; when it is not known yet it
    can be given later with the Form 106 filing.
    """
    require(actor, "ledger.loss")
    now = _now(now)
    place = _location(actor, location)
    errors = {}
    if loss_type not in LossType.ALL:
        errors["loss_type"] = "theft, significant_loss or lost_in_transit"
    if not (circumstances or "").strip():
        errors["circumstances"] = "required"
    if discovered_on > timezone.localdate(now, actor.clinic.tz):
        errors["discovered_on"] = "cannot be in the future"
    value = _purchase_value(purchase_value, errors)
    _raise_errors(errors)
    config = get_config()
    deadlines = rules.loss_deadlines(discovered_on, config.holidays_around(discovered_on))
    with transaction.atomic():
        locked = _lock_lot(actor, lot)
        amount = _quantity(quantity, locked.product.unit)
        found = None
        if discrepancy is not None:
            found = queries.access_entry(actor, discrepancy)
            if (
                found.entry_type != EntryType.DISCREPANCY
                or found.data.get("kind") != "found"
                or found.lot_id != locked.pk
            ):
                raise InvalidInput(
                    "That is not a discrepancy of this lot.", fields={"discrepancy": "mismatch"}
                )
            if found.location_id != place.pk:
                raise InvalidInput(
                    "The count found that quantity missing at another location.",
                    fields={"location": "the discrepancy's location"},
                )
            # Under the lot's lock: what earlier losses already reported of this discrepancy.
            reported = (
                LedgerEntry.objects.filter(
                    clinic_id=actor.clinic_id, entry_type=EntryType.LOSS, related_entry=found
                ).aggregate(total=Sum("quantity"))["total"]
                or 0
            )
            left = -found.quantity - reported
            if amount > left:
                raise InvalidInput(
                    "The loss is larger than the missing quantity the count found"
                    + (f", less the {reported} already reported as lost." if reported else "."),
                    fields={"quantity": f"at most {max(left, 0)}"},
                )
            delta = Decimal(0)
        else:
            delta = -amount
            _check_stock(locked, place, delta)
        return _append(
            actor=actor,
            entry_type=EntryType.LOSS,
            lot=locked,
            quantity=amount,
            stock_delta=delta,
            now=now,
            location=place,
            related_entry=found,
            reason=circumstances,
            data={
                "loss_type": loss_type,
                "discovered_on": discovered_on,
                "police_report": police_report.strip(),
                "notice_due": deadlines.notice_due,
                "form_106_due": deadlines.form_106_due,
                "deadline_sources": [deadlines.notice_source, deadlines.form_106_source],
                # Only present when given, so entries recorded before the field existed
                # and entries without a value hash the same way.
                **({"purchase_value": value} if value is not None else {}),
            },
        )


def _purchase_value(value, errors: dict) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return rules.parse_money(value)
    except rules.MoneyError as exc:
        errors["purchase_value"] = str(exc)
    return None


def record_loss_filing(
    *, actor, loss, kind: str, filed_on: dt.date, reference: str = "", purchase_value=None
):
    """Record that the DEA notice or Form 106 for a loss was sent.

    A Form 106 filing may carry the purchase value reported on the form.
    """
    require(actor, "ledger.loss")
    entry = queries.access_entry(actor, loss, action="ledger.loss")
    if entry.entry_type != EntryType.LOSS:
        raise NotFound("No such loss.")
    if kind not in FilingKind.values:
        raise InvalidInput("Unknown filing.", fields={"kind": "notice or form_106"})
    errors: dict = {}
    value = _purchase_value(purchase_value, errors)
    if value is not None and kind != FilingKind.FORM_106:
        errors["purchase_value"] = "given with the Form 106 filing only"
    _raise_errors(errors)
    if LossFiling.objects.filter(loss=entry, kind=kind).exists():
        raise Conflict("That filing is already recorded.")
    with transaction.atomic():
        return _create_audited(
            actor,
            LossFiling,
            "ledger.loss_filing",
            {
                "loss": entry,
                "kind": kind,
                "filed_on": filed_on,
                "reference": reference.strip(),
                "purchase_value": value,
                "recorded_by": actor,
            },
            changes={
                "kind": kind,
                "filed_on": filed_on.isoformat(),
                **({"purchase_value": str(value)} if value is not None else {}),
            },
        )
