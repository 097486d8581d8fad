"""Coverage, benefits checks, prior authorizations with their dated changes, payer checklists."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.core.models import Clinic, ClinicScopedModel

from . import rules
from .definitions import (
    COVERAGE_ORDERS,
    DEFAULT_EXPIRY_WARNING_DAYS,
    SUBSCRIBER_RELATIONSHIPS,
    YES_NO_UNKNOWN,
)

USER = settings.AUTH_USER_MODEL


class WrittenOnce:
    """A row that records what happened: saved once, never changed (`changed_message` says
    what to do instead)."""

    changed_message = "This record cannot be changed."

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(self.changed_message)
        super().save(*args, **kwargs)


class InsuranceCoverage(ClinicScopedModel):
    """One insurance plan of a patient, with its place in the order of payers."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(choices=COVERAGE_ORDERS, default=1)
    payer_name = models.CharField(max_length=200)
    plan_name = models.CharField(max_length=200, blank=True)
    member_id = models.CharField("member ID", max_length=60)
    group_number = models.CharField(max_length=60, blank=True)
    subscriber_name = models.CharField(max_length=200, blank=True)
    subscriber_relationship = models.CharField(
        max_length=10, choices=SUBSCRIBER_RELATIONSHIPS, default="self"
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = (
        "order",
        "payer_name",
        "plan_name",
        "member_id",
        "group_number",
        "subscriber_name",
        "subscriber_relationship",
        "effective_from",
        "effective_to",
    )

    class Meta:
        ordering = ["order", "-effective_from"]
        indexes = [models.Index(fields=["clinic", "patient"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="coverage_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.member_id} ({self.get_order_display().lower()})"


class BenefitsCheck(WrittenOnce, ClinicScopedModel):
    """What the payer said when the clinic checked the patient's benefits (kept as recorded)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey(
        InsuranceCoverage, on_delete=models.PROTECT, related_name="benefits_checks"
    )
    checked_on = models.DateField()
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    covered = models.CharField(max_length=10, choices=YES_NO_UNKNOWN, default="unknown")
    deductible_remaining = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True
    )
    out_of_pocket_remaining = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True
    )
    prior_authorization_required = models.CharField(
        max_length=10, choices=YES_NO_UNKNOWN, default="unknown"
    )
    payer_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-checked_on", "-created_at"]
        indexes = [models.Index(fields=["clinic", "patient", "checked_on"])]

    def __str__(self) -> str:
        return f"Benefits check {self.checked_on.isoformat()}"

    # A record of what the payer said: a correction is a new check.
    changed_message = "A benefits check cannot be changed; record a new one."


class PayerChecklist(ClinicScopedModel):
    """A payer's prior-authorization criteria as the clinic keeps them."""

    payer_name = models.CharField(max_length=200)
    source = models.TextField(help_text="Where the criteria come from (the payer's policy).")
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["payer_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "payer_name"], name="one_checklist_per_payer_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return self.payer_name


class PayerCriterion(ClinicScopedModel):
    """One row of a payer checklist: a typed rule with its parameters, or free text."""

    checklist = models.ForeignKey(PayerChecklist, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(
        max_length=40, choices=[(k.value, v) for k, v in rules.KIND_LABELS.items()]
    )
    label = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["checklist", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "checklist", "position"], name="criterion_position"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def params_in_words(self) -> str:
        return rules.params_in_words(self.params)

    def as_rule(self) -> rules.Criterion:
        return rules.Criterion(self.kind, self.label, dict(self.params))


class AuthorizationStatus(models.TextChoices):
    DRAFT = rules.Status.DRAFT, rules.LABELS[rules.Status.DRAFT]
    SUBMITTED = rules.Status.SUBMITTED, rules.LABELS[rules.Status.SUBMITTED]
    PENDING = rules.Status.PENDING, rules.LABELS[rules.Status.PENDING]
    APPROVED = rules.Status.APPROVED, rules.LABELS[rules.Status.APPROVED]
    DENIED = rules.Status.DENIED, rules.LABELS[rules.Status.DENIED]
    APPEALED = rules.Status.APPEALED, rules.LABELS[rules.Status.APPEALED]
    EXPIRED = rules.Status.EXPIRED, rules.LABELS[rules.Status.EXPIRED]


class AuthorizationUnit(models.TextChoices):
    SESSION = rules.Unit.SESSION, "Sessions"
    DEVICE = rules.Unit.DEVICE, "Devices (esketamine 28 mg nasal devices)"


class PriorAuthorization(ClinicScopedModel):
    """A payer's prior authorization for a course (or, before one exists, for a protocol's
    drug). Units used are never stored: they are counted from the course's sessions."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey(
        InsuranceCoverage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The course's id, checked against the course when set (see course_facts): a plain id so
    # that the course's app can move without this table changing.
    course_id = models.UUIDField(null=True, blank=True, db_index=True)
    protocol_code = models.SlugField(max_length=60)
    drug = models.CharField(max_length=20)
    status = models.CharField(
        max_length=12, choices=AuthorizationStatus.choices, default=AuthorizationStatus.DRAFT
    )
    payer_reference = models.CharField(max_length=100, blank=True)
    unit = models.CharField(
        max_length=10, choices=AuthorizationUnit.choices, default=AuthorizationUnit.SESSION
    )
    requested_units = models.PositiveSmallIntegerField(null=True, blank=True)
    approved_units = models.PositiveSmallIntegerField(null=True, blank=True)
    approved_dose_mg = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    approved_units_per_session = models.PositiveSmallIntegerField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    denial_reason = models.TextField(blank=True)
    checklist = models.ForeignKey(
        PayerChecklist, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["clinic", "status"]),
            models.Index(fields=["clinic", "patient"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="authorization_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_units__gte=1, valid_from__isnull=False, valid_to__isnull=False),
                name="approved_authorization_has_units_and_dates",
            ),
        ]

    def __str__(self) -> str:
        ref = f" {self.payer_reference}" if self.payer_reference else ""
        return f"Prior authorization{ref} ({self.get_status_display().lower()})"

    def as_grant(self) -> rules.Grant:
        return rules.Grant(
            key=str(self.id),
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            units=self.approved_units or 0,
            unit=self.unit,
            dose_mg=self.approved_dose_mg,
            units_per_session=self.approved_units_per_session,
            label=self.payer_reference,
            active=self.status == AuthorizationStatus.APPROVED,
        )


class AuthorizationChange(WrittenOnce, ClinicScopedModel):
    """One dated status change of an authorization (append-only): the history of the request.
    A denial keeps the payer's reason; an appeal points at the denial it answers."""

    authorization = models.ForeignKey(
        PriorAuthorization, on_delete=models.PROTECT, related_name="changes"
    )
    from_status = models.CharField(max_length=12, choices=AuthorizationStatus.choices)
    to_status = models.CharField(max_length=12, choices=AuthorizationStatus.choices)
    on = models.DateField()
    note = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    payer_reference = models.CharField(max_length=100, blank=True)
    appeals = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="appealed_by"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["on", "created_at"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status} on {self.on.isoformat()}"

    changed_message = "A status change is a record: it cannot be changed."

    def delete(self, *args, **kwargs):
        raise ValueError("A status change is a record: it cannot be deleted.")


class AuthorizationSettings(models.Model):
    """A clinic's REMS certification (shown in packets) and when expiry warnings start."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.PROTECT, related_name="authorization_settings"
    )
    site_rems_certified = models.BooleanField(
        "certified in the Spravato REMS", null=True, blank=True
    )
    site_rems_reference = models.CharField(
        "REMS certification reference", max_length=100, blank=True
    )
    site_rems_certified_on = models.DateField(null=True, blank=True)
    expiry_warning_days = models.PositiveSmallIntegerField(default=DEFAULT_EXPIRY_WARNING_DAYS)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = (
        "site_rems_certified",
        "site_rems_reference",
        "site_rems_certified_on",
        "expiry_warning_days",
    )

    def __str__(self) -> str:
        return f"Authorization settings of {self.clinic_id}"
