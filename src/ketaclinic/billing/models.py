"""Billing tables: fee schedules, sliding scale, estimates, charges, payments, diagnoses."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from ketaclinic.core.models import Clinic, ClinicScopedModel

from .definitions import DISPUTE_THRESHOLD, PLACE_OF_SERVICE_OFFICE, SERVICES
from .poverty_guidelines import CONTIGUOUS, REGIONS

USER = settings.AUTH_USER_MODEL
SERVICE_CHOICES = [(s.key, s.label) for s in SERVICES.values()]


class ImmutableRow(models.Model):
    """A row that is a record once written (a price list, an issued estimate): never changed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"A {self._meta.verbose_name} cannot be changed; add a new one.")
        super().save(*args, **kwargs)


class DatedTable(ImmutableRow, ClinicScopedModel):
    """A clinic's table in force from a date on (prices, discounts). A change is a new table
    with a later date, so what was made under an earlier one keeps its values."""

    name = models.CharField(max_length=120)
    effective_from = models.DateField()
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.name} (from {self.effective_from.isoformat()})"


class Voidable(models.Model):
    """Money rows that a mistake voids (with a reason and who), never deletes."""

    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


AUTOMATIC, MANUAL = "automatic", "manual"
CHARGE_AT_DISCHARGE = [
    (AUTOMATIC, "Automatic: charge when the patient is discharged"),
    (MANUAL, "Manual: charge from the billing page"),
]


class BillingSettings(models.Model):
    """A clinic's billing identifiers and configurable billing rules."""

    clinic = models.OneToOneField(Clinic, on_delete=models.PROTECT, related_name="billing_settings")
    billing_npi = models.CharField("billing NPI", max_length=10, blank=True)
    tax_id = models.CharField("tax ID (EIN)", max_length=20, blank=True)
    place_of_service = models.CharField(max_length=2, default=PLACE_OF_SERVICE_OFFICE)
    poverty_region = models.CharField(max_length=12, choices=REGIONS, default=CONTIGUOUS)
    dispute_threshold = models.DecimalField(
        max_digits=8, decimal_places=2, default=DISPUTE_THRESHOLD
    )
    infusion_push_max_minutes = models.PositiveSmallIntegerField(default=15)
    infusion_additional_more_than_minutes = models.PositiveSmallIntegerField(default=30)
    esketamine_low_dose_max_mg = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal("56")
    )
    # Automatic: a session's charges are created when the patient is discharged (in the same
    # transaction); manual: they wait for "Charge completed sessions".
    charge_at_discharge = models.CharField(
        max_length=10,
        choices=CHARGE_AT_DISCHARGE,
        default=AUTOMATIC,
        db_default=AUTOMATIC,
        help_text="Create a session's charges when the patient is discharged.",
    )
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = (
        "billing_npi",
        "tax_id",
        "place_of_service",
        "poverty_region",
        "dispute_threshold",
        "infusion_push_max_minutes",
        "infusion_additional_more_than_minutes",
        "esketamine_low_dose_max_mg",
        "charge_at_discharge",
    )

    def __str__(self) -> str:
        return f"Billing settings of {self.clinic_id}"


class FeeSchedule(DatedTable):
    """A clinic's prices from a date on. A price change is a new schedule with a later date,
    so charges and estimates made under an earlier schedule keep their prices."""

    class Meta(DatedTable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "effective_from"], name="fee_schedule_date_unique_in_clinic"
            )
        ]


class FeeItem(ImmutableRow, ClinicScopedModel):
    """One priced service of a fee schedule."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.PROTECT, related_name="items")
    service = models.CharField(max_length=40, choices=SERVICE_CHOICES)
    code = models.CharField("CPT/HCPCS code", max_length=20, blank=True)
    description = models.CharField(max_length=200)
    unit_price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    discountable = models.BooleanField(default=True)

    class Meta:
        ordering = ["schedule", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "schedule", "service"], name="fee_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code or self.service} ${self.unit_price}"


class PovertyGuideline(ClinicScopedModel):
    """100% of the HHS poverty guideline for a year and region (loaded or edited by the clinic)."""

    year = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=12, choices=REGIONS, default=CONTIGUOUS)
    first_person = models.DecimalField(max_digits=10, decimal_places=2)
    each_additional = models.DecimalField(max_digits=10, decimal_places=2)
    source = models.CharField(max_length=300)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "year", "region"], name="poverty_guideline_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region}: {self.first_person} + {self.each_additional}"


class SlidingScale(DatedTable):
    """A clinic's discount table by income as % of the poverty guideline, from a date on."""

    class Meta(DatedTable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "effective_from"], name="sliding_scale_date_unique_in_clinic"
            )
        ]


