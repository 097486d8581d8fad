"""Clinic tenancy: the Clinic, the base every clinical row inherits (UUID id + clinic), and the
clinic settings every app shares (the plausible-weight range)."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .numbers import ENVELOPE_MAX_KG, ENVELOPE_MIN_KG


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known IANA time zone (e.g. America/New_York).")


class Organization(models.Model):
    """A group of clinics (locations) under one operator: its network administrators,
    compliance officers and analysts work across its locations. A clinic created on its own is
    an organization of one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Clinic(models.Model):
    """A registered treatment location; every clinical row belongs to exactly one clinic.

    Each location has its own DEA registration, address, time zone, chairs, staff and ledger."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="clinics")
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

    def save(self, *args, **kwargs):
        if self.organization_id is None:  # a clinic on its own: an organization of one
            self.organization = Organization.objects.create(name=self.name)
        super().save(*args, **kwargs)

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


def only_row(related):
    """The one row behind a reverse relation that holds at most one row per parent (a foreign
    key made unique together with the clinic, docs/scale.md), or None. Reads the prefetched rows
    when the parent has them (`prefetch_related(<related_name>)`)."""
    rows = related.all()
    return rows[0] if rows else None


class ClinicScopedModel(models.Model):
    """Base for clinical rows: an opaque UUID id and the owning clinic."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ClinicScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class PlausibleWeightRange(ClinicScopedModel):
    """The weights a clinic accepts as typed (patient record, check-in, courses, dose orders).

    A data-entry plausibility range chosen by the clinic, not a clinical threshold: it catches
    typing errors before they reach a dose. Without a row the clinic uses 20-400 kg.
    """

    min_kg = models.DecimalField(max_digits=5, decimal_places=1, default=ENVELOPE_MIN_KG)
    max_kg = models.DecimalField(max_digits=5, decimal_places=1, default=ENVELOPE_MAX_KG)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Moved here from the patients app (patients, protocols and treatments all check
        # weights against it); the table kept its name, so no data moved.
        db_table = "patients_plausibleweightrange"
        constraints = [
            models.UniqueConstraint(fields=["clinic"], name="one_weight_range_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.min_kg}-{self.max_kg} kg"
