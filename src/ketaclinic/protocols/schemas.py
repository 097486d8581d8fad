"""API input and output shapes for protocols, schedule previews and dose calculations."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from ketaclinic.core.schemas import PlainDecimal

# Weights are checked against the clinic's plausible range by the services (422 naming the
# field and the range); the schema only refuses what is not a plain decimal number.


class ProtocolOut(Schema):
    code: str
    base_code: str
    version: int
    is_builtin: bool
    name: str
    drug: str
    route: str
    consent_type: str
    jurisdiction: str
    summary: str
    configured: bool
    needs_configuration: list[str]
    definition: dict[str, Any]


class ProtocolChangeIn(Schema):
    changes: dict[str, Any]
    note: str = Field(min_length=1, max_length=2000)


class ProtocolCopyIn(Schema):
    code: str = Field(min_length=2, max_length=60)
    name: str = Field(min_length=1, max_length=200)
    changes: dict[str, Any] = Field(default_factory=dict)
    note: str = Field("", max_length=2000)


class SchedulePreviewIn(Schema):
    start_date: datetime.date
    weight_kg: PlainDecimal | None = Field(None, max_digits=5, decimal_places=1)
    age_years: int | None = Field(None, ge=0, le=120)
    maintenance_sessions: int | None = Field(None, ge=0, le=52)


class PlannedSessionOut(Schema):
    number: int
    date: datetime.date
    phase: str
    week: int
    planned_dose_mg: Decimal | None
    planned_dose_mg_per_kg: Decimal | None


class SchedulePreviewOut(Schema):
    protocol: str
    sessions: list[PlannedSessionOut]
    warnings: list[str]


class DoseCalculationIn(Schema):
    protocol: str = Field(min_length=1, max_length=60)
    weight_kg: PlainDecimal | None = Field(None, max_digits=6, decimal_places=2)
    concentration_mg_per_ml: PlainDecimal | None = Field(None, max_digits=7, decimal_places=2)
    bag_volume_ml: PlainDecimal | None = Field(None, max_digits=7, decimal_places=2)
    dose_mg_per_kg: PlainDecimal | None = Field(None, max_digits=5, decimal_places=3)
    duration_min: int | None = Field(None, ge=1, le=1440)
    dose_mg: PlainDecimal | None = Field(None, max_digits=7, decimal_places=1)
    height_cm: PlainDecimal | None = Field(None, max_digits=4, decimal_places=1)
    sex: Literal["male", "female"] | None = None
    age_years: int | None = Field(None, ge=0, le=120)


class DoseCalculationOut(Schema):
    protocol: str
    jurisdiction: str
    dose_mg: Decimal
    max_dose_mg: Decimal | None
    max_dose_note: str
    calculated_dose_mg: Decimal | None = None
    dose_mg_per_kg: Decimal | None = None
    clinic_max_dose_mg: Decimal | None = None
    weight_kg: Decimal | None = None
    dosing_weight_kg: Decimal | None = None
    dosing_weight_basis: str | None = None
    dosing_weight_source: str | None = None
    ideal_body_weight_kg: Decimal | None = None
    concentration_mg_per_ml: Decimal | None = None
    draw_volume_ml: Decimal | None = None
    infusion_volume_ml: Decimal | None = None
    duration_min: int | None = None
    rate_ml_per_h: Decimal | None = None
    actual_duration_min: Decimal | None = None
    devices: int | None = None
    device_mg: Decimal | None = None
    allowed_doses_mg: list[Decimal] | None = None
    rest_between_devices_min: int | None = None
    warnings: list[str] = []
    rounding: str


class OpenDaysIn(Schema):
    weekdays: list[int]
