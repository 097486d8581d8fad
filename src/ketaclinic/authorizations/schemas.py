"""API input and output shapes for coverage, benefits checks and prior authorizations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

YesNoUnknown = Literal["yes", "no", "unknown"]
Relationship = Literal["self", "spouse", "child", "other"]


class CoverageIn(Schema):
    payer_name: str = Field(min_length=1, max_length=200)
    member_id: str = Field(min_length=1, max_length=60)
    effective_from: date
    effective_to: date | None = None
    order: int = Field(1, ge=1, le=3)
    plan_name: str = Field("", max_length=200)
    group_number: str = Field("", max_length=60)
    subscriber_name: str = Field("", max_length=200)
    subscriber_relationship: Relationship = "self"


class CoveragePatch(Schema):
    payer_name: str | None = Field(None, min_length=1, max_length=200)
    member_id: str | None = Field(None, min_length=1, max_length=60)
    effective_from: date | None = None
    effective_to: date | None = None
    order: int | None = Field(None, ge=1, le=3)
    plan_name: str | None = Field(None, max_length=200)
    group_number: str | None = Field(None, max_length=60)
    subscriber_name: str | None = Field(None, max_length=200)
    subscriber_relationship: Relationship | None = None


class CoverageOut(Schema):
    id: UUID
    order: int
    payer_name: str
    plan_name: str
    member_id: str
    group_number: str
    subscriber_name: str
    subscriber_relationship: str
    effective_from: date
    effective_to: date | None


class BenefitsCheckIn(Schema):
    coverage_id: UUID
    summary: str = Field(min_length=1, max_length=4000)
    checked_on: date | None = None
    covered: YesNoUnknown = "unknown"
    deductible_remaining: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    out_of_pocket_remaining: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    prior_authorization_required: YesNoUnknown = "unknown"
    payer_reference: str = Field("", max_length=100)


class BenefitsCheckOut(Schema):
    id: UUID
    coverage_id: UUID
    payer_name: str
    checked_on: date
    checked_by: str
    summary: str
    covered: str
    deductible_remaining: Decimal | None
    out_of_pocket_remaining: Decimal | None
    prior_authorization_required: str
    payer_reference: str


class AuthorizationIn(Schema):
    course_id: UUID | None = None
    protocol_code: str = Field("", max_length=60)
    coverage_id: UUID | None = None
    unit: Literal["session", "device"] = "session"
    requested_units: int | None = Field(None, ge=1, le=500)
    payer_reference: str = Field("", max_length=100)
    checklist_id: UUID | None = None
    note: str = Field("", max_length=4000)


class AuthorizationPatch(Schema):
    course_id: UUID | None = None
    coverage_id: UUID | None = None
    unit: Literal["session", "device"] | None = None
    requested_units: int | None = Field(None, ge=1, le=500)
    payer_reference: str | None = Field(None, max_length=100)
    checklist_id: UUID | None = None
    note: str | None = Field(None, max_length=4000)
    approved_units: int | None = Field(None, ge=1, le=500)
    approved_dose_mg: Decimal | None = Field(None, gt=0, le=1000, max_digits=5, decimal_places=1)
    approved_units_per_session: int | None = Field(None, ge=1, le=20)
    valid_from: date | None = None
    valid_to: date | None = None


class StatusIn(Schema):
    to: Literal["submitted", "pending", "approved", "denied", "appealed", "expired"]
    on: date | None = None
    note: str = Field("", max_length=4000)
    reason: str = Field("", max_length=4000)
    payer_reference: str = Field("", max_length=100)
    approved_units: int | None = Field(None, ge=1, le=500)
    approved_dose_mg: Decimal | None = Field(None, gt=0, le=1000, max_digits=5, decimal_places=1)
    approved_units_per_session: int | None = Field(None, ge=1, le=20)
    valid_from: date | None = None
    valid_to: date | None = None
    unit: Literal["session", "device"] | None = None


class ChangeOut(Schema):
    id: UUID
    from_status: str
    to_status: str
    on: date
    note: str
    reason: str
    payer_reference: str
    appeals_id: UUID | None
    recorded_by: str


class WarningOut(Schema):
    kind: str
    message: str
    day: date
    session_number: int | None


class UsageOut(Schema):
    unit: str
    approved: int
    used: int
    left: int
    planned: int


class SessionCoverageOut(Schema):
    number: int
    day: date
    dosed: bool
    authorization_id: UUID | None
    units: int
    problem: str | None
    dose_above_approved_mg: Decimal | None


class AuthorizationOut(Schema):
    id: UUID
    patient_id: UUID
    status: str
    status_label: str
    course_id: UUID | None
    protocol_code: str
    drug: str
    coverage_id: UUID | None
    payer_name: str
    payer_reference: str
    unit: str
    requested_units: int | None
    approved_units: int | None
    approved_dose_mg: Decimal | None
    approved_units_per_session: int | None
    valid_from: date | None
    valid_to: date | None
    submitted_on: date | None
    decided_on: date | None
    denial_reason: str
    checklist_id: UUID | None
    note: str
    created_at: datetime


class AuthorizationDetailOut(AuthorizationOut):
    usage: UsageOut | None
    warnings: list[WarningOut]
    sessions: list[SessionCoverageOut]
    changes: list[ChangeOut]
    next_statuses: list[str]


class CourseCoverageOut(Schema):
    course_id: UUID
    protocol_code: str
    planned_sessions: int
    dosed_sessions: int
    authorizations: list[AuthorizationOut]
    usages: list[UsageOut]
    sessions: list[SessionCoverageOut]
    warnings: list[WarningOut]


class WorkItemOut(Schema):
    kind: str
    message: str
    day: date
    patient_id: UUID
    patient_name: str
    mrn: str
    authorization_id: UUID | None
    course_id: UUID | None
    session_number: int | None


class SessionStatusOut(Schema):
    level: str
    text: str
    authorization_id: UUID | None


class CriterionIn(Schema):
    kind: Literal[
        "diagnosis",
        "failed_trials",
        "failed_trials_in_classes",
        "rating_scale_history",
        "rems_patient",
        "rems_site",
        "contraindications_screened",
        "manual",
    ]
    label: str = Field(min_length=1, max_length=300)
    params: dict = Field(default_factory=dict)


class ChecklistIn(Schema):
    payer_name: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=2000)
    note: str = Field("", max_length=4000)
    criteria: list[CriterionIn] = Field(min_length=1, max_length=40)


class CriterionOut(Schema):
    position: int
    kind: str
    label: str
    params: dict


class ChecklistOut(Schema):
    id: UUID
    payer_name: str
    source: str
    note: str
    criteria: list[CriterionOut]


class AuthorizationSettingsIn(Schema):
    site_rems_certified: bool | None = None
    site_rems_reference: str | None = Field(None, max_length=100)
    site_rems_certified_on: date | None = None
    expiry_warning_days: int | None = Field(None, ge=1, le=120)


class AuthorizationSettingsOut(Schema):
    site_rems_certified: bool | None
    site_rems_reference: str
    site_rems_certified_on: date | None
    expiry_warning_days: int


class CriterionResultOut(Schema):
    label: str
    kind: str
    verdict: str
    evidence: list[str]


class PacketOut(Schema):
    authorization_id: UUID
    payer_name: str
    checklist_id: UUID | None
    checklist_source: str
    criteria: list[CriterionResultOut]
    met: int
    not_met: int
    by_hand: int
    nothing_sent: str
