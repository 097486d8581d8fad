"""API input and output shapes for patients."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from ketaclinic.core.schemas import PlainDecimal

from .models import (
    MAX_WEIGHT_KG,
    MIN_WEIGHT_KG,
    Ethnicity,
    IncomeBand,
    PayerType,
    PreferredLanguage,
    Race,
    Sex,
)


class PatientIn(Schema):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    sex: Sex
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address_line: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    emergency_contact_name: str = Field("", max_length=200)
    emergency_contact_phone: str = Field("", max_length=40)
    emergency_contact_relationship: str = Field("", max_length=60)
    weight_kg: PlainDecimal | None = Field(
        None, ge=MIN_WEIGHT_KG, le=MAX_WEIGHT_KG, decimal_places=1
    )
    race: Race = Race.UNKNOWN
    ethnicity: Ethnicity = Ethnicity.UNKNOWN
    payer_type: PayerType = PayerType.UNKNOWN
    income_band: IncomeBand = IncomeBand.UNKNOWN
    preferred_language: PreferredLanguage = Field(
        PreferredLanguage.ENGLISH,
        description="Language of the patient's self-report questionnaires: en or es.",
    )
    confirm_duplicate: bool = Field(
        False,
        description="Register even though a patient of the clinic has the same name and date "
        "of birth (otherwise 409 possible_duplicate naming that patient).",
    )


class PatientPatch(Schema):
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: date | None = None
    sex: Sex | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    address_line: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    emergency_contact_name: str | None = Field(None, max_length=200)
    emergency_contact_phone: str | None = Field(None, max_length=40)
    emergency_contact_relationship: str | None = Field(None, max_length=60)
    weight_kg: PlainDecimal | None = Field(
        None, ge=MIN_WEIGHT_KG, le=MAX_WEIGHT_KG, decimal_places=1
    )
    race: Race | None = None
    ethnicity: Ethnicity | None = None
    payer_type: PayerType | None = None
    income_band: IncomeBand | None = None
    preferred_language: PreferredLanguage | None = Field(
        None, description="Language of the patient's self-report questionnaires: en or es."
    )


class PatientOut(Schema):
    id: UUID
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    phone: str
    email: str
    address_line: str
    city: str
    region: str
    postal_code: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_relationship: str
    weight_kg: Decimal | None
    race: str
    ethnicity: str
    payer_type: str
    income_band: str
    preferred_language: str
    created_at: datetime
    updated_at: datetime


class PatientSummary(Schema):
    id: UUID
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str


class PatientPage(Schema):
    items: list[PatientSummary]
    count: int = Field(
        description="Matching patients, counted up to 1,000: exact when count_is_exact, "
        "otherwise a lower bound."
    )
    count_is_exact: bool = Field(
        description="False when more patients match than were counted (shown as 1,000+)."
    )
    page: int
    pages: int = Field(
        description="Pages of matching patients: exact when count_is_exact, otherwise the "
        "pages known so far (at least one more than this page)."
    )


class WeightRangeIn(Schema):
    min_kg: PlainDecimal = Field(max_digits=5, decimal_places=1)
    max_kg: PlainDecimal = Field(max_digits=5, decimal_places=1)
    note: str = Field("", max_length=2000)


class WeightRangeOut(Schema):
    min_kg: Decimal
    max_kg: Decimal
    meaning: str
