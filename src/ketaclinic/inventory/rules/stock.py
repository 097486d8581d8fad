"""Quantities, units, stock and session balances, counts and witness rules for the ledger."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from ketaclinic.inventory.definitions import (
    BASE_UNIT_BY_FORM,
    ENTRY_TYPE_RULES,
    QUANTITY_DECIMAL_PLACES,
    VOLUME_DISPLAY_PLACES,
    BaseUnit,
    EntryType,
    ProductForm,
)
from ketaclinic.inventory.rules.chain import canonical_decimal

# ---------------------------------------------------------------------------
# Quantities and units
# ---------------------------------------------------------------------------


class QuantityError(ValueError):
    """A quantity that cannot be recorded as given."""


def parse_quantity(value, unit: BaseUnit) -> Decimal:
    """A positive exact quantity in the base unit; refuses floats and excess precision."""
    if isinstance(value, float):
        raise QuantityError("give quantities as decimal strings, not floats")
    try:
        quantity = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise QuantityError(f"{value!r} is not a number") from exc
    if not quantity.is_finite():
        raise QuantityError(f"{value!r} is not a number")
    if quantity <= 0:
        raise QuantityError("quantity must be greater than zero")
    places = QUANTITY_DECIMAL_PLACES.value if BaseUnit(unit) == BaseUnit.MG else 0
    try:
        finer = quantity.as_tuple().exponent < -places and quantity != round(quantity, places)
    except ArithmeticError:  # more digits than decimal arithmetic carries: no stock is that big
        raise QuantityError(f"{value!r} is not a plausible quantity") from None
    if finer:
        if places:
            raise QuantityError(f"quantity must have at most {places} decimal places (mg)")
        raise QuantityError("quantity must be a whole number of devices")
    return quantity


def base_unit_for(form: ProductForm) -> BaseUnit:
    """The unit a product of this form is counted in."""
    return BASE_UNIT_BY_FORM[ProductForm(form)]


def ml_from_mg(mg: Decimal, concentration_mg_per_ml: Decimal) -> Decimal:
    """Volume for an amount of a solution, to 0.001 mL (for display; mg stays the record)."""
    if concentration_mg_per_ml <= 0:
        raise QuantityError("concentration must be greater than zero")
    step = Decimal(1).scaleb(-VOLUME_DISPLAY_PLACES.value)
    return (mg / concentration_mg_per_ml).quantize(step)


def mg_from_ml(ml: Decimal, concentration_mg_per_ml: Decimal) -> Decimal:
    """Amount in a volume of a solution; refused if it is not a whole microgram."""
    mg = ml * concentration_mg_per_ml
    return parse_quantity(mg, BaseUnit.MG)


def mg_from_devices(devices: Decimal, mg_per_device: Decimal) -> Decimal:
    """Drug content of whole devices (esketamine: 28 mg per device)."""
    return parse_quantity(devices, BaseUnit.DEVICE) * mg_per_device


def quantity_per_container(
    form: ProductForm, concentration: Decimal, units_per_container: Decimal
) -> Decimal:
    """Base-unit quantity in one container: a vial's mg, or a pack's devices."""
    if base_unit_for(form) == BaseUnit.MG:
        return concentration * units_per_container  # mg/mL x mL per vial
    return units_per_container  # devices per pack


def describe_quantity(
    quantity: Decimal, unit: BaseUnit, concentration: Decimal | None = None
) -> str:
    """Human form: "50 mg (1.000 mL)" or "2 devices"."""
    text = canonical_decimal(quantity)
    if BaseUnit(unit) == BaseUnit.DEVICE:
        return f"{text} device{'s' if abs(quantity) != 1 else ''}"
    if concentration:
        return f"{text} mg ({ml_from_mg(quantity, concentration)} mL)"
    return f"{text} mg"


# ---------------------------------------------------------------------------
# Balances
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MovementCheck:
    """Whether a movement may be recorded, and if not, why."""

    allowed: bool
    reason: str = ""
    new_balance: Decimal | None = None


def stock_deltas(
    entry_type: EntryType,
    quantity: Decimal,
    location,
    to_location=None,
) -> list[tuple[object, Decimal]]:
    """Signed changes this entry makes to stock, as (location, delta) pairs.

    `quantity` is positive for every type except `discrepancy`, whose sign is
    counted minus expected.
    """
    entry_type = EntryType(entry_type)
    if entry_type == EntryType.TRANSFER:
        if to_location is None or to_location == location:
            raise QuantityError("a transfer needs a different destination location")
        return [(location, -quantity), (to_location, quantity)]
    if entry_type == EntryType.DISCREPANCY:
        return [(location, quantity)] if quantity else []
    sign = ENTRY_TYPE_RULES[entry_type].stock_sign
    return [(location, sign * quantity)] if sign else []


def check_stock_movement(balance: Decimal, delta: Decimal, unit: BaseUnit) -> MovementCheck:
    """A stock balance may never go below zero."""
    new_balance = balance + delta
    if new_balance < 0:
        return MovementCheck(
            allowed=False,
            reason=(
                f"refused: only {describe_quantity(balance, unit)} on hand at this location, "
                f"this movement needs {describe_quantity(-delta, unit)}"
            ),
            new_balance=new_balance,
        )
    return MovementCheck(allowed=True, new_balance=new_balance)


def fold_balances(
    entries: Iterable[tuple[object, EntryType, Decimal, object, object | None]],
) -> dict[tuple[object, object], Decimal]:
    """Balances per (lot, location) from (lot, type, quantity, location, to_location) in order.

    Raises QuantityError at the first entry that would make a balance negative.
    """
    balances: dict[tuple[object, object], Decimal] = {}
    for lot, entry_type, quantity, location, to_location in entries:
        for where, delta in stock_deltas(entry_type, quantity, location, to_location):
            key = (lot, where)
            new = balances.get(key, Decimal(0)) + delta
            if new < 0:
                raise QuantityError(f"balance of lot {lot} at {where} would become {new}")
            balances[key] = new
    return balances


@dataclass(frozen=True)
class SessionDrugBalance:
    """A session's drug record: drawn = administered + wasted + returned when it balances."""

    drawn: Decimal
    administered: Decimal
    wasted: Decimal
    returned: Decimal

    @property
    def in_hand(self) -> Decimal:
        """Drawn but not yet administered, wasted or returned."""
        return self.drawn - self.administered - self.wasted - self.returned

    @property
    def balanced(self) -> bool:
        return self.in_hand == 0