class SlidingScaleBand(ImmutableRow, ClinicScopedModel):
    """Incomes at or below max_percent of the guideline get discount_percent (None: above all)."""

    scale = models.ForeignKey(SlidingScale, on_delete=models.PROTECT, related_name="bands")
    position = models.PositiveSmallIntegerField()
    max_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "scale", "position"], name="sliding_band_position"
            )
        ]

    def __str__(self) -> str:
        return f"<= {self.max_percent}%: {self.discount_percent}%"


class SlidingScaleAssessment(ClinicScopedModel):
    """A patient's household and income checked against the table: the discount, the rule
    that gave it, and who approved it. A newer assessment ends the previous one."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    household_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    annual_income = models.DecimalField(max_digits=12, decimal_places=2)
    guideline_year = models.PositiveSmallIntegerField()
    guideline_region = models.CharField(max_length=12, choices=REGIONS)
    guideline_amount = models.DecimalField(max_digits=12, decimal_places=2)
    percent_of_guideline = models.DecimalField(max_digits=8, decimal_places=1)
    scale = models.ForeignKey(SlidingScale, on_delete=models.PROTECT, related_name="+")
    band = models.CharField(max_length=80)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2)
    rule = models.TextField()
    effective_from = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    documentation = models.CharField(max_length=300, blank=True)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_from", "-approved_at"]
        indexes = [models.Index(fields=["clinic", "patient", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.discount_percent}% from {self.effective_from.isoformat()}"


class BillingDiagnosis(ClinicScopedModel):
    """The ICD-10-CM diagnosis printed on estimates and superbills (newest row applies)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=8)
    description = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class GoodFaithEstimate(ImmutableRow, ClinicScopedModel):
    """An issued Good Faith Estimate, kept exactly as the patient received it."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(
        "treatments.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    protocol_code = models.CharField(max_length=60)
    protocol_name = models.CharField(max_length=200)
    start_date = models.DateField()
    sessions = models.PositiveSmallIntegerField()
    lines = models.JSONField()
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    discount_rule = models.TextField(blank=True)
    fee_schedule = models.ForeignKey(FeeSchedule, on_delete=models.PROTECT, related_name="+")
    diagnosis_code = models.CharField(max_length=8, blank=True)
    diagnosis_description = models.CharField(max_length=200, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinic", "patient", "created_at"])]

    def __str__(self) -> str:
        return f"Good Faith Estimate {self.created_at:%Y-%m-%d} ${self.total}"


class Charge(Voidable, ClinicScopedModel):
    """One billed service. Prices are copied in when it is made, so later fee-schedule changes
    never touch it; a mistake is voided (with a reason), never deleted."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        "treatments.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    course = models.ForeignKey(
        "treatments.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_date = models.DateField()
    service = models.CharField(max_length=40, choices=SERVICE_CHOICES)
    code = models.CharField(max_length=20, blank=True)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=9, decimal_places=2)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    discount_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    discount_rule = models.TextField(blank=True)
    assessment = models.ForeignKey(
        SlidingScaleAssessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fee_schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the units came from, e.g. "infusion 42 min" or "84 mg, 3 devices".
    basis = models.CharField(max_length=200, blank=True)
    rendering_provider = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["service_date", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "session", "service"],
                condition=Q(voided_at__isnull=True, session__isnull=False),
                name="one_live_charge_per_session_service",
            )
        ]
        indexes = [models.Index(fields=["clinic", "patient", "service_date"])]

    def __str__(self) -> str:
        return f"{self.service_date.isoformat()} {self.code or self.service} ${self.amount}"

    @property
    def net(self) -> Decimal:
        return self.amount - self.discount_amount


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    CASH = "cash", "Cash"
    CHECK = "check", "Check"
    HSA_FSA = "hsa_fsa", "HSA / FSA card"
    INSURANCE = "insurance", "Insurance reimbursement"
    OTHER = "other", "Other"


class Payment(Voidable, ClinicScopedModel):
    """Money received from or for a patient; voided with a reason, never deleted."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=12, choices=PaymentMethod.choices)
    received_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_on", "created_at"]
        indexes = [models.Index(fields=["clinic", "patient", "received_on"])]

    def __str__(self) -> str:
        return f"{self.received_on.isoformat()} ${self.amount} ({self.method})"
