"""API input and output shapes of the PDMP check log, the rule table, the status and the report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

from ketaclinic.core.schemas import WorkingDate

from . import rules
from .models import Finding, Frequency

StateCode = str  # two letters; the service names a wrong one


class CheckIn(Schema):
    state: StateCode = Field(min_length=2, max_length=2, description="Two-letter US state code")
    checked_at: datetime = Field(description="When the PDMP was queried, with its UTC offset")
    transaction_id: str = Field(min_length=1, max_length=100)
    finding: Finding
    concern_note: str = Field("", max_length=2000, description="Required with 'concern'")
    note: str = Field("", max_length=2000)
    prescriber_id: UUID | None = Field(
        None, description="A nurse delegate names the prescriber; a prescriber leaves it empty"
    )


class CorrectionIn(Schema):
    reason: str = Field(min_length=1, max_length=300)
    entered_in_error: bool = Field(
        False, description="The entry should not exist (e.g. wrong patient); nothing replaces it"
    )
    state: StateCode = Field("", max_length=2)
    checked_at: datetime | None = None
    transaction_id: str = Field("", max_length=100)
    finding: Finding | Literal[""] = ""
    concern_note: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)


class CheckOut(Schema):
    id: UUID
    patient_id: UUID
    state: str
    checked_at: datetime
    prescriber_id: UUID
    prescriber: str
    checked_by: str
    by_delegate: bool
    recorded_by: str
    transaction_id: str
    finding: str
    finding_label: str
    concern_note: str
    note: str
    corrects_id: UUID | None
    correction_reason: str
    entered_in_error: bool
    superseded: bool
    created_at: datetime

    @staticmethod
    def resolve_prescriber(obj) -> str:
        return obj.prescriber.display_name

    @staticmethod
    def resolve_checked_by(obj) -> str:
        return obj.checked_by.display_name

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return obj.recorded_by.display_name

    @staticmethod
    def resolve_finding_label(obj) -> str:
        return obj.get_finding_display()


class RuleIn(Schema):
    state: StateCode = Field(min_length=2, max_length=2)
    before_prescribing: bool = False
    before_administering: bool = False
    frequency: Frequency
    window_days: int | None = Field(None, ge=1, le=rules.MAX_WINDOW_DAYS)
    source: str = Field(
        "", max_length=300, description="The statute or regulation; empty means clinic-entered"
    )
    scope: str = Field("", max_length=2000)
    last_reviewed_on: date | None = Field(None, description="Empty means today")


class RulesIn(Schema):
    practice_state: StateCode | None = Field(
        None, min_length=2, max_length=2, description="Confirm the state the clinic practises in"
    )
    rules: list[RuleIn] = Field(default_factory=list, max_length=60)


class RuleOut(Schema):
    state: str
    state_name: str
    before_prescribing: bool
    before_administering: bool
    frequency: str
    window_days: int | None
    source: str
    scope: str
    last_reviewed_on: date | None
    origin: str
    replaces_built_in: bool


class RuleTableOut(Schema):
    practice_state: str | None
    practice_state_confirmed_by: str | None
    practice_state_confirmed_at: datetime | None
    rules: list[RuleOut]


class StatusQuery(Schema):
    event: rules.Event
    prescriber_id: UUID | None = Field(None, description="Defaults to the asking prescriber")
    state: StateCode | None = Field(None, min_length=2, max_length=2)
    at: datetime | None = Field(None, description="Defaults to now")
    previous_order_at: datetime | None = None


class StatusOut(Schema):
    state: str
    event: str
    at: datetime
    required: bool
    satisfied: bool
    last_check_at: datetime | None
    message: str
    rule: RuleOut | None


class PdmpReportPeriod(Schema):
    model_config = ConfigDict(populate_by_name=True)

    date_from: WorkingDate = Field(alias="from")
    date_to: WorkingDate = Field(alias="to")


class ConcernOut(Schema):
    check_id: UUID
    patient_id: UUID
    patient: str
    mrn: str
    checked_at: datetime
    state: str
    concern_note: str


class OrderWithoutCheckOut(Schema):
    order_id: UUID
    patient_id: UUID
    patient: str
    mrn: str
    signed_at: datetime
    label: str
    reason: str


class PrescriberReportOut(Schema):
    prescriber_id: UUID
    prescriber: str
    checks: int
    by_delegate: int
    last_check_at: datetime | None
    concerns: list[ConcernOut]
    orders: int
    orders_without_check: list[OrderWithoutCheckOut]


class ReportOut(Schema):
    date_from: date
    date_to: date
    practice_state: str | None
    prescribers: list[PrescriberReportOut]
