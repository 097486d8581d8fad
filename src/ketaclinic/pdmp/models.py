"""PDMP tables: the check log (append-only), the clinic's rule table and its practice state.

No copy of a PDMP report is stored, nor any of its content beyond the finding: the programs'
terms of use commonly forbid keeping it. A check entry holds who checked, when, which state's
PDMP, the program's transaction or report id and the finding.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.core.models import Clinic, ClinicScopedModel, ClinicScopedQuerySet, only_row

from . import rules

USER = settings.AUTH_USER_MODEL
STATE_CHOICES = [(code, f"{code} · {name}") for code, name in rules.US_STATES.items()]


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a PDMP check entry."""


class Finding(models.TextChoices):
    NO_CONCERN = "no_concern", "No concern"
    CONCERN = "concern", "Concern (note required)"


class Frequency(models.TextChoices):
    WITHIN_DAYS = rules.Frequency.WITHIN_DAYS.value, "Within a number of days"
    EVERY_ORDER = rules.Frequency.EVERY_ORDER.value, "Before every order"


class CheckQuerySet(ClinicScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The PDMP check log is append-only: enter a correction instead.")

    def delete(self):
        raise AppendOnlyError("The PDMP check log is append-only: enter a correction instead.")

    def effective(self):
        """Entries that stand: not replaced by a correction, not marking one as in error."""
        return self.filter(entered_in_error=False, corrected_by__isnull=True)


class PdmpCheck(ClinicScopedModel):
    """One query of a state's PDMP for a patient, by a prescriber or a delegate on their behalf.

    A wrong entry is never edited: a new entry `corrects` it (and replaces it), or marks it as
    `entered_in_error` (e.g. the wrong patient) and replaces it with nothing.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    checked_at = models.DateTimeField()
    # The prescriber whose check this is; `checked_by` queried the PDMP (the same person, or a
    # nurse acting as the prescriber's delegate).
    prescriber = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # Who typed this entry: `checked_by` for an entry, whoever corrected it for a correction.
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    transaction_id = models.CharField("PDMP transaction or report id", max_length=100)
    finding = models.CharField(max_length=12, choices=Finding.choices)
    concern_note = models.TextField(blank=True)
    note = models.TextField(blank=True)
    # An entry is corrected at most once (see Meta); `corrected_by` is the correction.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        related_query_name="corrected_by",
    )
    correction_reason = models.CharField(max_length=300, blank=True)
    entered_in_error = models.BooleanField(default=False)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-created_at"]
        indexes = [
            models.Index(fields=["clinic", "patient", "-checked_at"]),
            models.Index(fields=["clinic", "prescriber", "checked_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "corrects"], name="pdmp_one_correction_per_entry"
            ),
            models.CheckConstraint(
                condition=~Q(finding="concern", concern_note=""),
                name="pdmp_concern_has_a_note",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
                name="pdmp_correction_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(entered_in_error=False) | Q(corrects__isnull=False),
                name="pdmp_in_error_marks_an_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"PDMP {self.state} {self.checked_at:%Y-%m-%d %H:%M} ({self.transaction_id})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The PDMP check log is append-only: enter a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The PDMP check log is append-only: enter a correction instead.")

    @property
    def by_delegate(self) -> bool:
        return self.checked_by_id != self.prescriber_id

    @property
    def corrected_by(self) -> "PdmpCheck | None":
        """The entry that corrects this one, if any (prefetch `corrections` for many)."""
        return only_row(self.corrections)

    @property
    def superseded(self) -> bool:
        return self.corrected_by is not None


class PdmpRule(ClinicScopedModel):
    """The clinic's own row for a state: it replaces the built-in row of that state, if any."""

    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    before_prescribing = models.BooleanField(default=False)
    before_administering = models.BooleanField(default=False)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, default=rules.CLINIC_ENTERED)
    scope = models.TextField(blank=True)
    last_reviewed_on = models.DateField()
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = (
        "before_prescribing",
        "before_administering",
        "frequency",
        "window_days",
        "source",
        "scope",
        "last_reviewed_on",
    )

    class Meta:
        ordering = ["state"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "state"], name="pdmp_one_rule_per_state")
        ]

    def __str__(self) -> str:
        return f"PDMP rule {self.state}"

    def as_rule(self) -> rules.StateRule:
        values = {name: getattr(self, name) for name in ("state", *self.EDITABLE_FIELDS)}
        return rules.StateRule(**values, origin=rules.Origin.CLINIC)


class PdmpSettings(models.Model):
    """The state the clinic confirmed it practises in: whose rule the signing gate applies."""

    clinic = models.OneToOneField(Clinic, on_delete=models.PROTECT, related_name="+")
    practice_state = models.CharField(max_length=2, choices=STATE_CHOICES)
    confirmed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"PDMP practice state {self.practice_state}"
