"""API input and output shapes for access barriers, the waiting list and dropout risk."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from .models import BarrierKind


class BarrierIn(Schema):
    kind: BarrierKind
    detail: str = Field("", max_length=300)
    distance_miles: Decimal | None = Field(None, ge=0, lt=10000, max_digits=6, decimal_places=1)


class ResolveIn(Schema):
    resolution: str = Field(min_length=1, max_length=300)


class BarrierOut(Schema):
    id: UUID
    patient_id: UUID
    kind: str
    kind_label: str
    detail: str
    distance_miles: Decimal | None
    recorded_by: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return obj.recorded_by.display_name


class WaitingOut(Schema):
    position: int
    patient_id: UUID
    name: str
    mrn: str
    referred_on: date
    days_waiting: int
    referral_status: str
    tier: int
    priority: str
    # Clinical reasons for the tier; only for roles that may see scores (else empty).
    reasons: list[str]
    barriers: list[str]


class AccessSignalOut(Schema):
    code: str
    message: str
    action: str


class RiskOut(Schema):
    patient_id: UUID
    name: str
    mrn: str
    course_id: UUID
    protocol: str
    signals: list[AccessSignalOut]


class AccessSettingsIn(Schema):
    missed_sessions: int | None = Field(None, ge=1, le=20)
    cancelled_sessions: int | None = Field(None, ge=1, le=20)
    unpaid_after_days: int | None = Field(None, ge=0, le=365)
    suppression_threshold: int | None = Field(None, ge=1, le=100)


class AccessSettingsOut(Schema):
    missed_sessions: int
    cancelled_sessions: int
    unpaid_after_days: int
    suppression_threshold: int
