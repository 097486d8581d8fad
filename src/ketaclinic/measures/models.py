"""Scale responses, safety alerts, self-report links, schedules and clinic-loaded item text."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ketaclinic.core.models import ClinicScopedModel

from .instruments import INSTRUMENTS, SAFETY_ALERT_NAMES

INSTRUMENT_CHOICES = [(code, i.name) for code, i in INSTRUMENTS.items()]


def _optional_user():
    """The staff member who did something to the row; empty until then, or when the patient or
    the system did it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )


class ResponseSource(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    SELF_REPORT = "self_report", "Patient self-report link"
    REFERRAL = "referral", "From referral"


class MeasureResponse(ClinicScopedModel):
    """One completed rating scale. Only complete, valid answers are ever saved."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="measure_responses"
    )
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    instrument_version = models.CharField(max_length=10)
    # Keyed by item number as a string ("1", "2", ..., "6b"), integer values.
    answers = models.JSONField()
    # None for the C-SSRS screener, whose result is a risk level in `severity`.
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.CharField(max_length=40, blank=True)
    administered_at = models.DateTimeField()
    source = models.CharField(max_length=12, choices=ResponseSource.choices)
    entered_by = _optional_user()
    request = models.ForeignKey(
        "measures.MeasureRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    # A score that arrived with a referral (source "referral"): the total only, no answers. It
    # is never a course baseline until a clinician confirms it. db_default keeps bulk loaders
    # that name their columns (the registry generator) working.
    referral_organisation = models.CharField(max_length=200, blank=True, default="", db_default="")
    referral_ref = models.CharField(max_length=100, blank=True, default="", db_default="")
    referral_confirmed_at = models.DateTimeField(null=True, blank=True)
    referral_confirmed_by = _optional_user()

    class Meta:
        ordering = ["-administered_at", "-created_at"]
        indexes = [
            models.Index(fields=["clinic", "patient", "instrument", "administered_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="referral_score_names_its_organisation",
                condition=~Q(source="referral") | ~Q(referral_organisation=""),
            ),
            models.CheckConstraint(
                name="referral_confirmation_complete",
                condition=Q(referral_confirmed_at__isnull=True, referral_confirmed_by__isnull=True)
                | Q(
                    source="referral",
                    referral_confirmed_at__isnull=False,
                    referral_confirmed_by__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        result = self.total if self.total is not None else self.severity
        return f"{self.get_instrument_display()} {result}"

    @property
    def is_referral(self) -> bool:
        return self.source == ResponseSource.REFERRAL

    @property
    def may_be_baseline(self) -> bool:
        """Scores the clinic took, and referral scores a clinician has confirmed."""
        return not self.is_referral or self.referral_confirmed_at is not None

    @property
    def definition(self):
        return INSTRUMENTS[self.instrument]


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class SafetyAlert(ClinicScopedModel):
    """A safety item answered on a scale. Stays open until a prescriber acknowledges it with a
    note of the action taken; never dismissed automatically."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    response = models.ForeignKey(MeasureResponse, on_delete=models.PROTECT, related_name="alerts")
    code = models.CharField(max_length=40)
    message = models.TextField()
    must_act = models.CharField(max_length=20, default="prescriber")
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = _optional_user()
    action_note = models.TextField(blank=True)

    @property
    def name(self) -> str:
        """What staff call the alert ("PHQ-9 item 9")."""
        return SAFETY_ALERT_NAMES.get(self.code, self.code)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["clinic", "status", "raised_at"])]
        constraints = [
            models.CheckConstraint(
                name="safety_alert_ack_complete",
                condition=Q(
                    status="open",
                    acknowledged_at__isnull=True,
                    acknowledged_by__isnull=True,
                )
                | (
                    Q(status="acknowledged")
                    & Q(acknowledged_at__isnull=False)
                    & Q(acknowledged_by__isnull=False)
                    & ~Q(action_note="")
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN


class Delivery(models.TextChoices):
    LINK = "link", "Link or QR code shown to staff"
    EMAIL = "email", "Email to the patient"


class MeasureRequest(ClinicScopedModel):
    """A single-use self-report link. Only the SHA-256 of its random token is stored."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="measure_requests"
    )
    instruments = models.JSONField()
    # Looked up alone when a patient opens the link (indexed); unique within the clinic.
    token_hash = models.CharField(max_length=64, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    sent_by = _optional_user()
    schedule = models.ForeignKey(
        "measures.MeasurementSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "token_hash"], name="measure_request_token_unique_in_clinic"
            )
        ]
        indexes = [models.Index(fields=["clinic", "patient", "expires_at"])]

    def __str__(self) -> str:
        return f"self-report {', '.join(self.instruments)} ({self.status})"

    def status_at(self, now) -> str:
        if self.used_at is not None:
            return "used"
        if now >= self.expires_at:
            return "expired"
        return "open"

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())


class Frequency(models.TextChoices):
    BEFORE_SESSION = "before_session", "Before every treatment session"
    INTERVAL = "interval", "Every N days"


class MeasurementSchedule(ClinicScopedModel):
    """When a patient should complete an instrument; a background task sends due requests."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="measurement_schedules"
    )
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    interval_days = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["instrument", "created_at"]
        indexes = [models.Index(fields=["clinic", "active"])]
        constraints = [
            models.CheckConstraint(
                name="schedule_interval_needs_days",
                condition=Q(frequency="before_session", interval_days__isnull=True)
                | Q(frequency="interval", interval_days__gte=1),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()}: {self.describe()}"

    def describe(self) -> str:
        if self.frequency == Frequency.BEFORE_SESSION:
            return "before every treatment session"
        if self.interval_days == 7:
            return "weekly"
        return f"every {self.interval_days} days"


class InstrumentWording(models.Model):
    """Licensed item wording loaded with `ketaclinic load_instrument_text FILE`, in English or
    as a licensed translation."""

    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    # A code of settings.LANGUAGES ("en", "es"), checked when the text is loaded.
    language = models.CharField(max_length=5, default="en")
    instructions = models.TextField(blank=True)
    # {"1": {"text": "...", "options": {"0": "...", ...}}, ...}
    items = models.JSONField()
    licence_note = models.TextField(blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class InstrumentText(InstrumentWording):
    """Wording for every clinic of the installation (loaded without `--clinic`): reference
    data, with no clinic (docs/scale.md)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "language"], name="instrument_text_once_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} text, {self.language} (all clinics)"


class ClinicInstrumentText(ClinicScopedModel, InstrumentWording):
    """A clinic's own wording (loaded with `--clinic`); it wins over the installation's."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument", "language"],
                name="clinic_instrument_text_once_per_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} text, {self.language} ({self.clinic})"


class InstrumentSettings(ClinicScopedModel):
    """A clinic's own cut-offs for an instrument (e.g. MADRS remission 12 or less, an SD for the
    reliable change index); applied with rules.with_overrides."""

    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    overrides = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument"], name="instrument_settings_once_per_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} settings"
