"""API input and output shapes for courses and treatment sessions."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from ketaclinic.core.pagination import MAX_PAGE
from ketaclinic.core.schemas import PlainDecimal

# --- courses ---------------------------------------------------------------------------------
# Weights are checked against the clinic's plausible range by the services (422 naming the
# field and the range); the schema only refuses what is not a plain decimal number.


class CourseIn(Schema):
    protocol: str = Field(min_length=1, max_length=60)
    start_date: datetime.date
    weight_kg: PlainDecimal | None = Field(None, max_digits=5, decimal_places=1)
    maintenance_sessions: int | None = Field(None, ge=0, le=52)


class CourseSessionOut(Schema):
    id: UUID
    number: int
    date: datetime.date
    phase: str
    planned_dose_mg: Decimal | None
    planned_dose_mg_per_kg: Decimal | None
    status: str


class ExposureOut(Schema):
    drug: str
    protocol: str
    window_days: int
    window_start: datetime.date
    as_of: datetime.date
    sessions: int
    total_mg: Decimal
    max_sessions: int | None
    max_mg: Decimal | None
    limit_source: str
    warnings: list[str]


class CourseOut(Schema):
    id: UUID
    patient_id: UUID
    protocol: str
    protocol_version: int
    status: str
    start_date: datetime.date
    weight_kg: Decimal | None
    warnings: list[str]
    rems_enrolled: bool | None
    sessions: list[CourseSessionOut]
    exposure: ExposureOut


class CourseStopIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class RescheduleIn(Schema):
    date: datetime.date


class RescheduleOut(Schema):
    session_id: UUID
    date: datetime.date
    warnings: list[str]


# --- output ----------------------------------------------------------------------------------


class IssueOut(Schema):
    code: str
    message: str


class SessionAlertOut(Schema):
    id: UUID
    code: str
    label: str
    message: str
    measure: str
    value: Decimal
    threshold: Decimal
    comparison: str
    source: str
    raised_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    acknowledged_by: str | None
    intervention: str
    intervention_note: str


class VitalsOut(Schema):
    id: UUID
    measured_at: datetime.datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    resp_rate: int | None
    temperature_c: Decimal | None
    pre_dose: bool
    recorded_by: str


class ScaleOut(Schema):
    id: UUID
    scale: str
    score: int
    items: dict[str, Any]
    measured_at: datetime.datetime
    recorded_by: str


class AdverseEventOut(Schema):
    id: UUID
    code: str
    description: str
    severity: str
    onset_at: datetime.datetime
    action: str
    outcome: str
    resolved_at: datetime.datetime | None


class DueOut(Schema):
    scale: str
    due_at: datetime.datetime | None
    reason: str


class PreCheckOut(Schema):
    last_food_at: datetime.datetime | None
    last_liquid_at: datetime.datetime | None
    nasal_products_at: datetime.datetime | None
    escort_confirmed: bool
    escort_name: str
    prescriber_on_site: bool
    medications_reviewed: bool
    medication_classes: list[str]
    measures_done: bool
    pregnancy_test: str
    decision_needed: bool
    decision: str
    decision_note: str


class OrderOut(Schema):
    dose_mg: Decimal
    calculated_dose_mg: Decimal | None
    max_dose_note: str
    dose_mg_per_kg: Decimal | None
    weight_kg: Decimal | None
    dosing_weight_kg: Decimal | None
    dosing_weight_basis: str
    height_cm: Decimal | None
    concentration_mg_per_ml: Decimal | None
    bag_volume_ml: Decimal | None
    duration_min: int | None
    draw_volume_ml: Decimal | None
    infusion_volume_ml: Decimal | None
    rate_ml_per_h: Decimal | None
    devices: int | None
    capped: bool
    ordered_by: str
    signed_at: datetime.datetime
    lot_id: UUID | None
    product: str
    lot_number: str
    checked_by: str | None
    checked_at: datetime.datetime | None


class NoteOut(Schema):
    text: str
    signed_by: str | None
    signed_at: datetime.datetime | None
    addenda: list[dict[str, Any]]


class SessionSummaryOut(Schema):
    id: UUID
    patient_id: UUID
    patient_name: str
    course_id: UUID
    protocol: str
    number: int
    phase: str
    scheduled_date: datetime.date
    status: str
    chair: str
    dose_started_at: datetime.datetime | None


class SessionOut(SessionSummaryOut):
    protocol_version: int
    checked_in_at: datetime.datetime | None
    devices_given: int
    infusion_ended_at: datetime.datetime | None
    discharged_at: datetime.datetime | None
    aborted_at: datetime.datetime | None
    abort_reason: str
    minutes_since_dose: int | None
    observation_ends_at: datetime.datetime | None
    next_vitals_due_at: datetime.datetime | None
    next_vitals_reason: str
    vitals_overdue: bool
    assessments_due: list[DueOut]
    open_alerts: list[SessionAlertOut]
    alerts: list[SessionAlertOut]
    vitals: list[VitalsOut]
    scales: list[ScaleOut]
    adverse_events: list[AdverseEventOut]
    pre_check: PreCheckOut | None
    pre_check_issues: list[IssueOut]
    decision_reasons: list[IssueOut]
    order: OrderOut | None
    discharge_issues: list[IssueOut]
    clinically_ready: bool
    ready_to_leave_at: datetime.datetime | None
    pulse_oximetry_monitored: bool | None
    discharge_override_note: str
    note: NoteOut | None
    rems_form_required: bool
    rems_submitted_at: datetime.datetime | None


class VitalsAnswerOut(Schema):
    entry: VitalsOut
    alerts: list[SessionAlertOut]
    session: SessionOut


class ScaleAnswerOut(Schema):
    entry: ScaleOut
    alerts: list[SessionAlertOut]
    session: SessionOut


class RemsDueOut(Schema):
    session_id: UUID
    patient_id: UUID
    patient_name: str
    treated_on: datetime.date
    deadline: datetime.date
    days_left: int
    overdue: bool


# --- input -----------------------------------------------------------------------------------


class CheckInIn(Schema):
    chair: str = Field("", max_length=20)
    # Checked against the clinic's plausible weight range (422 naming the range).
    weight_kg: PlainDecimal | None = Field(None, max_digits=5, decimal_places=1)
    at: datetime.datetime | None = None


class VitalsIn(Schema):
    measured_at: datetime.datetime | None = None
    systolic: int | None = Field(None, ge=0, le=400)
    diastolic: int | None = Field(None, ge=0, le=300)
    heart_rate: int | None = Field(None, ge=0, le=400)
    spo2: int | None = Field(None, ge=0, le=100)
    resp_rate: int | None = Field(None, ge=0, le=120)
    temperature_c: Decimal | None = Field(None, ge=20, le=50, decimal_places=1)


class PreChecksIn(Schema):
    last_food_at: datetime.datetime | None = None
    last_liquid_at: datetime.datetime | None = None
    nasal_products_at: datetime.datetime | None = None
    escort_confirmed: bool | None = None
    escort_name: str | None = Field(None, max_length=200)
    escort_phone: str | None = Field(None, max_length=40)
    prescriber_on_site: bool | None = None
    medications_reviewed: bool | None = None
    medication_classes: list[str] | None = None
    measures_done: bool | None = None
    pregnancy_test: str | None = Field(None, max_length=20)
    # Spravato REMS enrollment, confirmed by staff (recorded on the patient's course).
    rems_patient_enrolled: bool | None = None
    vitals: VitalsIn | None = None


class GoNoGoIn(Schema):
    decision: str = Field(max_length=10)
    note: str = Field(max_length=4000)


class OrderIn(Schema):
    dose_mg: PlainDecimal | None = Field(None, max_digits=7, decimal_places=1)
    dose_mg_per_kg: PlainDecimal | None = Field(None, max_digits=5, decimal_places=3)
    weight_kg: PlainDecimal | None = Field(None, max_digits=5, decimal_places=1)
    concentration_mg_per_ml: PlainDecimal | None = Field(None, max_digits=7, decimal_places=2)
    bag_volume_ml: PlainDecimal | None = Field(None, max_digits=7, decimal_places=2)
    duration_min: int | None = Field(None, ge=1, le=1440)
    height_cm: PlainDecimal | None = Field(None, max_digits=4, decimal_places=1)


class SecondCheckIn(Schema):
    # A lot of the ledger (GET /api/v1/ledger/lots): the session's drug, unexpired, on hand.
    lot_id: str | None = Field(None, max_length=40)
    calculation_confirmed: bool


class AtIn(Schema):
    at: datetime.datetime | None = None


class ScaleIn(Schema):
    scale: str = Field(max_length=10)
    score: int | None = None
    items: dict[str, int] | list[int] | None = None
    measured_at: datetime.datetime | None = None


class SessionAlertAcknowledgeIn(Schema):
    intervention: str = Field(max_length=30)
    note: str = Field("", max_length=4000)


class AdverseEventIn(Schema):
    code: str = Field(max_length=30)
    severity: str = Field(max_length=10)
    action: str = Field(max_length=30)
    outcome: str = Field(max_length=20)
    onset_at: datetime.datetime | None = None
    resolved_at: datetime.datetime | None = None
    description: str = Field("", max_length=300)


class AdverseEventUpdateIn(Schema):
    outcome: str = Field(max_length=20)
    action: str | None = Field(None, max_length=30)
    resolved_at: datetime.datetime | None = None


class DischargeIn(Schema):
    escort_present: bool = False
    override_note: str = Field("", max_length=4000)
    ready_to_leave_at: datetime.datetime | None = None
    pulse_oximetry_monitored: bool | None = None
    at: datetime.datetime | None = None


class ReasonIn(Schema):
    reason: str = Field(max_length=4000)


class NoteIn(Schema):
    text: str = Field(max_length=20000)


class RemsSubmittedIn(Schema):
    confirmation: str = Field("", max_length=100)


class SessionFilter(Schema):
    status: str = Field("", max_length=24)
    date: datetime.date | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
