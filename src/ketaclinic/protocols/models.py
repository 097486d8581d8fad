"""Protocol versions a clinic runs under and the clinic's calendar (open days, closed dates)."""

from django.conf import settings
from django.db import models

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
