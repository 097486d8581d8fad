"""AuditEvent: who did or saw what, when. Append-only: no update or delete path exists."""

from django.conf import settings
from django.db import models

from ketaclinic.core.models import Clinic


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an append-only record."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only: events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only: events cannot be deleted.")

    def visible_to(self, user):
        if getattr(user, "clinic_id", None) is None:
            return self.none()
        return self.filter(clinic_id=user.clinic_id)


class Via(models.TextChoices):
    WEB = "web", "Web page"
    API = "api", "API"
    CLI = "cli", "Command line"
    TASK = "task", "Background task"
    SYSTEM = "system", "System"


class AuditEvent(models.Model):
    """One action or view. `actor` is who acted; `patient` is whose record it touched."""

    occurred_at = models.DateTimeField(db_index=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Snapshot of who acted, readable even for system and command-line actions.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.SYSTEM)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "-occurred_at"]),
            models.Index(fields=["clinic", "patient", "-occurred_at"]),
            models.Index(fields=["clinic", "action", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: events cannot be deleted.")
