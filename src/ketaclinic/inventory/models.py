"""Controlled-substance stock and the append-only, hash-chained ledger of every movement."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from ketaclinic.core.models import Clinic, ClinicScopedModel, ClinicScopedQuerySet
from ketaclinic.inventory import definitions as d
from ketaclinic.inventory.rules import CANONICAL_VERSION, GENESIS_HASH, quantity_per_container

USER = settings.AUTH_USER_MODEL
# Quantities in the base unit, to the microgram (definitions.QUANTITY_DECIMAL_PLACES).
QUANTITY = {"max_digits": 12, "decimal_places": 3}


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a ledger record."""


class EntryType(models.TextChoices):
    RECEIPT = d.EntryType.RECEIPT, "Receipt"
    DRAW = d.EntryType.DRAW, "Draw"
    ADMINISTRATION = d.EntryType.ADMINISTRATION, "Administration"
    WASTE = d.EntryType.WASTE, "Waste"
    RETURN = d.EntryType.RETURN, "Return to stock"
    TRANSFER = d.EntryType.TRANSFER, "Transfer"
    COUNT = d.EntryType.COUNT, "Count"
    DISCREPANCY = d.EntryType.DISCREPANCY, "Discrepancy"
    DESTRUCTION = d.EntryType.DESTRUCTION, "Destruction"
    LOSS = d.EntryType.LOSS, "Theft or loss"
    DISTRIBUTION = d.EntryType.DISTRIBUTION, "Distribution to another registrant"


class ProductForm(models.TextChoices):
    INJECTION_SOLUTION = d.ProductForm.INJECTION_SOLUTION, "Injection solution (vial)"
    NASAL_SPRAY_DEVICE = d.ProductForm.NASAL_SPRAY_DEVICE, "Nasal spray device"


class Drug(models.TextChoices):
    KETAMINE = "ketamine", "Ketamine"
    ESKETAMINE = "esketamine", "Esketamine"


class LocationKind(models.TextChoices):
    SAFE = "safe", "Locked safe"
    CART = "cart", "Treatment room cart"
    OTHER = "other", "Other locked storage"


class Product(ClinicScopedModel):
    """A stocked product (21 CFR 1304.22(c): name, finished form, units per container)."""

    name = models.CharField(max_length=200)
    drug = models.CharField(max_length=20, choices=Drug.choices)
    ndc = models.CharField("NDC", max_length=20)
    schedule = models.CharField(max_length=4, default="III")
    form = models.CharField(max_length=30, choices=ProductForm.choices)
    # mg per mL for a solution, mg per device for a nasal device.
    concentration = models.DecimalField(max_digits=9, decimal_places=3)
    # mL per vial for a solution, devices per pack for nasal devices.
    units_per_container = models.DecimalField(max_digits=9, decimal_places=3)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "ndc"], name="product_ndc_unique_in_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.name} (NDC {self.ndc})"

    @property
    def unit(self) -> str:
        return d.BASE_UNIT_BY_FORM[d.ProductForm(self.form)].value

    @property
    def concentration_label(self) -> str:
        per = "mL" if self.unit == d.BaseUnit.MG else "device"
        return f"{self.concentration.normalize():f} mg/{per}"

    @property
    def container_label(self) -> str:
        """Finished form and units per container, as the dispensing log prints it."""
        per = self.units_per_container.normalize()
        if self.unit == d.BaseUnit.MG:
            return f"{self.concentration_label} injection, {per:f} mL vial"
        return f"nasal spray {self.concentration_label}, pack of {per:f} devices"

    @property
    def quantity_per_container(self) -> Decimal:
        return quantity_per_container(self.form, self.concentration, self.units_per_container)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Products named in ledger records are never deleted.")


class StorageLocation(ClinicScopedModel):
    """A securely locked place stock is kept (21 CFR 1301.75(b)): the safe, a cart."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=LocationKind.choices, default=LocationKind.SAFE)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "name"], name="storage_location_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Storage locations named in ledger records are never deleted.")


class Lot(ClinicScopedModel):
    """A manufacturer's lot of a product; the row every movement of the lot locks."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=60)
    expires_on = models.DateField()

    class Meta:
        ordering = ["expires_on", "lot_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "product", "lot_number"], name="lot_unique_per_product"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number} (exp {self.expires_on:%Y-%m-%d})"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Lots named in ledger records are never deleted.")


class LedgerChainHead(models.Model):
    """The last sequence number and hash of a clinic's chain, locked by every append."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    sequence = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"head of {self.clinic_id}: #{self.sequence} {self.head_hash[:12]}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The chain head is never deleted.")


class AppendOnlyQuerySet(ClinicScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Ledger records are append-only: correct with a reversing entry.")

    def delete(self):
        raise AppendOnlyError("Ledger records are append-only: they are never deleted.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries are written one by one by the ledger service.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Ledger records are append-only: correct with a reversing entry.")


class AppendOnlyModel(ClinicScopedModel):
    """Rows that are written once and never changed or removed."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(
                f"{self._meta.verbose_name} records are append-only: correct with a new entry."
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.verbose_name} records are never deleted.")


