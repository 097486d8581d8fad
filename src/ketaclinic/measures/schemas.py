"""API input and output shapes for rating scales, alerts and self-report links."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field


class MeasureIn(Schema):
    instrument: str = Field(max_length=40)
    # Values are checked by the scoring rules so that every bad item is named in one answer.
    answers: dict[str, Any]
    administered_at: datetime | None = None


class AlertOut(Schema):
    code: str
    message: str


class MeasureCreated(Schema):
    id: UUID
    instrument: str
    total: int | None
    severity: str | None
    administered_at: datetime
    alerts: list[AlertOut]


class MeasureRow(Schema):
    id: UUID
    instrument: str
    administered_at: datetime
    source: str
    answers: dict[str, int]
    total: int | None
    severity: str | None
    is_baseline: bool
    baseline: int | None
    change_from_baseline: int | None
    percent_change: Decimal | None
    response: bool | None
    remission: bool | None
    reliable_change_index: Decimal | None
    reliable_change: str | None
    alerts: list[AlertOut]


class MeasureFilter(Schema):
    instrument: str | None = Field(None, max_length=40)


class MeasureRequestIn(Schema):
    instruments: list[str] = Field(min_length=1, max_length=8)
    delivery: str = "link"


class MeasureRequestOut(Schema):
    id: UUID
    url: str
    expires_at: datetime
    instruments: list[str]
    delivery: str


class SafetyAlertOut(Schema):
    id: UUID
    patient_id: UUID
    patient_name: str
    patient_mrn: str
    response_id: UUID
    instrument: str
    code: str
    message: str
    must_act: str
    status: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    action_note: str


class AlertFilter(Schema):
    status: str = Field("open", pattern="^(open|acknowledged|all)$")


class AcknowledgeIn(Schema):
    note: str = Field(max_length=2000)
