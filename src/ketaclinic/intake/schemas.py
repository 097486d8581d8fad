"""API input and output shapes for intake."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from ketaclinic.core.pagination import MAX_PAGE

from .models import Adherence, ConsentType, ReferralStatus, SignerRelationship, TrialOutcome
from .rules import QUESTION_KEYS, Severity

AnswerValue = Literal["yes", "no", "unknown"]


class TrialIn(Schema):
    drug: str = Field(min_length=1, max_length=120, description="Lower-case generic name.")
    daily_dose_mg: Decimal | None = Field(None, gt=0, le=10000)
    weeks: Decimal | None = Field(None, ge=0, le=1000)
    started_on: date | None = None
    ended_on: date | None = None
    adherence: Adherence = Adherence.UNKNOWN
    outcome: TrialOutcome | None = None
    current_episode: bool = True
    clinician_confirmed_adequate: bool = False
    notes: str = Field("", max_length=2000)


class TrialPatch(Schema):
    drug: str | None = Field(None, min_length=1, max_length=120)
    daily_dose_mg: Decimal | None = Field(None, gt=0, le=10000)
    weeks: Decimal | None = Field(None, ge=0, le=1000)
    started_on: date | None = None
    ended_on: date | None = None
    adherence: Adherence | None = None
    outcome: TrialOutcome | None = None
    current_episode: bool | None = None
    notes: str | None = Field(None, max_length=2000)


class TrialConfirmIn(Schema):
    dose_adequate: bool = Field(
        False,
        description="For a drug outside the dose table: the clinician judged the dose adequate.",
    )


class TrialOut(Schema):
    id: UUID
    drug: str
    in_dose_table: bool
    drug_class: str | None
    min_daily_dose_mg: Decimal | None
    dose_source: str = Field(description="Source of the dose-table row that judged this trial.")
    needs_verification: bool = Field(
        description="The dose-table row that judged this trial is not yet verified against "
        "its primary source (the MGH-ATRQ form)."
    )
    dose_needs_confirmation: bool = Field(
        description="The table cannot judge this dose (drug not in it, or no verified minimum) "
        "and no clinician has confirmed it."
    )
    daily_dose_mg: Decimal | None
    weeks: Decimal | None
    started_on: date | None
    ended_on: date | None
    adherence: str
    outcome: str | None
    current_episode: bool
    clinician_confirmed_adequate: bool
    needs_review: bool
    status: str
    adequate: bool
    counts_toward_trd: bool
    reasons: list[str]
    source_text: str
    notes: str
    recorded_by: str | None
    reviewed_by: str | None
    created_at: datetime


class HistoryIn(Schema):
    episode_onset: date | None = None
    current_severity: Severity | None = None
    augmentation_used: bool | None = None
    augmentation_notes: str | None = Field(None, max_length=2000)
    psychotherapy: bool | None = None
    psychotherapy_notes: str | None = Field(None, max_length=2000)
    ect_used: bool | None = None
    ect_notes: str | None = Field(None, max_length=2000)
    tms_used: bool | None = None
    tms_notes: str | None = Field(None, max_length=2000)


class HistoryOut(Schema):
    episode_onset: date | None
    current_severity: str | None
    augmentation_used: bool
    augmentation_notes: str
    psychotherapy: bool
    psychotherapy_notes: str
    ect_used: bool
    ect_notes: str
    tms_used: bool
    tms_notes: str
    updated_by: str | None
    updated_at: datetime | None


# One optional field per checklist question, so the OpenAPI document names every key; any
# other key is refused (422) rather than silently ignored.
class _StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


ContraindicationsIn = create_model(
    "ContraindicationsIn",
    __base__=_StrictSchema,
    **dict.fromkeys(QUESTION_KEYS, (AnswerValue | None, None)),
    note=(str, Field("", max_length=300)),
)


class AnswerOut(Schema):
    key: str
    question: str
    esketamine_absolute: bool
    absolute_for: list[str] = Field(
        description="Drugs whose product label makes a 'yes' an absolute contraindication."
    )
    source: str = Field(description="The label(s), or the sources of the caution.")
    answer: AnswerValue
    recorded_by: str | None
    recorded_at: datetime | None
    note: str


class IntakeProtocolOut(Schema):
    code: str
    name: str
    drug: str
    consent_type: str


class MaudsleyOut(Schema):
    score: int | None
    band: str | None
    items: dict[str, int]
    missing: list[str]
    note: str


class SuicideRiskOut(Schema):
    level: str | None
    urgent_review: bool


class EligibilityOut(Schema):
    protocol: IntakeProtocolOut
    trd: bool
    adequate_failed_trials: int
    failed_drugs: list[str]
    maudsley: MaudsleyOut
    contraindications: list[str]
    cautions: list[str]
    unknown: list[str]
    suicide_risk: SuicideRiskOut
    recommendation: Literal["eligible", "review", "ineligible"]
    reasons: list[str]
    approval_blocked: bool
    treatment_blockers: list[str]


class EligibilityQuery(Schema):
    protocol: str | None = Field(None, max_length=60)


class DecisionIn(Schema):
    protocol: str | None = Field(None, max_length=60)
    outcome: Literal["approve", "decline"]
    note: str = Field("", max_length=4000)
    justification: str = Field("", max_length=4000)


class DecisionOut(Schema):
    id: UUID
    protocol_code: str
    drug: str
    outcome: str
    recommendation: str
    against_recommendation: bool
    reasons: list[str]
    note: str
    justification: str
    decided_by: str
    decided_at: datetime


class ConsentDocumentIn(Schema):
    consent_type: ConsentType
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=50000)


class ConsentDocumentOut(Schema):
    consent_type: str
    version: int
    title: str
    body: str
    published: bool


class ConsentIn(Schema):
    consent_type: ConsentType
    signer_name: str = Field(min_length=1, max_length=200)
    signer_relationship: SignerRelationship = SignerRelationship.PATIENT
    witness_name: str = Field(min_length=1, max_length=200)
    signed_on: date
    version: int | None = Field(None, ge=1)


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class ConsentOut(Schema):
    id: UUID
    consent_type: str
    version: int
    document_title: str
    signer_name: str
    signer_relationship: str
    witness_name: str
    signed_on: date
    recorded_by: str
    active: bool
    revoked_at: datetime | None
    revoked_by: str | None
    revocation_reason: str


class BlockersOut(Schema):
    protocol: str
    may_treat: bool
    blockers: list[str]


class ImportOut(Schema):
    patient_id: UUID
    created: bool
    imported: dict[str, int]
    unmapped: list[dict[str, str]]


class ReferralIn(Schema):
    patient_id: UUID
    referred_on: date | None = None
    referring_clinician: str = Field("", max_length=200)
    reason: str = Field("", max_length=4000)


class IntakeReferralOut(Schema):
    id: UUID
    patient_id: UUID
    patient_name: str
    mrn: str
    status: str
    source: str
    referred_on: date
    referring_clinician: str


class ReferralPage(Schema):
    items: list[IntakeReferralOut]
    count: int
    page: int
    pages: int


class ReferralSearch(Schema):
    status: ReferralStatus | None = None
    q: str = Field("", max_length=200)
    page: int = Field(1, ge=1, le=MAX_PAGE)


class AntidepressantOut(Schema):
    name: str
    drug_class: str
    min_daily_dose_mg: Decimal | None = Field(
        description="Lowest adequate daily dose; null when no minimum could be verified "
        "(each trial's dose then needs a clinician's confirmation)."
    )
    inadequate_at_or_below_mg: Decimal | None = Field(
        None, description="A daily dose the source states is too low, when one is known."
    )
    source: str
    needs_verification: bool


class AntidepressantIn(Schema):
    drug_class: str = Field(min_length=1, max_length=40)
    min_daily_dose_mg: Decimal = Field(gt=0, le=10000)
    source: str = Field(min_length=1, max_length=300)


class SettingsIO(Schema):
    min_trial_weeks: int | None = Field(None, ge=1, le=52)
    min_failed_trials_for_trd: int | None = Field(None, ge=1, le=10)
    default_protocol_code: str | None = Field(None, max_length=60)
