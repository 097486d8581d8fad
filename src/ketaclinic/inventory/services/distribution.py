"""Distribution of stock to another DEA registrant: back to the supplier or a reverse distributor.

21 CFR 1304.22(a)(2)(vii), which 1304.22(c) applies to practitioners, asks for the number of
units or volume distributed, the date, and the recipient's name, address and DEA registration
number. All of them go into the entry's hashed `data`.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.inventory import definitions as d
from ketaclinic.inventory import rules
from ketaclinic.inventory.models import EntryType, LedgerEntry
from ketaclinic.inventory.services.ledger import (
    _location,
    _lock_lot,
    _now,
    _raise_errors,
    _take_out,
)

THOUSANDTH = Decimal("0.001")


def _text(value) -> str:
    return str(value or "").strip()


def distribute_stock(
    *,
    actor,
    lot,
    location,
    quantity,
    kind: str,
    recipient_name: str,
    recipient_address: str,
    recipient_dea: str,
    distributed_on: dt.date | None = None,
    reference: str = "",
    reason: str = "",
    now: dt.datetime | None = None,
) -> LedgerEntry:
    """Record stock leaving the clinic for another registrant (one hash-chained entry).

    Takes the same locks as every other movement (the lot, then the chain head) and refuses
    more than is on hand at the location.
    """
    require(actor, "ledger.distribute")
    now = _now(now)
    place = _location(actor, location)
    today = timezone.localdate(now, actor.clinic.tz)
    errors = {}
    if kind not in d.DistributionKind.__members__.values():
        errors["kind"] = "supplier_return or reverse_distributor"
    name, address = _text(recipient_name), _text(recipient_address)
    if not name:
        errors["recipient_name"] = "This field is required."
    if not address:
        errors["recipient_address"] = "This field is required."
    dea_problem = rules.dea_number_problem(_text(recipient_dea))
    if dea_problem:
        errors["recipient_dea"] = dea_problem
    try:
        # The unit is known only once the lot is locked; a non-positive or non-numeric
        # quantity is reported now, together with the other fields.
        rules.parse_quantity(quantity, d.BaseUnit.MG)
    except rules.QuantityError as exc:
        errors["quantity"] = str(exc)
    day = distributed_on or today
    if day > today:
        errors["distributed_on"] = "cannot be in the future"
    _raise_errors(errors)
    with transaction.atomic():
        locked = _lock_lot(actor, lot)
        product = locked.product
        # More than is on hand is input that breaks a rule: 422 naming the quantity.
        return _take_out(
            actor=actor,
            entry_type=EntryType.DISTRIBUTION,
            lot=locked,
            location=place,
            quantity=quantity,
            now=now,
            error=InvalidInput,
            reason=reason,
            data=lambda amount: {
                "kind": kind,
                "recipient_name": name,
                "recipient_address": address,
                "recipient_dea": rules.normalize_dea_number(recipient_dea),
                "distributed_on": day,
                "containers": (amount / product.quantity_per_container).quantize(THOUSANDTH),
                "reference": _text(reference),
            },
        )
