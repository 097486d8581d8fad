"""Protocol versions a clinic runs under, the clinic's open days, and treatment courses."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.core.models import ClinicScopedModel


class ProtocolVersion(ClinicScopedModel):
    """One immutable version of a protocol in a clinic (a built-in snapshot or a clinic copy).

    Sessions and courses point at the version they ran under, so changing a protocol never
    changes the record of a past session.
    """

    code = models.SlugField(max_length=60)
    base_code = models.SlugField(
        max_length=60, help_text="The built-in protocol this one derives from."
    )
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    # The full definition as JSON (protocols.editing.to_data); never edited in place.
    definition = models.JSONField()
    is_builtin = models.BooleanField(
        default=False, help_text="An unchanged snapshot of the built-in protocol."
    )
    change_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code", "version"], name="protocol_version_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def save(self, *args, **kwargs):
        # A version is a record of what sessions ran under: written once, never changed.
        if not self._state.adding:
            raise ValueError("A protocol version cannot be changed; create a new version.")
        super().save(*args, **kwargs)


class ClinicCalendar(ClinicScopedModel):
    """The weekdays a clinic treats patients on (course planning moves sessions off others)."""

    # Monday = 0 as in Python's date.weekday(); Monday-Friday unless the clinic says otherwise.
    open_weekdays = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic"], name="one_calendar_per_clinic")]

    def __str__(self) -> str:
        return f"Open days of {self.clinic_id}"


class ClosedDate(ClinicScopedModel):
    """A day the clinic is closed (holiday, training day)."""

    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "date"], name="closed_date_unique_in_clinic")
        ]

    def __str__(self) -> str:
        return self.date.isoformat()


class CourseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class Course(ClinicScopedModel):
    """A planned series of sessions under one protocol version for one patient."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="courses"
    )
    protocol_code = models.SlugField(max_length=60)
    status = models.CharField(
        max_length=12, choices=CourseStatus.choices, default=CourseStatus.ACTIVE
    )
    start_date = models.DateField()
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    planning_warnings = models.JSONField(default=list, blank=True)
    # Spravato REMS: whether the patient is enrolled, as confirmed by staff (the REMS Patient
    # Monitoring Form asks it at the first treatment). None: not confirmed yet.
    rems_enrolled = models.BooleanField(null=True, blank=True)
    rems_enrollment_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rems_enrollment_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="active"),
                name="one_active_course_per_patient",
            )
        ]
        indexes = [models.Index(fields=["clinic", "status"])]

    def __str__(self) -> str:
        return f"{self.protocol_code} from {self.start_date.isoformat()}"
