"""Access tables: the barriers that keep a patient from treatment, and the clinic's thresholds."""

from django.conf import settings
from django.db import models

from ketaclinic.core.models import Clinic, ClinicScopedModel

from . import rules

USER = settings.AUTH_USER_MODEL


class BarrierKind(models.TextChoices):
    TRANSPORT = "transport", "Transport or escort needed"
    COST = "cost", "Cost"
    INSURANCE_DENIAL = "insurance_denial", "Insurance denial"
    TIME_OFF_WORK = "time_off_work", "Time off work"
    DISTANCE = "distance", "Distance"
    OTHER = "other", "Other"


class AccessBarrier(ClinicScopedModel):
    """One barrier a patient reported; open until staff record what resolved it."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=BarrierKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    distance_miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinic", "patient", "resolved_at"])]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AccessSettings(models.Model):
    """A clinic's thresholds for dropout signals and the report's small-cell suppression."""

    clinic = models.OneToOneField(Clinic, on_delete=models.PROTECT, related_name="access_settings")
    missed_sessions = models.PositiveSmallIntegerField(default=rules.DropoutRule.missed_sessions)
    cancelled_sessions = models.PositiveSmallIntegerField(
        default=rules.DropoutRule.cancelled_sessions
    )
    unpaid_after_days = models.PositiveSmallIntegerField(
        default=rules.DropoutRule.unpaid_after_days
    )
    suppression_threshold = models.PositiveSmallIntegerField(default=rules.SUPPRESSION_THRESHOLD)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = (
        "missed_sessions",
        "cancelled_sessions",
        "unpaid_after_days",
        "suppression_threshold",
    )

    def __str__(self) -> str:
        return f"Access settings of {self.clinic_id}"

    @property
    def dropout_rule(self) -> rules.DropoutRule:
        return rules.DropoutRule(
            missed_sessions=self.missed_sessions,
            cancelled_sessions=self.cancelled_sessions,
            unpaid_after_days=self.unpaid_after_days,
        )
