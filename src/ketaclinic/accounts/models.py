"""Staff users with one role in one clinic, and their API tokens (only hashes stored)."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role


class User(AbstractUser):
    """A member of staff. Belongs to exactly one clinic with exactly one role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    # Identifiers printed on REMS forms, superbills and DEA records.
    credentials = models.CharField(max_length=40, blank=True, help_text="e.g. MD, NP, RN")
    npi = models.CharField("NPI", max_length=10, blank=True)
    dea_number = models.CharField("DEA number", max_length=20, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = self.get_full_name().strip()
        name = full or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "No role"


class ApiToken(models.Model):
    """A bearer token for the API. The plaintext is shown once; only its SHA-256 is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # First characters of the token, so a user can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