def session_balance(entries: Iterable[tuple[EntryType, Decimal]]) -> SessionDrugBalance:
    """Totals of a session's draw/administration/waste/return entries."""
    totals = {t: Decimal(0) for t in EntryType}
    for entry_type, quantity in entries:
        totals[EntryType(entry_type)] += quantity
    return SessionDrugBalance(
        drawn=totals[EntryType.DRAW],
        administered=totals[EntryType.ADMINISTRATION],
        wasted=totals[EntryType.WASTE],
        returned=totals[EntryType.RETURN],
    )


def check_session_disposition(
    balance: SessionDrugBalance, entry_type: EntryType, quantity: Decimal, unit: BaseUnit
) -> MovementCheck:
    """Administration, waste or return may not exceed what the session has in hand."""
    if ENTRY_TYPE_RULES[EntryType(entry_type)].session_sign >= 0:
        return MovementCheck(allowed=True, new_balance=balance.in_hand + quantity)
    if quantity > balance.in_hand:
        return MovementCheck(
            allowed=False,
            reason=(
                f"refused: the session has {describe_quantity(balance.in_hand, unit)} drawn and "
                f"not yet accounted for; cannot record {describe_quantity(quantity, unit)} "
                f"as {EntryType(entry_type).value}"
            ),
            new_balance=balance.in_hand - quantity,
        )
    return MovementCheck(allowed=True, new_balance=balance.in_hand - quantity)


def check_witnesses(entry_type: EntryType, actor, witnesses: Sequence) -> MovementCheck:
    """The required number of distinct witnesses, none of them the actor."""
    rule = ENTRY_TYPE_RULES[EntryType(entry_type)]
    if rule.witnesses == 0:
        return MovementCheck(allowed=True)
    if actor in witnesses:
        return MovementCheck(allowed=False, reason="refused: a witness cannot be the actor")
    if len(set(witnesses)) != len(witnesses):
        return MovementCheck(allowed=False, reason="refused: each witness must be a different user")
    if len(witnesses) < rule.witnesses:
        noun = "witness" if rule.witnesses == 1 else "witnesses"
        return MovementCheck(
            allowed=False,
            reason=f"refused: {EntryType(entry_type).value} needs {rule.witnesses} {noun} "
            f"({rule.witness_source})",
        )
    return MovementCheck(allowed=True)


@dataclass(frozen=True)
class CountResult:
    """A physical count against the book balance."""

    expected: Decimal
    counted: Decimal

    @property
    def difference(self) -> Decimal:
        """Counted minus expected: negative means stock is missing."""
        return self.counted - self.expected

    @property
    def needs_discrepancy(self) -> bool:
        return self.difference != 0


def evaluate_count(
    book_balance: Decimal, counted: Decimal, claimed_expected: Decimal | None = None
) -> CountResult:
    """Compare a count with the book; refuse a claimed expected value that is not the book's.

    A counter who states an "expected" quantity different from the ledger's would hide
    a difference between stock and records, so such a count is refused outright.
    """
    if counted < 0:
        raise QuantityError("a counted quantity cannot be negative")
    if claimed_expected is not None and claimed_expected != book_balance:
        raise QuantityError(
            f"refused: the ledger expects {canonical_decimal(book_balance)}, not "
            f"{canonical_decimal(claimed_expected)}; a count cannot overwrite the book balance"
        )
    return CountResult(expected=book_balance, counted=counted)


def draw_allowance(ordered_mg: Decimal, unit: BaseUnit, concentration: Decimal) -> Decimal:
    """The most a session may draw for its order without a written reason, in the product's
    unit: the ordered mg rounded up to the next whole device (nasal spray), or to the next
    whole mL of the solution (what a syringe measures)."""
    steps = (Decimal(ordered_mg) / Decimal(concentration)).to_integral_value(ROUND_CEILING)
    if unit == BaseUnit.DEVICE:
        return Decimal(steps)
    return Decimal(steps) * concentration


def over_draw(already_drawn: Decimal, quantity: Decimal, allowance: Decimal) -> Decimal:
    """How much a draw takes beyond the allowance (0 when it stays within it)."""
    return max(Decimal(0), already_drawn + quantity - allowance)


def administered_mg(quantity: Decimal, unit: BaseUnit, concentration: Decimal) -> Decimal:
    """An administered quantity in mg (devices times the mg per device)."""
    return quantity * concentration if unit == BaseUnit.DEVICE else quantity
