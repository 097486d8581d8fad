"""Staff users, their role at each clinic they work at (memberships), their API tokens (only
hashes stored, each bound to one clinic), and each clinic's sign-in policy (which roles need
two-factor authentication)."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ketaclinic.core.models import Clinic, ClinicScopedModel
from ketaclinic.core.permissions import Role


class User(AbstractUser):
    """A member of staff, with a role at each clinic they work at (`Membership`).

    `clinic` and `role` are the home clinic, where a sign-in starts, and the role there (one of
    the memberships, kept in step by the services). For the length of a request they hold the
    active clinic and the role there: the one chosen in the clinic switcher, or the clinic a
    token is bound to. Every read and write is scoped by them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    # Identifiers printed on REMS forms, superbills and DEA records.
    credentials = models.CharField(max_length=40, blank=True, help_text="e.g. MD, NP, RN")
    npi = models.CharField("NPI", max_length=10, blank=True)
    dea_number = models.CharField("DEA number", max_length=20, blank=True)
    # Set when an administrator chose the password (new staff, reset): the user must pick
    # their own before doing anything else.
    must_change_password = models.BooleanField(default=False)
    # Raised to end every open session of the user at once (deactivation, MFA reset, a role
    # that newly needs MFA): it is part of the hash each session carries.
    session_generation = models.PositiveIntegerField(default=0)
    # Whether the user has active memberships at more than one clinic (kept by the membership
    # services), so that the clinic switcher costs a query only for those who have one.
    works_at_several_clinics = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def end_all_sessions(self) -> None:
        """Make every open session of this user fail on its next request."""
        User.objects.filter(pk=self.pk).update(
            session_generation=models.F("session_generation") + 1
        )
        self.refresh_from_db(fields=["session_generation"])

    def _get_session_auth_hash(self, secret=None):
        # Generation 0 keeps Django's own hash, so sessions survive the upgrade to this field.
        message = self.password
        if self.session_generation:
            message = f"{self.password}|{self.session_generation}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            message,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

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

    @property
    def role_here_label(self) -> str:
        """The role at the clinic a staff list was read for (`role_here`), else `role`."""
        role = getattr(self, "role_here", self.role)
        return Role(role).label if role else "No role"


class Membership(ClinicScopedModel):
    """A member of staff at one clinic, with their role there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user"], name="one_membership_per_clinic")
        ]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.clinic_id} as {self.role}"

    @property
    def role_label(self) -> str:
        return Role(self.role).label


class ApiToken(models.Model):
    """A bearer token for the API. The plaintext is shown once; only its SHA-256 is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    # Looked up alone when a request brings a token (indexed); unique within the clinic.
    token_hash = models.CharField(max_length=64, db_index=True)
    # First characters of the token, so a user can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Past this instant the token answers 401 (default lifetime: settings.TOKEN_DAYS).
    expires_at = models.DateTimeField()
    # A read-only token may only read (GET/HEAD); anything else answers 403.
    read_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "token_hash"], name="api_token_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    def status(self, now=None) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"

    @property
    def is_active(self) -> bool:
        return self.status() == "active"


class ClinicSecurity(models.Model):
    """A clinic's sign-in policy. A clinic without a row gets the defaults: MFA required."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, primary_key=True, related_name="security"
    )
    mfa_required = models.BooleanField(
        "MFA required for prescribers, administrators and auditors",
        default=True,
        help_text="Off only for a demonstration clinic.",
    )
    mfa_required_for_all = models.BooleanField(
        "MFA required for every role",
        default=False,
        help_text="Nurses and front desk too.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic security policy"

    def __str__(self) -> str:
        return f"Sign-in policy of {self.clinic_id}"