class LedgerEntry(AppendOnlyModel):
    """One movement of controlled substance, chained to the previous entry of the clinic.

    Written only by `inventory.services` (while holding the lot's and the chain head's row
    locks); `hash` is sha256(prev_hash + canonical content), see docs/inventory.md.
    """

    sequence = models.PositiveBigIntegerField()
    entry_type = models.CharField(max_length=20, choices=EntryType.choices)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=200)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="entries")
    location = models.ForeignKey(
        StorageLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_location = models.ForeignKey(
        StorageLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The amount the entry is about, in the base unit: positive, except a discrepancy
    # (counted minus expected) and a count (the counted amount, zero allowed).
    quantity = models.DecimalField(**QUANTITY)
    # Signed change to the stock of `lot` at `location` (a transfer adds `quantity` at
    # `to_location` as well).
    stock_delta = models.DecimalField(**QUANTITY)
    unit = models.CharField(max_length=10)
    session = models.ForeignKey(
        "treatments.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related_entry = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followers"
    )
    witness = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    witness_name = models.CharField(max_length=200, blank=True)
    second_witness = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_witness_name = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    # Type-specific facts (supplier, method, Form 41/106 data, counted/expected), stored
    # already canonical (strings for decimals and dates) so it hashes the same after a
    # round trip through the database.
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "sequence"], name="ledger_sequence_unique_in_clinic"
            ),
            models.UniqueConstraint(fields=["clinic", "hash"], name="ledger_hash_unique_in_clinic"),
        ]
        indexes = [
            models.Index(fields=["clinic", "lot", "location"]),
            models.Index(fields=["clinic", "entry_type", "occurred_at"]),
            models.Index(fields=["clinic", "occurred_at"]),
            models.Index(fields=["session", "lot"]),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.entry_type} {self.quantity} {self.unit}"

    def hash_content(self) -> dict:
        return entry_content({attr: getattr(self, attr) for _name, attr in HASHED_FIELDS})


# (content key, model attribute) pairs, in no particular order: the content is hashed as
# sorted-key canonical JSON (docs/inventory.md "Canonical serialization").
HASHED_FIELDS = (
    ("id", "id"),
    ("clinic", "clinic_id"),
    ("sequence", "sequence"),
    ("entry_type", "entry_type"),
    ("occurred_at", "occurred_at"),
    ("actor", "actor_id"),
    ("actor_name", "actor_name"),
    ("lot", "lot_id"),
    ("location", "location_id"),
    ("to_location", "to_location_id"),
    ("quantity", "quantity"),
    ("stock_delta", "stock_delta"),
    ("unit", "unit"),
    ("session", "session_id"),
    ("patient", "patient_id"),
    ("related_entry", "related_entry_id"),
    ("witness", "witness_id"),
    ("witness_name", "witness_name"),
    ("second_witness", "second_witness_id"),
    ("second_witness_name", "second_witness_name"),
    ("reason", "reason"),
    ("data", "data"),
)
HASHED_COLUMNS = tuple(attr for _name, attr in HASHED_FIELDS)


def entry_content(values: dict) -> dict:
    """The hashed content of an entry from its column values (model or `.values()` row)."""
    content = {"v": CANONICAL_VERSION}
    for name, attr in HASHED_FIELDS:
        content[name] = values[attr]
    return content


class RefusedMovement(AppendOnlyModel):
    """A movement the ledger refused (e.g. waste without a valid witness), kept as a signal."""

    entry_type = models.CharField(max_length=20, choices=EntryType.choices)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    session = models.ForeignKey(
        "treatments.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    quantity = models.DecimalField(**QUANTITY, null=True, blank=True)
    witness_username = models.CharField(max_length=150, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-occurred_at"]


class SessionDrugClosure(AppendOnlyModel):
    """The closing of a session's drug record, allowed only once it balances."""

    # One per session (see Meta).
    session = models.ForeignKey(
        "treatments.TreatmentSession",
        on_delete=models.PROTECT,
        related_name="drug_closures",
        related_query_name="drug_closure",
    )
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField()
    drawn = models.DecimalField(**QUANTITY)
    administered = models.DecimalField(**QUANTITY)
    wasted = models.DecimalField(**QUANTITY)
    returned = models.DecimalField(**QUANTITY)
    # The chain head when the record was closed, so the closing can be tied to the ledger.
    ledger_head = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "session"], name="one_drug_closure_per_session"
            )
        ]


class FilingKind(models.TextChoices):
    NOTICE = "notice", "Written notice to DEA (1 business day)"
    FORM_106 = "form_106", "DEA Form 106 filed (45 days)"


class LossFiling(AppendOnlyModel):
    """That the DEA notice or Form 106 for a theft or loss was sent, and when."""

    loss = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="filings")
    kind = models.CharField(max_length=10, choices=FilingKind.choices)
    filed_on = models.DateField()
    reference = models.CharField(max_length=200, blank=True)
    # The purchase value reported on the Form 106 (DEA Form 106 asks for it), in dollars.
    # Known only later than the loss sometimes, so it can be given with the filing; it then
    # takes precedence over a value given when the loss was recorded.
    purchase_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "loss", "kind"], name="one_filing_of_each_kind"
            )
        ]


class LedgerCheckpoint(AppendOnlyModel):
    """A clinic's chain head written down once a day, outside the ledger's own tables.

    `mac` is HMAC-SHA256 over the other fields with the checkpoint key kept under var/
    (inventory.anchors): a row edited or forged in the database without the key fails
    verification, and `verify_ledger` checks the chain still reaches this head.
    """

    sequence = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    # When the head was read (the checkpoint's time).
    taken_at = models.DateTimeField()
    # Names the key the mac was made with (a rotated key shows as a different fingerprint).
    key_fingerprint = models.CharField(max_length=16)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["clinic", "-taken_at"])]

    def __str__(self) -> str:
        return f"checkpoint {self.taken_at:%Y-%m-%d %H:%M} #{self.sequence} {self.head_hash[:12]}"
