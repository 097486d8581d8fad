"""API input and output shapes of the controlled-substance ledger."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from ketaclinic.inventory.models import Drug, LocationKind, ProductForm

Quantity = Decimal


class WitnessIn(Schema):
    """A second user's own credentials, typed by them at the moment of witnessing."""

    username: str = Field("", max_length=150)
    password: str = Field("", max_length=200)
    token: str = Field("", max_length=200)


class ProductIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    drug: Drug
    ndc: str = Field(min_length=1, max_length=20)
    form: ProductForm
    concentration: Decimal = Field(gt=0, max_digits=9, decimal_places=3)
    units_per_container: Decimal = Field(gt=0, max_digits=9, decimal_places=3)


class ProductOut(Schema):
    id: UUID
    name: str
    drug: str
    ndc: str
    schedule: str
    form: str
    concentration: Decimal
    units_per_container: Decimal
    unit: str
    active: bool


class LocationIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: LocationKind = LocationKind.SAFE
    description: str = Field("", max_length=200)


class LocationOut(Schema):
    id: UUID
    name: str
    kind: str
    description: str
    active: bool


class LotOut(Schema):
    id: UUID
    product_id: UUID
    lot_number: str
    expires_on: date


class ReceiptIn(Schema):
    product_id: UUID
    location_id: UUID
    lot_number: str = Field(min_length=1, max_length=60)
    expires_on: date
    containers: int = Field(ge=1, le=100000)
    supplier_name: str = Field(min_length=1, max_length=200)
    supplier_address: str = Field(min_length=1, max_length=400)
    supplier_dea: str = Field(min_length=1, max_length=20)
    invoice: str = Field("", max_length=100)
    received_on: date | None = None
    reason: str = Field("", max_length=2000)


class DrawIn(Schema):
    session_id: UUID
    lot_id: UUID
    location_id: UUID
    quantity: Quantity
    reason: str = Field("", max_length=2000)


class AdministrationIn(Schema):
    session_id: UUID
    quantity: Quantity
    lot_id: UUID | None = None
    reason: str = Field("", max_length=2000)


class WasteIn(Schema):
    session_id: UUID
    quantity: Quantity
    method: str = Field(min_length=1, max_length=200)
    witness: WitnessIn | None = None
    lot_id: UUID | None = None
    reason: str = Field("", max_length=2000)


class ReturnIn(Schema):
    session_id: UUID
    quantity: Quantity
    location_id: UUID
    lot_id: UUID | None = None
    reason: str = Field("", max_length=2000)


class TransferIn(Schema):
    lot_id: UUID
    from_location_id: UUID
    to_location_id: UUID
    quantity: Quantity
    reason: str = Field("", max_length=2000)


class CountIn(Schema):
    lot_id: UUID
    location_id: UUID
    counted: Quantity = Field(ge=0)
    expected: Quantity | None = None
    kind: Literal["daily", "initial", "biennial"] = "daily"
    timing: Literal["", "opening", "close"] = ""
    estimated: bool = False
    reason: str = Field("", max_length=2000)


class DestructionIn(Schema):
    lot_id: UUID
    location_id: UUID
    quantity: Quantity
    method: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)
    witnesses: list[WitnessIn] = Field(default_factory=list, max_length=2)


class LossIn(Schema):
    lot_id: UUID
    location_id: UUID
    quantity: Quantity
    loss_type: Literal["theft", "significant_loss", "lost_in_transit"]
    discovered_on: date
    circumstances: str = Field(min_length=1, max_length=4000)
    police_report: str = Field("", max_length=200)
    discrepancy_id: UUID | None = None
    # Dollars to the cent (DEA Form 106); may instead be given with the Form 106 filing.
    purchase_value: Decimal | None = None


class DistributionIn(Schema):
    """Stock leaving the clinic for another registrant (21 CFR 1304.22(a)(2)(vii))."""

    lot_id: UUID
    location_id: UUID
    quantity: Quantity
    kind: Literal["supplier_return", "reverse_distributor"]
    recipient_name: str = Field(min_length=1, max_length=200)
    recipient_address: str = Field(min_length=1, max_length=400)
    recipient_dea: str = Field(min_length=1, max_length=20)
    distributed_on: date | None = None
    reference: str = Field("", max_length=100)
    reason: str = Field("", max_length=2000)


class ResolutionIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class FilingIn(Schema):
    kind: Literal["notice", "form_106"]
    filed_on: date
    reference: str = Field("", max_length=200)
    purchase_value: Decimal | None = None


class FilingOut(Schema):
    id: UUID
    loss_id: UUID
    kind: str
    filed_on: date
    reference: str
    purchase_value: Decimal | None


class EntryOut(Schema):
    id: UUID
    sequence: int
    entry_type: str
    occurred_at: datetime
    actor_id: UUID
    actor_name: str
    lot_id: UUID
    lot_number: str
    product: str
    location_id: UUID | None
    to_location_id: UUID | None
    quantity: Decimal
    stock_delta: Decimal
    unit: str
    session_id: UUID | None
    patient_id: UUID | None
    related_entry_id: UUID | None
    witness_name: str
    second_witness_name: str
    reason: str
    data: dict
    hash: str
    prev_hash: str

    @staticmethod
    def resolve_lot_number(obj) -> str:
        return obj.lot.lot_number

    @staticmethod
    def resolve_product(obj) -> str:
        return obj.lot.product.name


class EntryPage(Schema):
    items: list[EntryOut]
    count: int
    page: int
    pages: int


class CountOut(Schema):
    count: EntryOut
    discrepancy: EntryOut | None


class BalanceOut(Schema):
    lot_id: UUID
    lot_number: str
    expires_on: date
    product_id: UUID
    product: str
    ndc: str
    location_id: UUID
    location: str
    quantity: Decimal
    unit: str
    volume_ml: Decimal | None


class BadEntryOut(Schema):
    sequence: int | None
    id: str | None
    kind: str
    reason: str


class CheckpointCheckOut(Schema):
    id: str
    taken_at: datetime
    sequence: int
    hash: str
    valid: bool
    reason: str


class VerifyOut(Schema):
    valid: bool
    entries: int
    head: str
    mode: str
    from_sequence: int
    first_bad_entry: BadEntryOut | None = None
    checkpoint: CheckpointCheckOut | None = None
    audit_events_checked: int = 0
    audit_events_without_entry: int = 0


class SessionLineOut(Schema):
    lot_id: UUID
    lot_number: str
    unit: str
    drawn: Decimal
    administered: Decimal
    wasted: Decimal
    returned: Decimal
    in_hand: Decimal
    balanced: bool


class SessionRecordOut(Schema):
    session_id: UUID
    balanced: bool
    closed: bool
    closed_at: datetime | None
    lines: list[SessionLineOut]


class ClosureOut(Schema):
    session_id: UUID
    closed_at: datetime
    drawn: Decimal
    administered: Decimal
    wasted: Decimal
    returned: Decimal
    ledger_head: str


class DiversionSignalOut(Schema):
    kind: str
    title: str
    detail: str
    subject: str
    entry_ids: list[UUID]
    refusal_ids: list[UUID]


class DiversionOut(Schema):
    date_from: date
    date_to: date
    threshold: Decimal
    signals: list[DiversionSignalOut]
