"""API input and output shapes for rating scales, alerts and self-report links."""

from datetime import date, datetime
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


class MeasureAlertOut(Schema):
    code: str
    message: str


class MeasureCreated(Schema):
    id: UUID
    instrument: str
    total: int | None
    severity: str | None
    administered_at: datetime
    alerts: list[MeasureAlertOut]


class MeasureReferralOut(Schema):
    organisation: str
    reference: str
    observed_on: date
    confirmed: bool = Field(description="Only a confirmed referral score may be a course baseline")
    confirmed_at: datetime | None
    confirmed_by: str | None


class MeasureRow(Schema):
    id: UUID
    instrument: str
    administered_at: datetime
    source: str
    source_label: str
    referral: MeasureReferralOut | None = Field(
        description="Set for a score that came with a referral"
    )
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
    alerts: list[MeasureAlertOut]


class ReferralConfirmed(Schema):
    id: UUID
    instrument: str
    total: int | None
    referral: MeasureReferralOut


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


class MeasureAlertAcknowledgeIn(Schema):
    note: str = Field(max_length=2000)


# --- instrument definitions (GET /instruments) -------------------------------------------------


class RangeOut(Schema):
    min: int
    max: int


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    number: str
    name: str
    text: str | None = Field(description="Published wording; null where the licence forbids it")
    range: RangeOut
    scored: bool
    answer: str = Field(description="required, optional, 'if item N is yes' or 'one of items'")
    options: list[OptionOut]


class DomainOut(Schema):
    name: str
    items: list[str]


class EitherOrOut(Schema):
    items: list[str]
    name: str
    rule: str
    source: str


class RiskLevelOut(Schema):
    level: str
    when_any: list[str]


class ScoringOut(Schema):
    method: str = Field(description="sum_of_domain_maxima or risk_level")
    in_words: str
    total_range: RangeOut | None
    domains: list[DomainOut]
    either_or: list[EitherOrOut]
    risk_levels: list[RiskLevelOut] | None
    source: str


class MeasureBandOut(Schema):
    low: int
    high: int
    label: str


class SafetyItemOut(Schema):
    code: str
    item: str | None
    threshold: int | None = Field(description="Lowest item answer that raises the alert")
    levels: list[str]
    in_words: str
    must_act: str
    source: str


class RemissionOut(Schema):
    operator: str
    value: int
    in_words: str
    source: str


class ResponseRuleOut(Schema):
    reduction_percent: int
    in_words: str
    source: str


class LoincOut(Schema):
    panel: str | None
    total: str | None


class TranslationOut(Schema):
    language: str
    source: str


class InstrumentOut(Schema):
    code: str
    name: str
    version: str
    completed_by: str
    item_text_ships: bool
    instructions: str | None
    items: list[ItemOut]
    scoring: ScoringOut
    bands: list[MeasureBandOut]
    bands_source: str
    safety_items: list[SafetyItemOut]
    remission: RemissionOut | None
    response: ResponseRuleOut | None
    loinc: LoincOut
    source: str
    licence: str
    notes: list[str]
    translations: list[TranslationOut] = Field(
        description="Published translations that ship, with their source (patients see them "
        "in their preferred language)."
    )
