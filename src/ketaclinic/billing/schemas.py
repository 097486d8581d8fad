"""API input and output shapes for billing (amounts are exact decimals, sent as strings)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from .definitions import MINUTE_RULE_MAX
from .models import PaymentMethod


class FeeItemIn(Schema):
    service: str
    code: str = Field("", max_length=20)
    description: str = Field("", max_length=200)
    unit_price: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    discountable: bool = True


class FeeScheduleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    effective_from: date
    note: str = Field("", max_length=2000)
    items: list[FeeItemIn]


class FeeItemOut(Schema):
    service: str
    code: str
    description: str
    unit_price: Decimal
    discountable: bool


class FeeScheduleOut(Schema):
    id: UUID
    name: str
    effective_from: date
    note: str
    items: list[FeeItemOut]
    created_at: datetime


class BandIn(Schema):
    max_percent: Decimal | None = Field(None, gt=0, max_digits=6, decimal_places=2)
    discount_percent: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)


class SlidingScaleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    effective_from: date
    note: str = Field("", max_length=2000)
    bands: list[BandIn]


class DiscountBandOut(Schema):
    max_percent: Decimal | None
    discount_percent: Decimal
    label: str


class SlidingScaleOut(Schema):
    id: UUID
    name: str
    effective_from: date
    note: str
    bands: list[DiscountBandOut]


class GuidelineIn(Schema):
    first_person: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    each_additional: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    source: str = Field(min_length=1, max_length=300)


class GuidelineOut(Schema):
    year: int
    region: str
    first_person: Decimal
    each_additional: Decimal
    source: str


class LookupOut(Schema):
    household_size: int
    annual_income: Decimal
    guideline_year: int
    guideline_amount: Decimal
    percent_of_guideline: Decimal
    band: str
    discount_percent: Decimal
    rule: str


class ApplyScaleIn(Schema):
    household_size: int = Field(ge=1, le=30)
    annual_income: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    effective_from: date | None = None
    documentation: str = Field("", max_length=300)


class AssessmentOut(Schema):
    id: UUID
    household_size: int
    annual_income: Decimal
    guideline_year: int
    guideline_region: str
    guideline_amount: Decimal
    percent_of_guideline: Decimal
    band: str
    discount_percent: Decimal
    rule: str
    effective_from: date
    ended_on: date | None
    documentation: str
    approved_by: str
    approved_at: datetime

    @staticmethod
    def resolve_approved_by(obj) -> str:
        return obj.approved_by.display_name


class EstimateLineOut(Schema):
    phase: str
    phase_name: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    total: Decimal
    discount: Decimal


class DisputeOut(Schema):
    estimate_id: UUID
    issued_at: datetime
    estimated: Decimal
    charged: Decimal
    difference: Decimal
    threshold: Decimal
    exceeds: bool


class EstimateOut(Schema):
    protocol: str
    protocol_name: str
    start_date: date
    sessions: int
    sessions_by_phase: list[dict]
    lines: list[EstimateLineOut]
    subtotal: Decimal
    discount: Decimal
    discount_rule: str
    total: Decimal
    fee_schedule_id: UUID
    warnings: list[str]
    dispute: DisputeOut | None = None


class IssueEstimateIn(Schema):
    course_id: UUID | None = None
    protocol: str = Field("", max_length=60)
    start_date: date | None = None


class IssuedEstimateOut(Schema):
    id: UUID
    patient_id: UUID
    course_id: UUID | None
    protocol_code: str
    protocol_name: str
    start_date: date
    sessions: int
    lines: list[dict]
    subtotal: Decimal
    discount: Decimal
    discount_rule: str
    total: Decimal
    diagnosis_code: str
    warnings: list[str]
    issued_by: str
    created_at: datetime

    @staticmethod
    def resolve_issued_by(obj) -> str:
        return obj.issued_by.display_name


class ChargeIn(Schema):
    service: str
    service_date: date
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=9, decimal_places=2)
    rendering_provider_id: UUID | None = None
    basis: str = Field("", max_length=200)


class ChargeOut(Schema):
    id: UUID
    patient_id: UUID
    session_id: UUID | None
    course_id: UUID | None
    service_date: date
    service: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    discount_percent: Decimal
    discount_amount: Decimal
    net: Decimal
    discount_rule: str
    basis: str
    voided_at: datetime | None
    void_reason: str


class BatchOut(Schema):
    charged_sessions: int
    charges: list[ChargeOut]
    skipped: list[dict]


class VoidIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class PaymentIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    method: PaymentMethod
    received_on: date | None = None
    reference: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class PaymentOut(Schema):
    id: UUID
    patient_id: UUID
    amount: Decimal
    method: str
    received_on: date
    reference: str
    note: str
    voided_at: datetime | None
    void_reason: str


class AccountOut(Schema):
    charged: Decimal
    discounts: Decimal
    net: Decimal
    paid: Decimal
    balance: Decimal


class DiagnosisIn(Schema):
    code: str = Field(min_length=3, max_length=8)
    description: str = Field("", max_length=200)


class DiagnosisOut(Schema):
    code: str
    description: str
    created_at: datetime


class BillingSettingsIn(Schema):
    billing_npi: str | None = Field(None, max_length=10)
    tax_id: str | None = Field(None, max_length=20)
    place_of_service: str | None = Field(None, min_length=2, max_length=2)
    poverty_region: str | None = None
    dispute_threshold: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    infusion_push_max_minutes: int | None = Field(
        None, ge=0, le=MINUTE_RULE_MAX["infusion_push_max_minutes"]
    )
    infusion_additional_more_than_minutes: int | None = Field(
        None, ge=0, le=MINUTE_RULE_MAX["infusion_additional_more_than_minutes"]
    )
    esketamine_low_dose_max_mg: Decimal | None = Field(None, gt=0, max_digits=5, decimal_places=1)
    charge_at_discharge: str | None = Field(None, pattern="^(automatic|manual)$")


class BillingSettingsOut(Schema):
    billing_npi: str
    tax_id: str
    place_of_service: str
    poverty_region: str
    dispute_threshold: Decimal
    infusion_push_max_minutes: int
    infusion_additional_more_than_minutes: int
    esketamine_low_dose_max_mg: Decimal
    charge_at_discharge: str
