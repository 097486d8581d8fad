"""Clinic tenancy: the Clinic, and the base every clinical row inherits (UUID id + clinic)."""

import datetime
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known IANA time zone (e.g. America/New_York).")


class Clinic(models.Model):
    """A registered treatment location; every clinical row belongs to exactly one clinic."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    dea_registration_number = models.CharField("DEA registration number", max_length=20, blank=True)
    mrn_prefix = models.CharField(
        "MRN prefix", max_length=8, default="KC", help_text="Prefix of this clinic's MRNs."
    )
    # Next MRN counter; incremented under a row lock by register_patient.
    next_mrn = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self, now: datetime.datetime | None = None) -> datetime.date:
        """The clinic's local date (clinical dates are local dates, never the server's UTC date)."""
        return timezone.localdate(now or timezone.now(), self.tz)

    def local(self, moment: datetime.datetime) -> datetime.datetime:
        """An instant on the clinic's wall clock."""
        return timezone.localtime(moment, self.tz)


class ClinicScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only rows of the user's clinic; nothing at all for a user without one."""
        clinic_id = getattr(user, "clinic_id", None)
        if clinic_id is None or not getattr(user, "is_active", False):
            return self.none()
        return self.filter(clinic_id=clinic_id)

    def of_clinic(self, clinic):
        return self.filter(clinic=clinic)


class ClinicScopedModel(models.Model):
    """Base for clinical rows: an opaque UUID id and the owning clinic."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ClinicScopedQuerySet.as_manager()

    class Meta:
        abstract = True
