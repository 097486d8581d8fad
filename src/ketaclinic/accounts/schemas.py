"""API input and output shapes of the accounts app: tokens, staff, the clinic's sign-in policy."""

from datetime import datetime
from uuid import UUID

from django.conf import settings
from ninja import Schema
from pydantic import Field

from ketaclinic.core.permissions import Role


class TokenOut(Schema):
    id: UUID
    name: str
    prefix: str
    username: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    read_only: bool
    status: str = Field(description="active, expired or revoked")

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.status()


class TokenCreateIn(Schema):
    name: str = Field("", max_length=100)
    days: int | None = Field(
        None,
        ge=1,
        le=settings.TOKEN_DAYS,
        description="Lifetime in days (default and maximum: the server's token lifetime).",
    )
    read_only: bool = Field(False, description="A read-only token may only GET and HEAD.")


class TokenCreatedOut(TokenOut):
    token: str


class MeOut(Schema):
    id: UUID
    username: str
    display_name: str
    role: str
    clinic: str


class StaffOut(Schema):
    id: UUID
    username: str
    first_name: str
    last_name: str
    display_name: str
    email: str
    role: str = Field(alias="role_here", description="The role at this clinic.")
    credentials: str
    npi: str
    dea_number: str
    is_active: bool = Field(alias="active_here", description="Active at this clinic.")
    mfa_enrolled: bool
    must_change_password: bool
    last_login: datetime | None
    date_joined: datetime


class StaffCreateIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(
        min_length=1, max_length=128, description="Temporary: changed at the first sign-in."
    )
    role: Role
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    credentials: str = Field("", max_length=40)
    npi: str = Field("", max_length=10)
    dea_number: str = Field("", max_length=20)


class RoleIn(Schema):
    role: Role


class PasswordResetIn(Schema):
    password: str = Field(
        min_length=1, max_length=128, description="Temporary: changed at the next sign-in."
    )


class SecurityPolicyOut(Schema):
    mfa_required: bool = Field(
        description="Prescribers, clinic administrators and auditors sign in with a second factor."
    )
    mfa_required_for_all: bool = Field(description="Every role signs in with a second factor.")


class SecurityPolicyIn(Schema):
    mfa_required_for_all: bool


class MembershipIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    clinic: str = Field(min_length=1, max_length=60, description="Slug of the location.")
    role: Role


class MembershipOut(Schema):
    username: str = Field(alias="user.username")
    clinic: str = Field(alias="clinic.slug")
    role: str
    is_active: bool
